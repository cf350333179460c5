"""Excel workbooks of the options of an audit: the option register and the economic evaluations.

Headers are translated into the active language. Numbers stay numbers, with their unit in
the header; an undefined value leaves its cell empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from cleanprod.audits.models import AuditProject
from cleanprod.resources.models import Resource

from .services import option_register

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)


def resource_name(resource: Resource) -> str:
    language = get_language() or "zh-hans"
    return resource.name_zh if language.startswith("zh") else resource.name_en


def header_row(sheet: Worksheet, labels: list[str]) -> None:
    sheet.append(labels)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_workbook_bytes(audit: AuditProject, scores: Mapping[int, float] | None = None) -> bytes:
    """Return the option register: one row per option, with its screening score from ``scores`` (option pk)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Options")[:31]
    header_row(
        sheet,
        [
            _("code"),
            _("title"),
            _("aspect"),
            _("source"),
            _("cost class"),
            _("estimated investment (10,000 CNY)"),
            _("expected effects per year"),
            _("expected CO2 reduction (t/a)"),
            _("status"),
            _("screening score"),
        ],
    )
    for row in option_register(audit):
        option = row.option
        effects = "; ".join(
            f"{resource_name(item.effect.resource)} {item.effect.annual_quantity.normalize():f} {item.effect.unit}"
            for item in row.effects
        )
        sheet.append(
            [
                option.code,
                option.title,
                option.get_aspect_display(),
                option.get_source_display(),
                option.get_cost_class_display(),
                float(option.investment),
                effects,
                round(row.co2_tonnes, 4) if row.co2_tonnes is not None else None,
                option.get_status_display(),
                (scores or {}).get(option.pk),
            ]
        )
    for letter, width in zip("ABCDEFGHIJ", (8, 40, 24, 16, 14, 18, 40, 18, 14, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook_bytes(workbook)
