"""Unit conversion: explicit, dimension-checked, never blind multiplication."""

from decimal import Decimal

import pytest

from cleanprod.resources.factors import FactorCandidate, FactorNotFound, select_for_year
from cleanprod.resources.units import UnitError, conversion_factor, convert, parse_unit, rate_conversion_factor


@pytest.mark.parametrize(
    ("source", "target", "factor"),
    [
        ("Wh", "kWh", 0.001),
        ("MWh", "kWh", 1000.0),
        ("kWh", "MWh", 0.001),
        ("m3", "L", 1000.0),
        ("m³", "L", 1000.0),
        ("t", "kg", 1000.0),
        ("GJ", "MJ", 1000.0),
        ("tce", "kgce", 1000.0),
        ("度", "kWh", 1.0),
        ("万千瓦时", "kWh", 10000.0),
        ("Nm³", "Nm3", 1.0),
        ("tCO2/MWh", "kgCO2/kWh", 1.0),
    ],
)
def test_conversion_factors(source, target, factor):
    assert conversion_factor(source, target) == pytest.approx(factor)


@pytest.mark.parametrize(
    ("source", "target"),
    [("kWh", "kgce"), ("Nm3", "m3"), ("kg", "kWh"), ("tCO2", "t"), ("kWh", "kvarh"), ("tC", "tCO2")],
)
def test_incompatible_units_are_rejected(source, target):
    with pytest.raises(UnitError) as caught:
        conversion_factor(source, target)
    assert caught.value.code == "incompatible_unit"
    assert source in caught.value.message


def test_unknown_unit_names_the_unit():
    with pytest.raises(UnitError) as caught:
        parse_unit("kwhh")
    assert caught.value.code == "unknown_unit"
    assert "kwhh" in caught.value.message


def test_wh_register_is_not_read_as_kwh():
    """A lifetime register of 4,812,000 Wh is 4,812 kWh, so 0.5914 tce at 0.1229 kgce/kWh."""
    energy_kwh = convert(4_812_000, "Wh", "kWh")
    tce = convert(energy_kwh * 0.1229, "kgce", "tce")
    assert energy_kwh == pytest.approx(4812.0)
    assert tce == pytest.approx(0.5914, abs=5e-5)
    assert tce != pytest.approx(591.39, rel=0.01)


def test_emission_factor_per_mwh_applied_to_kwh():
    """1,200,000 kWh × 0.6 tCO2/MWh is 720 t: kWh is converted before the factor applies."""
    activity_mwh = convert(1_200_000, "kWh", "MWh")
    tonnes = activity_mwh * 0.6
    assert tonnes == pytest.approx(720.0)
    # The factor expressed per kWh gives the same result only after converting its unit.
    per_kwh = convert(0.6, "tCO2/MWh", "tCO2/kWh")
    assert 1_200_000 * per_kwh == pytest.approx(720.0)


def test_mean_power_times_interval_gives_energy():
    factor = rate_conversion_factor("kW", "kWh")
    assert factor is not None
    assert 4.216 * 60 * factor == pytest.approx(4.216 / 60)
    assert rate_conversion_factor("kWh", "kWh") is None


def candidate(pk: int, year: int | None, value: str, version: int = 1) -> FactorCandidate:
    return FactorCandidate(id=pk, data_year=year, version=version, value=Decimal(value), unit="tCO2/MWh")


def test_each_year_uses_its_own_grid_factor():
    factors = [candidate(1, 2022, "0.58"), candidate(2, 2023, "0.57")]

    assert float(select_for_year(factors, 2022).factor.value) * 1500 == pytest.approx(870.0)
    assert float(select_for_year(factors, 2023).factor.value) * 1600 == pytest.approx(912.0)
    assert select_for_year(factors, 2022).provisional is False


def test_year_without_factor_is_provisional_until_published():
    factors = [candidate(1, 2022, "0.58"), candidate(2, 2023, "0.57")]

    choice = select_for_year(factors, 2024)
    assert choice.provisional is True
    assert choice.factor.data_year == 2023
    assert float(choice.factor.value) * 1700 == pytest.approx(969.0)

    factors.append(candidate(3, 2024, "0.55"))
    later = select_for_year(factors, 2024)
    assert later.provisional is False
    assert float(later.factor.value) * 1700 == pytest.approx(935.0)
    assert float(select_for_year(factors, 2022).factor.value) * 1500 == pytest.approx(870.0)


def test_corrected_version_supersedes_and_later_years_never_apply_backwards():
    factors = [candidate(1, 2022, "0.58"), candidate(2, 2022, "0.581", version=2), candidate(3, 2023, "0.57")]

    assert select_for_year(factors, 2022).factor.id == 2
    with pytest.raises(FactorNotFound):
        select_for_year(factors, 2021)
