"""Notification delivery to an SMTP server and HTTP receivers started by the tests on 127.0.0.1."""

import json
import socket
import threading
from collections.abc import Iterator
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.handlers import Message
from pytest_django.fixtures import Settings

from cleanprod.alerts.detectors import Detection
from cleanprod.alerts.models import (
    AlertRule,
    ChannelKind,
    DeliveryStatus,
    NotificationChannel,
    NotificationDelivery,
    Severity,
    WebhookFormat,
)
from cleanprod.alerts.notify import deliver
from cleanprod.alerts.services import record
from cleanprod.metering.models import Meter

START = datetime(2025, 3, 3, tzinfo=UTC)


class Inbox(Message):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def handle_message(self, message: Any) -> None:
        self.messages.append(message)


@pytest.fixture
def smtp_server(settings: Settings) -> Iterator[Inbox]:
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd needs a concrete port: take a free one
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
        settings.EMAIL_HOST = "127.0.0.1"
        settings.EMAIL_PORT = port
        settings.EMAIL_USE_TLS = False
        yield inbox
    finally:
        controller.stop()


class Receiver:
    """An HTTP server on a free loopback port that records POSTs and responds with a set status and body."""

    def __init__(self, status: int = 200, body: bytes = b'{"ok": true}') -> None:
        self.requests: list[dict[str, Any]] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                receiver.requests.append(
                    {"path": self.path, "type": self.headers.get("Content-Type"), "body": self.rfile.read(length)}
                )
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver_factory() -> Iterator[Any]:
    started: list[Receiver] = []

    def start(status: int = 200, body: bytes = b'{"ok": true}') -> Receiver:
        receiver = Receiver(status, body)
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.fixture
def immediate(settings: Settings) -> None:
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.CLEANPROD_ALERT_RETRY_SECONDS = 0


def raise_alert(meter: Meter, django_capture_on_commit_callbacks: Any, severity: int = Severity.WARNING) -> Any:
    rule = AlertRule.objects.get(site=meter.site, kind="statistical", meter=None)
    rule.severity = severity
    rule.save()
    found = Detection("statistical", "above", START, START, {"expected": 50.0, "actual": 400.0, "score": 12.5})
    with django_capture_on_commit_callbacks(execute=True):
        alert = record(rule, meter, found)
    return alert


def test_email_reaches_the_smtp_server(
    meter_a: Meter, smtp_server: Inbox, immediate: None, django_capture_on_commit_callbacks: Any
) -> None:
    NotificationChannel.objects.create(
        site=meter_a.site, name="EHS", kind=ChannelKind.EMAIL, target="ehs@example.com, energy@example.com"
    )
    alert = raise_alert(meter_a, django_capture_on_commit_callbacks)
    delivery = NotificationDelivery.objects.get(alert=alert)
    assert (delivery.status, delivery.attempts, delivery.error) == (DeliveryStatus.SENT, 1, "")
    assert len(smtp_server.messages) == 1
    message = smtp_server.messages[0]
    assert message["To"] == "ehs@example.com, energy@example.com"
    body = message.get_payload(decode=True).decode()
    assert "400.0" in body
    assert meter_a.code in message["Subject"] + body
    assert f"/alerts/{alert.pk}/" in body


@pytest.mark.parametrize("kind", [WebhookFormat.GENERIC, WebhookFormat.WECOM, WebhookFormat.DINGTALK])
def test_webhook_formats(
    meter_a: Meter, receiver_factory: Any, immediate: None, django_capture_on_commit_callbacks: Any, kind: str
) -> None:
    receiver = receiver_factory(200, b'{"errcode": 0, "errmsg": "ok"}')
    NotificationChannel.objects.create(
        site=meter_a.site, name="hook", kind=ChannelKind.WEBHOOK, webhook_format=kind, target=receiver.url
    )
    alert = raise_alert(meter_a, django_capture_on_commit_callbacks)
    assert NotificationDelivery.objects.get(alert=alert).status == DeliveryStatus.SENT
    [request] = receiver.requests
    assert request["type"].startswith("application/json")
    payload = json.loads(request["body"])
    if kind == WebhookFormat.GENERIC:
        assert payload["id"] == alert.pk
        assert payload["meter"] == meter_a.code
        assert payload["evidence"]["actual"] == 400.0
        assert payload["kind"] == "statistical"
    else:
        assert payload["msgtype"] == "text"
        assert meter_a.code in payload["text"]["content"]


def test_failing_receiver_is_retried_and_logged(
    meter_a: Meter, receiver_factory: Any, immediate: None, django_capture_on_commit_callbacks: Any
) -> None:
    receiver = receiver_factory(500, b"broken")
    NotificationChannel.objects.create(site=meter_a.site, name="hook", kind=ChannelKind.WEBHOOK, target=receiver.url)
    alert = raise_alert(meter_a, django_capture_on_commit_callbacks)
    delivery = NotificationDelivery.objects.get(alert=alert)
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert "HTTP 500" in delivery.error
    assert len(receiver.requests) == 3


def test_robot_error_code_counts_as_failure(
    meter_a: Meter, receiver_factory: Any, immediate: None, django_capture_on_commit_callbacks: Any
) -> None:
    receiver = receiver_factory(200, b'{"errcode": 93000, "errmsg": "invalid webhook url"}')
    NotificationChannel.objects.create(
        site=meter_a.site,
        name="wecom",
        kind=ChannelKind.WEBHOOK,
        webhook_format=WebhookFormat.WECOM,
        target=receiver.url,
    )
    alert = raise_alert(meter_a, django_capture_on_commit_callbacks)
    delivery = NotificationDelivery.objects.get(alert=alert)
    assert delivery.status == DeliveryStatus.FAILED
    assert "93000" in delivery.error


def test_retry_succeeds_after_receiver_starts(meter_a: Meter, receiver_factory: Any, settings: Settings) -> None:
    """A closed port fails the first attempt; the delivery is retried later and then sent."""
    closed = Receiver()
    url = closed.url
    closed.stop()
    channel = NotificationChannel.objects.create(site=meter_a.site, name="hook", kind=ChannelKind.WEBHOOK, target=url)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    rule = AlertRule.objects.get(site=meter_a.site, kind="statistical", meter=None)
    alert = record(rule, meter_a, Detection("statistical", "above", START, START, {"expected": 1, "actual": 2}))
    delivery = NotificationDelivery.objects.get(alert=alert, channel=channel)
    assert deliver(delivery, attempts=1, pause=0) is False
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.error
    receiver = receiver_factory()
    channel.target = receiver.url
    channel.save()
    delivery.refresh_from_db()
    assert deliver(delivery, attempts=1, pause=0) is True
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 2)


def test_min_severity_and_rule_channels(
    meter_a: Meter, receiver_factory: Any, immediate: None, django_capture_on_commit_callbacks: Any
) -> None:
    receiver = receiver_factory()
    critical_only = NotificationChannel.objects.create(
        site=meter_a.site, name="night", kind=ChannelKind.WEBHOOK, target=receiver.url, min_severity=Severity.CRITICAL
    )
    raise_alert(meter_a, django_capture_on_commit_callbacks, Severity.WARNING)
    assert receiver.requests == []
    NotificationChannel.objects.create(
        site=meter_a.site, name="off", kind=ChannelKind.WEBHOOK, target=receiver.url, enabled=False
    )
    assert critical_only.deliveries.count() == 0


def test_channel_validation(meter_a: Meter) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="not an e-mail address"):
        NotificationChannel(site=meter_a.site, name="x", kind="email", target="ehs@example.com, nobody").full_clean()
    with pytest.raises(ValidationError, match="http:// or https://"):
        NotificationChannel(site=meter_a.site, name="x", kind="webhook", target="file:///etc/passwd").full_clean()


def test_email_lines_translated_local_and_absolute(
    meter_a: Meter, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every label goes through gettext, times are the site's, the link carries CLEANPROD_BASE_URL."""
    from cleanprod.alerts import notify

    settings.CLEANPROD_BASE_URL = "https://ems.example.com/"
    meter_a.site.time_zone = "Asia/Seoul"
    meter_a.site.save()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    rule = AlertRule.objects.get(site=meter_a.site, kind="statistical", meter=None)
    alert = record(rule, meter_a, Detection("statistical", "above", START, START, {"expected": 1, "actual": 2}))
    assert alert is not None
    monkeypatch.setattr(notify, "_", lambda text: "译" + text)
    _subject, body = notify.alert_lines(alert)
    lines = body.splitlines()
    assert len(lines) == 8
    assert all(line.startswith("译") for line in lines)
    assert "2025-03-03 09:00 (Asia/Seoul)" in body  # 00:00 UTC
    assert f"https://ems.example.com/alerts/{alert.pk}/" in body


def test_generic_webhook_codes_and_title(meter_a: Meter, settings: Settings) -> None:
    from cleanprod.alerts.notify import webhook_payload

    settings.CLEANPROD_BASE_URL = "http://cleanprod.test:8000"
    meter_a.site.time_zone = "Asia/Seoul"
    meter_a.site.save()
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    rule = AlertRule.objects.get(site=meter_a.site, kind="statistical", meter=None)
    alert = record(rule, meter_a, Detection("statistical", "above", START, START, {"expected": 1, "actual": 2}))
    assert alert is not None
    payload = webhook_payload(alert, WebhookFormat.GENERIC)
    assert payload["severity"] == rule.severity
    assert payload["status"] == "open"
    assert payload["kind"] == "statistical"
    assert payload["url"] == f"http://cleanprod.test:8000/alerts/{alert.pk}/"
    assert payload["first_seen"] == "2025-03-03T09:00:00+09:00"
    assert payload["time_zone"] == "Asia/Seoul"
    assert payload["title"]
    assert "Asia/Seoul" in payload["text"]


def test_refused_connection_retried_later_not_slept(meter_a: Meter, settings: Settings) -> None:
    """A failed attempt stores a readable reason and queues the next run with run_after."""
    from django_tasks import default_task_backend

    closed = Receiver()
    url = closed.url
    closed.stop()
    channel = NotificationChannel.objects.create(site=meter_a.site, name="hook", kind=ChannelKind.WEBHOOK, target=url)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.CLEANPROD_ALERT_RETRY_SECONDS = 60
    settings.LANGUAGE_CODE = "en"  # delivery reasons are written in the site language
    rule = AlertRule.objects.get(site=meter_a.site, kind="statistical", meter=None)
    alert = record(rule, meter_a, Detection("statistical", "above", START, START, {"expected": 1, "actual": 2}))
    delivery = NotificationDelivery.objects.get(alert=alert, channel=channel)
    default_task_backend.clear()  # type: ignore[attr-defined]
    before = datetime.now(UTC)
    assert deliver(delivery) is False
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
    assert "could not be reached" in delivery.error
    assert "Errno" not in delivery.error
    [queued] = default_task_backend.results  # type: ignore[attr-defined]
    assert queued.args == [delivery.pk]
    assert queued.task.run_after is not None
    assert queued.task.run_after >= before.replace(microsecond=0)
    assert (queued.task.run_after - before).total_seconds() > 55
    delivery.attempts = 2
    assert deliver(delivery) is False
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 3)
    assert len(default_task_backend.results) == 1  # type: ignore[attr-defined]
