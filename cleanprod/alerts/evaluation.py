"""Evaluate the detectors on real series with injected faults: precision, recall, clean alert rate.

No database: series are plain lists of readings. Faults are injected at seeded random
positions, each in its own window with clean weeks around it. A detector's findings are
merged into events (findings of one cause that touch or overlap). An event is a true
positive when it overlaps an injected window, widened by one reading interval so that a
finding on the reading that ends the window still counts.

Fault kinds and what they change:
- spike: one hour of readings gets its own consumption plus the series' 95th-percentile
  hourly consumption spread over it, i.e. one extra full-load hour on top of the actual one;
- step drift: every reading of seven days is raised by ``DRIFT_SHARE`` of the median reading;
- stuck: ``STUCK_READINGS`` successive readings repeat the value before them (a frozen register
  of an interval meter) while the related meter keeps moving;
- off-hours running: a non-working night (21:00–06:00) gets the median reading of working
  hours, as if a line had been left running. Only nights on which the plant was idle are
  used (every hour at most ``rest_level_limit``). A busy night is replaced by the next idle
  night of its block, so the label marks a change that exists in the faulty series;
- missing data: ``GAP_HOURS`` hours of readings are removed.
"""

from __future__ import annotations

import random
import statistics
from collections.abc import Callable, Collection, Hashable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from . import detectors
from .detectors import DayCoverage, Detection, Period
from .workcalendar import CalendarSpec, day_kind, day_status, is_working, standard_spec

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
WEEK = timedelta(weeks=1)

# Fault sizes and detector parameters, fixed before the final run (see docs/alert_evaluation.md).
DRIFT_SHARE = 0.2
DRIFT_DAYS = 7
STUCK_READINGS = 12
GAP_HOURS = 8
BASELINE_WEEKS = 4
OFF_HOURS_NIGHT = 9 * HOUR  # 21:00–06:00
PARAMETERS: dict[str, dict[str, float]] = {
    "statistical": {
        "threshold": 10.0,
        "mad_floor_fraction": 0.05,
        "mad_floor_of_mean": 0.1,
        "weeks": 8,
        "day_kinds": 1,
        "peak_factor": 1.1,
        "peak_quantile": 0.99,
    },
    "drift": {"slack": 1.0, "threshold": 15.0, "days": 7},
    "stuck": {"intervals": 8},
    "off_hours": {"margin_percent": 0.0, "weeks": 4, "spread": 5.0, "min_hours": 6},
    "offline": {"missed_intervals": 4},
    "completeness": {"limit": 0.9},
}

Readings = list[tuple[datetime, float]]


@dataclass
class Series:
    """A metered series (readings labelled at interval end) and one related meter's readings."""

    name: str
    interval: timedelta
    readings: Readings
    related: Readings
    calendar: CalendarSpec = field(default_factory=lambda: standard_spec(official_holidays=False))


@dataclass(frozen=True)
class Window:
    kind: str
    start: datetime
    end: datetime


def hourly(readings: Readings, interval: timedelta) -> list[Period]:
    """Sum readings into hours (reading at t covers (t − interval, t]); coverage from the count."""
    per_hour = max(1, round(HOUR / interval))
    sums: dict[datetime, list[float]] = {}
    for stamp, value in readings:
        hour = (stamp - interval).replace(minute=0, second=0, microsecond=0)
        sums.setdefault(hour, []).append(value)
    return [
        Period(hour, hour + HOUR, sum(values), min(1.0, len(values) / per_hour))
        for hour, values in sorted(sums.items())
    ]


def day_coverages(readings: Readings, interval: timedelta) -> list[DayCoverage]:
    counts: dict[Any, int] = {}
    for stamp, _value in readings:
        day = (stamp - interval).date()
        counts[day] = counts.get(day, 0) + 1
    result = []
    for day, count in sorted(counts.items()):
        start = datetime.combine(day, datetime.min.time(), tzinfo=readings[0][0].tzinfo)
        result.append(DayCoverage(day, count * interval.total_seconds(), 86400.0, start, start + DAY))
    return result


# --- injection ---------------------------------------------------------------------------


def _positions(series: Series, count: int, generator: random.Random, span: timedelta) -> list[datetime]:
    """Start times, one per block of at least two weeks after the baseline, in random places."""
    first = series.readings[0][0] + BASELINE_WEEKS * WEEK + DAY
    last = series.readings[-1][0] - span - DAY
    block = max(2 * WEEK, (last - first) / max(count, 1))
    starts: list[datetime] = []
    block_start = first
    while block_start + span < last and len(starts) < count:
        room = max(timedelta(0), min(block, last - block_start) - span - DAY)
        offset = timedelta(hours=generator.randrange(0, max(1, int(room / HOUR))))
        starts.append((block_start + offset).replace(minute=0, second=0, microsecond=0))
        block_start += block
    return starts


def rest_level_limit(series: Series) -> float:
    """Hourly consumption that separates rest from production: midway between the two medians.

    The medians are those of the series' own hours outside and inside working time. An
    hour above the limit is nearer the production level than the rest level.
    """
    rest: list[float] = []
    working: list[float] = []
    for period in hourly(series.readings, series.interval):
        if period.quantity is None:
            continue
        in_shift = is_working(series.calendar, period.start.replace(tzinfo=None))[0]
        (working if in_shift else rest).append(period.quantity)
    if not rest or not working:
        raise ValueError(f"series {series.name} needs hours both inside and outside working time")
    return (statistics.median(rest) + statistics.median(working)) / 2


def _idle_night(series: Series, night: datetime, hourly_use: dict[datetime, float | None], limit: float) -> bool:
    """Check that every hour of the night is outside working time and at rest level in the original series."""
    for step in range(round(OFF_HOURS_NIGHT / HOUR)):
        hour = night + step * HOUR
        if is_working(series.calendar, hour.replace(tzinfo=None))[0]:
            return False
        used = hourly_use.get(hour)
        if used is None or used > limit:
            return False
    return True


def inject(
    series: Series, kind: str, count: int, seed: int, *, off_hours_level: float | None = None
) -> tuple[Series, list[Window]]:
    """Return a copy of the series with ``count`` faults of ``kind`` and their windows.

    ``off_hours_level`` replaces the reading of off-hours running (default: the median reading
    of working hours).
    """
    generator = random.Random(f"{seed}-{kind}-{series.name}")  # noqa: S311 (seeded fault positions, not security)
    readings = list(series.readings)
    values = [value for _stamp, value in readings]
    median_reading = statistics.median(values)
    full_load_reading = statistics.quantiles(values, n=20)[-1]
    windows: list[Window] = []
    index_of = {stamp: index for index, (stamp, _value) in enumerate(readings)}

    def indices(start: datetime, end: datetime) -> list[int]:
        return [index for stamp, index in index_of.items() if start < stamp <= end]

    if kind == "spike":
        for start in _positions(series, count, generator, HOUR):
            for index in indices(start, start + HOUR):
                stamp, value = readings[index]
                readings[index] = (stamp, value + full_load_reading)
            windows.append(Window(kind, start, start + HOUR))
    elif kind == "drift":
        span = DRIFT_DAYS * DAY
        for start in _positions(series, count, generator, span):
            for index in indices(start, start + span):
                stamp, value = readings[index]
                readings[index] = (stamp, value + DRIFT_SHARE * median_reading)
            windows.append(Window(kind, start, start + span))
    elif kind == "stuck":
        span = STUCK_READINGS * series.interval
        for start in _positions(series, count, generator, span):
            chosen = sorted(indices(start, start + span))
            if not chosen or chosen[0] == 0:
                continue
            frozen = readings[chosen[0] - 1][1]
            for index in chosen:
                readings[index] = (readings[index][0], frozen)
            windows.append(Window(kind, readings[chosen[0] - 1][0], readings[chosen[-1]][0]))
    elif kind == "off_hours":
        working_values = [
            value
            for stamp, value in readings
            if is_working(series.calendar, (stamp - series.interval).replace(tzinfo=None))[0]
        ]
        level = statistics.median(working_values) if working_values else median_reading
        if off_hours_level is not None:
            level = off_hours_level
        busy_limit = rest_level_limit(series)
        hourly_use = {period.start: period.quantity for period in hourly(series.readings, series.interval)}
        positions = _positions(series, count, generator, 2 * DAY)
        for number, start in enumerate(positions):
            if len(windows) >= count:
                break
            # A later night of the same block replaces a night on which the plant was running:
            # left-on equipment is a fault only where the plant itself was idle.
            latest = positions[number + 1] - 2 * DAY if number + 1 < len(positions) else start + WEEK
            night = start.replace(hour=21)
            while night <= latest and not _idle_night(series, night, hourly_use, busy_limit):
                night += DAY
            if night > latest:
                continue
            ends = night + OFF_HOURS_NIGHT
            for index in indices(night, ends):
                stamp, value = readings[index]
                readings[index] = (stamp, max(value, level))
            windows.append(Window(kind, night, ends))
    elif kind == "missing":
        span = GAP_HOURS * HOUR
        removed: set[int] = set()
        for start in _positions(series, count, generator, span):
            removed.update(indices(start, start + span))
            windows.append(Window(kind, start, start + span))
        readings = [reading for index, reading in enumerate(readings) if index not in removed]
    else:
        raise ValueError(f"unknown fault kind {kind}")
    return Series(series.name, series.interval, readings, series.related, series.calendar), windows


# --- running the detectors over a whole series ---------------------------------------------


def _option(options: dict[str, float], detector: str, name: str) -> float:
    return options.get(name, PARAMETERS[detector][name])


def run_statistical(series: Series, **options: float) -> list[Detection]:
    periods = hourly(series.readings, series.interval)
    found: list[Detection] = []
    if not periods:
        return found
    now = periods[-1].end + DAY
    weeks = int(_option(options, "statistical", "weeks"))
    key: Callable[[datetime], Hashable] = detectors.hour_of_week
    if _option(options, "statistical", "day_kinds"):
        key = detectors.DayKindHour(lambda day: day_kind(series.calendar, day))
    peak_factor = _option(options, "statistical", "peak_factor")
    start = periods[0].start + BASELINE_WEEKS * WEEK
    while start < periods[-1].end:
        week = [period for period in periods if start <= period.start < start + WEEK]
        history = [period for period in periods if start - weeks * WEEK <= period.start < start]
        found += detectors.statistical(
            week,
            history,
            now,
            local=lambda stamp: stamp.replace(tzinfo=None),
            key=key,
            threshold=_option(options, "statistical", "threshold"),
            mad_floor_fraction=_option(options, "statistical", "mad_floor_fraction"),
            mad_floor_of_mean=_option(options, "statistical", "mad_floor_of_mean"),
            peak_factor=peak_factor or None,
            peak_quantile=_option(options, "statistical", "peak_quantile"),
        )
        start += WEEK
    return found


def run_drift(series: Series, **options: float) -> list[Detection]:
    """CUSUM week by week on residuals against the hour-of-week median of the four weeks before."""
    periods = hourly(series.readings, series.interval)
    found: list[Detection] = []
    if not periods:
        return found
    start = periods[0].start + BASELINE_WEEKS * WEEK
    slack = options.get("slack", PARAMETERS["drift"]["slack"])
    threshold = options.get("threshold", PARAMETERS["drift"]["threshold"])
    while start < periods[-1].end:
        history = [
            (period.start, period.quantity)
            for period in periods
            if start - BASELINE_WEEKS * WEEK <= period.start < start and period.quantity is not None
        ]
        baselines = detectors.robust_baseline(history, detectors.hour_of_week)
        residuals = [value - baselines[detectors.hour_of_week(stamp)].median for stamp, value in history]
        scale = detectors.robust_scale(residuals)
        points = [
            (period.start, period.quantity, baselines[slot].median)
            for period in periods
            if start <= period.start < start + WEEK
            and period.quantity is not None
            and (slot := detectors.hour_of_week(period.start)) in baselines
        ]
        found += detectors.cusum_drift(points, slack=slack, threshold=threshold, scale=scale)
        start += WEEK
    return found


def run_stuck(series: Series, **options: float) -> list[Detection]:
    return detectors.stuck(
        series.readings, [series.related], intervals=int(options.get("intervals", PARAMETERS["stuck"]["intervals"]))
    )


def run_off_hours(series: Series, **options: float) -> list[Detection]:
    """Check each week as the alert rule checks its window, with ``detectors.check_off_hours_window``.

    The hours checked begin ``min_hours`` before the week, so a Sunday night left running is
    one run across Monday 00:00.
    """
    periods = hourly(series.readings, series.interval)
    found: list[Detection] = []
    if not periods:
        return found

    def working(stamp: datetime) -> tuple[bool, str]:
        return is_working(series.calendar, stamp.replace(tzinfo=None))

    weeks = int(_option(options, "off_hours", "weeks"))
    start = periods[0].start + BASELINE_WEEKS * WEEK
    while start < periods[-1].end:
        history_start = start - detectors.BASELOAD_GAP - weeks * WEEK
        checked = detectors.check_off_hours_window(
            [period for period in periods if history_start <= period.start < start + WEEK],
            working,
            start,
            baseload=None,
            spread=_option(options, "off_hours", "spread"),
            margin_percent=_option(options, "off_hours", "margin_percent"),
            min_hours=int(_option(options, "off_hours", "min_hours")),
            weeks=weeks,
        )
        if checked is not None:
            found += checked
        start += WEEK
    return found


def run_offline(series: Series, **options: float) -> list[Detection]:
    """Check freshness once an hour, as alerts_watch does every minute, over the whole series."""
    found: list[Detection] = []
    stamps = [stamp for stamp, _value in series.readings]
    if not stamps:
        return found
    minutes = int(series.interval / timedelta(minutes=1))
    missed = int(options.get("missed_intervals", PARAMETERS["offline"]["missed_intervals"]))
    position = 0
    now = stamps[0] + HOUR
    while now <= stamps[-1]:
        while position + 1 < len(stamps) and stamps[position + 1] <= now:
            position += 1
        found += detectors.offline(stamps[position], now, interval_minutes=minutes, missed_intervals=missed)
        now += HOUR
    return found


def run_completeness(series: Series, **options: float) -> list[Detection]:
    days = day_coverages(series.readings, series.interval)
    if not days:
        return []
    full = {day.day for day in days}
    # Days with no reading at all inside the series count as empty.
    first, last = days[0].day, days[-1].day
    tz = series.readings[0][0].tzinfo
    day = first
    while day <= last:
        if day not in full:
            start = datetime.combine(day, datetime.min.time(), tzinfo=tz)
            days.append(DayCoverage(day, 0.0, 86400.0, start, start + DAY))
        day += DAY
    days.sort(key=lambda item: item.day)
    # The first and last day of the series are partial by construction.
    inner = days[1:-1]
    return detectors.completeness(
        inner, inner[-1].end if inner else days[-1].end, limit=options.get("limit", PARAMETERS["completeness"]["limit"])
    )


DETECTORS: dict[str, Callable[..., list[Detection]]] = {
    "statistical": run_statistical,
    "drift": run_drift,
    "stuck": run_stuck,
    "off_hours": run_off_hours,
    "offline": run_offline,
    "completeness": run_completeness,
}

# The detector meant to catch each fault kind (the targets apply to these pairs).
PRIMARY = {
    "spike": "statistical",
    "drift": "drift",
    "stuck": "stuck",
    "off_hours": "off_hours",
    "missing": "completeness",
}


# --- scoring -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Event:
    cause: str
    start: datetime
    end: datetime


def events(found: Sequence[Detection], gap: timedelta) -> list[Event]:
    """Merge findings of one cause whose windows touch (within ``gap``) into events."""
    merged: list[Event] = []
    for detection in sorted(found, key=lambda item: (item.cause, item.start)):
        end = max(detection.end, detection.start)
        last = merged[-1] if merged else None
        if last is not None and last.cause == detection.cause and detection.start <= last.end + gap:
            merged[-1] = Event(last.cause, last.start, max(last.end, end))
        else:
            merged.append(Event(detection.cause, detection.start, end))
    return merged


@dataclass(frozen=True)
class Score:
    """Counts of one detector on one faulty series.

    ``natural_events`` are events that do not touch an injected window but also occur on
    the clean series: anomalies of the real data (a Sunday production run, a holiday),
    which the labels know nothing about. ``precision`` counts them as false;
    ``precision_injected`` leaves them out and judges only what the injection changed.
    """

    injected: int
    detected: int
    events: int
    true_events: int
    natural_events: int = 0

    @property
    def recall(self) -> float | None:
        return self.detected / self.injected if self.injected else None

    @property
    def precision(self) -> float | None:
        return self.true_events / self.events if self.events else None

    @property
    def precision_injected(self) -> float | None:
        judged = self.events - self.natural_events
        return self.true_events / judged if judged else None


def pool(parts: Iterable[Score]) -> Score:
    """Add up the counts of several scores, e.g. of several series or seeds."""
    parts = list(parts)
    return Score(
        sum(part.injected for part in parts),
        sum(part.detected for part in parts),
        sum(part.events for part in parts),
        sum(part.true_events for part in parts),
        sum(part.natural_events for part in parts),
    )


def overlaps(event: Event, window: Window, slack: timedelta) -> bool:
    return event.start <= window.end + slack and event.end >= window.start - slack


def score(
    found: Sequence[Detection], windows: Sequence[Window], interval: timedelta, clean: Sequence[Event] = ()
) -> Score:
    merged = events(found, max(interval, HOUR))
    slack = max(interval, HOUR)
    detected = sum(1 for window in windows if any(overlaps(event, window, slack) for event in merged))
    true_events = 0
    natural = 0
    for event in merged:
        if any(overlaps(event, window, slack) for window in windows):
            true_events += 1
        elif any(
            other.cause == event.cause and other.start <= event.end + slack and other.end >= event.start - slack
            for other in clean
        ):
            natural += 1
    return Score(len(windows), detected, len(merged), true_events, natural)


@dataclass
class Report:
    scores: dict[tuple[str, str, str], Score] = field(default_factory=dict)  # (series, fault, detector)
    clean: dict[tuple[str, str], tuple[int, float]] = field(default_factory=dict)  # (series, detector) → events, days
    # (series, detector) → number of clean-series events per calendar cause (see ``calendar_cause``)
    clean_causes: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)

    def combined(self, fault: str, detector: str) -> Score:
        return pool(value for (_name, kind, name), value in self.scores.items() if kind == fault and name == detector)

    def clean_rate(self, detector: str, series: str, fault: str) -> float | None:
        """Events per 30 days of ``detector`` on the clean series (``all``: the series ``fault`` was injected into)."""
        names = {name for name, kind, _detector in self.scores if kind == fault} if series == "all" else {series}
        parts = [self.clean[(name, detector)] for name in names if (name, detector) in self.clean]
        days = sum(part[1] for part in parts)
        return sum(part[0] for part in parts) / days * 30 if days else None


FAULTS = ("spike", "drift", "stuck", "off_hours", "missing")

# Calendar causes of a clean-series event: the kind of time, in the series' working calendar, at which it starts.
CAUSES = ("rest day", "outside shifts", "in working time")


def calendar_cause(calendar: CalendarSpec, event: Event) -> str:
    """Classify an event by its start: on a day without shifts, outside the shifts of a worked day, or in them."""
    moment = event.start.replace(tzinfo=None)
    if day_status(calendar, moment.date())[0] is False:
        return "rest day"
    if not is_working(calendar, moment)[0]:
        return "outside shifts"
    return "in working time"


def evaluate(
    all_series: Sequence[Series],
    *,
    count: int,
    seed: int,
    faults: Sequence[str] = FAULTS,
    skip: dict[str, set[str]] | None = None,
    only: Collection[str] | None = None,
) -> Report:
    """Inject each fault kind into each series and score every detector on the result.

    ``skip`` maps a series name to fault kinds that do not apply to it (e.g. off-hours
    running on a plant that runs around the clock). ``only`` limits the detectors run.
    """
    report = Report()
    chosen = {name: run for name, run in DETECTORS.items() if only is None or name in only}
    for series in all_series:
        span_days = (series.readings[-1][0] - series.readings[0][0]) / DAY
        clean: dict[str, list[Event]] = {}
        for name, run in chosen.items():
            clean[name] = events(run(series), max(series.interval, HOUR))
            report.clean[(series.name, name)] = (len(clean[name]), span_days)
            causes = dict.fromkeys(CAUSES, 0)
            for event in clean[name]:
                causes[calendar_cause(series.calendar, event)] += 1
            report.clean_causes[(series.name, name)] = causes
        for fault in faults:
            if skip and fault in skip.get(series.name, set()):
                continue
            faulty, windows = inject(series, fault, count, seed)
            for name, run in chosen.items():
                report.scores[(series.name, fault, name)] = score(run(faulty), windows, series.interval, clean[name])
    return report


TARGET_FAULTS = ("spike", "stuck", "off_hours")


def _met(recall: float | None, precision: float | None) -> str:
    if recall is None or precision is None:
        return "–"
    return "yes" if recall >= 0.9 and precision >= 0.8 else "no"


def _cell(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def markdown(report: Report, *, title: str, notes: Sequence[str]) -> str:
    """Render the report as Markdown: primary pairs against targets, every pair, and the clean alert rate."""
    lines = [f"# {title}", "", *notes, "", "## Primary detector per fault kind (all series together)", ""]
    lines += [
        "| fault | detector | injected | found | recall | events | true events | natural events | precision "
        "| precision without natural events |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    faults = sorted({fault for _series, fault, _name in report.scores}, key=FAULTS.index)
    for fault in faults:
        detector = PRIMARY[fault]
        total = report.combined(fault, detector)
        lines.append(
            f"| {fault} | {detector} | {total.injected} | {total.detected} | {_cell(total.recall)} | {total.events} | "
            f"{total.true_events} | {total.natural_events} | {_cell(total.precision)} "
            f"| {_cell(total.precision_injected)} |"
        )
    lines += ["", "## Targets: recall ≥ 0.9 at precision ≥ 0.8", ""]
    lines += [
        "| fault | detector | series | recall | precision | met | clean-series events per 30 days "
        "| precision without natural events | met |",
        "|---|---|---|---:|---:|---|---:|---:|---|",
    ]
    series_names = sorted({name for name, _fault, _detector in report.scores})
    for fault in TARGET_FAULTS:
        detector = PRIMARY[fault]
        rows = [("all", report.combined(fault, detector))] + [
            (name, report.scores[(name, fault, detector)])
            for name in series_names
            if (name, fault, detector) in report.scores
        ]
        for name, value in rows:
            lines.append(
                f"| {fault} | {detector} | {name} | {_cell(value.recall)} | {_cell(value.precision)} "
                f"| {_met(value.recall, value.precision)} | {_cell(report.clean_rate(detector, name, fault))} "
                f"| {_cell(value.precision_injected)} | {_met(value.recall, value.precision_injected)} |"
            )
    lines += _cause_table(report, series_names)
    lines += ["", "## Every detector on every fault kind, per series", ""]
    lines += [
        "| series | fault | detector | recall | precision | precision without natural events | events |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for (series, fault, detector), value in sorted(report.scores.items()):
        lines.append(
            f"| {series} | {fault} | {detector} | {_cell(value.recall)} | {_cell(value.precision)} "
            f"| {_cell(value.precision_injected)} | {value.events} |"
        )
    lines += ["", "## Alert rate on the clean real series (no injection)", ""]
    lines += ["| series | detector | events | days | events per 30 days |", "|---|---|---:|---:|---:|"]
    for (series, detector), (count, days) in sorted(report.clean.items()):
        lines.append(f"| {series} | {detector} | {count} | {days:.0f} | {count / days * 30 if days else 0:.2f} |")
    return "\n".join(lines) + "\n"


def _cause_table(report: Report, series_names: Sequence[str]) -> list[str]:
    """Clean-series events of each target fault's detector, counted by where they fall in the working calendar."""
    lines = [
        "",
        "## Clean-series events by calendar cause",
        "",
        "Events of the primary detector on the clean series (no injection), by where each event starts in the "
        "working calendar given to the detector. They count as false in *precision*.",
        "",
        "| fault | detector | series | events | " + " | ".join(CAUSES) + " |",
        "|---|---|---|---:|" + "---:|" * len(CAUSES),
    ]
    for fault in TARGET_FAULTS:
        detector = PRIMARY[fault]
        for name in series_names:
            causes = report.clean_causes.get((name, detector))
            if (name, fault, detector) not in report.scores or causes is None:
                continue
            counts = " | ".join(str(causes[cause]) for cause in CAUSES)
            lines.append(f"| {fault} | {detector} | {name} | {sum(causes.values())} | {counts} |")
    return lines


def seeds_markdown(reports: dict[int, Report]) -> list[str]:
    """Render recall and precision of each target fault's detector, pooled over all series, per seed and in sum."""
    lines = [
        "| fault | detector | seed | injected | found | recall | events | true events | precision |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for fault in TARGET_FAULTS:
        detector = PRIMARY[fault]
        parts = []
        for seed, report in sorted(reports.items()):
            part = report.combined(fault, detector)
            parts.append(part)
            lines.append(
                f"| {fault} | {detector} | {seed} | {part.injected} | {part.detected} | {_cell(part.recall)} "
                f"| {part.events} | {part.true_events} | {_cell(part.precision)} |"
            )
        pooled = pool(parts)
        lines.append(
            f"| {fault} | {detector} | **all {len(reports)}** | {pooled.injected} | {pooled.detected} "
            f"| {_cell(pooled.recall)} | {pooled.events} | {pooled.true_events} | {_cell(pooled.precision)} |"
        )
    return lines


def rest_median_reading(series: Series) -> float:
    """Return the median reading of the intervals outside working time: the idle level of an interval."""
    return statistics.median(
        value
        for stamp, value in series.readings
        if not is_working(series.calendar, (stamp - series.interval).replace(tzinfo=None))[0]
    )


def off_hours_levels_markdown(series: Series, factors: Sequence[float], seeds: Sequence[int], count: int) -> list[str]:
    """Render recall and precision of the off-hours detector when the load left running is ``factor`` × idle.

    Each row pools the ``seeds``. The clean series' events count as false, as in *precision*.
    """
    clean = events(run_off_hours(series), max(series.interval, HOUR))
    idle = rest_median_reading(series)
    per_hour = HOUR / series.interval
    lines = [
        "| load left running | per hour | injected | found | recall | events | true events | precision |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for factor in factors:
        parts = []
        for seed in seeds:
            faulty, windows = inject(series, "off_hours", count, seed, off_hours_level=factor * idle)
            parts.append(score(run_off_hours(faulty), windows, series.interval, clean))
        pooled = pool(parts)
        lines.append(
            f"| {factor:g} × idle | {factor * idle * per_hour:.0f} | {pooled.injected} | {pooled.detected} "
            f"| {_cell(pooled.recall)} | {pooled.events} | {pooled.true_events} | {_cell(pooled.precision)} |"
        )
    return lines
