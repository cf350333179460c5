"""Parser results: the file report and one object per data row."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from django.utils.translation import gettext_lazy as _

from .problems import RowIssue

MIDNIGHT_PREVIOUS_DAY_SUSPECTED = "midnight_previous_day_suspected"

HINT_MESSAGES = {
    MIDNIGHT_PREVIOUS_DAY_SUSPECTED: _(
        "Timestamps jump back by about one day at 00:00 rows, as when an export "
        "labels the reading that closes a day with that day's date. If so, turn on "
        "“midnight is previous day” for this data source and import the file again."
    ),
}


@dataclass(slots=True)
class ParseReport:
    """Decisions taken for a file, and counters that grow while its rows are read.

    ``encoding`` and ``delimiter`` are None for XLSX files. ``date_order`` is None
    when no timestamp is text. ``excel_date_system`` is set when serial numbers
    are read as dates (always for XLSX, from the workbook unless declared).
    ``values_read`` counts the mapped value cells of data rows, including the
    missing and invalid ones but not those of rows with an ``extra_cells`` issue,
    which yield no values. ``short_rows`` counts rows with fewer cells than
    the mapping needs: their absent cells are read as missing values.
    """

    file_kind: Literal["csv", "xlsx"]
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    decimal_separator: str = "."
    thousands_separator: str | None = None
    date_order: str | None = None
    timestamp_format: str | None = None
    excel_date_system: int | None = None
    hints: list[str] = field(default_factory=list)
    unmapped_columns: list[str] = field(default_factory=list)
    unnamed_columns: list[int] = field(default_factory=list)
    rows_read: int = 0
    values_read: int = 0
    missing_values: int = 0
    invalid_values: int = 0
    rows_with_issues: int = 0
    blank_lines: int = 0
    short_rows: int = 0

    def as_dict(self) -> dict[str, object]:
        """Return the report as a dict of JSON-serialisable values."""
        return {name: _copy(getattr(self, name)) for name in self.__slots__}


def _copy(value: object) -> object:
    return list(value) if isinstance(value, list) else value


@dataclass(slots=True)
class ParsedRow:
    """One data row of the file.

    ``values`` contains (meter code, value, unit) for every mapped cell that is a
    number or a missing-value marker (value None). A cell that is invalid is left
    out of ``values`` and described in ``issues`` instead.
    """

    row_number: int
    timestamp: datetime | None
    values: list[tuple[str, float | None, str | None]]
    issues: list[RowIssue]


class MidnightTracker:
    """Detects exports that label the 00:00 reading closing a day with that day's date.

    In such a file the timestamps run ``07/11 23:45``, ``07/11 00:00``,
    ``08/11 00:15``: at the 00:00 row they jump back by almost one day. Each jump
    of 12 to 24 hours back onto a 00:00:00 timestamp is counted, and the first one
    adds the hint ``midnight_previous_day_suspected`` to the report.
    """

    def __init__(self, report: ParseReport) -> None:
        self.report = report
        self.jumps = 0
        self._previous: datetime | None = None

    def see(self, timestamp: datetime) -> None:
        previous = self._previous
        self._previous = timestamp
        if previous is None or (previous.tzinfo is None) != (timestamp.tzinfo is None):
            return
        if timestamp >= previous:
            return
        if timestamp.hour or timestamp.minute or timestamp.second or timestamp.microsecond:
            return
        if _HALF_DAY <= previous - timestamp <= _ONE_DAY:
            self.jumps += 1
            if self.jumps == 1:
                self.report.hints.append(MIDNIGHT_PREVIOUS_DAY_SUSPECTED)


_HALF_DAY = timedelta(hours=12)
_ONE_DAY = timedelta(days=1)
