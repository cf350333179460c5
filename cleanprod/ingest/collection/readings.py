"""Turn collected JSON readings into pipeline rows, with a translated reason for each one that is invalid.

No database access: the HTTP endpoint and the MQTT service both call this before the pipeline.
"""

import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.translation import gettext as _

from cleanprod.ingest.pipeline import MemoryRow


@dataclass(frozen=True)
class RowProblem:
    """A reading rejected before the pipeline: its position, what it named, and why."""

    index: int
    meter: str
    timestamp: str
    code: str
    message: str


def parse_timestamp(text: str) -> datetime:
    """Parse ISO 8601 ("2024-04-10T10:30:00+08:00", "…Z", or naive = site local time); raise ValueError."""
    stamp = text.strip()
    if stamp.endswith(("Z", "z")):
        stamp = stamp[:-1] + "+00:00"
    return datetime.fromisoformat(stamp)


def parse_value(raw: Any) -> float:
    """Return a finite float from a JSON number or numeric string; raise ValueError otherwise."""
    if isinstance(raw, bool) or raw is None:
        raise ValueError(raw)
    if isinstance(raw, int | float):
        value = float(raw)
    elif isinstance(raw, str):
        value = float(raw.strip())
    else:
        raise ValueError(raw)
    if not math.isfinite(value):
        raise ValueError(raw)
    return value


def parse_reading(index: int, item: Any, default_meter: str | None = None) -> MemoryRow | RowProblem:
    """Check one {meter, timestamp, value[, unit]} object and return the pipeline row or the problem."""
    if not isinstance(item, Mapping):
        return RowProblem(
            index,
            "",
            "",
            "not_an_object",
            _('Reading %(index)d is not a JSON object; send {"meter": …, "timestamp": …, "value": …}.')
            % {"index": index + 1},
        )
    raw_meter = item.get("meter", default_meter)
    meter = str(raw_meter).strip() if raw_meter is not None else ""
    raw_stamp = item.get("timestamp")
    stamp_text = str(raw_stamp) if raw_stamp is not None else ""
    if not meter:
        return RowProblem(
            index,
            meter,
            stamp_text,
            "missing_meter",
            _("Reading %(index)d has no meter: give the meter code in the field “meter”.") % {"index": index + 1},
        )
    if not isinstance(raw_stamp, str) or not raw_stamp.strip():
        return RowProblem(
            index,
            meter,
            stamp_text,
            "missing_timestamp",
            _(
                "Reading %(index)d has no timestamp: give “timestamp” as ISO 8601 text, "
                "e.g. 2024-04-10T10:30:00+08:00 (without an offset it is the site's local time)."
            )
            % {"index": index + 1},
        )
    try:
        stamp = parse_timestamp(raw_stamp)
    except ValueError:
        return RowProblem(
            index,
            meter,
            stamp_text,
            "invalid_timestamp",
            _(
                "Reading %(index)d: the timestamp “%(value)s” is not ISO 8601; "
                "write it as e.g. 2024-04-10T10:30:00+08:00."
            )
            % {"index": index + 1, "value": stamp_text[:60]},
        )
    if "value" not in item or item.get("value") is None:
        return RowProblem(
            index,
            meter,
            stamp_text,
            "missing_value",
            _("Reading %(index)d has no value: give the meter reading as a number in the field “value”.")
            % {"index": index + 1},
        )
    try:
        value = parse_value(item["value"])
    except ValueError:
        return RowProblem(
            index,
            meter,
            stamp_text,
            "invalid_value",
            _("Reading %(index)d: the value “%(value)s” is not a finite number; send it as e.g. 1234.5.")
            % {"index": index + 1, "value": str(item["value"])[:60]},
        )
    raw_unit = item.get("unit")
    unit = str(raw_unit).strip() if raw_unit not in (None, "") else None
    return (index, meter, stamp, value, unit)


def batch_sha256(payload: Any) -> str:
    """Return a digest of a batch's content that does not depend on key order or whitespace."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
