"""Parsing of meter-reading exports (CSV and XLSX) from MES, ERP and SCADA systems.

The parser reads files only. It decides each file's formats once, streams its
rows, and reports problems as ``ParseError`` (whole file) or ``RowIssue`` (one
cell). Storing the readings is the pipeline's job.
"""

from .dates import (
    TimestampFormat,
    TimestampParser,
    excel_serial_to_datetime,
)
from .encoding import DetectedEncoding, detect_encoding
from .layout import FileOptions, LongLayout, WideLayout
from .localize import TimestampLocalizer
from .numbers import MISSING_TOKENS, NumberFormat, NumberParser, is_missing_token
from .problems import InvalidValueError, LazyMessage, ParseError, RowIssue
from .report import HINT_MESSAGES, MIDNIGHT_PREVIOUS_DAY_SUSPECTED, ParsedRow, ParseReport
from .table import ParsedTable, open_table

__all__ = [
    "HINT_MESSAGES",
    "MIDNIGHT_PREVIOUS_DAY_SUSPECTED",
    "MISSING_TOKENS",
    "DetectedEncoding",
    "FileOptions",
    "InvalidValueError",
    "LazyMessage",
    "LongLayout",
    "NumberFormat",
    "NumberParser",
    "ParseError",
    "ParseReport",
    "ParsedRow",
    "ParsedTable",
    "RowIssue",
    "TimestampFormat",
    "TimestampLocalizer",
    "TimestampParser",
    "WideLayout",
    "detect_encoding",
    "excel_serial_to_datetime",
    "is_missing_token",
    "open_table",
]
