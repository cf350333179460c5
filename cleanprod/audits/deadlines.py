"""Statutory deadlines of a cleaner production audit, computed without the database.

《清洁生产审核办法》 (NDRC/MEE Order No. 38 of 2016): after the list of enterprises under
mandatory audit is published, an enterprise starts its audit within 2 months and finishes
it, submitting the report, within 1 year. Enterprises listed because they use toxic or
hazardous raw materials or discharge toxic or hazardous substances audit again at most
5 years after the previous audit. The month and year counts are parameters because
provinces restate them and the settings hold them.
"""

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

REMINDER_DAYS = 14


class DeadlineCode(StrEnum):
    START = "start"  # start the audit after the listing
    FINISH = "finish"  # finish the audit and submit the report
    NEXT_TOXIC_AUDIT = "next_toxic_audit"  # next audit of a toxic-substance site


@dataclass(frozen=True, slots=True)
class Deadline:
    code: DeadlineCode
    due_on: date
    met_on: date | None  # the date the obligation was fulfilled, or None while it is open


@dataclass(frozen=True, slots=True)
class PreviousAudit:
    started_on: date
    finished_on: date | None


def add_months(day: date, months: int) -> date:
    """Return the same day ``months`` later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def statutory_deadlines(
    *,
    mandatory: bool,
    toxic: bool,
    listed_on: date | None,
    started_on: date | None,
    finished_on: date | None,
    previous: PreviousAudit | None,
    start_months: int,
    finish_months: int,
    toxic_interval_years: int,
) -> list[Deadline]:
    """Return the deadlines that apply to an audit, earliest first.

    A voluntary audit has none. A mandatory audit without ``listed_on`` gets no start or
    finish deadline, because both count from the listing. For a toxic-substance audit the
    interval counts from the previous audit's finish, or from its start when it has no
    finish date, and this audit's start fulfils it.
    """
    if not mandatory:
        return []
    deadlines: list[Deadline] = []
    if listed_on is not None:
        deadlines.append(Deadline(DeadlineCode.START, add_months(listed_on, start_months), started_on))
        deadlines.append(Deadline(DeadlineCode.FINISH, add_months(listed_on, finish_months), finished_on))
    if toxic and previous is not None:
        reference = previous.finished_on or previous.started_on
        due = add_months(reference, 12 * toxic_interval_years)
        deadlines.append(Deadline(DeadlineCode.NEXT_TOXIC_AUDIT, due, started_on))
    return sorted(deadlines, key=lambda deadline: deadline.due_on)


@dataclass(frozen=True, slots=True)
class Reminder:
    """Something due soon or overdue: a deadline or a step, with the days left (negative when overdue)."""

    due_on: date
    days_left: int

    @property
    def overdue(self) -> bool:
        return self.days_left < 0

    @property
    def days_overdue(self) -> int:
        return max(0, -self.days_left)


def reminder_for(due_on: date | None, done: bool, today: date, within_days: int = REMINDER_DAYS) -> Reminder | None:
    """Return a reminder when an open item is overdue or due within ``within_days`` of ``today``."""
    if due_on is None or done:
        return None
    if due_on > today + timedelta(days=within_days):
        return None
    return Reminder(due_on, (due_on - today).days)
