"""Notifications of new alerts: e-mail through Django's mail settings and JSON webhooks.

A webhook receives one of three bodies: a generic JSON object with the alert's fields, or
the text message of a WeCom (企业微信) or DingTalk (钉钉) group robot, which both accept
``{"msgtype": "text", "text": {"content": ...}}`` and return ``{"errcode": 0}`` on success.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request
from functools import partial
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation

from .models import Alert, ChannelKind, DeliveryStatus, NotificationChannel, NotificationDelivery, WebhookFormat

logger = logging.getLogger(__name__)

WEBHOOK_TIMEOUT_SECONDS = 10


def channels_for(alert: Alert) -> list[NotificationChannel]:
    """The rule's channels, or every channel of the site when the rule names none; by severity."""
    channels = NotificationChannel.objects.filter(site_id=alert.site_id, enabled=True)
    if alert.rule is not None and alert.rule.channels.exists():
        channels = channels.filter(rules=alert.rule)
    return list(channels.filter(Q(min_severity__lte=alert.severity)).order_by("pk"))


def queue_notifications(alert: Alert) -> list[NotificationDelivery]:
    """Create a pending delivery per channel and hand each to the task worker once committed."""
    from .tasks import deliver_notification

    deliveries = [NotificationDelivery.objects.create(alert=alert, channel=channel) for channel in channels_for(alert)]
    for delivery in deliveries:
        transaction.on_commit(partial(deliver_notification.enqueue, delivery.pk))
    return deliveries


def alert_lines(alert: Alert) -> tuple[str, str]:
    """Subject and plain-text body, in the site's language (Simplified Chinese by default)."""
    from .services import alert_title

    with translation.override(settings.LANGUAGE_CODE):
        from django.utils.translation import gettext as _

        title = alert_title(alert.kind, alert.cause)
        meter = str(alert.meter) if alert.meter else ""
        unit = alert.organization_unit.name if alert.organization_unit else ""
        subject = f"[cleanprod] {alert.get_severity_display()}: {title} {meter or unit}".strip()
        evidence = alert.evidence
        lines = [
            f"{_('Site')}: {alert.site.name}",
            f"{_('Meter')}: {meter or '—'}",
            f"{_('Organisation unit')}: {unit or '—'}",
            f"{_('Alert')}: {title}",
            f"{_('First seen')}: {alert.first_seen.isoformat()}",
            f"{_('Expected')}: {evidence.get('expected', '—')}",
            f"{_('Actual')}: {evidence.get('actual', '—')}",
            f"{_('Score')}: {evidence.get('score', '—')}",
            f"{_('Details')}: {reverse('alerts:detail', args=[alert.pk])}",
        ]
    return subject, "\n".join(lines)


def webhook_payload(alert: Alert, kind: str) -> dict[str, Any]:
    subject, body = alert_lines(alert)
    if kind in (WebhookFormat.WECOM, WebhookFormat.DINGTALK):
        return {"msgtype": "text", "text": {"content": f"{subject}\n{body}"}}
    return {
        "id": alert.pk,
        "site": alert.site.code,
        "meter": alert.meter.code if alert.meter else None,
        "organization_unit": alert.organization_unit.code if alert.organization_unit else None,
        "kind": alert.kind,
        "cause": alert.cause,
        "severity": alert.get_severity_display(),
        "status": alert.status,
        "first_seen": alert.first_seen.isoformat(),
        "last_seen": alert.last_seen.isoformat(),
        "occurrences": alert.occurrences,
        "title": subject,
        "evidence": alert.evidence,
        "url": reverse("alerts:detail", args=[alert.pk]),
    }


class DeliveryError(Exception):
    pass


def _post_json(url: str, payload: dict[str, Any], robot: bool) -> None:
    if not url.startswith(("http://", "https://")):
        raise DeliveryError(f"not an http or https URL: {url[:100]}")
    data = json.dumps(payload, ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json; charset=utf-8"}
    request = urllib.request.Request(url, data=data, headers=headers)  # noqa: S310 (scheme checked above)
    try:
        with urllib.request.urlopen(request, timeout=WEBHOOK_TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = response.read()
    except urllib.error.HTTPError as error:
        raise DeliveryError(f"HTTP {error.code} {error.reason}") from error
    except (urllib.error.URLError, OSError) as error:
        raise DeliveryError(str(getattr(error, "reason", error))) from error
    if robot:
        try:
            code = json.loads(answer or b"{}").get("errcode", 0)
        except (ValueError, AttributeError):
            code = 0
        if code:
            raise DeliveryError(f"robot answered errcode {code}: {answer[:200]!r}")


def send_once(delivery: NotificationDelivery) -> None:
    channel, alert = delivery.channel, delivery.alert
    if channel.kind == ChannelKind.EMAIL:
        subject, body = alert_lines(alert)
        try:
            send_mail(subject, body, None, channel.addresses(), fail_silently=False)
        except (OSError, Exception) as error:
            raise DeliveryError(f"{type(error).__name__}: {error}") from error
        return
    robot = channel.webhook_format in (WebhookFormat.WECOM, WebhookFormat.DINGTALK)
    _post_json(channel.target.strip(), webhook_payload(alert, channel.webhook_format), robot)


def deliver(delivery: NotificationDelivery, attempts: int | None = None, pause: float | None = None) -> bool:
    """Try to send up to ``attempts`` times with growing pauses; log status and last error."""
    tries: int = attempts if attempts else int(getattr(settings, "CLEANPROD_ALERT_DELIVERY_ATTEMPTS", 3))
    wait = float(getattr(settings, "CLEANPROD_ALERT_RETRY_SECONDS", 5.0) if pause is None else pause)
    for number in range(1, tries + 1):
        delivery.attempts += 1
        try:
            send_once(delivery)
        except DeliveryError as error:
            delivery.error = str(error)[:2000]
            delivery.status = DeliveryStatus.FAILED if number == tries else DeliveryStatus.PENDING
            delivery.save(update_fields=["attempts", "error", "status"])
            logger.warning("delivery %s attempt %s failed: %s", delivery.pk, number, error)
            if number < tries:
                time.sleep(wait * number)
            continue
        delivery.status = DeliveryStatus.SENT
        delivery.sent_at = timezone.now()
        delivery.save(update_fields=["attempts", "status", "sent_at"])
        return True
    return False
