"""Stored readings for alert tests: interval meters with hourly or 15-minute values."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from cleanprod.metering.models import Meter, Reading, ReadingKind
from cleanprod.metering.services import rebuild_meter
from cleanprod.organization.models import Site
from cleanprod.resources.models import Resource


def interval_meter(site: Site, code: str, minutes: int = 60, **fields: object) -> Meter:
    return Meter.objects.create(
        site=site,
        code=code,
        name=code,
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        reading_kind=ReadingKind.INTERVAL,
        interval_minutes=minutes,
        **fields,
    )


def store(
    meter: Meter, start: datetime, values: Sequence[float], minutes: int | None = None
) -> tuple[datetime, datetime]:
    """Store readings labelled at interval end, one per interval, and rebuild the rollups."""
    step = timedelta(minutes=minutes or meter.interval_minutes)
    stamps = [start + (index + 1) * step for index in range(len(values))]
    Reading.objects.bulk_create(
        Reading(meter=meter, timestamp=stamp, value=value) for stamp, value in zip(stamps, values, strict=True)
    )
    rebuild_meter(meter)
    return stamps[0], stamps[-1]


def daily_profile(hours: int, base: float = 50.0) -> list[float]:
    """A repeating day shape with a day shift and a small alternation, so the MAD is not zero."""
    values = []
    for index in range(hours):
        hour = index % 24
        level = base * (2.0 if 8 <= hour < 17 else 1.0)
        values.append(level + (1.0 if (index // 24) % 2 else -1.0))
    return values
