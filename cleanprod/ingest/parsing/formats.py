"""Per-file decisions shared by the CSV and XLSX readers."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import TypeVar

from django.utils.translation import gettext_lazy as _

from .dates import ExcelDateSystem, TimestampEvidence, TimestampParser, decide_timestamp_format
from .layout import FileOptions
from .numbers import NumberEvidence, NumberParser, decide_number_format
from .problems import LazyMessage, RowIssue
from .report import ParseReport

T = TypeVar("T")


def needs_evidence(options: FileOptions) -> bool:
    """Tell whether a first pass over the file must gather format evidence."""
    return options.decimal_separator is None or options.thousands_separator is None or options.timestamp_format is None


def decide_formats(
    numbers: NumberEvidence,
    timestamps: TimestampEvidence,
    options: FileOptions,
    report: ParseReport,
    default_system: ExcelDateSystem = 1900,
) -> tuple[NumberParser, TimestampParser]:
    """Decide the number and timestamp formats, record them in the report, return their parsers."""
    number_format = decide_number_format(
        numbers,
        options.decimal_separator,
        options.thousands_separator,
        dotted_dates=timestamps.dotted > 0,
    )
    timestamp_format = decide_timestamp_format(
        timestamps,
        options.date_order,
        options.timestamp_format,
        options.excel_date_system,
        default_system,
    )
    report.decimal_separator = number_format.decimal_separator
    report.thousands_separator = number_format.thousands_separator
    report.date_order = timestamp_format.date_order
    report.timestamp_format = timestamp_format.strptime_format
    report.excel_date_system = timestamp_format.excel_date_system
    return (
        NumberParser(number_format),
        TimestampParser(timestamp_format, options.midnight_is_previous_day),
    )


def cells_getter(indexes: Sequence[int]) -> Callable[[Sequence[T]], Sequence[T]]:
    """Return a function that picks the cells at ``indexes`` from a row.

    Contiguous columns, the usual wide layout, are taken with one slice.
    """
    if not indexes:
        return lambda cells: ()
    start = indexes[0]
    if list(indexes) == list(range(start, start + len(indexes))):
        stop = start + len(indexes)
        return lambda cells: cells[start:stop]
    if len(indexes) == 1:
        return lambda cells: (cells[start],)
    getter: Callable[[Sequence[T]], Sequence[T]] = itemgetter(*indexes)
    return getter


def is_blank(cells: Sequence[object]) -> bool:
    """Tell whether a row has no content: no cells, or only empty cells and spaces."""
    return all(cell is None or (isinstance(cell, str) and not cell.strip()) for cell in cells)


def meter_code_issue(row_number: int, column: str, code: str) -> RowIssue:
    """Return the issue for an empty meter code, or one damaged by a wrong decoding."""
    if not code:
        template = _(
            "Row %(row)d, column “%(column)s”: the meter code is empty. Enter the code "
            "of the meter that took the reading."
        )
        problem = "missing_meter_code"
    else:
        template = _(
            "Row %(row)d, column “%(column)s”: the meter code “%(value)s” contains the "
            "replacement character “%(char)s”, so an earlier conversion damaged it. "
            "Export the file again from the source system."
        )
        problem = "invalid_meter_code"
    params = {"row": row_number, "column": column, "value": code, "char": "\ufffd"}
    return RowIssue(row_number, column, code, problem, LazyMessage(template, params))
