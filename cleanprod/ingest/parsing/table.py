"""Entry point of the file parser: ``open_table`` and ``ParsedTable``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from types import TracebackType

from django.utils.translation import gettext_lazy as _

from .csvtable import open_csv
from .layout import FileOptions, Layout
from .problems import ParseError
from .report import ParsedRow, ParseReport
from .xlsxtable import open_xlsx

FILE_KINDS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx", ".xlsm": "xlsx"}


class ParsedTable:
    """The rows of one file, to be iterated once, and the report about them.

    ``report`` contains the format decisions as soon as ``open_table`` returns. Its
    counters (rows, values, missing values, issues) grow while the rows are read.
    Use it as a context manager, or call ``close()``, to release the file.
    """

    def __init__(
        self,
        report: ParseReport,
        rows: Iterator[ParsedRow],
        close: Callable[[], None] | None = None,
    ) -> None:
        self.report = report
        self._rows = rows
        self._close = close
        self._started = False

    def __iter__(self) -> Iterator[ParsedRow]:
        if self._started:
            raise RuntimeError("The rows of a ParsedTable can be iterated only once.")
        self._started = True
        return self._rows

    def close(self) -> None:
        close_rows = getattr(self._rows, "close", None)
        if close_rows is not None:
            close_rows()
        if self._close is not None:
            self._close()
            self._close = None

    def __enter__(self) -> ParsedTable:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_value: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


# FileOptions is frozen, so one shared default instance is safe.
def open_table(path: Path, layout: Layout, options: FileOptions = FileOptions()) -> ParsedTable:  # noqa: B008
    """Open a CSV, TSV, TXT or XLSX export and decide its formats.

    The formats (encoding, delimiter, number format, timestamp format) are decided
    once for the whole file before the first row is returned. Raise ParseError
    when the file as a whole cannot be read: unknown file type, undetectable
    encoding or delimiter, a mapped column missing from the header, or an
    ambiguous or inconsistent number or date format.
    """
    path = Path(path)
    kind = check_file(path, options)
    if kind == "csv":
        report, rows = open_csv(path, layout, options)
        return ParsedTable(report, rows)
    report, rows, close = open_xlsx(path, layout, options)
    return ParsedTable(report, rows, close)


def check_file(path: Path, options: FileOptions) -> str:
    """Return the file kind ("csv" or "xlsx") from the file name; raise ParseError if unsupported."""
    kind = FILE_KINDS.get(path.suffix.lower())
    if kind is None:
        raise ParseError(
            "unsupported_file_type",
            _(
                "“%(name)s” is not a supported file type. Import a CSV, TSV or TXT "
                "export, or an Excel workbook saved as .xlsx."
            ),
            name=path.name,
        )
    if options.header_row < 1:
        raise ParseError(
            "invalid_header_row",
            _("The header row must be 1 or more, not %(row)d. Correct the header row number."),
            row=options.header_row,
        )
    return kind
