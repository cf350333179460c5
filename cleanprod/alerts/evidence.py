"""Labels and display values for the evidence a detector stores with an alert.

Detectors store evidence under stable English keys; the alert page shows each key with a
translated label and each value in words where it is a code (the baseline slot, flags).
"""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LABELS = {
    "window_start": gettext_lazy("window start"),
    "window_end": gettext_lazy("window end"),
    "production": gettext_lazy("production in the period"),
    "threshold": gettext_lazy("threshold"),
    "slot": gettext_lazy("baseline slot"),
    "slack": gettext_lazy("CUSUM slack"),
    "scale": gettext_lazy("robust scale"),
    "samples": gettext_lazy("samples in the baseline"),
    "related_total": gettext_lazy("related meters"),
    "related_moving": gettext_lazy("related meters still moving"),
    "reference_start": gettext_lazy("reference period start"),
    "projection_estimate": gettext_lazy("projection for the whole period (estimate)"),
    "per_unit": gettext_lazy("per unit of product"),
    "partial": gettext_lazy("period incomplete"),
    "mad_floor": gettext_lazy("floor of the median absolute deviation"),
    "mad": gettext_lazy("median absolute deviation"),
    "last_reading": gettext_lazy("last reading"),
    "interval_minutes": gettext_lazy("expected interval (minutes)"),
    "holiday": gettext_lazy("holiday"),
    "flat_intervals": gettext_lazy("intervals without change"),
    "elapsed_share": gettext_lazy("share of the period elapsed"),
    "day": gettext_lazy("day"),
    "cusum": gettext_lazy("CUSUM statistic"),
    "coverage": gettext_lazy("data coverage"),
    "consumption": gettext_lazy("consumption"),
    "meters": gettext_lazy("meters in the total"),
    "change_percent": gettext_lazy("change (%)"),
    "calendar": gettext_lazy("working calendar"),
    "baseload": gettext_lazy("baseload"),
    "peak_limit": gettext_lazy("peak limit"),
    "above_peak": gettext_lazy("above the peak limit"),
    "min_hours": gettext_lazy("minimum successive hours"),
}

# Evidence values that are moments (ISO 8601 with offset); shown in the site's local time.
TIME_KEYS = frozenset({"window_start", "window_end", "reference_start", "last_reading"})

# Expected values stored as a code word instead of a number.
CODE_VALUES = {
    "changing": gettext_lazy("changing values"),
}

DAY_KINDS = {
    "holiday": gettext_lazy("official holiday"),
    "rest": gettext_lazy("rest day"),
    "working": gettext_lazy("working day"),
}

WEEKDAYS = (
    gettext_lazy("Monday"),
    gettext_lazy("Tuesday"),
    gettext_lazy("Wednesday"),
    gettext_lazy("Thursday"),
    gettext_lazy("Friday"),
    gettext_lazy("Saturday"),
    gettext_lazy("Sunday"),
)


def describe_slot(slot: Any) -> str:
    """Say which baseline slot a value was compared with.

    An integer is an hour of the week (0 = Monday 00:00, see ``detectors.hour_of_week``);
    a text is a kind of day followed by the hour, such as ``rest 9`` or
    ``working 08:00-12:00,13:00-17:00 14``.
    """
    if isinstance(slot, bool):
        return str(slot)
    if isinstance(slot, int):
        return f"{WEEKDAYS[slot // 24 % 7]} {slot % 24:02d}:00"
    text = str(slot)
    kind, _space, hour = text.rpartition(" ")
    if not kind or not hour.isdigit():
        return text
    if kind in DAY_KINDS:
        day = str(DAY_KINDS[kind])
    elif kind.startswith("working "):
        day = _("working day with shifts %(shifts)s") % {"shifts": kind.removeprefix("working ")}
    else:
        day = kind
    return f"{day} {int(hour):02d}:00"


def describe_calendar(reason: str) -> str:
    """Say why an hour was or was not working time, from ``workcalendar.is_working``'s reason code.

    Codes are ``weekday``, ``weekend``, ``official_holiday:<name>`` and the like, with
    ``:outside_shifts`` added on a worked day outside its shifts.
    """
    base, _separator, detail = reason.partition(":")
    labels = {
        "weekday": _("regular weekly schedule"),
        "weekend": _("weekend"),
        "adjusted_working_day": _("adjusted working day (调休)"),
        "official_holiday": _("official holiday"),
        "site_override": _("site override"),
        "official_calendar_unavailable": _("no official calendar for this year"),
        "weekday_rules_no_official_calendar": _("regular weekly schedule; no official calendar for this year"),
    }
    label = labels.get(base, base)
    if detail == "outside_shifts":
        return _("%(day)s, outside the shifts") % {"day": label}
    if detail and base == "official_holiday":
        return f"{label} ({detail})"
    return label


def describe_time(text: str, zone: ZoneInfo | None) -> str:
    """Format an ISO 8601 moment as ``YYYY-MM-DD HH:MM`` in ``zone``, and return other text unchanged."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return text
    if moment.tzinfo is None or zone is None:
        return f"{moment:%Y-%m-%d %H:%M}"
    return f"{moment.astimezone(zone):%Y-%m-%d %H:%M}"


def describe_value(key: str, value: Any, zone: ZoneInfo | None = None) -> str:
    if key == "slot":
        return describe_slot(value)
    if key == "calendar" and isinstance(value, str):
        return describe_calendar(value)
    if key in TIME_KEYS and isinstance(value, str):
        return describe_time(value, zone)
    if isinstance(value, str) and value in CODE_VALUES:
        return str(CODE_VALUES[value])
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return format_number(value)
    return "—" if value is None else str(value)


def format_number(value: float) -> str:
    """Format a measured value with two decimals, or four significant digits below 1."""
    if abs(value) >= 1:
        return f"{value:.2f}"
    return f"{value:.4g}"


# Label of the "expected" value of a finding, by kind: a limit it crossed, the consumption of
# the period before (rate of change), or else the value the baseline expected.
EXPECTED_LABELS = {
    "threshold": gettext_lazy("limit"),
    "threshold_per_unit": gettext_lazy("limit"),
    "off_hours": gettext_lazy("limit"),
    "rate_of_change": gettext_lazy("previous period"),
}

# Label of the score of a finding, by kind. Other kinds show the plain label "score".
SCORE_LABELS = {
    "threshold": gettext_lazy("ratio to the limit"),
    "threshold_per_unit": gettext_lazy("ratio to the limit"),
    "off_hours": gettext_lazy("ratio to the limit"),
    "completeness": gettext_lazy("ratio to the limit"),
    "rate_of_change": gettext_lazy("change (%)"),
    "statistical": gettext_lazy("robust z-score"),
    "drift": gettext_lazy("CUSUM statistic"),
    "offline": gettext_lazy("intervals without a reading"),
}

# Kinds whose expected and actual values are consumption of the resource in the alert's period
# (a limit, a baseline, the period before). Their per-unit causes are per unit of product.
CONSUMPTION_KINDS = frozenset({"threshold", "statistical", "off_hours", "rate_of_change"})
# Evidence keys that are consumption like the actual value, and get its unit.
CONSUMPTION_KEYS = frozenset({"expected", "actual", "baseload", "peak_limit", "consumption"})


def in_consumption(kind: str, cause: str) -> bool:
    """Tell whether the expected and actual values of a finding are consumption, not per unit of product."""
    return kind in CONSUMPTION_KINDS and not cause.endswith("_per_unit")


def value_unit(kind: str, cause: str, unit: str) -> str:
    """Return ``unit`` where the evidence of this kind and cause is consumption, else an empty text."""
    return unit if in_consumption(kind, cause) else ""


def main_rows(
    kind: str, cause: str, evidence: dict[str, Any], unit: str, zone: ZoneInfo | None
) -> list[tuple[str, str]]:
    """Return the expected, actual and score rows of the evidence, labelled for the kind, with units."""
    shown_unit = value_unit(kind, cause, unit)
    rows = []
    for key, label in (
        ("expected", EXPECTED_LABELS.get(kind, gettext_lazy("expected"))),
        ("actual", gettext_lazy("actual")),
        ("score", SCORE_LABELS.get(kind, gettext_lazy("score"))),
    ):
        value = evidence.get(key)
        text = describe_value(key, value, zone)
        if shown_unit and key != "score" and isinstance(value, int | float) and not isinstance(value, bool):
            text = f"{text} {shown_unit}"
        rows.append((str(label), text))
    return rows


def evidence_rows(evidence: dict[str, Any], zone: ZoneInfo | None = None, unit: str = "") -> list[tuple[str, str]]:
    """Return the evidence other than expected, actual and score, as (label, value) rows in a fixed order.

    Moments are shown in ``zone``, the site's time zone. Consumption values get ``unit``.
    """
    rows = []
    for key, value in evidence.items():
        if key in ("expected", "actual", "score"):
            continue
        text = describe_value(key, value, zone)
        if unit and key in CONSUMPTION_KEYS and isinstance(value, int | float) and not isinstance(value, bool):
            text = f"{text} {unit}"
        rows.append((key, str(LABELS.get(key, key)), text))
    # Known keys in the order of LABELS (window start before window end), then the rest by label.
    order = {key: index for index, key in enumerate(LABELS)}
    rows.sort(key=lambda row: (order.get(row[0], len(order)), row[1]))
    return [(label, text) for _key, label, text in rows]
