"""A small ledger for site A, loaded through the real import pipeline: March 2023, 100 kWh every hour."""

import csv
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import pytest

from cleanprod.ingest.parsing import WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering.models import Meter
from cleanprod.organization.models import Site
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Factor, Resource

HOURLY_KWH = 100
MARCH_2023_HOURS = 31 * 24
MARCH_2023_KWH = HOURLY_KWH * MARCH_2023_HOURS  # 74,400 kWh
# Seeded GB/T 2589 coefficient 0.1229 kgce/kWh and MEE/NBS 2023 national grid factor 0.5306 kgCO2/kWh.
MARCH_2023_TCE = MARCH_2023_KWH * 0.1229 / 1000
MARCH_2023_TCO2 = MARCH_2023_KWH / 1000 * 0.5306
MARCH_2023_OUTPUT_T = 120


def _write_hourly_csv(path: Path, meter_code: str, start: date, end: date) -> Path:
    """Write interval-end readings of HOURLY_KWH for every hour of the local days start..end."""
    moment = datetime(start.year, start.month, start.day) + timedelta(hours=1)
    last = datetime(end.year, end.month, end.day) + timedelta(days=1)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["timestamp", meter_code])
        while moment <= last:
            writer.writerow([moment.strftime("%Y-%m-%d %H:%M"), HOURLY_KWH])
            moment += timedelta(hours=1)
    return path


@pytest.fixture
def ledger_a(site_a: Site, meter_a: Meter, tmp_path: Path) -> Site:
    """Site A with March 2023 imported for its main meter, and 120 t of generated demo production."""
    meter_a.reading_kind = "interval"
    meter_a.interval_minutes = 60
    meter_a.full_clean()
    meter_a.save()
    path = _write_hourly_csv(tmp_path / "march.csv", meter_a.code, date(2023, 3, 1), date(2023, 3, 31))
    result = import_readings(
        ImportRequest(site=site_a, path=path, layout=WideLayout(timestamp_columns=("timestamp",)), dry_run=False)
    )
    assert result["inserted"] == MARCH_2023_HOURS
    ProductionRecord.objects.create(
        site=site_a,
        organization_unit=site_a.units.get(code="ws1"),
        product=Resource.objects.get(code="product"),
        period_start=date(2023, 3, 1),
        period_end=date(2023, 3, 31),
        quantity=Decimal(MARCH_2023_OUTPUT_T),
        unit="t",
        is_generated=True,
    )
    return site_a


def correct_grid_factor_2023(value: str = "0.5400") -> Factor:
    """Add the next version of the 2023 national grid factor, as a published correction would."""
    current = Factor.objects.get(
        kind="grid_emission", resource__code="electricity", series="mee_nbs_average", region="national", data_year=2023
    )
    return Factor.objects.create(
        kind=current.kind,
        resource=current.resource,
        series=current.series,
        region=current.region,
        data_year=current.data_year,
        value=Decimal(value),
        unit=current.unit,
        source=current.source,
        edition=current.edition,
        confidence=current.confidence,
        version=current.version + 1,
        note="Correction used by the report tests.",
    )
