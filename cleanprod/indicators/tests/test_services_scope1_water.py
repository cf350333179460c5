"""Scope 1 CO2 of fuel combustion and the water indicators, computed from a ledger that the import pipeline fills."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from cleanprod.indicators.formulas import Undefined
from cleanprod.indicators.services import Notice, compute_indicator_set
from cleanprod.indicators.tests.test_services import add_meter, import_file, write_csv
from cleanprod.organization.models import Enterprise, OrganizationUnit, Site, UnitKind
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Factor, Resource

pytestmark = pytest.mark.django_db

DAY = date(2024, 3, 1)

# One daily value per meter for DAY: (resource, meter unit, quantity).
DAILY_LEDGER = {
    "E-MAIN": ("electricity", "kWh", "1000"),
    "NG-BOILER": ("natural_gas", "Nm3", "10000"),
    "W-FRESH": ("fresh_water", "m3", "80"),
    "W-RECYCLED": ("recycled_water", "m3", "20"),
}

# Seeded natural gas factors (GB/T 32151.22-2024 Table C.1): NCV 389.31 GJ per 10⁴ Nm³,
# carbon content 15.3 tC/TJ and oxidation rate 0.99.
NATURAL_GAS_TCO2 = (10_000 / 10_000) * 389.31 * (15.3 / 1000) * 0.99 * 44 / 12

# East China has no 2024 grid factor, so 2023's 0.5500 kgCO2/kWh is used provisionally.
ELECTRICITY_TCO2 = 1_000 * 0.55 / 1000


def build_site(tmp_path: Path, ledger: dict[str, tuple[str, str, str]]) -> Site:
    """Create a site with one daily meter per ledger entry and import each meter's quantity for DAY."""
    enterprise = Enterprise.objects.create(name="Boiler group", uscc="91310000MA1FL5LX3K", industry_code="C3391")
    site = Site.objects.create(
        enterprise=enterprise, code="boiler-plant", name="Boiler plant", grid_region="east_china"
    )
    for code, (resource_code, unit, _quantity) in ledger.items():
        meter = add_meter(site, code, resource_code, unit)
        meter.interval_minutes = 1440
        meter.save()

    # The value labels the day that ends at the timestamp.
    rows = [["timestamp", *ledger], ["2024-03-02 00:00", *(quantity for _r, _u, quantity in ledger.values())]]
    import_file(site, write_csv(tmp_path / "daily.csv", rows))
    return site


def add_output(site: Site, quantity: str) -> Resource:
    product = Resource.objects.get(code="product")
    boiler_house = OrganizationUnit.objects.create(
        site=site, code="boiler", name="Boiler house", kind=UnitKind.WORKSHOP
    )
    ProductionRecord.objects.create(
        site=site,
        organization_unit=boiler_house,
        product=product,
        period_start=DAY,
        period_end=DAY,
        quantity=Decimal(quantity),
        unit="t",
        reference="MES-0301",
    )
    return product


def test_natural_gas_scope1_co2(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.fuel_scope1_tco2 == pytest.approx(NATURAL_GAS_TCO2)
    assert result.fuel_scope1_tco2 == pytest.approx(21.6219, abs=1e-4)
    (part,) = result.scope1_parts
    assert part.resource_code == "natural_gas"
    assert part.year == 2024
    assert part.quantity == pytest.approx(10_000.0)
    assert part.tco2 == pytest.approx(NATURAL_GAS_TCO2)
    assert result.notices == ()


def test_scope1_part_keeps_three_factors(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)

    (part,) = compute_indicator_set(site, DAY, DAY).scope1_parts

    assert [(use.kind, use.resource_code) for use in part.factors] == [
        ("fuel_ncv", "natural_gas"),
        ("fuel_carbon_content", "natural_gas"),
        ("fuel_oxidation", "natural_gas"),
    ]
    assert part.net_calorific_value.value == Decimal("389.31")
    assert part.net_calorific_value.unit == "GJ/(万 * Nm3)"
    assert part.carbon_content.unit == "tC/TJ"
    for use in part.factors:
        assert Factor.objects.get(pk=use.factor_id).version == use.version


def test_total_co2_adds_scope1_and_scope2(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.electricity_scope2_tco2 == pytest.approx(ELECTRICITY_TCO2)
    assert result.total_co2_t == pytest.approx(NATURAL_GAS_TCO2 + ELECTRICITY_TCO2)


def test_fuel_without_factors_leaves_scope1_undefined(tmp_path):
    # The factor table has a standard coal coefficient for fuel oil, but no combustion factors.
    ledger = {**DAILY_LEDGER, "FO-KILN": ("fuel_oil", "t", "5")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.fuel_scope1_tco2 == Undefined("missing_factor")
    assert result.total_co2_t == Undefined("missing_factor")
    assert [part.resource_code for part in result.scope1_parts] == ["natural_gas"]
    assert [notice.code for notice in result.notices] == ["missing_fuel_combustion_factor"]
    assert result.notices[0].message == (
        "The net calorific value, carbon content or oxidation rate of fuel_oil for 2024 is missing, "
        "so scope 1 CO2 is not computed; add the missing factor to the factor table."
    )
    assert not isinstance(result.comprehensive_energy_tce, Undefined)


def test_missing_oxidation_rate_leaves_scope1_undefined(tmp_path):
    Factor.objects.filter(kind="fuel_oxidation", resource__code="natural_gas").delete()
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.fuel_scope1_tco2 == Undefined("missing_factor")
    assert result.scope1_parts == ()
    assert [notice.code for notice in result.notices] == ["missing_fuel_combustion_factor"]


def test_missing_grid_factor_leaves_total_undefined(tmp_path):
    Factor.objects.filter(kind="grid_emission").delete()
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.fuel_scope1_tco2 == pytest.approx(NATURAL_GAS_TCO2)
    assert result.total_co2_t == Undefined("missing_factor")


def test_scope_without_fuel_has_zero_scope1(tmp_path):
    ledger = {code: entry for code, entry in DAILY_LEDGER.items() if code != "NG-BOILER"}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.fuel_scope1_tco2 == 0.0
    assert result.scope1_parts == ()
    assert result.total_co2_t == pytest.approx(ELECTRICITY_TCO2)


def test_water_reuse_rate_from_meters(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.fresh_water_m3 == pytest.approx(80.0)
    # R = 20 / (80 + 20)
    assert result.water_reuse_rate == pytest.approx(0.2)
    assert result.fresh_water_per_unit_product is None  # no product requested


def test_water_reuse_rate_without_water_is_undefined(tmp_path):
    ledger = {**DAILY_LEDGER, "W-FRESH": ("fresh_water", "m3", "0"), "W-RECYCLED": ("recycled_water", "m3", "0")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.fresh_water_m3 == 0.0
    assert result.water_reuse_rate == Undefined("no_data")


def test_scope_without_water_meters_has_no_reuse_rate(tmp_path):
    ledger = {"E-MAIN": DAILY_LEDGER["E-MAIN"]}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.fresh_water_m3 == 0.0
    assert result.water_reuse_rate == Undefined("no_data")


def test_fresh_water_per_unit_product(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)
    product = add_output(site, "8")

    result = compute_indicator_set(site, DAY, DAY, product=product)

    # 80 m³ of fresh water for 8 t; recycled water is not intake and does not count.
    assert result.fresh_water_per_unit_product == pytest.approx(10.0)


def test_fresh_water_without_production_is_undefined(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)
    pieces = Resource.objects.get(code="product_pieces")

    result = compute_indicator_set(site, DAY, DAY, product=pieces)

    assert result.fresh_water_per_unit_product == Undefined("no_production")
    assert result.fresh_water_m3 == pytest.approx(80.0)


def test_co2_per_unit_product(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)
    product = add_output(site, "8")

    result = compute_indicator_set(site, DAY, DAY, product=product)

    assert not isinstance(result.total_co2_t, Undefined)
    assert result.co2_per_unit_product_t == pytest.approx(result.total_co2_t / 8)


def test_co2_per_unit_without_production_is_undefined(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)
    pieces = Resource.objects.get(code="product_pieces")

    result = compute_indicator_set(site, DAY, DAY, product=pieces)

    assert result.co2_per_unit_product_t == Undefined("no_production")


def test_wastewater_reuse_rate(tmp_path):
    ledger = {**DAILY_LEDGER, "WW-OUT": ("wastewater", "m3", "60")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    # 20 m³ reused against 60 m³ discharged: 20 / (60 + 20).
    assert result.wastewater_reuse_rate == pytest.approx(0.25)


def test_wastewater_reuse_rate_without_water_is_undefined(tmp_path):
    ledger = {"E-MAIN": DAILY_LEDGER["E-MAIN"]}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.wastewater_reuse_rate == Undefined("no_data")


def test_missing_national_grid_factor_names_region_once():
    national = Notice("missing_grid_factor", {"region": "national", "year": 2018})
    regional = Notice("missing_grid_factor", {"region": "east_china", "year": 2018})

    assert national.message == (
        "No national average grid emission factor for 2018, so scope 2 CO2 is not computed; "
        "add the factor to the factor table."
    )
    assert "or the national average" in regional.message
