"""Detectors on hand-made series, without the database."""

import math
from datetime import UTC, date, datetime, time, timedelta

import pytest

from cleanprod.alerts import detectors
from cleanprod.alerts.detectors import DayCoverage, Period
from cleanprod.alerts.workcalendar import CalendarSpec, Override, day_kind, is_working, official_day, standard_spec

T0 = datetime(2025, 3, 3, tzinfo=UTC)  # a Monday
HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


def hours(values: list[float | None], start: datetime = T0, coverage: float = 1.0) -> list[Period]:
    return [
        Period(start + index * HOUR, start + (index + 1) * HOUR, value, coverage) for index, value in enumerate(values)
    ]


def days(values: list[float], start: datetime = T0) -> list[Period]:
    return [Period(start + index * DAY, start + (index + 1) * DAY, value) for index, value in enumerate(values)]


def partial_day_case() -> tuple[list[Period], datetime]:
    """Six full days of about 1000 kWh, then today at 10:00 with 10 h of data = 420 kWh."""
    full = days([1000.0, 1010.0, 990.0, 1005.0, 995.0, 1000.0])
    today_start = T0 + 6 * DAY
    now = today_start + timedelta(hours=10)
    today = Period(today_start, today_start + DAY, 420.0, coverage=10 / 24)
    return [*full, today], now


def test_partial_day_raises_no_drop() -> None:
    periods, now = partial_day_case()
    assert detectors.rate_of_change(periods, now, max_decrease_percent=20) == []
    assert detectors.threshold_absolute(periods, now, below=900) == []
    # A history of four weeks of such days: the statistical detector would score today at −58 %.
    history = [
        Period(T0 - (week + 1) * 7 * DAY + day * DAY, T0 - (week + 1) * 7 * DAY + (day + 1) * DAY, 1000.0 + day)
        for week in range(4)
        for day in range(7)
    ]
    found = detectors.statistical(periods, history, now, local=lambda s: s, key=detectors.day_of_week)
    assert found == []
    assert periods[-1].is_complete(now) is False


def test_partial_day_projection() -> None:
    periods, now = partial_day_case()
    evidence = detectors.partial_projection(periods[-1], now)
    assert evidence["coverage"] == pytest.approx(0.4167, abs=1e-4)
    assert evidence["projection_estimate"] == pytest.approx(1008.0)


def test_same_fall_on_complete_day_reported() -> None:
    periods, _ = partial_day_case()
    later = periods[-1].end + HOUR
    complete = [*periods[:-1], Period(periods[-1].start, periods[-1].end, 420.0, 1.0)]
    found = detectors.rate_of_change(complete, later, max_decrease_percent=20)
    assert [(d.cause, d.evidence["change_percent"]) for d in found] == [("decrease", -58.0)]
    assert detectors.threshold_absolute(complete, later, below=900)[0].cause == "below"


def test_threshold_absolute_above_also_on_partial_period() -> None:
    periods = hours([10, 50, 12])
    now = T0 + timedelta(minutes=150)  # the third hour is partial
    found = detectors.threshold_absolute(periods + hours([80], T0 + 3 * HOUR, 0.5), now, above=40)
    assert [d.start for d in found] == [T0 + HOUR, T0 + 3 * HOUR]
    assert found[0].evidence["expected"] == 40
    assert found[0].evidence["actual"] == 50


def test_zero_production_own_finding() -> None:
    """A month with 8000 kWh and zero production: no division, a separate finding."""
    periods = days([120000.0, 8000.0])
    now = T0 + 10 * DAY
    found = detectors.threshold_per_unit(periods, [400.0, 0.0], now, above=250.0)
    assert [(d.cause, d.start) for d in found] == [("above", T0), ("without_production", T0 + DAY)]
    assert found[0].evidence["actual"] == 300.0
    assert found[1].evidence["score"] is None
    quiet = detectors.threshold_per_unit(periods, [400.0, 0.0], now, above=350.0, flag_without_production=False)
    assert quiet == []


def test_rate_of_change_skips_zero_reference() -> None:
    found = detectors.rate_of_change(days([0.0, 50.0, 120.0]), T0 + 5 * DAY, max_increase_percent=100)
    assert [(d.start, d.evidence["change_percent"]) for d in found] == [(T0 + 2 * DAY, 140.0)]


def test_off_hours_uses_calendar_reason() -> None:
    spec = standard_spec(official_holidays=False)
    # Saturday 2025-03-08, 10:00 UTC; and a Monday 10:00 working hour.
    saturday = datetime(2025, 3, 8, 10, tzinfo=UTC)
    periods = hours([30.0, 5.0], saturday) + hours([30.0], T0 + 10 * HOUR)
    found = detectors.off_hours(
        periods, lambda s: is_working(spec, s.replace(tzinfo=None)), baseload=8.0, margin_percent=25
    )
    assert len(found) == 1
    assert found[0].start == saturday
    assert found[0].evidence["expected"] == 10.0
    assert found[0].evidence["calendar"] == "weekend"


def weekly_history(pattern: list[float], weeks: int, noise: float = 0.0) -> list[Period]:
    series = []
    start = T0 - weeks * 7 * DAY
    for index in range(weeks * 168):
        value = pattern[index % 168] + (noise if (index // 168) % 2 else -noise)
        series.append(Period(start + index * HOUR, start + (index + 1) * HOUR, value))
    return series


def test_statistical_score_uses_median_and_scaled_mad() -> None:
    pattern = [10.0 + (hour % 24) for hour in range(168)]
    history = weekly_history(pattern, 4, noise=1.0)
    current = hours([10.0, 11.0, 40.0, 13.0])
    found = detectors.statistical(current, history, T0 + 10 * HOUR, local=lambda s: s, threshold=5)
    assert [d.start for d in found] == [T0 + 2 * HOUR]
    evidence = found[0].evidence
    assert evidence["expected"] == 12.0
    assert evidence["mad"] == 1.0
    assert evidence["score"] == pytest.approx((40 - 12) / 1.4826, abs=0.01)


def test_statistical_mad_floor_on_constant_history() -> None:
    history = weekly_history([100.0] * 168, 3)
    found = detectors.statistical(hours([103.0, 140.0]), history, T0 + 5 * HOUR, local=lambda s: s, threshold=5)
    # Floor 5 % of 100 = 5: 3/7.4 is no alarm, 40/7.4 is.
    assert [d.start for d in found] == [T0 + HOUR]
    assert found[0].evidence["mad_floor"] == 5.0


def test_statistical_below_only_for_complete_periods() -> None:
    history = weekly_history([100.0] * 168, 3, noise=2.0)
    current = hours([20.0]) + hours([20.0], T0 + HOUR, coverage=0.5)
    found = detectors.statistical(current, history, T0 + 90 * timedelta(minutes=1), local=lambda s: s)
    assert [(d.cause, d.start) for d in found] == [("below", T0)]


def test_statistical_per_unit_of_product() -> None:
    history = days([100.0] * 21, T0 - 21 * DAY)
    made_history = [10.0] * 21
    # 200 kWh for 20 t is normal per unit; 200 for 10 t is twice the usual intensity; zero production skipped.
    current = days([200.0, 200.0, 50.0])
    found = detectors.statistical(
        current,
        history,
        T0 + 5 * DAY,
        local=lambda s: s,
        key=detectors.day_of_week,
        production=[20.0, 10.0, 0.0],
        history_production=made_history,
    )
    assert [(d.start, d.evidence["actual"], d.evidence["per_unit"]) for d in found] == [(T0 + DAY, 20.0, True)]


def readings(values: list[float], minutes: int = 15) -> list[tuple[datetime, float]]:
    return [(T0 + index * timedelta(minutes=minutes), value) for index, value in enumerate(values)]


def test_stuck_meter_while_related_meters_move() -> None:
    meter = readings([1.0, 2.0, 3.0] + [3.0] * 9 + [4.0])
    moving = readings([float(index) for index in range(13)])
    found = detectors.stuck(meter, [moving], intervals=8)
    assert len(found) == 1
    assert found[0].start == T0 + 2 * timedelta(minutes=15)
    assert found[0].evidence["flat_intervals"] == 9


def test_stuck_quiet_site_or_short_run() -> None:
    meter = readings([1.0] * 12)
    assert detectors.stuck(meter, [readings([5.0] * 12)], intervals=8) == []
    assert detectors.stuck(meter, [], intervals=8) == []
    short = readings([1.0, 2.0] + [2.0] * 5 + [3.0])
    assert detectors.stuck(short, [readings(list(map(float, range(8))))], intervals=8) == []


def test_cusum_detects_step_not_noise() -> None:
    points = []
    for index in range(200):
        actual = 100.0 + (1.0 if index % 2 else -1.0) + (8.0 if index >= 120 else 0.0)
        points.append((T0 + index * HOUR, actual, 100.0))
    found = detectors.cusum_drift(points, slack=0.5, threshold=8.0, scale=1.0)
    assert found
    assert found[0].cause == "up"
    # The sum may start one noisy hour early: hour 119 had residual +1.
    assert T0 + 119 * HOUR <= found[0].start <= T0 + 121 * HOUR
    assert found[0].end <= T0 + 122 * HOUR
    assert found[0].evidence["cusum"] > 0
    noise_only = [
        (stamp, expected + (actual - expected if stamp < T0 + 120 * HOUR else 0.0), expected)
        for stamp, actual, expected in points
    ]
    assert detectors.cusum_drift(noise_only, slack=0.5, threshold=8.0, scale=1.0) == []


def test_cusum_downward_step() -> None:
    points = [(T0 + i * HOUR, 100.0 - (10.0 if i >= 50 else 0.0), 100.0) for i in range(80)]
    found = detectors.cusum_drift(points, scale=2.0, threshold=5.0)
    assert found[0].cause == "down"
    assert found[0].start == T0 + 50 * HOUR


def test_offline_after_configured_missed_intervals() -> None:
    last = T0
    assert detectors.offline(last, T0 + timedelta(minutes=60), interval_minutes=15, missed_intervals=4) == []
    found = detectors.offline(last, T0 + timedelta(minutes=61), interval_minutes=15, missed_intervals=4)
    assert found[0].cause == "offline"
    assert found[0].evidence["actual"] == 61.0
    assert detectors.offline(None, T0, interval_minutes=15) == []


def test_completeness_flags_days_below_90_percent_except_today() -> None:
    day_list = [
        DayCoverage(date(2025, 3, 3), 86400 * 0.95, 86400, T0, T0 + DAY),
        DayCoverage(date(2025, 3, 4), 86400 * 0.89, 86400, T0 + DAY, T0 + 2 * DAY),
        DayCoverage(date(2025, 3, 5), 3600, 86400, T0 + 2 * DAY, T0 + 3 * DAY),
    ]
    found = detectors.completeness(day_list, T0 + 2 * DAY + HOUR)
    assert [d.evidence["day"] for d in found] == ["2025-03-04"]
    assert found[0].evidence["actual"] == 0.89


# --- working calendar -------------------------------------------------------------------------


def test_official_calendar_adjusted_sunday_and_national_day() -> None:
    assert official_day(date(2025, 9, 28)) == (True, "adjusted_working_day")
    working, reason = official_day(date(2025, 10, 1))
    assert working is False
    assert reason.startswith("official_holiday")
    assert all(official_day(date(2025, 10, day))[0] is False for day in range(1, 9))
    assert official_day(date(2025, 10, 9)) == (True, "weekday")
    assert official_day(date(2025, 10, 11)) == (True, "adjusted_working_day")


def test_working_time_on_adjusted_sunday_uses_weekday_shift() -> None:
    spec = standard_spec()
    assert is_working(spec, datetime(2025, 9, 28, 9, 0)) == (True, "adjusted_working_day")
    assert is_working(spec, datetime(2025, 9, 28, 18, 0))[0] is False
    assert is_working(spec, datetime(2025, 10, 2, 9, 0))[0] is False


def test_uncovered_year_uses_weekday_rules() -> None:
    assert official_day(date(2035, 1, 1)) == (None, "official_calendar_unavailable")
    spec = standard_spec()
    assert is_working(spec, datetime(2035, 1, 1, 9)) == (True, "weekday_rules_no_official_calendar")  # a Monday
    assert is_working(spec, datetime(2035, 1, 6, 9))[0] is False  # a Saturday


def test_site_override_and_night_shift() -> None:
    night = ((time(22), time(6)),)
    spec = CalendarSpec(
        shifts={0: night},
        official_holidays=True,
        overrides={date(2025, 10, 4): Override(True, ((time(8), time(12)),))},
    )
    assert is_working(spec, datetime(2025, 10, 4, 9)) == (True, "site_override")
    assert is_working(spec, datetime(2025, 10, 4, 13))[0] is False
    # Monday 2025-03-03 22:00 to Tuesday 06:00.
    assert is_working(spec, datetime(2025, 3, 3, 23))[0] is True
    assert is_working(spec, datetime(2025, 3, 4, 5))[0] is True
    assert is_working(spec, datetime(2025, 3, 4, 7))[0] is False


# --- baseline by kind of day, level floor, peak, off-hours duration -----------------------------


def test_day_kind_from_official_calendar_and_shifts() -> None:
    spec = standard_spec()
    assert day_kind(spec, date(2025, 9, 26)) == "working"  # a Friday
    assert day_kind(spec, date(2025, 9, 27)) == "rest"  # a Saturday
    assert day_kind(spec, date(2025, 9, 28)) == "working"  # Sunday, adjusted working day (调休)
    assert day_kind(spec, date(2025, 10, 2)) == "holiday"  # Thursday, National Day
    assert day_kind(spec, date(2025, 10, 5)) == "holiday"  # Sunday inside the National Day holiday
    short_saturday = CalendarSpec(
        shifts={**dict.fromkeys(range(5), ((time(8), time(21)),)), 5: ((time(8), time(17)),)},
        official_holidays=False,
    )
    assert day_kind(short_saturday, date(2025, 10, 2)) == "working"  # without the official calendar
    assert day_kind(short_saturday, date(2025, 10, 4)) == "working 08:00-17:00"
    assert day_kind(short_saturday, date(2025, 10, 5)) == "rest"
    closed = CalendarSpec(shifts=short_saturday.shifts, overrides={date(2025, 10, 6): Override(False)})
    assert day_kind(closed, date(2025, 10, 6)) == "holiday"  # a weekday the site closed


def calendar_history(spec: CalendarSpec, first: date, last: date, work: float, rest: float) -> list[Period]:
    """Hourly values: ``work`` from 08:00 to 17:00 on working days, ``rest`` otherwise, ± 1."""
    series = []
    day = first
    while day <= last:
        working = is_working(spec, datetime.combine(day, time(9)))[0]
        for hour in range(24):
            start = datetime.combine(day, time(hour), tzinfo=UTC)
            level = work if working and 8 <= hour < 17 else rest
            series.append(Period(start, start + HOUR, level + (1.0 if day.toordinal() % 2 else -1.0)))
        day += DAY
    return series


def test_statistical_day_kind_adjusted_sunday_holiday() -> None:
    spec = standard_spec()
    history = calendar_history(spec, date(2025, 8, 3), date(2025, 9, 27), work=100.0, rest=10.0)
    key = detectors.DayKindHour(lambda day: day_kind(spec, day))

    def at(day: date, value: float) -> list[Period]:
        start = datetime.combine(day, time(9), tzinfo=UTC)
        return [Period(start, start + HOUR, value)]

    now = datetime(2025, 11, 1, tzinfo=UTC)
    production_on_adjusted_sunday = at(date(2025, 9, 28), 100.0)
    rest_on_holiday = at(date(2025, 10, 2), 10.0)
    current = production_on_adjusted_sunday + rest_on_holiday
    # Hour of the week compares the working Sunday with Sundays and the holiday with Thursdays.
    by_week = detectors.statistical(current, history, now, local=lambda s: s, threshold=5)
    assert [(d.cause, d.start.date()) for d in by_week] == [("above", date(2025, 9, 28)), ("below", date(2025, 10, 2))]
    # By kind of day both are normal; the holiday, with no holiday in the history, is compared with rest days.
    assert detectors.statistical(current, history, now, local=lambda s: s, key=key, threshold=5) == []
    found = detectors.statistical(at(date(2025, 10, 2), 100.0), history, now, local=lambda s: s, key=key, threshold=5)
    assert [(d.cause, d.evidence["slot"], d.evidence["expected"]) for d in found] == [("above", "rest 9", 10.0)]


def test_statistical_level_floor_late_shift_end() -> None:
    spec = standard_spec(official_holidays=False)
    history = calendar_history(spec, date(2025, 3, 2), date(2025, 3, 30), work=200.0, rest=10.0)
    key = detectors.DayKindHour(lambda day: day_kind(spec, day))
    start = datetime(2025, 3, 31, 17, tzinfo=UTC)  # Monday 17:00, the hour after the shift
    overrun = [Period(start, start + HOUR, 60.0)]
    spike = [Period(start + HOUR, start + 2 * HOUR, 400.0)]
    now = start + DAY

    def check(current: list[Period], of_mean: float) -> list[detectors.Detection]:
        return detectors.statistical(
            current, history, now, local=lambda s: s, key=key, threshold=10, mad_floor_of_mean=of_mean
        )

    # The 17:00 slot is 10 ± 1: 60 scores 34 against a floor of 5 % of the slot median.
    assert len(check(overrun, 0.0)) == 1
    # The mean of the history is about 59; 10 % of it as floor makes the overrun score about 49 / 8.8 = 5.6.
    assert check(overrun, 0.1) == []
    assert [d.evidence["mad_floor"] for d in check(spike, 0.1)] == [pytest.approx(5.91, abs=0.01)]


def test_statistical_peak_limit_wide_slot() -> None:
    # Production hours swing between 100 and 300; idle hours are 10.
    history = []
    start = T0 - 28 * DAY
    for index in range(28 * 24):
        hour = index % 24
        value = 10.0
        if 8 <= hour < 17:
            value = 100.0 if (index // 24) % 2 else 300.0
        history.append(Period(start + index * HOUR, start + (index + 1) * HOUR, value))
    current = hours([500.0, 320.0], T0 + 9 * HOUR)
    now = T0 + DAY
    assert detectors.statistical(current, history, now, local=lambda s: s, threshold=5) == []
    found = detectors.statistical(current, history, now, local=lambda s: s, threshold=5, peak_factor=1.1)
    assert [d.start for d in found] == [T0 + 9 * HOUR]
    assert found[0].evidence["above_peak"] is True
    assert found[0].evidence["peak_limit"] == 330.0


def test_off_hours_minimum_duration() -> None:
    spec = standard_spec(official_holidays=False)
    saturday = datetime(2025, 3, 8, tzinfo=UTC)
    values: list[float | None] = [5.0] * 24
    values[1:4] = [40.0, 40.0, 40.0]  # three hours
    values[6:11] = [40.0, 40.0, None, 40.0, 40.0]  # a gap splits the run into two and two
    values[14:20] = [40.0] * 6  # six hours
    found = detectors.off_hours(
        hours(values, saturday), lambda s: is_working(spec, s.replace(tzinfo=None)), baseload=8.0, min_hours=4
    )
    assert [d.start.hour for d in found] == list(range(14, 20))
    assert found[0].evidence["min_hours"] == 4


def test_quantile() -> None:
    assert detectors.quantile([float(value) for value in range(11)], 0.9) == pytest.approx(9.0)
    assert detectors.quantile([1.0, 2.0], 0.5) == pytest.approx(1.5)
    assert detectors.quantile([], 0.9) is None


def test_idle_baseload_skips_production_hours() -> None:
    # 40 idle hours at 10..17 and 60 hours of shifts running over at 300; shifts draw 250.
    idle = [10.0 + index % 8 for index in range(40)]
    rest = idle + [300.0] * 60
    working = [250.0] * 50
    # Without the split the median rest hour is a production hour: 300 + 5 × 5 % of 300.
    assert detectors.idle_baseload(rest, working, 5.0, production_ratio=math.inf) == pytest.approx(375.0)
    # Hours above the midpoint between the lower quartile (14.75) and 250 are production, not baseload.
    # The idle hours have median 13.5 and MAD 2, so the baseload is 13.5 + 5 × 1.4826 × 2.
    assert detectors.idle_baseload(rest, working, 5.0) == pytest.approx(13.5 + 5 * 1.4826 * 2)


def test_idle_baseload_ignores_earlier_runs() -> None:
    # Two earlier nights of 9 hours at 60 among 300 idle hours: 6 % of them, below the midpoint.
    idle = [10.0 + index % 5 for index in range(300)]
    working = [250.0] * 200
    raised = idle + [60.0] * 18
    # The 0.95 quantile follows the raised nights; the median and MAD barely move.
    assert detectors.quantile(raised, 0.95) == pytest.approx(60.0)
    assert detectors.idle_baseload(raised, working, 5.0) == pytest.approx(detectors.idle_baseload(idle, working, 5.0))
    assert detectors.idle_baseload(raised, working, 5.0) == pytest.approx(12.0 + 5 * 1.4826 * 1)


def test_idle_baseload_close_levels() -> None:
    # Working hours draw 1.8 times the lower quartile of the rest hours (125): no idle state to separate,
    # so the hour at 1000 stays in and only the median and MAD resist it.
    rest = [float(value) for value in range(100, 200)] + [1000.0]
    working = [225.0] * 50
    scale = detectors.robust_scale(rest)
    assert scale is not None
    assert detectors.idle_baseload(rest, working, 2.0) == pytest.approx(150.0 + 2 * scale)


def test_idle_baseload_spread_floor() -> None:
    # Idle readings that repeat one value have no spread, so 5 % of the median is used instead.
    assert detectors.idle_baseload([20.0] * 50, [200.0] * 50, 5.0) == pytest.approx(20.0 + 5 * 1.0)


def test_idle_baseload_missing_hours() -> None:
    assert detectors.idle_baseload([4.0, 6.0], [], 0.0) == pytest.approx(5.0)
    assert detectors.idle_baseload([], [100.0], 5.0) is None


def night_run(first_hour: int, length: int) -> list[detectors.Detection]:
    """Findings of one run on the night of Saturday 2025-03-08, from ``first_hour`` on."""
    spec = standard_spec(official_holidays=False)
    values: list[float | None] = [5.0] * 24
    values[first_hour : first_hour + length] = [40.0] * length
    saturday = datetime(2025, 3, 8, tzinfo=UTC)
    return detectors.off_hours(
        hours(values, saturday), lambda s: is_working(spec, s.replace(tzinfo=None)), baseload=8.0, min_hours=6
    )


def test_off_hours_report_short_earlier_part() -> None:
    # The window starts at 06:00 and the run began at 03:00: 3 hours before it were never reported.
    window_start = datetime(2025, 3, 8, 6, tzinfo=UTC)
    reported = detectors.off_hours_to_report(night_run(3, 7), window_start, 6)
    assert [item.start.hour for item in reported] == list(range(3, 10))


def test_off_hours_report_run_already_reported() -> None:
    # The run began at 00:00, so its first 6 hours already formed a run before the window.
    window_start = datetime(2025, 3, 8, 6, tzinfo=UTC)
    reported = detectors.off_hours_to_report(night_run(0, 9), window_start, 6)
    assert [item.start.hour for item in reported] == [6, 7, 8]
