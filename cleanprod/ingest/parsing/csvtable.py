"""Parsing of delimited text files (CSV, TSV, TXT) into ParsedRow objects.

The file is read three times in full, each time streaming. The encoding check
decodes all bytes, a first CSV pass gathers the number and timestamp evidence,
and a second CSV pass yields the rows. No pass keeps rows in memory. The first
pass is skipped when the data source declares both separators and the timestamp
format.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .csvfile import check_delimiter, read_records, read_sample, sniff_delimiter
from .dates import TimestampEvidence, TimestampParser
from .encoding import detect_encoding
from .formats import cells_getter, decide_formats, is_blank, meter_code_issue, needs_evidence
from .layout import ColumnPlan, FileOptions, Layout, clean_header, plan_columns
from .numbers import NumberEvidence, NumberParser
from .problems import InvalidValueError, LazyMessage, ParseError, RowIssue
from .report import MidnightTracker, ParsedRow, ParseReport

TimestampReader = Callable[[Sequence[str]], tuple[str, datetime | InvalidValueError]]


def open_csv(path: Path, layout: Layout, options: FileOptions) -> tuple[ParseReport, Iterator[ParsedRow]]:
    """Decide the formats of a text file and return its report and a row iterator.

    Raise ParseError for problems with the whole file.
    """
    encoding = detect_encoding(path, options.encoding)
    if options.delimiter is not None:
        check_delimiter(options.delimiter)
        delimiter = options.delimiter
    else:
        sample, complete = read_sample(path, encoding.codec)
        delimiter = sniff_delimiter(sample, options.header_row, complete)

    headers = _read_header(path, encoding.codec, delimiter, options.header_row)
    plan = plan_columns(headers, layout)
    report = ParseReport(
        "csv",
        headers,
        encoding=encoding.label,
        delimiter=delimiter,
        unmapped_columns=list(plan.unmapped_columns),
        unnamed_columns=list(plan.unnamed_columns),
    )

    numbers = NumberEvidence()
    timestamps = TimestampEvidence()
    if needs_evidence(options):
        _gather_evidence(path, encoding.codec, delimiter, plan, options.header_row, numbers, timestamps)
    number_parser, timestamp_parser = decide_formats(numbers, timestamps, options, report)

    rows = _iter_rows(
        path,
        encoding.codec,
        delimiter,
        plan,
        len(headers),
        options,
        report,
        number_parser,
        timestamp_parser,
    )
    return report, rows


def _read_header(path: Path, codec: str, delimiter: str, header_row: int) -> list[str]:
    records = read_records(path, codec, delimiter)
    try:
        for row_number, cells in records:
            if row_number < header_row:
                continue
            if is_blank(cells):
                break
            headers = [clean_header(cell) for cell in cells]
            corrupted = [header for header in headers if "\ufffd" in header]
            if corrupted:
                raise ParseError(
                    "corrupted_header",
                    _(
                        "The header “%(header)s” contains the replacement character “%(char)s”, "
                        "so an earlier conversion damaged the file. Export the file again "
                        "from the source system."
                    ),
                    header=corrupted[0],
                    # A placeholder, because xgettext would extract an escaped character literally.
                    char="\ufffd",
                )
            return headers
    finally:
        records.close()
    raise ParseError(
        "missing_header",
        _(
            "Row %(row)d, the header row of this data source, is missing or empty. Check "
            "the header row number, or add a header row with the column names."
        ),
        row=header_row,
    )


def _timestamp_reader(plan: ColumnPlan, parser: TimestampParser) -> TimestampReader:
    if len(plan.timestamp_indexes) == 1:
        (index,) = plan.timestamp_indexes
        parse_text = parser.parse_text

        def read_one(cells: Sequence[str]) -> tuple[str, datetime | InvalidValueError]:
            text = cells[index]
            return text, parse_text(text)

        return read_one

    date_index, time_index = plan.timestamp_indexes
    parse_pair = parser.parse_text_pair

    def read_two(cells: Sequence[str]) -> tuple[str, datetime | InvalidValueError]:
        date_text, time_text = cells[date_index], cells[time_index]
        return f"{date_text} {time_text}", parse_pair(date_text, time_text)

    return read_two


def _gather_evidence(
    path: Path,
    codec: str,
    delimiter: str,
    plan: ColumnPlan,
    header_row: int,
    numbers: NumberEvidence,
    timestamps: TimestampEvidence,
) -> None:
    width = plan.width
    label = plan.timestamp_label
    indexes = plan.timestamp_indexes
    if plan.kind == "wide":
        value_getter = cells_getter(plan.value_indexes)
        value_headers: Sequence[str] = plan.value_headers
    else:
        value_getter = cells_getter((plan.value_index,))
        value_headers = (plan.value_header,)

    for row_number, cells in read_records(path, codec, delimiter):
        if row_number <= header_row:
            continue
        if len(cells) < width:
            if is_blank(cells):
                continue
            cells = cells + [""] * (width - len(cells))
        texts = [cells[index].strip() for index in indexes]
        timestamps.add_text(row_number, label, " ".join(texts))
        numbers.add_row(row_number, value_headers, value_getter(cells))


def _iter_rows(
    path: Path,
    codec: str,
    delimiter: str,
    plan: ColumnPlan,
    header_width: int,
    options: FileOptions,
    report: ParseReport,
    number_parser: NumberParser,
    timestamp_parser: TimestampParser,
) -> Iterator[ParsedRow]:
    read_timestamp = _timestamp_reader(plan, timestamp_parser)
    tracker = None if options.midnight_is_previous_day else MidnightTracker(report)
    build_values = _wide_values(plan, number_parser) if plan.kind == "wide" else _long_values(plan, number_parser)
    label = plan.timestamp_label
    width = plan.width
    header_row = options.header_row

    for row_number, cells in read_records(path, codec, delimiter):
        if row_number <= header_row:
            continue
        issues: list[RowIssue] = []
        extra = False
        if len(cells) != header_width:
            if is_blank(cells):
                report.blank_lines += 1
                continue
            if len(cells) < width:
                report.short_rows += 1
                cells = cells + [""] * (width - len(cells))
            elif len(cells) > header_width and not is_blank(cells[header_width:]):
                issues.append(_extra_cells_issue(row_number, len(cells), header_width, cells[header_width:]))
                extra = True

        text, timestamp = read_timestamp(cells)
        if isinstance(timestamp, InvalidValueError):
            if timestamp.code == "missing_timestamp" and is_blank(cells):
                report.blank_lines += 1
                continue
            issues.append(timestamp.to_issue(row_number, label, text))
            timestamp_value: datetime | None = None
        else:
            timestamp_value = timestamp
            if tracker is not None:
                tracker.see(timestamp)

        if extra:
            values: list[tuple[str, float | None, str | None]] = []
        else:
            values = build_values(row_number, cells, issues, report)
        report.rows_read += 1
        if issues:
            report.rows_with_issues += 1
        yield ParsedRow(row_number, timestamp_value, values, issues)


ValuesBuilder = Callable[[int, Sequence[str], list[RowIssue], ParseReport], list[tuple[str, float | None, str | None]]]


def _wide_values(plan: ColumnPlan, number_parser: NumberParser) -> ValuesBuilder:
    getter = cells_getter(plan.value_indexes)
    codes = plan.meter_codes
    headers = plan.value_headers
    count = len(codes)
    no_units: list[str | None] = [None] * count
    fast_row = number_parser.fast_row
    parse = number_parser.parse
    isfinite = math.isfinite

    def build(
        row_number: int, cells: Sequence[str], issues: list[RowIssue], report: ParseReport
    ) -> list[tuple[str, float | None, str | None]]:
        value_cells = getter(cells)
        report.values_read += count
        try:
            numbers = fast_row(value_cells)
            # NaN and infinity pass float() but not this check, and go to the
            # cell-by-cell path, which reads "nan" as missing and rejects infinity.
            if isfinite(sum(numbers)):
                # One number per code by construction, so strict checking is skipped.
                return list(zip(codes, numbers, no_units, strict=False))
        except ValueError:
            pass
        values: list[tuple[str, float | None, str | None]] = []
        for code, header, cell in zip(codes, headers, value_cells, strict=True):
            try:
                number = parse(cell)
            except InvalidValueError as error:
                issues.append(error.to_issue(row_number, header, cell))
                report.invalid_values += 1
                continue
            if number is None:
                report.missing_values += 1
            values.append((code, number, None))
        return values

    return build


def _long_values(plan: ColumnPlan, number_parser: NumberParser) -> ValuesBuilder:
    meter_index = plan.meter_index
    value_index = plan.value_index
    unit_index = plan.unit_index
    meter_header = plan.meter_header
    value_header = plan.value_header
    fast_cell = number_parser.fast_cell
    parse = number_parser.parse
    isfinite = math.isfinite

    def build(
        row_number: int, cells: Sequence[str], issues: list[RowIssue], report: ParseReport
    ) -> list[tuple[str, float | None, str | None]]:
        code = cells[meter_index].strip()
        cell = cells[value_index]
        unit = cells[unit_index].strip() or None if unit_index is not None else None
        report.values_read += 1
        if not code or "\ufffd" in code:
            issues.append(meter_code_issue(row_number, meter_header, code))
            report.invalid_values += 1
            return []
        number: float | None
        try:
            number = fast_cell(cell)
            if not isfinite(number):
                raise ValueError(cell)
        except ValueError:
            try:
                number = parse(cell)
            except InvalidValueError as error:
                issues.append(error.to_issue(row_number, value_header, cell))
                report.invalid_values += 1
                return []
            if number is None:
                report.missing_values += 1
        return [(code, number, unit)]

    return build


def _extra_cells_issue(row_number: int, cell_count: int, header_width: int, extra: Sequence[str]) -> RowIssue:
    value = ", ".join(cell for cell in extra if cell.strip())
    params = {"row": row_number, "count": cell_count, "header_count": header_width, "value": value}
    template = _(
        "Row %(row)d has %(count)d cells but the header has %(header_count)d columns, "
        "and the extra cells contain “%(value)s”, so the cells of this row may be "
        "shifted. A decimal comma in a comma-delimited file causes this: quote such "
        "values, or export the file with a semicolon as delimiter."
    )
    return RowIssue(row_number, "", value, "extra_cells", LazyMessage(template, params))
