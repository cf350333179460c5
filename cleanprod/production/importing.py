"""Import of production records from CSV and XLSX exports of MES and ERP systems.

One row is one record: the output of one product by one organisation unit over a period
of local days. The file goes through the parsing components of the meter-readings import
(cleanprod.ingest.parsing), so encodings, delimiters, number formats, date orders and
Excel date systems are detected exactly as for readings: once per file, never per value.

The readings parser (``open_table``) maps columns to meters, so this module reads the
header and the cells itself, in ``CsvSource`` and ``XlsxSource``, and passes the cells to
the shared format detection (``NumberEvidence``, ``TimestampEvidence``, ``decide_formats``)
and converters (``NumberParser``, ``TimestampParser``). The rows are read twice, streaming:
once for the format evidence and once for the records. Valid rows are written in chunks of
``settings.CLEANPROD_IMPORT_CHUNK_ROWS`` rows, so memory stays bounded by the chunk size.

Everything runs in one transaction, and a dry run rolls the same work back, so its counts
are exactly those of the real import.
"""

from __future__ import annotations

import logging
import math
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import openpyxl
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.base_user import AbstractBaseUser
from django.db import transaction
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from simple_history.utils import bulk_create_with_history

from cleanprod.ingest.parsing import (
    FileOptions,
    InvalidValueError,
    LazyMessage,
    NumberParser,
    ParseError,
    ParseReport,
    RowIssue,
    TimestampParser,
    detect_encoding,
    is_missing_token,
)
from cleanprod.ingest.parsing.csvfile import check_delimiter, read_records, read_sample, sniff_delimiter
from cleanprod.ingest.parsing.dates import ExcelDateSystem, TimestampEvidence
from cleanprod.ingest.parsing.formats import decide_formats, is_blank, needs_evidence
from cleanprod.ingest.parsing.layout import clean_header
from cleanprod.ingest.parsing.numbers import SPACE_SEPARATORS, NumberEvidence, describe_number_format
from cleanprod.ingest.parsing.table import check_file
from cleanprod.ingest.pipeline import Rejections, file_sha256
from cleanprod.metering.models import BatchKind, ImportBatch
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Category, Resource
from cleanprod.resources.units import UnitError, conversion_factor

from .models import ProductionRecord

if TYPE_CHECKING:
    from django.contrib.auth.models import User
    from django.utils.functional import _StrPromise

logger = logging.getLogger(__name__)

# -- columns ------------------------------------------------------------------------------

ORGANISATION_UNIT = "organisation_unit"
PRODUCT = "product"
PERIOD_START = "period_start"
PERIOD_END = "period_end"
QUANTITY = "quantity"
UNIT = "unit"
REFERENCE = "reference"
FIELDS = (ORGANISATION_UNIT, PRODUCT, PERIOD_START, PERIOD_END, QUANTITY, UNIT, REFERENCE)
OPTIONAL_FIELDS = frozenset({PERIOD_END, REFERENCE})

# Value in the ``columns`` mapping that marks a header as read and deliberately not used.
IGNORE = "ignore"

# Headers recognised without a mapping, compared after str.casefold().
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    ORGANISATION_UNIT: (ORGANISATION_UNIT, "organization_unit", "组织单元", "车间"),
    PRODUCT: (PRODUCT, "产品"),
    PERIOD_START: (PERIOD_START, "开始日期"),
    PERIOD_END: (PERIOD_END, "结束日期"),
    QUANTITY: (QUANTITY, "产量", "数量"),
    UNIT: (UNIT, "单位"),
    REFERENCE: (REFERENCE, "单据号"),
}

# Field sizes of ProductionRecord: quantity max_digits=18, decimal_places=4.
QUANTITY_PLACES = Decimal("0.0001")
QUANTITY_LIMIT = Decimal(10) ** 14
UNIT_MAX_LENGTH = 30
REFERENCE_MAX_LENGTH = 60


@dataclass(frozen=True, slots=True)
class ProductionColumns:
    """Positions (0-based) and headers of the fields found in one file's header."""

    indexes: Mapping[str, int]
    headers: Mapping[str, str]
    unmapped: tuple[str, ...] = ()
    unnamed: tuple[int, ...] = ()


def plan_columns(headers: Sequence[str], columns: Mapping[str, str] | None = None) -> ProductionColumns:
    """Find the production record fields in ``headers``.

    ``columns`` maps a field name to the header that contains it, replacing the default
    headers of that field, and maps any other header to ``"ignore"``. Raise ParseError
    for an invalid mapping, a missing required column, a header that occurs twice, or
    two headers that both match one field. Headers that match no field and are not
    ignored go to ``unmapped``.
    """
    overrides, ignored = _split_mapping(columns or {})
    positions: dict[str, list[int]] = {}
    for index, header in enumerate(headers):
        if header:
            positions.setdefault(header.casefold(), []).append(index)
    for found in positions.values():
        if len(found) > 1:
            raise ParseError(
                "duplicate_column",
                _(
                    "The column “%(column)s” occurs %(count)d times in the file's header (columns "
                    "%(positions)s), so its values cannot be told apart. Rename the columns so each "
                    "header is unique."
                ),
                column=headers[found[0]],
                count=len(found),
                positions=", ".join(str(index + 1) for index in found),
            )

    indexes: dict[str, int] = {}
    for field in FIELDS:
        field_index = _find_field(field, overrides.get(field), positions, headers, set(indexes.values()))
        if field_index is not None:
            indexes[field] = field_index

    ignored_indexes = {positions[name][0] for name in ignored if name in positions}
    used = set(indexes.values()) | ignored_indexes
    unmapped = tuple(header for index, header in enumerate(headers) if header and index not in used)
    unnamed = tuple(index + 1 for index, header in enumerate(headers) if not header)
    return ProductionColumns(
        indexes=indexes,
        headers={field: headers[index] for field, index in indexes.items()},
        unmapped=unmapped,
        unnamed=unnamed,
    )


def _split_mapping(columns: Mapping[str, str]) -> tuple[dict[str, str], set[str]]:
    overrides: dict[str, str] = {}
    ignored: set[str] = set()
    for key, value in columns.items():
        if key in FIELDS:
            overrides[key] = clean_header(value)
        elif value == IGNORE:
            ignored.add(clean_header(key).casefold())
        else:
            raise ParseError(
                "invalid_column_mapping",
                _(
                    "The column mapping entry “%(key)s” → “%(value)s” is invalid: “%(key)s” is not a "
                    "production record field. Map one of the fields %(fields)s to a header, or map "
                    "a header to “ignore”."
                ),
                key=key,
                value=value,
                fields=", ".join(FIELDS),
            )
    return overrides, ignored


def _find_field(
    field: str,
    mapped_header: str | None,
    positions: Mapping[str, list[int]],
    headers: Sequence[str],
    taken: set[int],
) -> int | None:
    found_headers = ", ".join(f"“{header}”" for header in headers if header)
    if mapped_header is not None:
        found = positions.get(mapped_header.casefold())
        if found is None:
            raise ParseError(
                "missing_column",
                _(
                    "The column “%(column)s”, mapped to the field %(field)s, is not in the file's "
                    "header. The header contains: %(headers)s. Correct the column mapping, or check "
                    "that the right file and header row were chosen."
                ),
                column=mapped_header,
                field=field,
                headers=found_headers,
            )
        return found[0]

    matches = [
        positions[alias.casefold()][0]
        for alias in HEADER_ALIASES[field]
        if alias.casefold() in positions and positions[alias.casefold()][0] not in taken
    ]
    if len(matches) > 1:
        raise ParseError(
            "ambiguous_column",
            _(
                "The columns %(columns)s all hold the field %(field)s, so it is unclear which one to "
                "read. Map the field to one of them in the column mapping, and map the others to "
                "“ignore”."
            ),
            columns=", ".join(f"“{headers[index]}”" for index in matches),
            field=field,
        )
    if matches:
        return matches[0]
    if field in OPTIONAL_FIELDS:
        return None
    raise ParseError(
        "missing_column",
        _(
            "The file has no column for the field %(field)s: none of the headers %(expected)s is "
            "in it. The header contains: %(headers)s. Rename the column, or map the field to its "
            "header in the column mapping."
        ),
        field=field,
        expected=", ".join(f"“{alias}”" for alias in HEADER_ALIASES[field]),
        headers=found_headers,
    )


# -- file sources -------------------------------------------------------------------------


class Source(Protocol):
    """The header and the data rows of one file, with the report of its format decisions."""

    report: ParseReport
    excel_date_system: ExcelDateSystem

    def rows(self) -> Iterator[tuple[int, Sequence[object]]]:
        """Yield (row number, cells) for every row below the header, as a spreadsheet numbers them."""
        ...

    def close(self) -> None: ...


class CsvSource:
    """A delimited text file (CSV, TSV, TXT); every cell is a string."""

    excel_date_system: ExcelDateSystem = 1900

    def __init__(self, path: Path, options: FileOptions) -> None:
        self.path = path
        self.header_row = options.header_row
        encoding = detect_encoding(path, options.encoding)
        self.codec = encoding.codec
        if options.delimiter is not None:
            check_delimiter(options.delimiter)
            self.delimiter = options.delimiter
        else:
            sample, complete = read_sample(path, self.codec)
            self.delimiter = sniff_delimiter(sample, options.header_row, complete)
        self.report = ParseReport("csv", self._read_header(), encoding=encoding.label, delimiter=self.delimiter)

    def _read_header(self) -> list[str]:
        records = read_records(self.path, self.codec, self.delimiter)
        try:
            for row_number, cells in records:
                if row_number < self.header_row:
                    continue
                if not is_blank(cells):
                    return [clean_header(cell) for cell in cells]
                break
        finally:
            records.close()
        raise _missing_header(self.header_row)

    def rows(self) -> Iterator[tuple[int, Sequence[object]]]:
        records = read_records(self.path, self.codec, self.delimiter)
        try:
            for row_number, cells in records:
                if row_number > self.header_row:
                    yield row_number, cells
        finally:
            records.close()

    def close(self) -> None:
        pass


class XlsxSource:
    """A worksheet of an Excel workbook, streamed by openpyxl in read-only mode.

    Cells keep their types: numbers, datetimes, and text. Error cells (#N/A, #REF! …)
    are text, which the number parser reads as missing values, as for readings.
    """

    def __init__(self, path: Path, options: FileOptions) -> None:
        self.header_row = options.header_row
        try:
            self.workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError) as error:
            raise ParseError(
                "unreadable_workbook",
                _(
                    "The file cannot be read as an Excel workbook (%(error)s). Open it in Excel and "
                    "save it again as “Excel Workbook (.xlsx)”."
                ),
                error=str(error),
            ) from None
        try:
            self.sheet = self._select_sheet(options.sheet)
            # Some writers store a wrong sheet size, and openpyxl stops reading at the
            # stored size. Without it, openpyxl reads every row that is in the file.
            self.sheet.reset_dimensions()
            workbook_system: ExcelDateSystem = 1904 if self.workbook.epoch == CALENDAR_MAC_1904 else 1900
            self.excel_date_system: ExcelDateSystem = options.excel_date_system or workbook_system
            headers = self._read_header()
        except BaseException:
            self.workbook.close()
            raise
        self.report = ParseReport("xlsx", headers, sheet=self.sheet.title)

    def _select_sheet(self, name: str | None) -> ReadOnlyWorksheet:
        names = self.workbook.sheetnames
        if name is None:
            sheets = [sheet for sheet in self.workbook.worksheets if isinstance(sheet, ReadOnlyWorksheet)]
            if sheets:
                return sheets[0]
        elif name in names and isinstance(self.workbook[name], ReadOnlyWorksheet):
            sheet: ReadOnlyWorksheet = self.workbook[name]
            return sheet
        raise ParseError(
            "missing_sheet",
            _(
                "The workbook has no worksheet named “%(sheet)s”. Its sheets are: %(sheets)s. "
                "Correct the sheet name of this data source."
            ),
            sheet=name or "",
            sheets=", ".join(f"“{sheet}”" for sheet in names),
        )

    def _read_header(self) -> list[str]:
        cells = next(self.sheet.iter_rows(min_row=self.header_row, max_row=self.header_row, values_only=True), ())
        headers = [clean_header(cell_text(cell)) for cell in cells]
        while headers and not headers[-1]:
            headers.pop()
        if not headers:
            raise _missing_header(self.header_row)
        return headers

    def rows(self) -> Iterator[tuple[int, Sequence[object]]]:
        # openpyxl yields an empty row for every row missing from the sheet's XML, so
        # counting rows gives the row numbers that Excel shows.
        rows = self.sheet.iter_rows(min_row=self.header_row + 1, values_only=True)
        yield from enumerate(rows, self.header_row + 1)

    def close(self) -> None:
        self.workbook.close()


def open_source(path: Path, options: FileOptions) -> Source:
    """Open a CSV, TSV, TXT or XLSX file and read its header; raise ParseError if that fails."""
    kind = check_file(path, options)
    if kind == "csv":
        return CsvSource(path, options)
    return XlsxSource(path, options)


def _missing_header(header_row: int) -> ParseError:
    return ParseError(
        "missing_header",
        _(
            "Row %(row)d, the header row of this data source, is missing or empty. Check the header "
            "row number, or add a header row with the column names."
        ),
        row=header_row,
    )


def cell_text(cell: object) -> str:
    """Return a cell as text; a whole float (101.0 from a workbook) loses its ".0"."""
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell)


def cell_at(cells: Sequence[object], index: int | None) -> object:
    if index is None or index >= len(cells):
        return None
    return cells[index]


# -- cell conversion ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FileFormats:
    """The converters decided for one file."""

    numbers: NumberParser
    timestamps: TimestampParser
    excel_date_system: ExcelDateSystem


def decide_file_formats(source: Source, columns: ProductionColumns, options: FileOptions) -> FileFormats:
    """Gather format evidence from the quantity and date columns and decide the file's formats.

    ``midnight_is_previous_day`` reads a 00:00 timestamp as the end of the day before,
    which suits readings that close a day but would move a date such as 2024-03-01 to
    the next day. Production periods are whole days, so the option is turned off here.
    """
    numbers = NumberEvidence()
    timestamps = TimestampEvidence()
    if isinstance(source, XlsxSource) or needs_evidence(options):
        _gather_evidence(source, columns, numbers, timestamps)
    day_options = replace(options, midnight_is_previous_day=False)
    number_parser, timestamp_parser = decide_formats(
        numbers, timestamps, day_options, source.report, default_system=source.excel_date_system
    )
    if isinstance(source, XlsxSource):
        source.report.excel_date_system = source.excel_date_system
    return FileFormats(number_parser, timestamp_parser, source.excel_date_system)


def _gather_evidence(
    source: Source, columns: ProductionColumns, numbers: NumberEvidence, timestamps: TimestampEvidence
) -> None:
    quantity_index = columns.indexes[QUANTITY]
    quantity_header = (columns.headers[QUANTITY],)
    date_columns = [
        (columns.indexes[field], columns.headers[field])
        for field in (PERIOD_START, PERIOD_END)
        if field in columns.indexes
    ]
    for row_number, cells in source.rows():
        if is_blank(cells):
            continue
        quantity = cell_at(cells, quantity_index)
        if isinstance(quantity, str):
            numbers.add_row(row_number, quantity_header, (quantity,))
        for index, header in date_columns:
            cell = cell_at(cells, index)
            if isinstance(cell, str):
                text = cell.strip()
                if text and not is_missing_token(text):
                    timestamps.add_text(row_number, header, text)
            elif cell is not None:
                timestamps.add_native()


def parse_quantity(cell: object, parser: NumberParser) -> Decimal | None:
    """Return the quantity of a cell as an exact Decimal, or None when the cell marks it as missing.

    Text is checked by the file's NumberParser and then converted without a detour
    through float, so 1.234,5678 in a decimal-comma file is exactly 1234.5678. A
    workbook's numeric cell is a float already, and its shortest repr is taken (120.5,
    not the binary expansion). Raise InvalidValueError when the cell is not a number.
    """
    if cell is None:
        return None
    if isinstance(cell, str):
        if parser.parse(cell) is None:
            return None
        return _decimal_of_text(cell, parser)
    if isinstance(cell, int) and not isinstance(cell, bool):
        return Decimal(cell)
    if isinstance(cell, float) and math.isfinite(cell):
        return Decimal(repr(cell))
    raise parser.invalid_error()


def _decimal_of_text(cell: str, parser: NumberParser) -> Decimal:
    number_format = parser.number_format
    thousands = number_format.thousands_separator
    grouping = SPACE_SEPARATORS if thousands == " " else (thousands or "")
    table = str.maketrans({**{char: None for char in grouping}, number_format.decimal_separator: "."})
    try:
        return Decimal(cell.strip().translate(table))
    except InvalidOperation:
        raise parser.invalid_error() from None


def parse_day(cell: object, formats: FileFormats) -> date | InvalidValueError:
    """Return the day of a date or datetime cell; the time of day is dropped.

    The day is the one written: a UTC offset in the text does not move it into the
    site's time zone.

    NOTE: the shared parser reads "2024-03-01 24:00" as 2024-03-02 00:00, so such a
    cell gives 2024-03-02 here, although it closes 1 March.
    """
    parsed = formats.timestamps.parse_cell(cell, formats.excel_date_system)
    if isinstance(parsed, InvalidValueError):
        return parsed
    return parsed.date()


def is_empty_cell(cell: object) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


# -- row problems -------------------------------------------------------------------------


def row_issue(row: int, column: str, value: str, code: str, message: str | None = None, **params: object) -> RowIssue:
    """Build the RowIssue ``code`` with the template ``MESSAGES[message or code]``.

    Every template may use %(row)d, %(column)s and %(value)s.
    """
    template = MESSAGES[message or code]
    return RowIssue(
        row, column, value, code, LazyMessage(template, {"row": row, "column": column, "value": value, **params})
    )


MESSAGES: dict[str, _StrPromise] = {
    "missing_organisation_unit": _(
        "Row %(row)d, column “%(column)s”: the organisation unit is empty. Enter the code of the "
        "organisation unit that produced the output."
    ),
    "unknown_organisation_unit": _(
        "Row %(row)d, column “%(column)s”: site %(site)s has no organisation unit with code "
        "“%(value)s”. Correct the code, or create the organisation unit first."
    ),
    "missing_product": _(
        "Row %(row)d, column “%(column)s”: the product is empty. Enter the resource code of the product."
    ),
    "unknown_product": _(
        "Row %(row)d, column “%(column)s”: no resource has the code “%(value)s”. Correct the code, or "
        "create the product as a resource of category “product” first."
    ),
    "not_a_product": _(
        "Row %(row)d, column “%(column)s”: the resource “%(value)s” is of category “%(category)s”, "
        "not a product. Enter the code of a resource of category “product”."
    ),
    "missing_unit": _(
        "Row %(row)d, column “%(column)s”: the unit is empty. Enter the unit of the quantity, such as t or pcs."
    ),
    "unit_too_long": _(
        "Row %(row)d, column “%(column)s”: the unit “%(value)s” is longer than %(max)d characters. "
        "Enter a unit symbol such as t, kg or pcs."
    ),
    "unknown_unit": _(
        "Row %(row)d, column “%(column)s”: “%(value)s” is not a known unit. Enter a unit symbol such "
        "as %(canonical)s, the unit of product %(product)s."
    ),
    "incompatible_unit": _(
        "Row %(row)d, column “%(column)s”: “%(value)s” cannot be converted to %(canonical)s, the unit "
        "of product %(product)s. Enter the quantity in %(canonical)s or in another unit of the same kind."
    ),
    "missing_quantity": _(
        "Row %(row)d, column “%(column)s”: the quantity is empty. Enter the output of the period, or 0 if "
        "nothing was produced."
    ),
    "missing_quantity_marker": _(
        "Row %(row)d, column “%(column)s”: the quantity is marked as missing (“%(value)s”). Enter the output "
        "of the period, or 0 if nothing was produced."
    ),
    "invalid_number": _(
        "Row %(row)d, column “%(column)s”: “%(value)s” is not a number in this file's format "
        "(%(format)s). Correct the value."
    ),
    "quantity_out_of_range": _(
        "Row %(row)d, column “%(column)s”: %(value)s is too large to store; quantities must be below "
        "10^14 in absolute value. Check the value and its unit."
    ),
    "missing_period_start": _(
        "Row %(row)d, column “%(column)s”: the first day of the period is empty. Enter the date the period "
        "starts, such as 2024-03-01."
    ),
    "missing_period_start_marker": _(
        "Row %(row)d, column “%(column)s”: the first day of the period is marked as missing (“%(value)s”). "
        "Enter the date the period starts, such as 2024-03-01."
    ),
    # An empty last day is a period of one day, so only a marker such as #REF! makes it missing.
    "missing_period_end_marker": _(
        "Row %(row)d, column “%(column)s”: the last day of the period is marked as missing (“%(value)s”). "
        "Enter the last day, or leave the cell empty for a period of one day."
    ),
    "invalid_period": _(
        "Row %(row)d, column “%(column)s”: the last day %(end)s is before the first day %(start)s. Correct the dates."
    ),
    "reference_too_long": _(
        "Row %(row)d, column “%(column)s”: the reference “%(value)s” is longer than %(max)d characters. "
        "Shorten the document number."
    ),
    "extra_cells": _(
        "Row %(row)d has %(count)d cells but the header has %(header_count)d columns, and the extra cells "
        "contain “%(value)s”, so the cells of this row may be shifted. A decimal comma in a comma-delimited "
        "file causes this: quote such values, or export the file with a semicolon as delimiter."
    ),
    "conflict": _(
        "Row %(row)d, column “%(column)s”: %(value)s %(unit)s differs from the %(stored)s %(stored_unit)s "
        "already stored for organisation unit %(organisation_unit)s, product %(product)s, %(start)s to "
        "%(end)s, reference “%(reference)s”. Import again with “replace conflicting values” to store the "
        "new value (the old one stays in the history), or give a correction its own reference."
    ),
    "conflict_in_file": _(
        "Row %(row)d, column “%(column)s”: %(value)s %(unit)s was discarded because row %(later_row)d of "
        "the same file gives %(later)s %(later_unit)s for organisation unit %(organisation_unit)s, product "
        "%(product)s, %(start)s to %(end)s, reference “%(reference)s”, and the later row is kept. Delete "
        "the wrong row, or give each record its own reference."
    ),
    "conflict_in_file_earlier_chunk": _(
        "Row %(row)d, column “%(column)s”: %(value)s %(unit)s replaced the %(earlier)s %(earlier_unit)s "
        "that an earlier row of the same file gave for organisation unit %(organisation_unit)s, product "
        "%(product)s, %(start)s to %(end)s, reference “%(reference)s”; the later row is kept. Delete the "
        "wrong row, or give each record its own reference."
    ),
}


# -- rows to candidate records ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RecordKey:
    """The natural key of a production record, as in its unique constraint."""

    organization_unit_id: int
    product_id: int
    period_start: date
    period_end: date
    reference: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """A valid row, ready to be compared with stored records."""

    key: RecordKey
    quantity: Decimal
    unit: str
    row: int


class RowReader:
    """Converts the cells of one row into a Candidate, or into the issues that reject the row."""

    def __init__(self, site: Site, columns: ProductionColumns, formats: FileFormats, header_width: int) -> None:
        self.site = site
        self.columns = columns
        self.formats = formats
        self.header_width = header_width
        self.units = {unit.code: unit for unit in OrganizationUnit.objects.filter(site=site)}
        self.resources = {resource.code: resource for resource in Resource.objects.all()}
        self.unit_errors: dict[tuple[str, str], UnitError | None] = {}

    def read(self, row: int, cells: Sequence[object], report: ParseReport) -> Candidate | list[RowIssue]:
        issues: list[RowIssue] = []
        if len(cells) > self.header_width and not is_blank(cells[self.header_width :]):
            extra = ", ".join(cell_text(cell) for cell in cells[self.header_width :] if not is_empty_cell(cell))
            issues.append(row_issue(row, "", extra, "extra_cells", count=len(cells), header_count=self.header_width))
            return issues
        if len(cells) < self.header_width:
            report.short_rows += 1

        unit = self._organisation_unit(row, cells, issues)
        product = self._product(row, cells, issues)
        unit_of_measure = self._unit_of_measure(row, cells, product, issues)
        quantity = self._quantity(row, cells, report, issues)
        period = self._period(row, cells, issues)
        reference = self._reference(row, cells, issues)
        # Every helper that returns None has added an issue, so such a row is never stored.
        if unit is None or product is None or unit_of_measure is None:
            return issues
        if quantity is None or period is None or reference is None or issues:
            return issues
        key = RecordKey(unit.pk, product.pk, period[0], period[1], reference)
        return Candidate(key, quantity, unit_of_measure, row)

    def _cell(self, cells: Sequence[object], field: str) -> tuple[str, object]:
        return self.columns.headers.get(field, ""), cell_at(cells, self.columns.indexes.get(field))

    def _organisation_unit(self, row: int, cells: Sequence[object], issues: list[RowIssue]) -> OrganizationUnit | None:
        column, cell = self._cell(cells, ORGANISATION_UNIT)
        code = cell_text(cell).strip()
        if not code:
            issues.append(row_issue(row, column, code, "missing_organisation_unit"))
            return None
        unit = self.units.get(code)
        if unit is None:
            issues.append(row_issue(row, column, code, "unknown_organisation_unit", site=self.site.name))
        return unit

    def _product(self, row: int, cells: Sequence[object], issues: list[RowIssue]) -> Resource | None:
        column, cell = self._cell(cells, PRODUCT)
        code = cell_text(cell).strip()
        if not code:
            issues.append(row_issue(row, column, code, "missing_product"))
            return None
        resource = self.resources.get(code)
        if resource is None:
            issues.append(row_issue(row, column, code, "unknown_product"))
            return None
        if resource.category != Category.PRODUCT:
            issues.append(row_issue(row, column, code, "not_a_product", category=resource.get_category_display()))
            return None
        return resource

    def _unit_of_measure(
        self, row: int, cells: Sequence[object], product: Resource | None, issues: list[RowIssue]
    ) -> str | None:
        column, cell = self._cell(cells, UNIT)
        text = cell_text(cell).strip()
        if not text:
            issues.append(row_issue(row, column, text, "missing_unit"))
            return None
        if len(text) > UNIT_MAX_LENGTH:
            issues.append(row_issue(row, column, text, "unit_too_long", max=UNIT_MAX_LENGTH))
            return None
        if product is None:
            # Without the product there is no unit to check against; the product's own
            # issue already rejects the row.
            return text
        error = self._unit_error(text, product.canonical_unit)
        if error is not None:
            issues.append(
                row_issue(row, column, text, error.code, canonical=product.canonical_unit, product=product.code)
            )
            return None
        return text

    def _unit_error(self, unit: str, canonical: str) -> UnitError | None:
        key = (unit, canonical)
        if key not in self.unit_errors:
            try:
                conversion_factor(unit, canonical)
                self.unit_errors[key] = None
            except UnitError as error:
                self.unit_errors[key] = error
        return self.unit_errors[key]

    def _quantity(
        self, row: int, cells: Sequence[object], report: ParseReport, issues: list[RowIssue]
    ) -> Decimal | None:
        column, cell = self._cell(cells, QUANTITY)
        text = cell_text(cell).strip()
        parser = self.formats.numbers
        report.values_read += 1
        try:
            quantity = parse_quantity(cell, parser)
        except InvalidValueError:
            report.invalid_values += 1
            issues.append(
                row_issue(row, column, text, "invalid_number", format=describe_number_format(parser.number_format))
            )
            return None
        if quantity is None:
            report.missing_values += 1
            issues.append(row_issue(row, column, text, "missing_quantity", "missing_quantity_marker" if text else None))
            return None
        if abs(quantity) >= QUANTITY_LIMIT:
            issues.append(row_issue(row, column, text, "quantity_out_of_range"))
            return None
        return quantity.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)

    def _period(self, row: int, cells: Sequence[object], issues: list[RowIssue]) -> tuple[date, date] | None:
        start_column, start_cell = self._cell(cells, PERIOD_START)
        end_column, end_cell = self._cell(cells, PERIOD_END)
        start = self._day(row, start_column, start_cell, "missing_period_start", issues)
        # An empty last day means a period of one day.
        end = start if is_empty_cell(end_cell) else self._day(row, end_column, end_cell, "missing_period_end", issues)
        if start is None or end is None:
            return None
        if end < start:
            issues.append(
                row_issue(
                    row, end_column, cell_text(end_cell), "invalid_period", start=start.isoformat(), end=end.isoformat()
                )
            )
            return None
        return start, end

    def _day(self, row: int, column: str, cell: object, missing_code: str, issues: list[RowIssue]) -> date | None:
        text = cell_text(cell).strip()
        if is_empty_cell(cell):
            issues.append(row_issue(row, column, text, missing_code))
            return None
        if isinstance(cell, str) and is_missing_token(cell):
            issues.append(row_issue(row, column, text, missing_code, f"{missing_code}_marker"))
            return None
        day = parse_day(cell, self.formats)
        if isinstance(day, InvalidValueError):
            issues.append(day.to_issue(row, column, text))
            return None
        return day

    def _reference(self, row: int, cells: Sequence[object], issues: list[RowIssue]) -> str | None:
        column, cell = self._cell(cells, REFERENCE)
        text = cell_text(cell).strip()
        if len(text) > REFERENCE_MAX_LENGTH:
            issues.append(row_issue(row, column, text, "reference_too_long", max=REFERENCE_MAX_LENGTH))
            return None
        return text


# -- storing ------------------------------------------------------------------------------


@dataclass
class PairCounts:
    """Counts and date range of the records that this import wrote for one organisation unit and product."""

    inserted: int = 0
    replaced: int = 0
    first: date | None = None
    last: date | None = None

    def add(self, key: RecordKey, *, inserted: bool) -> None:
        if inserted:
            self.inserted += 1
        else:
            self.replaced += 1
        if self.first is None or key.period_start < self.first:
            self.first = key.period_start
        if self.last is None or key.period_end > self.last:
            self.last = key.period_end


@dataclass(frozen=True)
class ImportSettings:
    site: Site
    path: Path
    dry_run: bool
    replace_conflicts: bool
    generated: bool
    user: User | None
    options: FileOptions
    columns: Mapping[str, str] | None
    source_name: str


class ProductionImporter:
    def __init__(self, import_settings: ImportSettings, rejections: Rejections) -> None:
        self.settings = import_settings
        self.site = import_settings.site
        self.rejections = rejections
        self.batch: ImportBatch | None = None
        self.quantity_column = ""
        self.unit_codes = dict(OrganizationUnit.objects.filter(site=self.site).values_list("pk", "code"))
        products = Resource.objects.filter(category=Category.PRODUCT)
        self.product_codes = dict(products.values_list("pk", "code"))
        self.canonical_units = dict(products.values_list("pk", "canonical_unit"))
        self.pairs: dict[tuple[int, int], PairCounts] = {}
        self.totals = {
            "inserted": 0,
            "duplicates_identical": 0,
            "conflicts_rejected": 0,
            "conflicts_replaced": 0,
            "conflicts_in_file": 0,
            "rows_rejected": 0,
        }

    def run(self) -> dict[str, Any]:
        request = self.settings
        sha256 = file_sha256(request.path)
        already = list(
            ImportBatch.objects.filter(site=self.site, sha256=sha256, kind=BatchKind.PRODUCTION)
            .order_by("created_at")
            .values_list("pk", "created_at")
        )
        report: dict[str, Any] = {"dry_run": request.dry_run, "sha256": sha256}
        with transaction.atomic():
            self.batch = ImportBatch.objects.create(
                site=self.site,
                kind=BatchKind.PRODUCTION,
                source_name=(request.source_name or request.path.name)[:300],
                sha256=sha256,
                created_by=request.user,
            )
            source = open_source(request.path, request.options)
            try:
                parse_report = self._read(source)
            finally:
                source.close()
            report.update(parse_report.as_dict())
            self.batch.rows_inserted = self.totals["inserted"]
            self.batch.rows_replaced = self.totals["conflicts_replaced"]
            self.batch.save(update_fields=["rows_inserted", "rows_replaced"])
            report.update(self._summary(already))
            if request.dry_run:
                transaction.set_rollback(True)
                report["batch"] = None
            else:
                report["batch"] = self.batch.pk
        return report

    def _read(self, source: Source) -> ParseReport:
        report = source.report
        columns = plan_columns(report.headers, self.settings.columns)
        report.unmapped_columns = list(columns.unmapped)
        report.unnamed_columns = list(columns.unnamed)
        if columns.unmapped:
            # A column that is neither a field nor ignored is never dropped silently.
            raise ParseError(
                "unmapped_columns",
                _(
                    "The columns %(columns)s are not production record fields. Rename them to field "
                    "headers, map them to fields in the column mapping, or map them to “ignore”."
                ),
                columns=", ".join(f"“{header}”" for header in columns.unmapped),
            )
        self.quantity_column = columns.headers[QUANTITY]
        formats = decide_file_formats(source, columns, self.settings.options)

        reader = RowReader(self.site, columns, formats, len(report.headers))
        chunk: list[Candidate] = []
        chunk_size = settings.CLEANPROD_IMPORT_CHUNK_ROWS
        for row_number, cells in source.rows():
            if is_blank(cells):
                report.blank_lines += 1
                continue
            report.rows_read += 1
            result = reader.read(row_number, cells, report)
            if isinstance(result, Candidate):
                chunk.append(result)
            else:
                report.rows_with_issues += 1
                self.totals["rows_rejected"] += 1
                for issue in result:
                    self.rejections.add(issue.row_number, issue.column, issue.value, issue.code, str(issue.message))

            if len(chunk) >= chunk_size:
                self._store(chunk)
                chunk = []
        if chunk:
            self._store(chunk)
        return report

    # -- one chunk --------------------------------------------------------------------------

    def _store(self, chunk: list[Candidate]) -> None:
        latest = self._collapse(chunk)
        stored = self._stored_records(latest)
        new: list[Candidate] = []
        for key, candidate in latest.items():
            record = stored.get(key)
            if record is None:
                new.append(candidate)
            elif self._same_amount(record.quantity, record.unit, candidate):
                self.totals["duplicates_identical"] += 1
            elif self.batch is not None and record.batch_id == self.batch.pk:
                self._in_file_conflict_with_stored(record, candidate)
            elif self.settings.replace_conflicts:
                self._replace(
                    record, candidate, gettext("Replaced by import batch #%(batch)s") % {"batch": self._batch_pk()}
                )
                self.totals["conflicts_replaced"] += 1
                self._pair(key).add(key, inserted=False)
            else:
                self.totals["conflicts_rejected"] += 1
                self._reject(
                    candidate,
                    "conflict",
                    stored=_display(record.quantity),
                    stored_unit=record.unit,
                )
        self._insert(new)

    def _collapse(self, chunk: list[Candidate]) -> dict[RecordKey, Candidate]:
        """Keep one candidate per key: the later row wins, identical repeats are duplicates."""
        latest: dict[RecordKey, Candidate] = {}
        for candidate in chunk:
            earlier = latest.get(candidate.key)
            if earlier is not None:
                if self._same_amount(earlier.quantity, earlier.unit, candidate):
                    self.totals["duplicates_identical"] += 1
                    continue
                self.totals["conflicts_in_file"] += 1
                self._reject(
                    earlier,
                    "conflict_in_file",
                    later_row=candidate.row,
                    later=_display(candidate.quantity),
                    later_unit=candidate.unit,
                )
            latest[candidate.key] = candidate
        return latest

    def _stored_records(self, latest: Mapping[RecordKey, Candidate]) -> dict[RecordKey, ProductionRecord]:
        keys = list(latest)
        records = ProductionRecord.objects.filter(
            organization_unit_id__in={key.organization_unit_id for key in keys},
            product_id__in={key.product_id for key in keys},
            period_start__gte=min(key.period_start for key in keys),
            period_start__lte=max(key.period_start for key in keys),
        )
        stored: dict[RecordKey, ProductionRecord] = {}
        for record in records:
            key = RecordKey(
                record.organization_unit_id, record.product_id, record.period_start, record.period_end, record.reference
            )
            if key in latest:
                stored[key] = record
        return stored

    def _same_amount(self, quantity: Decimal, unit: str, candidate: Candidate) -> bool:
        """Tell whether a quantity equals the candidate's, converting when the units differ."""
        if unit.strip() == candidate.unit:
            return quantity == candidate.quantity
        canonical = self.canonical_units[candidate.key.product_id]
        try:
            first = quantity * Decimal(repr(conversion_factor(unit, canonical)))
            second = candidate.quantity * Decimal(repr(conversion_factor(candidate.unit, canonical)))
        except UnitError:
            return False
        return first.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP) == second.quantize(
            QUANTITY_PLACES, rounding=ROUND_HALF_UP
        )

    def _in_file_conflict_with_stored(self, record: ProductionRecord, candidate: Candidate) -> None:
        """Let a later row win over a record that an earlier chunk of this file stored."""
        self.totals["conflicts_in_file"] += 1
        self._reject(
            candidate,
            "conflict_in_file",
            "conflict_in_file_earlier_chunk",
            earlier=_display(record.quantity),
            earlier_unit=record.unit,
        )
        self._replace(
            record,
            candidate,
            gettext("Replaced by a later row of import batch #%(batch)s") % {"batch": self._batch_pk()},
        )

    def _replace(self, record: ProductionRecord, candidate: Candidate, reason: str) -> None:
        """Update a stored record through save(), so simple_history keeps the old and the new value."""
        record.quantity = candidate.quantity
        record.unit = candidate.unit
        record.batch = self.batch
        record.is_generated = self.settings.generated
        # simple_history reads these two attributes when it writes the history row. The
        # model does not declare them, so they are set with setattr.
        setattr(record, "_change_reason", reason)  # noqa: B010
        setattr(record, "_history_user", self.settings.user)  # noqa: B010
        record.save(update_fields=["quantity", "unit", "batch", "is_generated"])

    def _insert(self, candidates: list[Candidate]) -> None:
        if not candidates:
            return
        records = [
            ProductionRecord(
                site=self.site,
                organization_unit_id=candidate.key.organization_unit_id,
                product_id=candidate.key.product_id,
                period_start=candidate.key.period_start,
                period_end=candidate.key.period_end,
                quantity=candidate.quantity,
                unit=candidate.unit,
                reference=candidate.key.reference,
                is_generated=self.settings.generated,
                batch=self.batch,
            )
            for candidate in candidates
        ]
        bulk_create_with_history(
            records,
            ProductionRecord,
            batch_size=1000,
            default_user=self.settings.user,
            default_change_reason=gettext("Imported by batch #%(batch)s") % {"batch": self._batch_pk()},
        )
        self.totals["inserted"] += len(records)
        for candidate in candidates:
            self._pair(candidate.key).add(candidate.key, inserted=True)

    def _reject(self, candidate: Candidate, code: str, message: str | None = None, **params: object) -> None:
        """Write a problem of a valid row, found when comparing it with other records, to the rejections."""
        key = candidate.key
        issue = row_issue(
            candidate.row,
            self.quantity_column,
            _display(candidate.quantity),
            code,
            message,
            unit=candidate.unit,
            organisation_unit=self.unit_codes.get(key.organization_unit_id, ""),
            product=self.product_codes.get(key.product_id, ""),
            start=key.period_start.isoformat(),
            end=key.period_end.isoformat(),
            reference=key.reference,
            **params,
        )
        self.rejections.add(issue.row_number, issue.column, issue.value, issue.code, str(issue.message))

    def _pair(self, key: RecordKey) -> PairCounts:
        pair = (key.organization_unit_id, key.product_id)
        if pair not in self.pairs:
            self.pairs[pair] = PairCounts()
        return self.pairs[pair]

    def _batch_pk(self) -> int:
        assert self.batch is not None
        return self.batch.pk

    # -- end --------------------------------------------------------------------------------

    def _summary(self, already: list[tuple[int, datetime]]) -> dict[str, Any]:
        records = [
            {
                "organisation_unit": self.unit_codes[unit_id],
                "product": self.product_codes[product_id],
                "first": counts.first.isoformat() if counts.first else None,
                "last": counts.last.isoformat() if counts.last else None,
                "inserted": counts.inserted,
                "replaced": counts.replaced,
            }
            for (unit_id, product_id), counts in self.pairs.items()
        ]
        records.sort(key=lambda item: (str(item["organisation_unit"]), str(item["product"])))
        return {
            **self.totals,
            "rejected": self.rejections.count,
            "rejected_by_code": dict(self.rejections.by_code),
            "rejected_sample": self.rejections.sample,
            "records": records,
            "already_imported": [{"batch": pk, "created_at": created_at.isoformat()} for pk, created_at in already],
        }


def _display(quantity: Decimal) -> str:
    """Return a quantity without the trailing zeros of its four stored decimal places."""
    return format(quantity.normalize(), "f")


def _acting_user(user: AbstractBaseUser | None) -> User | None:
    user_model = get_user_model()
    if isinstance(user, user_model) and user.is_authenticated:
        return user
    return None


def import_production_file(
    *,
    site: Site,
    path: Path,
    dry_run: bool = True,
    replace_conflicts: bool = False,
    generated: bool = False,
    user: AbstractBaseUser | None = None,
    options: FileOptions | None = None,
    rejected_path: Path | None = None,
    columns: dict[str, str] | None = None,
    source_name: str = "",
) -> dict[str, Any]:
    """Import the production records of a CSV or XLSX file into ``site``; return the report.

    Raise ParseError for problems with the whole file: its type, encoding, delimiter,
    header (a required column missing, a column that is not a field and not mapped to
    "ignore"), or a number or date format that cannot be decided. A row with problems is
    rejected and the other rows continue. Every problem goes to the CSV at
    ``rejected_path`` (when given) with its row, column, value, code and reason.

    A record is identified by organisation unit, product, first day, last day and
    reference. The report counts every data row in exactly one of ``inserted``,
    ``duplicates_identical``, ``conflicts_rejected``, ``conflicts_replaced``,
    ``conflicts_in_file`` (rows whose value a later row of the file replaced) and
    ``rows_rejected``. ``rejected`` counts entries of the rejected CSV, so a row with two
    invalid cells adds two. Quantities are stored as written, in the unit written, rounded
    to the four decimal places of the database column.
    """
    logger.info("production import started: site=%s file=%s dry_run=%s", site.pk, path.name, dry_run)
    rejections = Rejections(rejected_path)
    import_settings = ImportSettings(
        site=site,
        path=Path(path),
        dry_run=dry_run,
        replace_conflicts=replace_conflicts,
        generated=generated,
        user=_acting_user(user),
        options=options or FileOptions(),
        columns=columns,
        source_name=source_name,
    )
    try:
        report = ProductionImporter(import_settings, rejections).run()
    finally:
        rejections.close()
    logger.info(
        "production import finished: site=%s file=%s inserted=%s rejected=%s dry_run=%s",
        site.pk,
        path.name,
        report["inserted"],
        report["rejected"],
        dry_run,
    )
    return report


__all__ = ["IGNORE", "ParseError", "import_production_file", "plan_columns"]
