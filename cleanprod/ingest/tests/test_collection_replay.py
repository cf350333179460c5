"""The replay helpers (steel demo day, date shift, injected faults) and the collection_setup command."""

from datetime import date, datetime, time, timedelta
from io import StringIO
from itertools import pairwise
from zoneinfo import ZoneInfo

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from cleanprod.demo.sites import STEEL_FILE
from cleanprod.ingest.collection.replay import (
    ReplayReading,
    full_load_reading,
    inject,
    same_weekday_source,
    shift_to,
    steel_day,
    until,
)
from cleanprod.ingest.collection.tokens import find_token
from cleanprod.ingest.models import MqttSubscription
from cleanprod.organization.models import Site

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture(scope="module")
def day() -> list[ReplayReading]:
    return steel_day(STEEL_FILE, date(2018, 3, 5), SEOUL)


def test_steel_day_has_96_intervals(day: list[ReplayReading]) -> None:
    assert len(day) == 96
    assert day[0].timestamp == datetime(2018, 3, 5, 0, 15, tzinfo=SEOUL)
    assert day[-1].timestamp == datetime(2018, 3, 6, 0, 0, tzinfo=SEOUL)
    steps = {later.timestamp - earlier.timestamp for earlier, later in pairwise(day)}
    assert steps == {timedelta(minutes=15)}


def test_steel_day_outside_data_rejected() -> None:
    with pytest.raises(ValueError, match="2018-01-01 to 2018-12-31"):
        steel_day(STEEL_FILE, date(2019, 1, 1), SEOUL)


def test_shift_keeps_clock_times(day: list[ReplayReading]) -> None:
    shifted = shift_to(day, date(2026, 12, 4))

    assert shifted[0].timestamp == datetime(2026, 12, 4, 0, 15, tzinfo=SEOUL)
    assert shifted[-1].timestamp == datetime(2026, 12, 5, 0, 0, tzinfo=SEOUL)
    assert [item.value for item in shifted] == [item.value for item in day]


def test_inject_spike_adds_full_load_hour(day: list[ReplayReading]) -> None:
    full_load = full_load_reading(STEEL_FILE)
    faulty = inject(day, "spike", time(10, 0), full_load=full_load)

    by_time = {item.timestamp: item.value for item in faulty}
    original = {item.timestamp: item.value for item in day}
    changed = sorted(stamp for stamp in by_time if by_time[stamp] != original[stamp])
    # Readings are labelled at interval end: 10:15 to 11:00 cover 10:00–11:00.
    assert changed == [datetime(2018, 3, 5, 10, 15, tzinfo=SEOUL) + timedelta(minutes=15 * k) for k in range(4)]
    added = sum(by_time[stamp] - original[stamp] for stamp in changed)
    assert added == pytest.approx(4 * full_load)
    assert full_load > 90  # kWh per 15 minutes at full load of the steel plant (99.04 in the 2018 data)


def test_same_weekday_source() -> None:
    saturday = date(2026, 12, 5)
    source = same_weekday_source(saturday)

    assert source.weekday() == saturday.weekday()
    assert source.year == 2018
    assert same_weekday_source(date(2024, 2, 29)).weekday() == date(2024, 2, 29).weekday()
    assert same_weekday_source(date(2027, 1, 1)) >= date(2018, 1, 1)


def test_until_drops_future_readings(day: list[ReplayReading]) -> None:
    kept = until(day, datetime(2018, 3, 5, 9, 6, tzinfo=SEOUL))

    assert kept[-1].timestamp == datetime(2018, 3, 5, 9, 0, tzinfo=SEOUL)
    assert len(kept) == 36


def test_inject_stuck_repeats_previous_value(day: list[ReplayReading]) -> None:
    faulty = inject(day, "stuck", time(10, 0), minutes=60)

    before = next(item.value for item in day if item.timestamp == datetime(2018, 3, 5, 10, 0, tzinfo=SEOUL))
    window = [item.value for item in faulty if time(10, 0) < item.timestamp.time() <= time(11, 0)]
    assert window == [before] * 4


def test_inject_offhours_uses_day_peak(day: list[ReplayReading]) -> None:
    faulty = inject(day, "offhours", time(2, 0), minutes=120)

    window = [item.value for item in faulty if time(2, 0) < item.timestamp.time() <= time(4, 0)]
    assert window == [max(item.value for item in day)] * 8
    unchanged = next(item for item in faulty if item.timestamp.time() == time(2, 0))
    assert unchanged.value == next(item.value for item in day if item.timestamp.time() == time(2, 0))


def test_inject_missing_leaves_gap(day: list[ReplayReading]) -> None:
    faulty = inject(day, "missing", time(2, 0), minutes=60)

    assert len(faulty) == 92
    assert not [item for item in faulty if time(2, 0) < item.timestamp.time() <= time(3, 0)]


def test_inject_window_within_the_day(day: list[ReplayReading]) -> None:
    to_midnight = inject(day, "offhours", time(22, 0), minutes=120)
    assert to_midnight[-1].value == max(item.value for item in day)
    with pytest.raises(ValueError, match="ends after the replayed day"):
        inject(day, "offhours", time(22, 0), minutes=180)


def test_inject_unknown_fault_rejected(day: list[ReplayReading]) -> None:
    with pytest.raises(ValueError, match="unknown fault"):
        inject(day, "flood", time(2, 0))


@pytest.mark.django_db
def test_setup_command_creates_token_and_subscription(site_a: Site) -> None:
    output = StringIO()

    call_command("collection_setup", site_a.code, "--token", "replay", "--mqtt-topic", "demo/+/energy", stdout=output)

    secret = output.getvalue().strip().splitlines()[-1]
    token = find_token(secret)
    assert token is not None
    assert token.site == site_a
    assert MqttSubscription.objects.get(site=site_a).topic_filter == "demo/+/energy"


@pytest.mark.django_db
def test_setup_command_keeps_existing_subscription(site_a: Site) -> None:
    call_command("collection_setup", site_a.code, "--mqtt-topic", "demo/#", stdout=StringIO())
    output = StringIO()

    call_command("collection_setup", site_a.code, "--mqtt-topic", "demo/#", stdout=output)

    assert "exists already" in output.getvalue()
    assert MqttSubscription.objects.filter(site=site_a).count() == 1


@pytest.mark.django_db
def test_setup_command_unknown_site(site_a: Site) -> None:
    with pytest.raises(CommandError, match="site-a"):
        call_command("collection_setup", "nowhere", "--token", "x", stdout=StringIO())


@pytest.mark.django_db
def test_setup_command_wait_times_out(site_a: Site) -> None:
    with pytest.raises(CommandError, match="has not subscribed"):
        call_command(
            "collection_setup", site_a.code, "--mqtt-topic", "demo/#", "--wait-subscribed", "0", stdout=StringIO()
        )


@pytest.mark.django_db
def test_setup_command_wait_sees_subscription(site_a: Site) -> None:
    call_command("collection_setup", site_a.code, "--mqtt-topic", "demo/#", stdout=StringIO())
    MqttSubscription.objects.filter(site=site_a).update(subscribed_at=datetime(2026, 1, 1, tzinfo=SEOUL))
    output = StringIO()

    call_command("collection_setup", site_a.code, "--mqtt-topic", "demo/#", "--wait-subscribed", "1", stdout=output)

    assert "collector subscribed at" in output.getvalue()
