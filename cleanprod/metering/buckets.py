"""Split consumption intervals into UTC hours or local days.

Hour buckets are keyed by the aware UTC start of the hour. Day buckets are keyed by
the local date in the site zone and cut at local midnights. A local day therefore
lasts 23 or 25 hours when DST changes, and it need not start on a UTC hour, because
Asia/Kolkata, for example, is UTC+05:30.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from cleanprod.metering.counters import Interval, Quality, local_midnight

_HOUR = timedelta(hours=1)


class Level(StrEnum):
    HOUR = "hour"
    DAY = "day"


@dataclass
class BucketTotal:
    """Consumption that falls into one bucket, by quality.

    ``quantity`` is measured plus estimated consumption and excludes suspect values.
    ``estimated`` is the part of ``quantity`` that is estimated at this level, which
    includes the pro rata shares of intervals that span several buckets.
    ``suspect`` is held for review and is not in ``quantity``.
    ``covered_seconds`` counts the seconds covered by intervals whose quantity is in
    ``quantity``. Seconds covered only by suspect intervals are in
    ``suspect_seconds``, so that a gap fill treats them as missing.
    """

    quantity: float = 0.0
    estimated: float = 0.0
    suspect: float = 0.0
    covered_seconds: float = 0.0
    suspect_seconds: float = 0.0

    def add(self, quantity: float, quality: Quality, seconds: float, split: bool) -> None:
        """Add one interval or one pro rata share of an interval."""
        if quality is Quality.SUSPECT:
            self.suspect += quantity
            self.suspect_seconds += seconds
            return
        self.quantity += quantity
        self.covered_seconds += seconds
        if split or quality is Quality.ESTIMATED:
            self.estimated += quantity


def local_day_bounds(day: date, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the UTC instants at which local date ``day`` starts and the next day starts."""
    return local_midnight(day, zone), local_midnight(day + timedelta(days=1), zone)


def bucket_bounds(key: datetime | date, level: Level, zone: ZoneInfo) -> tuple[datetime, datetime]:
    """Return the aware UTC start and end of the bucket ``key`` at ``level``.

    Raises ValueError for an hour key that is naive or not on a UTC hour, and
    TypeError when the key type does not match the level.
    """
    if level is Level.HOUR:
        if not isinstance(key, datetime):
            raise TypeError(f"Hour buckets are keyed by datetime, got the date {key}.")
        if key.tzinfo is None or key.utcoffset() is None:
            raise ValueError(f"Hour key {key.isoformat()} is naive. Use an aware UTC datetime.")
        start = key.astimezone(UTC)
        if start != _utc_hour_start(start):
            raise ValueError(f"Hour key {key.isoformat()} is not the start of a UTC hour.")
        return start, start + _HOUR

    if isinstance(key, datetime):
        raise TypeError(f"Day buckets are keyed by local date, got the datetime {key.isoformat()}.")
    return local_day_bounds(key, zone)


def bucket_seconds(key: datetime | date, level: Level, zone: ZoneInfo) -> float:
    """Return the length of a bucket in seconds.

    An hour is 3600 s. A local day is usually 86400 s, and 82800 s or 90000 s on the
    days when a one-hour DST shift happens.
    """
    start, end = bucket_bounds(key, level, zone)
    return (end - start).total_seconds()


def split_to_buckets(intervals: Iterable[Interval], level: Level, zone: ZoneInfo) -> dict[datetime | date, BucketTotal]:
    """Sum intervals into buckets, splitting those that span several buckets.

    An interval inside one bucket adds to it with its own quality. An interval that
    spans several buckets is split pro rata by time, and its shares count as
    estimated at this level because the real timing inside the interval is unknown.
    The shares add up to the interval quantity exactly, because the last share is
    the remainder. Returns the buckets in time order.
    """
    totals: dict[datetime | date, BucketTotal] = {}
    for interval in intervals:
        start = _interval_instant(interval.start)
        end = _interval_instant(interval.end)
        if end <= start:
            raise ValueError(f"Interval {start.isoformat()} to {end.isoformat()} does not end after it starts.")
        if not math.isfinite(interval.quantity):
            raise ValueError(
                f"Interval {start.isoformat()} to {end.isoformat()} has the non-finite quantity {interval.quantity}."
            )

        pieces = _bucket_pieces(start, end, level, zone)
        if len(pieces) == 1:
            key, seconds = pieces[0]
            _total_for(totals, key).add(interval.quantity, interval.quality, seconds, split=False)
            continue

        total_seconds = (end - start).total_seconds()
        remaining = interval.quantity
        for index, (key, seconds) in enumerate(pieces):
            if index == len(pieces) - 1:
                share = remaining
            else:
                share = interval.quantity * seconds / total_seconds
                remaining -= share
            _total_for(totals, key).add(share, interval.quality, seconds, split=True)

    return {key: totals[key] for key in sorted(totals, key=_sort_key)}


def gap_fill_estimate(measured: float, covered_seconds: float, total_seconds: float) -> float | None:
    """Estimate the consumption of the uncovered part of a bucket.

    The estimate is the mean rate over the covered seconds times the missing seconds.
    Returns None when nothing is covered, because no rate is known, and 0.0 when the
    bucket is fully covered. Raises ValueError when the seconds are negative or the
    covered seconds exceed the total, which means overlapping intervals.
    """
    if total_seconds <= 0:
        raise ValueError(f"total_seconds must be positive, got {total_seconds}.")
    if covered_seconds < 0:
        raise ValueError(f"covered_seconds must not be negative, got {covered_seconds}.")
    if covered_seconds > total_seconds:
        if not math.isclose(covered_seconds, total_seconds, rel_tol=1e-9):
            raise ValueError(
                f"covered_seconds {covered_seconds} exceeds total_seconds {total_seconds}, "
                "which means that the intervals overlap."
            )
        covered_seconds = total_seconds
    if covered_seconds == 0:
        return None
    return measured / covered_seconds * (total_seconds - covered_seconds)


def _interval_instant(instant: datetime) -> datetime:
    if instant.tzinfo is None or instant.utcoffset() is None:
        raise ValueError(f"Interval boundary {instant.isoformat()} is naive. Attach the zone it was recorded in.")
    return instant.astimezone(UTC)


def _utc_hour_start(instant: datetime) -> datetime:
    return instant.replace(minute=0, second=0, microsecond=0)


def _bucket_pieces(start: datetime, end: datetime, level: Level, zone: ZoneInfo) -> list[tuple[datetime | date, float]]:
    """Return each bucket that [start, end) overlaps, with the overlap in seconds."""
    pieces: list[tuple[datetime | date, float]] = []
    if level is Level.HOUR:
        hour = _utc_hour_start(start)
        while hour < end:
            overlap = min(end, hour + _HOUR) - max(start, hour)
            pieces.append((hour, overlap.total_seconds()))
            hour += _HOUR
        return pieces

    day = start.astimezone(zone).date()
    while True:
        day_start, day_end = local_day_bounds(day, zone)
        if day_start >= end:
            return pieces
        overlap = min(end, day_end) - max(start, day_start)
        if overlap > timedelta(0):  # skips a local date that a zone change removed
            pieces.append((day, overlap.total_seconds()))
        day += timedelta(days=1)


def _total_for(totals: dict[datetime | date, BucketTotal], key: datetime | date) -> BucketTotal:
    total = totals.get(key)
    if total is None:
        total = totals[key] = BucketTotal()
    return total


def _sort_key(key: datetime | date) -> float:
    """Order hour keys or day keys, which never mix in one result."""
    if isinstance(key, datetime):
        return key.timestamp()
    return key.toordinal()
