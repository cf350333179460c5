"""Reporting periods of the dashboards and the periods they are compared with, without database access.

Every period is a pair of local days, both included. The previous period (环比) is the period of
the same kind just before, and the same period last year (同比) is the calendar period one year
earlier, so a month is always compared with a whole month.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class PeriodKind(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    QUARTER = "quarter"
    YEAR = "year"
    CUSTOM = "custom"


PERIOD_KIND_CHOICES = [
    (PeriodKind.DAY.value, _("Day")),
    (PeriodKind.WEEK.value, _("Week")),
    (PeriodKind.MONTH.value, _("Month")),
    (PeriodKind.QUARTER.value, _("Quarter")),
    (PeriodKind.YEAR.value, _("Year")),
    (PeriodKind.CUSTOM.value, _("Custom")),
]

# 52 weeks, so a week of last year starts on the same weekday as this one.
WEEKS_PER_YEAR_DAYS = 364


@dataclass(frozen=True, slots=True)
class Period:
    """Local days ``start`` to ``end``, both included, of one kind."""

    kind: PeriodKind
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def shift_years(day: date, years: int) -> date:
    """Move a day by whole years; 29 February becomes 28 February in a year without it."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _month_end(year: int, month: int) -> date:
    first_of_next = date(year + month // 12, month % 12 + 1, 1)
    return first_of_next - timedelta(days=1)


def period_containing(kind: PeriodKind, day: date) -> Period:
    """Return the calendar period of ``kind`` that contains ``day``; weeks run Monday to Sunday (ISO 8601).

    Raise ValueError for PeriodKind.CUSTOM, whose bounds the caller gives.
    """
    if kind is PeriodKind.DAY:
        return Period(kind, day, day)
    if kind is PeriodKind.WEEK:
        monday = day - timedelta(days=day.weekday())
        return Period(kind, monday, monday + timedelta(days=6))
    if kind is PeriodKind.MONTH:
        return Period(kind, day.replace(day=1), _month_end(day.year, day.month))
    if kind is PeriodKind.QUARTER:
        first_month = 3 * ((day.month - 1) // 3) + 1
        return Period(kind, date(day.year, first_month, 1), _month_end(day.year, first_month + 2))
    if kind is PeriodKind.YEAR:
        return Period(kind, date(day.year, 1, 1), date(day.year, 12, 31))
    raise ValueError(f"a {kind} period has no calendar bounds; give its first and last day")


def previous_period(period: Period) -> Period:
    """Return the period of the same kind just before ``period``; a custom period keeps its length."""
    if period.kind is PeriodKind.CUSTOM:
        end = period.start - timedelta(days=1)
        return Period(period.kind, end - timedelta(days=period.days - 1), end)
    return period_containing(period.kind, period.start - timedelta(days=1))


def same_period_last_year(period: Period) -> Period:
    """Return the period one year earlier: the same calendar period, the week 52 weeks before, or shifted days."""
    if period.kind is PeriodKind.CUSTOM:
        return Period(period.kind, shift_years(period.start, -1), shift_years(period.end, -1))
    if period.kind is PeriodKind.WEEK:
        return period_containing(period.kind, period.start - timedelta(days=WEEKS_PER_YEAR_DAYS))
    return period_containing(period.kind, shift_years(period.start, -1))
