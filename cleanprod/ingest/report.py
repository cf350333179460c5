"""Translated, display-ready view of an import job's stored report (``ImportJob.report``)."""

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from .parsing.report import HINT_MESSAGES

# Reasons for rejected values, by the code that the parser or the pipeline stores. The stored
# message was written in the worker's language; this description follows the reader's.
REJECTION_REASONS: dict[str, Promise] = {
    "invalid_number": _("The value is not a number in the file's number format."),
    "invalid_timestamp": _("The timestamp is not a valid date and time in the file's format."),
    "missing_timestamp": _("The timestamp is empty."),
    "invalid_excel_date": _("The cell is not an Excel date serial number."),
    "nonexistent_excel_date": _("The Excel serial number stands for 29 February 1900, a date that does not exist."),
    "nonexistent_local_time": _(
        "The local time does not exist in the site's time zone, because the clocks were put forward then."
    ),
    "unknown_meter": _("No meter with this code exists at the site."),
    "virtual_meter": _("The meter is virtual and is computed from other meters, so it takes no readings."),
    "unknown_unit": _("The unit is not known."),
    "incompatible_unit": _("The unit cannot be converted to the meter's unit."),
    "conflict": _("A different reading is already stored for this meter and time; the stored reading was kept."),
}

PHASES: dict[str, Promise] = {
    "queued": _("waiting for the import worker"),
    "reading": _("reading and storing rows"),
    "recomputing": _("recomputing consumption and rollups"),
    "done": _("finished"),
}

FILE_KINDS: dict[str, Promise] = {"csv": _("text file (CSV)"), "xlsx": _("Excel workbook")}
DELIMITER_NAMES: dict[str, Promise] = {
    ",": _("comma (,)"),
    ";": _("semicolon (;)"),
    "\t": _("tab"),
    "|": _("vertical bar (|)"),
}
SEPARATOR_NAMES: dict[str, Promise] = {".": _("point (.)"), ",": _("comma (,)"), " ": _("space")}
DATE_ORDERS: dict[str, Promise] = {
    "ymd": _("year-month-day"),
    "dmy": _("day-month-year"),
    "mdy": _("month-day-year"),
}

COUNT_LABELS: list[tuple[str, Promise]] = [
    ("rows_read", _("Rows read")),
    ("values_read", _("Values read")),
    ("missing_values", _("Missing values")),
    ("inserted", _("Readings inserted")),
    ("duplicates_identical", _("Identical duplicates skipped")),
    ("conflicts_rejected", _("Conflicts rejected")),
    ("conflicts_replaced", _("Conflicts replaced")),
    ("rejected", _("Values rejected")),
]


def describe_rejection(code: str, message: str = "") -> str:
    """Return the translated reason for a rejection code, or the stored message if unknown."""
    reason = REJECTION_REASONS.get(code)
    if reason is not None:
        return str(reason)
    return message or code


def describe_phase(phase: str | None) -> str:
    if not phase:
        return ""
    label = PHASES.get(phase)
    return str(label) if label is not None else phase


@dataclass
class ReportView:
    """Labelled values, counts and tables of a report, ready for the job page."""

    detected: list[tuple[str, str]] = field(default_factory=list)
    hints: list[str] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    rejected_by_code: list[tuple[str, str, int]] = field(default_factory=list)
    rejected_sample: list[dict[str, Any]] = field(default_factory=list)
    meters: list[dict[str, Any]] = field(default_factory=list)
    already_imported: list[dict[str, Any]] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    error: str = ""


def _named(names: dict[str, Promise], value: object) -> str:
    if value is None or value == "":
        return str(_("none"))
    name = names.get(str(value))
    return str(name) if name is not None else str(value)


def _detected(report: dict[str, Any]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    if "file_kind" in report:
        rows.append((str(_("File type")), _named(FILE_KINDS, report["file_kind"])))
    if report.get("encoding"):
        rows.append((str(_("Encoding")), str(report["encoding"])))
    if report.get("delimiter"):
        rows.append((str(_("Delimiter")), _named(DELIMITER_NAMES, report["delimiter"])))
    if report.get("sheet"):
        rows.append((str(_("Sheet")), str(report["sheet"])))
    if "decimal_separator" in report:
        rows.append((str(_("Decimal separator")), _named(SEPARATOR_NAMES, report["decimal_separator"])))
    if "thousands_separator" in report:
        rows.append((str(_("Thousands separator")), _named(SEPARATOR_NAMES, report["thousands_separator"])))
    if "date_order" in report:
        order = report["date_order"]
        text = _named(DATE_ORDERS, order) if order else str(_("not needed: no timestamp is text"))
        rows.append((str(_("Date order")), text))
    if report.get("timestamp_format"):
        rows.append((str(_("Timestamp format")), str(report["timestamp_format"])))
    if "excel_date_system" in report:
        system = report["excel_date_system"]
        rows.append((str(_("Excel date system")), str(system) if system else str(_("not used"))))
    return rows


def _parse_instant(value: object, zone: ZoneInfo) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    return instant.astimezone(zone) if instant.tzinfo is not None else instant


def build_report_view(report: dict[str, Any], zone: ZoneInfo) -> ReportView:
    """Turn a stored job report into translated rows; timestamps are shown in ``zone``."""
    view = ReportView(error=str(report.get("error") or ""))
    view.detected = _detected(report)
    for code in report.get("hints") or []:
        hint = HINT_MESSAGES.get(code)
        view.hints.append(str(hint) if hint is not None else str(code))
    view.counts = [(str(label), int(report[key])) for key, label in COUNT_LABELS if key in report]

    by_code = report.get("rejected_by_code") or {}
    view.rejected_by_code = [
        (code, describe_rejection(code), int(count))
        for code, count in sorted(by_code.items(), key=lambda item: (-int(item[1]), item[0]))
    ]
    view.rejected_sample = [
        {
            "row": item.get("row"),
            "column": item.get("column", ""),
            "value": item.get("value", ""),
            "code": item.get("code", ""),
            "reason": describe_rejection(item.get("code", ""), item.get("message", "")),
            "message": item.get("message", ""),
        }
        for item in report.get("rejected_sample") or []
    ]
    view.meters = [
        {
            "code": item.get("code", ""),
            "name": item.get("name", ""),
            "inserted": item.get("inserted", 0),
            "first": _parse_instant(item.get("first"), zone),
            "last": _parse_instant(item.get("last"), zone),
        }
        for item in report.get("meters") or []
    ]
    view.already_imported = [
        {"batch": item.get("batch"), "created_at": _parse_instant(item.get("created_at"), zone)}
        for item in report.get("already_imported") or []
    ]
    view.unmapped_columns = [str(column) for column in report.get("unmapped_columns") or []]
    return view
