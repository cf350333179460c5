"""Problem types of the file parser: whole-file errors and per-cell row issues.

Messages are English msgids marked with ``gettext_lazy``. A ``LazyMessage`` formats
its msgid with its parameters only when it is turned into text, so the same issue
reads in the language that is active when the UI renders it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise


@dataclass(frozen=True, slots=True)
class LazyMessage:
    """A translatable msgid and the parameters that fill its placeholders."""

    template: _StrPromise
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        return str(self.template) % self.params


@dataclass(frozen=True, slots=True)
class RowIssue:
    """A problem with one cell (or one row) of a data row.

    The row's other values are still returned. The pipeline decides whether a row
    with issues is rejected as a whole.
    """

    row_number: int
    column: str
    value: str
    code: str
    message: LazyMessage

    @property
    def params(self) -> Mapping[str, object]:
        return self.message.params


class ParseError(Exception):
    """A problem with the whole file, so no row of it can be imported."""

    def __init__(self, code: str, template: _StrPromise, **params: object) -> None:
        self.code = code
        self.params: dict[str, object] = params
        self.message = LazyMessage(template, params)
        super().__init__(code)

    def __str__(self) -> str:
        return str(self.message)


class InvalidValueError(ValueError):
    """A single value that cannot be converted, before the row and column are known.

    ``template`` may use the placeholders ``%(row)d``, ``%(column)s`` and
    ``%(value)s``, which ``to_issue`` fills in.
    """

    def __init__(self, code: str, template: _StrPromise, **params: object) -> None:
        self.code = code
        self.template = template
        self.params: dict[str, object] = params
        super().__init__(code)

    def to_issue(self, row_number: int, column: str, value: str) -> RowIssue:
        params: dict[str, object] = {"row": row_number, "column": column, "value": value}
        params.update(self.params)
        return RowIssue(row_number, column, value, self.code, LazyMessage(self.template, params))
