"""Electricity at the primary-energy equivalent value, scope 2 CO2 of purchased heat and carbonate process CO2."""

from decimal import Decimal

import pytest

from cleanprod.indicators.formulas import Undefined
from cleanprod.indicators.services import compute_indicator_set
from cleanprod.indicators.tests.test_services_scope1_water import (
    DAILY_LEDGER,
    DAY,
    ELECTRICITY_TCO2,
    NATURAL_GAS_TCO2,
    build_site,
)
from cleanprod.resources.models import Factor, FactorKind, Resource

pytestmark = pytest.mark.django_db

# Seeded GB/T 2589 calorific equivalents: natural gas 1.2143 kgce/Nm3, electricity 0.1229 kgce/kWh.
NATURAL_GAS_TCE = 10_000 * 1.2143 / 1000
ELECTRICITY_CALORIFIC_TCE = 1_000 * 0.1229 / 1000


def add_equivalent_value(year: int, value: str) -> Factor:
    return Factor.objects.create(
        kind=FactorKind.STANDARD_COAL_EQUIVALENT_VALUE,
        resource=Resource.objects.get(code="electricity"),
        series="test_thermal_power_supply",
        data_year=year,
        value=Decimal(value),
        unit="kgce/kWh",
        source="test value",
        confidence="U",
    )


def test_default_basis_is_calorific(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.electricity_basis == "calorific"
    assert result.comprehensive_energy_tce == pytest.approx(NATURAL_GAS_TCE + ELECTRICITY_CALORIFIC_TCE)
    electricity_part = next(part for part in result.energy_parts if part.resource_code == "electricity")
    assert electricity_part.factor.kind == FactorKind.STANDARD_COAL


def test_equivalent_basis_uses_year_value(tmp_path):
    factor = add_equivalent_value(2024, "0.3")
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY, electricity_basis="equivalent")

    assert result.electricity_basis == "equivalent"
    assert result.comprehensive_energy_tce == pytest.approx(NATURAL_GAS_TCE + 0.3)
    electricity_part = next(part for part in result.energy_parts if part.resource_code == "electricity")
    assert electricity_part.result == pytest.approx(0.3)
    assert electricity_part.factor.factor_id == factor.pk
    assert electricity_part.factor.provisional is False
    assert factor.pk in {use.factor_id for use in result.factors}
    assert result.notices == ()


def test_equivalent_basis_leaves_other_energy_calorific(tmp_path):
    add_equivalent_value(2024, "0.3")
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY, electricity_basis="equivalent")

    gas_part = next(part for part in result.energy_parts if part.resource_code == "natural_gas")
    assert gas_part.factor.kind == FactorKind.STANDARD_COAL
    assert gas_part.result == pytest.approx(NATURAL_GAS_TCE)


def test_equivalent_basis_without_value_is_undefined(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY, electricity_basis="equivalent")

    assert result.comprehensive_energy_tce == Undefined("missing_factor")
    assert result.energy_per_10k_cny == Undefined("missing_factor")
    assert [notice.code for notice in result.notices] == ["missing_equivalent_value_factor"]
    assert result.notices[0].params == {"year": 2024}
    assert "2024" in result.notices[0].message
    assert "average coal consumption of thermal power supply" in result.notices[0].message


def test_purchased_heat_scope2(tmp_path):
    ledger = {**DAILY_LEDGER, "H-MAIN": ("heat", "GJ", "100")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    # Seeded default for purchased heat: 0.11 tCO2/GJ, so 100 GJ × 0.11 = 11 t.
    assert result.heat_scope2_tco2 == pytest.approx(11.0)
    (part,) = result.heat_scope2_parts
    assert part.resource_code == "heat"
    assert part.quantity == pytest.approx(100.0)
    assert part.factor.kind == FactorKind.HEAT_EMISSION
    assert part.factor.factor_id in {use.factor_id for use in result.factors}
    assert result.electricity_scope2_tco2 == pytest.approx(ELECTRICITY_TCO2)
    assert [part.resource_code for part in result.scope2_parts] == ["electricity"]
    assert result.total_co2_t == pytest.approx(NATURAL_GAS_TCO2 + ELECTRICITY_TCO2 + 11.0)


def test_heat_in_mj_is_converted(tmp_path):
    ledger = {**DAILY_LEDGER, "H-MAIN": ("heat", "MJ", "50000")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.heat_scope2_tco2 == pytest.approx(50 * 0.11)


def test_scope_without_heat_has_zero_heat_scope2(tmp_path):
    site = build_site(tmp_path, DAILY_LEDGER)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.heat_scope2_tco2 == 0.0
    assert result.heat_scope2_parts == ()
    assert result.total_co2_t == pytest.approx(NATURAL_GAS_TCO2 + ELECTRICITY_TCO2)


def test_missing_heat_factor_leaves_total_undefined(tmp_path):
    Factor.objects.filter(kind=FactorKind.HEAT_EMISSION).delete()
    ledger = {**DAILY_LEDGER, "H-MAIN": ("heat", "GJ", "100")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.heat_scope2_tco2 == Undefined("missing_factor")
    assert result.total_co2_t == Undefined("missing_factor")
    assert [notice.code for notice in result.notices] == ["missing_heat_factor"]
    assert "2024" in result.notices[0].message


def test_steam_is_not_converted(tmp_path):
    ledger = {**DAILY_LEDGER, "H-MAIN": ("heat", "GJ", "100"), "S-MAIN": ("steam", "t", "5")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.heat_scope2_tco2 == pytest.approx(11.0)
    assert [part.resource_code for part in result.heat_scope2_parts] == ["heat"]
    steam_notices = [notice for notice in result.notices if notice.code == "steam_not_converted"]
    assert len(steam_notices) == 1
    assert steam_notices[0].params == {"resource": "steam", "unit": "t"}
    assert "enthalpy" in steam_notices[0].message
    assert result.total_co2_t == pytest.approx(NATURAL_GAS_TCO2 + ELECTRICITY_TCO2 + 11.0)


def test_carbonate_process_co2(tmp_path):
    ledger = {**DAILY_LEDGER, "LS-KILN": ("limestone", "t", "10"), "DOL-KILN": ("dolomite", "t", "2")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    # Seeded stoichiometric factors: 0.43971 tCO2/t CaCO3 and 0.47732 tCO2/t dolomite, purity 1.
    carbonate_tco2 = 10 * 0.43971 + 2 * 0.47732
    assert result.carbonate_scope1_tco2 == pytest.approx(carbonate_tco2)
    assert result.carbonate_scope1_tco2 == pytest.approx(5.35174)
    parts = {part.resource_code: part for part in result.carbonate_parts}
    assert parts["limestone"].result == pytest.approx(4.3971)
    assert parts["dolomite"].result == pytest.approx(0.95464)
    assert parts["limestone"].factor.kind == FactorKind.CARBONATE_EMISSION
    assert parts["limestone"].factor.factor_id in {use.factor_id for use in result.factors}
    assert result.fuel_scope1_tco2 == pytest.approx(NATURAL_GAS_TCO2)
    assert result.total_co2_t == pytest.approx(NATURAL_GAS_TCO2 + carbonate_tco2 + ELECTRICITY_TCO2)


def test_raw_material_without_carbonate_factor(tmp_path):
    ledger = {**DAILY_LEDGER, "RM-STORE": ("raw_material", "t", "40")}
    site = build_site(tmp_path, ledger)

    result = compute_indicator_set(site, DAY, DAY)

    assert result.carbonate_scope1_tco2 == 0.0
    assert result.carbonate_parts == ()
    assert result.total_co2_t == pytest.approx(NATURAL_GAS_TCO2 + ELECTRICITY_TCO2)


def test_seeded_carbonate_resources():
    limestone = Resource.objects.get(code="limestone")
    dolomite = Resource.objects.get(code="dolomite")

    assert limestone.category == "raw_material"
    assert limestone.canonical_unit == "t"
    assert limestone.is_energy is False
    assert dolomite.category == "raw_material"
    factor = Factor.objects.get(kind=FactorKind.CARBONATE_EMISSION, resource=limestone)
    assert factor.value == Decimal("0.43971")
    assert factor.unit == "tCO2/t"
    assert factor.confidence == "C"
    assert Factor.objects.get(kind=FactorKind.CARBONATE_EMISSION, resource=dolomite).value == Decimal("0.47732")
