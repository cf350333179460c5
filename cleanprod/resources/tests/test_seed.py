"""The seeded resources and factors that every site starts with."""

from decimal import Decimal

import pytest

from cleanprod.resources.models import Factor, Resource
from cleanprod.resources.units import conversion_factor, parse_unit

pytestmark = pytest.mark.django_db


def test_every_seeded_unit_parses():
    for resource in Resource.objects.all():
        parse_unit(resource.canonical_unit)
    for factor in Factor.objects.all():
        parse_unit(factor.unit)


def test_electricity_calorific_equivalent_is_gbt_2589_value():
    factor = Factor.objects.get(kind="standard_coal", resource__code="electricity")
    assert factor.value == Decimal("0.1229")
    assert factor.unit == "kgce/kWh"
    assert "GB/T 2589" in factor.source


def test_the_two_grid_factor_series_are_kept_apart():
    mee = Factor.objects.get(kind="grid_emission", series="mee_nbs_average", region="national", data_year=2022)
    market = Factor.objects.get(kind="grid_emission", series="national_grid_carbon_market", data_year=2022)
    assert mee.value == Decimal("0.5366")
    assert market.value == Decimal("0.5703")
    # Same dimension, different units as published: kgCO2/kWh and tCO2/MWh are the same scale.
    assert conversion_factor(mee.unit, market.unit) == pytest.approx(1.0)


def test_hazardous_waste_carries_its_hw_category():
    assert Resource.objects.get(code="hw08_waste_mineral_oil").hw_category == "HW08"
    assert not Resource.objects.filter(category="hazardous_waste", hw_category="").exists()
