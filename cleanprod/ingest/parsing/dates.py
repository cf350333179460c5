"""Timestamp format detection and conversion of timestamp cells.

The day/month order of a file is decided once from every timestamp in it. Naive
results stay naive: the pipeline localises them in the site's time zone with
``TimestampLocalizer``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .problems import InvalidValueError, ParseError

DateOrder = Literal["dmy", "mdy", "ymd"]
ExcelDateSystem = Literal[1900, 1904]

# Day, month and year in any order, separated by "/", "." or "-". An optional time
# of day follows, with optional seconds, fraction, AM/PM and UTC offset.
_TIMESTAMP = re.compile(
    r"(?P<first>[0-9]{1,4})(?P<separator>[-/.])(?P<second>[0-9]{1,2})(?P=separator)"
    r"(?P<third>[0-9]{1,4})"
    r"(?:(?:T|\s+)(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})"
    r"(?::(?P<seconds>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?"
    r"(?:\s*(?P<meridiem>[AaPp])\.?[Mm]\.?)?)?"
    r"\s*(?P<offset>Z|[+-][0-9]{2}(?::?[0-9]{2})?)?"
)
_TIME_OF_DAY = re.compile(
    r"(?P<hour>[0-9]{1,2}):(?P<minute>[0-9]{2})(?::(?P<seconds>[0-9]{2})(?:[.,](?P<fraction>[0-9]{1,9}))?)?"
)
_SERIAL = re.compile(r"[0-9]+(?:\.[0-9]+)?")

# Serial numbers of 1950-01-01 and 2100-12-31 in the 1900 date system. A column of
# plain numbers is taken as Excel dates only inside this range, so a counter or
# an epoch timestamp in seconds is never read as a date.
PLAUSIBLE_SERIALS = (18264.0, 73415.0)

# The 1900 system counts 1900-02-29, a day that does not exist, as serial 60, so
# serials from 61 on count from 1899-12-30 and serials below 60 from 1899-12-31.
# Excel dates carry no time zone, so the bases are naive.
_EXCEL_1900_BASE = datetime(1899, 12, 30)  # noqa: DTZ001
_EXCEL_1900_EARLY_BASE = datetime(1899, 12, 31)  # noqa: DTZ001
_EXCEL_1904_BASE = datetime(1904, 1, 1)  # noqa: DTZ001

_ONE_DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class TimestampExample:
    row_number: int
    column: str
    value: str


class TimestampEvidence:
    """Evidence about the timestamp format, gathered over a whole column.

    Each distinct text is classified once. The set of seen texts is cleared when
    it reaches ``max_seen`` entries, which bounds memory and only costs repeated
    classification in long files that are not sorted by time.
    """

    def __init__(self, max_seen: int = 100_000) -> None:
        self.recognized = 0
        self.year_first = 0
        self.dotted = 0
        self.slashed = 0
        self.serials = 0
        self.native = 0
        self.day_first: TimestampExample | None = None
        self.month_first: TimestampExample | None = None
        self.ambiguous: TimestampExample | None = None
        self.unrecognized: TimestampExample | None = None
        self.implausible_serial: TimestampExample | None = None
        self._seen: set[str] = set()
        self._max_seen = max_seen

    def add_text(self, row_number: int, column: str, text: str) -> None:
        if text in self._seen:
            return
        if len(self._seen) >= self._max_seen:
            self._seen.clear()
        self._seen.add(text)

        stripped = text.strip()
        if not stripped:
            return
        match = _TIMESTAMP.fullmatch(stripped)
        if match is None:
            self._add_other(row_number, column, stripped)
            return
        self.recognized += 1
        first = match["first"]
        if len(first) > 2:
            self.year_first += 1
            return
        if match["separator"] == ".":
            self.dotted += 1
            return
        self.slashed += 1
        day_or_month = int(first)
        month_or_day = int(match["second"])
        example = TimestampExample(row_number, column, text)
        if day_or_month > 31 or month_or_day > 31 or (day_or_month > 12 and month_or_day > 12):
            # Invalid in both orders: a row issue later, not evidence.
            return
        if day_or_month > 12:
            if self.day_first is None:
                self.day_first = example
        elif month_or_day > 12:
            if self.month_first is None:
                self.month_first = example
        elif day_or_month != month_or_day and self.ambiguous is None:
            self.ambiguous = example

    def add_native(self) -> None:
        """Count a spreadsheet cell that is already a date or a number."""
        self.native += 1

    def _add_other(self, row_number: int, column: str, text: str) -> None:
        example = TimestampExample(row_number, column, text)
        if _SERIAL.fullmatch(text):
            self.serials += 1
            low, high = PLAUSIBLE_SERIALS
            if not low <= float(text) <= high and self.implausible_serial is None:
                self.implausible_serial = example
        elif self.unrecognized is None:
            self.unrecognized = example


@dataclass(frozen=True, slots=True)
class TimestampFormat:
    """Reading rules for the timestamp cells of one file.

    ``date_order`` applies to dates whose first field has one or two digits and
    whose separator is "/" or "-". Dates with "." are always day first, and dates
    that start with a four-digit year are always year first. Text cells that are
    plain numbers are read as Excel serial dates only when ``excel_date_system`` is
    set. ``strptime_format``, when set, replaces the detection for text cells.
    """

    date_order: DateOrder | None = None
    excel_date_system: ExcelDateSystem | None = None
    strptime_format: str | None = None


def decide_timestamp_format(
    evidence: TimestampEvidence,
    declared_order: DateOrder | None = None,
    declared_format: str | None = None,
    declared_system: ExcelDateSystem | None = None,
    default_system: ExcelDateSystem = 1900,
) -> TimestampFormat:
    """Decide the timestamp format of a file. Declared settings win over evidence.

    ``default_system`` is the date system of a column of plain numbers when none
    is declared: the workbook's for XLSX, 1900 for CSV. Raise ParseError when the
    day/month order is contradicted or undecidable, or when no timestamp in the
    file has a known format.
    """
    if declared_format:
        return TimestampFormat(declared_order, declared_system, declared_format)

    serials_only = evidence.serials > 0 and evidence.recognized == 0
    system: ExcelDateSystem | None = declared_system
    if system is None and serials_only and evidence.implausible_serial is None:
        system = default_system

    nothing_recognized = evidence.recognized == 0 and evidence.native == 0 and system is None
    if nothing_recognized and (evidence.unrecognized or evidence.implausible_serial):
        example = evidence.unrecognized or evidence.implausible_serial
        assert example is not None
        raise ParseError(
            "unrecognized_timestamp_format",
            _(
                "Row %(row)d, column “%(column)s”: the timestamp “%(value)s” has no "
                "known format. Use dates such as 2024-03-01 14:30 or 01/03/2024 14:30, "
                "or declare the timestamp format for this data source."
            ),
            row=example.row_number,
            column=example.column,
            value=example.value,
        )

    order = declared_order or _decide_order(evidence)
    return TimestampFormat(order, system, None)


def _decide_order(evidence: TimestampEvidence) -> DateOrder | None:
    if evidence.day_first and evidence.month_first:
        raise ParseError(
            "inconsistent_date_order",
            _(
                "The timestamps mix two date orders: row %(day_row)d, column "
                "“%(day_column)s” has “%(day_value)s”, which can only be day/month/year, "
                "but row %(month_row)d, column “%(month_column)s” has “%(month_value)s”, "
                "which can only be month/day/year. Export the file with one date format "
                "and import it again."
            ),
            day_row=evidence.day_first.row_number,
            day_column=evidence.day_first.column,
            day_value=evidence.day_first.value,
            month_row=evidence.month_first.row_number,
            month_column=evidence.month_first.column,
            month_value=evidence.month_first.value,
        )
    if evidence.day_first:
        return "dmy"
    if evidence.month_first:
        return "mdy"
    if evidence.ambiguous:
        raise ParseError(
            "ambiguous_date_order",
            _(
                "The date order cannot be detected: row %(row)d, column “%(column)s” has "
                "“%(value)s”, and no date in the file has a day above 12 that shows "
                "whether the day or the month comes first. Declare the date order "
                "(day first or month first) for this data source."
            ),
            row=evidence.ambiguous.row_number,
            column=evidence.ambiguous.column,
            value=evidence.ambiguous.value,
        )
    if evidence.slashed or evidence.dotted:
        # Every slashed date has the same day and month, so the order changes no
        # result. Dotted dates are day first.
        return "dmy"
    if evidence.year_first:
        return "ymd"
    return None


def describe_timestamp_format(timestamp_format: TimestampFormat) -> str:
    """Return a short description of the format in the active language, for messages."""
    if timestamp_format.strptime_format:
        return timestamp_format.strptime_format
    if timestamp_format.date_order is None and timestamp_format.excel_date_system:
        return gettext("Excel serial numbers, %(system)s date system") % {"system": timestamp_format.excel_date_system}
    names = {
        "dmy": gettext("day/month/year"),
        "mdy": gettext("month/day/year"),
        "ymd": gettext("year-month-day"),
    }
    return names.get(timestamp_format.date_order or "ymd", names["ymd"])


def excel_serial_to_datetime(serial: float, system: ExcelDateSystem) -> datetime:
    """Convert an Excel serial date to a naive datetime, rounded to the second.

    Raise InvalidValueError for serial 60 in the 1900 system (1900-02-29, which
    does not exist), for negative serials and for serials below 1 in the 1900
    system, which are times of day without a date.
    """
    if not math.isfinite(serial) or serial < 0 or (system == 1900 and serial < 1):
        raise InvalidValueError(
            "invalid_excel_date",
            _(
                "Row %(row)d, column “%(column)s”: %(value)s is not an Excel date "
                "serial number. Format the cell as a date and time in Excel, or enter "
                "the timestamp as text such as 2024-03-01 14:30."
            ),
        )
    day = math.floor(serial)
    if system == 1904:
        base = _EXCEL_1904_BASE
    elif day == 60:
        raise InvalidValueError(
            "nonexistent_excel_date",
            _(
                "Row %(row)d, column “%(column)s”: Excel serial number %(value)s stands "
                "for 29 February 1900, a date that does not exist. Enter the correct "
                "date."
            ),
        )
    elif day > 60:
        base = _EXCEL_1900_BASE
    else:
        base = _EXCEL_1900_EARLY_BASE
    return base + timedelta(seconds=round(serial * 86400))


def _invalid_timestamp(description: str) -> InvalidValueError:
    return InvalidValueError(
        "invalid_timestamp",
        _(
            "Row %(row)d, column “%(column)s”: “%(value)s” is not a valid date and time "
            "in this file's format (%(format)s). Correct the value, or declare the "
            "timestamp format for this data source."
        ),
        format=description,
    )


def missing_timestamp_error() -> InvalidValueError:
    return InvalidValueError(
        "missing_timestamp",
        _(
            "Row %(row)d, column “%(column)s”: the timestamp is empty. Enter the date "
            "and time of the reading, or delete the row."
        ),
    )


class TimestampParser:
    """Converts timestamp cells to datetimes in one decided format.

    Results of text cells are cached by text because long-format files repeat
    each timestamp once per meter. The cache is cleared when it reaches
    ``max_cached`` entries, so memory stays bounded.
    """

    def __init__(
        self,
        timestamp_format: TimestampFormat,
        midnight_is_previous_day: bool = False,
        max_cached: int = 200_000,
    ) -> None:
        self.timestamp_format = timestamp_format
        self.midnight_is_previous_day = midnight_is_previous_day
        self._description = describe_timestamp_format(timestamp_format)
        self._cache: dict[str, datetime | InvalidValueError] = {}
        self._max_cached = max_cached

    def parse_text(self, text: str) -> datetime | InvalidValueError:
        """Return the datetime of a text cell, or the error that explains why not."""
        result = self._cache.get(text)
        if result is None:
            if len(self._cache) >= self._max_cached:
                self._cache.clear()
            try:
                result = self._parse_text(text, self.midnight_is_previous_day)
            except InvalidValueError as error:
                result = error
            self._cache[text] = result
        return result

    def parse_text_pair(self, date_text: str, time_text: str) -> datetime | InvalidValueError:
        """Return the datetime of a date and a time given as text in two columns.

        Both parts are required, so a row whose time is empty is not read as 00:00.
        """
        date_text = date_text.strip()
        time_text = time_text.strip()
        if date_text and time_text:
            return self.parse_text(date_text + " " + time_text)
        if not date_text and not time_text:
            return missing_timestamp_error()
        return _invalid_timestamp(self._description)

    def parse_serial(self, serial: float, system: ExcelDateSystem) -> datetime:
        return self._shift_midnight(excel_serial_to_datetime(serial, system))

    def parse_cell(self, cell: object, system: ExcelDateSystem) -> datetime | InvalidValueError:
        """Return the datetime of a spreadsheet cell of any type."""
        if cell is None:
            return missing_timestamp_error()
        if isinstance(cell, str):
            return self.parse_text(cell)
        try:
            if isinstance(cell, datetime):
                return self._shift_midnight(cell)
            if isinstance(cell, date):
                return datetime.combine(cell, time())
            if isinstance(cell, (int, float)) and not isinstance(cell, bool):
                return self.parse_serial(float(cell), system)
        except InvalidValueError as error:
            return error
        return _invalid_timestamp(self._description)

    def parse_date_and_time_cells(
        self, date_cell: object, time_cell: object, system: ExcelDateSystem
    ) -> datetime | InvalidValueError:
        """Return the datetime of a date cell and a time cell from two columns."""
        if date_cell is None and time_cell is None:
            return missing_timestamp_error()
        if isinstance(date_cell, str) and isinstance(time_cell, str):
            return self.parse_text_pair(date_cell, time_cell)
        if date_cell is None or time_cell is None:
            return _invalid_timestamp(self._description)
        try:
            day = self._date_of_cell(date_cell, system)
            time_of_day = self._time_of_cell(time_cell)
        except InvalidValueError as error:
            return error
        return self._shift_midnight(day + time_of_day)

    def _date_of_cell(self, cell: object, system: ExcelDateSystem) -> datetime:
        if isinstance(cell, datetime):
            return datetime.combine(cell.date(), time())
        if isinstance(cell, date):
            return datetime.combine(cell, time())
        if isinstance(cell, (int, float)) and not isinstance(cell, bool):
            return datetime.combine(excel_serial_to_datetime(float(cell), system).date(), time())
        if isinstance(cell, str):
            parsed = self._parse_text(cell, apply_midnight_rule=False)
            return datetime.combine(parsed.date(), time())
        raise _invalid_timestamp(self._description)

    def _time_of_cell(self, cell: object) -> timedelta:
        if isinstance(cell, time):
            return timedelta(
                hours=cell.hour,
                minutes=cell.minute,
                seconds=cell.second,
                microseconds=cell.microsecond,
            )
        if isinstance(cell, datetime):
            return cell - datetime.combine(cell.date(), time())
        if isinstance(cell, timedelta) and timedelta(0) <= cell < _ONE_DAY:
            return cell
        if isinstance(cell, (int, float)) and not isinstance(cell, bool) and 0 <= cell < 1:
            return timedelta(seconds=round(cell * 86400))
        if isinstance(cell, str):
            match = _TIME_OF_DAY.fullmatch(cell.strip())
            if match is not None:
                hour, minute = int(match["hour"]), int(match["minute"])
                seconds = int(match["seconds"] or 0)
                if hour < 24 and minute < 60 and seconds < 60:
                    return timedelta(hours=hour, minutes=minute, seconds=seconds)
        raise _invalid_timestamp(self._description)

    def _shift_midnight(self, value: datetime) -> datetime:
        if self.midnight_is_previous_day and value.time() == time():
            return value + _ONE_DAY
        return value

    def _parse_text(self, text: str, apply_midnight_rule: bool) -> datetime:
        stripped = text.strip()
        if not stripped:
            raise missing_timestamp_error()
        strptime_format = self.timestamp_format.strptime_format
        if strptime_format:
            try:
                # Naive unless the format has %z: the pipeline localises naive results.
                value = datetime.strptime(stripped, strptime_format)  # noqa: DTZ007
            except ValueError:
                raise _invalid_timestamp(self._description) from None
            if apply_midnight_rule and ("%H" in strptime_format or "%I" in strptime_format):
                return self._shift_midnight(value)
            return value

        match = _TIMESTAMP.fullmatch(stripped)
        if match is None:
            system = self.timestamp_format.excel_date_system
            if system is not None and _SERIAL.fullmatch(stripped):
                value = excel_serial_to_datetime(float(stripped), system)
                return self._shift_midnight(value) if apply_midnight_rule else value
            raise _invalid_timestamp(self._description)
        try:
            value, written_midnight = _datetime_of_match(match, self.timestamp_format.date_order)
        except ValueError:
            raise _invalid_timestamp(self._description) from None
        if apply_midnight_rule and written_midnight and self.midnight_is_previous_day:
            return value + _ONE_DAY
        return value


def _datetime_of_match(match: re.Match[str], order: DateOrder | None) -> tuple[datetime, bool]:
    """Build the datetime of a ``_TIMESTAMP`` match.

    Return it with a flag that is true when the text wrote a time of 00:00:00,
    which the midnight-is-previous-day rule moves to the next day. A written
    24:00 already means the end of the day and is not moved again.
    """
    first, second, third = match["first"], match["second"], match["third"]
    if len(first) == 4:
        year, month, day = int(first), int(second), int(third)
        if len(third) > 2:
            raise ValueError(third)
    elif order == "ymd":
        year, month, day = _expand_year(first), int(second), int(third)
        if len(third) > 2:
            raise ValueError(third)
    else:
        if len(third) not in (2, 4) or len(first) > 2:
            raise ValueError(third)
        year = _expand_year(third)
        if match["separator"] == "." or order != "mdy":
            day, month = int(first), int(second)
        else:
            month, day = int(first), int(second)

    if match["hour"] is None:
        return datetime(year, month, day, tzinfo=_offset_zone(match["offset"])), False

    hour, minute = int(match["hour"]), int(match["minute"])
    seconds = int(match["seconds"] or 0)
    fraction = match["fraction"] or ""
    microsecond = int(fraction[:6].ljust(6, "0")) if fraction else 0
    meridiem = match["meridiem"]
    if meridiem is not None:
        if not 1 <= hour <= 12:
            raise ValueError(hour)
        hour = hour % 12 + (12 if meridiem in "Pp" else 0)

    end_of_day = hour == 24 and minute == 0 and seconds == 0 and microsecond == 0
    value = datetime(
        year,
        month,
        day,
        0 if end_of_day else hour,
        minute,
        seconds,
        microsecond,
        tzinfo=_offset_zone(match["offset"]),
    )
    if end_of_day:
        return value + _ONE_DAY, False
    written_midnight = hour == 0 and minute == 0 and seconds == 0 and microsecond == 0
    return value, written_midnight


def _expand_year(text: str) -> int:
    """Return a four-digit year. Two-digit years follow POSIX strptime: 69-99 are 19xx."""
    year = int(text)
    if len(text) <= 2:
        return year + (1900 if year >= 69 else 2000)
    return year


def _offset_zone(offset: str | None) -> timezone | None:
    if offset is None:
        return None
    if offset == "Z":
        return UTC
    sign = -1 if offset[0] == "-" else 1
    digits = offset[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:] or 0)
    if hours > 23 or minutes > 59:
        raise ValueError(offset)
    return timezone(sign * timedelta(hours=hours, minutes=minutes))
