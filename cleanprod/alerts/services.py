"""Running the detectors on stored data, grouping repeats into alerts, and the alert lifecycle.

The detectors (``detectors.py``) work on plain series. This module loads those series from
the hourly and daily rollups and the readings, picks the rule that applies to each meter
and kind, and turns detections into alerts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Max, Min, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cleanprod.indicators.services import counted_meters
from cleanprod.metering.models import DailyRollup, HourlyRollup, Meter, MeterFlow, Reading
from cleanprod.organization.access import Action, can
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.production.models import ProductionRecord
from cleanprod.production.services import net_output
from cleanprod.resources.models import Resource

from . import detectors
from .detectors import DayCoverage, Detection, Period
from .models import (
    UNIT_TOTAL_KINDS,
    Alert,
    AlertEvent,
    AlertKind,
    AlertRule,
    AlertStatus,
    EventAction,
    Severity,
    WorkingCalendar,
)
from .workcalendar import CalendarSpec, Override, day_kind, standard_spec

logger = logging.getLogger(__name__)

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)

CAUSE_TITLES: dict[tuple[str, str], Any] = {
    ("threshold", "above"): gettext_lazy("Consumption above the limit"),
    ("threshold", "below"): gettext_lazy("Consumption below the limit"),
    ("threshold_per_unit", "above"): gettext_lazy("Consumption per unit of product above the limit"),
    ("threshold_per_unit", "below"): gettext_lazy("Consumption per unit of product below the limit"),
    ("threshold_per_unit", "without_production"): gettext_lazy("Consumption without production"),
    ("rate_of_change", "increase"): gettext_lazy("Sharp rise against the previous period"),
    ("rate_of_change", "decrease"): gettext_lazy("Sharp fall against the previous period"),
    ("off_hours", "off_hours"): gettext_lazy("Consumption outside working time"),
    ("statistical", "above"): gettext_lazy("Consumption far above the usual pattern"),
    ("statistical", "below"): gettext_lazy("Consumption far below the usual pattern"),
    ("statistical", "above_per_unit"): gettext_lazy("Consumption per unit of product far above the usual pattern"),
    ("statistical", "below_per_unit"): gettext_lazy("Consumption per unit of product far below the usual pattern"),
    ("stuck", "stuck"): gettext_lazy("Meter value stuck while related meters move"),
    ("drift", "up"): gettext_lazy("Persistent rise against the baseline (CUSUM)"),
    ("drift", "down"): gettext_lazy("Persistent fall against the baseline (CUSUM)"),
    ("offline", "offline"): gettext_lazy("Meter offline"),
    ("completeness", "incomplete_day"): gettext_lazy("Day with less than 90 percent of the expected data"),
}


def alert_title(kind: str, cause: str) -> str:
    return str(CAUSE_TITLES.get((kind, cause), f"{kind}: {cause}"))


def grouping_window() -> timedelta:
    return timedelta(hours=getattr(settings, "CLEANPROD_ALERT_GROUPING_HOURS", 24))


# --- default rules ----------------------------------------------------------------------------

DEFAULT_RULES: tuple[tuple[str, Any, int], ...] = (
    (AlertKind.STATISTICAL, gettext_lazy("Deviation from the usual pattern (every meter)"), Severity.WARNING),
    (AlertKind.STUCK, gettext_lazy("Stuck meter (every meter)"), Severity.WARNING),
    (AlertKind.OFFLINE, gettext_lazy("Meter offline (every meter)"), Severity.CRITICAL),
)


def create_default_rules(site: Site) -> list[AlertRule]:
    """Give a new site site-wide statistical, stuck and offline rules, so alerts work unconfigured."""
    rules = []
    for kind, name, severity in DEFAULT_RULES:
        rule = AlertRule(site=site, kind=kind, name=str(name), severity=severity, parameters={})
        rule.parameters = rule.params()
        rule.save()
        rules.append(rule)
    return rules


# --- which rule applies ---------------------------------------------------------------------


class RuleBook:
    """The rules of one site, with the rule of each kind that applies to a given meter."""

    def __init__(self, site: Site) -> None:
        self.rules = list(
            AlertRule.objects.filter(site=site)
            .select_related("organization_unit", "resource")
            .prefetch_related("channels")
        )
        self.parents = dict(OrganizationUnit.objects.filter(site=site).values_list("pk", "parent_id"))

    def _unit_chain(self, unit_id: int | None) -> list[int]:
        chain: list[int] = []
        while unit_id is not None and unit_id not in chain:
            chain.append(unit_id)
            unit_id = self.parents.get(unit_id)
        return chain

    def for_meter(self, meter: Meter) -> dict[str, AlertRule]:
        chain = self._unit_chain(meter.organization_unit_id)
        best: dict[str, tuple[int, AlertRule]] = {}
        for rule in self.rules:
            if rule.is_unit_total:
                continue
            if rule.meter_id is not None:
                if rule.meter_id != meter.pk:
                    continue
                rank = 1000
            elif rule.organization_unit_id is not None:
                if rule.organization_unit_id not in chain:
                    continue
                rank = 500 - chain.index(rule.organization_unit_id)
            else:
                rank = 0
            if rule.kind not in best or rank > best[rule.kind][0]:
                best[rule.kind] = (rank, rule)
        return {kind: rule for kind, (_rank, rule) in best.items() if rule.enabled}

    def unit_totals(self) -> list[AlertRule]:
        """Return the enabled rules on an organisation unit's total, which no per-meter rule replaces."""
        return [rule for rule in self.rules if rule.is_unit_total and rule.enabled]


# --- series from the database --------------------------------------------------------------


def calendar_spec(site: Site) -> CalendarSpec:
    calendar = WorkingCalendar.objects.filter(site=site).first()
    if calendar is None:
        return standard_spec()
    shifts: dict[int, list[tuple[time, time]]] = {}
    for shift in calendar.shifts.all():
        shifts.setdefault(shift.weekday, []).append((shift.start, shift.end))
    overrides = {
        override.day: Override(
            override.working,
            ((override.start, override.end),) if override.start and override.end else (),
            override.note,
        )
        for override in calendar.overrides.all()
    }
    return CalendarSpec(
        shifts={day: tuple(times) for day, times in shifts.items()},
        official_holidays=calendar.official_holidays,
        overrides=overrides,
    )


def hourly_periods(meter_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, list[Period]]:
    series: dict[int, list[Period]] = {meter_id: [] for meter_id in meter_ids}
    rows = (
        HourlyRollup.objects.filter(meter_id__in=meter_ids, hour_start__gte=start, hour_start__lt=end)
        .order_by("meter_id", "hour_start")
        .values_list("meter_id", "hour_start", "quantity", "covered_seconds")
    )
    for meter_id, hour_start, quantity, covered in rows:
        series[meter_id].append(Period(hour_start, hour_start + HOUR, quantity, min(1.0, covered / 3600.0)))
    return series


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), tzinfo=zone).astimezone(ZoneInfo("UTC"))


def daily_periods(meter_ids: Sequence[int], first: date, last: date, zone: ZoneInfo) -> dict[int, list[Period]]:
    series: dict[int, list[Period]] = {meter_id: [] for meter_id in meter_ids}
    rows = (
        DailyRollup.objects.filter(meter_id__in=meter_ids, day__gte=first, day__lte=last)
        .order_by("meter_id", "day")
        .values_list("meter_id", "day", "quantity", "covered_seconds", "day_seconds")
    )
    for meter_id, day, quantity, covered, length in rows:
        start, end = local_midnight(day, zone), local_midnight(day + DAY, zone)
        series[meter_id].append(Period(start, end, quantity, min(1.0, covered / length) if length else 0.0))
    return series


def day_coverages(meter_id: int, first: date, last: date, zone: ZoneInfo) -> list[DayCoverage]:
    """Coverage of each local day from ``first`` to ``last``; a day without a rollup has none."""
    stored = {
        row[0]: row[1:]
        for row in DailyRollup.objects.filter(meter_id=meter_id, day__gte=first, day__lte=last).values_list(
            "day", "covered_seconds", "day_seconds"
        )
    }
    days = []
    day = first
    while day <= last:
        start, end = local_midnight(day, zone), local_midnight(day + DAY, zone)
        covered, length = stored.get(day, (0.0, (end - start).total_seconds()))
        days.append(DayCoverage(day, covered, length, start, end))
        day += DAY
    return days


def related_meters(meter: Meter, site_meters: Sequence[Meter], limit: int = 20) -> list[Meter]:
    """Meters expected to move together with ``meter``: same parent, else same unit, else the site."""
    others = [other for other in site_meters if other.pk != meter.pk and not other.is_virtual]
    for same in (
        [other for other in others if meter.parent_id and other.parent_id == meter.parent_id],
        [
            other
            for other in others
            if meter.organization_unit_id and other.organization_unit_id == meter.organization_unit_id
        ],
        others,
    ):
        if same:
            return same[:limit]
    return []


def reading_values(meter_ids: Sequence[int], start: datetime, end: datetime) -> dict[int, list[tuple[datetime, float]]]:
    series: dict[int, list[tuple[datetime, float]]] = {meter_id: [] for meter_id in meter_ids}
    rows = (
        Reading.objects.filter(meter_id__in=meter_ids, timestamp__gte=start, timestamp__lte=end)
        .order_by("meter_id", "timestamp")
        .values_list("meter_id", "timestamp", "value")
    )
    for meter_id, stamp, value in rows:
        series[meter_id].append((stamp, value))
    return series


def daily_production(
    site: Site, product: Resource, days: Sequence[date], unit: OrganizationUnit | None = None
) -> list[float | None]:
    """Net output of each day; None for a day without records. With ``unit``, only that unit's records count."""
    result: list[float | None] = []
    for day in days:
        output = net_output(site=site, product=product, start=day, end=day, organization_unit=unit)
        result.append(float(output.quantity) if output.record_count else None)
    return result


def site_product(site: Site, code: str = "", unit: OrganizationUnit | None = None) -> Resource | None:
    """Return the product ``code``, else the first product with production records of the unit (if any) or the site."""
    if code:
        return Resource.objects.filter(code=code).first()
    records = ProductionRecord.objects.filter(site=site)
    if unit is not None and records.filter(organization_unit=unit).exists():
        records = records.filter(organization_unit=unit)
    product_id = records.values_list("product_id", flat=True).order_by("product_id").first()
    return Resource.objects.filter(pk=product_id).first() if product_id else None


def unit_total_meters(rule: AlertRule) -> list[Meter]:
    """Return the consumption meters of the rule's resource that the indicators count in the unit's total.

    The selection is ``counted_meters`` of the indicators: the unit and the units below it,
    no virtual meters, and no sub-meter whose parent meter is counted. Export and on-site
    generation meters measure no consumption, so they are left out, as from the
    consumption of an indicator set.
    """
    unit = rule.organization_unit
    if unit is None or rule.resource_id is None:
        return []
    return [
        meter
        for meter in counted_meters(unit.site, unit)
        if meter.flow == MeterFlow.CONSUMPTION and meter.resource_id == rule.resource_id
    ]


# --- the detection pass ---------------------------------------------------------------------


@dataclass
class Window:
    start: datetime  # first hour start (UTC), inclusive
    end: datetime  # end of the last hour (UTC), exclusive


def floor_hour(stamp: datetime) -> datetime:
    return stamp.replace(minute=0, second=0, microsecond=0)


def backfill_limit() -> timedelta:
    return timedelta(days=getattr(settings, "CLEANPROD_ALERT_BACKFILL_DAYS", 14))


def window_for_span(first: datetime, last: datetime) -> Window:
    """Hours touched by new readings, plus the hour before, which the first new reading may complete.

    A long backfill (an import of months or years) is checked only over its last
    ``CLEANPROD_ALERT_BACKFILL_DAYS`` days: the older part serves as the baseline, and
    alerts about long-past periods would bury the current ones.
    """
    start = max(floor_hour(first) - HOUR, floor_hour(last) + HOUR - backfill_limit())
    return Window(start, floor_hour(last) + HOUR)


class SiteDetector:
    """One detection pass over some meters of a site, reusing what is loaded once per site."""

    def __init__(self, site: Site, now: datetime | None = None) -> None:
        self.site = site
        self.now = now or timezone.now()
        self.zone = site.zone
        self.rulebook = RuleBook(site)
        self.spec = calendar_spec(site)
        self.meters = list(
            Meter.objects.filter(site=site, active=True, is_virtual=False).order_by("code").select_related("site")
        )
        self._product = site_product(site)
        self._production: dict[date, float | None] = {}
        # Slot of the statistical baseline: the kind of day in the site's calendar, and the hour.
        self.day_kind_hour = detectors.DayKindHour(partial(day_kind, self.spec))

    def local(self, stamp: datetime) -> datetime:
        return stamp.astimezone(self.zone)

    def is_working(self, stamp: datetime) -> tuple[bool, str]:
        from .workcalendar import is_working

        return is_working(self.spec, self.local(stamp).replace(tzinfo=None))

    def run(self, windows: dict[int, Window]) -> list[Alert]:
        """Run every applicable rule on each meter's window; return the alerts newly raised."""
        raised: list[Alert] = []
        for meter in self.meters:
            window = windows.get(meter.pk)
            if window is None:
                continue
            rules = self.rulebook.for_meter(meter)
            for kind, rule in rules.items():
                if kind == AlertKind.OFFLINE:
                    continue
                try:
                    found = self.detect(kind, rule, meter, window)
                except Exception:  # one faulty rule must not stop the others
                    logger.exception("alert rule %s failed on meter %s", rule.pk, meter.pk)
                    continue
                for detection in found:
                    alert = record(rule, meter, detection)
                    if alert is not None:
                        raised.append(alert)
        return raised

    def run_unit_totals(self, windows: dict[int, Window]) -> list[Alert]:
        """Run the rules on a unit's total whose counted meters have a window; return the alerts newly raised.

        The window of a total spans the windows of all its touched meters.
        """
        raised: list[Alert] = []
        for rule in self.rulebook.unit_totals():
            meters = unit_total_meters(rule)
            touched = [windows[meter.pk] for meter in meters if meter.pk in windows]
            if not touched:
                continue
            window = Window(min(item.start for item in touched), max(item.end for item in touched))
            try:
                found = self.detect_unit_total(rule, meters, window)
            except Exception:  # one faulty rule must not stop the others
                logger.exception("alert rule %s failed on the total of unit %s", rule.pk, rule.organization_unit_id)
                continue
            for detection in found:
                alert = record(rule, None, detection)
                if alert is not None:
                    raised.append(alert)
        return raised

    def detect_unit_total(self, rule: AlertRule, meters: Sequence[Meter], window: Window) -> list[Detection]:
        """Run the rule's detector on the summed series of ``meters``, with the unit's own production."""
        unit = rule.organization_unit
        params = rule.params()

        def periods_of(part: Window, period: str) -> list[Period]:
            return self.total_periods(meters, part, period)

        def production(periods: Sequence[Period]) -> list[float | None]:
            return self.production_of(site_product(self.site, params["product"], unit), periods, unit)

        found = self.threshold_kind(rule.kind, params, window, periods_of, production)
        codes = ", ".join(meter.code for meter in meters)
        return [
            Detection(item.kind, item.cause, item.start, item.end, {**item.evidence, "meters": codes}) for item in found
        ]

    def total_periods(self, meters: Sequence[Meter], window: Window, period: str) -> list[Period]:
        """Hourly or daily periods of the sum of ``meters``; an active meter without data leaves a period partial."""
        ids = [meter.pk for meter in meters]
        if period == "hour":
            series = hourly_periods(ids, window.start, window.end)
        else:
            first = self.local(window.start).date()
            last = self.local(window.end - timedelta(seconds=1)).date()
            series = daily_periods(ids, first, last, self.zone)
        return detectors.sum_periods(series, [meter.pk for meter in meters if meter.active])

    def off_hours(self, meter: Meter, window: Window, params: dict[str, Any]) -> list[Detection]:
        """Find runs of consumption outside working time in the window (``detectors.check_off_hours_window``)."""
        # NOTE: a run longer than a day enters its own history. Below the production level it
        # can then lift the limit, but its alert was already opened on the first day.
        history_start = window.start - detectors.BASELOAD_GAP - timedelta(weeks=4)
        series = hourly_periods([meter.pk], history_start, window.end)[meter.pk]
        found = detectors.check_off_hours_window(
            series,
            self.is_working,
            window.start,
            baseload=params["baseload"],
            spread=params["baseload_spread"],
            margin_percent=params["margin_percent"],
            min_hours=params["min_hours"],
        )
        if found is None:
            logger.info(
                "off-hours check of meter %s skipped: no rest hours with data in the 4 weeks to %s "
                "to learn the baseload",
                meter.code,
                window.start - detectors.BASELOAD_GAP,
            )
            return []
        return found

    def detect(self, kind: str, rule: AlertRule, meter: Meter, window: Window) -> list[Detection]:
        params = rule.params()
        now = self.now
        if kind == AlertKind.STATISTICAL:
            history_start = window.start - timedelta(weeks=params["weeks"])
            series = hourly_periods([meter.pk], history_start, window.end)[meter.pk]
            history = [period for period in series if period.start < window.start]
            current = [period for period in series if period.start >= window.start]
            found = detectors.statistical(
                current,
                history,
                now,
                local=self.local,
                key=self.day_kind_hour,
                threshold=params["threshold"],
                mad_floor_fraction=params["mad_floor_fraction"],
                mad_floor_of_mean=params["mad_floor_of_mean"],
                peak_factor=params["peak_factor"] or None,
            )
            return found + self.per_unit_statistical(meter, window, params)
        if kind == AlertKind.STUCK:
            margin = timedelta(minutes=meter.interval_minutes * (params["intervals"] + 1))
            related = related_meters(meter, self.meters)
            values = reading_values([meter.pk, *[other.pk for other in related]], window.start - margin, window.end)
            return detectors.stuck(
                values[meter.pk],
                [values[other.pk] for other in related],
                intervals=params["intervals"],
                tolerance=params["tolerance"],
            )
        if kind in UNIT_TOTAL_KINDS:

            def production(periods: Sequence[Period]) -> list[float | None]:
                return self.production_of(site_product(self.site, params["product"]), periods)

            return self.threshold_kind(kind, params, window, partial(self.periods, meter), production)
        if kind == AlertKind.OFF_HOURS:
            return self.off_hours(meter, window, params)
        if kind == AlertKind.DRIFT:
            drift_start = window.end - timedelta(days=params["days"])
            baseline_points_start = drift_start - timedelta(weeks=params["weeks"])
            series = hourly_periods([meter.pk], baseline_points_start, window.end)[meter.pk]
            baseline_points = [
                (self.local(p.start), p.quantity)
                for p in series
                if p.start < drift_start and p.quantity is not None and p.coverage >= detectors.COMPLETENESS_LIMIT
            ]
            baselines = detectors.robust_baseline(baseline_points, detectors.hour_of_week)
            points = []
            for period in series:
                if period.start < drift_start or not period.is_complete(now) or period.quantity is None:
                    continue
                baseline = baselines.get(detectors.hour_of_week(self.local(period.start)))
                if baseline is not None:
                    points.append((period.start, period.quantity, baseline.median))
            residual_scale = None
            if baseline_points:
                scale_points = [
                    value - baselines[detectors.hour_of_week(stamp)].median for stamp, value in baseline_points
                ]
                residual_scale = detectors.robust_scale(scale_points)
            return detectors.cusum_drift(
                points, slack=params["slack"], threshold=params["threshold"], scale=residual_scale
            )
        if kind == AlertKind.COMPLETENESS:
            first = self.local(window.start).date()
            last = self.local(window.end - timedelta(seconds=1)).date()
            days = day_coverages(meter.pk, first, last, self.zone)
            return detectors.completeness(days, now, limit=params["limit_percent"] / 100.0)
        return []

    def threshold_kind(
        self,
        kind: str,
        params: dict[str, Any],
        window: Window,
        periods_of: Callable[[Window, str], list[Period]],
        production_of: Callable[[Sequence[Period]], list[float | None]],
    ) -> list[Detection]:
        """Run the threshold, per-unit or rate-of-change detector on the series that ``periods_of`` loads.

        ``periods_of`` returns the periods ("hour" or "day") of one meter or of a unit total,
        and ``production_of`` the production aligned with daily periods.
        """
        now = self.now
        if kind == AlertKind.THRESHOLD:
            periods = periods_of(window, params["period"])
            return detectors.threshold_absolute(periods, now, above=params["above"], below=params["below"])
        if kind == AlertKind.RATE_OF_CHANGE:
            length = HOUR if params["period"] == "hour" else DAY
            wider = Window(window.start - 2 * length, window.end)
            periods = periods_of(wider, params["period"])
            return detectors.rate_of_change(
                periods,
                now,
                max_increase_percent=params["max_increase_percent"],
                max_decrease_percent=params["max_decrease_percent"],
            )
        periods = periods_of(window, "day")
        return detectors.threshold_per_unit(
            periods,
            production_of(periods),
            now,
            above=params["above"],
            below=params["below"],
            flag_without_production=params["flag_without_production"],
        )

    def production_of(
        self, product: Resource | None, periods: Sequence[Period], unit: OrganizationUnit | None = None
    ) -> list[float | None]:
        """Production of ``product`` on each period's local day: the site's, or exactly ``unit``'s records."""
        if product is None:
            return [None] * len(periods)
        days = [self.local(period.start).date() for period in periods]
        return daily_production(self.site, product, days, unit)

    def production_by_day(self, days: Sequence[date]) -> list[float | None]:
        """Daily production of the site's product, cached for the pass; None without records."""
        product = self._product
        if product is None:
            return [None] * len(days)
        missing = [day for day in days if day not in self._production]
        for day, amount in zip(missing, daily_production(self.site, product, missing), strict=True):
            self._production[day] = amount
        return [self._production[day] for day in days]

    def per_unit_statistical(self, meter: Meter, window: Window, params: dict[str, Any]) -> list[Detection]:
        """Daily consumption per unit of product against the same weekday of the previous weeks.

        Runs only when the site records production. Days without production are left out,
        because their ratio is undefined.
        """
        if self._product is None:
            return []
        last = self.local(window.end - timedelta(seconds=1)).date()
        first = self.local(window.start).date()
        history_first = first - timedelta(weeks=params["weeks"])
        series = daily_periods([meter.pk], history_first, last, self.zone)[meter.pk]
        if not series:
            return []
        made = self.production_by_day([self.local(period.start).date() for period in series])
        split = [index for index, period in enumerate(series) if self.local(period.start).date() >= first]
        if not split:
            return []
        cut = split[0]
        found = detectors.statistical(
            series[cut:],
            series[:cut],
            self.now,
            local=self.local,
            key=detectors.day_of_week,
            threshold=params["threshold"],
            mad_floor_fraction=params["mad_floor_fraction"],
            production=made[cut:],
            history_production=made[:cut],
        )
        return [Detection(item.kind, f"{item.cause}_per_unit", item.start, item.end, item.evidence) for item in found]

    def periods(self, meter: Meter, window: Window, period: str) -> list[Period]:
        if period == "hour":
            return hourly_periods([meter.pk], window.start, window.end)[meter.pk]
        first = self.local(window.start).date()
        last = self.local(window.end - timedelta(seconds=1)).date()
        return daily_periods([meter.pk], first, last, self.zone)[meter.pk]

    def check_offline(self) -> list[Alert]:
        """Raise "meter offline" for silent meters and resolve it for meters that report again."""
        raised: list[Alert] = []
        last_readings = dict(
            Reading.objects.filter(meter__in=[meter.pk for meter in self.meters])
            .values("meter_id")
            .annotate(last=Max("timestamp"))
            .values_list("meter_id", "last")
        )
        for meter in self.meters:
            rule = self.rulebook.for_meter(meter).get(AlertKind.OFFLINE)
            if rule is None:
                continue
            found = detectors.offline(
                last_readings.get(meter.pk),
                self.now,
                interval_minutes=meter.interval_minutes,
                missed_intervals=rule.params()["missed_intervals"],
            )
            for detection in found:
                alert = record(rule, meter, detection)
                if alert is not None:
                    raised.append(alert)
            if not found:
                for alert in Alert.objects.filter(
                    meter=meter, kind=AlertKind.OFFLINE, status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED]
                ):
                    change_status(alert, None, EventAction.RESOLVE, _("Readings arrive again."))
        return raised

    def check_completeness(self, days: int = 1) -> list[Alert]:
        """Judge the completeness of the last complete local days for every meter with a rule."""
        today = self.local(self.now).date()
        raised: list[Alert] = []
        first_readings = dict(
            Reading.objects.filter(meter__in=[meter.pk for meter in self.meters])
            .values("meter_id")
            .annotate(first=Min("timestamp"))
            .values_list("meter_id", "first")
        )
        for meter in self.meters:
            rule = self.rulebook.for_meter(meter).get(AlertKind.COMPLETENESS)
            if rule is None or meter.pk not in first_readings:
                continue
            # Days before the meter's first reading were before it was connected, not gaps.
            since = max(today - timedelta(days=days), self.local(first_readings[meter.pk]).date())
            coverages = day_coverages(meter.pk, since, today - DAY, self.zone)
            for detection in detectors.completeness(coverages, self.now, limit=rule.params()["limit_percent"] / 100):
                alert = record(rule, meter, detection)
                if alert is not None:
                    raised.append(alert)
        return raised


def detect_spans(site_id: int, spans: dict[int, tuple[datetime, datetime]], now: datetime | None = None) -> list[Alert]:
    """Run detection for the meters and periods that new readings touched, and for the unit totals they count in."""
    site = Site.objects.filter(pk=site_id).first()
    if site is None:
        return []
    windows = {meter_id: window_for_span(first, last) for meter_id, (first, last) in spans.items()}
    detector = SiteDetector(site, now)
    return detector.run(windows) + detector.run_unit_totals(windows)


def watch_pass(now: datetime | None = None, sites: Iterable[Site] | None = None) -> list[Alert]:
    """Run the periodic checks: meters offline, and yesterday's completeness."""
    raised: list[Alert] = []
    for site in sites if sites is not None else Site.objects.order_by("pk"):
        detector = SiteDetector(site, now)
        raised += detector.check_offline()
        raised += detector.check_completeness()
    return raised


# --- grouping and lifecycle -----------------------------------------------------------------


def record(rule: AlertRule, meter: Meter | None, detection: Detection) -> Alert | None:
    """Store a detection: a new alert, or one more occurrence of an open alert of the same cause.

    Returns the alert when it is new. An occurrence is identified by the start of its
    period, so running the detectors again over the same data counts nothing twice, and a
    resolved alert is not raised again for the periods it already covered.
    """
    same_cause = Alert.objects.filter(rule=rule, meter=meter, kind=detection.kind, cause=detection.cause)
    with transaction.atomic():
        active = (
            same_cause.select_for_update()
            .filter(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
            .order_by("-last_seen")
            .first()
        )
        if active is not None:
            if detection.start == active.last_seen:
                active.evidence = detection.evidence
                active.save(update_fields=["evidence", "updated_at"])
                return None
            if active.first_seen <= detection.start < active.last_seen:
                return None
            if detection.start > active.last_seen and detection.start - active.last_seen <= grouping_window():
                active.last_seen = detection.start
                active.occurrences += 1
                active.evidence = detection.evidence
                active.save(update_fields=["last_seen", "occurrences", "evidence", "updated_at"])
                return None
        if same_cause.filter(first_seen__lte=detection.start, last_seen__gte=detection.start).exists():
            return None
        alert = Alert.objects.create(
            site_id=rule.site_id,
            meter=meter,
            organization_unit_id=meter.organization_unit_id if meter is not None else rule.organization_unit_id,
            rule=rule,
            kind=detection.kind,
            cause=detection.cause,
            severity=rule.severity,
            first_seen=detection.start,
            last_seen=detection.start,
            evidence=detection.evidence,
        )
        from .notify import queue_notifications

        queue_notifications(alert)
    return alert


ALLOWED: dict[str, dict[str, str]] = {
    EventAction.ACKNOWLEDGE: {AlertStatus.OPEN: AlertStatus.ACKNOWLEDGED},
    EventAction.RESOLVE: {AlertStatus.OPEN: AlertStatus.RESOLVED, AlertStatus.ACKNOWLEDGED: AlertStatus.RESOLVED},
    EventAction.REOPEN: {AlertStatus.RESOLVED: AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED: AlertStatus.OPEN},
}


def allowed_actions(status: str) -> list[str]:
    """Return the lifecycle actions ``change_status`` accepts for an alert in ``status``."""
    return [action for action, targets in ALLOWED.items() if status in targets]


class TransitionError(ValueError):
    pass


def change_status(alert: Alert, user: User | None, action: str, text: str = "") -> AlertEvent:
    """Apply a lifecycle action (acknowledge, resolve, reopen) or a comment, with its event."""
    if action == EventAction.COMMENT:
        if not text.strip():
            raise TransitionError(_("Write a comment before sending it."))
    else:
        target = ALLOWED.get(action, {}).get(alert.status)
        if target is None:
            raise TransitionError(
                _("An alert that is %(status)s cannot be %(action)s.")
                % {"status": alert.get_status_display(), "action": EventAction(action).label}
            )
        alert.status = target
        alert.save(update_fields=["status", "updated_at"])
    return AlertEvent.objects.create(alert=alert, user=user, action=action, text=text.strip())


def respond(alert: Alert, user: User, action: str, text: str = "") -> AlertEvent:
    """``change_status`` for a person, who needs the RESPOND permission on the alert's site."""
    if not can(user, Action.RESPOND, alert.site):
        raise PermissionDenied(_("Your role on this site does not allow responding to alerts."))
    return change_status(alert, user, action, text)


def open_alerts_filter() -> Q:
    return Q(status__in=[AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED])
