"""Statutory deadlines and reminders, with the dates worked by hand."""

from datetime import date

import pytest
import time_machine
from django.urls import reverse

from cleanprod.audits.deadlines import (
    DeadlineCode,
    PreviousAudit,
    add_months,
    reminder_for,
    statutory_deadlines,
)
from cleanprod.audits.models import AuditKind, AuditStatus, MandatoryTrigger
from cleanprod.audits.services import audit_deadlines, audit_reminders

from .conftest import first_step, last_step, make_audit

RULES = {"start_months": 2, "finish_months": 12, "toxic_interval_years": 5}


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (date(2024, 3, 15), 2, date(2024, 5, 15)),
        (date(2024, 3, 15), 12, date(2025, 3, 15)),
        (date(2023, 12, 31), 2, date(2024, 2, 29)),  # clamped to the leap day
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2024, 2, 29), 60, date(2029, 2, 28)),
    ],
)
def test_add_months(day, months, expected):
    assert add_months(day, months) == expected


def test_voluntary_audit_has_no_deadlines():
    deadlines = statutory_deadlines(
        mandatory=False,
        toxic=False,
        listed_on=date(2024, 3, 15),
        started_on=None,
        finished_on=None,
        previous=None,
        **RULES,
    )
    assert deadlines == []


def test_mandatory_deadlines_count_from_listing():
    deadlines = statutory_deadlines(
        mandatory=True,
        toxic=False,
        listed_on=date(2024, 3, 15),
        started_on=date(2024, 4, 1),
        finished_on=None,
        previous=None,
        **RULES,
    )
    assert [(item.code, item.due_on, item.met_on) for item in deadlines] == [
        (DeadlineCode.START, date(2024, 5, 15), date(2024, 4, 1)),
        (DeadlineCode.FINISH, date(2025, 3, 15), None),
    ]


def test_toxic_interval_counts_from_previous_finish():
    deadlines = statutory_deadlines(
        mandatory=True,
        toxic=True,
        listed_on=None,
        started_on=None,
        finished_on=None,
        previous=PreviousAudit(started_on=date(2019, 5, 1), finished_on=date(2020, 4, 30)),
        **RULES,
    )
    assert [(item.code, item.due_on) for item in deadlines] == [(DeadlineCode.NEXT_TOXIC_AUDIT, date(2025, 4, 30))]


def test_toxic_interval_falls_back_to_previous_start():
    deadlines = statutory_deadlines(
        mandatory=True,
        toxic=True,
        listed_on=None,
        started_on=None,
        finished_on=None,
        previous=PreviousAudit(started_on=date(2019, 5, 1), finished_on=None),
        **RULES,
    )
    assert deadlines[0].due_on == date(2024, 5, 1)


def test_settings_change_deadlines(audit_a, settings):
    settings.CLEANPROD_AUDIT_START_MONTHS = 1
    settings.CLEANPROD_AUDIT_FINISH_MONTHS = 6

    deadlines = {item.code: item.due_on for item in audit_deadlines(audit_a)}

    assert deadlines == {DeadlineCode.START: date(2024, 4, 15), DeadlineCode.FINISH: date(2024, 9, 15)}


def test_previous_audit_of_site_sets_toxic_deadline(site_a, alice):
    make_audit(
        site_a,
        alice,
        name="第一轮",
        started_on=date(2019, 6, 1),
        finished_on=date(2020, 5, 20),
        status=AuditStatus.COMPLETED,
        listed_on=None,
        trigger=MandatoryTrigger.TOXIC,
    )
    second = make_audit(
        site_a, alice, name="第二轮", started_on=date(2025, 1, 10), listed_on=None, trigger=MandatoryTrigger.TOXIC
    )

    deadlines = audit_deadlines(second)

    assert [(item.code, item.due_on, item.met_on) for item in deadlines] == [
        (DeadlineCode.NEXT_TOXIC_AUDIT, date(2025, 5, 20), date(2025, 1, 10))
    ]


@pytest.mark.parametrize(
    ("due_on", "done", "days_left"),
    [
        (date(2024, 6, 15), False, 14),  # the last day inside the window
        (date(2024, 6, 16), False, None),
        (date(2024, 5, 30), False, -2),
        (date(2024, 5, 30), True, None),
        (None, False, None),
    ],
)
def test_reminder_window(due_on, done, days_left):
    reminder = reminder_for(due_on, done, date(2024, 6, 1))
    assert (reminder.days_left if reminder is not None else None) == days_left


def test_reminders_list_deadline_and_step(audit_a):
    step = first_step(audit_a)
    step.due_on = date(2024, 5, 20)
    step.save()
    done = last_step(audit_a)
    done.due_on = date(2024, 5, 10)
    done.status = "done"
    done.save()

    reminders = audit_reminders(audit_a, date(2024, 5, 12))

    # The start deadline (15 May) was met on 1 April, so only the step and nothing done remain.
    assert [(item.label.endswith(step.title), item.reminder.days_left) for item in reminders] == [(True, 8)]


def test_open_finish_deadline_overdue(audit_a):
    reminders = audit_reminders(audit_a, date(2025, 3, 20))

    assert len(reminders) == 1
    assert reminders[0].step_id is None
    assert reminders[0].reminder.days_left == -5


def test_overview_and_list_show_reminders(audit_a, alice, client_for):
    step = first_step(audit_a)
    step.due_on = date(2025, 3, 1)
    step.save()
    client = client_for(alice)

    with time_machine.travel(date(2025, 3, 10), tick=False):
        overview = client.get(reverse("audits:overview", args=[audit_a.pk]), HTTP_ACCEPT_LANGUAGE="en")
        listing = client.get(reverse("audits:list"), HTTP_ACCEPT_LANGUAGE="en")

    for page in (overview.content.decode(), listing.content.decode()):
        assert "overdue by 9 days" in page
        assert "due in 5 days" in page  # the finish deadline, 15 March 2025
        assert step.title in page


def test_voluntary_audit_overview_has_no_deadlines(site_a, alice, client_for):
    audit = make_audit(site_a, alice, kind=AuditKind.VOLUNTARY, trigger="", listed_on=None)

    page = client_for(alice).get(reverse("audits:overview", args=[audit.pk]), HTTP_ACCEPT_LANGUAGE="en")

    assert "No statutory deadline applies" in page.content.decode()
