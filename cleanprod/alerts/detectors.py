"""Abnormal-consumption detectors: pure functions over plain series, without database access.

Every detector takes a series of periods (or readings) and returns a list of ``Detection``.
A detection names the period it concerns and a cause key that groups repeats of one cause.
Its evidence (expected, actual, score, window and the parameters used) is shown on the alert page.

Two rules hold for all of them:

- A period that is not complete (it ends after ``now``, or its data cover less than the
  completeness limit) never raises a below-expected ("drop") finding. The current day at
  10:00 has ten hours of data, so comparing it with full days would report a fall that is
  only missing time.
- A ratio whose denominator is zero is undefined, not zero or infinite. Consumption per
  unit of product is not computed for a period without production, and that period can
  raise its own "consumption without production" finding.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

# The national online energy monitoring of key energy-using units (发改环资〔2017〕1711号)
# expects at least 90 % of uploads to arrive; below that a day is incomplete.
COMPLETENESS_LIMIT = 0.9
# Scale of the median absolute deviation that makes it estimate the standard deviation of
# normally distributed data (1 / Φ⁻¹(3/4)).
MAD_SCALE = 1.4826

MeterKey = TypeVar("MeterKey", bound=Hashable)


@dataclass(frozen=True)
class Period:
    """Consumption of one hour or one day; ``coverage`` is the share of it that has data (0..1)."""

    start: datetime
    end: datetime
    quantity: float | None
    coverage: float = 1.0

    def is_complete(self, now: datetime, limit: float = COMPLETENESS_LIMIT) -> bool:
        return self.end <= now and self.quantity is not None and self.coverage >= limit


@dataclass(frozen=True)
class Detection:
    kind: str
    cause: str
    start: datetime
    end: datetime
    evidence: dict[str, Any] = field(default_factory=dict)


def _iso(stamp: datetime | date) -> str:
    return stamp.isoformat()


def _round(value: float | None, places: int = 4) -> float | None:
    return None if value is None or math.isnan(value) else round(value, places)


def _window(period: Period) -> dict[str, str]:
    return {"window_start": _iso(period.start), "window_end": _iso(period.end)}


def partial_projection(period: Period, now: datetime) -> dict[str, Any]:
    """Describe a partial period: its coverage and, labelled as an estimate, the full-period projection."""
    length = (period.end - period.start).total_seconds()
    elapsed = max(0.0, min(length, (now - period.start).total_seconds()))
    covered = period.coverage * length
    projection = None
    if period.quantity is not None and covered > 0:
        projection = period.quantity / covered * length
    return {
        "partial": True,
        "coverage": _round(period.coverage),
        "elapsed_share": _round(elapsed / length if length else 0.0),
        "projection_estimate": _round(projection),
    }


def sum_periods(series: Mapping[MeterKey, Sequence[Period]], required: Collection[MeterKey]) -> list[Period]:
    """Add up the periods of several meters that start at the same time, for a total of the meters.

    The coverage of a sum is that of its least-covered meter. A ``required`` meter without a
    period at that time covers none of it, so the sum stays partial until every meter has
    reported. Other meters (inactive ones) count only where they have a period.
    """
    by_start: dict[datetime, dict[MeterKey, Period]] = {}
    for key, periods in series.items():
        for period in periods:
            by_start.setdefault(period.start, {})[key] = period
    totals = []
    for start in sorted(by_start):
        parts = list(by_start[start].values())
        quantities = [period.quantity for period in parts if period.quantity is not None]
        coverage = min(period.coverage for period in parts)
        if any(key not in by_start[start] for key in required):
            coverage = 0.0
        quantity = sum(quantities) if quantities else None
        totals.append(Period(start, parts[0].end, quantity, coverage))
    return totals


# --- thresholds ---------------------------------------------------------------------------


def threshold_absolute(
    periods: Sequence[Period],
    now: datetime,
    *,
    above: float | None = None,
    below: float | None = None,
) -> list[Detection]:
    """Flag periods whose quantity is above ``above`` or, if complete, below ``below``.

    A partial period can already exceed an upper limit (the consumption so far only grows),
    so it is checked against ``above``; it is never checked against ``below``.
    """
    found: list[Detection] = []
    for period in periods:
        if period.quantity is None:
            continue
        if above is not None and period.quantity > above:
            evidence: dict[str, Any] = {
                "expected": above,
                "actual": _round(period.quantity),
                "score": _round(period.quantity / above),
            }
            evidence.update(_window(period))
            found.append(Detection("threshold", "above", period.start, period.end, evidence))
        if below is not None and period.is_complete(now) and period.quantity < below:
            evidence = {"expected": below, "actual": _round(period.quantity)}
            evidence["score"] = _round(period.quantity / below) if below else None
            evidence.update(_window(period))
            found.append(Detection("threshold", "below", period.start, period.end, evidence))
    return found


def threshold_per_unit(
    periods: Sequence[Period],
    production: Sequence[float | None],
    now: datetime,
    *,
    above: float | None = None,
    below: float | None = None,
    flag_without_production: bool = True,
) -> list[Detection]:
    """Compare consumption per unit of product (``production`` aligned with ``periods``) with limits.

    Only complete periods count: the production of a partial period is not known either.
    Zero or missing production leaves the ratio undefined. With consumption in that
    period, ``flag_without_production`` raises "consumption without production" instead.
    """
    found: list[Detection] = []
    for period, made in zip(periods, production, strict=True):
        if not period.is_complete(now) or period.quantity is None:
            continue
        if made is None or made <= 0:
            if flag_without_production and period.quantity > 0:
                evidence: dict[str, Any] = {
                    "expected": 0.0,
                    "actual": _round(period.quantity),
                    "production": made,
                    "score": None,
                }
                evidence.update(_window(period))
                found.append(Detection("threshold_per_unit", "without_production", period.start, period.end, evidence))
            continue
        ratio = period.quantity / made
        evidence = {"actual": _round(ratio, 6), "consumption": _round(period.quantity), "production": made}
        evidence.update(_window(period))
        if above is not None and ratio > above:
            found.append(
                Detection(
                    "threshold_per_unit",
                    "above",
                    period.start,
                    period.end,
                    {**evidence, "expected": above, "score": _round(ratio / above)},
                )
            )
        if below is not None and ratio < below:
            found.append(
                Detection(
                    "threshold_per_unit",
                    "below",
                    period.start,
                    period.end,
                    {**evidence, "expected": below, "score": _round(ratio / below) if below else None},
                )
            )
    return found


def rate_of_change(
    periods: Sequence[Period],
    now: datetime,
    *,
    max_increase_percent: float | None = None,
    max_decrease_percent: float | None = None,
) -> list[Detection]:
    """Compare each complete period with the previous complete period.

    Incomplete periods (the current one, or one with data gaps) are neither compared nor
    used as the reference, so a partial day can never show as a drop. A reference of
    zero leaves the change undefined and is skipped.
    """
    found: list[Detection] = []
    previous: Period | None = None
    for period in periods:
        if not period.is_complete(now):
            continue
        assert period.quantity is not None
        if previous is not None and previous.quantity:
            change = (period.quantity - previous.quantity) / previous.quantity * 100.0
            evidence: dict[str, Any] = {
                "expected": _round(previous.quantity),
                "actual": _round(period.quantity),
                "score": _round(change, 2),
                "change_percent": _round(change, 2),
                "reference_start": _iso(previous.start),
            }
            evidence.update(_window(period))
            if max_increase_percent is not None and change > max_increase_percent:
                found.append(Detection("rate_of_change", "increase", period.start, period.end, evidence))
            if max_decrease_percent is not None and change < -max_decrease_percent:
                found.append(Detection("rate_of_change", "decrease", period.start, period.end, evidence))
        previous = period
    return found


# --- off-hours consumption ------------------------------------------------------------------


def off_hours(
    periods: Sequence[Period],
    is_working: Callable[[datetime], tuple[bool, str]],
    *,
    baseload: float,
    margin_percent: float = 0.0,
    min_hours: int = 1,
) -> list[Detection]:
    """Flag hours outside working time whose consumption exceeds the baseload (plus a margin).

    ``is_working(start)`` decides for the hour starting at ``start`` and names the source of
    the decision (shift, weekend, official holiday, adjusted working day, site override,
    or the weekday fallback for years without an official calendar). Only runs of at least
    ``min_hours`` successive such hours are reported: a line left running keeps going, while
    one late hour at the end of a shift is the shift running over.
    """
    limit = baseload * (1.0 + margin_percent / 100.0)
    found: list[Detection] = []
    run: list[Detection] = []

    def close() -> None:
        if len(run) >= min_hours:
            found.extend(run)
        run.clear()

    for period in periods:
        if period.quantity is None:
            close()
            continue
        working, reason = is_working(period.start)
        if working or period.quantity <= limit:
            close()
            continue
        if run and run[-1].end != period.start:
            close()
        evidence: dict[str, Any] = {
            "expected": _round(limit),
            "actual": _round(period.quantity),
            "score": _round(period.quantity / limit) if limit > 0 else None,
            "baseload": _round(baseload),
            "calendar": reason,
        }
        if min_hours > 1:
            evidence["min_hours"] = min_hours
        evidence.update(_window(period))
        run.append(Detection("off_hours", "off_hours", period.start, period.end, evidence))
    close()
    return found


# The history of a learned baseload ends this long before the checked window, so the earlier
# hours of a run still in progress are not part of the level they are compared with.
BASELOAD_GAP = timedelta(days=1)


def off_hours_to_report(found: Sequence[Detection], window_start: datetime, min_hours: int) -> list[Detection]:
    """Select the findings a pass over a window reports, when the hours checked began ``min_hours`` before it.

    A run whose hours before the window already reached ``min_hours`` was reported by an
    earlier pass, so only its hours in the window are new. A shorter earlier part was not
    reported, so the whole run is, and the alert starts where the run started.
    """
    runs: list[list[Detection]] = []
    for item in found:
        if runs and runs[-1][-1].end == item.start:
            runs[-1].append(item)
        else:
            runs.append([item])
    selected: list[Detection] = []
    for run in runs:
        before = sum(1 for detection in run if detection.start < window_start)
        selected += [detection for detection in run if before < min_hours or detection.start >= window_start]
    return selected


# Rest hours are split into idle and production only where working hours draw at least this
# many times the idle level. Closer levels cannot be distinguished, so every rest hour counts.
PRODUCTION_RATIO = 2.0


# The spread of idle hours is taken as at least this share of their median, so a meter whose
# idle readings repeat one value does not flag the smallest rise.
IDLE_SPREAD_FLOOR = 0.05


def idle_baseload(
    rest: Sequence[float], working: Sequence[float], spread: float = 5.0, production_ratio: float = PRODUCTION_RATIO
) -> float | None:
    """Compute the baseload as the median idle rest hour plus ``spread`` robust standard deviations.

    Rest hours mix two states: idle (cooling, lighting, a furnace held warm) and production
    outside the calendar (a shift running over, a Sunday run). Production hours in the
    history would lift the limit to the production level and hide a line left running all
    night. A rest hour therefore counts as idle only up to the midpoint between the idle level
    and the median working hour. The idle level is the lower quartile of the rest hours, which
    stays idle while up to three quarters of them are production. The median and MAD of the
    idle hours change little
    while fewer than half of them are raised. A high quantile is not robust in this way: two
    earlier nights left running at a few times the idle level lift the 0.95 quantile to it.
    """
    clean_rest = [value for value in rest if value is not None and not math.isnan(value)]
    clean_working = [value for value in working if value is not None and not math.isnan(value)]
    if not clean_rest:
        return None
    idle_level = quantile(clean_rest, 0.25)
    if clean_working and idle_level is not None:
        working_level = statistics.median(clean_working)
        if working_level >= production_ratio * idle_level:
            split = (idle_level + working_level) / 2
            clean_rest = [value for value in clean_rest if value <= split]
    middle = statistics.median(clean_rest)
    scale = max(robust_scale(clean_rest) or 0.0, IDLE_SPREAD_FLOOR * abs(middle))
    return middle + spread * scale


def check_off_hours_window(
    periods: Sequence[Period],
    is_working: Callable[[datetime], tuple[bool, str]],
    window_start: datetime,
    *,
    baseload: float | None,
    spread: float,
    margin_percent: float,
    min_hours: int,
    weeks: int = 4,
) -> list[Detection] | None:
    """Find the off-hours runs to report for a window that starts at ``window_start``.

    ``periods`` are hourly, in order, from ``weeks`` weeks plus ``BASELOAD_GAP`` before the
    window to its end. Without a fixed ``baseload`` it is learned (``idle_baseload``) from the
    history that ends ``BASELOAD_GAP`` before the window, so the earlier hours of a run still
    in progress do not raise their own limit. The hours checked begin ``min_hours`` before the
    window, so a run that began earlier counts towards the minimum. Return None when there is
    no rest hour to learn the baseload from.
    """
    if baseload is None:
        history_end = window_start - BASELOAD_GAP
        history_start = history_end - timedelta(weeks=weeks)
        rest: list[float] = []
        working: list[float] = []
        for period in periods:
            if history_start <= period.start < history_end and period.quantity is not None:
                (working if is_working(period.start)[0] else rest).append(period.quantity)
        baseload = idle_baseload(rest, working, spread)
        if baseload is None:
            return None
    lookback = window_start - min_hours * timedelta(hours=1)
    found = off_hours(
        [period for period in periods if period.start >= lookback],
        is_working,
        baseload=baseload,
        margin_percent=margin_percent,
        min_hours=min_hours,
    )
    return off_hours_to_report(found, window_start, min_hours)


def quantile(values: Sequence[float], share: float) -> float | None:
    """Compute the ``share`` quantile (0..1), interpolating linearly between ranks, or None without values."""
    clean = sorted(value for value in values if value is not None and not math.isnan(value))
    if not clean:
        return None
    position = share * (len(clean) - 1)
    lower = math.floor(position)
    upper = min(lower + 1, len(clean) - 1)
    return clean[lower] + (clean[upper] - clean[lower]) * (position - lower)


# --- statistical baseline -------------------------------------------------------------------


def hour_of_week(stamp: datetime) -> int:
    """Key of the hour of the week (0 = Monday 00:00) of a local time."""
    return stamp.weekday() * 24 + stamp.hour


def day_of_week(stamp: datetime) -> int:
    return stamp.weekday()


class DayKindHour:
    """Key (kind of day, hour) of a local time; ``classify`` gives the kind of a date.

    With the working calendar as ``classify`` (``workcalendar.day_kind``), all working days
    of a few weeks share one slot per hour, five times the samples of the hour of the week.
    A holiday or an adjusted working Sunday is compared with days of its own kind.
    """

    def __init__(self, classify: Callable[[date], str]) -> None:
        self.classify = classify
        self._cache: dict[date, str] = {}

    def __call__(self, stamp: datetime) -> tuple[str, int]:
        day = stamp.date()
        kind = self._cache.get(day)
        if kind is None:
            kind = self._cache[day] = self.classify(day)
        return kind, stamp.hour


# A holiday has few samples in a few weeks of history; it is then compared with rest days.
FALLBACK_KIND = {"holiday": "rest"}


@dataclass(frozen=True)
class Baseline:
    median: float
    mad: float
    samples: int


def robust_baseline(
    history: Sequence[tuple[datetime, float]],
    key: Callable[[datetime], Hashable],
) -> dict[Hashable, Baseline]:
    """Median and median absolute deviation per seasonal key (hour of week, day of week, kind of day and hour)."""
    groups: dict[Hashable, list[float]] = {}
    for stamp, value in history:
        groups.setdefault(key(stamp), []).append(value)
    baselines = {}
    for slot, values in groups.items():
        middle = statistics.median(values)
        baselines[slot] = Baseline(middle, statistics.median(abs(value - middle) for value in values), len(values))
    return baselines


def robust_scale(values: Sequence[float]) -> float | None:
    """1.4826 × the median absolute deviation: a standard deviation that ignores outliers."""
    if not values:
        return None
    middle = statistics.median(values)
    return MAD_SCALE * statistics.median(abs(value - middle) for value in values)


def robust_score(actual: float, baseline: Baseline, mad_floor: float) -> float:
    """(actual − median) / (1.4826 · max(MAD, floor))."""
    return (actual - baseline.median) / (MAD_SCALE * max(baseline.mad, mad_floor))


def _slot_label(slot: Hashable) -> str:
    return " ".join(str(part) for part in slot) if isinstance(slot, tuple) else str(slot)


def _slot_baseline(
    baselines: dict[Hashable, Baseline], slot: Hashable, min_samples: int
) -> tuple[Hashable, Baseline] | None:
    baseline = baselines.get(slot)
    if baseline is not None and baseline.samples >= min_samples:
        return slot, baseline
    if isinstance(slot, tuple) and len(slot) == 2 and slot[0] in FALLBACK_KIND:
        other = (FALLBACK_KIND[slot[0]], slot[1])
        baseline = baselines.get(other)
        if baseline is not None and baseline.samples >= min_samples:
            return other, baseline
    return None


def statistical(
    periods: Sequence[Period],
    history: Sequence[Period],
    now: datetime,
    *,
    local: Callable[[datetime], datetime],
    key: Callable[[datetime], Hashable] = hour_of_week,
    threshold: float = 7.0,
    min_samples: int = 3,
    mad_floor_fraction: float = 0.05,
    mad_floor_absolute: float = 1e-6,
    mad_floor_of_mean: float = 0.0,
    peak_factor: float | None = None,
    peak_quantile: float = 0.99,
    production: Sequence[float | None] | None = None,
    history_production: Sequence[float | None] | None = None,
) -> list[Detection]:
    """Score each period against the robust baseline of its seasonal slot in ``history``.

    The MAD gets a floor of ``mad_floor_fraction`` of the slot's median, of
    ``mad_floor_of_mean`` of the mean of the whole history, and an absolute floor, so a slot
    that was exactly constant does not turn every small change into an alarm. The floor
    from the mean matters for the idle hours of a plant, such as a lunch break or the hour
    after the last shift. Their spread is a few kWh, so without it a shift that ends half an
    hour late would score like a fault, though the excess is small against the site's load.
    With ``production`` (aligned lists for periods and history), values are consumption per
    unit of product; periods without production are skipped.
    High scores raise "above". Low scores raise "below" only for complete periods.

    With ``peak_factor``, a period above ``peak_factor`` × the ``peak_quantile`` of all
    history values (the site's usual full load, any slot) also raises "above", whatever its
    slot's spread. This catches an extra full-load hour during production, where the
    hour-to-hour swings of a batch process are too wide for the robust score. A quantile,
    not the maximum, so that one earlier spike in the history does not raise the limit.
    """

    def values(series: Sequence[Period], made: Sequence[float | None] | None) -> list[tuple[Period, float]]:
        result = []
        for index, period in enumerate(series):
            if period.quantity is None:
                continue
            if made is None:
                result.append((period, period.quantity))
            elif (amount := made[index]) is not None and amount > 0:
                result.append((period, period.quantity / amount))
        return result

    usable_history = [
        (local(period.start), value)
        for period, value in values(history, history_production)
        if (period.coverage >= COMPLETENESS_LIMIT)
    ]
    baselines = robust_baseline(usable_history, key)
    level_floor = (
        mad_floor_of_mean * abs(statistics.fmean(value for _stamp, value in usable_history))
        if (mad_floor_of_mean and usable_history)
        else 0.0
    )
    peak = quantile([value for _stamp, value in usable_history], peak_quantile) if peak_factor else None
    peak_limit = peak * peak_factor if peak_factor is not None and peak is not None and peak > 0 else None
    found: list[Detection] = []
    for period, value in values(periods, production):
        chosen = _slot_baseline(baselines, key(local(period.start)), min_samples)
        if chosen is None:
            continue
        slot, baseline = chosen
        floor = max(mad_floor_absolute, mad_floor_fraction * abs(baseline.median), level_floor)
        score = robust_score(value, baseline, floor)
        complete = period.is_complete(now)
        above_peak = peak_limit is not None and value > peak_limit
        if score > threshold or above_peak:
            cause = "above"
        elif score < -threshold and complete:
            cause = "below"
        else:
            continue
        evidence: dict[str, Any] = {
            "expected": _round(baseline.median),
            "actual": _round(value),
            "score": _round(score, 2),
            "mad": _round(baseline.mad),
            "mad_floor": _round(floor),
            "samples": baseline.samples,
            "slot": slot if isinstance(slot, int) else _slot_label(slot),
            "per_unit": production is not None,
        }
        if peak_limit is not None:
            evidence["peak_limit"] = _round(peak_limit)
            evidence["above_peak"] = above_peak
        if not complete:
            evidence.update(partial_projection(period, now))
        evidence.update(_window(period))
        found.append(Detection("statistical", cause, period.start, period.end, evidence))
    return found


# --- stuck meter ----------------------------------------------------------------------------


def stuck(
    readings: Sequence[tuple[datetime, float]],
    related: Sequence[Sequence[tuple[datetime, float]]],
    *,
    intervals: int = 8,
    tolerance: float = 0.0,
) -> list[Detection]:
    """Flag runs of at least ``intervals`` unchanged successive values while a related meter moves.

    For a counter an unchanged register means zero consumption; for an interval meter a
    repeated identical value means a frozen output. A whole site standing still (every
    related meter flat too) is a stop, not a fault, so it is not flagged. Without related
    meters nothing is flagged either.
    """
    found: list[Detection] = []
    if len(readings) <= intervals:
        return found

    def moved(series: Sequence[tuple[datetime, float]], start: datetime, end: datetime) -> bool:
        inside = [value for stamp, value in series if start <= stamp <= end]
        return len(inside) >= 2 and max(inside) - min(inside) > tolerance

    run_start = 0
    for index in range(1, len(readings) + 1):
        ended = index == len(readings) or abs(readings[index][1] - readings[index - 1][1]) > tolerance
        if not ended:
            continue
        flat_changes = index - 1 - run_start
        if flat_changes >= intervals:
            start, end = readings[run_start][0], readings[index - 1][0]
            movers = [number for number, series in enumerate(related) if moved(series, start, end)]
            if movers:
                evidence = {
                    "expected": "changing",
                    "actual": readings[run_start][1],
                    "score": flat_changes,
                    "flat_intervals": flat_changes,
                    "related_moving": len(movers),
                    "related_total": len(related),
                    "window_start": _iso(start),
                    "window_end": _iso(end),
                }
                found.append(Detection("stuck", "stuck", start, end, evidence))
        run_start = index
    return found


# --- drift (CUSUM) --------------------------------------------------------------------------


def cusum_drift(
    points: Sequence[tuple[datetime, float, float]],
    *,
    slack: float = 0.5,
    threshold: float = 5.0,
    scale: float | None = None,
) -> list[Detection]:
    """Run a two-sided tabular CUSUM on residuals (actual − expected).

    ``points`` are (time, actual, expected). Residuals are divided by ``scale`` (a robust
    standard deviation of the residuals when not given); the upper sum
    S⁺ = max(0, S⁺ + r − k) and lower sum S⁻ = max(0, S⁻ − r − k) signal a step when they
    exceed h = ``threshold``, once per excursion. The evidence keeps the unscaled CUSUM Σ(actual − expected)
    since the drift began, which equals the cumulative excess (or saving) in the meter's unit.
    """
    if not points:
        return []
    residuals = [actual - expected for _, actual, expected in points]
    if scale is None:
        middle = statistics.median(residuals)
        scale = MAD_SCALE * statistics.median(abs(value - middle) for value in residuals)
    scale = max(scale, 1e-9)
    found: list[Detection] = []
    upper = lower = 0.0
    upper_start = lower_start = 0
    upper_signalled = lower_signalled = False
    for index, residual in enumerate(residuals):
        standard = residual / scale
        if upper == 0.0:
            upper_start, upper_signalled = index, False
        if lower == 0.0:
            lower_start, lower_signalled = index, False
        upper = max(0.0, upper + standard - slack)
        lower = max(0.0, lower - standard - slack)
        # One finding per excursion, when the sum first crosses h. The next one needs the sum
        # to return to zero first, which means performance came back to the baseline.
        for cause, total, begin, signalled in (
            ("up", upper, upper_start, upper_signalled),
            ("down", lower, lower_start, lower_signalled),
        ):
            if total > threshold and not signalled:
                excess = sum(residuals[begin : index + 1])
                evidence = {
                    "expected": _round(sum(point[2] for point in points[begin : index + 1])),
                    "actual": _round(sum(point[1] for point in points[begin : index + 1])),
                    "score": _round(total, 2),
                    "cusum": _round(excess),
                    "scale": _round(scale),
                    "slack": slack,
                    "threshold": threshold,
                    "window_start": _iso(points[begin][0]),
                    "window_end": _iso(points[index][0]),
                }
                found.append(Detection("drift", cause, points[begin][0], points[index][0], evidence))
                if cause == "up":
                    upper_signalled = True
                else:
                    lower_signalled = True
    return found


# --- freshness and completeness -------------------------------------------------------------


def offline(
    last_reading: datetime | None,
    now: datetime,
    *,
    interval_minutes: int,
    missed_intervals: int = 4,
) -> list[Detection]:
    """Flag a meter that has been silent for more than ``missed_intervals`` expected intervals."""
    if last_reading is None:
        return []
    allowed = timedelta(minutes=interval_minutes * missed_intervals)
    silence = now - last_reading
    if silence <= allowed:
        return []
    evidence = {
        "expected": f"≤ {missed_intervals} × {interval_minutes} min",
        "actual": _round(silence.total_seconds() / 60.0, 1),
        "score": _round(silence / timedelta(minutes=interval_minutes), 1),
        "last_reading": _iso(last_reading),
        "interval_minutes": interval_minutes,
        "window_start": _iso(last_reading),
        "window_end": _iso(now),
    }
    return [Detection("offline", "offline", last_reading, last_reading, evidence)]


@dataclass(frozen=True)
class DayCoverage:
    day: date
    covered_seconds: float
    day_seconds: float
    start: datetime
    end: datetime

    @property
    def share(self) -> float:
        return self.covered_seconds / self.day_seconds if self.day_seconds else 0.0


def completeness(days: Sequence[DayCoverage], now: datetime, *, limit: float = COMPLETENESS_LIMIT) -> list[Detection]:
    """Flag complete local days whose data cover less than ``limit`` of the day; today is not judged."""
    found = []
    for day in days:
        if day.end > now or day.share >= limit:
            continue
        evidence = {
            "expected": limit,
            "actual": _round(day.share),
            "score": _round(day.share / limit),
            "day": _iso(day.day),
            "window_start": _iso(day.start),
            "window_end": _iso(day.end),
        }
        found.append(Detection("completeness", "incomplete_day", day.start, day.end, evidence))
    return found
