"""Speed of one detection pass: 200 meters, one day of 15-minute readings, four weeks of history.

Generates 200 interval meters × 29 days of 15-minute values (4 weeks of baseline and the
day under test, 556,800 readings) and imports them through the pipeline into a fresh
SQLite database, so the rollups exist as in production. It then times:
- detection: the default rules (statistical against the kind-of-day and hour baseline, whose
  8 weeks of history find only the 4 generated here; stuck meter with related meters) over
  the last day of every meter, as the task that follows a day's import runs it, plus the
  periodic watch pass (offline and completeness checks);
- reference, in the same run: one plain aggregate query over the same readings
  (SELECT meter_id, COUNT(*), SUM(value) ... GROUP BY meter_id over the 29 days).
Prints both times and the ratio detection / reference.

    .venv/bin/python benchmarks/detection_speed.py [--meters 200] [--repeat 3]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as `python benchmarks/detection_speed.py` from any directory

from benchmarks import import_throughput as data  # noqa: E402 - the same generator and database set-up

HISTORY_DAYS = 28


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--meters", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    days = HISTORY_DAYS + 1

    with tempfile.TemporaryDirectory(prefix="cleanprod-detect-") as folder:
        csv_path = Path(folder) / "wide.csv"
        values = data.generate(csv_path, args.meters, days)
        data.django_setup(f"sqlite:///{folder}/detection.sqlite3")

        from django.db import connection

        from cleanprod.alerts.models import Alert
        from cleanprod.alerts.services import SiteDetector, Window
        from cleanprod.ingest.parsing import WideLayout
        from cleanprod.ingest.pipeline import ImportRequest, import_readings
        from cleanprod.metering.models import Reading

        site = data.create_meters(args.meters)
        started = time.perf_counter()
        import_readings(ImportRequest(site=site, path=csv_path, layout=WideLayout(("timestamp",)), dry_run=False))
        print(f"imported {values:,} readings in {time.perf_counter() - started:.0f} s")

        # The generator's local timestamps start 2024-01-01 00:15 in Asia/Shanghai.
        first = datetime(2024, 1, 1, tzinfo=site.zone).astimezone(UTC)
        day_start = first + timedelta(days=HISTORY_DAYS)
        day_end = day_start + timedelta(days=1)
        now = day_end + timedelta(minutes=5)
        meter_ids = list(site.meters.values_list("pk", flat=True))
        windows = {meter_id: Window(day_start, day_end) for meter_id in meter_ids}
        assert Reading.objects.filter(timestamp__gt=first).count() == values

        detection_times, reference_times = [], []
        raised = 0
        for _ in range(args.repeat):
            Alert.objects.all().delete()
            begin = time.perf_counter()
            detector = SiteDetector(site, now)
            raised = len(detector.run(windows))
            raised += len(detector.check_offline()) + len(detector.check_completeness())
            detection_times.append(time.perf_counter() - begin)

            begin = time.perf_counter()
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT meter_id, COUNT(*), SUM(value) FROM metering_reading "
                    "WHERE timestamp > %s AND timestamp <= %s GROUP BY meter_id",
                    [first, day_end],
                )
                rows = cursor.fetchall()
            reference_times.append(time.perf_counter() - begin)
            assert sum(row[1] for row in rows) == values

        detection = statistics.median(detection_times)
        reference = statistics.median(reference_times)
        print(f"machine: 2 cores (shared VM), Python {sys.version.split()[0]}, SQLite; median of {args.repeat} runs")
        print(
            f"  detection pass, {args.meters} meters, one day, {HISTORY_DAYS}-day baseline: {detection:.2f} s "
            f"({raised} alerts raised)"
        )
        print(f"  reference aggregate query over the same {values:,} readings: {reference:.2f} s")
        print(f"ratio detection / reference: {detection / reference:.1f}")


if __name__ == "__main__":
    main()
