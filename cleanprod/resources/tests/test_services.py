"""Factor look-up and application with units."""

import pytest

from cleanprod.resources.factors import FactorNotFound
from cleanprod.resources.models import Factor, Resource
from cleanprod.resources.services import apply_factor, select_factor, standard_coal_tce

pytestmark = pytest.mark.django_db


def test_electricity_to_tce_uses_gbt_2589_coefficient():
    electricity = Resource.objects.get(code="electricity")

    tce, factor = standard_coal_tce(electricity, 4812.0, 2024)

    assert tce == pytest.approx(0.5914, abs=5e-5)
    assert factor.unit == "kgce/kWh"
    assert factor.provisional is False


def test_grid_factor_of_missing_year_is_provisional():
    electricity = Resource.objects.get(code="electricity")

    factor = select_factor("grid_emission", electricity, 2025, series="mee_nbs_average")

    assert factor.data_year == 2023
    assert factor.provisional is True
    assert apply_factor(1_200_000, "kWh", factor, "tCO2") == pytest.approx(1_200_000 * 0.5306 / 1000)


def test_factor_per_mwh_applies_to_kwh_with_conversion():
    electricity = Resource.objects.get(code="electricity")
    Factor.objects.create(
        kind="grid_emission",
        resource=electricity,
        series="illustrative",
        region="national",
        data_year=2024,
        value="0.6",
        unit="tCO2/MWh",
        source="test",
        confidence="U",
    )

    factor = select_factor("grid_emission", electricity, 2024, series="illustrative")

    assert apply_factor(1_200_000, "kWh", factor, "tCO2") == pytest.approx(720.0)


def test_missing_factor_names_what_is_missing():
    steam = Resource.objects.get(code="steam")

    with pytest.raises(FactorNotFound) as caught:
        select_factor("standard_coal", steam, 2024)

    assert "steam" in str(caught.value)
