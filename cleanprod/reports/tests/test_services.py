"""Issuing and regenerating reports on a ledger loaded through the import pipeline."""

from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from cleanprod.organization.models import Site
from cleanprod.production.models import ProductionRecord
from cleanprod.reports.models import Report, ReportKind, ReportRevision
from cleanprod.reports.services import diff_revisions, do_issue_report, do_regenerate_report, period_bounds
from cleanprod.resources.models import Factor, Resource

from .conftest import (
    MARCH_2023_KWH,
    MARCH_2023_OUTPUT_T,
    MARCH_2023_TCE,
    MARCH_2023_TCO2,
    correct_grid_factor_2023,
)

MARCH = (date(2023, 3, 1), date(2023, 3, 31))


def issue_march(user: User, site: Site) -> tuple[Report, bool]:
    return do_issue_report(acting_user=user, kind=ReportKind.MONTHLY, start=MARCH[0], end=MARCH[1], site=site)


def test_period_bounds_of_month_and_year():
    assert period_bounds(ReportKind.MONTHLY, 2024, 2) == (date(2024, 2, 1), date(2024, 2, 29))
    assert period_bounds(ReportKind.ANNUAL, 2023) == (date(2023, 1, 1), date(2023, 12, 31))
    with pytest.raises(ValueError, match="month from 1 to 12"):
        period_bounds(ReportKind.MONTHLY, 2023, None)


def test_issue_stores_revision_one_numbers(ledger_a, alice):
    report, created = issue_march(alice, ledger_a)

    assert created is True
    revision = report.revisions.get()
    assert revision.number == 1
    assert revision.created_by == alice
    site = revision.numbers["sites"][0]
    assert site["site_code"] == "site-a"
    assert site["partial"] is False
    assert site["coverage"] == pytest.approx(1.0)
    assert site["electricity_kwh"] == {"value": pytest.approx(MARCH_2023_KWH), "reason": None}
    assert site["comprehensive_energy_tce"]["value"] == pytest.approx(MARCH_2023_TCE)
    assert site["scope2_tco2"]["value"] == pytest.approx(MARCH_2023_TCO2)
    [consumption] = site["consumption"]
    assert consumption["resource_code"] == "electricity"
    assert consumption["quantity"] == pytest.approx(MARCH_2023_KWH)
    [product] = site["products"]
    assert product["net_output"] == pytest.approx(MARCH_2023_OUTPUT_T)
    assert product["generated"] is True
    assert product["energy_kgce_per_unit"]["value"] == pytest.approx(MARCH_2023_TCE * 1000 / MARCH_2023_OUTPUT_T)
    assert product["electricity_kwh_per_unit"]["value"] == pytest.approx(MARCH_2023_KWH / MARCH_2023_OUTPUT_T)
    assert revision.numbers["total"] is None
    assert revision.numbers["priorities"][0]["unit_code"] == "ws1"


def test_issue_stores_factor_versions(ledger_a, alice):
    report, _created = issue_march(alice, ledger_a)

    factors = {(item["kind"], item["data_year"]): item for item in report.revisions.get().factor_versions}
    assert set(factors) == {("standard_coal", None), ("grid_emission", 2023)}
    assert factors[("grid_emission", 2023)]["value"] == "0.5306000000"
    assert factors[("grid_emission", 2023)]["version"] == 1
    assert factors[("grid_emission", 2023)]["provisional"] is False


def test_undefined_value_is_null_with_reason(ledger_a, alice):
    Factor.objects.filter(kind="grid_emission", series="mee_nbs_average").delete()
    ProductionRecord.objects.filter(site=ledger_a).delete()
    ProductionRecord.objects.create(
        site=ledger_a,
        organization_unit=ledger_a.units.get(code="ws1"),
        product=Resource.objects.get(code="product"),
        period_start=date(2023, 3, 1),
        period_end=date(2023, 3, 31),
        quantity=Decimal(0),
        unit="t",
    )

    report, _created = issue_march(alice, ledger_a)

    site = report.revisions.get().numbers["sites"][0]
    assert site["scope2_tco2"] == {"value": None, "reason": "missing_factor"}
    assert [notice["code"] for notice in site["notices"]] == ["missing_grid_factor"]
    [product] = site["products"]
    assert product["energy_kgce_per_unit"] == {"value": None, "reason": "no_production"}
    assert product["generated"] is False


def test_issue_twice_returns_existing_report(ledger_a, alice):
    first, _created = issue_march(alice, ledger_a)
    second, created = issue_march(alice, ledger_a)

    assert created is False
    assert second == first
    assert ReportRevision.objects.count() == 1


def test_regenerate_without_change_adds_nothing(ledger_a, alice):
    report, _created = issue_march(alice, ledger_a)

    assert do_regenerate_report(report, acting_user=alice) is None
    assert report.revisions.count() == 1


def test_factor_correction_gives_revision_two(ledger_a, alice, erin):
    report, _created = issue_march(alice, ledger_a)
    first = report.revisions.get()
    stored_numbers = first.numbers
    stored_factors = first.factor_versions

    correction = correct_grid_factor_2023("0.5400")
    second = do_regenerate_report(report, acting_user=erin)

    assert second is not None
    assert second.number == 2
    assert second.created_by == erin
    assert second.numbers["sites"][0]["scope2_tco2"]["value"] == pytest.approx(MARCH_2023_KWH / 1000 * 0.54)
    first.refresh_from_db()
    assert first.numbers == stored_numbers
    assert first.factor_versions == stored_factors

    changes = {change.path: change for change in diff_revisions(first, second)}
    co2 = changes["numbers.sites[site-a].scope2_tco2.value"]
    assert co2.old == pytest.approx(MARCH_2023_TCO2)
    assert co2.new == pytest.approx(MARCH_2023_KWH / 1000 * 0.54)
    factor_path = "factors[grid_emission/electricity/national/2023]"
    assert changes[f"{factor_path}.version"].new == 2
    assert changes[f"{factor_path}.factor_id"].new == correction.pk
    assert "numbers.sites[site-a].comprehensive_energy_tce.value" not in changes


def test_enterprise_report_sums_the_users_sites(ledger_a, site_b, erin, alice):
    report, created = do_issue_report(
        acting_user=erin, kind=ReportKind.MONTHLY, start=MARCH[0], end=MARCH[1], enterprise=ledger_a.enterprise
    )

    assert created is True
    assert report.site is None
    assert set(report.sites.values_list("code", flat=True)) == {"site-a", "site-b"}
    numbers = report.revisions.get().numbers
    assert [block["site_code"] for block in numbers["sites"]] == ["site-a", "site-b"]
    total = numbers["total"]
    assert total["electricity_kwh"]["value"] == pytest.approx(MARCH_2023_KWH)
    # Site B has no readings, so the enterprise total is partial.
    assert total["partial"] is True
    assert total["coverage"] == 0.0


def test_enterprise_report_of_one_site_user(ledger_a, alice):
    report, _created = do_issue_report(
        acting_user=alice, kind=ReportKind.MONTHLY, start=MARCH[0], end=MARCH[1], enterprise=ledger_a.enterprise
    )

    assert list(report.sites.values_list("code", flat=True)) == ["site-a"]
    assert Report.objects.count() == 1
