"""Parsing of Excel workbooks (XLSX) into ParsedRow objects.

openpyxl streams the sheet in read-only mode. Numeric cells are taken as numbers
and date cells as datetimes. Text cells go through the same format decision as
CSV cells, so the sheet is read twice: once for evidence, once for the rows.

NOTE: cells to the right of the last header are ignored without an issue, unlike
extra cells in CSV rows, because a worksheet cannot shift cells between columns.
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import openpyxl
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.workbook.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from .dates import ExcelDateSystem, TimestampEvidence, TimestampParser
from .formats import decide_formats, is_blank, meter_code_issue
from .layout import ColumnPlan, FileOptions, Layout, clean_header, plan_columns
from .numbers import NumberEvidence, NumberParser
from .problems import InvalidValueError, ParseError, RowIssue
from .report import MidnightTracker, ParsedRow, ParseReport

Cells = Sequence[Any]


def open_xlsx(
    path: Path, layout: Layout, options: FileOptions
) -> tuple[ParseReport, Iterator[ParsedRow], Callable[[], None]]:
    """Decide the formats of a workbook and return its report, a row iterator and a closer.

    Raise ParseError for problems with the whole file.
    """
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ParseError(
            "unreadable_workbook",
            _(
                "The file cannot be read as an Excel workbook (%(error)s). Open it in "
                "Excel and save it again as “Excel Workbook (.xlsx)”."
            ),
            error=str(error),
        ) from None
    try:
        return _open_sheet(workbook, layout, options)
    except BaseException:
        workbook.close()
        raise


def _open_sheet(
    workbook: Workbook, layout: Layout, options: FileOptions
) -> tuple[ParseReport, Iterator[ParsedRow], Callable[[], None]]:
    sheet = _select_sheet(workbook, options.sheet)
    # Some writers store a wrong sheet size, and openpyxl stops reading at the
    # stored size. Without it, openpyxl reads every row that is in the file.
    sheet.reset_dimensions()
    workbook_system: ExcelDateSystem = 1904 if workbook.epoch == CALENDAR_MAC_1904 else 1900
    system: ExcelDateSystem = options.excel_date_system or workbook_system

    header_cells = next(
        sheet.iter_rows(min_row=options.header_row, max_row=options.header_row, values_only=True),
        (),
    )
    headers = [_header_text(cell) for cell in header_cells]
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        raise ParseError(
            "missing_header",
            _(
                "Row %(row)d, the header row of this data source, is missing or empty. "
                "Check the header row number, or add a header row with the column names."
            ),
            row=options.header_row,
        )
    plan = plan_columns(headers, layout)
    report = ParseReport(
        "xlsx",
        headers,
        sheet=sheet.title,
        unmapped_columns=list(plan.unmapped_columns),
        unnamed_columns=list(plan.unnamed_columns),
    )

    numbers = NumberEvidence()
    timestamps = TimestampEvidence()
    _gather_evidence(sheet, plan, options.header_row, numbers, timestamps)
    number_parser, timestamp_parser = decide_formats(numbers, timestamps, options, report, default_system=system)
    report.excel_date_system = system
    rows = _iter_rows(sheet, plan, options, report, number_parser, timestamp_parser, system)
    return report, rows, workbook.close


def _select_sheet(workbook: Workbook, name: str | None) -> ReadOnlyWorksheet:
    names = workbook.sheetnames
    if name is None:
        sheets = [sheet for sheet in workbook.worksheets if isinstance(sheet, ReadOnlyWorksheet)]
        if sheets:
            return sheets[0]
    elif name in names and isinstance(workbook[name], ReadOnlyWorksheet):
        sheet: ReadOnlyWorksheet = workbook[name]
        return sheet
    raise ParseError(
        "missing_sheet",
        _(
            "The workbook has no worksheet named “%(sheet)s”. Its sheets are: "
            "%(sheets)s. Correct the sheet name of this data source."
        ),
        sheet=name or "",
        sheets=", ".join(f"“{sheet}”" for sheet in names),
    )


def _header_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, datetime):
        return cell.isoformat(sep=" ")
    return clean_header(str(cell))


def _data_rows(sheet: ReadOnlyWorksheet, header_row: int, width: int) -> Iterator[tuple[int, Cells]]:
    """Yield (row number, cells) below the header, padded to ``width`` cells.

    openpyxl yields an empty row for every row missing from the sheet's XML, so
    counting rows gives the row numbers that Excel shows.
    """
    rows = sheet.iter_rows(min_row=header_row + 1, values_only=True)
    for row_number, cells in enumerate(rows, header_row + 1):
        if len(cells) < width:
            cells = tuple(cells) + (None,) * (width - len(cells))
        yield row_number, cells


def _gather_evidence(
    sheet: ReadOnlyWorksheet,
    plan: ColumnPlan,
    header_row: int,
    numbers: NumberEvidence,
    timestamps: TimestampEvidence,
) -> None:
    label = plan.timestamp_label
    indexes = plan.timestamp_indexes
    if plan.kind == "wide":
        value_indexes = plan.value_indexes
        value_headers = plan.value_headers
    else:
        value_indexes = (plan.value_index,)
        value_headers = (plan.value_header,)

    for row_number, cells in _data_rows(sheet, header_row, plan.width):
        stamp = [cells[index] for index in indexes]
        if all(isinstance(cell, str) for cell in stamp):
            timestamps.add_text(row_number, label, " ".join(cell.strip() for cell in stamp))
        elif any(cell is not None for cell in stamp):
            timestamps.add_native()
        text_headers = []
        text_cells = []
        for header, index in zip(value_headers, value_indexes, strict=True):
            cell = cells[index]
            if isinstance(cell, str):
                text_headers.append(header)
                text_cells.append(cell)
        if text_cells:
            numbers.add_row(row_number, text_headers, text_cells)


def _iter_rows(
    sheet: ReadOnlyWorksheet,
    plan: ColumnPlan,
    options: FileOptions,
    report: ParseReport,
    number_parser: NumberParser,
    timestamp_parser: TimestampParser,
    system: ExcelDateSystem,
) -> Iterator[ParsedRow]:
    tracker = None if options.midnight_is_previous_day else MidnightTracker(report)
    label = plan.timestamp_label
    indexes = plan.timestamp_indexes
    if plan.kind == "wide":
        value_columns = list(zip(plan.meter_codes, plan.value_headers, plan.value_indexes, strict=True))
    else:
        value_columns = []
    convert = _cell_converter(number_parser)

    for row_number, cells in _data_rows(sheet, options.header_row, plan.width):
        if is_blank(cells):
            report.blank_lines += 1
            continue
        issues: list[RowIssue] = []
        if len(indexes) == 1:
            stamp_cell = cells[indexes[0]]
            timestamp = timestamp_parser.parse_cell(stamp_cell, system)
            text = _cell_text(stamp_cell)
        else:
            date_cell, time_cell = cells[indexes[0]], cells[indexes[1]]
            timestamp = timestamp_parser.parse_date_and_time_cells(date_cell, time_cell, system)
            text = f"{_cell_text(date_cell)} {_cell_text(time_cell)}"
        timestamp_value: datetime | None = None
        if isinstance(timestamp, InvalidValueError):
            issues.append(timestamp.to_issue(row_number, label, text))
        else:
            timestamp_value = timestamp
            if tracker is not None:
                tracker.see(timestamp)

        values: list[tuple[str, float | None, str | None]] = []
        if plan.kind == "wide":
            for code, header, index in value_columns:
                _add_value(values, issues, report, convert, row_number, code, header, cells[index], None)
        else:
            code = _cell_text(cells[plan.meter_index]).strip()
            unit = None
            if plan.unit_index is not None:
                unit = _cell_text(cells[plan.unit_index]).strip() or None
            if code and "\ufffd" not in code:
                _add_value(
                    values,
                    issues,
                    report,
                    convert,
                    row_number,
                    code,
                    plan.value_header,
                    cells[plan.value_index],
                    unit,
                )
            else:
                report.values_read += 1
                report.invalid_values += 1
                issues.append(meter_code_issue(row_number, plan.meter_header, code))
        report.rows_read += 1
        if issues:
            report.rows_with_issues += 1
        yield ParsedRow(row_number, timestamp_value, values, issues)


Converter = Callable[[object], "float | None"]


def _cell_converter(number_parser: NumberParser) -> Converter:
    parse = number_parser.parse
    isfinite = math.isfinite

    def convert(cell: object) -> float | None:
        if cell is None:
            return None
        kind = type(cell)
        if kind is float or kind is int:
            number = float(cell)  # type: ignore[arg-type]
            if isfinite(number):
                return number
        elif kind is str:
            return parse(cell)  # type: ignore[arg-type]
        raise number_parser.invalid_error()

    return convert


def _add_value(
    values: list[tuple[str, float | None, str | None]],
    issues: list[RowIssue],
    report: ParseReport,
    convert: Converter,
    row_number: int,
    code: str,
    header: str,
    cell: object,
    unit: str | None,
) -> None:
    report.values_read += 1
    try:
        number = convert(cell)
    except InvalidValueError as error:
        issues.append(error.to_issue(row_number, header, _cell_text(cell)))
        report.invalid_values += 1
        return
    if number is None:
        report.missing_values += 1
    values.append((code, number, unit))


def _cell_text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)
