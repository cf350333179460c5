"""POST /api/v1/readings/batch with an API token: storage, idempotence, late readings, rejections, auth."""

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from cleanprod.ingest.collection.tokens import create_token, revoke
from cleanprod.ingest.models import ApiToken, RejectedMessage
from cleanprod.metering.models import Finding, HourlyRollup, ImportBatch, Meter, Reading
from cleanprod.metering.signals import readings_stored
from cleanprod.organization.models import Site
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

URL = "/api/v1/readings/batch"


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
def secret(site_a: Site) -> str:
    return create_token(site_a, "SCADA line 1")[1]


def post(secret: str | None, body: Any, language: str = "en") -> Any:
    """Send a batch. The response is in the language the client requests, Chinese by default."""
    headers = {"Authorization": f"Bearer {secret}"} if secret is not None else {}
    headers["Accept-Language"] = language
    return Client().post(URL, data=json.dumps(body), content_type="application/json", headers=headers)


def readings(*items: tuple[str, str, Any]) -> dict[str, Any]:
    return {"readings": [{"meter": meter, "timestamp": stamp, "value": value} for meter, stamp, value in items]}


def stored(meter: Meter) -> list[tuple[datetime, float, float | None]]:
    return list(
        Reading.objects.filter(meter=meter).order_by("timestamp").values_list("timestamp", "value", "consumption")
    )


def test_batch_stores_readings_and_rollups(counter: Meter, secret: str) -> None:
    response = post(
        secret,
        readings(
            ("E-A-LINE1", "2024-04-10T09:45:00+08:00", 1490.0),
            ("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1500.0),
        ),
    )

    assert response.status_code == 200, response.content
    body = response.json()
    assert body["inserted"] == 2
    assert body["accepted"] == [0, 1]
    assert body["rejected"] == []
    assert [row[1] for row in stored(counter)] == [1490.0, 1500.0]
    assert stored(counter)[1][2] == pytest.approx(10.0)
    assert HourlyRollup.objects.filter(meter=counter).exists()
    assert ImportBatch.objects.get(pk=body["batch"]).rows_inserted == 2


def test_out_of_order_batch_sorted_before_differencing(counter: Meter, secret: str) -> None:
    # The stored reading and the batch in arrival order of the out-of-order field case.
    post(secret, readings(("E-A-LINE1", "2024-04-10T09:45:00+08:00", 1490.0)))
    response = post(
        secret,
        readings(
            ("E-A-LINE1", "2024-04-10T10:30:00+08:00", 1520.0),
            ("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1500.0),
            ("E-A-LINE1", "2024-04-10T10:15:00+08:00", 1512.5),
        ),
    )

    assert response.json()["inserted"] == 3
    consumption = [row[2] for row in stored(counter)]
    assert consumption[1:] == [pytest.approx(10.0), pytest.approx(12.5), pytest.approx(7.5)]
    assert not Reading.objects.filter(meter=counter, consumption__lt=0).exists()


def test_late_reading_recomputes_both_intervals(counter: Meter, secret: str) -> None:
    post(
        secret,
        readings(
            ("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1500.0),
            ("E-A-LINE1", "2024-04-10T10:30:00+08:00", 1520.0),
        ),
    )
    response = post(secret, readings(("E-A-LINE1", "2024-04-10T10:15:00+08:00", 1512.5)))

    assert response.json()["inserted"] == 1
    assert [row[2] for row in stored(counter)][1:] == [pytest.approx(12.5), pytest.approx(7.5)]


def test_same_batch_twice_stores_nothing_more(counter: Meter, secret: str) -> None:
    body = readings(
        ("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1500.0),
        ("E-A-LINE1", "2024-04-10T10:15:00+08:00", 1512.5),
    )
    first = post(secret, body).json()
    batches = ImportBatch.objects.count()
    second = post(secret, body).json()

    assert first["inserted"] == 2
    assert second["inserted"] == 0
    assert second["duplicates"] == 2
    assert second["accepted"] == [0, 1]
    assert second["batch"] is None
    assert ImportBatch.objects.count() == batches
    assert Reading.objects.filter(meter=counter).count() == 2


def test_conflicting_value_rejected_unless_replace(counter: Meter, secret: str) -> None:
    post(secret, readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1500.0)))

    rejected = post(secret, readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1501.0))).json()
    assert rejected["conflicts"] == 1
    assert rejected["rejected"][0]["code"] == "conflict"
    assert "replace_conflicts" in rejected["rejected"][0]["message"]
    assert stored(counter)[0][1] == 1500.0

    body = readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1501.0))
    replaced = post(secret, {**body, "replace_conflicts": True}).json()
    assert replaced["replaced"] == 1
    assert stored(counter)[0][1] == 1501.0


def test_naive_timestamp_is_site_local_time(counter: Meter, secret: str) -> None:
    post(secret, readings(("E-A-LINE1", "2024-04-10 10:00:00", 1500.0)))

    assert stored(counter)[0][0] == datetime(2024, 4, 10, 2, 0, tzinfo=UTC)


def test_unit_converted_to_meter_unit(counter: Meter, secret: str) -> None:
    body = {
        "readings": [{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 91250, "unit": "Wh"}]
    }
    post(secret, body)

    assert stored(counter)[0][1] == pytest.approx(91.25)


def test_invalid_rows_rejected_with_reason(counter: Meter, secret: str) -> None:
    body = {
        "readings": [
            {"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1500.0},
            {"meter": "E-A-LINE1", "timestamp": "10/04/2024", "value": 1.0},
            {"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:15:00+08:00", "value": "abc"},
            {"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:30:00+08:00", "value": None},
            {"meter": "NOPE", "timestamp": "2024-04-10T10:30:00+08:00", "value": 3.0},
            {"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:45:00+08:00", "value": 5, "unit": "m3"},
        ]
    }
    response = post(secret, body).json()

    codes = {row["index"]: row["code"] for row in response["rejected"]}
    assert codes == {1: "invalid_timestamp", 2: "invalid_value", 3: "missing_value", 4: "unknown_meter", 5: codes[5]}
    assert codes[5] != ""
    assert response["accepted"] == [0]
    assert "timestamp" in response["rejected"][0]["message"]
    assert response["rejected"][3]["meter"] == "NOPE"
    assert Reading.objects.filter(meter=counter).count() == 1
    assert RejectedMessage.objects.filter(site=counter.site, source="http").count() == 5


def test_meter_of_other_site_rejected(counter: Meter, meter_b: Meter, secret: str) -> None:
    response = post(secret, readings((meter_b.code, "2024-04-10T10:00:00+08:00", 1.0))).json()

    assert response["rejected"][0]["code"] == "unknown_meter"
    assert not Reading.objects.filter(meter=meter_b).exists()


def test_missing_or_wrong_token_is_401(counter: Meter) -> None:
    missing = post(None, readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1.0)))
    wrong = post("cp_not-a-token", readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1.0)))

    assert missing.status_code == 401
    assert "Authorization: Bearer" in missing.json()["error"]["message"]
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "invalid_token"
    assert not Reading.objects.exists()


def test_revoked_token_is_401(counter: Meter, site_a: Site) -> None:
    token, secret = create_token(site_a, "old logger")
    revoke(token)

    response = post(secret, readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1.0)))

    assert response.status_code == 401
    assert response.json()["error"]["code"] == "token_revoked"
    assert token.prefix in response.json()["error"]["message"]
    assert not Reading.objects.exists()


def test_last_used_at_updated(counter: Meter, site_a: Site) -> None:
    token, secret = create_token(site_a, "logger")
    assert token.last_used_at is None

    post(secret, readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1.0)))

    token.refresh_from_db()
    assert token.last_used_at is not None


def test_token_stored_only_as_hash(site_a: Site) -> None:
    token, secret = create_token(site_a, "logger")

    stored_fields = [str(value) for value in ApiToken.objects.filter(pk=token.pk).values().get().values()]
    assert secret not in stored_fields
    assert secret.startswith(token.prefix)


def test_batch_over_limit_is_400(counter: Meter, secret: str) -> None:
    body = {"readings": [{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00", "value": 1}] * 10_001}

    response = post(secret, body)

    assert response.status_code == 400
    assert not Reading.objects.exists()


def test_signal_sent_after_commit(counter: Meter, secret: str, django_capture_on_commit_callbacks: Any) -> None:
    received: list[dict[str, Any]] = []

    def receiver(sender: Any, **kwargs: Any) -> None:
        received.append(kwargs)

    readings_stored.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            post(secret, readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1500.0)))
    finally:
        readings_stored.disconnect(receiver)

    assert len(received) == 1
    assert received[0]["site_id"] == counter.site_id
    assert counter.pk in received[0]["spans"]


def test_endpoint_in_openapi_schema() -> None:
    schema = Client().get("/api/openapi.json").json()

    assert "/api/v1/readings/batch" in schema["paths"]


def test_duplicates_and_conflicts_within_batch(counter: Meter, secret: str) -> None:
    # Every timestamp twice; 10:30 with two values, of which the later is kept and flagged.
    response = post(
        secret,
        readings(
            ("E-A-LINE1", "2024-03-01T10:00:00+08:00", 2.10),
            ("E-A-LINE1", "2024-03-01T10:00:00+08:00", 2.10),
            ("E-A-LINE1", "2024-03-01T10:15:00+08:00", 1.95),
            ("E-A-LINE1", "2024-03-01T10:15:00+08:00", 1.95),
            ("E-A-LINE1", "2024-03-01T10:30:00+08:00", 2.40),
            ("E-A-LINE1", "2024-03-01T10:30:00+08:00", 2.45),
        ),
    ).json()

    assert response["inserted"] == 3
    assert response["duplicates"] == 2
    assert response["conflicts"] == 1
    assert [row["index"] for row in response["rejected"]] == [4]
    assert response["rejected"][0]["code"] == "conflict_in_file"
    assert "batch" in response["rejected"][0]["message"]
    assert [row[1] for row in stored(counter)] == [2.10, 1.95, 2.45]
    assert Finding.objects.filter(meter=counter, code="import.conflict", blocking=True).count() == 1


def test_batch_response_defaults_to_chinese(counter: Meter, secret: str) -> None:
    response = post(secret, readings((counter.code, "10/04/2024", 5.0)), language="")

    assert response.status_code == 200
    assert "ISO 8601" in response.json()["rejected"][0]["message"]
    assert "时间戳" in response.json()["rejected"][0]["message"]


def test_future_reading_rejected(counter: Meter, secret: str, settings: Any) -> None:
    settings.CLEANPROD_FUTURE_TOLERANCE_MINUTES = 10
    now = datetime.now(UTC)
    soon = (now + timedelta(minutes=5)).isoformat()
    late = (now + timedelta(minutes=30)).isoformat()

    response = post(
        secret, readings(("E-A-LINE1", soon, 1.0), ("E-A-LINE1", late, 2.0), ("E-A-LINE1", "2030-01-01T00:00:00", 3.0))
    ).json()

    assert response["accepted"] == [0]
    assert [row["code"] for row in response["rejected"]] == ["future_timestamp", "future_timestamp"]
    assert "device clock" in response["rejected"][0]["message"]
    assert "E-A-LINE1" in response["rejected"][0]["message"]
    assert Reading.objects.filter(meter=counter).count() == 1


def test_unknown_meter_uses_api_wording(counter: Meter, meter_b: Meter, secret: str) -> None:
    response = post(secret, readings((meter_b.code, "2024-04-10T10:00:00+08:00", 1.0))).json()

    message = response["rejected"][0]["message"]
    assert "map the column" not in message
    assert "send the code of one of its meters" in message


def raw_post(secret: str, body: str) -> Any:
    headers = {"Authorization": f"Bearer {secret}", "Accept-Language": "en"}
    return Client().post(URL, data=body, content_type="application/json", headers=headers)


def test_malformed_json_gets_hint_and_is_listed(counter: Meter, secret: str) -> None:
    response = raw_post(secret, '{"readings": [')

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_json"
    assert "not valid JSON" in response.json()["error"]["message"]
    kept = RejectedMessage.objects.get(site=counter.site, source="http")
    assert kept.code == "invalid_json"
    assert kept.payload == '{"readings": ['


def test_malformed_json_in_chinese(counter: Meter, secret: str) -> None:
    headers = {"Authorization": f"Bearer {secret}"}
    response = Client().post(URL, data="{", content_type="application/json", headers=headers)

    assert "Cannot parse" not in response.json()["error"]["message"]


def test_top_level_array_names_missing_field(counter: Meter, secret: str) -> None:
    response = post(secret, [{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00+08:00", "value": 1}])

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "missing_field"
    assert "readings" in error["message"]
    assert "query parameter" not in error["message"]


def test_batch_over_limit_message(counter: Meter, secret: str) -> None:
    body = {"readings": [{"meter": "E-A-LINE1", "timestamp": "2024-04-10T10:00:00", "value": 1}] * 10_001}

    error = post(secret, body).json()["error"]

    assert error["code"] == "too_many_items"
    assert "10,000" in error["message"]
    assert "several requests" in error["message"]


def test_rejected_payload_json_one_based(counter: Meter, secret: str) -> None:
    response = post(
        secret, readings(("E-A-LINE1", "2024-04-10T10:00:00+08:00", 1.0), ("无此表", "2024-04-10T10:15:00+08:00", "x"))
    )

    assert response.json()["rejected"][0]["index"] == 1
    assert "Reading 2" in response.json()["rejected"][0]["message"]
    kept = RejectedMessage.objects.get(site=counter.site)
    assert json.loads(kept.payload)["meter"] == "无此表"
    assert "无此表" in kept.payload
    assert kept.origin.endswith("#2")
