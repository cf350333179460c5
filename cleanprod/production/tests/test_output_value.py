"""Output value records: validation, proration over a period, and energy per 10,000 CNY."""

from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cleanprod.indicators.formulas import Undefined
from cleanprod.indicators.services import compute_indicator_set
from cleanprod.indicators.tests.test_services import add_meter, import_file, write_csv
from cleanprod.organization.models import Enterprise, OrganizationUnit, Site, UnitKind
from cleanprod.production.models import OutputValueBasis, OutputValueRecord
from cleanprod.production.services import net_output_value
from cleanprod.resources.models import Factor

pytestmark = pytest.mark.django_db

MARCH = (date(2024, 3, 1), date(2024, 3, 31))
GROSS = OutputValueBasis.GROSS_OUTPUT
VALUE_ADDED = OutputValueBasis.VALUE_ADDED


@pytest.fixture
def value_site() -> Site:
    enterprise = Enterprise.objects.create(name="Foundry group", uscc="91310000MA1FL5LX3K", industry_code="C3391")
    return Site.objects.create(enterprise=enterprise, code="foundry", name="Foundry")


@pytest.fixture
def casting(value_site: Site) -> OrganizationUnit:
    return OrganizationUnit.objects.create(site=value_site, code="casting", name="Casting", kind=UnitKind.WORKSHOP)


def add_value(
    site: Site,
    start: date,
    end: date,
    value: str,
    *,
    basis: str = GROSS,
    organization_unit: OrganizationUnit | None = None,
    **extra,
) -> OutputValueRecord:
    extra.setdefault("price_base_year", 2020)
    return OutputValueRecord.objects.create(
        site=site,
        organization_unit=organization_unit,
        period_start=start,
        period_end=end,
        value_10k_cny=Decimal(value),
        basis=basis,
        **extra,
    )


def unsaved(site: Site, **changes) -> OutputValueRecord:
    fields = {
        "site": site,
        "period_start": date(2024, 3, 1),
        "period_end": date(2024, 3, 31),
        "value_10k_cny": Decimal("100"),
        "basis": GROSS,
        "price_base_year": 2020,
    }
    fields.update(changes)
    return OutputValueRecord(**fields)


# -- Validation -----------------------------------------------------------------------------


def test_valid_record_passes_full_clean(value_site, casting):
    unsaved(value_site).full_clean()
    unsaved(value_site, organization_unit=casting).full_clean()


def test_record_rejects_reversed_period(value_site):
    record = unsaved(value_site, period_start=date(2024, 3, 31), period_end=date(2024, 3, 1))

    with pytest.raises(ValidationError) as raised:
        record.full_clean()

    assert [error.code for error in raised.value.error_dict["period_end"]] == ["invalid_period"]


def test_record_rejects_unit_of_other_site(value_site):
    other = Site.objects.create(enterprise=value_site.enterprise, code="other", name="Other plant")
    foreign = OrganizationUnit.objects.create(site=other, code="press", name="Press", kind=UnitKind.WORKSHOP)

    with pytest.raises(ValidationError) as raised:
        unsaved(value_site, organization_unit=foreign).full_clean()

    assert [error.code for error in raised.value.error_dict["organization_unit"]] == ["unit_other_site"]


def test_record_rejects_base_year_after_period(value_site):
    with pytest.raises(ValidationError) as raised:
        unsaved(value_site, price_base_year=2025).full_clean()

    errors = raised.value.error_dict["price_base_year"]
    assert [error.code for error in errors] == ["base_year_after_period"]
    assert "2024" in errors[0].messages[0]


def test_record_rejects_two_digit_base_year(value_site):
    with pytest.raises(ValidationError) as raised:
        unsaved(value_site, price_base_year=20).full_clean()

    assert "price_base_year" in raised.value.error_dict


def test_record_rejects_unknown_basis(value_site):
    with pytest.raises(ValidationError) as raised:
        unsaved(value_site, basis="turnover").full_clean()

    assert "basis" in raised.value.error_dict


@pytest.mark.parametrize("with_unit", [False, True])
def test_duplicate_record_is_rejected(value_site, casting, with_unit):
    unit = casting if with_unit else None
    add_value(value_site, *MARCH, "100", organization_unit=unit, reference="TJ-03")

    with pytest.raises(IntegrityError), transaction.atomic():
        add_value(value_site, *MARCH, "100", organization_unit=unit, reference="TJ-03")


def test_other_reference_or_basis_is_not_duplicate(value_site):
    add_value(value_site, *MARCH, "100", reference="TJ-03")
    add_value(value_site, *MARCH, "-5", reference="TJ-03-correction")
    add_value(value_site, *MARCH, "30", basis=VALUE_ADDED, reference="TJ-03")

    assert OutputValueRecord.objects.count() == 3


def test_record_keeps_history(value_site):
    record = add_value(value_site, *MARCH, "100")
    record.value_10k_cny = Decimal("101")
    record.save()

    assert record.history.count() == 2


# -- net_output_value -----------------------------------------------------------------------


def test_records_inside_period_count_in_full(value_site):
    add_value(value_site, date(2024, 3, 1), date(2024, 3, 15), "40", reference="a")
    add_value(value_site, date(2024, 3, 16), date(2024, 3, 31), "60.5", reference="b")

    result = net_output_value(site=value_site, start=MARCH[0], end=MARCH[1], basis=GROSS)

    assert result.value_10k_cny == Decimal("100.5000")
    assert result.record_count == 2


def test_partly_overlapping_record_is_prorated_by_days(value_site):
    # 2 of the record's 4 days fall in March.
    add_value(value_site, date(2024, 3, 30), date(2024, 4, 2), "20", reference="a")
    # 31 of 91 days (the first quarter of the leap year 2024) fall in March.
    add_value(value_site, date(2024, 1, 1), date(2024, 3, 31), "91", reference="b")

    result = net_output_value(site=value_site, start=MARCH[0], end=MARCH[1], basis=GROSS)

    assert result.value_10k_cny == Decimal("41.0000")
    assert result.record_count == 2


def test_prorated_value_is_rounded_to_four_places(value_site):
    add_value(value_site, date(2024, 2, 28), date(2024, 3, 1), "10")  # 1 of 3 days

    result = net_output_value(site=value_site, start=MARCH[0], end=MARCH[1], basis=GROSS)

    assert result.value_10k_cny == Decimal("3.3333")


def test_corrections_are_netted(value_site):
    add_value(value_site, *MARCH, "100", reference="TJ-03")
    add_value(value_site, *MARCH, "-12.5", reference="TJ-03-correction")

    result = net_output_value(site=value_site, start=MARCH[0], end=MARCH[1], basis=GROSS)

    assert result.value_10k_cny == Decimal("87.5000")


def test_only_requested_basis_counts(value_site):
    add_value(value_site, *MARCH, "100")
    add_value(value_site, *MARCH, "30", basis=VALUE_ADDED)

    result = net_output_value(site=value_site, start=MARCH[0], end=MARCH[1], basis=VALUE_ADDED)

    assert result.value_10k_cny == Decimal("30.0000")
    assert result.record_count == 1


def test_site_and_unit_records_are_kept_apart(value_site, casting):
    add_value(value_site, *MARCH, "100")
    add_value(value_site, *MARCH, "70", organization_unit=casting)

    site_value = net_output_value(site=value_site, start=MARCH[0], end=MARCH[1], basis=GROSS)
    unit_value = net_output_value(site=value_site, start=MARCH[0], end=MARCH[1], basis=GROSS, organization_unit=casting)

    assert site_value.value_10k_cny == Decimal("100.0000")
    assert unit_value.value_10k_cny == Decimal("70.0000")


def test_records_outside_period_are_ignored(value_site):
    add_value(value_site, date(2024, 4, 1), date(2024, 4, 30), "100")

    result = net_output_value(site=value_site, start=MARCH[0], end=MARCH[1], basis=GROSS)

    assert result.value_10k_cny == Decimal("0.0000")
    assert result.record_count == 0


def test_net_output_value_rejects_reversed_period(value_site):
    with pytest.raises(ValueError, match="ends before it starts"):
        net_output_value(site=value_site, start=MARCH[1], end=MARCH[0], basis=GROSS)


# -- Energy per 10,000 CNY of output value ------------------------------------------------------


@pytest.fixture
def energy_site(value_site: Site, casting: OrganizationUnit, tmp_path: Path) -> Site:
    """Add 100 MWh of electricity on 2024-06-01 to the site: 12.29 tce at the seeded 0.1229 kgce/kWh."""
    meter = add_meter(value_site, "E-DAILY", "electricity", "MWh")
    meter.interval_minutes = 1440
    meter.save()
    # The value labels the day that ends at the timestamp.
    import_file(value_site, write_csv(tmp_path / "daily.csv", [["timestamp", "E-DAILY"], ["2024-06-02 00:00", "100"]]))
    return value_site


JUNE_FIRST = date(2024, 6, 1)


def test_energy_per_10k_cny_of_gross_output(energy_site):
    add_value(energy_site, JUNE_FIRST, JUNE_FIRST, "100")
    add_value(energy_site, JUNE_FIRST, JUNE_FIRST, "25", basis=VALUE_ADDED)

    result = compute_indicator_set(energy_site, JUNE_FIRST, JUNE_FIRST)

    assert result.comprehensive_energy_tce == pytest.approx(12.29)
    assert result.energy_per_10k_cny == pytest.approx(0.1229)


def test_energy_per_10k_cny_without_output_value(energy_site):
    add_value(energy_site, JUNE_FIRST, JUNE_FIRST, "25", basis=VALUE_ADDED)

    result = compute_indicator_set(energy_site, JUNE_FIRST, JUNE_FIRST)

    assert result.energy_per_10k_cny == Undefined("no_output_value")


def test_energy_per_10k_cny_with_zero_output_value(energy_site):
    add_value(energy_site, JUNE_FIRST, JUNE_FIRST, "100", reference="a")
    add_value(energy_site, JUNE_FIRST, JUNE_FIRST, "-100", reference="a-correction")

    result = compute_indicator_set(energy_site, JUNE_FIRST, JUNE_FIRST)

    assert result.energy_per_10k_cny == Undefined("no_output_value")


def test_unit_scope_uses_unit_output_value(energy_site, casting):
    add_value(energy_site, JUNE_FIRST, JUNE_FIRST, "100")
    add_value(energy_site, JUNE_FIRST, JUNE_FIRST, "40", organization_unit=casting)

    result = compute_indicator_set(casting, JUNE_FIRST, JUNE_FIRST)

    # The site meter belongs to no unit, so the workshop has no energy of its own.
    assert result.comprehensive_energy_tce == 0
    assert result.energy_per_10k_cny == 0


def test_missing_energy_factor_leaves_intensity_undefined(energy_site):
    Factor.objects.filter(kind="standard_coal", resource__code="electricity").delete()
    add_value(energy_site, JUNE_FIRST, JUNE_FIRST, "100")

    result = compute_indicator_set(energy_site, JUNE_FIRST, JUNE_FIRST)

    assert result.energy_per_10k_cny == Undefined("missing_factor")
