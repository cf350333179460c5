"""Labels and display values for the evidence a detector stores with an alert.

Detectors store evidence under stable English keys; the alert page shows each key with a
translated label and each value in words where it is a code (the baseline slot, flags).
"""

from typing import Any

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


def describe_value(key: str, value: Any) -> str:
    if key == "slot":
        return describe_slot(value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, float):
        return f"{value:.4g}"
    return "—" if value is None else str(value)


def evidence_rows(evidence: dict[str, Any]) -> list[tuple[str, str]]:
    """The evidence other than expected, actual and score, as (label, value) rows in label order."""
    rows = [
        (str(LABELS.get(key, key)), describe_value(key, value))
        for key, value in evidence.items()
        if key not in ("expected", "actual", "score")
    ]
    return sorted(rows)
