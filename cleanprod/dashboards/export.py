"""Excel workbooks of the dashboard tables; the priority list comes from cleanprod.diagnosis.export.

Numbers are stored as numbers with their unit in the column header. Headers are translated into
the active language, which is Chinese unless the request chose English.
"""

from collections.abc import Sequence
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from .periods import Period
from .services import MeterCompleteness

PERCENT_FORMAT = "0.0"
# Excel limits sheet titles to 31 characters.
MAX_SHEET_TITLE = 31


def completeness_workbook_bytes(scope_name: str, period: Period, rows: Sequence[MeterCompleteness]) -> bytes:
    """Return the per-meter data completeness of the period as the bytes of an .xlsx file."""
    workbook = Workbook()
    workbook.properties.title = _("Data completeness of %(scope)s, %(start)s to %(end)s") % {
        "scope": scope_name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }

    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Data completeness")[:MAX_SHEET_TITLE]
    sheet.append(
        [
            _("meter code"),
            _("meter name"),
            _("resource"),
            _("organisation unit"),
            _("days with data"),
            _("covered time (h)"),
            _("data completeness (%)"),
            _("complete"),
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"

    for row in rows:
        meter = row.meter
        sheet.append(
            [
                meter.code,
                meter.name,
                meter.resource.display_name,
                meter.organization_unit.name if meter.organization_unit else "",
                row.days_with_data,
                round(row.covered_seconds / 3600, 3),
                row.coverage_percent,
                _("yes") if row.complete else _("no"),
            ]
        )
        sheet.cell(row=sheet.max_row, column=7).number_format = PERCENT_FORMAT

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
