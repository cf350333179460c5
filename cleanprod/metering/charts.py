"""Chart data for the meter page, built from rollup series without database access.

Every quantity is in the resource's canonical unit. A bucket whose coverage is below 100 %
is partial: readings are missing for part of it, so its bar is drawn in its own series.
"""

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from .queries import SeriesPoint

# Coverage is a ratio of float seconds, so a fully covered day can come out as 0.9999999.
PARTIAL_BELOW = 1.0 - 1e-6


def is_partial(point: SeriesPoint) -> bool:
    return point.coverage < PARTIAL_BELOW


def _rounded(value: float) -> float:
    return round(value, 6)


def series_chart_data(points: Sequence[SeriesPoint], labels: Sequence[str], unit: str) -> dict[str, Any]:
    """Return the bar series of one chart: measured, measured in partial buckets, estimated.

    ``labels`` are the category axis labels, one per point. A bucket's measured part is in
    ``measured`` or, when partial, in ``measured_partial``. The other list contains None there,
    so stacked bars show each bucket once.
    """
    measured: list[float | None] = []
    measured_partial: list[float | None] = []
    estimated: list[float] = []
    coverage_percent: list[float] = []
    partial: list[bool] = []
    suspect: list[float] = []
    for point in points:
        measured_part = _rounded(point.quantity - point.estimated)
        point_is_partial = is_partial(point)
        measured.append(None if point_is_partial else measured_part)
        measured_partial.append(measured_part if point_is_partial else None)
        estimated.append(_rounded(point.estimated))
        coverage_percent.append(round(100.0 * point.coverage, 1))
        partial.append(point_is_partial)
        suspect.append(_rounded(point.suspect))
    return {
        "unit": unit,
        "labels": list(labels),
        "measured": measured,
        "measured_partial": measured_partial,
        "estimated": estimated,
        "total": [_rounded(point.quantity) for point in points],
        "coverage_percent": coverage_percent,
        "partial": partial,
        "suspect": suspect,
    }


def daily_chart_data(points: Sequence[SeriesPoint], unit: str) -> dict[str, Any]:
    labels = [_day_label(point.key) for point in points]
    return series_chart_data(points, labels, unit)


def hourly_chart_data(points: Sequence[SeriesPoint], unit: str, zone: ZoneInfo) -> dict[str, Any]:
    """Return hourly chart data with hour labels in the site's local time."""
    labels = [_hour_label(point.key, zone) for point in points]
    return series_chart_data(points, labels, unit)


def _day_label(key: date | datetime) -> str:
    return key.isoformat() if not isinstance(key, datetime) else key.date().isoformat()


def _hour_label(key: date | datetime, zone: ZoneInfo) -> str:
    if not isinstance(key, datetime):
        return key.isoformat()
    return key.astimezone(zone).strftime("%m-%d %H:%M")
