"""Decode MQTT messages into pipeline rows, without database access.

A subscription's payload format says how a message is read: one JSON object
{meter, timestamp, value[, unit]}, a JSON list of such objects, or a plain number whose meter
comes from the topic (a topic level or an explicit topic → meter entry) and whose timestamp is
the time of receipt.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from cleanprod.ingest.models import PayloadFormat

from .readings import RowProblem, parse_reading, parse_value

# A decoded reading before it gets a row number: (meter code, timestamp, value, unit).
DecodedReading = tuple[str, datetime, float, str | None]


@dataclass(frozen=True)
class SubscriptionSpec:
    """What decoding needs of an MqttSubscription, loaded once per refresh."""

    pk: int
    site_id: int
    topic_filter: str
    payload_format: str
    meter_level: int | None = None
    topic_meters: dict[str, str] = field(default_factory=dict)

    def meter_for_topic(self, topic: str) -> str | None:
        """Return the meter code the topic names: the explicit mapping first, then the configured level."""
        mapped = self.topic_meters.get(topic)
        if mapped:
            return mapped
        if self.meter_level:
            levels = topic.split("/")
            if self.meter_level <= len(levels) and levels[self.meter_level - 1]:
                return levels[self.meter_level - 1]
        return None


@dataclass
class DecodedMessage:
    readings: list[DecodedReading]
    problems: list[RowProblem]


def topic_matches(topic_filter: str, topic: str) -> bool:
    """Match a topic against a filter with + and # wildcards (MQTT 3.1.1, section 4.7)."""
    filter_levels = topic_filter.split("/")
    topic_levels = topic.split("/")
    for position, level in enumerate(filter_levels):
        if level == "#":
            return True
        if position >= len(topic_levels):
            return False
        if level != "+" and level != topic_levels[position]:
            return False
    return len(filter_levels) == len(topic_levels)


def decode_message(spec: SubscriptionSpec, topic: str, payload: bytes, received_at: datetime) -> DecodedMessage:
    """Decode one message; each reading that cannot be used becomes a problem with a translated reason."""
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        return _failed("invalid_encoding", _("The payload is not UTF-8 text; send JSON or a number as UTF-8."))

    topic_meter = spec.meter_for_topic(topic)
    if spec.payload_format == PayloadFormat.NUMBER:
        return _decode_number(text, topic, topic_meter, received_at)

    try:
        document: Any = json.loads(text)
    except ValueError:
        return _failed(
            "invalid_json",
            _("The payload “%(payload)s” is not valid JSON; the subscription expects %(format)s.")
            % {"payload": text[:80], "format": PayloadFormat(spec.payload_format).label},
        )
    if spec.payload_format == PayloadFormat.JSON_LIST:
        if not isinstance(document, list):
            return _failed(
                "not_a_list", _('The payload is not a JSON list; send [{"meter": …, "timestamp": …, "value": …}].')
            )
        items = document
    else:
        items = [document]

    decoded = DecodedMessage([], [])
    for index, item in enumerate(items):
        parsed = parse_reading(index, item, default_meter=topic_meter)
        if isinstance(parsed, RowProblem):
            decoded.problems.append(parsed)
        else:
            _row, meter, stamp, value, unit = parsed
            assert value is not None
            decoded.readings.append((meter, stamp, value, unit))
    return decoded


def _decode_number(text: str, topic: str, meter: str | None, received_at: datetime) -> DecodedMessage:
    if meter is None:
        return _failed(
            "no_meter_for_topic",
            _(
                "No meter is known for topic %(topic)s; set the meter code topic level of the subscription "
                "or add the topic to its topic mapping."
            )
            % {"topic": topic},
        )
    try:
        value = parse_value(text)
    except ValueError:
        return _failed(
            "invalid_value",
            _("The payload “%(payload)s” is not a number; the subscription expects a plain number such as 1234.5.")
            % {"payload": text[:80]},
        )
    return DecodedMessage([(meter, received_at, value, None)], [])


def _failed(code: str, message: str) -> DecodedMessage:
    return DecodedMessage([], [RowProblem(0, "", "", code, message)])
