"""Decoding MQTT payloads into readings: formats, meter from the topic, malformed payloads."""

from datetime import UTC, datetime, timedelta, timezone

from cleanprod.ingest.collection.mqtt_payloads import SubscriptionSpec, decode_message, topic_matches

RECEIVED = datetime(2024, 4, 10, 2, 0, tzinfo=UTC)


def spec(
    payload_format: str, meter_level: int | None = None, topic_meters: dict[str, str] | None = None
) -> SubscriptionSpec:
    return SubscriptionSpec(1, 1, "plant/+/energy", payload_format, meter_level, topic_meters or {})


def test_json_object_decoded() -> None:
    payload = b'{"meter": "E1", "timestamp": "2024-04-10T10:30:00+08:00", "value": 1520.0, "unit": "kWh"}'

    decoded = decode_message(spec("json_object"), "plant/E1/energy", payload, RECEIVED)

    assert decoded.problems == []
    assert decoded.readings == [
        ("E1", datetime(2024, 4, 10, 10, 30, tzinfo=timezone(timedelta(hours=8))), 1520.0, "kWh")
    ]


def test_json_list_keeps_arrival_order() -> None:
    payload = (
        b'[{"meter":"E1","timestamp":"2024-04-10T10:30:00+08:00","value":1520.0},'
        b'{"meter":"E1","timestamp":"2024-04-10T10:00:00+08:00","value":1500.0}]'
    )

    decoded = decode_message(spec("json_list"), "plant/E1/energy", payload, RECEIVED)

    assert [reading[2] for reading in decoded.readings] == [1520.0, 1500.0]


def test_json_object_meter_from_topic_level() -> None:
    payload = b'{"timestamp": "2024-04-10T10:30:00Z", "value": 7}'

    decoded = decode_message(spec("json_object", meter_level=2), "plant/E7/energy", payload, RECEIVED)

    assert decoded.readings == [("E7", datetime(2024, 4, 10, 10, 30, tzinfo=UTC), 7.0, None)]


def test_number_meter_from_topic_level() -> None:
    decoded = decode_message(spec("number", meter_level=2), "plant/E9/energy", b" 123.5 ", RECEIVED)

    assert decoded.readings == [("E9", RECEIVED, 123.5, None)]


def test_number_meter_from_mapping_first() -> None:
    mapping = {"plant/cabinet-3/energy": "E-A-MAIN"}

    decoded = decode_message(spec("number", 2, mapping), "plant/cabinet-3/energy", b"42", RECEIVED)

    assert decoded.readings[0][0] == "E-A-MAIN"


def test_number_without_meter_rejected() -> None:
    decoded = decode_message(spec("number"), "plant/x/energy", b"42", RECEIVED)

    assert decoded.readings == []
    assert decoded.problems[0].code == "no_meter_for_topic"
    assert "plant/x/energy" in decoded.problems[0].message


def test_malformed_payloads_rejected_with_reason() -> None:
    cases = {
        b"{not json": "invalid_json",
        b"\xff\xfe": "invalid_encoding",
        b'{"meter": "E1", "timestamp": "yesterday", "value": 1}': "invalid_timestamp",
        b'{"meter": "E1", "timestamp": "2024-04-10T10:00:00Z", "value": "NaN"}': "invalid_value",
        b'{"meter": "E1", "timestamp": "2024-04-10T10:00:00Z"}': "missing_value",
        b'{"timestamp": "2024-04-10T10:00:00Z", "value": 1}': "missing_meter",
        b"[1, 2]": "not_an_object",
    }
    for payload, code in cases.items():
        decoded = decode_message(spec("json_object"), "plant/x/energy", payload, RECEIVED)
        assert decoded.readings == [], payload
        assert decoded.problems[0].code == code, payload


def test_json_list_expected_but_object_sent() -> None:
    decoded = decode_message(spec("json_list"), "plant/x/energy", b'{"meter": "E1"}', RECEIVED)

    assert decoded.problems[0].code == "not_a_list"


def test_number_payload_not_a_number() -> None:
    decoded = decode_message(spec("number", 2), "plant/E1/energy", b"on", RECEIVED)

    assert decoded.problems[0].code == "invalid_value"


def test_topic_filter_matching() -> None:
    assert topic_matches("plant/+/energy", "plant/E1/energy")
    assert not topic_matches("plant/+/energy", "plant/E1/power")
    assert not topic_matches("plant/+/energy", "plant/E1/energy/extra")
    assert topic_matches("plant/#", "plant/E1/energy/extra")
    assert topic_matches("plant/#", "plant")
    assert not topic_matches("plant/E1", "plant")
