"""Derive interval consumption and rollups from stored readings.

Two paths produce the same result:
- `AppendState` derives rows while an import streams readings that are all later than the
  meter's stored ones (the usual monthly export), so rows are written once, complete.
- `rebuild_window` recomputes whole local days from the stored readings. Imports use it for
  late, out-of-order or replaced readings, and the tests compare the streamed path with it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db import connection

from . import store
from .buckets import BucketTotal, Level, bucket_seconds, local_day_bounds, split_to_buckets
from .counters import (
    LOOKBEHIND,
    CounterResult,
    CounterRules,
    Interval,
    Point,
    Quality,
    ReadingKind,
    Replacement,
    StreamingCounter,
    TimestampConvention,
    counter_intervals,
    interval_meter_intervals,
)
from .models import DailyRollup, Finding, Flag, HourlyRollup, Meter, Reading

QUALITY_CODES = {Quality.MEASURED: 0, Quality.ESTIMATED: 1, Quality.SUSPECT: 2}

# (consumption in canonical unit, quality code, interval seconds, event, flag)
Derived = tuple[float | None, int | None, int | None, str, int]
NOT_DERIVED: Derived = (None, None, None, "", Flag.OK)


@dataclass(frozen=True)
class MeterProfile:
    """Settings of one meter that differencing and unit conversion use."""

    meter_id: int
    kind: ReadingKind
    convention: TimestampConvention
    length: timedelta
    rules: CounterRules
    replacements: tuple[Replacement, ...]
    zone: ZoneInfo
    # canonical quantity = register quantity × scale, or × seconds × scale for rate meters (kW)
    scale: float
    is_rate: bool

    @classmethod
    def of(cls, meter: Meter) -> MeterProfile:
        zone = ZoneInfo(meter.site.time_zone)
        length = timedelta(minutes=meter.interval_minutes)
        rate = meter.rate_factor() if meter.reading_kind == ReadingKind.INTERVAL else None
        is_rate = rate is not None and not _is_direct(meter)
        replacements = tuple(
            Replacement(item.replaced_at, item.old_final_reading, item.new_initial_reading)
            for item in meter.replacements.all()
        )
        return cls(
            meter_id=meter.pk,
            kind=ReadingKind(meter.reading_kind),
            convention=TimestampConvention(meter.timestamp_convention),
            length=length,
            rules=CounterRules(expected_interval=length, rollover_value=meter.rollover_value, zone=zone),
            replacements=replacements,
            zone=zone,
            scale=rate if is_rate and rate is not None else meter.canonical_factor(),
            is_rate=is_rate,
        )

    def canonical(self, interval: Interval) -> Interval:
        quantity = interval.quantity * self.scale
        if self.is_rate:
            quantity *= (interval.end - interval.start).total_seconds()
        return dataclasses.replace(interval, quantity=quantity)

    def label(self, interval: Interval) -> datetime:
        """Return the timestamp of the reading an interval belongs to."""
        if self.kind is ReadingKind.INTERVAL and self.convention is TimestampConvention.INTERVAL_START:
            return interval.start
        return interval.end


def _is_direct(meter: Meter) -> bool:
    from cleanprod.resources.units import UnitError, conversion_factor

    try:
        conversion_factor(meter.unit, meter.resource.canonical_unit)
    except UnitError:
        return False
    return True


EPOCH_ORDINAL = date(1970, 1, 1).toordinal()


@dataclass
class BucketCache:
    """Per-import caches of UTC offsets and hour keys; a wide file repeats each instant per meter."""

    offsets: dict[tuple[str, float], int] = field(default_factory=dict)
    hours: dict[float, datetime] = field(default_factory=dict)
    aligned: dict[tuple[str, int, int, datetime], bool] = field(default_factory=dict)


@dataclass
class Summary:
    """Derived reading columns and bucket totals of one differencing result."""

    derived: dict[datetime, Derived] = field(default_factory=dict)
    hourly: dict[datetime, BucketTotal] = field(default_factory=dict)
    daily: dict[date, BucketTotal] = field(default_factory=dict)


def summarise(profile: MeterProfile, result: CounterResult, cache: BucketCache | None = None) -> Summary:
    """Convert a differencing result to canonical units, derived columns and bucket totals.

    An interval inside one UTC hour and one local day, the common case, is added directly.
    Any other interval goes through split_to_buckets, so both give the same totals.
    """
    cache = cache or BucketCache()
    summary = Summary()
    crossing: list[Interval] = []
    zone_key = profile.zone.key
    for interval in result.intervals:
        seconds_float = (interval.end - interval.start).total_seconds()
        quantity = interval.quantity * profile.scale
        if profile.is_rate:
            quantity *= seconds_float
        quality = interval.quality
        summary.derived[profile.label(interval)] = (
            quantity,
            QUALITY_CODES[quality],
            int(seconds_float),
            interval.event.value if interval.event else "",
            Flag.SUSPECT if quality is Quality.SUSPECT else Flag.OK,
        )
        start = interval.start.timestamp()
        end = interval.end.timestamp()
        hour = start - start % 3600
        start_day = _local_day_number(start, zone_key, profile.zone, cache)
        if end - hour > 3600 or _local_day_number(end - 1, zone_key, profile.zone, cache) != start_day:
            crossing.append(dataclasses.replace(interval, quantity=quantity))
            continue
        hour_key = cache.hours.get(hour)
        if hour_key is None:
            hour_key = cache.hours[hour] = datetime.fromtimestamp(hour, UTC)
        day_key = date.fromordinal(EPOCH_ORDINAL + start_day)
        for totals, key in ((summary.hourly, hour_key), (summary.daily, day_key)):
            total = totals.get(key)  # type: ignore[call-overload]
            if total is None:
                total = totals[key] = BucketTotal()  # type: ignore[index]
            total.add(quantity, quality, seconds_float, split=False)
    for stamp in result.suspect:
        summary.derived[stamp] = (None, QUALITY_CODES[Quality.SUSPECT], None, "glitch", Flag.SUSPECT)
    if crossing:
        for level, totals in ((Level.HOUR, summary.hourly), (Level.DAY, summary.daily)):
            for key, part in split_to_buckets(crossing, level, profile.zone).items():
                total = totals.get(key)  # type: ignore[call-overload]
                if total is None:
                    totals[key] = part  # type: ignore[index]
                else:
                    _merge(total, part)
    return summary


def _merge(total: BucketTotal, part: BucketTotal) -> None:
    total.quantity += part.quantity
    total.estimated += part.estimated
    total.suspect += part.suspect
    total.covered_seconds += part.covered_seconds
    total.suspect_seconds += part.suspect_seconds


def _local_day_number(epoch: float, zone_key: str, zone: ZoneInfo, cache: BucketCache) -> int:
    """Return the local date of an instant as days since 1970-01-01."""
    return int((epoch + _offset_seconds(epoch, zone_key, zone, cache)) // 86400)


def _offset_seconds(epoch: float, zone_key: str, zone: ZoneInfo, cache: BucketCache) -> int:
    offset = cache.offsets.get((zone_key, epoch))
    if offset is None:
        utc_offset = datetime.fromtimestamp(epoch, zone).utcoffset()
        offset = cache.offsets[(zone_key, epoch)] = int(utc_offset.total_seconds()) if utc_offset else 0
    return offset


def finding_rows(
    profile: MeterProfile, result: CounterResult
) -> list[tuple[int, datetime, str, dict[str, object], bool]]:
    return [
        (profile.meter_id, finding.timestamp, finding.code, dict(finding.evidence), finding.blocking)
        for finding in result.findings
    ]


def rollup_rows(
    profile: MeterProfile, summary: Summary, window: tuple[datetime, datetime] | None = None
) -> tuple[list[store.RollupRow], list[store.RollupRow], list[float]]:
    """Turn bucket totals into rollup rows, optionally only those inside a window."""
    hourly: list[store.RollupRow] = []
    for hour_key, total in sorted(summary.hourly.items()):
        if window and not (window[0] <= hour_key < window[1]):
            continue
        hourly.append(_rollup_row(profile.meter_id, hour_key, total))
    daily: list[store.RollupRow] = []
    day_seconds: list[float] = []
    for day_key, total in sorted(summary.daily.items()):
        if window and not (window[0] <= local_day_bounds(day_key, profile.zone)[0] < window[1]):
            continue
        daily.append(_rollup_row(profile.meter_id, day_key, total))
        day_seconds.append(bucket_seconds(day_key, Level.DAY, profile.zone))
    return hourly, daily, day_seconds


def _rollup_row(meter_id: int, key: datetime | date, total: BucketTotal) -> store.RollupRow:
    return (meter_id, key, total.quantity, total.estimated, total.suspect, total.covered_seconds)


@dataclass
class WriteBuffer:
    """Rows derived from one chunk of an import, written together.

    One COPY or executemany per table and chunk instead of one per meter keeps round trips
    to the database, which dominate on PostgreSQL, independent of the number of meters.
    """

    readings: list[store.ReadingRow] = field(default_factory=list)
    hourly: dict[tuple[int, datetime], BucketTotal] = field(default_factory=dict)
    daily: dict[tuple[int, date], tuple[BucketTotal, float]] = field(default_factory=dict)
    findings: list[tuple[int, datetime, str, dict[str, object], bool]] = field(default_factory=list)

    def add_buckets(self, profile: MeterProfile, summary: Summary) -> None:
        for hour_key, total in summary.hourly.items():
            existing = self.hourly.get((profile.meter_id, hour_key))
            if existing is None:
                self.hourly[(profile.meter_id, hour_key)] = total
            else:
                _merge(existing, total)
        for day_key, total in summary.daily.items():
            entry = self.daily.get((profile.meter_id, day_key))
            if entry is None:
                self.daily[(profile.meter_id, day_key)] = (total, bucket_seconds(day_key, Level.DAY, profile.zone))
            else:
                _merge(entry[0], total)

    def flush(self) -> None:
        store.insert_readings(self.readings)
        hourly = [_rollup_row(meter_id, key, total) for (meter_id, key), total in sorted(self.hourly.items())]
        store.add_rollups("metering_hourlyrollup", "hour_start", hourly)
        daily_items = sorted(self.daily.items())
        daily = [_rollup_row(meter_id, key, total) for (meter_id, key), (total, _) in daily_items]
        store.add_rollups("metering_dailyrollup", "day", daily, [seconds for _, (_, seconds) in daily_items])
        store.insert_findings(self.findings)
        self.readings = []
        self.hourly = {}
        self.daily = {}
        self.findings = []


@dataclass
class AppendState:
    """Streaming derivation for one meter whose new readings all follow its stored ones."""

    profile: MeterProfile
    batch_id: int | None
    buffer: WriteBuffer
    cache: BucketCache = field(default_factory=BucketCache)
    counter: StreamingCounter | None = None
    waiting: dict[datetime, float] = field(default_factory=dict)  # fed but not yet final
    # PostgreSQL only: rows whose rollups the database aggregates after the import (see
    # aggregate_rollups_in_database), because per-row work in Python costs more than COPY.
    database_rollups: bool = False
    lean_span: tuple[datetime, datetime] | None = None
    lean_broken: bool = False

    @classmethod
    def start(
        cls, profile: MeterProfile, batch_id: int | None, buffer: WriteBuffer, cache: BucketCache | None = None
    ) -> AppendState:
        state = cls(profile, batch_id, buffer, cache or BucketCache())
        seconds = profile.length.total_seconds()
        state.database_rollups = (
            store.is_postgresql() and profile.kind is ReadingKind.INTERVAL and seconds <= 3600 and 3600 % seconds == 0
        )
        if profile.kind is not ReadingKind.INTERVAL:
            state.counter = StreamingCounter(
                profile.rules, profile.kind, profile.replacements, previous=stored_context(profile.meter_id, None)
            )
        return state

    def feed(self, pairs: Sequence[tuple[datetime, float]]) -> None:
        """Derive readings given as (UTC timestamp, value) pairs in time order."""
        if self.database_rollups and not self.lean_broken:
            rows = self._lean_rows(pairs)
            if rows is not None:
                self.buffer.readings.extend(rows)
                return
            # Rollups of the rows written so far must now come from a rebuild of their days.
            self.lean_broken = True
        points = [Point(stamp, value) for stamp, value in pairs]
        if self.counter is None:
            result = interval_meter_intervals(points, self.profile.convention, self.profile.length)
            self._write(result, {point.timestamp: point.value for point in points})
            return
        for point in points:
            self.waiting[point.timestamp] = point.value
        result = self.counter.feed(points)
        self._release(result)

    def close(self) -> None:
        if self.counter is not None:
            self._release(self.counter.close())

    def _lean_rows(self, pairs: Sequence[tuple[datetime, float]]) -> list[store.ReadingRow] | None:
        """Return reading rows with derived columns, or None unless every interval is simple.

        Simple means a non-negative value whose interval lies inside one UTC hour and one
        local day, so the database can aggregate rollups with GROUP BY and get what
        summarise() gets.
        """
        profile = self.profile
        length = int(profile.length.total_seconds())
        shift = length if profile.convention is TimestampConvention.INTERVAL_END else 0
        scale = profile.scale * (length if profile.is_rate else 1)
        zone_key = profile.zone.key
        aligned = self.cache.aligned
        rows: list[store.ReadingRow] = []
        for stamp, value in pairs:
            if value < 0:
                return None
            key = (zone_key, length, shift, stamp)
            simple = aligned.get(key)
            if simple is None:
                start = stamp.timestamp() - shift
                local_start = start + _offset_seconds(start, zone_key, profile.zone, self.cache)
                local_end = start + length - 1 + _offset_seconds(start + length - 1, zone_key, profile.zone, self.cache)
                simple = aligned[key] = start % length == 0 and local_start // 86400 == local_end // 86400
            if not simple:
                return None
            rows.append((profile.meter_id, stamp, value, Flag.OK, self.batch_id, value * scale, 0, length, ""))
        if rows:
            first, last = rows[0][1], rows[-1][1]
            span = self.lean_span
            self.lean_span = (first, last) if span is None else (min(span[0], first), max(span[1], last))
        return rows

    def _release(self, result: CounterResult) -> None:
        assert self.counter is not None
        undecided = {point.timestamp for point in self.counter.pending}
        final = {stamp: value for stamp, value in self.waiting.items() if stamp not in undecided}
        for stamp in final:
            del self.waiting[stamp]
        self._write(result, final)

    def _write(self, result: CounterResult, values: dict[datetime, float]) -> None:
        summary = summarise(self.profile, result, self.cache)
        derived = summary.derived
        self.buffer.readings.extend(
            (self.profile.meter_id, stamp, value, *_flag_and_batch(derived.get(stamp, NOT_DERIVED), self.batch_id))
            for stamp, value in values.items()
        )
        self.buffer.add_buckets(self.profile, summary)
        self.buffer.findings.extend(finding_rows(self.profile, result))


# Rows of one import whose rollups the database aggregates; parameters: meter ids, batch id,
# first and last timestamp.
_LEAN_ROWS = "meter_id = ANY(%s) AND batch_id = %s AND timestamp BETWEEN %s AND %s AND consumption IS NOT NULL"
# Parameter before the rows: seconds from the reading's label back to its interval start.
_HOURLY_FROM_READINGS = (
    "INSERT INTO metering_hourlyrollup (meter_id, hour_start, quantity, estimated, suspect, covered_seconds) "  # noqa: S608  (constant text, no user input)
    "SELECT meter_id, date_trunc('hour', timestamp - make_interval(secs => %s)), SUM(consumption), 0, 0, "
    "SUM(period_seconds) FROM metering_reading WHERE " + _LEAN_ROWS + " GROUP BY 1, 2 "
    "ON CONFLICT (meter_id, hour_start) DO UPDATE SET "
    "quantity = metering_hourlyrollup.quantity + excluded.quantity, "
    "covered_seconds = metering_hourlyrollup.covered_seconds + excluded.covered_seconds"
)
# Parameters before the rows: zone, zone (day length), seconds back to interval start, zone.
_DAILY_FROM_READINGS = (
    "INSERT INTO metering_dailyrollup (meter_id, day, quantity, estimated, suspect, covered_seconds, day_seconds) "  # noqa: S608
    "SELECT meter_id, local_day, SUM(consumption), 0, 0, SUM(period_seconds), "
    "EXTRACT(EPOCH FROM ((local_day + 1)::timestamp AT TIME ZONE %s) - (local_day::timestamp AT TIME ZONE %s)) "
    "FROM (SELECT meter_id, consumption, period_seconds, "
    "((timestamp - make_interval(secs => %s)) AT TIME ZONE %s)::date AS local_day "
    "FROM metering_reading WHERE " + _LEAN_ROWS + ") AS intervals GROUP BY meter_id, local_day "
    "ON CONFLICT (meter_id, day) DO UPDATE SET "
    "quantity = metering_dailyrollup.quantity + excluded.quantity, "
    "covered_seconds = metering_dailyrollup.covered_seconds + excluded.covered_seconds"
)


def aggregate_rollups_in_database(batch_id: int, states: Sequence[AppendState]) -> None:
    """Add the rollups of rows that AppendState wrote without them, aggregated in PostgreSQL.

    Only rows of this batch inside each meter's lean span count. Every such interval lies in
    one UTC hour and one local day, so GROUP BY gives the same totals as summarise().
    """
    # One statement per group of meters with the same interval start offset and zone.
    groups: dict[tuple[int, str], list[AppendState]] = {}
    for state in states:
        if state.lean_span is None or state.lean_broken:
            continue
        profile = state.profile
        shift = int(profile.length.total_seconds()) if profile.convention is TimestampConvention.INTERVAL_END else 0
        groups.setdefault((shift, profile.zone.key), []).append(state)
    for (shift, zone), members in groups.items():
        spans = [member.lean_span for member in members if member.lean_span is not None]
        rows: list[Any] = [
            [member.profile.meter_id for member in members],
            batch_id,
            min(span[0] for span in spans),
            max(span[1] for span in spans),
        ]
        with connection.cursor() as cursor:
            cursor.execute(_HOURLY_FROM_READINGS, [shift, *rows])
            cursor.execute(_DAILY_FROM_READINGS, [zone, zone, shift, zone, *rows])


def _flag_and_batch(
    derived: Derived, batch_id: int | None
) -> tuple[int, int | None, float | None, int | None, int | None, str]:
    consumption, quality, seconds, event, flag = derived
    return (flag, batch_id, consumption, quality, seconds, event)


def stored_context(meter_id: int, before: datetime | None) -> list[Point]:
    """Return the accepted stored readings just before `before` (or the latest ones)."""
    readings = Reading.objects.filter(meter_id=meter_id, flag=Flag.OK)
    if before is not None:
        readings = readings.filter(timestamp__lte=before)
    latest = readings.order_by("-timestamp").values_list("timestamp", "value")[: LOOKBEHIND + 1]
    return [Point(stamp.astimezone(UTC), value) for stamp, value in reversed(list(latest))]


def rebuild_window(meter: Meter, start: datetime, end: datetime) -> None:
    """Recompute derived columns, rollups and findings for the local days touching [start, end]."""
    profile = MeterProfile.of(meter)
    first_day = start.astimezone(profile.zone).date()
    last_day = end.astimezone(profile.zone).date()
    window_start = local_day_bounds(first_day, profile.zone)[0]
    window_end = local_day_bounds(last_day, profile.zone)[1]

    # The interval that crosses the end of the window changes the next day too, so the
    # window grows to the day in which the first reading after it falls.
    following = Reading.objects.filter(meter=meter, timestamp__gte=window_end).order_by("timestamp")
    first_after = following.values_list("timestamp", flat=True).first()
    if first_after is not None and profile.kind is not ReadingKind.INTERVAL:
        last_day = max(last_day, first_after.astimezone(profile.zone).date())
        window_end = local_day_bounds(last_day, profile.zone)[1]

    lookahead = profile.rules.glitch_readings + 1
    inside = Reading.objects.filter(meter=meter, timestamp__gt=window_start - profile.length, timestamp__lte=window_end)
    points = [
        Point(stamp.astimezone(UTC), value)
        for stamp, value in inside.order_by("timestamp").values_list("timestamp", "value")
    ]
    after = Reading.objects.filter(meter=meter, timestamp__gt=window_end).order_by("timestamp")
    tail = [Point(stamp.astimezone(UTC), value) for stamp, value in after.values_list("timestamp", "value")[:lookahead]]

    if profile.kind is ReadingKind.INTERVAL:
        result = interval_meter_intervals(points + tail[:1], profile.convention, profile.length)
        to_update = {point.timestamp for point in points}
    else:
        context = stored_context(meter.pk, window_start)
        inside_points = [point for point in points if point.timestamp > window_start]
        result = counter_intervals(inside_points + tail, profile.rules, profile.kind, profile.replacements, context)
        to_update = {point.timestamp for point in inside_points}

    summary = summarise(profile, result)
    derived = summary.derived
    store.update_derived((*derived.get(stamp, NOT_DERIVED), meter.pk, _db_time(stamp)) for stamp in sorted(to_update))
    hourly, daily, day_seconds = rollup_rows(profile, summary, (window_start, window_end))
    HourlyRollup.objects.filter(meter=meter, hour_start__gte=window_start, hour_start__lt=window_end).delete()
    DailyRollup.objects.filter(meter=meter, day__gte=first_day, day__lte=last_day).delete()
    store.add_rollups("metering_hourlyrollup", "hour_start", hourly)
    store.add_rollups("metering_dailyrollup", "day", daily, day_seconds)
    Finding.objects.filter(meter=meter, status="open", timestamp__gt=window_start, timestamp__lte=window_end).exclude(
        code__startswith="import."
    ).delete()
    findings = [row for row in finding_rows(profile, result) if window_start < row[1] <= window_end]
    store.insert_findings(findings)


def _db_time(stamp: datetime) -> object:
    return connection.ops.adapt_datetimefield_value(stamp)


def rebuild_meter(meter: Meter) -> None:
    """Recompute everything derived for one meter from its readings."""
    span = Reading.objects.filter(meter=meter).order_by("timestamp").values_list("timestamp", flat=True)
    first = span.first()
    last = Reading.objects.filter(meter=meter).order_by("-timestamp").values_list("timestamp", flat=True).first()
    if first is None or last is None:
        HourlyRollup.objects.filter(meter=meter).delete()
        DailyRollup.objects.filter(meter=meter).delete()
        return
    rebuild_window(meter, first, last)
