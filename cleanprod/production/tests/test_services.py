"""Net production output over a period: prorating, reversals, unit conversion."""

from datetime import date
from decimal import Decimal

import pytest

from cleanprod.organization.models import Enterprise, OrganizationUnit, Site, UnitKind
from cleanprod.production.models import ProductionRecord
from cleanprod.production.services import net_output, prorated_quantity
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

MARCH = (date(2024, 3, 1), date(2024, 3, 31))


@pytest.fixture
def output_site() -> Site:
    enterprise = Enterprise.objects.create(name="Rolling mill", uscc="91310000MA1FL5LX3K", industry_code="C3130")
    return Site.objects.create(enterprise=enterprise, code="rolling", name="Rolling mill")


@pytest.fixture
def mill(output_site: Site) -> OrganizationUnit:
    return OrganizationUnit.objects.create(site=output_site, code="mill", name="Mill", kind=UnitKind.WORKSHOP)


@pytest.fixture
def finishing(output_site: Site) -> OrganizationUnit:
    return OrganizationUnit.objects.create(site=output_site, code="finishing", name="Finishing", kind=UnitKind.WORKSHOP)


@pytest.fixture
def tonnes() -> Resource:
    return Resource.objects.get(code="product")


def add(
    organization_unit: OrganizationUnit, product: Resource, start: date, end: date, quantity: str, **extra
) -> ProductionRecord:
    extra.setdefault("unit", product.canonical_unit)
    return ProductionRecord.objects.create(
        site=organization_unit.site,
        organization_unit=organization_unit,
        product=product,
        period_start=start,
        period_end=end,
        quantity=Decimal(quantity),
        **extra,
    )


# -- prorated_quantity, without the database ------------------------------------------------


@pytest.mark.parametrize(
    ("record_period", "requested", "expected"),
    [
        ((date(2024, 3, 1), date(2024, 3, 1)), MARCH, Decimal(40)),  # inside
        ((date(2024, 3, 30), date(2024, 4, 2)), MARCH, Decimal(20)),  # 2 of 4 days
        ((date(2024, 2, 28), date(2024, 3, 1)), MARCH, Decimal(40) / 3),  # 1 of 3 days, leap year
        ((date(2024, 2, 1), date(2024, 4, 30)), MARCH, Decimal(40) * 31 / 90),  # covers the period
        ((date(2024, 4, 1), date(2024, 4, 3)), MARCH, Decimal(0)),  # outside
    ],
)
def test_prorated_quantity_shares_by_days(record_period, requested, expected):
    assert prorated_quantity(Decimal(40), *record_period, *requested) == expected


def test_prorated_quantity_keeps_sign():
    assert prorated_quantity(Decimal(-10), date(2024, 3, 31), date(2024, 4, 1), *MARCH) == Decimal(-5)


def test_prorated_quantity_rejects_reversed_periods():
    with pytest.raises(ValueError, match="ends before it starts"):
        prorated_quantity(Decimal(1), date(2024, 3, 2), date(2024, 3, 1), *MARCH)
    with pytest.raises(ValueError, match="ends before it starts"):
        prorated_quantity(Decimal(1), *MARCH, date(2024, 3, 2), date(2024, 3, 1))


# -- net_output -----------------------------------------------------------------------------


def test_net_output_nets_reversals(output_site, mill, tonnes):
    add(mill, tonnes, date(2024, 3, 1), date(2024, 3, 1), "100", reference="SHIP-1")
    add(mill, tonnes, date(2024, 3, 1), date(2024, 3, 1), "-20", reference="REV-1")

    output = net_output(site=output_site, product=tonnes, start=date(2024, 3, 1), end=date(2024, 3, 1))

    assert output.quantity == Decimal(80)
    assert output.unit == "t"
    assert output.record_count == 2
    assert output.generated is False


def test_net_output_prorates_partial_overlap(output_site, mill, tonnes):
    add(mill, tonnes, date(2024, 3, 5), date(2024, 3, 5), "10")
    add(mill, tonnes, date(2024, 3, 30), date(2024, 4, 2), "40")  # 2 of its 4 days are in March
    add(mill, tonnes, date(2024, 2, 28), date(2024, 3, 1), "30")  # 1 of its 3 days is in March
    add(mill, tonnes, date(2024, 4, 3), date(2024, 4, 3), "999")  # outside

    output = net_output(site=output_site, product=tonnes, start=MARCH[0], end=MARCH[1])

    assert output.quantity == Decimal(40)
    assert output.record_count == 3


def test_net_output_rounds_to_four_places(output_site, mill, tonnes):
    add(mill, tonnes, date(2024, 3, 1), date(2024, 3, 3), "10")

    output = net_output(site=output_site, product=tonnes, start=date(2024, 3, 1), end=date(2024, 3, 1))

    assert output.quantity == Decimal("3.3333")


def test_net_output_converts_units(output_site, mill, tonnes):
    add(mill, tonnes, date(2024, 3, 1), date(2024, 3, 1), "1.5", unit="t")
    add(mill, tonnes, date(2024, 3, 2), date(2024, 3, 2), "250", unit="kg")
    add(mill, tonnes, date(2024, 3, 3), date(2024, 3, 3), "2", unit="吨")

    output = net_output(site=output_site, product=tonnes, start=MARCH[0], end=MARCH[1])

    assert output.quantity == Decimal("3.75")


def test_net_output_filters_unit_and_product(output_site, mill, finishing, tonnes):
    pieces = Resource.objects.get(code="product_pieces")
    add(mill, tonnes, date(2024, 3, 1), date(2024, 3, 1), "10")
    add(finishing, tonnes, date(2024, 3, 1), date(2024, 3, 1), "7")
    add(mill, pieces, date(2024, 3, 1), date(2024, 3, 1), "500")

    whole_site = net_output(site=output_site, product=tonnes, start=MARCH[0], end=MARCH[1])
    one_unit = net_output(site=output_site, product=tonnes, start=MARCH[0], end=MARCH[1], organization_unit=finishing)

    assert whole_site.quantity == Decimal(17)
    assert one_unit.quantity == Decimal(7)
    assert one_unit.record_count == 1


def test_net_output_ignores_other_sites(output_site, mill, tonnes):
    other = Site.objects.create(enterprise=output_site.enterprise, code="other", name="Other")
    other_unit = OrganizationUnit.objects.create(site=other, code="mill", name="Mill", kind=UnitKind.WORKSHOP)
    add(other_unit, tonnes, date(2024, 3, 1), date(2024, 3, 1), "10")

    output = net_output(site=output_site, product=tonnes, start=MARCH[0], end=MARCH[1])

    assert output.quantity == 0
    assert output.record_count == 0


def test_net_output_flags_generated_records(output_site, mill, tonnes):
    add(mill, tonnes, date(2024, 3, 1), date(2024, 3, 1), "10")
    add(mill, tonnes, date(2024, 3, 2), date(2024, 3, 2), "10", is_generated=True)

    assert net_output(site=output_site, product=tonnes, start=MARCH[0], end=MARCH[1]).generated is True
    assert net_output(site=output_site, product=tonnes, start=MARCH[0], end=MARCH[0]).generated is False


def test_net_output_rejects_reversed_period(output_site, tonnes):
    with pytest.raises(ValueError, match="ends before it starts"):
        net_output(site=output_site, product=tonnes, start=MARCH[1], end=MARCH[0])
