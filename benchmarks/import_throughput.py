"""Import throughput: the readings pipeline against the fastest raw insert, in one run.

Generates a wide CSV (default 200 meters × 1 year of 15-minute values, about 7 million
values), then for each database backend runs, each in its own process so that peak memory
is measured per path:
- raw: csv.reader + float() + sqlite3 executemany (SQLite) or psycopg COPY (PostgreSQL)
  into a table created with the same columns, indexes and foreign keys as metering_reading;
- pipeline: cleanprod's import (`import_readings`, committed), which also derives interval
  consumption, hourly and daily rollups and checks for duplicates.
Prints values per second, peak RSS and the ratio pipeline / raw.

    .venv/bin/python benchmarks/import_throughput.py [--meters 200] [--days 365] [--backend sqlite postgresql]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
POSTGRES_URL = os.environ.get("BENCHMARK_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/cleanprod_benchmark")


def generate(path: Path, meters: int, days: int, seed: int = 7) -> int:
    generator = random.Random(seed)
    start = datetime(2024, 1, 1, 0, 15)
    rows = days * 96
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", *(f"M{index:03d}" for index in range(meters))])
        base = [generator.uniform(5, 200) for _ in range(meters)]
        for step in range(rows):
            stamp = start + timedelta(minutes=15 * step)
            writer.writerow(
                [stamp.strftime("%Y-%m-%d %H:%M"), *(f"{level * generator.uniform(0.7, 1.3):.3f}" for level in base)]
            )
    return rows * meters


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def django_setup(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cleanprod.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def create_meters(meters: int):
    from cleanprod.metering.models import Meter
    from cleanprod.organization.models import Enterprise, Site
    from cleanprod.resources.models import Resource

    enterprise = Enterprise.objects.create(name="Benchmark", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="bench", name="Benchmark site", time_zone="Asia/Shanghai")
    electricity = Resource.objects.get(code="electricity")
    Meter.objects.bulk_create(
        Meter(
            site=site,
            code=f"M{index:03d}",
            name=f"Meter {index}",
            resource=electricity,
            unit="kWh",
            reading_kind="interval",
            interval_minutes=15,
        )
        for index in range(meters)
    )
    return site


def reset_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')


def worker_pipeline(csv_path: Path, database_url: str, meters: int) -> dict[str, float]:
    django_setup(database_url)
    from cleanprod.ingest.parsing import WideLayout
    from cleanprod.ingest.pipeline import ImportRequest, import_readings

    site = create_meters(meters)
    started = time.perf_counter()
    report = import_readings(
        ImportRequest(site=site, path=csv_path, layout=WideLayout(timestamp_columns=("timestamp",)), dry_run=False)
    )
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "values": report["inserted"], "peak_rss_mb": peak_rss_mb()}


def worker_raw(csv_path: Path, database_url: str, meters: int) -> dict[str, float]:
    django_setup(database_url)  # same schema, so the raw table can copy its columns and indexes
    from django.db import connection

    site = create_meters(meters)
    meter_ids = {meter.code: meter.pk for meter in site.meters.all()}
    started = time.perf_counter()
    values = 0
    if connection.vendor == "sqlite":
        import sqlite3

        database = sqlite3.connect(connection.settings_dict["NAME"])
        database.execute("PRAGMA journal_mode=WAL")
        database.execute("PRAGMA synchronous=NORMAL")
        for (sql,) in database.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = 'metering_reading' AND sql IS NOT NULL"
        ).fetchall():
            database.execute(sql.replace("metering_reading", "raw_reading"))
        with csv_path.open(newline="") as handle:
            reader = csv.reader(handle)
            header = next(reader)
            ids = [meter_ids[code] for code in header[1:]]
            batch: list[tuple[object, ...]] = []
            for row in reader:
                stamp = str(datetime.fromisoformat(row[0]).replace(tzinfo=UTC).replace(tzinfo=None))
                for meter_id, cell in zip(ids, row[1:], strict=True):
                    batch.append((meter_id, stamp, float(cell), 0, None, None, None, None, ""))
                if len(batch) >= 100_000:
                    database.executemany(
                        "INSERT INTO raw_reading (meter_id, timestamp, value, flag, batch_id, consumption, "
                        "consumption_quality, period_seconds, event) VALUES (?,?,?,?,?,?,?,?,?)",
                        batch,
                    )
                    values += len(batch)
                    batch = []
            database.executemany(
                "INSERT INTO raw_reading (meter_id, timestamp, value, flag, batch_id, consumption, "
                "consumption_quality, period_seconds, event) VALUES (?,?,?,?,?,?,?,?,?)",
                batch,
            )
            values += len(batch)
        database.commit()
    else:
        with connection.cursor() as cursor:
            cursor.execute("CREATE TABLE raw_reading (LIKE metering_reading INCLUDING ALL)")
            # LIKE copies columns, defaults and indexes but not foreign keys. Adding them makes the
            # raw table the same table as metering_reading (Django's keys are deferred).
            cursor.execute(
                "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = 'metering_reading'::regclass AND contype = 'f'"
            )
            for (definition,) in cursor.fetchall():
                cursor.execute(f"ALTER TABLE raw_reading ADD {definition}")
            raw = cursor.cursor
            with (
                csv_path.open(newline="") as handle,
                raw.copy(
                    "COPY raw_reading (meter_id, timestamp, value, flag, batch_id, consumption, consumption_quality, "
                    "period_seconds, event) FROM STDIN"
                ) as copy,
            ):
                reader = csv.reader(handle)
                header = next(reader)
                ids = [meter_ids[code] for code in header[1:]]
                for row in reader:
                    instant = datetime.fromisoformat(row[0]).replace(tzinfo=UTC)
                    for meter_id, cell in zip(ids, row[1:], strict=True):
                        copy.write_row((meter_id, instant, float(cell), 0, None, None, None, None, ""))
                        values += 1
        connection.commit() if not connection.get_autocommit() else None
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "values": values, "peak_rss_mb": peak_rss_mb()}


def run_worker(kind: str, csv_path: Path, database_url: str, meters: int) -> dict[str, float]:
    output = subprocess.run(
        [
            sys.executable,
            __file__,
            "--worker",
            kind,
            "--file",
            str(csv_path),
            "--database-url",
            database_url,
            "--meters",
            str(meters),
        ],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(output.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=200)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--backend", nargs="+", default=["sqlite", "postgresql"], choices=["sqlite", "postgresql"])
    parser.add_argument("--worker", choices=["raw", "pipeline"], help=argparse.SUPPRESS)
    parser.add_argument("--file", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.worker:
        result = (worker_raw if args.worker == "raw" else worker_pipeline)(args.file, args.database_url, args.meters)
        print(json.dumps(result))
        return

    with tempfile.TemporaryDirectory(prefix="cleanprod-bench-") as folder:
        csv_path = Path(folder) / "wide.csv"
        started = time.perf_counter()
        expected = generate(csv_path, args.meters, args.days)
        size_mb = csv_path.stat().st_size / 1e6
        print(
            f"generated {expected:,} values ({args.meters} meters × {args.days} days × 96) "
            f"in {csv_path.stat().st_size / 1e6:.0f} MB, {time.perf_counter() - started:.1f} s"
        )
        print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
        for backend in args.backend:
            results = {}
            for kind in ("raw", "pipeline"):
                if backend == "sqlite":
                    url = f"sqlite:///{folder}/{kind}.sqlite3"
                else:
                    url = POSTGRES_URL
                    reset_postgres(url)
                results[kind] = run_worker(kind, csv_path, url, args.meters)
            raw, pipeline = results["raw"], results["pipeline"]
            ratio = (pipeline["values"] / pipeline["seconds"]) / (raw["values"] / raw["seconds"])
            print(f"\n{backend} ({size_mb:.0f} MB file)")
            for kind, result in results.items():
                print(
                    f"  {kind:<9} {result['values']:>10,.0f} values  {result['seconds']:7.1f} s  "
                    f"{result['values'] / result['seconds']:>10,.0f} values/s  peak RSS {result['peak_rss_mb']:.0f} MB"
                )
            print(
                f"  ratio pipeline/raw: {ratio:.2f} (target ≥ 0.5); pipeline peak memory "
                f"{pipeline['peak_rss_mb']:.0f} MB (target < 1024 MB)"
            )


if __name__ == "__main__":
    main()
