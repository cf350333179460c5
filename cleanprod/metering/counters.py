"""Turn meter readings into consumption intervals.

Cumulative registers are differenced reading by reading. Every drop in a register is
explained, so that no counter yields a negative quantity. A drop is a rollover at the
register modulus, a meter replacement, a glitch that recovers within a few readings,
a reset to zero, a daily reset or an unexplained decrease. Interval meters, whose
readings already are quantities, are mapped onto their time spans.

Everything here is pure arithmetic: no database, no logging. Quantities are in the
meter's own unit. The caller applies the multiplier and any unit conversion.
All returned timestamps are aware datetimes in UTC, because aware datetimes that
share a ZoneInfo compare and subtract by wall time, which is wrong across a DST fold.
"""

from __future__ import annotations

import math
import statistics
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from itertools import islice, pairwise
from zoneinfo import ZoneInfo

# Number of recent intervals whose rates decide whether a wrap is plausible.
LOOKBEHIND: int = 8

# A spacing between readings larger than this multiple of the expected interval is a gap.
GAP_FACTOR: float = 1.5

DEFAULT_SITE_ZONE = ZoneInfo("Asia/Shanghai")


class ReadingKind(StrEnum):
    CUMULATIVE = "cumulative"
    INTERVAL = "interval"
    DAILY_RESET = "daily_reset"


class TimestampConvention(StrEnum):
    INTERVAL_START = "start"
    INTERVAL_END = "end"


class Quality(StrEnum):
    MEASURED = "measured"
    ESTIMATED = "estimated"
    SUSPECT = "suspect"


class Event(StrEnum):
    ROLLOVER = "rollover"
    RESET = "reset"
    REPLACEMENT = "replacement"
    GLITCH = "glitch"
    DECREASE = "decrease"
    GAP = "gap"
    DAILY_RESET = "daily_reset"


@dataclass(frozen=True, slots=True)
class Point:
    """One stored reading with a timezone-aware timestamp in any zone."""

    timestamp: datetime
    value: float


@dataclass(frozen=True, slots=True)
class Replacement:
    """Meter exchange at one measuring point."""

    timestamp: datetime
    old_final: float  # last register value of the removed meter
    new_initial: float  # first register value of the installed meter, not necessarily 0


@dataclass(frozen=True)
class CounterRules:
    """Settings that decide how a drop in a cumulative register is explained."""

    expected_interval: timedelta = timedelta(minutes=15)
    # Register modulus in the register's unit, e.g. 838860.8 for 2**23 steps of 0.1 Wh.
    rollover_value: float | None = None
    # A wrap needs the previous value within this fraction of the modulus.
    rollover_margin: float = 0.01
    # A drop that recovers within this many readings is a glitch.
    glitch_readings: int = 3
    # A persistent drop to at most this fraction of the previous value is a reset.
    reset_fraction: float = 0.1
    # An implied wrap quantity above this multiple of the median recent rate times the elapsed
    # time is not accepted as a wrap.
    plausibility_factor: float = 10.0
    # Site zone, whose local midnights restart daily-reset registers.
    zone: ZoneInfo = DEFAULT_SITE_ZONE

    def __post_init__(self) -> None:
        if self.expected_interval <= timedelta(0):
            raise ValueError(f"expected_interval must be positive, got {self.expected_interval}.")
        if self.rollover_value is not None and not self.rollover_value > 0:
            raise ValueError(f"rollover_value must be positive or None, got {self.rollover_value}.")
        if not 0 <= self.rollover_margin < 1:
            raise ValueError(f"rollover_margin must be in [0, 1), got {self.rollover_margin}.")
        if self.glitch_readings < 0:
            raise ValueError(f"glitch_readings must be 0 or more, got {self.glitch_readings}.")
        if not 0 <= self.reset_fraction < 1:
            raise ValueError(f"reset_fraction must be in [0, 1), got {self.reset_fraction}.")
        if not self.plausibility_factor > 0:
            raise ValueError(f"plausibility_factor must be positive, got {self.plausibility_factor}.")


@dataclass(frozen=True, slots=True)
class Interval:
    """Consumption between two instants, in the meter's own unit.

    Counters never produce a negative quantity. An interval meter may, and then the
    interval is SUSPECT.
    """

    start: datetime
    end: datetime
    quantity: float
    quality: Quality
    event: Event | None = None


@dataclass(frozen=True)
class Finding:
    """Data-quality finding to be stored next to the readings.

    ``code`` is a dotted name such as "counter.rollover". ``evidence`` contains only
    JSON-serialisable numbers and strings. ``blocking`` is True when a value is held
    for review and False for plain information.
    """

    code: str
    timestamp: datetime
    evidence: dict[str, float | str]
    blocking: bool = False


@dataclass
class CounterResult:
    """Intervals, suspect reading timestamps and findings from one differencing run.

    ``intervals`` has one entry per accepted reading after the first, ending at that
    reading. ``suspect`` lists readings excluded from differencing (glitches).
    """

    intervals: list[Interval] = field(default_factory=list)
    suspect: list[datetime] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    def extend(self, other: CounterResult) -> None:
        """Append the contents of ``other``, keeping time order if ``other`` is later."""
        self.intervals.extend(other.intervals)
        self.suspect.extend(other.suspect)
        self.findings.extend(other.findings)


# Local calendar helpers. Daily-reset registers and day buckets share them.


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """Return the UTC instant at which the local date ``day`` starts in ``zone``.

    Where DST skips midnight (e.g. America/Santiago), fold=0 maps the missing 00:00 to
    the transition instant, which is the first instant of that local date.
    """
    if isinstance(day, datetime):
        raise TypeError(f"day must be a date, got the datetime {day.isoformat()}.")
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def _local_date(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _is_local_midnight(instant: datetime, zone: ZoneInfo) -> bool:
    return local_midnight(_local_date(instant, zone), zone) == instant


def _count_local_midnights(after: datetime, until: datetime, zone: ZoneInfo) -> int:
    """Count local midnights m with after < m <= until."""
    return (_local_date(until, zone) - _local_date(after, zone)).days


# Input checks.


def _to_utc(instant: datetime, description: str) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(
            f"Timestamp {instant.isoformat()} of a {description} is naive. Attach the zone it was recorded in."
        )
    return instant.astimezone(UTC)


def _normalise_point(point: Point, description: str) -> Point:
    timestamp = _to_utc(point.timestamp, description)
    if not math.isfinite(point.value):
        raise ValueError(
            f"The {description} at {timestamp.isoformat()} has the non-finite value "
            f"{point.value}. Leave missing readings out instead."
        )
    return Point(timestamp, float(point.value))


def _sorted_points(points: Iterable[Point], description: str) -> list[Point]:
    """Normalise to UTC, sort by time and reject duplicate timestamps."""
    ordered = sorted((_normalise_point(point, description) for point in points), key=lambda p: p.timestamp)
    for earlier, later in pairwise(ordered):
        if earlier.timestamp == later.timestamp:
            raise ValueError(
                f"Duplicate {description} timestamp {later.timestamp.isoformat()}. "
                "Collapse duplicates before differencing."
            )
    return ordered


def _seconds(start: datetime, end: datetime) -> float:
    return (end - start).total_seconds()


def _pair_evidence(previous: Point, point: Point) -> dict[str, float | str]:
    return {
        "previous_timestamp": previous.timestamp.isoformat(),
        "previous": previous.value,
        "value": point.value,
        "delta": point.value - previous.value,
    }


@dataclass
class _Step:
    """Decision for the oldest pending reading, applied by StreamingCounter._commit."""

    consumed: int
    anchor: Point
    interval: Interval | None = None
    suspect: list[datetime] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)
    replacements_used: int = 0


class StreamingCounter:
    """Difference cumulative readings chunk by chunk.

    Results are identical to one ``counter_intervals`` call over the whole series,
    whatever the chunking. A drop in the register is decided only once up to
    ``rules.glitch_readings`` later readings are known (or on ``close``), and the wrap
    plausibility check looks at most ``LOOKBEHIND`` intervals back. ``feed`` therefore
    returns only the intervals and findings that can no longer change.

    ``previous`` are already stored, accepted readings just before the first fed
    reading. They set the starting register value and the rate history, and no
    intervals are emitted for them. Pass at least LOOKBEHIND + 1 of them so that the
    wrap check uses the same history as a full recomputation.
    """

    def __init__(
        self,
        rules: CounterRules,
        kind: ReadingKind = ReadingKind.CUMULATIVE,
        replacements: Sequence[Replacement] = (),
        previous: Sequence[Point] = (),
    ) -> None:
        if kind is ReadingKind.INTERVAL:
            raise ValueError(
                "Interval meters report quantities, not register values. Use interval_meter_intervals for them."
            )
        self._rules = rules
        self._kind = kind
        self._replacements = sorted(
            (
                Replacement(
                    _to_utc(replacement.timestamp, "replacement"),
                    replacement.old_final,
                    replacement.new_initial,
                )
                for replacement in replacements
            ),
            key=lambda replacement: replacement.timestamp,
        )
        self._next_replacement = 0
        self._anchor: Point | None = None
        self._rates: deque[float] = deque(maxlen=LOOKBEHIND)
        self._pending: deque[Point] = deque()
        self._last_timestamp: datetime | None = None
        self._closed = False

        # Stored readings are trusted, so each one is decided at once without
        # lookahead and only its effect on the state is kept.
        for point in _sorted_points(previous, "previous reading"):
            self._pending.append(point)
            self._last_timestamp = point.timestamp
            step = self._next_step(final=True)
            assert step is not None  # final=True always decides
            self._commit(step, CounterResult())

    @property
    def pending(self) -> tuple[Point, ...]:
        """Readings received but not yet decided, oldest first, in UTC."""
        return tuple(self._pending)

    def feed(self, points: Iterable[Point]) -> CounterResult:
        """Add readings and return the intervals and findings that are now final.

        Readings within one call may come in any order, but each call must only
        contain readings later than every reading fed before.
        """
        if self._closed:
            raise RuntimeError("StreamingCounter is closed. Create a new one to continue.")
        chunk = _sorted_points(points, "reading")
        if chunk and self._last_timestamp is not None:
            first = chunk[0].timestamp
            if first == self._last_timestamp:
                raise ValueError(
                    f"Duplicate reading timestamp {first.isoformat()}. Collapse duplicates before differencing."
                )
            if first < self._last_timestamp:
                raise ValueError(
                    f"Reading at {first.isoformat()} is earlier than the already "
                    f"processed reading at {self._last_timestamp.isoformat()}. "
                    "Pass the stored readings after it in points, not in previous, "
                    "so that the affected intervals are recomputed."
                )
        self._pending.extend(chunk)
        if chunk:
            self._last_timestamp = chunk[-1].timestamp
        return self._decide(final=False)

    def close(self) -> CounterResult:
        """Decide all remaining readings, taking the end of data as final."""
        if self._closed:
            raise RuntimeError("StreamingCounter is already closed.")
        self._closed = True
        return self._decide(final=True)

    # Decision loop.

    def _decide(self, final: bool) -> CounterResult:
        result = CounterResult()
        while self._pending:
            step = self._next_step(final)
            if step is None:
                break
            self._commit(step, result)
        return result

    def _commit(self, step: _Step, result: CounterResult) -> None:
        if step.interval is not None:
            result.intervals.append(step.interval)
            self._rates.append(_rate(step.interval))
        result.suspect.extend(step.suspect)
        result.findings.extend(step.findings)
        self._anchor = step.anchor
        self._next_replacement += step.replacements_used
        for _ in range(step.consumed):
            self._pending.popleft()

    def _next_step(self, final: bool) -> _Step | None:
        """Decide the oldest pending reading, or return None until more readings arrive."""
        point = self._pending[0]
        anchor = self._anchor
        if anchor is None:
            return _Step(consumed=1, anchor=point, replacements_used=self._replacements_before(point))

        replacements = self._replacements_between(anchor, point)
        if replacements:
            return self._replacement_step(anchor, point, replacements)

        if self._kind is ReadingKind.DAILY_RESET:
            daily_step = self._daily_reset_step(anchor, point)
            if daily_step is not None:
                return daily_step

        if point.value >= anchor.value:
            return self._rise_step(anchor, point)
        return self._drop_step(anchor, final)

    # Replacements.

    def _pending_replacements(self) -> list[Replacement]:
        return self._replacements[self._next_replacement :]

    def _replacements_before(self, first: Point) -> int:
        """Count replacements that precede the first reading and so never apply."""
        count = 0
        for replacement in self._pending_replacements():
            if replacement.timestamp > first.timestamp:
                break
            if replacement.timestamp == first.timestamp and _is_removal_reading(first, replacement):
                break
            count += 1
        return count

    def _replacements_between(self, anchor: Point, point: Point) -> list[Replacement]:
        """Return the pending replacements that fall between ``anchor`` and ``point``.

        A reading at the exact replacement time is the installation reading unless its
        value equals the old meter's final value (the removal reading). A removal
        reading still belongs to the old meter, so the replacement then applies to the
        next interval.
        """
        found: list[Replacement] = []
        for replacement in self._pending_replacements():
            if replacement.timestamp > point.timestamp:
                break
            if replacement.timestamp == point.timestamp and _is_removal_reading(point, replacement):
                break
            found.append(replacement)
        return found

    def _replacement_step(self, anchor: Point, point: Point, replacements: list[Replacement]) -> _Step:
        # The old meter counted from the anchor to its final value, each intermediate
        # meter from its initial to its final value, and the installed meter from its
        # initial value to this reading.
        old_meter_quantity = replacements[0].old_final - anchor.value
        for earlier, later in pairwise(replacements):
            old_meter_quantity += later.old_final - earlier.new_initial
        new_meter_quantity = point.value - replacements[-1].new_initial

        inconsistent = old_meter_quantity < 0 or new_meter_quantity < 0
        total = old_meter_quantity + new_meter_quantity
        evidence = _pair_evidence(anchor, point)
        evidence.update(
            {
                "replacement_timestamp": replacements[-1].timestamp.isoformat(),
                "old_final": replacements[0].old_final,
                "new_initial": replacements[-1].new_initial,
                "old_meter_quantity": old_meter_quantity,
                "new_meter_quantity": new_meter_quantity,
                "replacement_count": len(replacements),
                "quantity": max(total, 0.0),
            }
        )
        # NOTE: when a part is negative the interval is held as SUSPECT with the
        # unclamped parts in the evidence. Its quantity is the sum of both parts, or 0.0
        # if that sum is negative, because counters never emit a negative quantity.
        interval = Interval(
            anchor.timestamp,
            point.timestamp,
            max(total, 0.0),
            Quality.SUSPECT if inconsistent else Quality.MEASURED,
            Event.REPLACEMENT,
        )
        findings = [Finding("counter.replacement", point.timestamp, evidence, blocking=inconsistent)]
        findings.extend(self._gap_findings([anchor.timestamp, point.timestamp]))
        return _Step(
            consumed=1,
            anchor=point,
            interval=interval,
            findings=findings,
            replacements_used=len(replacements),
        )

    # Daily-reset registers.

    def _daily_reset_step(self, anchor: Point, point: Point) -> _Step | None:
        """Decide an interval of a daily-reset register that crosses a local midnight.

        A reading at exactly local midnight still contains the day total, and the
        register restarts right after it. A drop whose interval contains a midnight is
        the daily reset. A rise across a midnight counts as a reset only when the
        readings are at least a day apart, because a device clock a few minutes off
        the site zone resets a little before or after midnight.
        """
        if point.value < 0:
            return None  # a restarted register cannot be negative, so treat it as a drop
        zone = self._rules.zone
        midnights_inside = _count_local_midnights(anchor.timestamp, point.timestamp, zone)
        if _is_local_midnight(point.timestamp, zone):
            midnights_inside -= 1
        starts_at_midnight = _is_local_midnight(anchor.timestamp, zone)

        if starts_at_midnight and midnights_inside == 0:
            # The register held the previous day total until the anchor, so the whole
            # value of this reading is today's consumption.
            quality = Quality.MEASURED
        else:
            crosses_midnight = _count_local_midnights(anchor.timestamp, point.timestamp, zone) > 0
            day_or_more = point.timestamp - anchor.timestamp >= timedelta(days=1)
            dropped = point.value < anchor.value
            if not (crosses_midnight and (dropped or day_or_more)):
                return None
            # The consumption between the anchor and the reset is unknown.
            quality = Quality.ESTIMATED

        interval = Interval(anchor.timestamp, point.timestamp, point.value, quality, Event.DAILY_RESET)
        findings = self._gap_findings([anchor.timestamp, point.timestamp])
        return _Step(consumed=1, anchor=point, interval=interval, findings=findings)

    # Rises and drops.

    def _rise_step(self, anchor: Point, point: Point) -> _Step:
        # NOTE: an upward spike (one reading far too high, then back to normal) is not
        # detected. The spike is counted as measured and the return is then handled as
        # a drop, which usually ends as a reset or a decrease.
        findings = self._gap_findings([anchor.timestamp, point.timestamp])
        interval = Interval(
            anchor.timestamp,
            point.timestamp,
            point.value - anchor.value,
            Quality.MEASURED,
            Event.GAP if findings else None,
        )
        return _Step(consumed=1, anchor=point, interval=interval, findings=findings)

    def _drop_step(self, anchor: Point, final: bool) -> _Step | None:
        """Decide a drop below the anchor: glitch, rollover, reset or decrease.

        A glitch needs a later reading back at or above the anchor within
        ``glitch_readings`` readings, so the decision waits for that many readings.
        With ``final`` set, no more readings will come and it decides at once.
        Readings after a replacement, and for daily-reset registers readings after a
        local midnight, are on another scale and cannot show a recovery.
        """
        window = self._rules.glitch_readings
        lookahead = list(islice(self._pending, 1, 1 + window))
        recovery_index: int | None = None
        for index, candidate in enumerate(lookahead, start=1):
            if self._scale_changes(anchor, candidate):
                break
            if candidate.value >= anchor.value:
                recovery_index = index
                break
        else:
            if len(lookahead) < window and not final:
                return None

        if recovery_index is not None:
            return self._glitch_step(anchor, recovery_index)
        return self._persistent_drop_step(anchor, self._pending[0])

    def _scale_changes(self, anchor: Point, candidate: Point) -> bool:
        pending = self._pending_replacements()
        if pending and pending[0].timestamp <= candidate.timestamp:
            return True
        if self._kind is ReadingKind.DAILY_RESET:
            zone = self._rules.zone
            if _is_local_midnight(anchor.timestamp, zone):
                return True
            midnights = _count_local_midnights(anchor.timestamp, candidate.timestamp, zone)
            if _is_local_midnight(candidate.timestamp, zone):
                midnights -= 1
            return midnights > 0
        return False

    def _glitch_step(self, anchor: Point, recovery_index: int) -> _Step:
        dropped = [self._pending[index] for index in range(recovery_index)]
        recovery = self._pending[recovery_index]
        findings = [
            Finding(
                "counter.glitch",
                reading.timestamp,
                _pair_evidence(anchor, reading),
                blocking=True,
            )
            for reading in dropped
        ]
        raw_timestamps = [anchor.timestamp, *(r.timestamp for r in dropped), recovery.timestamp]
        findings.extend(self._gap_findings(raw_timestamps))
        # The interval bridges the dropped readings, so no consumption is lost.
        interval = Interval(
            anchor.timestamp,
            recovery.timestamp,
            recovery.value - anchor.value,
            Quality.MEASURED,
            Event.GLITCH,
        )
        return _Step(
            consumed=recovery_index + 1,
            anchor=recovery,
            interval=interval,
            suspect=[reading.timestamp for reading in dropped],
            findings=findings,
        )

    def _persistent_drop_step(self, anchor: Point, point: Point) -> _Step:
        evidence = _pair_evidence(anchor, point)
        rollover = self._rollover_check(anchor, point)
        if rollover is not None:
            rollover_quantity, limit, modulus = rollover
            if limit is None or rollover_quantity <= limit:
                evidence["quantity"] = rollover_quantity
                evidence["rollover_value"] = modulus
                return self._drop_result(
                    anchor,
                    point,
                    rollover_quantity,
                    Quality.MEASURED,
                    Event.ROLLOVER,
                    Finding("counter.rollover", point.timestamp, evidence),
                )
            # Near the modulus but far too much consumption for a wrap.
            evidence["rejected_rollover_quantity"] = rollover_quantity
            evidence["rollover_limit"] = limit

        if 0 <= point.value <= self._rules.reset_fraction * anchor.value:
            # The counter restarted at 0, so the value is a lower bound. The consumption
            # between the anchor and the moment of reset is unknown.
            evidence["quantity"] = point.value
            return self._drop_result(
                anchor,
                point,
                point.value,
                Quality.ESTIMATED,
                Event.RESET,
                Finding("counter.reset", point.timestamp, evidence),
            )

        evidence["quantity"] = 0.0
        return self._drop_result(
            anchor,
            point,
            0.0,
            Quality.SUSPECT,
            Event.DECREASE,
            Finding("counter.decrease", point.timestamp, evidence, blocking=True),
        )

    def _drop_result(
        self,
        anchor: Point,
        point: Point,
        quantity: float,
        quality: Quality,
        event: Event,
        finding: Finding,
    ) -> _Step:
        interval = Interval(anchor.timestamp, point.timestamp, quantity, quality, event)
        findings = [finding, *self._gap_findings([anchor.timestamp, point.timestamp])]
        return _Step(consumed=1, anchor=point, interval=interval, findings=findings)

    def _rollover_check(self, anchor: Point, point: Point) -> tuple[float, float | None, float] | None:
        """Return the implied wrap quantity, its plausibility limit and the modulus.

        Returns None when the drop cannot be a wrap at all: no modulus is configured,
        the anchor is not within ``rollover_margin`` of the modulus, or the implied
        quantity is negative. The limit is None when no positive rate is known yet,
        and a wrap is then accepted.
        """
        modulus = self._rules.rollover_value
        if modulus is None:
            return None
        if anchor.value < modulus * (1 - self._rules.rollover_margin):
            return None
        implied = modulus - anchor.value + point.value
        if implied < 0:
            return None

        positive_rates = [rate for rate in self._rates if rate > 0]
        if not positive_rates:
            return implied, None, modulus
        elapsed = _seconds(anchor.timestamp, point.timestamp)
        limit = self._rules.plausibility_factor * statistics.median(positive_rates) * elapsed
        return implied, limit, modulus

    def _gap_findings(self, timestamps: Sequence[datetime]) -> list[Finding]:
        """Return a counter.gap finding if consecutive readings are too far apart."""
        longest = max(_seconds(earlier, later) for earlier, later in pairwise(timestamps))
        expected = self._rules.expected_interval.total_seconds()
        if longest <= GAP_FACTOR * expected:
            return []
        evidence: dict[str, float | str] = {
            "previous_timestamp": timestamps[0].isoformat(),
            "seconds": longest,
            "expected_seconds": expected,
        }
        return [Finding("counter.gap", timestamps[-1], evidence)]


def _is_removal_reading(point: Point, replacement: Replacement) -> bool:
    return point.value == replacement.old_final and point.value != replacement.new_initial


def _rate(interval: Interval) -> float:
    """Return the rate per second, or 0.0 for a suspect interval."""
    if interval.quality is Quality.SUSPECT:
        return 0.0
    return interval.quantity / _seconds(interval.start, interval.end)


def counter_intervals(
    points: Sequence[Point],
    rules: CounterRules,
    kind: ReadingKind = ReadingKind.CUMULATIVE,
    replacements: Sequence[Replacement] = (),
    previous: Sequence[Point] = (),
) -> CounterResult:
    """Difference register readings into intervals, explaining every drop.

    ``points`` may come in any order and are sorted by timestamp first. ``previous``
    are stored readings just before ``points``, all earlier than the first of them.
    They only provide context, and the first new reading gets an interval starting
    at the last of them. Raises ValueError on duplicate or naive timestamps, on
    non-finite values and when a previous reading is not earlier than every point.
    """
    counter = StreamingCounter(rules, kind, replacements, previous)
    result = counter.feed(points)
    result.extend(counter.close())
    return result


def interval_meter_intervals(
    points: Sequence[Point], convention: TimestampConvention, length: timedelta
) -> CounterResult:
    """Map interval-meter readings, each the quantity of one interval, onto time spans.

    A reading is labelled at the start or the end of its interval per ``convention``.
    Missing readings stay missing, so no interval is invented for a gap. A negative
    value is kept but marked SUSPECT with a blocking "interval.negative" finding.
    """
    if length <= timedelta(0):
        raise ValueError(f"Interval length must be positive, got {length}.")
    result = CounterResult()
    for point in _sorted_points(points, "reading"):
        if convention is TimestampConvention.INTERVAL_START:
            start, end = point.timestamp, point.timestamp + length
        else:
            start, end = point.timestamp - length, point.timestamp

        quality = Quality.MEASURED
        if point.value < 0:
            quality = Quality.SUSPECT
            evidence: dict[str, float | str] = {
                "value": point.value,
                "start": start.isoformat(),
                "end": end.isoformat(),
            }
            result.findings.append(Finding("interval.negative", point.timestamp, evidence, blocking=True))
        result.intervals.append(Interval(start, end, point.value, quality))
    return result
