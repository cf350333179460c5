"""Tests for differencing meter readings into intervals (no database)."""

import json
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from cleanprod.metering.counters import (
    LOOKBEHIND,
    CounterResult,
    CounterRules,
    Event,
    Interval,
    Point,
    Quality,
    ReadingKind,
    Replacement,
    StreamingCounter,
    TimestampConvention,
    counter_intervals,
    interval_meter_intervals,
    local_midnight,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
BERLIN = ZoneInfo("Europe/Berlin")
MODULUS_23_BIT = 838860.8  # 2**23 steps of 0.1 Wh


def at(text: str, zone: ZoneInfo = SHANGHAI) -> datetime:
    """Parse 'YYYY-MM-DD HH:MM' as local time in ``zone``."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


def series(rows: list[tuple[str, float]], zone: ZoneInfo = SHANGHAI) -> list[Point]:
    return [Point(at(text, zone), value) for text, value in rows]


def quarter_hours(start: datetime, values: list[float]) -> list[Point]:
    return [Point(start + timedelta(minutes=15 * i), value) for i, value in enumerate(values)]


def quantities(result: CounterResult) -> list[float]:
    return [interval.quantity for interval in result.intervals]


def codes(result: CounterResult) -> list[str]:
    return [finding.code for finding in result.findings]


# Normal rises and gaps


def test_rise_gives_measured_difference() -> None:
    points = series([("2024-03-01 00:00", 100.0), ("2024-03-01 00:15", 102.5)])

    result = counter_intervals(points, CounterRules())

    assert len(result.intervals) == 1
    interval = result.intervals[0]
    assert interval.start == at("2024-03-01 00:00")
    assert interval.end == at("2024-03-01 00:15")
    assert interval.quantity == pytest.approx(2.5)
    assert interval.quality is Quality.MEASURED
    assert interval.event is None
    assert result.findings == []
    assert result.suspect == []


def test_returned_timestamps_are_utc() -> None:
    points = series([("2024-03-01 08:00", 1.0), ("2024-03-01 08:15", 2.0)])

    interval = counter_intervals(points, CounterRules()).intervals[0]

    assert interval.start.tzinfo is UTC
    assert interval.end == datetime(2024, 3, 1, 0, 15, tzinfo=UTC)


def test_flat_register_gives_zero_quantity() -> None:
    points = series([("2024-03-01 00:00", 100.0), ("2024-03-01 00:15", 100.0)])

    result = counter_intervals(points, CounterRules())

    assert quantities(result) == [0.0]
    assert result.intervals[0].quality is Quality.MEASURED


def test_huge_gap_keeps_exact_total_and_flags_gap() -> None:
    """Readings a month apart: the total is exact, the gap is reported."""
    points = series([("2024-03-01 00:00", 1000.0), ("2024-04-01 00:00", 4100.0)])

    result = counter_intervals(points, CounterRules())

    interval = result.intervals[0]
    assert interval.quantity == pytest.approx(3100.0)
    assert interval.quality is Quality.MEASURED
    assert interval.event is Event.GAP
    assert codes(result) == ["counter.gap"]
    gap = result.findings[0]
    assert gap.blocking is False
    assert gap.timestamp == at("2024-04-01 00:00")
    assert gap.evidence["seconds"] == 31 * 86400
    assert gap.evidence["expected_seconds"] == 900


@pytest.mark.parametrize(
    ("minutes", "is_gap"),
    [(15, False), (22, False), (22.5, False), (23, True), (60, True)],
)
def test_gap_threshold_is_one_and_a_half_intervals(minutes: float, is_gap: bool) -> None:
    start = at("2024-03-01 00:00")
    points = [Point(start, 10.0), Point(start + timedelta(minutes=minutes), 11.0)]

    result = counter_intervals(points, CounterRules())

    assert (result.intervals[0].event is Event.GAP) is is_gap
    assert ("counter.gap" in codes(result)) is is_gap


def test_gap_threshold_follows_expected_interval() -> None:
    points = series([("2024-03-01 00:00", 10.0), ("2024-03-01 01:00", 11.0)])

    result = counter_intervals(points, CounterRules(expected_interval=timedelta(hours=1)))

    assert result.intervals[0].event is None
    assert result.findings == []


# Empty and minimal input


def test_empty_input_returns_empty_result() -> None:
    result = counter_intervals([], CounterRules())

    assert result.intervals == []
    assert result.suspect == []
    assert result.findings == []


def test_single_point_yields_no_interval() -> None:
    result = counter_intervals(series([("2024-03-01 00:00", 5.0)]), CounterRules())

    assert result.intervals == []
    assert result.findings == []


def test_previous_alone_yields_no_interval() -> None:
    previous = series([("2024-03-01 00:00", 5.0), ("2024-03-01 00:15", 6.0)])

    result = counter_intervals([], CounterRules(), previous=previous)

    assert result.intervals == []
    assert result.findings == []


def test_first_point_starts_at_last_previous() -> None:
    previous = series([("2024-03-01 00:00", 5.0), ("2024-03-01 00:15", 6.0)])
    points = series([("2024-03-01 00:30", 8.0)])

    result = counter_intervals(points, CounterRules(), previous=previous)

    assert len(result.intervals) == 1
    assert result.intervals[0].start == at("2024-03-01 00:15")
    assert result.intervals[0].quantity == pytest.approx(2.0)


# Order, duplicates and invalid input


def test_out_of_order_batch_is_sorted_first() -> None:
    """A batch sent in arrival order 10:30, 10:00, 10:15 after a stored 09:45 reading.

    Differencing in arrival order would give 30.0, -20.0 and 12.5.
    """
    previous = series([("2024-04-10 09:45", 1490.0)])
    batch = [
        Point(datetime.fromisoformat("2024-04-10T10:30:00+08:00"), 1520.0),
        Point(datetime.fromisoformat("2024-04-10T10:00:00+08:00"), 1500.0),
        Point(datetime.fromisoformat("2024-04-10T10:15:00+08:00"), 1512.5),
    ]

    result = counter_intervals(batch, CounterRules(), previous=previous)

    assert quantities(result) == pytest.approx([10.0, 12.5, 7.5])
    assert [i.start for i in result.intervals] == [
        datetime.fromisoformat("2024-04-10T09:45:00+08:00"),
        datetime.fromisoformat("2024-04-10T10:00:00+08:00"),
        datetime.fromisoformat("2024-04-10T10:15:00+08:00"),
    ]
    assert all(i.quantity >= 0 for i in result.intervals)
    assert sum(quantities(result)) == pytest.approx(30.0)
    assert all(i.quality is Quality.MEASURED for i in result.intervals)


def test_late_reading_recomputes_two_intervals() -> None:
    """A late 10:15 reading arrives after 10:30 was stored.

    The caller passes the stored readings before it as previous and the stored
    reading after it together with the late one, so both affected intervals change.
    """
    stored = series([("2024-04-10 09:45", 1490.0), ("2024-04-10 10:00", 1500.0), ("2024-04-10 10:30", 1520.0)])
    before = counter_intervals(stored, CounterRules())
    assert quantities(before) == pytest.approx([10.0, 20.0])

    late = Point(at("2024-04-10 10:15"), 1512.5)
    result = counter_intervals([stored[2], late], CounterRules(), previous=stored[:2])

    assert quantities(result) == pytest.approx([12.5, 7.5])
    assert result.intervals[0].start == at("2024-04-10 10:00")
    assert result.intervals[1].end == at("2024-04-10 10:30")


def test_previous_newer_than_points_raises() -> None:
    previous = series([("2024-04-10 10:00", 1500.0), ("2024-04-10 10:30", 1520.0)])
    late = series([("2024-04-10 10:15", 1512.5)])

    with pytest.raises(ValueError, match="earlier than the already processed reading"):
        counter_intervals(late, CounterRules(), previous=previous)


def test_duplicate_timestamp_in_points_raises_naming_it() -> None:
    points = series([("2024-03-01 00:15", 2.0), ("2024-03-01 00:00", 1.0), ("2024-03-01 00:15", 2.0)])

    with pytest.raises(ValueError, match="2024-02-29T16:15:00\\+00:00"):
        counter_intervals(points, CounterRules())


def test_duplicate_between_previous_and_points_raises() -> None:
    previous = series([("2024-03-01 00:00", 1.0)])
    points = series([("2024-03-01 00:00", 1.0), ("2024-03-01 00:15", 2.0)])

    with pytest.raises(ValueError, match="Duplicate reading timestamp"):
        counter_intervals(points, CounterRules(), previous=previous)


def test_same_instant_in_two_zones_is_a_duplicate() -> None:
    points = [
        Point(at("2024-03-01 08:00"), 1.0),
        Point(datetime(2024, 3, 1, 0, 0, tzinfo=UTC), 1.0),
    ]

    with pytest.raises(ValueError, match="Duplicate"):
        counter_intervals(points, CounterRules())


def test_naive_timestamp_raises() -> None:
    points = [Point(datetime(2024, 3, 1, 0, 0), 1.0)]  # naive on purpose

    with pytest.raises(ValueError, match="naive"):
        counter_intervals(points, CounterRules())


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_non_finite_value_raises(value: float) -> None:
    points = series([("2024-03-01 00:00", 1.0), ("2024-03-01 00:15", value)])

    with pytest.raises(ValueError, match="non-finite"):
        counter_intervals(points, CounterRules())


def test_interval_kind_is_rejected_for_counters() -> None:
    with pytest.raises(ValueError, match="interval_meter_intervals"):
        counter_intervals([], CounterRules(), kind=ReadingKind.INTERVAL)


@pytest.mark.parametrize(
    "rule_values",
    [
        {"expected_interval": timedelta(0)},
        {"rollover_value": 0.0},
        {"rollover_value": -10.0},
        {"rollover_margin": 1.0},
        {"rollover_margin": -0.1},
        {"glitch_readings": -1},
        {"reset_fraction": 1.0},
        {"plausibility_factor": 0.0},
    ],
)
def test_invalid_rules_raise(rule_values: dict[str, object]) -> None:
    with pytest.raises(ValueError, match="must be"):
        CounterRules(**rule_values)  # type: ignore[arg-type]


def test_fold_readings_in_local_time_keep_their_order() -> None:
    """Quarter-hour readings through the repeated hour of the Berlin autumn DST change.

    02:00 to 02:45 occurs twice on 2024-10-27. Aware datetimes that share a ZoneInfo
    compare by wall time, so without conversion to UTC the second 02:00 would look
    like a duplicate of the first.
    """
    wall_times = [(1, 45, 0), (2, 0, 0), (2, 15, 0), (2, 30, 0), (2, 45, 0)]
    wall_times += [(2, 0, 1), (2, 15, 1), (2, 30, 1), (2, 45, 1), (3, 0, 0)]
    points = [
        Point(datetime(2024, 10, 27, hour, minute, tzinfo=BERLIN, fold=fold), 100.0 + i)
        for i, (hour, minute, fold) in enumerate(wall_times)
    ]
    random.Random(7).shuffle(points)

    result = counter_intervals(points, CounterRules())

    assert len(result.intervals) == 9
    assert all((i.end - i.start) == timedelta(minutes=15) for i in result.intervals)
    assert quantities(result) == pytest.approx([1.0] * 9)
    assert result.findings == []
    assert result.intervals[0].start == datetime(2024, 10, 26, 23, 45, tzinfo=UTC)
    assert result.intervals[-1].end == datetime(2024, 10, 27, 2, 0, tzinfo=UTC)


# Rollover


def test_rollover_at_configured_modulus() -> None:
    """A 23-bit register in 0.1 Wh steps wraps after 838,860.7 Wh."""
    points = series(
        [
            ("2024-05-06 22:00", 838790.0),
            ("2024-05-06 22:05", 838842.5),
            ("2024-05-06 22:10", 21.3),
            ("2024-05-06 22:15", 75.0),
        ]
    )
    rules = CounterRules(expected_interval=timedelta(minutes=5), rollover_value=MODULUS_23_BIT)

    result = counter_intervals(points, rules)

    assert quantities(result) == pytest.approx([52.5, 39.6, 53.7])
    assert sum(quantities(result)) == pytest.approx(145.8)
    assert all(i.quantity >= 0 for i in result.intervals)
    assert all(i.quality is Quality.MEASURED for i in result.intervals)
    assert [i.event for i in result.intervals] == [None, Event.ROLLOVER, None]
    assert codes(result) == ["counter.rollover"]
    rollover = result.findings[0]
    assert rollover.blocking is False
    assert rollover.timestamp == at("2024-05-06 22:10")
    assert rollover.evidence["previous"] == 838842.5
    assert rollover.evidence["value"] == 21.3
    assert rollover.evidence["quantity"] == pytest.approx(39.6)
    assert rollover.evidence["rollover_value"] == MODULUS_23_BIT
    assert result.suspect == []


def test_rollover_without_history_is_accepted() -> None:
    points = series([("2024-05-06 22:05", 838842.5), ("2024-05-06 22:10", 21.3)])

    result = counter_intervals(points, CounterRules(rollover_value=MODULUS_23_BIT))

    assert quantities(result) == pytest.approx([39.6])
    assert result.intervals[0].event is Event.ROLLOVER
    assert result.intervals[0].quality is Quality.MEASURED


def test_rollover_uses_previous_readings_as_history() -> None:
    """The stored readings give a rate of 1 Wh per 5 min, so a 500 Wh wrap is implausible."""
    previous = series(
        [
            ("2024-05-06 21:50", 838848.0),
            ("2024-05-06 21:55", 838849.0),
            ("2024-05-06 22:00", 838850.0),
        ]
    )
    points = series([("2024-05-06 22:05", 489.2)])
    rules = CounterRules(expected_interval=timedelta(minutes=5), rollover_value=MODULUS_23_BIT)

    result = counter_intervals(points, rules, previous=previous)

    assert result.intervals[0].event is not Event.ROLLOVER


def test_implausible_rollover_falls_through_to_reset() -> None:
    """Near the modulus, but the implied wrap of about 500 Wh is 100 times the usual 5 Wh."""
    start = at("2024-05-06 21:00")
    values = [838820.0 + 5.0 * i for i in range(8)] + [489.2, 495.0, 500.0, 505.0]
    rules = CounterRules(expected_interval=timedelta(minutes=15), rollover_value=MODULUS_23_BIT)

    result = counter_intervals(quarter_hours(start, values), rules)

    dropped = result.intervals[7]
    assert dropped.event is Event.RESET
    assert dropped.quality is Quality.ESTIMATED
    assert dropped.quantity == pytest.approx(489.2)
    reset = next(f for f in result.findings if f.code == "counter.reset")
    assert reset.evidence["rejected_rollover_quantity"] == pytest.approx(495.0)
    assert reset.evidence["rollover_limit"] == pytest.approx(50.0)
    assert "counter.rollover" not in codes(result)


def test_implausible_rollover_falls_through_to_decrease() -> None:
    """A drop near the modulus to a value above the reset fraction is a decrease."""
    modulus = 1000.0
    start = at("2024-05-06 21:00")
    values = [
        990.0,
        991.0,
        992.0,
        993.0,
        994.0,
        995.0,
        996.0,
        997.0,
        998.0,
        500.0,
        501.0,
        502.0,
        503.0,
    ]
    rules = CounterRules(rollover_value=modulus)

    result = counter_intervals(quarter_hours(start, values), rules)

    dropped = result.intervals[8]
    assert dropped.event is Event.DECREASE
    assert dropped.quality is Quality.SUSPECT
    assert dropped.quantity == 0.0
    assert "counter.rollover" not in codes(result)


def test_drop_far_from_modulus_is_not_a_rollover() -> None:
    """The previous value must lie within the margin (1 %) below the modulus."""
    points = series([("2024-05-06 22:00", 800000.0), ("2024-05-06 22:15", 21.3)])

    result = counter_intervals(points, CounterRules(rollover_value=MODULUS_23_BIT))

    assert result.intervals[0].event is Event.RESET
    assert result.intervals[0].quantity == pytest.approx(21.3)


def test_wrap_without_configured_modulus_is_a_reset() -> None:
    points = series([("2024-05-06 22:05", 838842.5), ("2024-05-06 22:10", 21.3)])

    result = counter_intervals(points, CounterRules())

    assert result.intervals[0].event is Event.RESET
    assert result.intervals[0].quality is Quality.ESTIMATED
    assert result.intervals[0].quantity == pytest.approx(21.3)


def test_wrap_plausibility_uses_median_of_positive_rates() -> None:
    """One huge interval in the history must not make any wrap plausible."""
    start = at("2024-05-06 20:00")
    # Rises of 1, 1, 1, 1, 1, 1, then 900 in one interval, then 1: median stays 1 per interval.
    values = [98000.0, 98001.0, 98002.0, 98003.0, 98004.0, 98005.0, 98006.0, 98906.0, 98907.0]
    values += [400.0, 401.0, 402.0, 403.0]
    rules = CounterRules(rollover_value=99000.0)

    result = counter_intervals(quarter_hours(start, values), rules)

    wrap_candidate = result.intervals[8]
    assert wrap_candidate.event is not Event.ROLLOVER
    assert wrap_candidate.quantity != pytest.approx(493.0)


# Meter replacement


C02_ROWS = [
    ("2024-05-01 00:00", 47980.0),  # old meter, periodic
    ("2024-05-31 00:00", 96.9),  # new meter, periodic
]
C02_REPLACEMENT = Replacement(at("2024-05-20 00:00"), old_final=48102.5, new_initial=0.4)
MONTHLY = CounterRules(expected_interval=timedelta(days=31))


@pytest.mark.parametrize(
    "exchange_reading",
    [None, 0.4, 48102.5],
    ids=["no-reading-at-exchange", "installation-reading", "removal-reading"],
)
def test_replacement_with_non_zero_new_initial(exchange_reading: float | None) -> None:
    """A meter exchange on 20 May where the new meter starts at 0.4 kWh.

    May consumption is (48102.5 - 47980.0) + (96.9 - 0.4) = 219.0 kWh, whether the
    series contains no reading at the exchange, the new meter's installation reading
    or the old meter's removal reading.
    """
    rows = list(C02_ROWS)
    if exchange_reading is not None:
        rows.insert(1, ("2024-05-20 00:00", exchange_reading))

    result = counter_intervals(series(rows), MONTHLY, replacements=[C02_REPLACEMENT])

    assert sum(quantities(result)) == pytest.approx(219.0)
    assert all(i.quantity >= 0 for i in result.intervals)
    assert all(i.quality is Quality.MEASURED for i in result.intervals)
    assert [i.event for i in result.intervals].count(Event.REPLACEMENT) == 1
    replacement = next(f for f in result.findings if f.code == "counter.replacement")
    assert replacement.blocking is False
    assert replacement.evidence["old_final"] == 48102.5
    assert replacement.evidence["new_initial"] == 0.4


def test_replacement_splits_old_and_new_meter_quantities() -> None:
    result = counter_intervals(series(C02_ROWS), MONTHLY, replacements=[C02_REPLACEMENT])

    interval = result.intervals[0]
    assert interval.quantity == pytest.approx(219.0)
    assert interval.event is Event.REPLACEMENT
    evidence = result.findings[0].evidence
    assert evidence["old_meter_quantity"] == pytest.approx(122.5)
    assert evidence["new_meter_quantity"] == pytest.approx(96.5)


def test_installation_reading_splits_at_exchange() -> None:
    rows = [C02_ROWS[0], ("2024-05-20 00:00", 0.4), C02_ROWS[1]]

    result = counter_intervals(series(rows), MONTHLY, replacements=[C02_REPLACEMENT])

    assert quantities(result) == pytest.approx([122.5, 96.5])
    assert [i.event for i in result.intervals] == [Event.REPLACEMENT, None]


def test_removal_reading_splits_at_exchange() -> None:
    rows = [C02_ROWS[0], ("2024-05-20 00:00", 48102.5), C02_ROWS[1]]

    result = counter_intervals(series(rows), MONTHLY, replacements=[C02_REPLACEMENT])

    assert quantities(result) == pytest.approx([122.5, 96.5])
    assert [i.event for i in result.intervals] == [None, Event.REPLACEMENT]


def test_replacement_never_differences_across_serials() -> None:
    """Naive differencing across the two meters would give 96.9 - 47980.0 = -47883.1."""
    result = counter_intervals(series(C02_ROWS), MONTHLY, replacements=[C02_REPLACEMENT])

    assert result.intervals[0].quantity != pytest.approx(-47883.1)
    assert result.intervals[0].quantity > 0


def test_replacement_with_old_final_below_previous_is_suspect() -> None:
    replacement = Replacement(at("2024-05-20 00:00"), old_final=47900.0, new_initial=0.4)

    result = counter_intervals(series(C02_ROWS), MONTHLY, replacements=[replacement])

    interval = result.intervals[0]
    assert interval.quality is Quality.SUSPECT
    assert interval.event is Event.REPLACEMENT
    assert interval.quantity == pytest.approx(-80.0 + 96.5)
    finding = result.findings[0]
    assert finding.code == "counter.replacement"
    assert finding.blocking is True
    assert finding.evidence["old_meter_quantity"] == pytest.approx(-80.0)
    assert finding.evidence["new_meter_quantity"] == pytest.approx(96.5)


def test_replacement_negative_sum_gives_zero() -> None:
    replacement = Replacement(at("2024-05-20 00:00"), old_final=47990.0, new_initial=500.0)

    result = counter_intervals(series(C02_ROWS), MONTHLY, replacements=[replacement])

    interval = result.intervals[0]
    assert interval.quality is Quality.SUSPECT
    assert interval.quantity == 0.0
    assert result.findings[0].blocking is True
    assert result.findings[0].evidence["new_meter_quantity"] == pytest.approx(96.9 - 500.0)


def test_replacement_before_first_reading_is_ignored() -> None:
    replacement = Replacement(at("2024-04-20 00:00"), old_final=99999.0, new_initial=0.0)
    rows = [("2024-05-01 00:00", 10.0), ("2024-05-02 00:00", 15.0)]

    result = counter_intervals(series(rows), MONTHLY, replacements=[replacement])

    assert quantities(result) == pytest.approx([5.0])
    assert result.intervals[0].event is None


def test_replacement_inside_previous_readings_is_not_applied_again() -> None:
    previous = series([("2024-05-01 00:00", 47980.0), ("2024-05-20 00:00", 0.4)])
    points = series([("2024-05-31 00:00", 96.9)])

    result = counter_intervals(points, MONTHLY, replacements=[C02_REPLACEMENT], previous=previous)

    assert quantities(result) == pytest.approx([96.5])
    assert result.intervals[0].event is None


def test_two_replacements_between_readings() -> None:
    replacements = [
        Replacement(at("2024-05-10 00:00"), old_final=120.0, new_initial=0.0),
        Replacement(at("2024-05-20 00:00"), old_final=30.0, new_initial=5.0),
    ]
    rows = [("2024-05-01 00:00", 100.0), ("2024-05-31 00:00", 12.0)]

    result = counter_intervals(series(rows), MONTHLY, replacements=replacements)

    # 20 on the first meter, 30 on the second, 7 on the third.
    assert quantities(result) == pytest.approx([57.0])
    assert result.intervals[0].quality is Quality.MEASURED
    assert result.findings[0].evidence["replacement_count"] == 2


# Glitches


def test_glitch_is_excluded_and_bridged() -> None:
    points = series(
        [
            ("2024-03-01 00:00", 100.0),
            ("2024-03-01 00:15", 101.0),
            ("2024-03-01 00:30", 50.0),
            ("2024-03-01 00:45", 102.0),
            ("2024-03-01 01:00", 103.0),
        ]
    )

    result = counter_intervals(points, CounterRules())

    assert quantities(result) == pytest.approx([1.0, 1.0, 1.0])
    bridge = result.intervals[1]
    assert bridge.start == at("2024-03-01 00:15")
    assert bridge.end == at("2024-03-01 00:45")
    assert bridge.event is Event.GLITCH
    assert bridge.quality is Quality.MEASURED
    assert result.suspect == [at("2024-03-01 00:30")]
    assert codes(result) == ["counter.glitch"]
    glitch = result.findings[0]
    assert glitch.blocking is True
    assert glitch.timestamp == at("2024-03-01 00:30")
    assert glitch.evidence["delta"] == pytest.approx(-51.0)


def test_glitch_recovering_to_equal_value_gives_zero() -> None:
    points = series([("2024-03-01 00:00", 100.0), ("2024-03-01 00:15", 0.0), ("2024-03-01 00:30", 100.0)])

    result = counter_intervals(points, CounterRules())

    assert quantities(result) == [0.0]
    assert result.suspect == [at("2024-03-01 00:15")]


def test_glitch_window_allows_three_dropped_readings() -> None:
    start = at("2024-03-01 00:00")
    values = [100.0, 101.0, 3.0, 4.0, 5.0, 104.0, 105.0]

    result = counter_intervals(quarter_hours(start, values), CounterRules())

    assert len(result.suspect) == 3
    assert quantities(result) == pytest.approx([1.0, 3.0, 1.0])
    assert sum(quantities(result)) == pytest.approx(5.0)
    assert codes(result) == ["counter.glitch"] * 3


def test_four_dropped_readings_are_not_a_glitch() -> None:
    start = at("2024-03-01 00:00")
    values = [100.0, 101.0, 3.0, 4.0, 5.0, 6.0, 104.0]

    result = counter_intervals(quarter_hours(start, values), CounterRules())

    assert result.suspect == []
    assert result.intervals[1].event is Event.RESET
    assert result.intervals[1].quantity == pytest.approx(3.0)


def test_glitch_bridge_over_missing_reading_reports_gap() -> None:
    points = series([("2024-03-01 00:00", 100.0), ("2024-03-01 00:15", 50.0), ("2024-03-01 01:00", 102.0)])

    result = counter_intervals(points, CounterRules())

    assert codes(result) == ["counter.glitch", "counter.gap"]
    assert result.intervals[0].event is Event.GLITCH


def test_glitch_bridge_alone_is_no_gap() -> None:
    start = at("2024-03-01 00:00")

    result = counter_intervals(quarter_hours(start, [100.0, 50.0, 60.0, 102.0]), CounterRules())

    assert "counter.gap" not in codes(result)
    assert result.intervals[0].end - result.intervals[0].start == timedelta(minutes=45)


def test_glitch_readings_zero_disables_glitch_detection() -> None:
    start = at("2024-03-01 00:00")
    rules = CounterRules(glitch_readings=0)

    result = counter_intervals(quarter_hours(start, [100.0, 5.0, 102.0]), rules)

    assert result.suspect == []
    assert [i.event for i in result.intervals] == [Event.RESET, None]


def test_drop_at_end_of_data_decided() -> None:
    start = at("2024-03-01 00:00")

    result = counter_intervals(quarter_hours(start, [100.0, 101.0, 99.0]), CounterRules())

    assert result.suspect == []
    assert result.intervals[-1].event is Event.DECREASE


# Resets and decreases


def test_reset_counts_value_as_estimated_lower_bound() -> None:
    """A counter reset between 10:00 and 10:10, with the 10:05 reading blank."""
    points = series(
        [
            ("2024-06-03 10:00", 4210.75),
            ("2024-06-03 10:10", 3.20),
            ("2024-06-03 10:15", 3.85),
            ("2024-06-03 10:20", 4.40),
        ]
    )

    result = counter_intervals(points, CounterRules())

    first, second, third = result.intervals
    assert first.start == at("2024-06-03 10:00")
    assert first.end == at("2024-06-03 10:10")
    assert first.quantity == pytest.approx(3.20)
    assert first.quality is Quality.ESTIMATED
    assert first.event is Event.RESET
    assert second.quantity == pytest.approx(0.65)
    assert second.quality is Quality.MEASURED
    assert third.quantity == pytest.approx(0.55)
    assert third.quality is Quality.MEASURED
    assert sum(quantities(result)) == pytest.approx(4.40)
    assert all(q != pytest.approx(-4207.55) for q in quantities(result))
    assert all(q >= 0 for q in quantities(result))
    assert codes(result) == ["counter.reset"]
    assert result.findings[0].blocking is False
    assert result.findings[0].evidence["delta"] == pytest.approx(-4207.55)


def test_reset_to_exactly_zero() -> None:
    start = at("2024-06-03 10:00")

    result = counter_intervals(quarter_hours(start, [500.0, 0.0, 1.0, 2.0, 3.0]), CounterRules())

    assert result.intervals[0].event is Event.RESET
    assert result.intervals[0].quantity == 0.0


@pytest.mark.parametrize(
    ("value", "event"),
    [(10.0, Event.RESET), (10.01, Event.DECREASE)],
)
def test_reset_fraction_boundary(value: float, event: Event) -> None:
    start = at("2024-06-03 10:00")

    result = counter_intervals(quarter_hours(start, [100.0, value]), CounterRules())

    assert result.intervals[0].event is event


def test_persistent_small_decrease_is_suspect_zero() -> None:
    start = at("2024-06-03 10:00")
    values = [1000.0, 1001.0, 995.0, 996.0, 997.0, 998.0]

    result = counter_intervals(quarter_hours(start, values), CounterRules())

    decrease = result.intervals[1]
    assert decrease.quantity == 0.0
    assert decrease.quality is Quality.SUSPECT
    assert decrease.event is Event.DECREASE
    finding = result.findings[0]
    assert finding.code == "counter.decrease"
    assert finding.blocking is True
    assert finding.evidence["delta"] == pytest.approx(-6.0)
    # Later readings count from the new level.
    assert quantities(result)[2:] == pytest.approx([1.0, 1.0, 1.0])


def test_negative_register_after_drop_is_a_decrease() -> None:
    start = at("2024-06-03 10:00")

    result = counter_intervals(quarter_hours(start, [100.0, -5.0]), CounterRules())

    assert result.intervals[0].event is Event.DECREASE
    assert result.intervals[0].quantity == 0.0


def test_counter_never_emits_negative_quantity() -> None:
    """Random registers with drops of every size, with and without a modulus."""
    generator = random.Random(20240506)
    for rules in (CounterRules(), CounterRules(rollover_value=5000.0)):
        for _ in range(50):
            value = generator.uniform(0, 5000)
            values = []
            for _ in range(40):
                if generator.random() < 0.2:
                    value = generator.uniform(0, value + 1)
                else:
                    value += generator.uniform(0, 30)
                values.append(round(value % 5000.0, 1))
            points = quarter_hours(at("2024-01-01 00:00"), values)

            result = counter_intervals(points, rules)

            assert all(i.quantity >= 0 for i in result.intervals)
            assert len(result.intervals) + len(result.suspect) == len(values) - 1


# Daily-reset registers


DAILY = CounterRules()  # site zone Asia/Shanghai


def test_daily_reset_after_midnight_reading_is_measured() -> None:
    """The register shows the day total at 00:00 and restarts right after it."""
    points = series(
        [
            ("2024-03-01 23:45", 495.0),
            ("2024-03-02 00:00", 500.0),
            ("2024-03-02 00:15", 2.0),
            ("2024-03-02 00:30", 4.5),
        ]
    )

    result = counter_intervals(points, DAILY, kind=ReadingKind.DAILY_RESET)

    assert quantities(result) == pytest.approx([5.0, 2.0, 2.5])
    reset = result.intervals[1]
    assert reset.event is Event.DAILY_RESET
    assert reset.quality is Quality.MEASURED
    assert result.findings == []


def test_daily_reset_across_midnight_is_estimated() -> None:
    points = series([("2024-03-01 23:50", 495.0), ("2024-03-02 00:05", 1.0), ("2024-03-02 00:20", 3.0)])

    result = counter_intervals(points, DAILY, kind=ReadingKind.DAILY_RESET)

    reset = result.intervals[0]
    assert reset.quantity == pytest.approx(1.0)
    assert reset.quality is Quality.ESTIMATED
    assert reset.event is Event.DAILY_RESET
    assert result.intervals[1].quantity == pytest.approx(2.0)


def test_daily_reset_reading_zero_at_midnight() -> None:
    """A register that already shows 0 at the midnight reading."""
    points = series([("2024-03-01 23:45", 495.0), ("2024-03-02 00:00", 0.0), ("2024-03-02 00:15", 2.0)])

    result = counter_intervals(points, DAILY, kind=ReadingKind.DAILY_RESET)

    assert quantities(result) == pytest.approx([0.0, 2.0])
    assert result.intervals[0].quality is Quality.ESTIMATED
    assert result.intervals[0].event is Event.DAILY_RESET
    assert result.intervals[1].quality is Quality.MEASURED


def test_daily_readings_at_midnight_count_whole_value() -> None:
    """One reading per midnight, each the previous day's total, rising or falling."""
    points = series([("2024-03-01 00:00", 400.0), ("2024-03-02 00:00", 450.0), ("2024-03-03 00:00", 300.0)])
    rules = CounterRules(expected_interval=timedelta(days=1))

    result = counter_intervals(points, rules, kind=ReadingKind.DAILY_RESET)

    assert quantities(result) == pytest.approx([450.0, 300.0])
    assert all(i.quality is Quality.MEASURED for i in result.intervals)
    assert all(i.event is Event.DAILY_RESET for i in result.intervals)


def test_daily_rise_across_midnight_not_reset() -> None:
    """A device clock a few minutes behind resets at 00:10 local time."""
    points = series([("2024-03-01 23:50", 500.0), ("2024-03-02 00:05", 505.0), ("2024-03-02 00:20", 3.0)])

    result = counter_intervals(points, DAILY, kind=ReadingKind.DAILY_RESET)

    assert quantities(result) == pytest.approx([5.0, 3.0])
    assert result.intervals[0].event is None
    assert result.intervals[1].event is Event.RESET


def test_daily_readings_days_apart_reset() -> None:
    points = series([("2024-03-01 08:00", 50.0), ("2024-03-03 08:00", 80.0)])

    result = counter_intervals(points, DAILY, kind=ReadingKind.DAILY_RESET)

    interval = result.intervals[0]
    assert interval.quantity == pytest.approx(80.0)
    assert interval.quality is Quality.ESTIMATED
    assert interval.event is Event.DAILY_RESET
    assert "counter.gap" in codes(result)


def test_daily_reset_uses_site_zone_with_dst() -> None:
    """Berlin midnight of 2024-04-01 is 22:00 UTC, after the spring DST change."""
    points = [
        Point(datetime(2024, 3, 31, 21, 0, tzinfo=UTC), 50.0),
        Point(datetime(2024, 3, 31, 22, 0, tzinfo=UTC), 55.0),
        Point(datetime(2024, 3, 31, 23, 0, tzinfo=UTC), 3.0),
    ]
    rules = CounterRules(expected_interval=timedelta(hours=1), zone=BERLIN)

    result = counter_intervals(points, rules, kind=ReadingKind.DAILY_RESET)

    assert quantities(result) == pytest.approx([5.0, 3.0])
    assert result.intervals[1].quality is Quality.MEASURED
    assert result.intervals[1].event is Event.DAILY_RESET


def test_daily_register_glitch_within_day_is_bridged() -> None:
    start = at("2024-03-01 10:00")

    result = counter_intervals(quarter_hours(start, [100.0, 101.0, 0.0, 102.0]), DAILY, kind=ReadingKind.DAILY_RESET)

    assert result.suspect == [at("2024-03-01 10:30")]
    assert quantities(result) == pytest.approx([1.0, 1.0])


def test_daily_drop_not_recovered_after_midnight() -> None:
    """Readings after midnight are on the next day's scale, so they are no recovery."""
    points = series(
        [
            ("2024-03-01 23:30", 500.0),
            ("2024-03-01 23:45", 490.0),
            ("2024-03-02 00:00", 491.0),
            ("2024-03-02 00:15", 600.0),
        ]
    )

    result = counter_intervals(points, DAILY, kind=ReadingKind.DAILY_RESET)

    assert result.suspect == []
    assert result.intervals[0].event is Event.DECREASE
    assert result.intervals[2].event is Event.DAILY_RESET
    assert result.intervals[2].quantity == pytest.approx(600.0)


def test_local_midnight_handles_dst_and_skipped_midnight() -> None:
    assert local_midnight(date(2024, 3, 31), BERLIN) == datetime(2024, 3, 30, 23, tzinfo=UTC)
    assert local_midnight(date(2024, 4, 1), BERLIN) == datetime(2024, 3, 31, 22, tzinfo=UTC)
    # Santiago skips from 00:00 to 01:00 on 2024-09-08, so the day starts at 04:00 UTC.
    santiago = ZoneInfo("America/Santiago")
    assert local_midnight(date(2024, 9, 8), santiago) == datetime(2024, 9, 8, 4, tzinfo=UTC)


def test_local_midnight_rejects_datetime() -> None:
    with pytest.raises(TypeError, match="must be a date"):
        local_midnight(datetime(2024, 3, 1, tzinfo=UTC), BERLIN)


# Streaming


def mixed_series() -> tuple[list[Point], list[Replacement]]:
    """Quarter-hour readings with gaps, a wrap, a glitch, a reset, a decrease and an exchange."""
    generator = random.Random(11)
    start = datetime(2024, 5, 1, tzinfo=UTC)
    points: list[Point] = []
    value = 9800.0
    moment = start
    for i in range(400):
        if i == 39:
            value = 9995.0  # just below the modulus of 10000
        elif i == 40:
            value = 0.0  # wrap
        elif i in (80, 81):
            points.append(Point(moment, 3.0))  # glitch
            moment += timedelta(minutes=15)
            continue
        elif i == 150:
            value = 1.5  # reset
        elif i == 220:
            value -= 40.0  # decrease that does not recover
        elif i == 300:
            value = 7.0  # new meter after the exchange
        elif i % 37 == 0:
            moment += timedelta(hours=2)  # gap
        value += round(generator.uniform(0.5, 3.0), 2)
        points.append(Point(moment, value))
        moment += timedelta(minutes=15)
    exchange = points[299].timestamp + timedelta(minutes=5)
    replacements = [Replacement(exchange, old_final=points[299].value + 1.0, new_initial=6.0)]
    return points, replacements


def feed_in_chunks(counter: StreamingCounter, points: list[Point], seed: int) -> CounterResult:
    generator = random.Random(seed)
    result = CounterResult()
    index = 0
    while index < len(points):
        size = generator.randint(0, 7)
        chunk = points[index : index + size]
        generator.shuffle(chunk)
        result.extend(counter.feed(chunk))
        index += size
    result.extend(counter.close())
    return result


@pytest.mark.parametrize("seed", range(10))
def test_streaming_matches_single_call_for_random_chunks(seed: int) -> None:
    points, replacements = mixed_series()
    rules = CounterRules(rollover_value=10000.0)
    previous = [Point(points[0].timestamp - timedelta(minutes=15), points[0].value - 1.0)]
    expected = counter_intervals(points, rules, replacements=replacements, previous=previous)

    counter = StreamingCounter(rules, replacements=replacements, previous=previous)
    streamed = feed_in_chunks(counter, points, seed)

    assert streamed.intervals == expected.intervals
    assert streamed.suspect == expected.suspect
    assert streamed.findings == expected.findings


def test_mixed_series_exercises_every_counter_event() -> None:
    points, replacements = mixed_series()

    result = counter_intervals(points, CounterRules(rollover_value=10000.0), replacements=replacements)

    events = {i.event for i in result.intervals}
    assert events >= {Event.ROLLOVER, Event.GLITCH, Event.RESET, Event.DECREASE, Event.REPLACEMENT}
    assert Event.GAP in events
    assert all(i.quantity >= 0 for i in result.intervals)


@pytest.mark.parametrize("seed", range(5))
def test_streaming_matches_single_call_for_daily_register(seed: int) -> None:
    generator = random.Random(seed)
    start = datetime(2024, 3, 30, 12, tzinfo=UTC)
    points: list[Point] = []
    rules = CounterRules(zone=BERLIN)
    value = 0.0
    for i in range(300):
        moment = start + timedelta(minutes=15 * i)
        if moment == local_midnight(moment.astimezone(BERLIN).date(), BERLIN):
            points.append(Point(moment, value + 1.0))  # day total held at midnight
            value = 0.0
            continue
        value += generator.uniform(0.5, 2.0)
        if generator.random() < 0.03:
            points.append(Point(moment, value / 20))  # glitch
            continue
        points.append(Point(moment, value))
    expected = counter_intervals(points, rules, kind=ReadingKind.DAILY_RESET)

    counter = StreamingCounter(rules, kind=ReadingKind.DAILY_RESET)
    streamed = feed_in_chunks(counter, points, seed)

    assert streamed == expected
    assert all(i.quantity >= 0 for i in expected.intervals)


def test_streaming_feed_returns_only_final_results() -> None:
    points = series(
        [
            ("2024-06-03 10:00", 4210.75),
            ("2024-06-03 10:10", 3.20),
            ("2024-06-03 10:15", 3.85),
            ("2024-06-03 10:20", 4.40),
        ]
    )
    counter = StreamingCounter(CounterRules())

    first = counter.feed(points[:2])
    second = counter.feed(points[2:])
    last = counter.close()

    assert first.intervals == []
    assert second.intervals == []
    assert len(counter.pending) == 0
    assert quantities(last) == pytest.approx([3.20, 0.65, 0.55])
    assert codes(last) == ["counter.reset"]


def test_streaming_decides_drop_once_window_is_full() -> None:
    start = at("2024-06-03 10:00")
    counter = StreamingCounter(CounterRules())

    counter.feed(quarter_hours(start, [100.0, 101.0, 5.0, 6.0, 7.0]))
    assert len(counter.pending) == 3

    decided = counter.feed([Point(start + timedelta(minutes=75), 8.0)])

    assert [i.event for i in decided.intervals] == [Event.RESET, None, None, None]
    assert len(counter.pending) == 0


def test_streaming_pending_never_exceeds_glitch_window() -> None:
    points, replacements = mixed_series()
    rules = CounterRules(rollover_value=10000.0)
    counter = StreamingCounter(rules, replacements=replacements)

    for point in points:
        counter.feed([point])
        assert len(counter.pending) <= rules.glitch_readings


def test_streaming_rejects_chunk_older_than_fed_readings() -> None:
    counter = StreamingCounter(CounterRules())
    counter.feed(series([("2024-03-01 00:30", 1.0)]))

    with pytest.raises(ValueError, match="earlier than the already processed"):
        counter.feed(series([("2024-03-01 00:15", 0.5)]))


def test_streaming_rejects_feed_after_close() -> None:
    counter = StreamingCounter(CounterRules())
    counter.close()

    with pytest.raises(RuntimeError, match="closed"):
        counter.feed([])
    with pytest.raises(RuntimeError, match="closed"):
        counter.close()


# Findings


def test_finding_evidence_is_json_serialisable() -> None:
    points, replacements = mixed_series()

    result = counter_intervals(points, CounterRules(rollover_value=10000.0), replacements=replacements)

    assert result.findings
    for finding in result.findings:
        assert json.loads(json.dumps(finding.evidence)) == finding.evidence


def test_lookbehind_is_eight_intervals() -> None:
    assert LOOKBEHIND == 8


# Interval meters


def test_interval_start_label_covers_following_interval() -> None:
    points = series([("2024-03-01 10:00", 2.5)])

    result = interval_meter_intervals(points, TimestampConvention.INTERVAL_START, timedelta(minutes=15))

    assert result.intervals == [Interval(at("2024-03-01 10:00"), at("2024-03-01 10:15"), 2.5, Quality.MEASURED)]


def test_interval_end_label_covers_preceding_interval() -> None:
    points = series([("2024-03-01 10:00", 2.5)])

    result = interval_meter_intervals(points, TimestampConvention.INTERVAL_END, timedelta(minutes=15))

    assert result.intervals == [Interval(at("2024-03-01 09:45"), at("2024-03-01 10:00"), 2.5, Quality.MEASURED)]


def test_interval_meter_leaves_gaps_missing() -> None:
    points = series([("2024-03-01 10:00", 1.0), ("2024-03-01 11:00", 2.0), ("2024-03-01 10:15", 3.0)])

    result = interval_meter_intervals(points, TimestampConvention.INTERVAL_START, timedelta(minutes=15))

    assert [i.start for i in result.intervals] == [
        at("2024-03-01 10:00"),
        at("2024-03-01 10:15"),
        at("2024-03-01 11:00"),
    ]
    assert quantities(result) == [1.0, 3.0, 2.0]
    assert result.findings == []


def test_interval_meter_negative_value_is_suspect() -> None:
    points = series([("2024-03-01 10:00", -0.4), ("2024-03-01 10:15", 1.0)])

    result = interval_meter_intervals(points, TimestampConvention.INTERVAL_END, timedelta(minutes=15))

    negative = result.intervals[0]
    assert negative.quantity == -0.4
    assert negative.quality is Quality.SUSPECT
    assert result.intervals[1].quality is Quality.MEASURED
    assert codes(result) == ["interval.negative"]
    assert result.findings[0].blocking is True
    assert result.findings[0].evidence["value"] == -0.4


def test_interval_meter_length_is_elapsed_time_across_dst() -> None:
    """A 15-minute interval labelled 02:45 CEST ends at 02:00 CET, not at 03:00."""
    label = datetime(2024, 10, 27, 2, 45, tzinfo=BERLIN, fold=0)

    result = interval_meter_intervals([Point(label, 1.0)], TimestampConvention.INTERVAL_START, timedelta(minutes=15))

    # 02:00 CET (fold=1) is 01:00 UTC. Compare in UTC, because an aware datetime in a
    # DST fold never compares equal to one in another zone.
    assert result.intervals[0].end == datetime(2024, 10, 27, 1, 0, tzinfo=UTC)
    assert result.intervals[0].end - result.intervals[0].start == timedelta(minutes=15)


def test_interval_meter_empty_input() -> None:
    result = interval_meter_intervals([], TimestampConvention.INTERVAL_START, timedelta(hours=1))

    assert result == CounterResult()


def test_interval_meter_rejects_non_positive_length() -> None:
    with pytest.raises(ValueError, match="must be positive"):
        interval_meter_intervals([], TimestampConvention.INTERVAL_START, timedelta(0))


def test_interval_meter_rejects_duplicates() -> None:
    points = series([("2024-03-01 10:00", 1.0), ("2024-03-01 10:00", 1.0)])

    with pytest.raises(ValueError, match="Duplicate"):
        interval_meter_intervals(points, TimestampConvention.INTERVAL_START, timedelta(hours=1))
