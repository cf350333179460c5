"""Issuing and regenerating reports: the only code that writes Report and ReportRevision rows.

A revision's numbers are computed once and stored. Downloads render the stored numbers,
so a report keeps the numbers and factor versions it was issued with. Regenerating
computes again and stores a new revision only when something differs.
"""

from __future__ import annotations

import calendar
import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet

from cleanprod.organization.access import Action, UserLike, sites_for
from cleanprod.organization.models import Enterprise, Site

from .models import Report, ReportKind, ReportRevision
from .snapshot import compute_snapshot, flatten

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Change:
    """One value that differs between two revisions. A side is None where the path is absent or the value undefined."""

    path: str
    old: Any
    new: Any


def period_bounds(kind: str, year: int, month: int | None = None) -> tuple[date, date]:
    """Return the first and last day of a calendar month or year.

    Raise ValueError when a monthly period has no month or the month is out of range.
    """
    if kind == ReportKind.ANNUAL:
        return date(year, 1, 1), date(year, 12, 31)
    if month is None or not 1 <= month <= 12:
        raise ValueError(f"A monthly report needs a month from 1 to 12, got {month!r}.")
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def reports_for(user: UserLike) -> QuerySet[Report]:
    """Return the reports whose every covered site is one of the user's sites."""
    allowed = sites_for(user, Action.VIEW)
    hidden_sites = Site.objects.exclude(pk__in=allowed.values("pk"))
    return (
        Report.objects.filter(sites__in=allowed)
        .exclude(sites__in=hidden_sites)
        .distinct()
        .select_related("enterprise", "site")
    )


def can_issue(user: UserLike, report: Report) -> bool:
    """Return whether the user may regenerate the report: import rights on every site it covers."""
    covered = set(report.sites.values_list("pk", flat=True))
    allowed = set(sites_for(user, Action.IMPORT).filter(pk__in=covered).values_list("pk", flat=True))
    return covered == allowed


def enterprise_sites_for(user: UserLike, enterprise: Enterprise) -> list[Site]:
    """Return the sites of the enterprise on which the user may issue reports, ordered by code."""
    return list(sites_for(user, Action.IMPORT).filter(enterprise=enterprise).order_by("code"))


@transaction.atomic
def do_issue_report(
    *,
    acting_user: User,
    kind: str,
    start: date,
    end: date,
    site: Site | None = None,
    enterprise: Enterprise | None = None,
) -> tuple[Report, bool]:
    """Issue a report of a site, or of the enterprise over the acting user's sites of it, with revision 1.

    Return ``(report, created)``. An existing report of the same scope and period is
    returned unchanged with ``created`` False. The caller checks that the user may issue
    for the site. Raise ValueError when neither or both of site and enterprise are given,
    or when the user may issue for no site of the enterprise.
    """
    if (site is None) == (enterprise is None):
        raise ValueError("Pass either a site or an enterprise, not both or neither.")
    if site is not None:
        sites = [site]
        scope_enterprise = site.enterprise
    else:
        assert enterprise is not None
        sites = enterprise_sites_for(acting_user, enterprise)
        scope_enterprise = enterprise
        if not sites:
            raise ValueError(f"The user may issue reports for no site of enterprise {enterprise.pk}.")

    existing = _find_report(site, scope_enterprise, sites, kind, start)
    if existing is not None:
        return existing, False

    report = Report.objects.create(
        enterprise=scope_enterprise, site=site, kind=kind, period_start=start, period_end=end
    )
    report.sites.set(sites)
    numbers, factor_versions = compute_snapshot(sites, start, end)
    ReportRevision.objects.create(
        report=report, number=1, created_by=acting_user, numbers=numbers, factor_versions=factor_versions
    )
    logger.info(
        "report %s issued: kind=%s period=%s..%s sites=%s user=%s",
        report.pk,
        kind,
        start,
        end,
        [item.pk for item in sites],
        acting_user.pk,
    )
    return report, True


def _find_report(site: Site | None, enterprise: Enterprise, sites: list[Site], kind: str, start: date) -> Report | None:
    if site is not None:
        return Report.objects.filter(site=site, kind=kind, period_start=start).first()
    wanted = {item.pk for item in sites}
    for report in Report.objects.filter(site=None, enterprise=enterprise, kind=kind, period_start=start):
        if set(report.sites.values_list("pk", flat=True)) == wanted:
            return report
    return None


@transaction.atomic
def do_regenerate_report(report: Report, *, acting_user: User) -> ReportRevision | None:
    """Compute the report again and store revision n+1 when anything differs from revision n.

    Return the new revision, or None when the numbers and factor versions are unchanged.
    The caller checks that the user may issue for every covered site.
    """
    # Lock the report row so that two concurrent regenerations cannot both take number n+1.
    report = Report.objects.select_for_update().get(pk=report.pk)
    latest = report.revisions.order_by("-number").first()
    assert latest is not None, "every report is issued with revision 1"
    sites = list(report.sites.order_by("code"))
    numbers, factor_versions = compute_snapshot(sites, report.period_start, report.period_end)
    # A JSON round trip makes the new values compare as the stored ones (tuples become lists).
    if _as_stored(numbers) == latest.numbers and _as_stored(factor_versions) == latest.factor_versions:
        logger.info("report %s regenerated without changes by user %s", report.pk, acting_user.pk)
        return None
    revision = ReportRevision.objects.create(
        report=report,
        number=latest.number + 1,
        created_by=acting_user,
        numbers=numbers,
        factor_versions=factor_versions,
    )
    logger.info("report %s revision %s stored by user %s", report.pk, revision.number, acting_user.pk)
    return revision


def _as_stored(value: Any) -> Any:
    return json.loads(json.dumps(value))


def diff_revisions(old: ReportRevision, new: ReportRevision) -> list[Change]:
    """List every value of the numbers and factor versions that differs between two revisions, by path."""
    before = flatten({"numbers": old.numbers, "factors": old.factor_versions})
    after = flatten({"numbers": new.numbers, "factors": new.factor_versions})
    changes = []
    for path in sorted(before.keys() | after.keys()):
        if before.get(path) != after.get(path):
            changes.append(Change(path, before.get(path), after.get(path)))
    return changes
