"""The MQTT collector against the local Mosquitto broker (127.0.0.1:1883): storage, rejections, outages.

Every test uses its own topic prefix and client id, so parallel runs do not see each other's messages.
"""

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as paho
import psycopg
import pytest
from django.conf import settings
from django.db import OperationalError, connection
from paho.mqtt.enums import CallbackAPIVersion
from psycopg import sql

from cleanprod.ingest import pipeline
from cleanprod.ingest.collection.mqtt import MqttCollector, Received
from cleanprod.ingest.models import MqttSubscription, MqttTopicMeter, RejectedMessage
from cleanprod.metering.models import Meter, Reading
from cleanprod.organization.models import Site
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

HOST = settings.CLEANPROD_MQTT_HOST
PORT = settings.CLEANPROD_MQTT_PORT


def publish(topic: str, *payloads: str | bytes) -> None:
    publisher = paho.Client(CallbackAPIVersion.VERSION2, client_id=f"test-pub-{uuid.uuid4().hex[:8]}")
    publisher.connect(HOST, PORT)
    publisher.loop_start()
    try:
        for payload in payloads:
            publisher.publish(topic, payload, qos=1).wait_for_publish(timeout=5)
    finally:
        publisher.disconnect()
        publisher.loop_stop()


def forget_session(client_id: str) -> None:
    """Connect once with a clean session so the broker drops what it kept for the client id."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id=client_id, clean_session=True)
    client.connect(HOST, PORT)
    client.loop_start()
    client.disconnect()
    client.loop_stop()


def wait_until(condition: Callable[[], bool], collector: MqttCollector, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        collector.run_once(wait=0.2)
        if condition():
            return
    raise AssertionError("condition not reached within the timeout")


def wait_subscribed(collector: MqttCollector, filters: int = 1, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while collector.confirmed_filters < filters:
        assert time.monotonic() < deadline, "the broker did not confirm the subscription"
        time.sleep(0.02)


@pytest.fixture
def prefix() -> str:
    return f"cleanprod-test/{uuid.uuid4().hex[:12]}"


@pytest.fixture
def counter(site_a: Site) -> Meter:
    return Meter.objects.create(
        site=site_a,
        code="E-A-LINE1",
        name="line 1",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        reading_kind="cumulative",
        interval_minutes=15,
    )


@pytest.fixture
def make_collector() -> Iterator[Callable[..., MqttCollector]]:
    started: list[MqttCollector] = []

    def make(client_id: str | None = None, **options: Any) -> MqttCollector:
        collector = MqttCollector(
            HOST,
            PORT,
            client_id=client_id or f"test-collector-{uuid.uuid4().hex[:8]}",
            batch_seconds=0.2,
            first_retry_seconds=0.05,
            **options,
        )
        collector.start()
        assert collector.connected.wait(5), "no connection to the local MQTT broker"
        started.append(collector)
        return collector

    yield make
    for collector in started:
        collector.stop()
        forget_session(collector.client._client_id.decode())


def values(meter: Meter) -> list[float]:
    return list(Reading.objects.filter(meter=meter).order_by("timestamp").values_list("value", flat=True))


def test_published_reading_stored(site_a: Site, counter: Meter, prefix: str, make_collector: Any) -> None:
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/+/energy", payload_format="json_object")
    collector = make_collector()
    wait_subscribed(collector)

    publish(f"{prefix}/line1/energy", '{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1500}')

    wait_until(lambda: Reading.objects.filter(meter=counter).exists(), collector)
    assert values(counter) == [1500.0]


def test_out_of_order_list_computes_intervals(site_a: Site, counter: Meter, prefix: str, make_collector: Any) -> None:
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/batch", payload_format="json_list")
    collector = make_collector()
    wait_subscribed(collector)

    publish(f"{prefix}/batch", '[{"meter": "E-A-LINE1", "timestamp": "2024-04-10T09:45:00+08:00", "value": 1490.0}]')
    wait_until(lambda: Reading.objects.filter(meter=counter).count() == 1, collector)
    publish(
        f"{prefix}/batch",
        '[{"meter":"E-A-LINE1","timestamp":"2024-04-10T10:30:00+08:00","value":1520.0},'
        '{"meter":"E-A-LINE1","timestamp":"2024-04-10T10:00:00+08:00","value":1500.0},'
        '{"meter":"E-A-LINE1","timestamp":"2024-04-10T10:15:00+08:00","value":1512.5}]',
    )

    wait_until(lambda: Reading.objects.filter(meter=counter).count() == 4, collector)
    consumption = list(
        Reading.objects.filter(meter=counter).order_by("timestamp").values_list("consumption", flat=True)
    )
    assert consumption[1:] == [pytest.approx(10.0), pytest.approx(12.5), pytest.approx(7.5)]


def test_plain_number_meter_from_topic(site_a: Site, counter: Meter, prefix: str, make_collector: Any) -> None:
    subscription = MqttSubscription.objects.create(
        site=site_a, topic_filter=f"{prefix}/+/energy", payload_format="number", meter_level=3
    )
    MqttTopicMeter.objects.create(subscription=subscription, topic=f"{prefix}/cabinet-3/energy", meter_code="E-A-MAIN")
    collector = make_collector()
    wait_subscribed(collector)

    publish(f"{prefix}/E-A-LINE1/energy", "1500.5")
    publish(f"{prefix}/cabinet-3/energy", "77")

    main = site_a.meters.get(code="E-A-MAIN")
    wait_until(lambda: Reading.objects.filter(meter__in=[counter, main]).count() == 2, collector)
    assert values(counter) == [1500.5]
    assert values(main) == [77.0]


def test_malformed_payloads_kept_as_rejected(site_a: Site, counter: Meter, prefix: str, make_collector: Any) -> None:
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/in", payload_format="json_object")
    collector = make_collector()
    wait_subscribed(collector)

    publish(
        f"{prefix}/in",
        "{not json",
        '{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": "high"}',
        '{"meter": "NO-SUCH", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1}',
        '{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1500}',
    )

    wait_until(lambda: RejectedMessage.objects.filter(site=site_a).count() == 3, collector)
    rejected = {item.code: item for item in RejectedMessage.objects.filter(site=site_a, source="mqtt")}
    assert set(rejected) == {"invalid_json", "invalid_value", "unknown_meter"}
    assert rejected["invalid_json"].payload == "{not json"
    assert rejected["invalid_json"].origin == f"{prefix}/in"
    assert "NO-SUCH" in rejected["unknown_meter"].message
    assert values(counter) == [1500.0]


def test_database_outage_loses_nothing(
    site_a: Site, counter: Meter, prefix: str, make_collector: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/in", payload_format="json_object")
    collector = make_collector()
    wait_subscribed(collector)
    real_store_rows = pipeline.store_rows
    outage = {"on": True, "failed_writes": 0}

    def store_rows_during_outage(*args: Any, **kwargs: Any) -> Any:
        if outage["on"]:
            outage["failed_writes"] += 1
            raise OperationalError("could not connect to server: Connection refused")
        return real_store_rows(*args, **kwargs)

    acked_with_rows: list[int] = []
    real_ack = collector.client.ack

    def ack(mid: int, qos: int) -> Any:
        acked_with_rows.append(Reading.objects.filter(meter=counter).count())
        return real_ack(mid, qos)

    monkeypatch.setattr("cleanprod.ingest.collection.mqtt.store_rows", store_rows_during_outage)
    monkeypatch.setattr(collector.client, "ack", ack)
    payloads = [
        f'{{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:{minute:02d}:00+08:00", "value": {1500 + minute}}}'
        for minute in (0, 15, 30, 45)
    ]
    publish(f"{prefix}/in", *payloads)

    # run_once keeps retrying the batch; a second thread ends the outage after three failed writes.
    def end_outage() -> None:
        while outage["failed_writes"] < 3:
            time.sleep(0.01)
        outage["on"] = False

    ender = threading.Thread(target=end_outage)
    ender.start()
    wait_until(lambda: Reading.objects.filter(meter=counter).count() == 4, collector)
    ender.join()

    assert outage["failed_writes"] >= 3
    assert values(counter) == [1500.0, 1515.0, 1530.0, 1545.0]
    assert acked_with_rows
    assert all(rows == 4 for rows in acked_with_rows)


def test_crash_before_commit_redelivers(
    site_a: Site, counter: Meter, prefix: str, make_collector: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/in", payload_format="json_object")
    client_id = f"test-collector-{uuid.uuid4().hex[:8]}"
    first = make_collector(client_id)
    wait_subscribed(first)
    payload = '{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1500}'
    publish(f"{prefix}/in", payload)
    deadline = time.monotonic() + 5
    while first.inbox.empty():
        assert time.monotonic() < deadline, "the message did not arrive"
        time.sleep(0.02)

    # The first collector dies with the message received but never stored or acknowledged.
    first.stop_event.set()
    first.client.loop_stop()
    sock = first.client.socket()
    assert sock is not None
    sock.close()
    time.sleep(0.2)

    second = make_collector(client_id)
    wait_until(lambda: Reading.objects.filter(meter=counter).exists(), second)
    second.run_once(wait=0.5)  # a second delivery, if any, is an identical duplicate
    assert values(counter) == [1500.0]


def test_refresh_follows_subscription_changes(site_a: Site, counter: Meter, prefix: str, make_collector: Any) -> None:
    old = MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/old", payload_format="json_object")
    collector = make_collector()
    wait_subscribed(collector)

    old.delete()
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/new", payload_format="json_object")
    collector.refresh()
    wait_subscribed(collector, filters=2)

    assert collector.subscribed == {f"{prefix}/new"}
    publish(f"{prefix}/new", '{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1500}')
    wait_until(lambda: Reading.objects.filter(meter=counter).exists(), collector)
    assert values(counter) == [1500.0]


def test_reconnects_after_connection_loss(site_a: Site, counter: Meter, prefix: str, make_collector: Any) -> None:
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/in", payload_format="json_object")
    collector = make_collector()
    wait_subscribed(collector)

    # Cut the TCP connection under paho; its network thread reconnects after the back-off delay.
    sock = collector.client.socket()
    assert sock is not None
    sock.shutdown(socket.SHUT_RDWR)
    deadline = time.monotonic() + 5
    while collector.connected.is_set():
        assert time.monotonic() < deadline, "the collector did not notice the lost connection"
        time.sleep(0.02)
    assert collector.connected.wait(10), "the collector did not reconnect"

    publish(f"{prefix}/in", '{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1500}')
    wait_until(lambda: Reading.objects.filter(meter=counter).exists(), collector)
    assert values(counter) == [1500.0]


@pytest.mark.django_db(transaction=True)
def test_real_database_outage_loses_nothing(
    site_a: Site, counter: Meter, prefix: str, make_collector: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """PostgreSQL goes away for real: every session to the database is ended and new ones are refused.

    The collector must keep the messages unacknowledged, retry, and store each reading once
    when the database accepts connections again.
    """
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL, whose sessions another connection can end")
    database = connection.settings_dict["NAME"]
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/in", payload_format="json_object")
    collector = make_collector()
    wait_subscribed(collector)
    payloads = [
        f'{{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:{minute:02d}:00+08:00", "value": {1500 + minute}}}'
        for minute in (0, 15, 30, 45)
    ]
    admin_settings = {**connection.settings_dict, "NAME": "postgres"}
    admin = psycopg.connect(
        dbname="postgres",
        host=admin_settings.get("HOST") or None,
        port=admin_settings.get("PORT") or None,
        user=admin_settings.get("USER") or None,
        password=admin_settings.get("PASSWORD") or None,
        autocommit=True,
    )
    try:
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS false").format(sql.Identifier(database)))
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [database],
        )
        publish(f"{prefix}/in", *payloads)
        restored = threading.Timer(
            1.5,
            lambda: admin.execute(
                sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(database))
            ),
        )
        restored.start()
        # The first attempt meets the ended session, the next ones a refused connection, until the timer.
        collector.run_once(wait=1.0)
        restored.join()
    finally:
        admin.execute(sql.SQL("ALTER DATABASE {} WITH ALLOW_CONNECTIONS true").format(sql.Identifier(database)))
        admin.close()
    connection.close()  # this thread's session was ended too
    wait_until(lambda: Reading.objects.filter(meter=counter).count() == 4, collector)

    assert values(counter) == [1500.0, 1515.0, 1530.0, 1545.0]
    assert collector.stored_messages == 4
    assert "storing MQTT messages failed" in caplog.text  # the outage was met, not missed


def test_new_subscription_recorded_quickly(site_a: Site, counter: Meter, prefix: str, make_collector: Any) -> None:
    collector = make_collector(refresh_seconds=0.1)
    subscription = MqttSubscription.objects.create(
        site=site_a, topic_filter=f"{prefix}/late", payload_format="json_object"
    )
    assert subscription.subscribed_at is None

    deadline = time.monotonic() + 5
    while subscription.subscribed_at is None:
        assert time.monotonic() < deadline, "the collector did not record the new subscription"
        collector.refresh()
        time.sleep(0.05)
        collector.record_subscribed()
        subscription.refresh_from_db()

    publish(f"{prefix}/late", '{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 7}')
    wait_until(lambda: Reading.objects.filter(meter=counter).exists(), collector)
    assert values(counter) == [7.0]


def test_saving_subscription_clears_subscribed_at(site_a: Site, prefix: str) -> None:
    subscription = MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/x")
    MqttSubscription.objects.filter(pk=subscription.pk).update(subscribed_at=datetime.now(UTC))

    subscription.refresh_from_db()
    subscription.meter_level = 2
    subscription.save()

    subscription.refresh_from_db()
    assert subscription.subscribed_at is None


def test_collector_default_refresh_is_short() -> None:
    assert MqttCollector(HOST, PORT, client_id="unused").refresh_seconds <= 5


def test_future_reading_rejected_over_mqtt(site_a: Site, counter: Meter, prefix: str) -> None:
    MqttSubscription.objects.create(site=site_a, topic_filter=f"{prefix}/future", payload_format="json_object")
    collector = MqttCollector(HOST, PORT, client_id="unused")
    collector.refresh()
    payload = b'{"meter": "E-A-LINE1", "timestamp": "2030-01-01T00:00:00+08:00", "value": 5}'

    collector.store([Received(f"{prefix}/future", payload, 1, 1, datetime.now(UTC))])

    assert not Reading.objects.filter(meter=counter).exists()
    assert RejectedMessage.objects.get(site=site_a).code == "future_timestamp"
