"""Column mappings (layouts) and per-source file options, and their checks against a header."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

from django.utils.translation import gettext_lazy as _

from .dates import DateOrder, ExcelDateSystem
from .problems import ParseError


@dataclass(frozen=True)
class LongLayout:
    """One value per row: timestamp, meter code, value and an optional unit."""

    timestamp_columns: tuple[str, ...]
    meter_column: str
    value_column: str
    unit_column: str | None = None


@dataclass(frozen=True)
class WideLayout:
    """One row per timestamp and one column per meter.

    ``meter_columns`` maps a header to a meter code. When it is None, every column
    that is neither a timestamp column nor ignored is a meter whose code is the
    header.
    """

    timestamp_columns: tuple[str, ...]
    meter_columns: dict[str, str] | None = None
    ignore_columns: tuple[str, ...] = ()


@dataclass(frozen=True)
class FileOptions:
    """Settings that a data source declares. A declared setting wins over detection.

    ``thousands_separator=""`` declares that the file has no thousands separator.
    ``timestamp_format`` is a ``datetime.strptime`` format. ``header_row`` is the
    1-based row of the header, as a spreadsheet shows it.
    """

    encoding: str | None = None
    delimiter: str | None = None
    decimal_separator: str | None = None
    thousands_separator: str | None = None
    date_order: DateOrder | None = None
    timestamp_format: str | None = None
    excel_date_system: ExcelDateSystem | None = None
    sheet: str | None = None
    header_row: int = 1
    midnight_is_previous_day: bool = False


Layout = LongLayout | WideLayout


@dataclass(frozen=True, slots=True)
class ColumnPlan:
    """Positions (0-based) of the mapped columns in one file's header."""

    kind: Literal["long", "wide"]
    timestamp_indexes: tuple[int, ...]
    timestamp_label: str
    # Wide layout: the value columns, their headers and their meter codes.
    value_indexes: tuple[int, ...] = ()
    value_headers: tuple[str, ...] = ()
    meter_codes: tuple[str, ...] = ()
    # Long layout.
    meter_index: int = -1
    value_index: int = -1
    unit_index: int | None = None
    meter_header: str = ""
    value_header: str = ""
    unmapped_columns: tuple[str, ...] = ()
    unnamed_columns: tuple[int, ...] = ()

    @property
    def width(self) -> int:
        """Return the number of cells a row needs to contain every mapped column."""
        indexes = [*self.timestamp_indexes, *self.value_indexes, self.meter_index, self.value_index]
        if self.unit_index is not None:
            indexes.append(self.unit_index)
        return max(indexes) + 1


def clean_header(cell: str) -> str:
    """Strip whitespace and a byte order mark that a decoder left on a header."""
    return cell.strip().lstrip("\ufeff").strip()


def plan_columns(headers: Sequence[str], layout: Layout) -> ColumnPlan:
    """Find the layout's columns in ``headers``.

    Raise ParseError when a mapped column is missing or a mapped header occurs
    twice. A wide layout's extra columns go to ``unmapped_columns``, so the
    pipeline can reject the file or ask the user, instead of dropping them.
    """
    if not layout.timestamp_columns or len(layout.timestamp_columns) > 2:
        raise ParseError(
            "invalid_layout",
            _(
                "The column mapping names %(count)d timestamp columns. Map one column "
                "with the date and time, or two columns: the date and the time."
            ),
            count=len(layout.timestamp_columns),
        )
    positions = _positions(headers)
    timestamp_indexes = tuple(_index_of(name, positions, headers) for name in layout.timestamp_columns)
    timestamp_label = " + ".join(layout.timestamp_columns)

    if isinstance(layout, LongLayout):
        meter_index = _index_of(layout.meter_column, positions, headers)
        value_index = _index_of(layout.value_column, positions, headers)
        unit_index = None
        if layout.unit_column is not None:
            unit_index = _index_of(layout.unit_column, positions, headers)
        return ColumnPlan(
            "long",
            timestamp_indexes,
            timestamp_label,
            meter_index=meter_index,
            value_index=value_index,
            unit_index=unit_index,
            meter_header=headers[meter_index],
            value_header=headers[value_index],
        )
    return _plan_wide(headers, layout, positions, timestamp_indexes, timestamp_label)


def _plan_wide(
    headers: Sequence[str],
    layout: WideLayout,
    positions: dict[str, list[int]],
    timestamp_indexes: tuple[int, ...],
    timestamp_label: str,
) -> ColumnPlan:
    for name in layout.ignore_columns:
        _index_of(name, positions, headers)
    ignored = set(layout.ignore_columns)
    used = set(timestamp_indexes)

    if layout.meter_columns is not None:
        value_headers = tuple(layout.meter_columns)
        value_indexes = tuple(_index_of(name, positions, headers) for name in value_headers)
        meter_codes = tuple(layout.meter_columns[name] for name in value_headers)
        used.update(value_indexes)
        duplicates = sorted({code for code in meter_codes if meter_codes.count(code) > 1})
        if duplicates:
            raise ParseError(
                "duplicate_meter_code",
                _(
                    "The column mapping assigns the meter code “%(meter_code)s” to more than "
                    "one column, so their values would overwrite each other. Give each "
                    "column its own meter code."
                ),
                meter_code=duplicates[0],
            )
    else:
        free = [index for index, name in enumerate(headers) if index not in used and name and name not in ignored]
        value_indexes = tuple(free)
        value_headers = tuple(headers[index] for index in free)
        for name in value_headers:
            _index_of(name, positions, headers)
        meter_codes = value_headers
        used.update(value_indexes)

    unmapped = tuple(name for index, name in enumerate(headers) if index not in used and name and name not in ignored)
    unnamed = tuple(index + 1 for index, name in enumerate(headers) if not name and index not in used)
    return ColumnPlan(
        "wide",
        timestamp_indexes,
        timestamp_label,
        value_indexes=value_indexes,
        value_headers=value_headers,
        meter_codes=meter_codes,
        unmapped_columns=unmapped,
        unnamed_columns=unnamed,
    )


def _positions(headers: Sequence[str]) -> dict[str, list[int]]:
    positions: dict[str, list[int]] = {}
    for index, name in enumerate(headers):
        positions.setdefault(name, []).append(index)
    return positions


def _index_of(name: str, positions: dict[str, list[int]], headers: Sequence[str]) -> int:
    found = positions.get(name.strip())
    if not found:
        raise ParseError(
            "missing_column",
            _(
                "The column “%(column)s” of the column mapping is not in the file's "
                "header. The header contains: %(headers)s. Correct the column mapping "
                "of this data source, or check that the right file and header row were "
                "chosen."
            ),
            column=name,
            headers=", ".join(f"“{header}”" for header in headers if header),
        )
    if len(found) > 1:
        raise ParseError(
            "duplicate_column",
            _(
                "The column “%(column)s” occurs %(count)d times in the file's header "
                "(columns %(positions)s), so its values cannot be told apart. Rename "
                "the columns so each header is unique."
            ),
            column=name,
            count=len(found),
            positions=", ".join(str(index + 1) for index in found),
        )
    return found[0]
