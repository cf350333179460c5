"""Waste records: validation of the NBS balance and waste totals prorated over a period."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from cleanprod.organization.models import Enterprise, OrganizationUnit, Site, UnitKind
from cleanprod.production.models import DisposalRoute, WasteRecord
from cleanprod.production.services import WasteQuantities, waste_totals
from cleanprod.resources.models import Category, Resource

pytestmark = pytest.mark.django_db

MARCH = (date(2024, 3, 1), date(2024, 3, 31))


@pytest.fixture
def waste_site() -> Site:
    enterprise = Enterprise.objects.create(name="Plating group", uscc="91310000MA1FL5LX3K", industry_code="C3360")
    return Site.objects.create(enterprise=enterprise, code="plating", name="Plating")


@pytest.fixture
def plating_line(waste_site: Site) -> OrganizationUnit:
    return OrganizationUnit.objects.create(site=waste_site, code="line1", name="Line 1", kind=UnitKind.WORKSHOP)


def add_waste(site: Site, code: str, start: date, end: date, **quantities: str) -> WasteRecord:
    route = quantities.pop("disposal_route", "")
    reference = quantities.pop("reference", "")
    return WasteRecord.objects.create(
        site=site,
        resource=Resource.objects.get(code=code),
        period_start=start,
        period_end=end,
        disposal_route=route,
        reference=reference,
        **{name: Decimal(value) for name, value in quantities.items()},
    )


def unsaved(site: Site, **changes) -> WasteRecord:
    fields = {
        "site": site,
        "resource": Resource.objects.get(code="general_solid_waste"),
        "period_start": MARCH[0],
        "period_end": MARCH[1],
        "generated_t": Decimal("100"),
        "utilised_t": Decimal("70"),
        "prior_stock_utilised_t": Decimal("10"),
        "disposed_t": Decimal("20"),
        "stored_t": Decimal("20"),
        "disposal_route": DisposalRoute.UTILISED_OWN,
    }
    fields.update(changes)
    return WasteRecord(**fields)


def error_codes(error: ValidationError) -> list[str | None]:
    if hasattr(error, "error_dict"):
        return [item.code for items in error.error_dict.values() for item in items]
    return [item.code for item in error.error_list]


def test_balanced_record_is_valid(waste_site: Site) -> None:
    # 100 = 70 − 10 + 20 + 20 + 0
    unsaved(waste_site).full_clean()


def test_balance_within_tolerance_is_valid(waste_site: Site) -> None:
    # Difference 0.1 t is exactly 0.1 % of 100 t.
    unsaved(waste_site, generated_t=Decimal("100.1")).full_clean()


def test_unbalanced_record_names_difference(waste_site: Site) -> None:
    record = unsaved(waste_site, generated_t=Decimal("105"))

    with pytest.raises(ValidationError) as caught:
        record.full_clean()

    assert error_codes(caught.value) == ["unbalanced"]
    assert "= 5 t" in caught.value.messages[0]


def test_balance_counts_dumped(waste_site: Site) -> None:
    unsaved(waste_site, generated_t=Decimal("103"), dumped_t=Decimal("3")).full_clean()


def test_zero_generated_needs_zero_handled(waste_site: Site) -> None:
    record = unsaved(
        waste_site,
        generated_t=Decimal(0),
        utilised_t=Decimal("5"),
        prior_stock_utilised_t=Decimal("5"),
        disposed_t=Decimal(0),
        stored_t=Decimal(0),
    )
    record.full_clean()

    record.disposed_t = Decimal("0.01")
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    assert error_codes(caught.value) == ["unbalanced"]


def test_prior_stock_above_utilised_rejected(waste_site: Site) -> None:
    record = unsaved(waste_site, prior_stock_utilised_t=Decimal("80"), generated_t=Decimal("30"))

    with pytest.raises(ValidationError) as caught:
        record.full_clean()

    assert error_codes(caught.value) == ["prior_stock_above_utilised"]


def test_negative_quantity_rejected(waste_site: Site) -> None:
    record = unsaved(waste_site, stored_t=Decimal("-1"), generated_t=Decimal("79"))

    with pytest.raises(ValidationError) as caught:
        record.full_clean()

    assert "stored_t" in caught.value.error_dict


def test_non_waste_resource_rejected(waste_site: Site) -> None:
    record = unsaved(waste_site, resource=Resource.objects.get(code="product"))

    with pytest.raises(ValidationError) as caught:
        record.full_clean()

    # The form-level "invalid" choice error from limit_choices_to comes too; clean() names the reason.
    assert "not_waste" in error_codes(caught.value)


def test_hazardous_waste_resource_accepted(waste_site: Site) -> None:
    unsaved(waste_site, resource=Resource.objects.get(code="hw08_waste_mineral_oil")).full_clean()


def test_period_end_before_start_rejected(waste_site: Site) -> None:
    record = unsaved(waste_site, period_end=date(2024, 2, 28))

    with pytest.raises(ValidationError) as caught:
        record.full_clean()

    assert error_codes(caught.value) == ["invalid_period"]


def test_unit_of_other_site_rejected(waste_site: Site) -> None:
    other = Site.objects.create(enterprise=waste_site.enterprise, code="other", name="Other")
    unit = OrganizationUnit.objects.create(site=other, code="w", name="W", kind=UnitKind.WORKSHOP)

    with pytest.raises(ValidationError) as caught:
        unsaved(waste_site, organization_unit=unit).full_clean()

    assert error_codes(caught.value) == ["unit_other_site"]


def test_totals_by_resource_and_route(waste_site: Site) -> None:
    add_waste(
        waste_site,
        "general_solid_waste",
        *MARCH,
        generated_t="80",
        utilised_t="70",
        prior_stock_utilised_t="10",
        stored_t="20",
        disposal_route=DisposalRoute.UTILISED_OWN,
    )
    add_waste(waste_site, "general_solid_waste", *MARCH, generated_t="20", disposed_t="20", disposal_route="landfill")
    add_waste(
        waste_site,
        "hw08_waste_mineral_oil",
        *MARCH,
        generated_t="3",
        disposed_t="3",
        disposal_route=DisposalRoute.LICENSED_CONTRACTOR,
    )

    totals = waste_totals(site=waste_site, start=MARCH[0], end=MARCH[1])

    assert totals.record_count == 3
    general = totals.by_resource["general_solid_waste"]
    assert general.category == Category.SOLID_WASTE
    assert general.hw_category == ""
    assert general.quantities == WasteQuantities(
        generated_t=Decimal("100"),
        utilised_t=Decimal("70"),
        prior_stock_utilised_t=Decimal("10"),
        disposed_t=Decimal("20"),
        stored_t=Decimal("20"),
    )
    assert totals.by_resource["hw08_waste_mineral_oil"].hw_category == "HW08"
    assert totals.by_route["landfill"].disposed_t == Decimal("20")
    assert totals.by_route["licensed_contractor"].disposed_t == Decimal("3")
    assert totals.by_route["utilised_own"].utilised_t == Decimal("70")
    assert totals.total.generated_t == Decimal("103")


def test_totals_prorate_partial_overlap(waste_site: Site) -> None:
    # 61 t over March and April (61 days), so 1 t a day, and March 16–31 is 16 of them.
    add_waste(waste_site, "general_solid_waste", date(2024, 3, 1), date(2024, 4, 30), generated_t="61", stored_t="61")

    totals = waste_totals(site=waste_site, start=date(2024, 3, 16), end=date(2024, 3, 31))

    assert totals.total.generated_t == Decimal("16.0000")
    assert totals.total.stored_t == Decimal("16.0000")
    assert totals.by_route[""].generated_t == Decimal("16.0000")


def test_totals_ignore_other_periods(waste_site: Site) -> None:
    add_waste(waste_site, "general_solid_waste", date(2024, 2, 1), date(2024, 2, 29), generated_t="5", stored_t="5")

    totals = waste_totals(site=waste_site, start=MARCH[0], end=MARCH[1])

    assert totals.record_count == 0
    assert totals.total == WasteQuantities()
    assert totals.by_resource == {}


def test_totals_filter_unit_and_category(waste_site: Site, plating_line: OrganizationUnit) -> None:
    on_line = add_waste(waste_site, "hw17_surface_treatment_waste", *MARCH, generated_t="4", stored_t="4")
    on_line.organization_unit = plating_line
    on_line.save()
    add_waste(waste_site, "general_solid_waste", *MARCH, generated_t="9", stored_t="9")

    site_totals = waste_totals(site=waste_site, start=MARCH[0], end=MARCH[1])
    line_totals = waste_totals(site=waste_site, start=MARCH[0], end=MARCH[1], organization_unit=plating_line)
    hazardous = waste_totals(site=waste_site, start=MARCH[0], end=MARCH[1], category=Category.HAZARDOUS_WASTE)

    assert site_totals.total.generated_t == Decimal("13")
    assert line_totals.total.generated_t == Decimal("4")
    assert list(hazardous.by_resource) == ["hw17_surface_treatment_waste"]


def test_totals_reject_reversed_period(waste_site: Site) -> None:
    with pytest.raises(ValueError, match="ends before it starts"):
        waste_totals(site=waste_site, start=MARCH[1], end=MARCH[0])
