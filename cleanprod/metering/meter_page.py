"""Data of the meter page: period, chart series, findings, replacements and import batches.

Everything here reads rollups, findings and index look-ups; nothing scans a meter's readings.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from .charts import daily_chart_data, hourly_chart_data
from .findings import describe_finding, evidence_items
from .models import (
    BatchKind,
    Finding,
    FindingStatus,
    HourlyRollup,
    ImportBatch,
    Meter,
    Reading,
    VirtualMeterTerm,
)
from .queries import daily_series, daily_span, hourly_series, with_missing_days

DEFAULT_PERIOD_DAYS = 31
HOURLY_WINDOW = timedelta(days=7)
MAX_FINDINGS_SHOWN = 100
RECENT_BATCHES = 10


@dataclass(frozen=True)
class Period:
    """Local days from ``start`` to ``end``, both included."""

    start: date
    end: date


@dataclass(frozen=True)
class FindingRow:
    finding: Finding
    description: str
    evidence: list[tuple[str, str]]


def resolve_period(meter: Meter, start: date | None, end: date | None) -> Period:
    """Fill in a missing end of the period.

    Without dates the period is the last 31 days with data (or up to today for a meter without
    data). With one date, the period runs 31 days from or up to it.
    """
    length = timedelta(days=DEFAULT_PERIOD_DAYS - 1)
    if start is not None and end is not None:
        return Period(start, end)
    if start is not None:
        return Period(start, start + length)
    if end is not None:
        return Period(end - length, end)
    span = daily_span(meter)
    if span is None:
        today = timezone.now().astimezone(meter.site.zone).date()
        return Period(today - length, today)
    first, last = span
    return Period(max(first, last - length), last)


def source_meter_ids(meter: Meter, terms: list[VirtualMeterTerm]) -> list[int]:
    """Return the meters whose rollups make up this meter: itself, or a virtual meter's terms."""
    if meter.is_virtual:
        return [term.source_id for term in terms]
    return [meter.pk]


def latest_hour_start(meter_ids: list[int]) -> datetime | None:
    """Return the start of the newest hourly rollup of the meters (one index look-up)."""
    return (
        HourlyRollup.objects.filter(meter_id__in=meter_ids)
        .order_by("-hour_start")
        .values_list("hour_start", flat=True)
        .first()
    )


def recent_batches(meter: Meter) -> QuerySet[ImportBatch]:
    """Return the newest import batches that stored readings of this meter.

    NOTE: each candidate batch of the site costs one EXISTS probe on the readings' batch
    index, so a site with many batches that never touched this meter probes each of them.
    """
    touches_meter = Reading.objects.filter(batch=OuterRef("pk"), meter=meter)
    return (
        ImportBatch.objects.filter(site_id=meter.site_id, kind=BatchKind.READINGS)
        .filter(Exists(touches_meter))
        .select_related("created_by")
        .order_by("-created_at")[:RECENT_BATCHES]
    )


def first_and_last_reading(meter: Meter) -> tuple[datetime | None, datetime | None]:
    """Return the timestamps of the first and last reading (two index look-ups)."""
    readings = Reading.objects.filter(meter=meter)
    first = readings.order_by("timestamp").values_list("timestamp", flat=True).first()
    if first is None:
        return None, None
    last = readings.order_by("-timestamp").values_list("timestamp", flat=True).first()
    return first, last


def daily_chart(meter: Meter, period: Period) -> dict[str, Any]:
    points = with_missing_days(daily_series(meter, period.start, period.end), period.start, period.end)
    data = daily_chart_data(points, meter.resource.canonical_unit)
    data["start"] = period.start.isoformat()
    data["end"] = period.end.isoformat()
    return data


def hourly_chart(meter: Meter, meter_ids: list[int]) -> dict[str, Any]:
    """Return the hourly chart of the last 7 days that have data, ending at the newest hour."""
    newest = latest_hour_start(meter_ids)
    if newest is None:
        return hourly_chart_data([], meter.resource.canonical_unit, meter.site.zone)
    end = newest + timedelta(hours=1)
    points = hourly_series(meter, end - HOURLY_WINDOW, end)
    return hourly_chart_data(points, meter.resource.canonical_unit, meter.site.zone)


def finding_rows(meter: Meter, period: Period) -> list[FindingRow]:
    """Return the findings of the period's local days, oldest first, at most 100."""
    zone = meter.site.zone
    start = datetime.combine(period.start, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(period.end + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    findings = meter.findings.filter(timestamp__gte=start, timestamp__lt=end).order_by("timestamp")
    return [
        FindingRow(finding, describe_finding(finding.code), evidence_items(finding.evidence, zone))
        for finding in findings[:MAX_FINDINGS_SHOWN]
    ]


def meter_page_context(meter: Meter, period: Period) -> dict[str, Any]:
    terms = list(meter.terms.select_related("source").order_by("-sign", "source__code")) if meter.is_virtual else []
    meter_ids = source_meter_ids(meter, terms)
    first_reading, last_reading = (None, None) if meter.is_virtual else first_and_last_reading(meter)
    findings = finding_rows(meter, period)
    return {
        "meter": meter,
        "site": meter.site,
        "terms": terms,
        "sub_meters": list(meter.children.order_by("code")),
        "first_reading": first_reading,
        "last_reading": last_reading,
        "period": period,
        "daily_chart": daily_chart(meter, period),
        "hourly_chart": hourly_chart(meter, meter_ids),
        "findings": findings,
        "findings_truncated": len(findings) == MAX_FINDINGS_SHOWN,
        "open_findings": meter.findings.filter(status=FindingStatus.OPEN).count(),
        "replacements": list(meter.replacements.order_by("replaced_at")),
        "batches": list(recent_batches(meter)),
    }
