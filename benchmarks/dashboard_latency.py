"""Latency of the data endpoints behind a site dashboard, against DuckDB over raw readings.

Generates 200 interval meters × 2 years of 15-minute values (about 14 million readings) and
imports them through the pipeline into a fresh SQLite database. It then requests the API
endpoints a site dashboard uses (indicators, diagnosis, a meter's daily series) repeatedly
and prints their 95th-percentile latency. As the reference measured in the same run, DuckDB
computes the same monthly totals per meter by scanning the raw readings file.

    .venv/bin/python benchmarks/dashboard_latency.py [--meters 200] [--days 730] [--requests 40]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from benchmarks import import_throughput as data  # the same generator and database set-up


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=200)
    parser.add_argument("--days", type=int, default=730)
    parser.add_argument("--requests", type=int, default=40, help="Requests per endpoint.")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="cleanprod-dash-") as folder:
        csv_path = Path(folder) / "wide.csv"
        values = data.generate(csv_path, args.meters, args.days)
        data.django_setup(f"sqlite:///{folder}/dashboard.sqlite3")

        from django.contrib.auth.models import User
        from django.test import Client

        from cleanprod.ingest.parsing import WideLayout
        from cleanprod.ingest.pipeline import ImportRequest, import_readings

        site = data.create_meters(args.meters)
        started = time.perf_counter()
        import_readings(ImportRequest(site=site, path=csv_path, layout=WideLayout(("timestamp",)), dry_run=False))
        print(f"imported {values:,} readings in {time.perf_counter() - started:.0f} s")

        user = User.objects.create_superuser("bench", password="bench-password-1")
        client = Client()
        client.force_login(user)
        meter = site.meters.order_by("code").first()
        assert meter is not None
        last_year = date(2024 + args.days // 366, 1, 1)
        month = f"start={last_year.replace(month=1).isoformat()}&end={last_year.replace(month=1, day=31).isoformat()}"
        year = f"start={date(2024, 1, 1).isoformat()}&end={date(2024, 12, 31).isoformat()}"
        endpoints = {
            "site indicators, one month": f"/api/sites/{site.pk}/indicators?{month}",
            "site indicators, one year": f"/api/sites/{site.pk}/indicators?{year}",
            "site diagnosis, one month": f"/api/sites/{site.pk}/diagnosis?{month}",
            "meter daily series, one year": f"/api/meters/{meter.pk}/daily?{year}",
        }
        print(f"machine: 2 cores (shared VM), Python {sys.version.split()[0]}, SQLite, {args.requests} requests each")
        worst = 0.0
        for name, url in endpoints.items():
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code, response.content[:300])
            timings = []
            for _ in range(args.requests):
                begin = time.perf_counter()
                client.get(url)
                timings.append((time.perf_counter() - begin) * 1000)
            p95 = percentile(timings, 0.95)
            worst = max(worst, p95)
            print(f"  {name:<32} median {statistics.median(timings):7.1f} ms   p95 {p95:7.1f} ms")

        import duckdb

        begin = time.perf_counter()
        relation = duckdb.sql(
            f"""
            SELECT meter, date_trunc('month', CAST(timestamp AS TIMESTAMP)) AS month, SUM(value) AS total
            FROM (UNPIVOT read_csv_auto('{csv_path}', header = true) ON COLUMNS(* EXCLUDE (timestamp))
                  INTO NAME meter VALUE value)
            GROUP BY ALL
            """
        )
        assert relation is not None
        rows = relation.fetchall()
        duckdb_ms = (time.perf_counter() - begin) * 1000
        print(f"  DuckDB monthly totals over the raw readings: {duckdb_ms:.0f} ms ({len(rows):,} meter-months)")
        print(f"worst p95 {worst:.1f} ms (target < 300 ms); ratio DuckDB / worst p95: {duckdb_ms / worst:.1f}")


if __name__ == "__main__":
    main()
