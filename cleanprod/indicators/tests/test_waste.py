"""Solid waste indicators: NBS utilisation rate, waste per unit of product, hazardous waste totals."""

from datetime import date
from decimal import Decimal

import pytest

from cleanprod.indicators.formulas import Undefined
from cleanprod.indicators.waste import waste_indicators
from cleanprod.organization.models import Enterprise, OrganizationUnit, Site, UnitKind
from cleanprod.production.models import DisposalRoute, ProductionRecord, WasteRecord
from cleanprod.production.services import WasteQuantities
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

MARCH = (date(2024, 3, 1), date(2024, 3, 31))


@pytest.fixture
def waste_site() -> Site:
    enterprise = Enterprise.objects.create(name="Casting group", uscc="91310000MA1FL5LX3K", industry_code="C3391")
    return Site.objects.create(enterprise=enterprise, code="casting", name="Casting")


@pytest.fixture
def workshop(waste_site: Site) -> OrganizationUnit:
    return OrganizationUnit.objects.create(site=waste_site, code="melt", name="Melting", kind=UnitKind.WORKSHOP)


@pytest.fixture
def product() -> Resource:
    return Resource.objects.get(code="product")


def add_waste(site: Site, code: str, route: str = "", **quantities: str) -> WasteRecord:
    return WasteRecord.objects.create(
        site=site,
        resource=Resource.objects.get(code=code),
        period_start=MARCH[0],
        period_end=MARCH[1],
        disposal_route=route,
        **{name: Decimal(value) for name, value in quantities.items()},
    )


def add_production(unit: OrganizationUnit, product: Resource, quantity: str) -> None:
    ProductionRecord.objects.create(
        site=unit.site,
        organization_unit=unit,
        product=product,
        period_start=MARCH[0],
        period_end=MARCH[1],
        quantity=Decimal(quantity),
        unit=product.canonical_unit,
    )


@pytest.fixture
def march_waste(waste_site: Site) -> None:
    # General solid waste: 100 t generated = 70 utilised − 10 prior-year stock + 20 disposed + 20 stored.
    add_waste(
        waste_site,
        "general_solid_waste",
        DisposalRoute.UTILISED_EXTERNAL,
        generated_t="80",
        utilised_t="70",
        prior_stock_utilised_t="10",
        stored_t="20",
    )
    add_waste(waste_site, "general_solid_waste", DisposalRoute.LANDFILL, generated_t="20", disposed_t="20")
    # Hazardous waste: HW08 3 t by contractor + 1 t stored, HW17 4 t by contractor + 2 t incinerated.
    add_waste(waste_site, "hw08_waste_mineral_oil", DisposalRoute.LICENSED_CONTRACTOR, generated_t="3", disposed_t="3")
    add_waste(waste_site, "hw08_waste_mineral_oil", generated_t="1", stored_t="1")
    add_waste(
        waste_site, "hw17_surface_treatment_waste", DisposalRoute.LICENSED_CONTRACTOR, generated_t="4", disposed_t="4"
    )
    add_waste(waste_site, "hw17_surface_treatment_waste", DisposalRoute.INCINERATION, generated_t="2", disposed_t="2")


@pytest.mark.usefixtures("march_waste")
def test_utilisation_rate_counts_prior_stock(waste_site: Site) -> None:
    result = waste_indicators(waste_site, *MARCH)

    # 70 / (100 + 10) = 0.63636…
    assert result.utilisation_rate == pytest.approx(70 / 110)
    assert result.general.generated_t == Decimal("100")
    assert result.general.prior_stock_utilised_t == Decimal("10")


@pytest.mark.usefixtures("march_waste")
def test_generation_per_unit_product(waste_site: Site, workshop: OrganizationUnit, product: Resource) -> None:
    add_production(workshop, product, "40")

    result = waste_indicators(waste_site, *MARCH, product=product)

    # 100 t waste / 40 t product
    assert result.generated_per_unit_product == pytest.approx(2.5)
    assert result.product_unit == product.canonical_unit


@pytest.mark.usefixtures("march_waste")
def test_generation_without_production_undefined(waste_site: Site, product: Resource) -> None:
    result = waste_indicators(waste_site, *MARCH, product=product)

    assert result.generated_per_unit_product == Undefined("no_production")


@pytest.mark.usefixtures("march_waste")
def test_generation_without_product_is_none(waste_site: Site) -> None:
    assert waste_indicators(waste_site, *MARCH).generated_per_unit_product is None


@pytest.mark.usefixtures("march_waste")
def test_hazardous_by_hw_category(waste_site: Site) -> None:
    result = waste_indicators(waste_site, *MARCH)

    assert list(result.hazardous_by_hw_category) == ["HW08", "HW17"]
    assert result.hazardous_by_hw_category["HW08"] == WasteQuantities(
        generated_t=Decimal("4"), disposed_t=Decimal("3"), stored_t=Decimal("1")
    )
    assert result.hazardous_by_hw_category["HW17"] == WasteQuantities(generated_t=Decimal("6"), disposed_t=Decimal("6"))
    assert result.hazardous.generated_t == Decimal("10")


@pytest.mark.usefixtures("march_waste")
def test_hazardous_by_route(waste_site: Site) -> None:
    result = waste_indicators(waste_site, *MARCH)

    assert set(result.hazardous_by_route) == {"licensed_contractor", "incineration", ""}
    assert result.hazardous_by_route["licensed_contractor"].disposed_t == Decimal("7")
    assert result.hazardous_by_route["incineration"].disposed_t == Decimal("2")
    assert result.hazardous_by_route[""].stored_t == Decimal("1")


def test_no_waste_gives_undefined_rate(waste_site: Site) -> None:
    result = waste_indicators(waste_site, *MARCH)

    assert result.utilisation_rate == Undefined("no_data")
    assert result.general == WasteQuantities()
    assert result.hazardous_by_hw_category == {}
    assert result.hazardous_by_route == {}


def test_only_prior_stock_utilised_gives_full_rate(waste_site: Site) -> None:
    # Nothing generated, 5 t of prior-year stock utilised: 5 / (0 + 5) = 100 %.
    add_waste(waste_site, "general_solid_waste", utilised_t="5", prior_stock_utilised_t="5")

    assert waste_indicators(waste_site, *MARCH).utilisation_rate == pytest.approx(1.0)


def test_indicators_for_one_unit(waste_site: Site, workshop: OrganizationUnit, product: Resource) -> None:
    add_waste(waste_site, "general_solid_waste", generated_t="30", stored_t="30")
    on_unit = add_waste(waste_site, "general_solid_waste", generated_t="12", utilised_t="6", stored_t="6")
    on_unit.organization_unit = workshop
    on_unit.save()
    add_production(workshop, product, "24")

    result = waste_indicators(waste_site, *MARCH, product=product, organization_unit=workshop)

    assert result.general.generated_t == Decimal("12")
    assert result.utilisation_rate == pytest.approx(0.5)
    assert result.generated_per_unit_product == pytest.approx(0.5)
