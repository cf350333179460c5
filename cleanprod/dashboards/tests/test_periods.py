"""Dashboard periods and their comparison periods, without the database."""

from datetime import date

import pytest

from cleanprod.dashboards.periods import (
    Period,
    PeriodKind,
    period_containing,
    previous_period,
    same_period_last_year,
    shift_years,
)


@pytest.mark.parametrize(
    ("kind", "day", "start", "end"),
    [
        (PeriodKind.DAY, date(2024, 3, 2), date(2024, 3, 2), date(2024, 3, 2)),
        (PeriodKind.WEEK, date(2024, 3, 2), date(2024, 2, 26), date(2024, 3, 3)),
        (PeriodKind.MONTH, date(2024, 2, 10), date(2024, 2, 1), date(2024, 2, 29)),
        (PeriodKind.MONTH, date(2024, 12, 31), date(2024, 12, 1), date(2024, 12, 31)),
        (PeriodKind.QUARTER, date(2024, 8, 15), date(2024, 7, 1), date(2024, 9, 30)),
        (PeriodKind.QUARTER, date(2024, 12, 1), date(2024, 10, 1), date(2024, 12, 31)),
        (PeriodKind.YEAR, date(2024, 6, 1), date(2024, 1, 1), date(2024, 12, 31)),
    ],
)
def test_period_containing_day(kind, day, start, end):
    assert period_containing(kind, day) == Period(kind, start, end)


def test_custom_period_has_no_calendar_bounds():
    with pytest.raises(ValueError, match="custom"):
        period_containing(PeriodKind.CUSTOM, date(2024, 3, 1))


def test_previous_month_of_march_is_february():
    march = period_containing(PeriodKind.MONTH, date(2024, 3, 15))

    assert previous_period(march) == Period(PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29))


def test_previous_quarter_crosses_year():
    first_quarter = period_containing(PeriodKind.QUARTER, date(2024, 2, 1))

    assert previous_period(first_quarter) == Period(PeriodKind.QUARTER, date(2023, 10, 1), date(2023, 12, 31))


def test_previous_custom_period_keeps_length():
    custom = Period(PeriodKind.CUSTOM, date(2024, 3, 1), date(2024, 3, 10))

    assert previous_period(custom) == Period(PeriodKind.CUSTOM, date(2024, 2, 20), date(2024, 2, 29))


def test_last_year_of_february_is_whole_month():
    february = period_containing(PeriodKind.MONTH, date(2025, 2, 1))

    assert same_period_last_year(february) == Period(PeriodKind.MONTH, date(2024, 2, 1), date(2024, 2, 29))


def test_last_year_week_starts_on_monday():
    week = period_containing(PeriodKind.WEEK, date(2024, 3, 6))

    last_year = same_period_last_year(week)

    assert last_year.start.weekday() == 0
    assert last_year == Period(PeriodKind.WEEK, date(2023, 3, 6), date(2023, 3, 12))


def test_leap_day_shifts_to_february_28():
    assert shift_years(date(2024, 2, 29), -1) == date(2023, 2, 28)
    assert shift_years(date(2024, 3, 1), -1) == date(2023, 3, 1)


def test_period_counts_days():
    assert Period(PeriodKind.CUSTOM, date(2024, 3, 1), date(2024, 3, 31)).days == 31
