"""Data of the chart on an alert's page: the consumption around the alert and the expected value."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from cleanprod.metering.models import Meter

from . import detectors
from .evidence import EXPECTED_LABELS, in_consumption
from .models import Alert, AlertKind, RuleTarget
from .services import calendar_spec, daily_periods, hourly_periods, unit_total_meters
from .workcalendar import is_working

DAILY_FROM = timedelta(hours=23)  # a day with a clock change has 23 or 25 hours


def chart_meters(alert: Alert) -> list[Meter]:
    """Return the alert's meter, or the meters of the unit's total for an alert on a unit's total."""
    if alert.meter is not None:
        return [alert.meter]
    if alert.rule is not None and alert.rule.target == RuleTarget.UNIT_TOTAL:
        return unit_total_meters(alert.rule)
    return []


def alert_unit(alert: Alert) -> str:
    """Return the unit of the alert's consumption: its meter's, or the resource's of a rule on a unit's total."""
    if alert.meter is not None:
        return alert.meter.resource.canonical_unit
    if alert.rule is not None and alert.rule.resource is not None:
        return alert.rule.resource.canonical_unit
    return ""


def alert_period(alert: Alert) -> timedelta | None:
    """Return the length of the period the alert was found on, from its evidence, or None without a window."""
    start, end = alert.evidence.get("window_start"), alert.evidence.get("window_end")
    if not isinstance(start, str) or not isinstance(end, str):
        return None
    return datetime.fromisoformat(end) - datetime.fromisoformat(start)


def alert_chart(alert: Alert) -> dict[str, Any]:
    """Build the consumption per hour (two days before to a day after) or per day (a week before to a day after).

    An alert found on a day is drawn per day and any other per hour. For an alert on a
    unit's total the bars are the sum of the meters the rule counts.
    """
    meters = chart_meters(alert)
    if not meters:
        return {}
    ids = [meter.pk for meter in meters]
    zone = alert.site.zone
    period = alert_period(alert)
    daily = period is not None and period >= DAILY_FROM
    if daily:
        first = timezone.localtime(alert.first_seen, zone).date() - timedelta(days=7)
        last = timezone.localtime(alert.last_seen, zone).date() + timedelta(days=1)
        series = daily_periods(ids, first, last, zone)
        label = "%m-%d"
        name = _("Daily consumption")
    else:
        series = hourly_periods(ids, alert.first_seen - timedelta(days=2), alert.last_seen + timedelta(days=1))
        label = "%m-%d %H:%M"
        name = _("Hourly consumption")
    periods = detectors.sum_periods(series, [])
    expected = alert.evidence.get("expected")
    # Only an expected consumption of the period can be drawn over the bars.
    if not in_consumption(alert.kind, alert.cause) or not isinstance(expected, int | float):
        expected = None
    expected_values = [expected] * len(periods) if expected is not None else []
    if expected is not None and alert.kind == AlertKind.OFF_HOURS and not daily:
        # The off-hours limit applies outside working time only.
        spec = calendar_spec(alert.site)
        expected_values = [
            None if is_working(spec, timezone.localtime(item.start, zone).replace(tzinfo=None))[0] else expected
            for item in periods
        ]
    return {
        "labels": [timezone.localtime(item.start, zone).strftime(label) for item in periods],
        "values": [None if item.quantity is None else round(item.quantity, 4) for item in periods],
        "expected": expected,
        "expected_values": expected_values,
        "mark": timezone.localtime(alert.first_seen, zone).strftime(label),
        "unit": alert_unit(alert),
        "series_name": name,
        "expected_name": capfirst(str(EXPECTED_LABELS.get(alert.kind, _("expected")))),
    }
