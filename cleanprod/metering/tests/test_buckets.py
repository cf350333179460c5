"""Tests for splitting intervals into UTC hours and local days (no database)."""

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cleanprod.metering.buckets import (
    BucketTotal,
    Level,
    bucket_bounds,
    bucket_seconds,
    gap_fill_estimate,
    local_day_bounds,
    split_to_buckets,
)
from cleanprod.metering.counters import (
    CounterRules,
    Interval,
    Point,
    Quality,
    TimestampConvention,
    counter_intervals,
    interval_meter_intervals,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
CHICAGO = ZoneInfo("America/Chicago")
KOLKATA = ZoneInfo("Asia/Kolkata")
HOUR = timedelta(hours=1)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def local(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def hourly(start: datetime, values: list[float], quality: Quality = Quality.MEASURED) -> list[Interval]:
    return [Interval(start + i * HOUR, start + (i + 1) * HOUR, value, quality) for i, value in enumerate(values)]


def total_quantity(buckets: dict[datetime | date, BucketTotal]) -> float:
    return sum(bucket.quantity for bucket in buckets.values())


# Missing intervals and gap filling


def test_day_with_missing_hours_is_filled_from_mean() -> None:
    """Hourly interval data with hours 08 to 11 missing and 10.0 kWh in each other hour.

    The day must not show 200.0 as complete: 40.0 kWh are estimated for the gap.
    """
    day_start = local("2024-03-05 00:00")
    points = [Point(day_start + hour * HOUR, 10.0) for hour in range(24) if not 8 <= hour <= 11]
    intervals = interval_meter_intervals(points, TimestampConvention.INTERVAL_START, HOUR).intervals

    buckets = split_to_buckets(intervals, Level.DAY, SHANGHAI)

    day = buckets[date(2024, 3, 5)]
    assert list(buckets) == [date(2024, 3, 5)]
    assert day.quantity == pytest.approx(200.0)
    assert day.estimated == 0.0
    assert day.covered_seconds == 20 * 3600
    total_seconds = bucket_seconds(date(2024, 3, 5), Level.DAY, SHANGHAI)
    assert total_seconds == 86400
    assert day.covered_seconds / total_seconds == pytest.approx(20 / 24)
    assert day.covered_seconds < total_seconds
    fill = gap_fill_estimate(day.quantity, day.covered_seconds, total_seconds)
    assert fill == pytest.approx(40.0)
    assert fill is not None
    assert day.quantity + fill == pytest.approx(240.0)


def test_counter_gap_keeps_day_exact_and_estimates_hours() -> None:
    """Cumulative counter from 5000.0 to 5243.0 kWh with readings 08:00 to 11:00 missing.

    The day total is exact and not estimated. Only the hours inside the gap
    (07:00 to 12:00, one interval) are split evenly and flagged as estimated.
    """
    day_start = local("2024-03-05 00:00")
    readings = [Point(day_start + hour * HOUR, 5000.0 + 10.0 * hour) for hour in range(8)]
    readings += [Point(day_start + hour * HOUR, 5123.0 + 10.0 * (hour - 12)) for hour in range(12, 25)]
    assert readings[0].value == 5000.0
    assert readings[-1].value == 5243.0
    result = counter_intervals(readings, CounterRules(expected_interval=HOUR))

    days = split_to_buckets(result.intervals, Level.DAY, SHANGHAI)
    hours = split_to_buckets(result.intervals, Level.HOUR, SHANGHAI)

    day = days[date(2024, 3, 5)]
    assert day.quantity == pytest.approx(243.0)
    assert day.estimated == 0.0
    assert day.covered_seconds == 86400

    gap_hours = [local(f"2024-03-05 {hour:02d}:00").astimezone(UTC) for hour in range(7, 12)]
    assert len(hours) == 24
    for key, bucket in hours.items():
        assert bucket.quantity >= 0
        if key in gap_hours:
            assert bucket.quantity == pytest.approx(10.6)
            assert bucket.estimated == pytest.approx(10.6)
        else:
            assert bucket.quantity == pytest.approx(10.0)
            assert bucket.estimated == 0.0
    assert total_quantity(hours) == pytest.approx(243.0)


@pytest.mark.parametrize(
    ("measured", "covered", "total", "expected"),
    [
        (200.0, 72000.0, 86400.0, 40.0),
        (200.0, 86400.0, 86400.0, 0.0),
        (0.0, 3600.0, 86400.0, 0.0),
        (5.0, 1800.0, 3600.0, 5.0),
        (230.0, 82800.0, 90000.0, 20.0),
    ],
)
def test_gap_fill_estimate_is_mean_rate_times_missing(
    measured: float, covered: float, total: float, expected: float
) -> None:
    assert gap_fill_estimate(measured, covered, total) == pytest.approx(expected)


def test_gap_fill_estimate_is_none_when_nothing_covered() -> None:
    assert gap_fill_estimate(0.0, 0.0, 86400.0) is None


def test_gap_fill_estimate_tolerates_rounding_at_full_coverage() -> None:
    assert gap_fill_estimate(10.0, 3600.0000000001, 3600.0) == 0.0


@pytest.mark.parametrize(
    ("covered", "total", "message"),
    [
        (-1.0, 3600.0, "must not be negative"),
        (3600.0, 0.0, "must be positive"),
        (7200.0, 3600.0, "exceeds"),
    ],
)
def test_gap_fill_estimate_rejects_invalid_seconds(covered: float, total: float, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        gap_fill_estimate(1.0, covered, total)


# Site zone days


def c11_intervals() -> list[Interval]:
    """Hourly kWh with UTC timestamps for two local days in Asia/Shanghai.

    Local 2024-03-01 is a production day: 10 kWh/h until 08:00, 50 kWh/h until 20:00,
    then 10 kWh/h. Local 2024-03-02 is a shutdown day at 5 kWh/h.
    """
    first_day = [10.0] * 8 + [50.0] * 12 + [10.0] * 4
    second_day = [5.0] * 24
    return hourly(utc(2024, 2, 29, 16), first_day + second_day)


def test_daily_totals_cut_at_site_midnight() -> None:
    buckets = split_to_buckets(c11_intervals(), Level.DAY, SHANGHAI)

    assert list(buckets) == [date(2024, 3, 1), date(2024, 3, 2)]
    assert buckets[date(2024, 3, 1)].quantity == pytest.approx(720.0)
    assert buckets[date(2024, 3, 2)].quantity == pytest.approx(120.0)
    assert buckets[date(2024, 3, 1)].estimated == 0.0


def test_daily_totals_are_not_utc_days() -> None:
    """A UTC-day grouping reports 680 kWh for 2024-03-01, which is wrong for the site."""
    site_days = split_to_buckets(c11_intervals(), Level.DAY, SHANGHAI)
    utc_days = split_to_buckets(c11_intervals(), Level.DAY, ZoneInfo("UTC"))

    assert utc_days[date(2024, 3, 1)].quantity == pytest.approx(680.0)
    assert site_days[date(2024, 3, 1)].quantity != pytest.approx(680.0)


@pytest.mark.parametrize(
    ("zone", "day", "seconds"),
    [
        (BERLIN, date(2024, 3, 31), 82800),
        (BERLIN, date(2024, 10, 27), 90000),
        (BERLIN, date(2024, 6, 1), 86400),
        (CHICAGO, date(2024, 3, 10), 82800),
        (CHICAGO, date(2024, 11, 3), 90000),
        (KOLKATA, date(2024, 3, 31), 86400),
        (SHANGHAI, date(2024, 3, 31), 86400),
        (ZoneInfo("America/Santiago"), date(2024, 9, 8), 82800),
    ],
)
def test_local_day_length(zone: ZoneInfo, day: date, seconds: int) -> None:
    assert bucket_seconds(day, Level.DAY, zone) == seconds


@pytest.mark.parametrize(
    ("zone", "day", "start", "end"),
    [
        (BERLIN, date(2024, 3, 31), utc(2024, 3, 30, 23), utc(2024, 3, 31, 22)),
        (BERLIN, date(2024, 10, 27), utc(2024, 10, 26, 22), utc(2024, 10, 27, 23)),
        (CHICAGO, date(2024, 3, 10), utc(2024, 3, 10, 6), utc(2024, 3, 11, 5)),
        (CHICAGO, date(2024, 11, 3), utc(2024, 11, 3, 5), utc(2024, 11, 4, 6)),
        (KOLKATA, date(2024, 3, 1), utc(2024, 2, 29, 18, 30), utc(2024, 3, 1, 18, 30)),
    ],
)
def test_local_day_bounds(zone: ZoneInfo, day: date, start: datetime, end: datetime) -> None:
    bounds = local_day_bounds(day, zone)

    assert bounds == (start, end)
    assert bounds[0].tzinfo is UTC
    assert bucket_bounds(day, Level.DAY, zone) == (start, end)


@pytest.mark.parametrize(
    ("zone", "first_day", "day_hours"),
    [
        (BERLIN, date(2024, 3, 30), [24, 23, 24]),
        (BERLIN, date(2024, 10, 26), [24, 25, 24]),
        (CHICAGO, date(2024, 3, 9), [24, 23, 24]),
        (CHICAGO, date(2024, 11, 2), [24, 25, 24]),
    ],
)
def test_dst_days_preserve_hourly_sums(zone: ZoneInfo, first_day: date, day_hours: list[int]) -> None:
    """One kWh per UTC hour over three local days around a DST change."""
    start, _ = local_day_bounds(first_day, zone)
    hours = sum(day_hours)
    intervals = hourly(start, [1.0] * hours)

    buckets = split_to_buckets(intervals, Level.DAY, zone)

    days = [first_day + timedelta(days=offset) for offset in range(3)]
    assert list(buckets) == days
    for day, expected in zip(days, day_hours, strict=True):
        assert buckets[day].quantity == pytest.approx(expected)
        assert buckets[day].covered_seconds == expected * 3600
        assert buckets[day].estimated == 0.0
    assert total_quantity(buckets) == pytest.approx(hours)


def test_autumn_fold_fills_25_hour_day() -> None:
    """Interval meter labelled in Berlin local time, with the repeated hour twice."""
    start = datetime(2024, 10, 27, 0, 0, tzinfo=BERLIN)
    labels = [(start.astimezone(UTC) + timedelta(minutes=15 * i)).astimezone(BERLIN) for i in range(100)]
    points = [Point(label, 0.25) for label in labels]
    intervals = interval_meter_intervals(points, TimestampConvention.INTERVAL_START, timedelta(minutes=15)).intervals

    buckets = split_to_buckets(intervals, Level.DAY, BERLIN)

    assert list(buckets) == [date(2024, 10, 27)]
    assert buckets[date(2024, 10, 27)].quantity == pytest.approx(25.0)
    assert buckets[date(2024, 10, 27)].covered_seconds == 90000


def test_half_hour_zone_splits_utc_hours_between_days() -> None:
    """Asia/Kolkata days start at 18:30 UTC, in the middle of a UTC hour."""
    intervals = hourly(utc(2024, 3, 1, 0), [1.0] * 24)

    days = split_to_buckets(intervals, Level.DAY, KOLKATA)
    hours = split_to_buckets(intervals, Level.HOUR, KOLKATA)

    assert days[date(2024, 3, 1)].quantity == pytest.approx(18.5)
    assert days[date(2024, 3, 2)].quantity == pytest.approx(5.5)
    assert days[date(2024, 3, 1)].estimated == pytest.approx(0.5)
    assert days[date(2024, 3, 2)].estimated == pytest.approx(0.5)
    assert total_quantity(days) == pytest.approx(24.0)
    assert len(hours) == 24
    assert all(bucket.estimated == 0.0 for bucket in hours.values())


def test_hour_keys_are_utc_hour_starts() -> None:
    intervals = hourly(local("2024-03-01 08:00", KOLKATA), [1.0, 1.0])

    buckets = split_to_buckets(intervals, Level.HOUR, KOLKATA)

    assert list(buckets) == [utc(2024, 3, 1, 2), utc(2024, 3, 1, 3), utc(2024, 3, 1, 4)]
    assert all(key.tzinfo is UTC for key in buckets if isinstance(key, datetime))
    assert [b.quantity for b in buckets.values()] == pytest.approx([0.5, 1.0, 0.5])


# Timestamp labels


@pytest.mark.parametrize(
    ("convention", "hour"),
    [
        (TimestampConvention.INTERVAL_START, utc(2024, 3, 1, 2)),
        (TimestampConvention.INTERVAL_END, utc(2024, 3, 1, 1)),
    ],
)
def test_label_convention_decides_the_hour(convention: TimestampConvention, hour: datetime) -> None:
    """A quarter-hour value labelled 10:00 Shanghai time (02:00 UTC)."""
    points = [Point(local("2024-03-01 10:00"), 2.5)]
    intervals = interval_meter_intervals(points, convention, timedelta(minutes=15)).intervals

    buckets = split_to_buckets(intervals, Level.HOUR, SHANGHAI)

    assert list(buckets) == [hour]
    assert buckets[hour].quantity == 2.5
    assert buckets[hour].estimated == 0.0


def test_label_convention_decides_the_day() -> None:
    """An hourly value labelled at local midnight belongs to the day it starts or ends."""
    points = [Point(local("2024-03-02 00:00"), 4.0)]

    start_labelled = interval_meter_intervals(points, TimestampConvention.INTERVAL_START, HOUR)
    end_labelled = interval_meter_intervals(points, TimestampConvention.INTERVAL_END, HOUR)

    assert list(split_to_buckets(start_labelled.intervals, Level.DAY, SHANGHAI)) == [date(2024, 3, 2)]
    assert list(split_to_buckets(end_labelled.intervals, Level.DAY, SHANGHAI)) == [date(2024, 3, 1)]


# Qualities and pro rata splits


def test_interval_in_one_bucket_keeps_its_quality() -> None:
    intervals = [
        Interval(utc(2024, 3, 1, 10), utc(2024, 3, 1, 10, 30), 2.0, Quality.MEASURED),
        Interval(utc(2024, 3, 1, 10, 30), utc(2024, 3, 1, 10, 45), 3.0, Quality.ESTIMATED),
        Interval(utc(2024, 3, 1, 10, 45), utc(2024, 3, 1, 11), 7.0, Quality.SUSPECT),
    ]

    bucket = split_to_buckets(intervals, Level.HOUR, SHANGHAI)[utc(2024, 3, 1, 10)]

    assert bucket.quantity == pytest.approx(5.0)
    assert bucket.estimated == pytest.approx(3.0)
    assert bucket.suspect == pytest.approx(7.0)
    assert bucket.covered_seconds == 2700
    assert bucket.suspect_seconds == 900


def test_spanning_interval_is_split_pro_rata_as_estimated() -> None:
    interval = Interval(utc(2024, 3, 1, 10, 30), utc(2024, 3, 1, 12, 30), 60.0, Quality.MEASURED)

    buckets = split_to_buckets([interval], Level.HOUR, SHANGHAI)

    assert list(buckets) == [utc(2024, 3, 1, 10), utc(2024, 3, 1, 11), utc(2024, 3, 1, 12)]
    assert [b.quantity for b in buckets.values()] == pytest.approx([15.0, 30.0, 15.0])
    assert [b.estimated for b in buckets.values()] == pytest.approx([15.0, 30.0, 15.0])
    assert [b.covered_seconds for b in buckets.values()] == [1800, 3600, 1800]


def test_spanning_suspect_interval_goes_to_suspect_only() -> None:
    interval = Interval(utc(2024, 3, 1, 10), utc(2024, 3, 1, 12), 8.0, Quality.SUSPECT)

    buckets = split_to_buckets([interval], Level.HOUR, SHANGHAI)

    assert [b.suspect for b in buckets.values()] == pytest.approx([4.0, 4.0])
    assert all(b.quantity == 0.0 for b in buckets.values())
    assert all(b.estimated == 0.0 for b in buckets.values())
    assert all(b.covered_seconds == 0.0 for b in buckets.values())


def test_interval_ending_on_boundary_stays_in_one_bucket() -> None:
    interval = Interval(utc(2024, 3, 1, 10), utc(2024, 3, 1, 11), 4.0, Quality.MEASURED)

    buckets = split_to_buckets([interval], Level.HOUR, SHANGHAI)

    assert list(buckets) == [utc(2024, 3, 1, 10)]
    assert buckets[utc(2024, 3, 1, 10)].estimated == 0.0


def test_counter_interval_across_midnight_is_estimated_per_day() -> None:
    interval = Interval(local("2024-03-01 23:00"), local("2024-03-02 01:00"), 6.0, Quality.MEASURED)

    buckets = split_to_buckets([interval], Level.DAY, SHANGHAI)

    assert buckets[date(2024, 3, 1)].quantity == pytest.approx(3.0)
    assert buckets[date(2024, 3, 1)].estimated == pytest.approx(3.0)
    assert buckets[date(2024, 3, 2)].quantity == pytest.approx(3.0)


def test_year_long_interval_keeps_its_sum() -> None:
    interval = Interval(local("2024-01-01 00:00"), local("2025-01-01 00:00"), 1000.0, Quality.MEASURED)

    days = split_to_buckets([interval], Level.DAY, SHANGHAI)
    hours = split_to_buckets([interval], Level.HOUR, SHANGHAI)

    assert len(days) == 366
    assert len(hours) == 366 * 24
    assert total_quantity(days) == pytest.approx(1000.0)
    assert total_quantity(hours) == pytest.approx(1000.0)
    assert days[date(2024, 2, 29)].quantity == pytest.approx(1000.0 / 366)


def test_buckets_are_returned_in_time_order() -> None:
    intervals = hourly(utc(2024, 3, 1, 0), [1.0, 2.0, 3.0])
    intervals.reverse()

    buckets = split_to_buckets(intervals, Level.HOUR, SHANGHAI)

    assert list(buckets) == [utc(2024, 3, 1, 0), utc(2024, 3, 1, 1), utc(2024, 3, 1, 2)]


def test_empty_intervals_give_no_buckets() -> None:
    assert split_to_buckets([], Level.DAY, SHANGHAI) == {}


def test_negative_suspect_interval_is_not_in_quantity() -> None:
    interval = Interval(utc(2024, 3, 1, 10), utc(2024, 3, 1, 10, 15), -0.4, Quality.SUSPECT)

    bucket = split_to_buckets([interval], Level.HOUR, SHANGHAI)[utc(2024, 3, 1, 10)]

    assert bucket.quantity == 0.0
    assert bucket.suspect == -0.4


# Invalid input


@pytest.mark.parametrize(
    ("start", "end"),
    [
        (utc(2024, 3, 1, 10), utc(2024, 3, 1, 10)),
        (utc(2024, 3, 1, 11), utc(2024, 3, 1, 10)),
    ],
)
def test_interval_without_duration_raises(start: datetime, end: datetime) -> None:
    with pytest.raises(ValueError, match="does not end after it starts"):
        split_to_buckets([Interval(start, end, 1.0, Quality.MEASURED)], Level.HOUR, SHANGHAI)


def test_naive_interval_raises() -> None:
    naive = datetime(2024, 3, 1, 10)  # naive on purpose
    interval = Interval(naive, naive + HOUR, 1.0, Quality.MEASURED)

    with pytest.raises(ValueError, match="naive"):
        split_to_buckets([interval], Level.HOUR, SHANGHAI)


def test_non_finite_quantity_raises() -> None:
    interval = Interval(utc(2024, 3, 1, 10), utc(2024, 3, 1, 11), float("nan"), Quality.MEASURED)

    with pytest.raises(ValueError, match="non-finite"):
        split_to_buckets([interval], Level.HOUR, SHANGHAI)


def test_hour_bounds_accept_other_zones() -> None:
    key = local("2024-03-01 10:00")  # 02:00 UTC

    assert bucket_bounds(key, Level.HOUR, SHANGHAI) == (utc(2024, 3, 1, 2), utc(2024, 3, 1, 3))
    assert bucket_seconds(key, Level.HOUR, SHANGHAI) == 3600


def test_hour_bounds_reject_key_off_utc_hour() -> None:
    with pytest.raises(ValueError, match="not the start of a UTC hour"):
        bucket_bounds(local("2024-03-01 10:00", KOLKATA), Level.HOUR, KOLKATA)


def test_hour_bounds_reject_naive_key() -> None:
    with pytest.raises(ValueError, match="naive"):
        bucket_bounds(datetime(2024, 3, 1, 10), Level.HOUR, SHANGHAI)


@pytest.mark.parametrize(
    ("key", "level"),
    [(date(2024, 3, 1), Level.HOUR), (utc(2024, 3, 1), Level.DAY)],
)
def test_bucket_key_type_must_match_level(key: datetime | date, level: Level) -> None:
    with pytest.raises(TypeError, match="keyed by"):
        bucket_bounds(key, level, SHANGHAI)
