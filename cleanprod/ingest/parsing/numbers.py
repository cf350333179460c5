"""Number format detection and conversion of value cells.

The decimal and thousands separators are decided once per file from every value
cell, never per value, because ``1,234`` is 1.234 in a decimal-comma file and 1234
in a decimal-point file.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .problems import InvalidValueError, ParseError

# Compared after str.casefold(), so "NAN", "Null" and "n/a" are missing values too.
MISSING_TOKENS = frozenset(
    token.casefold()
    for token in (
        "",
        "?",
        "NA",
        "N/A",
        "nan",
        "null",
        "-",
        "--",
        # Excel error values, including the ones Excel 365 added.
        "#N/A",
        "#DIV/0!",
        "#VALUE!",
        "#REF!",
        "#NAME?",
        "#NUM!",
        "#NULL!",
        "#GETTING_DATA",
        "#SPILL!",
        "#CALC!",
        "#FIELD!",
        "#BLOCKED!",
        "#CONNECT!",
        "#BUSY!",
        "#UNKNOWN!",
    )
)

# Space characters that French, Russian and Chinese locales use to group thousands.
SPACE_SEPARATORS = " \u00a0\u202f"

# Joins the value cells of a row so one C-level string search covers the whole row.
# Cells never contain this control character in practice. A cell that does makes
# the joined fast path fail and fall back to cell-by-cell parsing.
CELL_JOINER = "\x1f"

_NUMERIC_SHAPE = re.compile(r"[+-]?[0-9.,\u00a0\u202f ]*[0-9][0-9.,\u00a0\u202f ]*(?:[eE][+-]?[0-9]+)?")
_SPACE_GROUPING = re.compile(r"[0-9][ \u00a0\u202f][0-9]")


def is_missing_token(text: str) -> bool:
    return text.strip().casefold() in MISSING_TOKENS


@dataclass(frozen=True, slots=True)
class NumberExample:
    """A cell that decided (or failed to decide) the number format."""

    row_number: int
    column: str
    value: str


class NumberEvidence:
    """Evidence about the decimal and thousands separators, gathered over a file.

    Only text cells are added. Each kind of evidence keeps its first example so an
    error can show the user the cell it came from.
    """

    def __init__(self) -> None:
        self.decimal_point: NumberExample | None = None
        self.decimal_comma: NumberExample | None = None
        self.grouping_point: NumberExample | None = None
        self.grouping_comma: NumberExample | None = None
        self.ambiguous_point: NumberExample | None = None
        self.ambiguous_comma: NumberExample | None = None
        self.grouping_space: NumberExample | None = None

    def add_row(self, row_number: int, columns: Sequence[str], cells: Sequence[str]) -> None:
        """Add the value cells of one row, aligned with their column names.

        Each row is first checked with substring searches over the joined row, so
        only rows that can add evidence are classified cell by cell.
        """
        joined = CELL_JOINER.join(cells)
        has_point = "." in joined
        has_comma = "," in joined
        has_space = (" " in joined or "\u00a0" in joined or "\u202f" in joined) and _SPACE_GROUPING.search(
            joined
        ) is not None
        if has_space or (has_point and has_comma):
            self._add_cells(row_number, columns, cells)
        elif has_point:
            self._add_one_separator_row(row_number, columns, cells, joined, _POINT)
        elif has_comma:
            self._add_one_separator_row(row_number, columns, cells, joined, _COMMA)

    def _add_one_separator_row(
        self,
        row_number: int,
        columns: Sequence[str],
        cells: Sequence[str],
        joined: str,
        separator: _SeparatorPatterns,
    ) -> None:
        proven = getattr(self, separator.decimal) is not None
        ambiguous_seen = getattr(self, separator.ambiguous) is not None
        bounded = CELL_JOINER + joined + CELL_JOINER
        shape = bounded.translate(_SHAPE_TABLE)
        if separator.grouped not in shape:
            if proven:
                return
            if ambiguous_seen:
                # Only a cell that proves the decimal separator adds anything.
                index = _find_proof_cell(bounded, shape, separator)
                if index is None:
                    return
                self.add_cell(row_number, columns[index], cells[index])
                if getattr(self, separator.decimal) is not None:
                    return
        self._add_cells(row_number, columns, cells)

    def _add_cells(self, row_number: int, columns: Sequence[str], cells: Sequence[str]) -> None:
        for index, cell in enumerate(cells):
            if "." in cell or "," in cell or _SPACE_GROUPING.search(cell):
                self.add_cell(row_number, columns[index], cell)

    def add_cell(self, row_number: int, column: str, cell: str) -> None:
        text = cell.strip()
        if _NUMERIC_SHAPE.fullmatch(text) is None:
            return
        example = NumberExample(row_number, column, cell)
        mantissa = text.lstrip("+-")
        exponent_at = max(mantissa.find("e"), mantissa.find("E"))
        has_exponent = exponent_at >= 0
        if has_exponent:
            mantissa = mantissa[:exponent_at]
        if _SPACE_GROUPING.search(mantissa) and self.grouping_space is None:
            self.grouping_space = example

        points = mantissa.count(".")
        commas = mantissa.count(",")
        if (points > 1 or commas > 1 or (points and commas)) and not _is_grouped(mantissa):
            # Malformed, such as "1.2.3". The cell becomes an invalid_number issue
            # and must not decide the format of the whole file.
            return
        if points and commas:
            # The separator that comes last is the decimal one: 1.234,56 or 1,234.56.
            if mantissa.rfind(",") > mantissa.rfind("."):
                self._record("decimal_comma", example)
                self._record("grouping_point", example)
            else:
                self._record("decimal_point", example)
                self._record("grouping_comma", example)
        elif points > 1:
            self._record("grouping_point", example)
            self._record("decimal_comma", example)
        elif commas > 1:
            self._record("grouping_comma", example)
            self._record("decimal_point", example)
        elif points == 1:
            self._classify_single(mantissa, ".", has_exponent, example)
        elif commas == 1:
            self._classify_single(mantissa, ",", has_exponent, example)

    def _classify_single(self, mantissa: str, separator: str, has_exponent: bool, example: NumberExample) -> None:
        integer_part, _separator, fraction = mantissa.partition(separator)
        integer_digits = integer_part.translate(_REMOVE_SPACES)
        name = "point" if separator == "." else "comma"
        # A thousands separator follows 1 to 3 digits without a leading zero and
        # precedes exactly 3 digits. Anything else makes it the decimal separator.
        is_decimal = (
            has_exponent
            or len(fraction) != 3
            or not integer_digits
            or integer_digits.startswith("0")
            or len(integer_digits) > 3
            or integer_digits != integer_part
        )
        if is_decimal:
            self._record("decimal_" + name, example)
        else:
            self._record("ambiguous_" + name, example)

    def _record(self, attribute: str, example: NumberExample) -> None:
        if getattr(self, attribute) is None:
            setattr(self, attribute, example)


_REMOVE_SPACES = str.maketrans("", "", SPACE_SEPARATORS)


# Maps every digit to "d" and "E" to "e", so that one substring search over a
# whole row finds a cell shape such as ".dd" followed by the end of a cell.
_SHAPE_TABLE = str.maketrans("0123456789E", "dddddddddde")


@dataclass(frozen=True, slots=True)
class _SeparatorPatterns:
    """Cell shapes that decide the meaning of one separator."""

    decimal: str
    ambiguous: str
    # Two groups of three digits, as in 1.234.567: the separator groups thousands.
    grouped: str
    # Shapes after _SHAPE_TABLE: a separator followed by fewer than three digits
    # and the end of the cell, a space or an exponent, or by four digits, or one
    # that follows four digits. Any of them makes the separator decimal.
    proofs: tuple[str, ...]
    # A leading zero before the separator, as in 0.5 or -0,5, in the raw row.
    leading_zero: tuple[str, ...]


def _separator_patterns(separator: str, name: str) -> _SeparatorPatterns:
    ends = (CELL_JOINER, " ", "e")
    return _SeparatorPatterns(
        decimal="decimal_" + name,
        ambiguous="ambiguous_" + name,
        grouped=f"d{separator}ddd{separator}d",
        proofs=(
            *(separator + digits + end for digits in ("", "d", "dd") for end in ends),
            separator + "ddde",
            separator + "dddd",
            "dddd" + separator,
        ),
        leading_zero=tuple(start + "0" + separator for start in (CELL_JOINER, "-", "+", " ")),
    )


_POINT = _separator_patterns(".", "point")
_COMMA = _separator_patterns(",", "comma")


def _find_proof_cell(bounded: str, shape: str, separator: _SeparatorPatterns) -> int | None:
    """Return the index of the first cell whose shape proves the decimal separator.

    ``bounded`` is the joined row with a joiner added at both ends, and ``shape``
    is ``bounded`` translated with ``_SHAPE_TABLE``.
    """
    positions = [shape.find(proof) for proof in separator.proofs]
    positions += [bounded.find(zero) for zero in separator.leading_zero]
    found = [position for position in positions if position >= 0]
    if not found:
        return None
    # The leading joiner shifts every position by one cell boundary.
    return bounded.count(CELL_JOINER, 0, min(found) + 1) - 1


_GROUPED = re.compile(
    r"[0-9]{1,3}(?:\.[0-9]{3})+(?:,[0-9]*)?"
    r"|[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?"
)


def _is_grouped(mantissa: str) -> bool:
    """Tell whether a cell with several separators has valid thousands groups."""
    return _GROUPED.fullmatch(mantissa) is not None


@dataclass(frozen=True, slots=True)
class NumberFormat:
    """The decimal separator and the optional thousands separator of a file.

    ``thousands_separator`` is ``" "`` for any of the space characters in
    ``SPACE_SEPARATORS``.
    """

    decimal_separator: str = "."
    thousands_separator: str | None = None


def decide_number_format(
    evidence: NumberEvidence,
    declared_decimal: str | None = None,
    declared_thousands: str | None = None,
    dotted_dates: bool = False,
) -> NumberFormat:
    """Decide the number format of a file. A declared separator wins over evidence.

    ``declared_thousands=""`` declares that the file has no thousands separator.
    Raise ParseError when the evidence contradicts itself or cannot tell ``1,234``
    apart as a decimal or a grouped integer.

    When nothing else decides, ``12.345`` is read with a decimal point, because
    machine exports commonly write three decimals with a point. The exception is a
    file with dotted dates (``01.03.2024``, set ``dotted_dates``), which come from
    locales that write a decimal comma and a point between thousands. Such a file
    is rejected as ambiguous too.
    """
    if declared_decimal is not None:
        _check_separator(declared_decimal, "decimal")
        decimal = declared_decimal
    else:
        decimal = _decide_decimal(evidence, dotted_dates)

    if declared_thousands is not None:
        if declared_thousands:
            _check_separator(declared_thousands, "thousands")
        if declared_thousands == decimal:
            raise ParseError(
                "invalid_number_format",
                _(
                    "The decimal separator and the thousands separator are both "
                    "“%(separator)s”. Declare two different separators."
                ),
                separator=decimal,
            )
        return NumberFormat(decimal, declared_thousands or None)

    if decimal == ".":
        if evidence.grouping_comma or evidence.ambiguous_comma:
            return NumberFormat(".", ",")
    elif evidence.grouping_point or evidence.ambiguous_point:
        return NumberFormat(",", ".")
    if evidence.grouping_space:
        return NumberFormat(decimal, " ")
    return NumberFormat(decimal, None)


def _check_separator(separator: str, kind: str) -> None:
    allowed = (".", ",") if kind == "decimal" else (".", ",", " ")
    if separator not in allowed:
        template = (
            _("“%(separator)s” cannot be the decimal separator. Declare one of %(allowed)s.")
            if kind == "decimal"
            else _("“%(separator)s” cannot be the thousands separator. Declare one of %(allowed)s.")
        )
        raise ParseError(
            "invalid_number_format",
            template,
            separator=separator,
            allowed=", ".join(f"“{item}”" for item in allowed),
        )


def _decide_decimal(evidence: NumberEvidence, dotted_dates: bool) -> str:
    point_proof = evidence.decimal_point or evidence.grouping_comma
    comma_proof = evidence.decimal_comma or evidence.grouping_point
    if point_proof and comma_proof:
        raise ParseError(
            "inconsistent_number_format",
            _(
                "The value columns mix two number formats: row %(point_row)d, column "
                "“%(point_column)s” has “%(point_value)s” with a decimal point, but row "
                "%(comma_row)d, column “%(comma_column)s” has “%(comma_value)s” with a "
                "decimal comma. Export the file with one number format, or declare the "
                "decimal separator and correct the other rows."
            ),
            point_row=point_proof.row_number,
            point_column=point_proof.column,
            point_value=point_proof.value,
            comma_row=comma_proof.row_number,
            comma_column=comma_proof.column,
            comma_value=comma_proof.value,
        )
    if point_proof:
        return "."
    if comma_proof:
        return ","
    ambiguous = evidence.ambiguous_comma
    if ambiguous is None and dotted_dates:
        ambiguous = evidence.ambiguous_point
    if ambiguous is not None:
        separator = "," if ambiguous is evidence.ambiguous_comma else "."
        raise ParseError(
            "ambiguous_decimal_separator",
            _(
                "The decimal separator cannot be detected: row %(row)d, column "
                "“%(column)s” has “%(value)s”, and no value in the file shows whether "
                "“%(separator)s” separates decimals or thousands. Declare the decimal "
                "separator for this data source."
            ),
            row=ambiguous.row_number,
            column=ambiguous.column,
            value=ambiguous.value,
            separator=separator,
        )
    return "."


def describe_number_format(number_format: NumberFormat) -> str:
    """Return a short description in the active language, such as "decimal comma, point grouping"."""
    decimal = {".": gettext("decimal point"), ",": gettext("decimal comma")}[number_format.decimal_separator]
    if not number_format.thousands_separator:
        return decimal
    grouping = {
        ".": gettext("point grouping"),
        ",": gettext("comma grouping"),
        " ": gettext("space grouping"),
    }[number_format.thousands_separator]
    return gettext("%(decimal)s, %(grouping)s") % {"decimal": decimal, "grouping": grouping}


class NumberParser:
    """Converts value cells to floats in one decided number format."""

    def __init__(self, number_format: NumberFormat) -> None:
        self.number_format = number_format
        decimal = number_format.decimal_separator
        thousands = number_format.thousands_separator
        self._comma_decimal = decimal == ","
        self._thousands_chars = SPACE_SEPARATORS if thousands == " " else (thousands or "")
        self._pattern = _number_pattern(decimal, self._thousands_chars)
        self._normalize = str.maketrans({**{char: None for char in self._thousands_chars}, decimal: "."})
        # The fast paths raise ValueError for any cell that needs the careful
        # cell-by-cell path of parse(): missing-value markers, thousands
        # separators and invalid numbers.
        self.fast_row: Callable[[Sequence[str]], list[float]] = (
            self._fast_row_comma if self._comma_decimal else _fast_row_point
        )
        self.fast_cell: Callable[[str], float] = self._fast_cell_comma if self._comma_decimal else float

    def parse(self, cell: str) -> float | None:
        """Return the value of a cell, or None when it marks a missing value.

        Raise InvalidValueError when the cell is not a number in this format.
        """
        text = cell.strip()
        if text.casefold() in MISSING_TOKENS:
            return None
        if self._pattern.fullmatch(text) is None:
            raise self.invalid_error()
        value = float(text.translate(self._normalize))
        if not math.isfinite(value):
            raise self.invalid_error()
        return value

    def _fast_row_comma(self, cells: Sequence[str]) -> list[float]:
        # Only points can be mistaken: "1.5" would pass float() after the comma
        # replacement but is invalid in a decimal-comma file.
        joined = CELL_JOINER.join(cells)
        if "." in joined:
            raise ValueError(joined)
        parts = joined.replace(",", ".").split(CELL_JOINER)
        if len(parts) != len(cells):
            raise ValueError(joined)
        return list(map(float, parts))

    def _fast_cell_comma(self, cell: str) -> float:
        if "." in cell:
            raise ValueError(cell)
        return float(cell.replace(",", "."))

    def invalid_error(self) -> InvalidValueError:
        """Return the invalid_number error for a cell that is not a number."""
        return InvalidValueError(
            "invalid_number",
            _(
                "Row %(row)d, column “%(column)s”: “%(value)s” is not a number in this "
                "file's format (%(format)s). Correct the value, or leave the cell empty "
                "if the reading is missing."
            ),
            format=describe_number_format(self.number_format),
        )


def _fast_row_point(cells: Sequence[str]) -> list[float]:
    # float() rejects commas, inner spaces and the missing-value tokens except
    # "nan", which callers catch with a finiteness check on the sum.
    return list(map(float, cells))


def _number_pattern(decimal: str, thousands_chars: str) -> re.Pattern[str]:
    point = re.escape(decimal)
    if thousands_chars:
        group = "[" + re.escape(thousands_chars) + "]"
        integer = rf"(?:[0-9]{{1,3}}(?:{group}[0-9]{{3}})+|[0-9]+)"
    else:
        integer = "[0-9]+"
    return re.compile(rf"[+-]?(?:{integer}(?:{point}[0-9]*)?|{point}[0-9]+)(?:[eE][+-]?[0-9]+)?")
