"""Collapse repeated rows of an import so that each key counts once.

Exact repeats (same key, same value) are dropped and counted. Rows with the same key
but different values are conflicts: the last received row wins, and the discarded
values are reported so that the import report can flag the key.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Conflict:
    """Key that arrived with different values, the value kept and the values discarded."""

    key: Hashable
    kept: float
    discarded: tuple[float, ...]


@dataclass
class DuplicateResult(Generic[T]):
    """Rows left after collapsing duplicates, with counts for the import report.

    ``unique`` has one row per key in the order in which each key was first seen.
    ``identical`` counts rows dropped because an earlier row had the same key and value.
    """

    unique: list[T] = field(default_factory=list)
    identical: int = 0
    conflicts: list[Conflict] = field(default_factory=list)


def collapse_duplicates(
    rows: Iterable[T], key: Callable[[T], Hashable], value: Callable[[T], float]
) -> DuplicateResult[T]:
    """Keep one row per key, the last received one, and report what was dropped.

    Values are compared exactly, because the parser returns identical floats for
    identical text. NaN counts as equal to NaN, so repeated blank values are exact
    repeats and not conflicts.
    """
    last_row: dict[Hashable, T] = {}
    seen_values: dict[Hashable, list[float]] = {}
    identical = 0

    for row in rows:
        row_key = key(row)
        row_value = value(row)
        values = seen_values.setdefault(row_key, [])
        if any(_same_value(row_value, earlier) for earlier in values):
            identical += 1
        else:
            values.append(row_value)
        # Dict keys keep their first insertion position, so this keeps the order in
        # which keys were first seen while replacing the row by the latest one.
        last_row[row_key] = row

    conflicts: list[Conflict] = []
    for row_key, values in seen_values.items():
        if len(values) < 2:
            continue
        kept = value(last_row[row_key])
        discarded = tuple(v for v in values if not _same_value(v, kept))
        conflicts.append(Conflict(row_key, kept, discarded))

    return DuplicateResult(list(last_row.values()), identical, conflicts)


def _same_value(first: float, second: float) -> bool:
    return first == second or (math.isnan(first) and math.isnan(second))
