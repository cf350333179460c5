"""Indicator formulas against worked numbers, without the database."""

import math

import pytest

from cleanprod.indicators.formulas import (
    Estimate,
    Undefined,
    assess_period,
    carbonate_process_co2_t,
    comprehensive_energy_tce,
    display,
    fresh_water_per_unit_product,
    fuel_combustion_co2_t,
    intensity,
    intensity_per_10k_cny,
    project_to_full_period,
    purchased_electricity_co2_t,
    purchased_heat_co2_t,
    relative_change,
    solid_waste_utilisation_rate,
    total_co2_t,
    wastewater_reuse_rate,
    water_reuse_rate,
)
from cleanprod.resources.units import conversion_factor

ELECTRICITY_KGCE_PER_KWH = 0.1229  # GB/T 2589 calorific equivalent of electricity


def test_undefined_has_code_and_message():
    value = Undefined("no_production")

    assert value.reason == "no_production"
    assert str(value.message) == "No production in the period, so there is no intensity."


def test_undefined_rejects_unknown_reason():
    with pytest.raises(ValueError, match="Unknown reason 'division_by_zero'"):
        Undefined("division_by_zero")


def test_energy_of_wh_register_in_tce():
    # A lifetime register of 4,812,000 Wh is 4,812 kWh, not 4,812,000 kWh.
    kwh = 4_812_000 * conversion_factor("Wh", "kWh")
    tce_per_kwh = ELECTRICITY_KGCE_PER_KWH * conversion_factor("kgce", "tce")

    energy = comprehensive_energy_tce([(kwh, tce_per_kwh)])

    assert energy == pytest.approx(0.5914, abs=5e-5)


def test_energy_sums_terms_and_deducts_exports():
    consumed = [(10_000.0, 0.1229e-3), (2.0, 0.7143)]  # kWh of electricity, t of raw coal
    exported = [(1_000.0, 0.1229e-3)]  # kWh sold across the boundary

    energy = comprehensive_energy_tce(consumed, exported)

    assert energy == pytest.approx(1.229 + 1.4286 - 0.1229)


def test_electricity_co2_converts_kwh_to_mwh():
    mwh = 1_200_000 * conversion_factor("kWh", "MWh")

    assert purchased_electricity_co2_t(mwh, 0.6) == pytest.approx(720.0)


@pytest.mark.parametrize(
    ("mwh", "factor", "expected"),
    [(1_500, 0.58, 870.0), (1_600, 0.57, 912.0), (1_700, 0.57, 969.0), (1_700, 0.55, 935.0)],
)
def test_electricity_co2_per_year_factor(mwh, factor, expected):
    assert purchased_electricity_co2_t(mwh, factor) == pytest.approx(expected)


def test_intensity_with_production():
    assert intensity(120_000, 400) == pytest.approx(300.0)


@pytest.mark.parametrize("production", [0.0, -5.0])
def test_intensity_without_production_is_undefined(production):
    value = intensity(8_000, production)

    assert value == Undefined("no_production")


def test_intensity_over_months_counts_standby_energy():
    # January 120,000 kWh for 400 t; February 8,000 kWh of standby with no output.
    assert intensity(120_000 + 8_000, 400 + 0) == pytest.approx(320.0)


def test_intensity_per_10k_cny():
    assert intensity_per_10k_cny(50.0, 200.0) == pytest.approx(0.25)
    assert intensity_per_10k_cny(50.0, 0.0) == Undefined("no_output_value")


def test_relative_change_against_base():
    assert relative_change(95.0, 100.0) == pytest.approx(-0.05)


def test_relative_change_zero_base_is_undefined():
    value = relative_change(8_000.0, 0.0)

    assert value == Undefined("zero_base")
    assert display(value) == "—"


def test_relative_change_passes_undefined_through():
    assert relative_change(Undefined("no_production"), 300.0) == Undefined("no_production")
    assert relative_change(300.0, Undefined("no_production")) == Undefined("no_production")


def test_relative_change_rejects_partial_period():
    today = assess_period(10 * 3600, 24 * 3600, period_over=False)

    value = relative_change(420.0, 1_000.0, current_complete=today.complete)

    assert value == Undefined("partial_period")


def test_fuel_combustion_co2():
    # 100 t anthracite, NCV 26.7 GJ/t, 27.4 tC/TJ = 0.0274 tC/GJ, oxidation 94 %:
    # 2,670 GJ × 0.0274 × 0.94 × 44/12 = 252.15124 t.
    carbon_tc_per_gj = 27.4 * conversion_factor("1/TJ", "1/GJ")

    co2 = fuel_combustion_co2_t(100.0, 26.7, carbon_tc_per_gj, 0.94)

    assert co2 == pytest.approx(252.15124, abs=1e-5)


def test_carbonate_process_co2():
    # 1,000 t limestone at 95 % CaCO3, 0.43971 tCO2/t: 417.7245 t.
    assert carbonate_process_co2_t(1_000.0, 0.43971, 0.95) == pytest.approx(417.7245)


def test_purchased_heat_co2():
    assert purchased_heat_co2_t(500.0, 0.11) == pytest.approx(55.0)


def test_total_co2_deducts_exports_and_recovery():
    total = total_co2_t(
        combustion_t=252.0,
        process_t=418.0,
        purchased_electricity_t=720.0,
        purchased_heat_t=55.0,
        exported_electricity_t=20.0,
        exported_heat_t=5.0,
        recovered_t=10.0,
    )

    assert total == pytest.approx(252 + 418 + 720 + 55 - 20 - 5 - 10)


def test_water_reuse_rate():
    # 900 m³ reused and 100 m³ fresh: R = 900 / (100 + 900) = 90 %.
    assert water_reuse_rate(900.0, 100.0) == pytest.approx(0.9)
    assert water_reuse_rate(0.0, 0.0) == Undefined("no_data")


def test_wastewater_reuse_rate():
    # 30 m³ reused and 70 m³ discharged: Kw = 30 / (70 + 30) = 30 %.
    assert wastewater_reuse_rate(30.0, 70.0) == pytest.approx(0.3)
    assert wastewater_reuse_rate(0.0, 0.0) == Undefined("no_data")


def test_fresh_water_per_unit_product():
    assert fresh_water_per_unit_product(100.0, 40.0) == pytest.approx(2.5)
    assert fresh_water_per_unit_product(100.0, 0.0) == Undefined("no_production")


def test_water_rate_rejects_negative_volume():
    with pytest.raises(ValueError, match="reused_m3 must be a non-negative number"):
        water_reuse_rate(-1.0, 100.0)


def test_solid_waste_utilisation_rate():
    # 90 t generated, 80 t utilised of which 10 t from last year's stock:
    # 80 / (90 + 10) = 80 %.
    assert solid_waste_utilisation_rate(80.0, 90.0, 10.0) == pytest.approx(0.8)
    assert solid_waste_utilisation_rate(0.0, 0.0, 0.0) == Undefined("no_data")


def test_running_day_is_partial():
    # Today at 10:00, with 10 hours of data.
    today = assess_period(10 * 3600, 24 * 3600, period_over=False)

    assert today.complete is False
    assert today.coverage == pytest.approx(0.41667, abs=1e-5)
    assert display(today.coverage, 1, percent=True) == "41.7 %"


def test_running_day_projection_is_estimate():
    today = assess_period(10 * 3600, 24 * 3600, period_over=False)

    projection = project_to_full_period(420.0, today)

    assert isinstance(projection, Estimate)
    assert projection.value == pytest.approx(1008.0)
    assert display(projection, 0) == "1008 (estimate)"


def test_past_period_with_gap_is_partial():
    day = assess_period(23 * 3600, 24 * 3600, period_over=True)

    assert day.complete is False


def test_past_period_fully_covered_is_complete():
    day = assess_period(24 * 3600, 24 * 3600, period_over=True)

    assert day.complete is True
    assert day.coverage == 1.0


def test_projection_without_data_is_undefined():
    empty = assess_period(0.0, 86_400.0, period_over=False)

    assert project_to_full_period(0.0, empty) == Undefined("no_data")


def test_period_without_length_is_rejected():
    with pytest.raises(ValueError, match="period_seconds must be positive"):
        assess_period(0.0, 0.0, period_over=True)


def test_display_rounds_only_when_shown():
    value = intensity(1.0, 3.0)

    assert isinstance(value, float)
    assert display(value, 4) == "0.3333"
    assert not math.isclose(value, 0.3333)
