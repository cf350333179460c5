"""The direct bucketing in summarise() agrees with split_to_buckets in every zone."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cleanprod.metering.buckets import Level, split_to_buckets
from cleanprod.metering.counters import CounterResult, CounterRules, Interval, Quality, ReadingKind, TimestampConvention
from cleanprod.metering.services import MeterProfile, summarise


def profile_for(zone: str, scale: float = 1.0) -> MeterProfile:
    return MeterProfile(
        meter_id=1,
        kind=ReadingKind.CUMULATIVE,
        convention=TimestampConvention.INTERVAL_END,
        length=timedelta(minutes=15),
        rules=CounterRules(zone=ZoneInfo(zone)),
        replacements=(),
        zone=ZoneInfo(zone),
        scale=scale,
        is_rate=False,
    )


@pytest.mark.parametrize("zone", ["Europe/Berlin", "Asia/Kolkata", "America/Chicago", "Asia/Shanghai"])
def test_summarise_matches_split_to_buckets(zone):
    generator = random.Random(zone)
    # Around the 2024 spring-forward and fall-back changes of Europe and the US.
    cursor = datetime(2024, 3, 9, 20, tzinfo=UTC)
    intervals = []
    for _ in range(600):
        length = timedelta(minutes=generator.choice([15, 15, 15, 60, 95, 600]))
        quality = generator.choice([Quality.MEASURED, Quality.MEASURED, Quality.ESTIMATED, Quality.SUSPECT])
        intervals.append(Interval(cursor, cursor + length, generator.uniform(0, 10), quality))
        cursor += length
    profile = profile_for(zone, scale=0.001)

    summary = summarise(profile, CounterResult(intervals=intervals))

    scaled = [Interval(item.start, item.end, item.quantity * 0.001, item.quality) for item in intervals]
    levels: list[tuple[Level, dict]] = [(Level.HOUR, summary.hourly), (Level.DAY, summary.daily)]
    for level, got in levels:
        expected = split_to_buckets(scaled, level, ZoneInfo(zone))
        assert set(got) == set(expected)
        for key, total in expected.items():
            assert got[key].quantity == pytest.approx(total.quantity, abs=1e-9)
            assert got[key].estimated == pytest.approx(total.estimated, abs=1e-9)
            assert got[key].suspect == pytest.approx(total.suspect, abs=1e-9)
            assert got[key].covered_seconds == pytest.approx(total.covered_seconds)
