"""Reading delimited text files: delimiter detection and streaming records."""

from __future__ import annotations

import csv
import io
from collections.abc import Generator
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from .problems import ParseError

DELIMITERS = (",", ";", "\t", "|")
# A comma also appears as a decimal separator in numbers, so it loses ties.
_TIE_PREFERENCE = {"\t": 3, ";": 2, "|": 1, ",": 0}
_DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab", "|": "vertical bar"}

SAMPLE_CHARS = 1 << 16
SAMPLE_RECORDS = 50


def read_sample(path: Path, codec: str) -> tuple[str, bool]:
    """Return the start of the decoded file and whether it is the whole file."""
    with path.open(encoding=codec, newline="") as file:
        sample = file.read(SAMPLE_CHARS)
        complete = file.read(1) == ""
    return sample, complete


def sniff_delimiter(sample: str, header_row: int = 1, complete: bool = True) -> str:
    """Detect the delimiter among comma, semicolon, tab and vertical bar.

    The header and the first records after it are split with each candidate. The
    candidate that splits the header into at least two columns and gives the most
    records the header's width wins. Raise ParseError when no candidate splits the
    header.
    """
    lines = sample.splitlines(keepends=True)[header_row - 1 :]
    if not complete and len(lines) > 1:
        lines = lines[:-1]
    text = "".join(lines[: SAMPLE_RECORDS * 2])

    best: tuple[float, int, int] | None = None
    best_delimiter = None
    for delimiter in DELIMITERS:
        records = [record for record in csv.reader(io.StringIO(text), delimiter=delimiter) if record]
        records = records[:SAMPLE_RECORDS]
        if not records or len(records[0]) < 2:
            continue
        width = len(records[0])
        data = records[1:]
        consistency = sum(len(record) == width for record in data) / len(data) if data else 1.0
        score = (consistency, width, _TIE_PREFERENCE[delimiter])
        if best is None or score > best:
            best, best_delimiter = score, delimiter
    if best_delimiter is None:
        first_line = lines[0].rstrip("\r\n") if lines else ""
        raise ParseError(
            "undetected_delimiter",
            _(
                "The delimiter cannot be detected: the header row “%(header)s” does not "
                "split into columns at a comma, semicolon, tab or vertical bar. Check "
                "the header row number, or declare the delimiter for this data source."
            ),
            header=first_line[:200],
        )
    return best_delimiter


def check_delimiter(delimiter: str) -> None:
    if len(delimiter) != 1 or delimiter in '\r\n"':
        raise ParseError(
            "invalid_delimiter",
            _(
                "“%(delimiter)s” cannot be a delimiter. Declare a single character such "
                "as a comma, semicolon, tab or vertical bar."
            ),
            delimiter=delimiter,
        )


def describe_delimiter(delimiter: str) -> str:
    return _DELIMITER_NAMES.get(delimiter, delimiter)


def read_records(path: Path, codec: str, delimiter: str) -> Generator[tuple[int, list[str]], None, None]:
    """Yield (row number, cells) for every record, with row 1 the first record.

    A quoted cell may span lines, so row numbers count records as a spreadsheet
    shows them, not physical lines. A blank line is a record with no cells.
    """
    with path.open(encoding=codec, newline="") as file:
        reader = csv.reader(file, delimiter=delimiter)
        row_number = 0
        try:
            for row_number, cells in enumerate(reader, 1):
                yield row_number, cells
        except csv.Error as error:
            raise ParseError(
                "malformed_csv",
                _(
                    "Row %(row)d cannot be read as CSV: %(error)s. Check the quoting of "
                    "that row, or export the file again."
                ),
                row=row_number + 1,
                error=str(error),
            ) from None
