"""Read-side queries for pages and exports: series come from rollups, never from raw readings."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Sum

from .models import DailyRollup, HourlyRollup, Meter, Reading


@dataclass(frozen=True, slots=True)
class SeriesPoint:
    key: date | datetime  # local day, or UTC hour start
    quantity: float  # canonical unit, measured + estimated, suspect excluded
    estimated: float
    suspect: float
    coverage: float  # 0..1 share of the bucket covered by data


def _terms(meter: Meter) -> list[tuple[Meter, int]]:
    if not meter.is_virtual:
        return [(meter, 1)]
    return [(term.source, term.sign) for term in meter.terms.select_related("source")]


def daily_series(meter: Meter, start: date, end: date) -> list[SeriesPoint]:
    """Return local-day totals for start..end inclusive; virtual meters combine their terms."""
    terms = _terms(meter)
    rows_by_day: dict[date, list[tuple[int, DailyRollup]]] = defaultdict(list)
    signs = {source.pk: sign for source, sign in terms}
    rollups = DailyRollup.objects.filter(meter_id__in=signs, day__gte=start, day__lte=end).order_by("day")
    for rollup in rollups:
        rows_by_day[rollup.day].append((signs[rollup.meter_id], rollup))
    return [_combine(day, parts, len(terms), day_bucket=True) for day, parts in sorted(rows_by_day.items())]


def with_missing_days(points: list[SeriesPoint], start: date, end: date) -> list[SeriesPoint]:
    """Return one point per day from start to end; days without data get coverage 0, not a gap in the axis.

    A period without any data stays empty, so the page can show that there is nothing to chart.
    """
    if not points:
        return []
    by_day = {point.key: point for point in points}
    filled = []
    day = start
    while day <= end:
        filled.append(by_day.get(day) or SeriesPoint(day, 0.0, 0.0, 0.0, 0.0))
        day += timedelta(days=1)
    return filled


def hourly_series(meter: Meter, start: datetime, end: datetime) -> list[SeriesPoint]:
    """Return hourly totals for hours starting in [start, end)."""
    terms = _terms(meter)
    signs = {source.pk: sign for source, sign in terms}
    rows_by_hour: dict[datetime, list[tuple[int, HourlyRollup]]] = defaultdict(list)
    rollups = HourlyRollup.objects.filter(meter_id__in=signs, hour_start__gte=start, hour_start__lt=end)
    for rollup in rollups.order_by("hour_start"):
        rows_by_hour[rollup.hour_start].append((signs[rollup.meter_id], rollup))
    return [_combine(hour, parts, len(terms), day_bucket=False) for hour, parts in sorted(rows_by_hour.items())]


def _combine(
    key: date | datetime,
    parts: list[tuple[int, DailyRollup]] | list[tuple[int, HourlyRollup]],
    term_count: int,
    *,
    day_bucket: bool,
) -> SeriesPoint:
    quantity = sum(sign * rollup.quantity for sign, rollup in parts)
    estimated = sum(rollup.estimated for _, rollup in parts)
    suspect = sum(rollup.suspect for _, rollup in parts)
    coverages = []
    for _, rollup in parts:
        total = rollup.day_seconds if isinstance(rollup, DailyRollup) else 3600.0
        coverages.append(rollup.covered_seconds / total if total else 0.0)
    # A virtual meter is only as complete as its least complete term; a term without any
    # row for the bucket has no coverage at all.
    coverage = min(coverages) if len(parts) == term_count else 0.0
    return SeriesPoint(key, quantity, estimated, suspect, min(coverage, 1.0))


def total_quantity(meter: Meter, start: date, end: date) -> float:
    if meter.is_virtual:
        return sum(point.quantity for point in daily_series(meter, start, end))
    result = DailyRollup.objects.filter(meter=meter, day__gte=start, day__lte=end).aggregate(total=Sum("quantity"))
    return float(result["total"] or 0.0)


def reading_span(meter: Meter) -> tuple[datetime, datetime] | None:
    """Return the first and last reading timestamps (two index look-ups, no scan)."""
    readings = Reading.objects.filter(meter=meter)
    first = readings.order_by("timestamp").values_list("timestamp", flat=True).first()
    last = readings.order_by("-timestamp").values_list("timestamp", flat=True).first()
    if first is None or last is None:
        return None
    return first, last


def daily_span(meter: Meter) -> tuple[date, date] | None:
    ids = [source.pk for source, _ in _terms(meter)]
    rollups = DailyRollup.objects.filter(meter_id__in=ids)
    first = rollups.order_by("day").values_list("day", flat=True).first()
    last = rollups.order_by("-day").values_list("day", flat=True).first()
    if first is None or last is None:
        return None
    return first, last
