"""Translated descriptions of data-quality finding codes and of their evidence keys."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

FINDING_DESCRIPTIONS: dict[str, Promise] = {
    "counter.rollover": _(
        "The counter passed its rollover value and started again from zero. The consumption "
        "across the wrap is computed from the rollover value."
    ),
    "counter.reset": _(
        "The counter restarted near zero, for example after a power loss or a register reset. "
        "The consumption before the restart is unknown, so the interval is estimated."
    ),
    "counter.glitch": _(
        "A reading dropped below the previous one and the counter then recovered. The reading "
        "is held as suspect, and the interval bridges it."
    ),
    "counter.decrease": _(
        "The counter went down without a rollover, a reset or a recorded meter replacement. "
        "The interval is held for review and not counted."
    ),
    "counter.gap": _(
        "Readings are missing: two consecutive readings are much further apart than the meter's expected interval."
    ),
    "counter.replacement": _(
        "The meter was replaced. The consumption is the final reading of the removed meter "
        "plus the readings of the installed one from its initial reading on."
    ),
    "counter.daily_reset": _(
        "The counter that resets daily restarted at a local midnight. The consumption between "
        "the last reading and the restart is unknown, so the interval is estimated."
    ),
    "interval.negative": _(
        "An interval meter reported a negative quantity. The value is kept but held for review and not counted."
    ),
    "import.conflict": _(
        "One import contained two different values for the same meter and timestamp. The later "
        "row was kept, and the other value is shown here for review."
    ),
    "import.register_mapping": _(
        "Check the register mapping: a value polled over Modbus is an exact multiple of 65,536 or rose faster "
        "than the rated power allows, as a wrong word order or data type gives. "
        "The value is stored and held for review."
    ),
}

EVIDENCE_LABELS: dict[str, Promise] = {
    "previous_timestamp": _("previous reading at"),
    "previous": _("previous reading"),
    "value": _("reading"),
    "delta": _("difference"),
    "quantity": _("consumption used"),
    "rollover_value": _("rollover value"),
    "rejected_rollover_quantity": _("consumption a rollover would imply"),
    "rollover_limit": _("plausible maximum"),
    "replacement_timestamp": _("replaced at"),
    "old_final": _("final reading of the removed meter"),
    "new_initial": _("initial reading of the installed meter"),
    "old_meter_quantity": _("consumption on the removed meter"),
    "new_meter_quantity": _("consumption on the installed meter"),
    "replacement_count": _("number of replacements"),
    "seconds": _("time between readings (s)"),
    "expected_seconds": _("expected interval (s)"),
    "start": _("interval start"),
    "end": _("interval end"),
    "discarded": _("discarded value"),
    "kept": _("kept value"),
    "rows": _("file rows"),
    "reason": _("reason"),
    "registers": _("register words"),
    "data_type": _("data type"),
    "word_order": _("word order"),
    "raw": _("decoded integer"),
    "step_kwh": _("step (kWh)"),
    "limit_kwh": _("rated power × elapsed time (kWh)"),
}


def describe_finding(code: str) -> str:
    """Return the translated description of a finding code, or the code itself if unknown."""
    description = FINDING_DESCRIPTIONS.get(code)
    return str(description) if description is not None else code


def evidence_items(evidence: dict[str, Any], zone: ZoneInfo) -> list[tuple[str, str]]:
    """Return (label, value) pairs of a finding's evidence for display.

    ISO timestamps are shown in the site's time zone. Keys without a label are shown as
    they are stored, so new evidence from the counter arithmetic is never hidden.
    """
    items = []
    for key, value in evidence.items():
        label = EVIDENCE_LABELS.get(key)
        items.append((str(label) if label is not None else key, _format_evidence_value(value, zone)))
    return items


def _format_evidence_value(value: Any, zone: ZoneInfo) -> str:
    if isinstance(value, float):
        # Counter registers reach 8 or more digits, so no exponent notation.
        return f"{value:.6f}".rstrip("0").rstrip(".")
    if isinstance(value, str) and len(value) >= 19 and value[4] == "-" and value[10] == "T":
        try:
            instant = datetime.fromisoformat(value)
        except ValueError:
            return value
        if instant.tzinfo is not None:
            return instant.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S")
    return str(value)
