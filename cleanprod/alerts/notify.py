"""Notifications of new alerts: e-mail through Django's mail settings and JSON webhooks.

A webhook receives one of three bodies: a generic JSON object with the alert's fields, or
the text message of a WeCom (企业微信) or DingTalk (钉钉) group robot, which both accept
``{"msgtype": "text", "text": {"content": ...}}`` and return ``{"errcode": 0}`` on success.
"""

from __future__ import annotations

import json
import logging
import socket
import urllib.error
import urllib.request
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from .evidence import main_rows
from .models import Alert, ChannelKind, DeliveryStatus, NotificationChannel, NotificationDelivery, WebhookFormat

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 10


def channels_for(alert: Alert) -> list[NotificationChannel]:
    """Return the rule's channels, or every channel of the site when the rule names none, filtered by severity."""
    channels = NotificationChannel.objects.filter(site_id=alert.site_id, enabled=True)
    if alert.rule is not None and alert.rule.channels.exists():
        channels = channels.filter(rules=alert.rule)
    return list(channels.filter(Q(min_severity__lte=alert.severity)).order_by("pk"))


def queue_test(channel: NotificationChannel) -> NotificationDelivery:
    """Create a test delivery (one without an alert) and hand it to the task worker once committed."""
    from .tasks import deliver_notification

    delivery = NotificationDelivery.objects.create(alert=None, channel=channel)
    transaction.on_commit(partial(deliver_notification.enqueue, delivery.pk))
    return delivery


def queue_notifications(alert: Alert) -> list[NotificationDelivery]:
    """Create a pending delivery per channel and hand each to the task worker once committed."""
    from .tasks import deliver_notification

    deliveries = [NotificationDelivery.objects.create(alert=alert, channel=channel) for channel in channels_for(alert)]
    for delivery in deliveries:
        transaction.on_commit(partial(deliver_notification.enqueue, delivery.pk))
    return deliveries


def absolute_url(path: str) -> str:
    """``path`` under ``CLEANPROD_BASE_URL``, for links that leave the application."""
    base = str(getattr(settings, "CLEANPROD_BASE_URL", "http://127.0.0.1:8000")).rstrip("/")
    return f"{base}{path}"


def local_time(alert: Alert, moment: datetime) -> str:
    """``moment`` in the site's zone with the zone name, such as ``2025-03-03 21:00 (Asia/Seoul)``."""
    return f"{timezone.localtime(moment, alert.site.zone):%Y-%m-%d %H:%M} ({alert.site.time_zone})"


def alert_lines(alert: Alert) -> tuple[str, str]:
    """Subject and plain-text body, in the site's language (Simplified Chinese by default)."""
    from .charts import alert_unit
    from .services import alert_title

    with translation.override(settings.LANGUAGE_CODE):
        title = alert_title(alert.kind, alert.cause)
        meter = str(alert.meter) if alert.meter else ""
        unit = alert.organization_unit.name if alert.organization_unit else ""
        subject = f"[cleanprod] {alert.get_severity_display()}: {title} {meter or unit}".strip()
        lines = [
            _("Site: %(site)s") % {"site": alert.site.name},
            # An alert on a unit's total names the unit; any other alert names its meter.
            _("Meter: %(meter)s") % {"meter": meter} if meter else _("Organisation unit: %(unit)s") % {"unit": unit},
            _("Alert: %(title)s") % {"title": title},
            _("First seen: %(time)s") % {"time": local_time(alert, alert.first_seen)},
            *[
                _("%(label)s: %(value)s") % {"label": capfirst(label), "value": value}
                for label, value in main_rows(
                    alert.kind, alert.cause, alert.evidence, alert_unit(alert), alert.site.zone
                )
            ],
            _("Details: %(url)s") % {"url": absolute_url(reverse("alerts:detail", args=[alert.pk]))},
        ]
    return subject, "\n".join(lines)


def test_lines(channel: NotificationChannel) -> tuple[str, str]:
    """Subject and body of a test notification, sent from the channels page to check a channel."""
    site = channel.site
    with translation.override(settings.LANGUAGE_CODE):
        subject = "[cleanprod] " + _("Test notification")
        now = f"{timezone.localtime(timezone.now(), site.zone):%Y-%m-%d %H:%M} ({site.time_zone})"
        lines = [
            _("This test notification checks the channel %(channel)s of %(site)s. No alert was raised.")
            % {"channel": channel.name, "site": site.name},
            _("Sent: %(time)s") % {"time": now},
            _("Details: %(url)s") % {"url": absolute_url(reverse("alerts:channels", args=[site.pk]))},
        ]
    return subject, "\n".join(lines)


def test_payload(channel: NotificationChannel) -> dict[str, Any]:
    subject, body = test_lines(channel)
    if channel.webhook_format in (WebhookFormat.WECOM, WebhookFormat.DINGTALK):
        return {"msgtype": "text", "text": {"content": f"{subject}\n{body}"}}
    return {
        "test": True,
        "site": channel.site.code,
        "title": subject,
        "text": body,
        "url": absolute_url(reverse("alerts:channels", args=[channel.site_id])),
    }


def webhook_payload(alert: Alert, kind: str) -> dict[str, Any]:
    """Build the robot text message, or for a generic receiver the codes plus localised ``title`` and ``text``.

    Times are ISO 8601 in the site's zone (offset included), named by ``time_zone``.
    """
    subject, body = alert_lines(alert)
    if kind in (WebhookFormat.WECOM, WebhookFormat.DINGTALK):
        return {"msgtype": "text", "text": {"content": f"{subject}\n{body}"}}
    zone = alert.site.zone
    return {
        "id": alert.pk,
        "site": alert.site.code,
        "meter": alert.meter.code if alert.meter else None,
        "organization_unit": alert.organization_unit.code if alert.organization_unit else None,
        "kind": alert.kind,
        "cause": alert.cause,
        "severity": alert.severity,
        "status": alert.status,
        "time_zone": alert.site.time_zone,
        "first_seen": timezone.localtime(alert.first_seen, zone).isoformat(),
        "last_seen": timezone.localtime(alert.last_seen, zone).isoformat(),
        "occurrences": alert.occurrences,
        "title": subject,
        "text": body,
        "evidence": alert.evidence,
        "url": absolute_url(reverse("alerts:detail", args=[alert.pk])),
    }


class DeliveryError(Exception):
    """A failed attempt: ``reason`` for the delivery log (translated), ``str()`` for the server log."""

    def __init__(self, technical: str, reason: str) -> None:
        super().__init__(technical)
        self.reason = reason


def _reason(message: str, **values: object) -> str:
    """``message`` translated into the site's language; the worker has no request language."""
    with translation.override(settings.LANGUAGE_CODE):
        return _(message) % values if values else _(message)


def _post_json(url: str, payload: dict[str, Any], robot: bool) -> None:
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(
            f"not an http or https URL: {url[:100]}",
            _reason(gettext_noop("The address is not an http:// or https:// URL. Correct the channel's target.")),
        )
    data = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryError(
            f"HTTP {error.code} {error.reason}",
            _reason(gettext_noop("The receiver answered with HTTP %(code)s."), code=error.code),
        ) from error
    except (urllib.error.URLError, OSError) as error:
        cause = getattr(error, "reason", error)
        if isinstance(cause, TimeoutError | socket.timeout):
            reason = _reason(
                gettext_noop("The receiver did not answer within %(seconds)s seconds."),
                seconds=WEBHOOK_TIMEOUT_SECONDS,
            )
        else:
            reason = _reason(
                gettext_noop(
                    "The receiver could not be reached (connection refused or host unknown). "
                    "Check the channel's address and that the receiver is running."
                )
            )
        raise DeliveryError(str(cause), reason) from error
    if robot:
        try:
            code = json.loads(answer or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            code = 0
        if code:
            raise DeliveryError(
                f"robot rejected the message with errcode {code}: {answer[:200]!r}",
                _reason(
                    gettext_noop(
                        "The group robot rejected the message with error code %(code)s. Check its webhook key."
                    ),
                    code=code,
                ),
            )


def send_once(delivery: NotificationDelivery) -> None:
    channel, alert = delivery.channel, delivery.alert
    if channel.kind == ChannelKind.EMAIL:
        subject, body = alert_lines(alert) if alert is not None else test_lines(channel)
        try:
            send_mail(subject, body, None, channel.addresses(), fail_silently=False)
        except Exception as error:
            raise DeliveryError(
                f"{type(error).__name__}: {error}",
                _reason(
                    gettext_noop(
                        "The mail server could not be reached or refused the message. "
                        "Check the CLEANPROD_EMAIL_HOST, CLEANPROD_EMAIL_PORT and CLEANPROD_EMAIL_USER settings."
                    )
                ),
            ) from error
        return
    robot = channel.webhook_format in (WebhookFormat.WECOM, WebhookFormat.DINGTALK)
    payload = webhook_payload(alert, channel.webhook_format) if alert is not None else test_payload(channel)
    _post_json(channel.target.strip(), payload, robot)


def deliver(delivery: NotificationDelivery, attempts: int | None = None, pause: float | None = None) -> bool:
    """Make one attempt; after a failure queue the next one ``pause`` × attempts seconds later.

    The retry is a new run of the delivery task, deferred with django-tasks' ``run_after`` so
    the worker is free meanwhile. After ``attempts`` attempts in all the delivery is failed.
    """
    tries: int = attempts if attempts else int(getattr(settings, "CLEANPROD_ALERT_DELIVERY_ATTEMPTS", 3))
    wait = float(getattr(settings, "CLEANPROD_ALERT_RETRY_SECONDS", 5.0) if pause is None else pause)
    delivery.attempts += 1
    try:
        send_once(delivery)
    except DeliveryError as error:
        delivery.error = error.reason[:2000]
        final = delivery.attempts >= tries
        delivery.status = DeliveryStatus.FAILED if final else DeliveryStatus.PENDING
        delivery.save(update_fields=["attempts", "error", "status"])
        logger.warning("delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, error)
        if not final:
            queue_retry(delivery.pk, wait * delivery.attempts)
        return False
    delivery.status = DeliveryStatus.SENT
    delivery.sent_at = timezone.now()
    delivery.error = ""
    delivery.save(update_fields=["attempts", "status", "sent_at", "error"])
    return True


def queue_retry(delivery_id: int, delay_seconds: float) -> None:
    """Enqueue the delivery task again, deferred where the task backend can defer."""
    from .tasks import deliver_notification

    if delay_seconds > 0 and deliver_notification.get_backend().supports_defer:
        run_after = timezone.now() + timedelta(seconds=delay_seconds)
        deliver_notification.using(run_after=run_after).enqueue(delivery_id)
    else:
        # NOTE: a backend without deferral (the immediate one of tests) runs the retry at once.
        deliver_notification.enqueue(delivery_id)
