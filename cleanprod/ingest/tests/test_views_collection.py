"""The Collection page: tokens, MQTT subscriptions, Modbus devices, rejected messages, and site isolation."""

import re
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from cleanprod.ingest.collection.tokens import create_token, find_token
from cleanprod.ingest.models import (
    ApiToken,
    ModbusDevice,
    MqttSubscription,
    MqttTopicMeter,
    RegisterMap,
    RejectedMessage,
)
from cleanprod.metering.models import Meter
from cleanprod.organization.models import Site

pytestmark = pytest.mark.django_db


def page(site: Site) -> str:
    return reverse("ingest:collection", args=[site.pk])


def test_page_lists_site_configuration(client_for: Any, alice: User, site_a: Site, meter_a: Meter) -> None:
    create_token(site_a, "SCADA line 1")
    MqttSubscription.objects.create(site=site_a, topic_filter="plant/+/energy", payload_format="number", meter_level=2)
    device = ModbusDevice.objects.create(site=site_a, name="HP controller", host="192.0.2.10")
    RegisterMap.objects.create(device=device, meter=meter_a, address=10, unit="Wh", word_order="low_first")
    RejectedMessage.objects.create(
        site=site_a, source="mqtt", origin="plant/x/energy", code="invalid_json", message="bad"
    )

    response = client_for(alice).get(page(site_a))

    assert response.status_code == 200
    content = response.content.decode()
    assert "SCADA line 1" in content
    assert "plant/+/energy" in content
    assert "HP controller" in content
    assert "plant/x/energy" in content
    assert response.context["can_configure"]


def test_index_redirects_single_site(client_for: Any, alice: User, site_a: Site) -> None:
    response = client_for(alice).get(reverse("ingest:collection-index"))

    assert response.status_code == 302
    assert response["Location"] == page(site_a)


def test_index_lists_sites_for_erin(client_for: Any, erin: User, site_a: Site, site_b: Site) -> None:
    response = client_for(erin).get(reverse("ingest:collection-index"))

    assert response.status_code == 200
    assert site_a.name in response.content.decode()
    assert site_b.name in response.content.decode()


def test_create_token_shows_secret_once(client_for: Any, alice: User, site_a: Site) -> None:
    client = client_for(alice)

    response = client.post(reverse("ingest:token-create", args=[site_a.pk]), {"name": "logger 7"})

    assert response.status_code == 200
    secret = response.context["new_secret"]
    assert secret in response.content.decode()
    assert response["Cache-Control"] == "no-store"
    token = find_token(secret)
    assert token is not None
    assert token.site == site_a
    assert token.created_by == alice
    assert secret not in client.get(page(site_a)).content.decode()


def test_token_name_required(client_for: Any, alice: User, site_a: Site) -> None:
    response = client_for(alice).post(reverse("ingest:token-create", args=[site_a.pk]), {"name": ""})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_revoke_token(client_for: Any, alice: User, site_a: Site) -> None:
    token, _secret = create_token(site_a, "logger")

    response = client_for(alice).post(reverse("ingest:token-revoke", args=[site_a.pk, token.pk]))

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_add_subscription_and_mapping(client_for: Any, alice: User, site_a: Site) -> None:
    client = client_for(alice)
    client.post(
        reverse("ingest:subscription-create", args=[site_a.pk]),
        {"topic_filter": "plant/+/energy", "payload_format": "number", "meter_level": "2", "enabled": "on"},
    )
    subscription = MqttSubscription.objects.get(site=site_a)

    client.post(
        reverse("ingest:topic-create", args=[site_a.pk, subscription.pk]),
        {"topic": "plant/cabinet-3/energy", "meter_code": "E-A-MAIN"},
    )

    assert subscription.meter_level == 2
    assert MqttTopicMeter.objects.get(subscription=subscription).meter_code == "E-A-MAIN"


def test_invalid_topic_filter_rejected(client_for: Any, alice: User, site_a: Site) -> None:
    response = client_for(alice).post(
        reverse("ingest:subscription-create", args=[site_a.pk]),
        {"topic_filter": "plant/#/energy", "payload_format": "json_object"},
    )

    assert response.status_code == 400
    assert "plant/#/energy" in str(response.context["subscription_form"].errors["topic_filter"])
    assert not MqttSubscription.objects.exists()


def test_mapping_to_other_site_meter_rejected(client_for: Any, alice: User, site_a: Site, meter_b: Meter) -> None:
    subscription = MqttSubscription.objects.create(site=site_a, topic_filter="plant/#", payload_format="number")

    response = client_for(alice).post(
        reverse("ingest:topic-create", args=[site_a.pk, subscription.pk]),
        {"topic": "plant/b", "meter_code": meter_b.code},
    )

    assert response.status_code == 400
    assert not MqttTopicMeter.objects.exists()


def test_add_device_and_register(client_for: Any, alice: User, site_a: Site, meter_a: Meter) -> None:
    client = client_for(alice)
    client.post(
        reverse("ingest:device-create", args=[site_a.pk]),
        {"name": "meter gateway", "host": "192.0.2.20", "port": "502", "unit_id": "3", "poll_seconds": "60"},
    )
    device = ModbusDevice.objects.get(site=site_a)

    response = client.post(
        reverse("ingest:register-create", args=[site_a.pk, device.pk]),
        {
            "meter": meter_a.pk,
            "address": "10",
            "register_kind": "holding",
            "data_type": "uint32",
            "word_order": "low_first",
            "scale": "0.001",
            "unit": "kWh",
        },
    )

    assert response.status_code == 302
    register = RegisterMap.objects.get(device=device)
    assert register.word_order == "low_first"
    assert device.unit_id == 3


def test_register_for_other_site_meter_rejected(client_for: Any, alice: User, site_a: Site, meter_b: Meter) -> None:
    device = ModbusDevice.objects.create(site=site_a, name="gateway", host="192.0.2.20")

    response = client_for(alice).post(
        reverse("ingest:register-create", args=[site_a.pk, device.pk]),
        {
            "meter": meter_b.pk,
            "address": "10",
            "register_kind": "holding",
            "data_type": "uint32",
            "word_order": "low_first",
            "scale": "1",
            "unit": "kWh",
        },
    )

    assert response.status_code == 400
    assert not RegisterMap.objects.exists()


def test_delete_subscription_and_device(client_for: Any, alice: User, site_a: Site) -> None:
    subscription = MqttSubscription.objects.create(site=site_a, topic_filter="plant/#")
    device = ModbusDevice.objects.create(site=site_a, name="gateway", host="192.0.2.20")
    client = client_for(alice)

    client.post(reverse("ingest:subscription-delete", args=[site_a.pk, subscription.pk]))
    client.post(reverse("ingest:device-delete", args=[site_a.pk, device.pk]))

    assert not MqttSubscription.objects.exists()
    assert not ModbusDevice.objects.exists()


def test_other_site_user_gets_404(client_for: Any, bob: User, site_a: Site) -> None:
    token, _secret = create_token(site_a, "logger")
    subscription = MqttSubscription.objects.create(site=site_a, topic_filter="plant/#")
    client = client_for(bob)

    assert client.get(page(site_a)).status_code == 404
    assert client.post(reverse("ingest:token-create", args=[site_a.pk]), {"name": "x"}).status_code == 404
    assert client.post(reverse("ingest:token-revoke", args=[site_a.pk, token.pk])).status_code == 404
    assert client.post(reverse("ingest:subscription-delete", args=[site_a.pk, subscription.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1
    assert MqttSubscription.objects.exists()


def test_charlie_gets_404(client_for: Any, charlie: User, site_a: Site) -> None:
    assert client_for(charlie).get(page(site_a)).status_code == 404


def test_token_of_other_site_not_revocable_via_own_site(
    client_for: Any, alice: User, site_a: Site, site_b: Site
) -> None:
    token, _secret = create_token(site_b, "logger b")

    response = client_for(alice).post(reverse("ingest:token-revoke", args=[site_a.pk, token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


@pytest.mark.parametrize("persona", ["carol", "bob_on_b"])
def test_read_only_users_cannot_change(
    request: pytest.FixtureRequest, client_for: Any, site_a: Site, site_b: Site, persona: str
) -> None:
    # carol audits site A (read-only); bob enters data on site B (VIEW/IMPORT, not CONFIGURE).
    user, site = (
        (request.getfixturevalue("carol"), site_a) if persona == "carol" else (request.getfixturevalue("bob"), site_b)
    )
    token, _secret = create_token(site, "logger")
    subscription = MqttSubscription.objects.create(site=site, topic_filter="plant/#")
    device = ModbusDevice.objects.create(site=site, name="gateway", host="192.0.2.20")
    client = client_for(user)

    response = client.get(page(site))
    assert response.status_code == 200
    assert not response.context["can_configure"]
    assert "Create token" not in response.content.decode()

    posts = [
        (reverse("ingest:token-create", args=[site.pk]), {"name": "x"}),
        (reverse("ingest:token-revoke", args=[site.pk, token.pk]), {}),
        (
            reverse("ingest:subscription-create", args=[site.pk]),
            {"topic_filter": "a/b", "payload_format": "json_object"},
        ),
        (reverse("ingest:subscription-delete", args=[site.pk, subscription.pk]), {}),
        (reverse("ingest:topic-create", args=[site.pk, subscription.pk]), {"topic": "a", "meter_code": "x"}),
        (reverse("ingest:device-create", args=[site.pk]), {"name": "d", "host": "h"}),
        (reverse("ingest:device-delete", args=[site.pk, device.pk]), {}),
        (reverse("ingest:register-create", args=[site.pk, device.pk]), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1
    assert MqttSubscription.objects.count() == 1
    assert ModbusDevice.objects.count() == 1


def test_page_in_chinese(client_for: Any, alice: User, site_a: Site) -> None:
    response = client_for(alice).get(page(site_a))

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"


def test_page_html_ids_unique(client_for: Any, alice: User, site_a: Site, meter_a: Meter) -> None:
    subscription = MqttSubscription.objects.create(site=site_a, topic_filter="a/#")
    MqttSubscription.objects.create(site=site_a, topic_filter="b/#")

    html = client_for(alice).get(page(site_a)).content.decode()

    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), sorted({value for value in ids if ids.count(value) > 1})
    assert f'id="id_topic_{subscription.pk}_topic"' in html


def test_rejected_table_headers_distinct(client_for: Any, alice: User, site_a: Site) -> None:
    RejectedMessage.objects.create(site=site_a, source="http", origin="x", payload="{}", code="c", message="m")

    html = client_for(alice).get(page(site_a)).content.decode()

    header = html[html.rindex("<thead>") :]
    header = header[: header.index("</thead>")]
    cells = re.findall(r"<th>([^<]*)</th>", header)
    assert len(cells) == 5
    assert len(set(cells)) == 5, cells
