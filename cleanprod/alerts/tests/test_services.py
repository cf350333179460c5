"""Detection on stored data, grouping of repeats, lifecycle, permissions and the periodic watch."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.test import TestCase
from pytest_django.fixtures import Settings

from cleanprod.alerts import services
from cleanprod.alerts.detectors import Detection
from cleanprod.alerts.models import (
    Alert,
    AlertEvent,
    AlertKind,
    AlertRule,
    AlertStatus,
    CalendarOverride,
    EventAction,
    WorkingCalendar,
)
from cleanprod.alerts.services import TransitionError, change_status, record, respond
from cleanprod.metering.models import Meter
from cleanprod.metering.signals import readings_stored
from cleanprod.organization.models import Enterprise, Site

from .helpers import daily_profile, interval_meter, store

START = datetime(2025, 3, 3, tzinfo=UTC)  # Monday 08:00 in Shanghai
HOUR = timedelta(hours=1)


@pytest.fixture
def immediate_tasks(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def rule_of(site: Site, kind: str) -> AlertRule:
    return AlertRule.objects.get(site=site, kind=kind, meter=None, organization_unit=None)


def detection(start: datetime, cause: str = "above", actual: float = 10.0) -> Detection:
    return Detection("statistical", cause, start, start + HOUR, {"expected": 1.0, "actual": actual, "score": 9.0})


def test_new_site_gets_default_rules(site_a: Site) -> None:
    kinds = sorted(AlertRule.objects.filter(site=site_a).values_list("kind", flat=True))
    assert kinds == ["offline", "statistical", "stuck"]
    assert rule_of(site_a, "statistical").parameters == {
        "weeks": 8,
        "threshold": 10.0,
        "mad_floor_fraction": 0.05,
        "mad_floor_of_mean": 0.1,
        "peak_factor": 1.1,
    }


def test_spike_raises_statistical_alert_through_the_signal(site_a: Site, immediate_tasks: None) -> None:
    meter = interval_meter(site_a, "E-A-LINE")
    history = daily_profile(28 * 24)
    store(meter, START, history)
    today = START + 28 * 24 * HOUR
    values = daily_profile(6)
    values[3] = 400.0  # usually about 50
    first, last = store(meter, today, values)
    readings_stored.send(sender=None, site_id=site_a.pk, spans={meter.pk: (first, last)})
    alert = Alert.objects.get(meter=meter)
    assert (alert.kind, alert.cause, alert.status) == ("statistical", "above", "open")
    assert alert.first_seen == today + 3 * HOUR
    assert alert.evidence["actual"] == 400.0
    assert alert.evidence["expected"] == pytest.approx(50.0, abs=1.0)
    assert alert.evidence["score"] > 5
    # Sending the same span again counts nothing twice.
    readings_stored.send(sender=None, site_id=site_a.pk, spans={meter.pk: (first, last)})
    assert Alert.objects.get(meter=meter).occurrences == 1


def test_per_meter_rule_overrides_the_site_rule(site_a: Site) -> None:
    meter = interval_meter(site_a, "E-A-LINE")
    other = interval_meter(site_a, "E-A-OTHER")
    AlertRule.objects.create(site=site_a, meter=meter, kind="statistical", name="off", enabled=False)
    tighter = AlertRule.objects.create(
        site=site_a, meter=other, kind="statistical", name="tight", parameters={"threshold": 3}
    )
    book = services.RuleBook(site_a)
    assert "statistical" not in book.for_meter(meter)
    assert book.for_meter(other)["statistical"] == tighter
    assert book.for_meter(site_a.meters.get(code="E-A-MAIN"))["statistical"] == rule_of(site_a, "statistical")


def test_unit_rule_applies_to_meters_below_it(site_a: Site) -> None:
    workshop = site_a.units.get(code="ws1")
    line = site_a.units.get(code="ws1-line1")
    meter = interval_meter(site_a, "E-A-LINE", organization_unit=line)
    unit_rule = AlertRule.objects.create(
        site=site_a, organization_unit=workshop, kind="threshold", name="ws", parameters={"above": 10}
    )
    assert services.RuleBook(site_a).for_meter(meter)["threshold"] == unit_rule


def test_repeats_within_the_grouping_window_count_on_one_alert(meter_a: Meter, settings: Settings) -> None:
    settings.CLEANPROD_ALERT_GROUPING_HOURS = 24
    rule = rule_of(meter_a.site, "statistical")
    first = record(rule, meter_a, detection(START))
    assert first is not None
    assert record(rule, meter_a, detection(START)) is None  # the same occurrence again
    assert record(rule, meter_a, detection(START + 5 * HOUR, actual=20.0)) is None
    assert record(rule, meter_a, detection(START + 3 * HOUR)) is None  # inside the counted span
    first.refresh_from_db()
    assert (first.occurrences, first.last_seen, first.evidence["actual"]) == (2, START + 5 * HOUR, 20.0)
    later = record(rule, meter_a, detection(START + 30 * HOUR))
    assert later is not None
    assert later.pk != first.pk
    # Another cause is another alert.
    assert record(rule, meter_a, detection(START + 5 * HOUR, cause="below")) is not None


def test_acknowledged_alert_still_groups_resolved_does_not(meter_a: Meter, alice: User) -> None:
    rule = rule_of(meter_a.site, "statistical")
    alert = record(rule, meter_a, detection(START))
    assert alert is not None
    change_status(alert, alice, EventAction.ACKNOWLEDGE)
    assert record(rule, meter_a, detection(START + HOUR)) is None
    change_status(alert, alice, EventAction.RESOLVE, "valve closed")
    # Re-running the detectors over periods the resolved alert covered raises nothing.
    assert record(rule, meter_a, detection(START + HOUR)) is None
    fresh = record(rule, meter_a, detection(START + 2 * HOUR))
    assert fresh is not None
    assert fresh.status == AlertStatus.OPEN


def test_lifecycle_transitions_and_events(meter_a: Meter, alice: User) -> None:
    alert = record(rule_of(meter_a.site, "statistical"), meter_a, detection(START))
    assert alert is not None
    with pytest.raises(TransitionError):
        change_status(alert, alice, EventAction.REOPEN)
    with pytest.raises(TransitionError):
        change_status(alert, alice, EventAction.COMMENT, "   ")
    respond(alert, alice, EventAction.ACKNOWLEDGE, "looking")
    with pytest.raises(TransitionError):
        respond(alert, alice, EventAction.ACKNOWLEDGE)
    respond(alert, alice, EventAction.COMMENT, "compressor left on")
    respond(alert, alice, EventAction.RESOLVE)
    respond(alert, alice, EventAction.REOPEN, "again")
    alert.refresh_from_db()
    assert alert.status == AlertStatus.OPEN
    events = list(AlertEvent.objects.filter(alert=alert).values_list("action", "user__username", "text"))
    assert events == [
        ("acknowledge", "alice", "looking"),
        ("comment", "alice", "compressor left on"),
        ("resolve", "alice", ""),
        ("reopen", "alice", "again"),
    ]


def test_respond_needs_the_respond_permission(meter_a: Meter, meter_b: Meter, carol: User, bob: User) -> None:
    alert_a = record(rule_of(meter_a.site, "statistical"), meter_a, detection(START))
    alert_b = record(rule_of(meter_b.site, "statistical"), meter_b, detection(START))
    assert alert_a is not None
    assert alert_b is not None
    with pytest.raises(PermissionDenied):
        respond(alert_a, carol, EventAction.ACKNOWLEDGE)  # auditor: read-only
    with pytest.raises(PermissionDenied):
        respond(alert_a, bob, EventAction.ACKNOWLEDGE)  # another site
    respond(alert_b, bob, EventAction.ACKNOWLEDGE)  # data entry may respond on his site
    alert_a.refresh_from_db()
    assert alert_a.status == AlertStatus.OPEN


def test_offline_raised_by_watch_and_resolved_when_readings_return(site_a: Site) -> None:
    meter = interval_meter(site_a, "E-A-FEED", minutes=15)
    store(meter, START, [1.0] * 8)  # last reading at START + 2 h
    now = START + 2 * HOUR + timedelta(minutes=59)
    assert services.watch_pass(now, [site_a]) == []
    raised = services.watch_pass(START + 3 * HOUR + timedelta(minutes=1), [site_a])
    assert [(alert.meter_id, alert.kind) for alert in raised] == [(meter.pk, "offline")]
    assert raised[0].evidence["actual"] == 61.0
    assert services.watch_pass(START + 5 * HOUR, [site_a]) == []  # still the same silence
    assert Alert.objects.get(kind="offline").occurrences == 1
    store(meter, START + 2 * HOUR, [1.0] * 12)
    services.watch_pass(START + 5 * HOUR, [site_a])
    alert = Alert.objects.get(kind="offline")
    assert alert.status == AlertStatus.RESOLVED
    assert alert.events.get().text == "Readings arrive again."


def test_alerts_watch_command_once(site_a: Site, capsys: pytest.CaptureFixture[str]) -> None:
    meter = interval_meter(site_a, "E-A-FEED", minutes=15)
    store(meter, START, [1.0] * 4)
    call_command("alerts_watch", "--once")
    assert "1 new alert(s)" in capsys.readouterr().out
    assert Alert.objects.filter(meter=meter, kind="offline").exists()


def test_stuck_meter_in_the_database(site_a: Site) -> None:
    stuck_meter = interval_meter(site_a, "E-A-STUCK", minutes=15)
    moving = interval_meter(site_a, "E-A-MOVING", minutes=15)
    store(stuck_meter, START, [3.0] * 12)
    store(moving, START, [float(index % 5) for index in range(12)])
    raised = services.SiteDetector(site_a, START + 4 * HOUR).run(
        {stuck_meter.pk: services.Window(START, START + 3 * HOUR), moving.pk: services.Window(START, START + 3 * HOUR)}
    )
    assert [(alert.meter_id, alert.kind) for alert in raised] == [(stuck_meter.pk, "stuck")]
    assert raised[0].evidence["flat_intervals"] == 11


def test_off_hours_with_calendar_override(site_a: Site) -> None:
    meter = interval_meter(site_a, "E-A-AIR")
    AlertRule.objects.create(site=site_a, kind="off_hours", name="air", parameters={"baseload": 10})
    calendar = WorkingCalendar.objects.create(site=site_a)
    # 2025-10-04 (Saturday, National Day holiday) declared a working day at the site, 08:00–12:00.
    CalendarOverride.objects.create(
        calendar=calendar,
        day=datetime(2025, 10, 4).date(),
        working=True,
        start=datetime(2025, 1, 1, 8).time(),
        end=datetime(2025, 1, 1, 12).time(),
    )
    day_start = datetime(2025, 10, 3, 16, tzinfo=UTC)  # 2025-10-04 00:00 in Shanghai
    store(meter, day_start, [50.0] * 24)
    raised = services.SiteDetector(site_a, day_start + 30 * HOUR).run(
        {meter.pk: services.Window(day_start, day_start + 24 * HOUR)}
    )
    off = [alert for alert in raised if alert.kind == AlertKind.OFF_HOURS]
    assert len(off) == 1  # grouped: 20 off-hours hours within 24 h are one alert
    off[0].refresh_from_db()
    assert off[0].occurrences == 20
    assert off[0].first_seen == day_start  # 00:00 local
    assert off[0].evidence["calendar"] == "site_override:outside_shifts"


def test_off_hours_run_across_window_start(site_a: Site) -> None:
    """Six hours above the baseload from Friday 21:00 to Saturday 03:00; the window starts at midnight.

    Friday's 3 hours were too short to report on their own, so the alert starts at Friday 21:00.
    """
    meter = interval_meter(site_a, "E-A-KILN")
    AlertRule.objects.create(site=site_a, kind="off_hours", name="kiln", parameters={"baseload": 10})
    friday = datetime(2025, 3, 6, 16, tzinfo=UTC)  # 2025-03-07 00:00 in Shanghai
    values = [5.0] * 48
    values[21:27] = [50.0] * 6
    values[24 + 10 : 24 + 13] = [50.0] * 3  # Saturday 10:00–13:00: three hours, too short
    store(meter, friday, values)
    saturday = friday + 24 * HOUR
    raised = services.SiteDetector(site_a, saturday + 30 * HOUR).run(
        {meter.pk: services.Window(saturday, saturday + 24 * HOUR)}
    )
    off = [alert for alert in raised if alert.kind == AlertKind.OFF_HOURS]
    assert len(off) == 1
    off[0].refresh_from_db()
    assert off[0].first_seen == friday + 21 * HOUR
    assert off[0].occurrences == 6
    assert off[0].evidence["min_hours"] == 6


def test_off_hours_baseload_ignores_late_shifts(site_a: Site) -> None:
    """A line left running all night is found although shifts ran late in the weeks before.

    History: four weeks of 08:00–17:00 production at 100 on weekdays, idle hours at 10–12, and
    every weekday shift running over until 21:00 at 100. Those late hours are 16 % of all rest
    hours: a 0.95 quantile of the rest hours would be the production level and miss the night.
    """
    meter = interval_meter(site_a, "E-A-MILL")
    AlertRule.objects.create(site=site_a, kind="off_hours", name="mill", parameters={})
    first = datetime(2025, 3, 2, 16, tzinfo=UTC)  # Monday 2025-03-03 00:00 in Shanghai
    values = []
    for day in range(29):
        weekday = day % 7 < 5
        for hour in range(24):
            values.append(100.0 if weekday and 8 <= hour < 21 else 10.0 + hour % 3)
    night = first + 28 * 24 * HOUR  # Monday 2025-03-31 00:00 local
    values[28 * 24 : 28 * 24 + 7] = [90.0] * 7  # 00:00–07:00 left running
    store(meter, first, values)
    raised = services.SiteDetector(site_a, night + 30 * HOUR).run({meter.pk: services.Window(night, night + 24 * HOUR)})
    off = [alert for alert in raised if alert.kind == AlertKind.OFF_HOURS]
    assert len(off) == 1
    off[0].refresh_from_db()
    assert off[0].first_seen == night
    assert off[0].occurrences == 7
    assert off[0].evidence["baseload"] == pytest.approx(11.0 + 5 * 1.4826, abs=0.001)


def weekday_history(first: datetime, days: int) -> list[float]:
    """Hourly values from a local Monday: 100 on weekdays 08:00–17:00, else 10–12."""
    values = []
    for day in range(days):
        for hour in range(24):
            values.append(100.0 if day % 7 < 5 and 8 <= hour < 17 else 10.0 + hour % 3)
    return values


def test_off_hours_alert_starts_with_run(site_a: Site) -> None:
    """Readings arrive hour by hour; a night run at 40 from 00:00 to 08:00 opens one alert at 00:00."""
    meter = interval_meter(site_a, "E-A-FAN")
    AlertRule.objects.create(site=site_a, kind="off_hours", name="fan", parameters={})
    first = datetime(2025, 3, 2, 16, tzinfo=UTC)  # Monday 2025-03-03 00:00 in Shanghai
    values = weekday_history(first, 29)
    night = first + 29 * 24 * HOUR  # Tuesday 2025-04-01 00:00 local
    store(meter, first, values)
    for hour in range(8):
        start = night + hour * HOUR
        store(meter, start, [40.0])
        services.SiteDetector(site_a, start + HOUR + timedelta(minutes=5)).run(
            {meter.pk: services.Window(start, start + HOUR)}
        )
    alert = Alert.objects.get(kind=AlertKind.OFF_HOURS)
    assert alert.first_seen == night
    assert alert.last_seen == night + 7 * HOUR
    assert alert.occurrences == 8


def test_off_hours_day_long_run_limit(site_a: Site) -> None:
    """A weekend run at 40 since Saturday 00:00 is still above the limit on Sunday at 20:00.

    Its 44 hours so far are 9 % of the rest hours of 4 weeks. The baseload stays at the idle
    level: median 11 plus 5 robust standard deviations of 1.4826.
    """
    meter = interval_meter(site_a, "E-A-PUMP")
    AlertRule.objects.create(site=site_a, kind="off_hours", name="pump", parameters={})
    first = datetime(2025, 3, 2, 16, tzinfo=UTC)  # Monday 2025-03-03 00:00 in Shanghai
    values = weekday_history(first, 33)  # to Friday 2025-04-04
    values += [40.0] * 44  # Saturday 00:00 to Sunday 20:00
    store(meter, first, values)
    sunday_evening = first + (33 * 24 + 44) * HOUR
    store(meter, sunday_evening, [40.0])
    raised = services.SiteDetector(site_a, sunday_evening + 2 * HOUR).run(
        {meter.pk: services.Window(sunday_evening, sunday_evening + HOUR)}
    )
    off = [alert for alert in raised if alert.kind == AlertKind.OFF_HOURS]
    assert len(off) == 1
    assert off[0].evidence["actual"] == 40.0
    assert off[0].evidence["baseload"] == pytest.approx(11.0 + 5 * 1.4826, abs=0.001)


def calendar_profile(first_local_day: datetime, days: int, site: Site, overrides: dict[int, str]) -> list[float]:
    """Hourly values per local day: 100 from 08:00 to 17:00 on working days, else 10, ± 1 by day.

    ``overrides`` maps a day index to "work" or "rest" to set that day's shape regardless of the calendar.
    """
    from cleanprod.alerts.workcalendar import day_kind

    spec = services.calendar_spec(site)
    values = []
    for index in range(days):
        day = (first_local_day + index * 24 * HOUR).astimezone(site.zone).date()
        shape = overrides.get(index, "work" if day_kind(spec, day) == "working" else "rest")
        for hour in range(24):
            level = 100.0 if shape == "work" and 8 <= hour < 17 else 10.0
            values.append(level + (1.0 if index % 2 else -1.0))
    return values


def test_statistical_day_kind_on_stored_data(site_a: Site) -> None:
    """调休 Sunday 2025-09-28 works like a weekday and 2025-10-02 rests: neither is an anomaly."""
    meter = interval_meter(site_a, "E-A-PRESS")
    first = datetime(2025, 8, 2, 16, tzinfo=UTC)  # 2025-08-03 00:00 in Shanghai
    days = 8 * 7 + 5  # to 2025-10-02
    # Day 59 (2025-10-01, National Day) runs a full production day: that one is an anomaly.
    store(meter, first, calendar_profile(first, days, site_a, {59: "work"}))
    detector = services.SiteDetector(site_a, first + (days + 1) * 24 * HOUR)
    windows = {meter.pk: services.Window(first + 56 * 24 * HOUR, first + days * 24 * HOUR)}
    raised = detector.run(windows)
    found = sorted(
        (alert.first_seen.astimezone(site_a.zone).date().isoformat(), alert.cause)
        for alert in raised
        if alert.kind == AlertKind.STATISTICAL
    )
    assert found == [("2025-10-01", "above")]
    alert = next(alert for alert in raised if alert.kind == AlertKind.STATISTICAL)
    assert alert.evidence["slot"].startswith("rest ")  # a holiday without holidays in the history


def test_completeness_from_rollups(site_a: Site) -> None:
    meter = interval_meter(site_a, "E-A-GAPS", minutes=60)
    AlertRule.objects.create(site=site_a, kind="completeness", name="90 %")
    day_start = datetime(2025, 3, 2, 16, tzinfo=UTC)  # 2025-03-03 00:00 in Shanghai
    store(meter, day_start - 24 * HOUR, [1.0] * 24)
    store(meter, day_start, [1.0] * 20)  # 20 of 24 hours = 83 %
    detector = services.SiteDetector(site_a, day_start + 30 * HOUR)
    raised = detector.check_completeness(days=2)
    assert [(a.kind, a.evidence["day"], a.evidence["actual"]) for a in raised] == [
        ("completeness", "2025-03-03", 0.8333)
    ]


class TransactionalSignalTest(TestCase):
    """The receiver runs after the sender's commit, as the ingest pipeline sends it."""

    def test_signal_on_commit_enqueues_detection(self) -> None:
        from django.db import transaction
        from django.test import override_settings

        enterprise = Enterprise.objects.create(name="E", uscc="91320500MA1N2K3L4N")
        site = Site.objects.create(enterprise=enterprise, code="s", name="S")
        meter = interval_meter(site, "M1")
        store(meter, START, daily_profile(28 * 24))
        values = daily_profile(4)
        values[2] = 900.0
        first, last = store(meter, START + 28 * 24 * HOUR, values)
        immediate = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
        with override_settings(TASKS=immediate), self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                transaction.on_commit(
                    lambda: readings_stored.send(sender=None, site_id=site.pk, spans={meter.pk: (first, last)})
                )
            assert not Alert.objects.exists()
        assert Alert.objects.filter(meter=meter, kind="statistical", cause="above").count() == 1


def test_per_unit_statistical_when_site_records_production(site_a: Site) -> None:
    """Twice the usual consumption is normal with twice the output, and an alert with the same output."""
    from decimal import Decimal

    from cleanprod.production.models import ProductionRecord
    from cleanprod.resources.models import Resource

    meter = interval_meter(site_a, "E-A-LINE")
    product = Resource.objects.get(code="product")
    local_midnight = datetime(2025, 3, 2, 16, tzinfo=UTC)  # 2025-03-03 00:00 in Shanghai
    days = 30
    values: list[float] = []
    for day in range(days):
        # Day 28 doubles output and consumption; day 29 doubles consumption only.
        level = 200.0 if day in (28, 29) else 100.0 + (day % 2)
        values += [level / 24] * 24
        output = Decimal("20") if day == 28 else Decimal("10")
        the_day = (local_midnight + day * 24 * HOUR).astimezone(site_a.zone).date()
        ProductionRecord.objects.create(
            site=site_a,
            organization_unit=site_a.units.get(code="ws1"),
            product=product,
            period_start=the_day,
            period_end=the_day,
            quantity=output,
            unit="t",
        )
    store(meter, local_midnight, values)
    window = services.Window(local_midnight + 28 * 24 * HOUR, local_midnight + 30 * 24 * HOUR)
    detector = services.SiteDetector(site_a, local_midnight + 31 * 24 * HOUR)
    rule = rule_of(site_a, "statistical")
    found = detector.per_unit_statistical(meter, window, rule.params())
    assert [(item.cause, item.start) for item in found] == [("above_per_unit", local_midnight + 29 * 24 * HOUR)]
    assert found[0].evidence["per_unit"] is True
    assert found[0].evidence["actual"] == pytest.approx(20.0)
    assert found[0].evidence["expected"] == pytest.approx(10.0, abs=0.1)


def test_backfill_checked_over_its_last_days(settings: Settings) -> None:
    settings.CLEANPROD_ALERT_BACKFILL_DAYS = 14
    first = datetime(2024, 1, 1, 0, 15, tzinfo=UTC)
    last = datetime(2024, 12, 31, 23, 45, tzinfo=UTC)
    window = services.window_for_span(first, last)
    assert window.end == datetime(2025, 1, 1, tzinfo=UTC)
    assert window.start == datetime(2024, 12, 18, tzinfo=UTC)
    short = services.window_for_span(datetime(2025, 3, 3, 10, 15, tzinfo=UTC), datetime(2025, 3, 3, 11, tzinfo=UTC))
    assert (short.start, short.end) == (datetime(2025, 3, 3, 9, tzinfo=UTC), datetime(2025, 3, 3, 12, tzinfo=UTC))


def test_partial_day_in_database_raises_no_drop(site_a: Site) -> None:
    """Six full days of 1000 kWh, then today at 10:00 with 10 h of data = 420 kWh: no drop alert."""
    meter = interval_meter(site_a, "E-A-DAY")
    AlertRule.objects.create(
        site=site_a, kind="rate_of_change", name="day", parameters={"period": "day", "max_decrease_percent": 20}
    )
    AlertRule.objects.create(site=site_a, kind="threshold", name="low", parameters={"period": "day", "below": 900})
    midnight = datetime(2025, 3, 2, 16, tzinfo=UTC)  # 2025-03-03 00:00 in Shanghai
    store(meter, midnight, [1000.0 / 24] * (6 * 24) + [42.0] * 10)
    now = midnight + (6 * 24 + 10) * HOUR
    window = services.Window(midnight, now)
    raised = services.SiteDetector(site_a, now).run({meter.pk: window})
    assert [alert.kind for alert in raised if alert.kind in ("rate_of_change", "threshold")] == []
    # The next morning the day is complete and the same fall is reported.
    later = now + 24 * HOUR
    store(meter, now, [0.0] * 14)
    raised = services.SiteDetector(site_a, later).run({meter.pk: services.Window(midnight, later)})
    causes = sorted((alert.kind, alert.cause) for alert in raised if alert.kind in ("rate_of_change", "threshold"))
    assert causes == [("rate_of_change", "decrease"), ("threshold", "below")]
    change = Alert.objects.get(kind="rate_of_change")
    assert change.evidence["change_percent"] == -58.0
