"""The diagnosis test ledger: its layout, hourly values and the helpers that load it through the import pipeline.

Site "diag" (East China grid, Asia/Shanghai) over the local days 2024-03-01 and 2024-03-02:

    workshop ws ─ production line line ─ process melt ─ equipment furnace
    utility system air

    E-MAIN (on ws, 100 kWh/h) ─┬─ E-MELT (on melt, 50 kWh/h) ── E-FURNACE (on furnace, 48 kWh/h)
                               └─ E-AIR (on air, 30 kWh/h)
    G-FURNACE (on furnace, natural gas, 10 Nm3/h, no parent)

So E-MAIN leaves 20 kWh/h (20 %) unmetered and E-MELT 2 kWh/h (4 %).
"""

import csv
from datetime import date
from pathlib import Path

from cleanprod.ingest.parsing import WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering.models import Meter
from cleanprod.organization.models import Site
from cleanprod.resources.models import Resource

FIRST_DAY = date(2024, 3, 1)
LAST_DAY = date(2024, 3, 2)
HOURLY_KWH = {"E-MAIN": 100.0, "E-MELT": 50.0, "E-FURNACE": 48.0, "E-AIR": 30.0}
HOURLY_GAS_NM3 = 10.0
HOURS = 48


def add_meter(site: Site, code: str, unit_code: str | None, resource: str = "electricity", **extra) -> Meter:
    meter = Meter(
        site=site,
        code=code,
        name=f"{code} meter",
        organization_unit=site.units.get(code=unit_code) if unit_code else None,
        resource=Resource.objects.get(code=resource),
        unit=extra.pop("unit", "kWh"),
        reading_kind="interval",
        interval_minutes=60,
        **extra,
    )
    meter.full_clean()
    meter.save()
    return meter


def import_hourly(site: Site, path: Path, start: date, hours: int, values: dict[str, float]) -> dict:
    """Write one interval value per meter and hour, labelled at the hour's end, and import it."""
    rows: list[list[object]] = [["timestamp", *values]]
    for hour in range(1, hours + 1):
        day = start.toordinal() + hour // 24
        stamp = f"{date.fromordinal(day).isoformat()} {hour % 24:02d}:00"
        rows.append([stamp, *values.values()])
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    report = import_readings(
        ImportRequest(
            site=site, path=path, layout=WideLayout(timestamp_columns=("timestamp",)), dry_run=False, source_name="test"
        )
    )
    assert report["rejected"] == 0
    return report
