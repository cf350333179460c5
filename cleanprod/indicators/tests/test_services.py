"""Indicators computed from a ledger that the real import pipeline fills."""

import csv
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cleanprod.indicators.formulas import Undefined
from cleanprod.indicators.services import IndicatorSet, compute_indicator_set, period_seconds
from cleanprod.ingest.parsing import FileOptions, WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering.models import Meter, VirtualMeterTerm
from cleanprod.organization.models import Enterprise, OrganizationUnit, Site, UnitKind
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Factor, Resource

pytestmark = pytest.mark.django_db

WIDE = WideLayout(timestamp_columns=("timestamp",))

# Hourly values of the ledger: the incomer takes 100 kWh, the line sub-meter 40,000 Wh
# (40 kWh), the workshop's gas meter 10 Nm³ and its water meter 2 m³ per hour.
HOURLY_VALUES = {"E-MAIN": "100", "E-LINE": "40000", "NG-WS": "10", "W-FRESH": "2"}

# GB/T 2589 coefficients as seeded, in tce per canonical unit.
ELECTRICITY_TCE_PER_KWH = 0.1229e-3
NATURAL_GAS_TCE_PER_NM3 = 1.2143e-3


def write_csv(path: Path, rows: Sequence[Sequence[object]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    return path


def import_file(site: Site, path: Path) -> None:
    report = import_readings(ImportRequest(site=site, path=path, layout=WIDE, options=FileOptions(), dry_run=False))
    assert report["rejected"] == 0, report


def add_meter(site: Site, code: str, resource_code: str, unit: str, **extra) -> Meter:
    meter = Meter(
        site=site,
        code=code,
        name=code,
        resource=Resource.objects.get(code=resource_code),
        unit=unit,
        reading_kind="interval",
        interval_minutes=60,
        **extra,
    )
    meter.full_clean()
    meter.save()
    return meter


def hourly_rows(first_day: date, days: int) -> list[list[str]]:
    """Rows labelled at interval ends: 01:00 … 24:00 (the next day's 00:00) of each local day."""
    codes = list(HOURLY_VALUES)
    rows = [["timestamp", *codes]]
    start = datetime(first_day.year, first_day.month, first_day.day)
    for hour in range(1, days * 24 + 1):
        stamp = start + timedelta(hours=hour)
        rows.append([stamp.strftime("%Y-%m-%d %H:%M"), *(HOURLY_VALUES[code] for code in codes)])
    return rows


def quantity_of(result: IndicatorSet, resource_code: str) -> float:
    item = result.consumption_of(resource_code)
    assert item is not None, f"no consumption of {resource_code}"
    return item.quantity


@pytest.fixture
def indicator_site() -> Site:
    enterprise = Enterprise.objects.create(name="Indicator group", uscc="91310000MA1FL5LX3K", industry_code="C3391")
    return Site.objects.create(
        enterprise=enterprise, code="indicator-plant", name="Indicator plant", grid_region="east_china"
    )


@pytest.fixture
def indicator_units(indicator_site: Site) -> dict[str, OrganizationUnit]:
    workshop = OrganizationUnit.objects.create(
        site=indicator_site, code="ws", name="Casting workshop", kind=UnitKind.WORKSHOP
    )
    line = OrganizationUnit.objects.create(
        site=indicator_site, code="ws-line1", name="Line 1", kind=UnitKind.PRODUCTION_LINE, parent=workshop
    )
    office = OrganizationUnit.objects.create(site=indicator_site, code="office", name="Office", kind=UnitKind.BUILDING)
    return {"workshop": workshop, "line": line, "office": office}


@pytest.fixture
def indicator_ledger(indicator_site: Site, indicator_units: dict[str, OrganizationUnit], tmp_path: Path) -> Site:
    """Create two full local days of hourly data, 2024-03-01 and 2024-03-02, and 12 t of workshop output."""
    incomer = add_meter(indicator_site, "E-MAIN", "electricity", "kWh")
    line_meter = add_meter(
        indicator_site, "E-LINE", "electricity", "Wh", parent=incomer, organization_unit=indicator_units["line"]
    )
    add_meter(indicator_site, "NG-WS", "natural_gas", "Nm3", organization_unit=indicator_units["workshop"])
    add_meter(indicator_site, "W-FRESH", "fresh_water", "m3", organization_unit=indicator_units["workshop"])
    rest = add_meter(indicator_site, "E-REST", "electricity", "kWh", is_virtual=True)
    VirtualMeterTerm.objects.create(virtual_meter=rest, source=incomer, sign=1)
    VirtualMeterTerm.objects.create(virtual_meter=rest, source=line_meter, sign=-1)

    import_file(indicator_site, write_csv(tmp_path / "hourly.csv", hourly_rows(date(2024, 3, 1), 2)))

    product = Resource.objects.get(code="product")
    ProductionRecord.objects.create(
        site=indicator_site,
        organization_unit=indicator_units["workshop"],
        product=product,
        period_start=date(2024, 3, 1),
        period_end=date(2024, 3, 2),
        quantity=Decimal("12"),
        unit="t",
        reference="MES-0301",
    )
    return indicator_site


def test_site_counts_sub_meter_once(indicator_ledger):
    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2))

    electricity = result.consumption_of("electricity")
    assert electricity is not None
    assert electricity.meter_codes == ("E-MAIN",)
    assert electricity.quantity == pytest.approx(4_800.0)
    assert electricity.unit == "kWh"


def test_site_consumption_per_resource(indicator_ledger):
    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2))

    assert [item.resource_code for item in result.consumption] == ["electricity", "fresh_water", "natural_gas"]
    assert quantity_of(result, "natural_gas") == pytest.approx(480.0)
    assert quantity_of(result, "fresh_water") == pytest.approx(96.0)


def test_unit_scope_counts_its_sub_meter(indicator_ledger):
    workshop = OrganizationUnit.objects.get(site=indicator_ledger, code="ws")

    result = compute_indicator_set(workshop, date(2024, 3, 1), date(2024, 3, 2))

    electricity = result.consumption_of("electricity")
    assert electricity is not None
    assert electricity.meter_codes == ("E-LINE",)
    # 48 hours × 40,000 Wh, converted to the canonical kWh.
    assert electricity.quantity == pytest.approx(1_920.0)
    assert result.organization_unit_id == workshop.pk


def test_complete_period_has_full_coverage(indicator_ledger):
    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2))

    assert result.completeness.coverage == pytest.approx(1.0)
    assert result.completeness.period_seconds == 2 * 86_400
    assert result.partial is False


def test_running_period_is_partial(indicator_ledger):
    now = datetime(2024, 3, 2, 2, tzinfo=UTC)  # 10:00 local time on the last day

    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2), now=now)

    assert result.partial is True
    assert result.completeness.period_over is False


def test_period_with_missing_day_is_partial(indicator_ledger):
    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 3))

    assert result.partial is True
    assert result.completeness.coverage == pytest.approx(2 / 3)


def test_comprehensive_energy_counts_energy_resources(indicator_ledger):
    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2))

    # Fresh water is not an energy, so only electricity and natural gas are in the total.
    expected = 4_800 * ELECTRICITY_TCE_PER_KWH + 480 * NATURAL_GAS_TCE_PER_NM3
    assert result.comprehensive_energy_tce == pytest.approx(expected)
    assert [(part.resource_code, part.year) for part in result.energy_parts] == [
        ("electricity", 2024),
        ("natural_gas", 2024),
    ]
    assert result.energy_intensity_kgce_per_unit is None  # no product requested


def test_scope2_uses_regional_grid_factor(indicator_ledger):
    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2))

    # East China has no 2024 factor yet, so 2023's 0.5500 kgCO2/kWh is used provisionally.
    assert result.electricity_scope2_tco2 == pytest.approx(4_800 * 0.55 / 1000)
    (part,) = result.scope2_parts
    assert part.factor.region == "east_china"
    assert part.factor.data_year == 2023
    assert part.factor.provisional is True
    assert result.notices == ()


def test_scope2_falls_back_to_national_factor(indicator_ledger):
    Factor.objects.filter(kind="grid_emission", region="east_china").delete()

    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2))

    assert result.electricity_scope2_tco2 == pytest.approx(4_800 * 0.5306 / 1000)
    assert result.scope2_parts[0].factor.region == "national"
    assert [notice.code for notice in result.notices] == ["grid_region_fallback"]
    assert result.notices[0].message == (
        "No East China grid emission factor for 2024; the national average factor is used instead."
    )


def test_result_lists_every_factor_used(indicator_ledger):
    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2))

    assert [(use.kind, use.resource_code) for use in result.factors] == [
        ("standard_coal", "electricity"),
        ("standard_coal", "natural_gas"),
        ("grid_emission", "electricity"),
        ("fuel_ncv", "natural_gas"),
        ("fuel_carbon_content", "natural_gas"),
        ("fuel_oxidation", "natural_gas"),
    ]
    for use in result.factors:
        assert Factor.objects.get(pk=use.factor_id).version == use.version


def test_missing_coefficient_leaves_energy_undefined(indicator_ledger):
    Factor.objects.filter(kind="standard_coal", resource__code="natural_gas").delete()

    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2))

    assert result.comprehensive_energy_tce == Undefined("missing_factor")
    assert [notice.code for notice in result.notices] == ["missing_standard_coal_factor"]


def test_energy_per_unit_of_product(indicator_ledger):
    product = Resource.objects.get(code="product")

    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2), product=product)

    energy_kgce = (4_800 * ELECTRICITY_TCE_PER_KWH + 480 * NATURAL_GAS_TCE_PER_NM3) * 1000
    assert result.product_code == "product"
    assert result.net_output == Decimal("12.0000")
    assert result.energy_intensity_kgce_per_unit == pytest.approx(energy_kgce / 12)
    electricity = next(item for item in result.resource_intensities if item.resource_code == "electricity")
    assert electricity.unit == "kWh/t"
    assert electricity.value == pytest.approx(400.0)


def test_zero_production_gives_undefined_intensity(indicator_ledger):
    pieces = Resource.objects.get(code="product_pieces")

    result = compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2), product=pieces)

    assert result.net_output == Decimal("0.0000")
    assert result.energy_intensity_kgce_per_unit == Undefined("no_production")
    assert {item.value for item in result.resource_intensities} == {Undefined("no_production")}
    # Energy used without production still counts in the totals.
    assert quantity_of(result, "electricity") == pytest.approx(4_800.0)


def test_scope_without_meters_has_no_coverage(indicator_ledger):
    office = OrganizationUnit.objects.get(site=indicator_ledger, code="office")

    result = compute_indicator_set(office, date(2024, 3, 1), date(2024, 3, 2))

    assert result.consumption == ()
    assert result.completeness.coverage == 0.0
    assert result.partial is True


def test_query_count_does_not_grow_with_days(indicator_ledger, django_assert_max_num_queries):
    product = Resource.objects.get(code="product")
    with CaptureQueriesContext(connection) as one_day:
        compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 1), product=product)
    with CaptureQueriesContext(connection) as two_days:
        compute_indicator_set(indicator_ledger, date(2024, 3, 1), date(2024, 3, 2), product=product)

    assert len(one_day) == len(two_days)
    # Meters, rollup totals, production records, output value records, and one factor look-up
    # per resource, year and kind: standard coal for electricity and natural gas, the grid
    # factor, and the net calorific value, carbon content and oxidation rate of natural gas.
    with django_assert_max_num_queries(10):
        compute_indicator_set(indicator_ledger, date(2024, 2, 1), date(2024, 3, 31), product=product)


def test_end_before_start_is_rejected(indicator_site):
    with pytest.raises(ValueError, match="ends before it starts"):
        compute_indicator_set(indicator_site, date(2024, 3, 2), date(2024, 3, 1))


def test_period_seconds_of_dst_day():
    berlin = Site(code="berlin", name="Berlin", time_zone="Europe/Berlin")

    assert period_seconds(berlin, date(2024, 3, 31), date(2024, 3, 31)) == 23 * 3600
    assert period_seconds(berlin, date(2024, 3, 30), date(2024, 4, 1)) == 71 * 3600


# -- Factors of several years -------------------------------------------------------------


@pytest.fixture
def multi_year_site(tmp_path: Path) -> Site:
    """A site with one daily electricity meter: 1,500 MWh in 2022, 1,600 MWh in 2023, 1,700 MWh in 2024."""
    enterprise = Enterprise.objects.create(name="Multi-year group", uscc="91310000MA1FL5LX3K", industry_code="C3391")
    site = Site.objects.create(enterprise=enterprise, code="multi-year", name="Multi-year plant")
    meter = add_meter(site, "E-DAILY", "electricity", "MWh")
    meter.interval_minutes = 1440
    meter.save()
    # Each value labels the day that ends at the timestamp.
    rows = [["timestamp", "E-DAILY"], ["2022-06-02 00:00", "1500"], ["2023-06-02 00:00", "1600"]]
    rows.append(["2024-06-02 00:00", "1700"])
    import_file(site, write_csv(tmp_path / "daily.csv", rows))
    return site


def add_grid_factor(year: int, value: str, version: int) -> Factor:
    """Add an illustrative national grid factor of the MEE/NBS series."""
    return Factor.objects.create(
        kind="grid_emission",
        resource=Resource.objects.get(code="electricity"),
        series="mee_nbs_average",
        region="national",
        data_year=year,
        value=Decimal(value),
        unit="tCO2/MWh",
        source="illustrative test value",
        confidence="U",
        version=version,
    )


def test_each_year_uses_its_own_grid_factor(multi_year_site):
    factor_2022 = add_grid_factor(2022, "0.58", version=2)
    factor_2023 = add_grid_factor(2023, "0.57", version=2)

    result = compute_indicator_set(multi_year_site, date(2022, 1, 1), date(2024, 12, 31))

    parts = result.scope2_parts
    assert [part.year for part in parts] == [2022, 2023, 2024]
    assert [part.result for part in parts] == pytest.approx([870.0, 912.0, 969.0])
    assert [part.factor.factor_id for part in parts] == [factor_2022.pk, factor_2023.pk, factor_2023.pk]
    assert [part.factor.provisional for part in parts] == [False, False, True]
    assert result.electricity_scope2_tco2 == pytest.approx(870.0 + 912.0 + 969.0)


def test_new_year_factor_changes_only_its_year(multi_year_site):
    add_grid_factor(2022, "0.58", version=2)
    add_grid_factor(2023, "0.57", version=2)
    issued = compute_indicator_set(multi_year_site, date(2022, 1, 1), date(2024, 12, 31))
    factor_2024 = add_grid_factor(2024, "0.55", version=1)

    recomputed = compute_indicator_set(multi_year_site, date(2022, 1, 1), date(2024, 12, 31))

    assert [part.result for part in recomputed.scope2_parts] == pytest.approx([870.0, 912.0, 935.0])
    assert recomputed.scope2_parts[2].factor.factor_id == factor_2024.pk
    assert recomputed.scope2_parts[2].factor.provisional is False
    # The result computed before keeps the factor version it used.
    assert issued.scope2_parts[2].factor.data_year == 2023
    assert issued.scope2_parts[2].result == pytest.approx(969.0)
