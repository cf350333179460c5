"""Alert pages and the live feed for each persona: site isolation and read-only roles."""

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse

from cleanprod.alerts.detectors import Detection
from cleanprod.alerts.models import (
    Alert,
    AlertRule,
    AlertStatus,
    CalendarOverride,
    NotificationChannel,
    Shift,
    WorkingCalendar,
)
from cleanprod.alerts.services import record
from cleanprod.metering.models import Meter
from cleanprod.organization.models import Site

START = datetime(2025, 3, 3, tzinfo=UTC)
ClientFor = Callable[[User], Client]


def english(client: Client) -> Client:
    client.cookies["django_language"] = "en"
    return client


def make_alert(meter: Meter, start: datetime = START, cause: str = "above") -> Alert:
    rule = AlertRule.objects.get(site=meter.site, kind="statistical", meter=None)
    alert = record(
        rule,
        meter,
        Detection("statistical", cause, start, start, {"expected": 50.0, "actual": 400.0, "score": 12.5, "samples": 4}),
    )
    assert alert is not None
    return alert


def site_pages(site: Site) -> list[str]:
    return [
        reverse("alerts:rules", args=[site.pk]),
        reverse("alerts:calendar", args=[site.pk]),
        reverse("alerts:channels", args=[site.pk]),
        reverse("alerts:completeness", args=[site.pk]),
    ]


def test_list_and_feed_show_only_own_sites(
    meter_a: Meter, meter_b: Meter, alice: User, erin: User, client_for: ClientFor
) -> None:
    alert_a, alert_b = make_alert(meter_a), make_alert(meter_b)
    page = english(client_for(alice)).get(reverse("alerts:list"))
    assert page.status_code == 200
    assert reverse("alerts:detail", args=[alert_a.pk]) in page.content.decode()
    assert reverse("alerts:detail", args=[alert_b.pk]) not in page.content.decode()
    feed = client_for(alice).get(reverse("alerts:feed")).json()
    assert [row["id"] for row in feed["alerts"]] == [alert_a.pk]
    assert feed["active"] == 1
    both = client_for(erin).get(reverse("alerts:feed")).json()
    assert {row["id"] for row in both["alerts"]} == {alert_a.pk, alert_b.pk}


def test_feed_filters_and_picks_up_new_alerts(meter_a: Meter, erin: User, client_for: ClientFor) -> None:
    client = client_for(erin)
    url = reverse("alerts:feed")
    first = make_alert(meter_a)
    assert client.get(url, {"status": "active"}).json()["active"] == 1
    second = make_alert(meter_a, START.replace(day=10))
    data = client.get(url, {"status": "active", "site": str(meter_a.site_id)}).json()
    assert [row["id"] for row in data["alerts"]] == [second.pk, first.pk]
    assert data["active"] == 2
    assert data["unread"] == 2
    second.status = AlertStatus.RESOLVED
    second.save()
    assert [row["id"] for row in client.get(url, {"status": "resolved"}).json()["alerts"]] == [second.pk]
    assert client.get(url, {"kind": "offline"}).json()["alerts"] == []
    assert client.get(url, {"status": "active", "site": str(meter_a.site_id)}).json()["active"] == 1


def test_feed_needs_login(meter_a: Meter) -> None:
    response = Client().get(reverse("alerts:feed"))
    assert response.status_code == 302


def test_detail_of_another_site_is_404(
    meter_a: Meter, meter_b: Meter, bob: User, charlie: User, client_for: ClientFor
) -> None:
    alert_a = make_alert(meter_a)
    for user in (bob, charlie):
        client = client_for(user)
        assert client.get(reverse("alerts:detail", args=[alert_a.pk])).status_code == 404
        response = client.post(reverse("alerts:respond", args=[alert_a.pk]), {"action": "acknowledge"})
        assert response.status_code == 404
    alert_a.refresh_from_db()
    assert alert_a.status == AlertStatus.OPEN


def test_detail_shows_evidence_and_chart(meter_a: Meter, carol: User, client_for: ClientFor) -> None:
    from cleanprod.alerts.tests.helpers import store

    meter_a.reading_kind = "interval"
    meter_a.interval_minutes = 60
    meter_a.save()
    store(meter_a, START, [50.0] * 6)
    alert = make_alert(meter_a, START.replace(hour=2))
    page = english(client_for(carol)).get(reverse("alerts:detail", args=[alert.pk]))
    text = page.content.decode()
    assert page.status_code == 200
    assert "400.0" in text
    assert "12.5" in text
    assert 'id="alert-chart-data"' in text
    assert "echarts.min.js" in text
    assert 'value="acknowledge"' not in text  # carol is read-only


def test_respond_through_the_page(meter_a: Meter, alice: User, carol: User, client_for: ClientFor) -> None:
    alert = make_alert(meter_a)
    url = reverse("alerts:respond", args=[alert.pk])
    assert client_for(carol).post(url, {"action": "acknowledge"}).status_code == 403
    client = english(client_for(alice))
    assert client.post(url, {"action": "acknowledge", "text": "on it"}).status_code == 302
    response = client.post(url, {"action": "acknowledge"}, follow=True)
    assert "cannot be acknowledged" in response.content.decode()
    client.post(url, {"action": "resolve", "text": "fixed the leak"})
    alert.refresh_from_db()
    assert alert.status == AlertStatus.RESOLVED
    page = client.get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "fixed the leak" in page
    assert "Alice" in page


def test_notifications_unread_count_and_mark_read(meter_a: Meter, alice: User, client_for: ClientFor) -> None:
    make_alert(meter_a)
    client = english(client_for(alice))
    page = client.get(reverse("alerts:notifications")).content.decode()
    assert "1 unread alert." in page
    assert client.get(reverse("alerts:unread")).json() == {"unread": 1}
    assert reverse("alerts:unread") in client.get(reverse("alerts:list")).content.decode()
    client.post(reverse("alerts:notifications-read"))
    assert client.get(reverse("alerts:feed")).json()["unread"] == 0
    assert client.get(reverse("alerts:unread")).json() == {"unread": 0}


def test_site_pages_isolated_and_read_only(
    site_a: Site, site_b: Site, alice: User, bob: User, carol: User, client_for: ClientFor
) -> None:
    for url in site_pages(site_a):
        assert client_for(alice).get(url).status_code == 200, url
        assert client_for(carol).get(url).status_code == 200, url
        assert client_for(bob).get(url).status_code == 404, url
        read_only = url.endswith("/completeness/")  # GET only
        assert client_for(carol).post(url, {"name": "x"}).status_code == (405 if read_only else 403), url
        assert client_for(bob).post(url, {"name": "x"}).status_code == (405 if read_only else 404), url
    rule = AlertRule.objects.filter(site=site_a).first()
    assert rule is not None
    assert client_for(bob).get(reverse("alerts:rule-edit", args=[rule.pk])).status_code == 404
    assert client_for(carol).post(reverse("alerts:rule-edit", args=[rule.pk]), {"delete": "1"}).status_code == 403
    assert AlertRule.objects.filter(pk=rule.pk).exists()
    assert not WorkingCalendar.objects.exists()  # viewing did not store a calendar


def test_rule_form_validates_parameters_per_kind(
    site_a: Site, meter_a: Meter, alice: User, client_for: ClientFor
) -> None:
    client = english(client_for(alice))
    url = reverse("alerts:rules", args=[site_a.pk])
    bad = client.post(
        url, {"name": "limit", "kind": "threshold", "parameters": '{"above": "lots"}', "severity": 20, "enabled": "on"}
    )
    assert bad.status_code == 400
    assert "“above” must be a number, e.g. 2.5." in bad.content.decode()
    empty = client.post(url, {"name": "limit", "kind": "threshold", "parameters": "", "severity": 20})
    assert "Set at least one of: above, below." in empty.content.decode()
    broken = client.post(url, {"name": "limit", "kind": "threshold", "parameters": "{above: 1", "severity": 20})
    assert "not valid JSON" in broken.content.decode()
    good = client.post(
        url,
        {
            "name": "limit",
            "kind": "threshold",
            "parameters": '{"above": 120}',
            "severity": 30,
            "meter": meter_a.pk,
            "enabled": "on",
        },
    )
    assert good.status_code == 302
    rule = AlertRule.objects.get(name="limit")
    assert rule.parameters == {"period": "hour", "above": 120.0, "below": None}
    assert rule.meter == meter_a


@pytest.mark.parametrize(
    "parameters",
    ['{"margin_percent": NaN}', '{"margin_percent": "nan"}', '{"baseload": "Infinity"}', '{"min_hours": 1e999}'],
)
def test_rule_form_rejects_non_finite_numbers(
    parameters: str, site_a: Site, alice: User, client_for: ClientFor
) -> None:
    client = english(client_for(alice))
    url = reverse("alerts:rules", args=[site_a.pk])
    response = client.post(
        url, {"name": "night", "kind": "off_hours", "parameters": parameters, "severity": 20, "enabled": "on"}
    )
    assert response.status_code == 400
    assert "must be a" in response.content.decode()
    assert not AlertRule.objects.filter(name="night").exists()


def test_rule_form_refuses_meter_of_another_site(
    site_a: Site, meter_b: Meter, erin: User, client_for: ClientFor
) -> None:
    response = english(client_for(erin)).post(
        reverse("alerts:rules", args=[site_a.pk]),
        {"name": "x", "kind": "stuck", "parameters": "", "severity": 20, "meter": meter_b.pk},
    )
    assert response.status_code == 400
    assert not AlertRule.objects.filter(name="x").exists()


def test_calendar_page_shifts_overrides_and_adjusted_day(site_a: Site, alice: User, client_for: ClientFor) -> None:
    client = english(client_for(alice))
    url = reverse("alerts:calendar", args=[site_a.pk])
    response = client.post(
        url,
        {
            "form": "override",
            "override-day": "2025-10-04",
            "override-working": "on",
            "override-start": "08:00",
            "override-end": "12:00",
            "override-note": "rush order",
        },
    )
    assert response.status_code == 302
    calendar = WorkingCalendar.objects.get(site=site_a)
    assert Shift.objects.filter(calendar=calendar).count() == 5  # the standard week stored with it
    assert CalendarOverride.objects.get(calendar=calendar).note == "rush order"
    again = client.post(url, {"form": "override", "override-day": "2025-10-04", "override-working": ""})
    assert again.status_code == 400
    assert "already has an override" in again.content.decode()
    half = client.post(
        url, {"form": "override", "override-day": "2025-10-05", "override-working": "on", "override-start": "08:00"}
    )
    assert "Give both the shift start and end" in half.content.decode()
    assert (
        client.post(
            url, {"form": "shift", "shift-weekday": 5, "shift-start": "22:00", "shift-end": "06:00"}
        ).status_code
        == 302
    )
    assert Shift.objects.filter(calendar=calendar, weekday=5).exists()


def test_channels_page_adds_and_validates(site_a: Site, alice: User, client_for: ClientFor) -> None:
    client = english(client_for(alice))
    url = reverse("alerts:channels", args=[site_a.pk])
    bad = client.post(
        url,
        {
            "name": "x",
            "kind": "webhook",
            "webhook_format": "wecom",
            "target": "ftp://x",
            "min_severity": 20,
            "enabled": "on",
        },
    )
    assert bad.status_code == 400
    assert "http:// or https://" in bad.content.decode()
    good = client.post(
        url,
        {
            "name": "WeCom",
            "kind": "webhook",
            "webhook_format": "wecom",
            "target": "http://127.0.0.1:9/hook",
            "min_severity": 20,
            "enabled": "on",
        },
    )
    assert good.status_code == 302
    channel = NotificationChannel.objects.get(name="WeCom")
    client.post(url, {"delete": channel.pk})
    assert not NotificationChannel.objects.exists()


def test_completeness_table_flags_low_days(site_a: Site, alice: User, client_for: ClientFor) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from cleanprod.alerts.tests.helpers import interval_meter, store

    meter = interval_meter(site_a, "E-A-PART")
    today = timezone.localtime(timezone.now(), site_a.zone).date()
    day = today - timedelta(days=2)
    start = datetime.combine(day, datetime.min.time(), tzinfo=site_a.zone).astimezone(UTC)
    store(meter, start, [1.0] * 12)
    page = english(client_for(alice)).get(reverse("alerts:completeness", args=[site_a.pk])).content.decode()
    assert "⚠ 50.0" in page
    assert meter.code in page


def test_dashboard_box_shows_open_alerts(meter_a: Meter, meter_b: Meter, alice: User, client_for: ClientFor) -> None:
    alert = make_alert(meter_a)
    make_alert(meter_b)
    page = english(client_for(alice)).get(reverse("dashboards:site", args=[meter_a.site_id])).content.decode()
    assert 'id="site-alert-box"' in page
    assert reverse("alerts:detail", args=[alert.pk]) in page
    assert f"feed.json?status=active&amp;site={meter_a.site_id}" in page
    assert "alerts/alerts.js" in page


@pytest.mark.parametrize("name", ["alerts:list", "alerts:notifications"])
def test_pages_in_chinese(name: str, meter_a: Meter, alice: User, client_for: ClientFor) -> None:
    make_alert(meter_a)
    assert client_for(alice).get(reverse(name)).status_code == 200


def test_rule_edit_and_delete(site_a: Site, alice: User, carol: User, client_for: ClientFor) -> None:
    rule = AlertRule.objects.get(site=site_a, kind="stuck")
    url = reverse("alerts:rule-edit", args=[rule.pk])
    page = english(client_for(carol)).get(url).content.decode()
    assert "Delete the rule" not in page
    assert "intervals" in page
    client = english(client_for(alice))
    response = client.post(
        url, {"name": rule.name, "kind": "stuck", "parameters": '{"intervals": 1}', "severity": 20, "enabled": "on"}
    )
    assert response.status_code == 400
    assert "“intervals” must be at least 2." in response.content.decode()
    client.post(url, {"name": rule.name, "kind": "stuck", "parameters": '{"intervals": 12}', "severity": 30})
    rule.refresh_from_db()
    assert (rule.parameters["intervals"], rule.severity, rule.enabled) == (12, 30, False)
    client.post(url, {"delete": "1"})
    assert not AlertRule.objects.filter(pk=rule.pk).exists()


def test_notifications_only_of_own_sites(meter_a: Meter, bob: User, charlie: User, client_for: ClientFor) -> None:
    alert = make_alert(meter_a)
    for user in (bob, charlie):
        client = client_for(user)
        page = client.get(reverse("alerts:notifications")).content.decode()
        assert reverse("alerts:detail", args=[alert.pk]) not in page
        assert client.get(reverse("alerts:unread")).json() == {"unread": 0}
        assert client.get(reverse("alerts:feed")).json()["alerts"] == []


def test_detail_times_in_site_zone(meter_a: Meter, alice: User, client_for: ClientFor) -> None:
    meter_a.site.time_zone = "Asia/Seoul"
    meter_a.site.save()
    alert = make_alert(meter_a, datetime(2025, 3, 3, 12, tzinfo=UTC))
    page = english(client_for(alice)).get(reverse("alerts:detail", args=[alert.pk])).content.decode()
    assert "2025-03-03 21:00" in page  # 12:00 UTC is 21:00 in Seoul
    assert "2025-03-03 20:00" not in page  # not the server zone, Asia/Shanghai
    row = english(client_for(alice)).get(reverse("alerts:feed")).json()["alerts"][0]
    assert row["first_seen"] == "2025-03-03 21:00"


def test_detail_offers_only_valid_actions(meter_a: Meter, alice: User, client_for: ClientFor) -> None:
    alert = make_alert(meter_a)
    client = english(client_for(alice))
    url = reverse("alerts:detail", args=[alert.pk])
    page = client.get(url).content.decode()
    assert 'value="acknowledge"' in page
    assert 'value="resolve"' in page
    assert 'value="reopen"' not in page
    client.post(reverse("alerts:respond", args=[alert.pk]), {"action": "resolve"})
    page = client.get(url).content.decode()
    assert 'value="reopen"' in page
    assert 'value="acknowledge"' not in page
    assert 'value="resolve"' not in page


def test_channels_page_notes_console_email(site_a: Site, alice: User, client_for: ClientFor, settings: Any) -> None:
    url = reverse("alerts:channels", args=[site_a.pk])
    settings.EMAIL_HOST = ""
    page = english(client_for(alice)).get(url).content.decode()
    assert "written to the server log" in page
    assert "CLEANPROD_EMAIL_HOST" in page
    settings.EMAIL_HOST = "smtp.example.com"
    page = english(client_for(alice)).get(url).content.decode()
    assert "written to the server log" not in page


def test_channel_test_notification_by_role(
    site_a: Site,
    alice: User,
    bob: User,
    carol: User,
    client_for: ClientFor,
    settings: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """Alice queues a test that is delivered and logged; carol (read-only) and bob (other site) cannot."""
    from cleanprod.alerts.models import DeliveryStatus, NotificationDelivery

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    channel = NotificationChannel.objects.create(site=site_a, name="EHS", kind="email", target="ehs@example.com")
    url = reverse("alerts:channels", args=[site_a.pk])
    assert client_for(carol).post(url, {"test": channel.pk}).status_code == 403
    assert client_for(bob).post(url, {"test": channel.pk}).status_code == 404
    assert not NotificationDelivery.objects.exists()
    client = english(client_for(alice))
    assert "Send a test notification" in client.get(url).content.decode()
    assert "Send a test notification" not in english(client_for(carol)).get(url).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"test": channel.pk})
    assert response.status_code == 302
    delivery = NotificationDelivery.objects.get(channel=channel)
    assert delivery.alert is None
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    from django.core import mail

    [message] = mail.outbox
    assert message.to == ["ehs@example.com"]
    assert "EHS" in message.body
    assert "test notification" in client.get(url).content.decode()


def test_rule_pages_explain_parameters(site_a: Site, alice: User, client_for: ClientFor) -> None:
    rule = AlertRule.objects.create(
        site=site_a, kind="off_hours", name="night", parameters={"baseload": None, "min_hours": 8}
    )
    client = english(client_for(alice))
    listing = client.get(reverse("alerts:rules", args=[site_a.pk])).content.decode()
    assert '<span class="code">min_hours</span> = 8' in listing
    assert "{&#x27;baseload&#x27;: None" not in listing
    assert "Learned baseload: the median idle hour plus this many robust standard deviations." in listing
    assert "<td>true</td>" in listing  # flag_without_production, as written in JSON
    edit = client.get(reverse("alerts:rule-edit", args=[rule.pk])).content.decode()
    assert "Successive hours above the limit, outside working time, that raise an alert." in edit
    assert "1–24" in edit
    assert "<td>5</td>" in edit  # the default spread, not 5.0
    assert "flag_without_production" not in edit  # only the rule's own kind


def test_rule_form_names_replaced_parameter(site_a: Site, alice: User, client_for: ClientFor) -> None:
    client = english(client_for(alice))
    response = client.post(
        reverse("alerts:rules", args=[site_a.pk]),
        {"name": "night", "kind": "off_hours", "parameters": '{"baseload_quantile": 0.9}', "severity": 20},
    )
    assert response.status_code == 400
    assert "“baseload_quantile” was replaced by “baseload_spread”" in response.content.decode()


def test_off_hours_chart_limit_outside_working_time(meter_a: Meter, alice: User, client_for: ClientFor) -> None:
    """Monday 2025-03-03 in Shanghai: the limit line has a gap over the shift, 08:00–17:00."""
    from datetime import timedelta

    from cleanprod.alerts.tests.helpers import store

    meter_a.reading_kind = "interval"
    meter_a.interval_minutes = 60
    meter_a.save()
    midnight = datetime(2025, 3, 2, 16, tzinfo=UTC)  # 00:00 in Shanghai
    store(meter_a, midnight, [30.0] * 24)
    rule = AlertRule.objects.create(site=meter_a.site, kind="off_hours", name="night", parameters={})
    night = midnight + timedelta(hours=2)
    alert = record(
        rule,
        meter_a,
        Detection("off_hours", "off_hours", night, night + timedelta(hours=1), {"expected": 15.0, "actual": 30.0}),
    )
    assert alert is not None
    chart = english(client_for(alice)).get(reverse("alerts:detail", args=[alert.pk])).context["chart"]
    limits = dict(zip(chart["labels"], chart["expected_values"], strict=True))
    assert limits["03-03 02:00"] == 15.0
    assert limits["03-03 10:00"] is None
    assert limits["03-03 18:00"] == 15.0
    assert chart["expected_name"] == "Limit"
