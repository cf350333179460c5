"""Bulk writes of readings, rollups and findings.

The ORM's bulk_create builds one model instance per row, which costs more than the rest of
an import together. These functions write plain tuples with executemany (SQLite) or COPY
(PostgreSQL) instead. Column lists must match metering.models: a schema change there changes
these statements too, and the pipeline tests catch a mismatch.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from django.db import connection

READING_COLUMNS = (
    "meter_id",
    "timestamp",
    "value",
    "flag",
    "batch_id",
    "consumption",
    "consumption_quality",
    "period_seconds",
    "event",
)

# (meter_id, timestamp, value, flag, batch_id, consumption, consumption_quality, period_seconds, event)
ReadingRow = tuple[int, datetime, float, int, int | None, float | None, int | None, int | None, str]


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


@lru_cache(maxsize=65536)
def sqlite_datetime(stamp: datetime) -> Any:
    """Format an aware datetime as Django stores it in SQLite (cached: wide files repeat instants)."""
    return connection.ops.adapt_datetimefield_value(stamp)


def insert_readings(rows: Sequence[ReadingRow]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if is_postgresql():
            raw = cursor.cursor  # the psycopg cursor under Django's wrapper
            columns = ", ".join(READING_COLUMNS)
            with raw.copy(f"COPY metering_reading ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        prepared = [(row[0], sqlite_datetime(row[1]), *row[2:]) for row in rows]
        placeholders = ", ".join(["%s"] * len(READING_COLUMNS))
        cursor.executemany(
            f"INSERT INTO metering_reading ({', '.join(READING_COLUMNS)}) VALUES ({placeholders})",  # noqa: S608
            prepared,
        )


def update_derived(rows: Iterable[tuple[Any, ...]]) -> None:
    """Set derived columns: (consumption, quality, period_seconds, event, flag, meter_id, timestamp)."""
    with connection.cursor() as cursor:
        cursor.executemany(
            "UPDATE metering_reading SET consumption = %s, consumption_quality = %s, period_seconds = %s, "
            "event = %s, flag = %s WHERE meter_id = %s AND timestamp = %s",
            list(rows),
        )


RollupRow = tuple[int, Any, float, float, float, float]  # meter_id, key, quantity, estimated, suspect, covered


def add_rollups(table: str, key_column: str, rows: Sequence[RollupRow], day_seconds: Sequence[float] = ()) -> None:
    """Upsert rollups, adding to an existing bucket (used when readings are appended)."""
    if not rows:
        return
    extra_column = ", day_seconds" if day_seconds else ""
    extra_value = ", %s" if day_seconds else ""
    statement = (
        f"INSERT INTO {table} (meter_id, {key_column}, quantity, estimated, suspect, covered_seconds{extra_column}) "  # noqa: S608
        f"VALUES (%s, %s, %s, %s, %s, %s{extra_value}) "
        f"ON CONFLICT (meter_id, {key_column}) DO UPDATE SET "
        f"quantity = {table}.quantity + excluded.quantity, "
        f"estimated = {table}.estimated + excluded.estimated, "
        f"suspect = {table}.suspect + excluded.suspect, "
        f"covered_seconds = {table}.covered_seconds + excluded.covered_seconds"
    )
    if is_postgresql():
        _add_rollups_staged(table, key_column, rows, day_seconds)
        return
    params: list[tuple[Any, ...]] = []
    for index, row in enumerate(rows):
        key = row[1]
        if isinstance(key, datetime):
            key = connection.ops.adapt_datetimefield_value(key)
        elif isinstance(key, date):
            key = connection.ops.adapt_datefield_value(key)
        values: tuple[Any, ...] = (row[0], key, *row[2:])
        if day_seconds:
            values = (*values, day_seconds[index])
        params.append(values)
    with connection.cursor() as cursor:
        cursor.executemany(statement, params)


def _add_rollups_staged(table: str, key_column: str, rows: Sequence[RollupRow], day_seconds: Sequence[float]) -> None:
    """Upsert through a COPY into a temporary table: one statement instead of one per row."""
    key_type = "timestamptz" if key_column == "hour_start" else "date"
    stage = f"cleanprod_stage_{table}"
    extra = ", day_seconds" if day_seconds else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} (meter_id bigint, {key_column} {key_type}, "
            "quantity double precision, estimated double precision, suspect double precision, "
            "covered_seconds double precision, day_seconds double precision)"
        )
        cursor.execute(f"TRUNCATE {stage}")
        columns = f"meter_id, {key_column}, quantity, estimated, suspect, covered_seconds{extra}"
        with cursor.cursor.copy(f"COPY {stage} ({columns}) FROM STDIN") as copy:
            for index, row in enumerate(rows):
                copy.write_row((*row, day_seconds[index]) if day_seconds else row)
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM {stage} "  # noqa: S608
            f"ON CONFLICT (meter_id, {key_column}) DO UPDATE SET "
            f"quantity = {table}.quantity + excluded.quantity, "
            f"estimated = {table}.estimated + excluded.estimated, "
            f"suspect = {table}.suspect + excluded.suspect, "
            f"covered_seconds = {table}.covered_seconds + excluded.covered_seconds"
        )


def insert_findings(rows: Sequence[tuple[int, datetime, str, dict[str, Any], bool]]) -> None:
    """Insert findings (meter_id, timestamp, code, evidence, blocking); an existing one is kept."""
    if not rows:
        return
    params = [
        (meter_id, connection.ops.adapt_datetimefield_value(stamp), code, json.dumps(evidence), blocking, "open")
        for meter_id, stamp, code, evidence, blocking in rows
    ]
    with connection.cursor() as cursor:
        cursor.executemany(
            "INSERT INTO metering_finding (meter_id, timestamp, code, evidence, blocking, status) "
            "VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (meter_id, timestamp, code) DO NOTHING",
            params,
        )
