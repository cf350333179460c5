"""Tests for collapsing duplicate import rows (no database)."""

from dataclasses import dataclass

import pytest

from cleanprod.metering.duplicates import Conflict, collapse_duplicates


@dataclass(frozen=True)
class Row:
    timestamp: str
    kwh: float
    source: str = "file"


def by_timestamp(row: Row) -> str:
    return row.timestamp


def kwh(row: Row) -> float:
    return row.kwh


def quarter_hour_rows() -> list[Row]:
    """15-minute kWh where every timestamp arrived twice and 00:30 disagrees."""
    return [
        Row("2024-03-01 00:00", 2.10),
        Row("2024-03-01 00:00", 2.10),
        Row("2024-03-01 00:15", 1.95),
        Row("2024-03-01 00:15", 1.95),
        Row("2024-03-01 00:30", 2.40),
        Row("2024-03-01 00:30", 2.45),
        Row("2024-03-01 00:45", 2.05),
        Row("2024-03-01 00:45", 2.05),
    ]


def test_identical_rows_are_collapsed_and_counted() -> None:
    result = collapse_duplicates(quarter_hour_rows(), by_timestamp, kwh)

    assert result.identical == 3
    assert len(result.unique) == 4
    assert [row.timestamp for row in result.unique] == [
        "2024-03-01 00:00",
        "2024-03-01 00:15",
        "2024-03-01 00:30",
        "2024-03-01 00:45",
    ]


def test_conflicting_values_keep_last_received() -> None:
    result = collapse_duplicates(quarter_hour_rows(), by_timestamp, kwh)

    assert result.conflicts == [Conflict("2024-03-01 00:30", kept=2.45, discarded=(2.40,))]
    assert result.unique[2].kwh == 2.45


def test_hour_total_counts_each_timestamp_once() -> None:
    rows = quarter_hour_rows()

    result = collapse_duplicates(rows, by_timestamp, kwh)

    total = sum(row.kwh for row in result.unique)
    assert total == pytest.approx(8.55)
    assert sum(row.kwh for row in rows) == pytest.approx(17.05)
    assert total != pytest.approx(17.05)


def test_last_row_wins_even_when_value_seen_before() -> None:
    rows = [Row("t", 2.40, "a"), Row("t", 2.45, "b"), Row("t", 2.40, "c")]

    result = collapse_duplicates(rows, by_timestamp, kwh)

    assert result.unique == [Row("t", 2.40, "c")]
    assert result.identical == 1
    assert result.conflicts == [Conflict("t", kept=2.40, discarded=(2.45,))]


def test_identical_rows_keep_last_received_row() -> None:
    rows = [Row("t", 1.0, "first"), Row("t", 1.0, "second")]

    result = collapse_duplicates(rows, by_timestamp, kwh)

    assert result.unique == [Row("t", 1.0, "second")]
    assert result.identical == 1
    assert result.conflicts == []


def test_three_different_values_list_all_discarded() -> None:
    rows = [Row("t", 1.0), Row("t", 2.0), Row("t", 1.0), Row("t", 3.0)]

    result = collapse_duplicates(rows, by_timestamp, kwh)

    assert result.conflicts == [Conflict("t", kept=3.0, discarded=(1.0, 2.0))]
    assert result.identical == 1


def test_keys_keep_first_seen_order() -> None:
    rows = [Row("b", 1.0), Row("a", 2.0), Row("b", 3.0), Row("c", 4.0)]

    result = collapse_duplicates(rows, by_timestamp, kwh)

    assert [row.timestamp for row in result.unique] == ["b", "a", "c"]
    assert result.unique[0].kwh == 3.0


def test_exchange_readings_are_not_duplicates() -> None:
    """Removal and installation readings share a date but come from two meters."""
    rows = [
        ("2024-05-20", "OLD-7731", 48102.5),
        ("2024-05-20", "NEW-1102", 0.4),
    ]

    result = collapse_duplicates(rows, key=lambda row: (row[0], row[1]), value=lambda row: row[2])

    assert result.unique == rows
    assert result.identical == 0
    assert result.conflicts == []


def test_repeated_nan_values_are_identical() -> None:
    rows = [Row("t", float("nan")), Row("t", float("nan"))]

    result = collapse_duplicates(rows, by_timestamp, kwh)

    assert result.identical == 1
    assert result.conflicts == []
    assert len(result.unique) == 1


def test_nan_and_number_conflict() -> None:
    rows = [Row("t", float("nan")), Row("t", 1.5)]

    result = collapse_duplicates(rows, by_timestamp, kwh)

    assert len(result.conflicts) == 1
    assert result.conflicts[0].kept == 1.5
    assert len(result.conflicts[0].discarded) == 1


def test_empty_rows_give_empty_result() -> None:
    rows: list[Row] = []

    result = collapse_duplicates(rows, by_timestamp, kwh)

    assert result.unique == []
    assert result.identical == 0
    assert result.conflicts == []


def test_rows_from_a_generator_are_read_once() -> None:
    result = collapse_duplicates(iter(quarter_hour_rows()), by_timestamp, kwh)

    assert len(result.unique) == 4
    assert result.identical == 3
