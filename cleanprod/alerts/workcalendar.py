"""Working time of a site: shifts per weekday, the official Chinese calendar and site overrides.

Chinese public holidays move each year and some weekends become working days (调休), set
by the State Council's annual notice (国务院办公厅关于部分节假日安排的通知). The package
``chinese_calendar`` contains those notices for the years it covers. For other years the
weekday rules alone decide, and the returned reason says so.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time

import chinese_calendar  # type: ignore[import-untyped]

ShiftTimes = tuple[tuple[time, time], ...]


@dataclass(frozen=True)
class Override:
    working: bool
    shifts: ShiftTimes = ()
    note: str = ""


@dataclass(frozen=True)
class CalendarSpec:
    """Shifts per weekday (0 = Monday); a weekday without shifts is a rest day."""

    shifts: dict[int, ShiftTimes] = field(default_factory=dict)
    official_holidays: bool = True
    overrides: dict[date, Override] = field(default_factory=dict)


def official_day(day: date) -> tuple[bool | None, str]:
    """Return whether the official calendar makes ``day`` a working day, and why, or None outside its years."""
    try:
        working = chinese_calendar.is_workday(day)
        _, holiday_name = chinese_calendar.get_holiday_detail(day)
    except NotImplementedError:
        return None, "official_calendar_unavailable"
    weekend = day.weekday() >= 5
    if working and weekend:
        return True, "adjusted_working_day"
    if not working and not weekend:
        return False, f"official_holiday:{holiday_name}" if holiday_name else "official_holiday"
    if not working and holiday_name:
        return False, f"official_holiday:{holiday_name}"
    return working, "weekday" if working else "weekend"


def _in_shifts_today(moment: time, shifts: ShiftTimes) -> bool:
    """Check whether ``moment`` falls in a shift that starts on the same day (a night shift until midnight)."""
    return any(start <= moment < end if start < end else moment >= start for start, end in shifts)


def day_status(spec: CalendarSpec, day: date) -> tuple[bool, ShiftTimes, str]:
    """Return whether ``day`` is worked, its shifts and the reason, with site overrides taking precedence."""
    override = spec.overrides.get(day)
    if override is not None:
        shifts = override.shifts or _default_shifts(spec, day)
        return override.working, shifts if override.working else (), "site_override"
    if spec.official_holidays:
        working, reason = official_day(day)
        if working is not None:
            return working, _default_shifts(spec, day) if working else (), reason
        weekday_working = bool(spec.shifts.get(day.weekday()))
        return weekday_working, spec.shifts.get(day.weekday(), ()), "weekday_rules_no_official_calendar"
    working = bool(spec.shifts.get(day.weekday()))
    return working, spec.shifts.get(day.weekday(), ()), "weekday" if working else "weekend"


def _default_shifts(spec: CalendarSpec, day: date) -> ShiftTimes:
    """Shifts of a worked day: its weekday's, or Monday's when that weekday has none (an adjusted Sunday)."""
    own = spec.shifts.get(day.weekday(), ())
    if own:
        return own
    for weekday in range(7):
        if spec.shifts.get(weekday):
            return spec.shifts[weekday]
    return ()


def is_working(spec: CalendarSpec, moment: datetime) -> tuple[bool, str]:
    """Return whether the local time ``moment`` lies in working time, with the reason.

    A night shift that starts on a worked day and runs past midnight counts on the next
    morning as well.
    """
    working, shifts, reason = day_status(spec, moment.date())
    if working and _in_shifts_today(moment.time(), shifts):
        return True, reason
    previous = date.fromordinal(moment.date().toordinal() - 1)
    before_working, before_shifts, before_reason = day_status(spec, previous)
    if before_working and any(start >= end and moment.time() < end for start, end in before_shifts):
        return True, before_reason
    return False, f"{reason}:outside_shifts" if working else reason


def standard_spec(official_holidays: bool = True) -> CalendarSpec:
    """Monday to Friday, 08:00–17:00: the calendar of a site that has not set its own."""
    day_shift: ShiftTimes = ((time(8), time(17)),)
    return CalendarSpec(shifts={weekday: day_shift for weekday in range(5)}, official_holidays=official_holidays)


def day_kind(spec: CalendarSpec, day: date) -> str:
    """Kind of day for a seasonal baseline: ``holiday``, ``rest``, ``working`` or ``working HH:MM-HH:MM``.

    Official holidays (and site overrides that close a weekday) are ``holiday``; weekends and
    other days without shifts are ``rest``. A worked day is ``working`` when it has the
    site's main shifts (those of the first worked weekday) and names its own shifts
    otherwise, so a short Saturday is compared with Saturdays. An adjusted working day
    (调休, e.g. Sunday 2025-09-28) works the main shifts, so it is compared with weekdays.
    """
    working, shifts, reason = day_status(spec, day)
    if not working:
        if reason.startswith("official_holiday") or (reason == "site_override" and spec.shifts.get(day.weekday())):
            return "holiday"
        return "rest"
    if shifts == _default_shifts(spec, date(2001, 1, 1)):  # 2001-01-01 is a Monday
        return "working"
    return "working " + ",".join(f"{start:%H:%M}-{end:%H:%M}" for start, end in shifts)
