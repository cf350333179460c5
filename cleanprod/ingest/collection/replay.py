"""Pick one day of the steel demo data, move it to another date, and inject a fault, for scripts/replay.py.

No database access. The KEPCO export labels each 15-minute value with the end of its interval,
day first (01/01/2018 00:15). It dates the 00:00 row that closes a day with that same day. So
the 96 values of day D are the rows of D from 00:15 to 23:45 plus the row "D 00:00", which is
the instant D+1 00:00.
"""

import csv
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

INJECTIONS = ("spike", "stuck", "offhours", "missing")
SPIKE_FACTOR = 5.0


@dataclass(frozen=True)
class ReplayReading:
    timestamp: datetime  # aware, in the site's time zone
    value: float


def steel_day(path: Path, day: date, zone: ZoneInfo) -> list[ReplayReading]:
    """Return the 96 interval values (kWh) of one day of the steel data, labelled at interval end."""
    readings = []
    with path.open(newline="", encoding="utf-8-sig") as handle:
        for row in csv.DictReader(handle):
            stamp = datetime.strptime(row["date"], "%d/%m/%Y %H:%M")  # noqa: DTZ007 - local time, zone set below
            if stamp.date() != day:
                continue
            if stamp.time() == time(0, 0):
                stamp += timedelta(days=1)  # the 00:00 row closes the day it is dated with
            readings.append(ReplayReading(stamp.replace(tzinfo=zone), float(row["Usage_kWh"])))
    readings.sort(key=lambda reading: reading.timestamp)
    if not readings:
        raise ValueError(f"the steel data has no rows dated {day:%d/%m/%Y}; it covers 2018-01-01 to 2018-12-31")
    return readings


def shift_to(readings: list[ReplayReading], target: date) -> list[ReplayReading]:
    """Move a day's readings to the target date, keeping the local clock times."""
    if not readings:
        return []
    first_day = (readings[0].timestamp - timedelta(minutes=15)).date()
    offset = target - first_day
    shifted = []
    for reading in readings:
        local = reading.timestamp.replace(tzinfo=None) + offset
        zone = reading.timestamp.tzinfo
        shifted.append(ReplayReading(local.replace(tzinfo=zone), reading.value))
    return shifted


def inject(readings: list[ReplayReading], fault: str, at: time, minutes: int = 60) -> list[ReplayReading]:
    """Return the readings with a fault from local time ``at`` for ``minutes``.

    - spike: the value at ``at`` is multiplied by 5;
    - stuck: every value in the window repeats the value before the window;
    - offhours: every value in the window is the day's maximum (equipment left running);
    - missing: the values in the window are left out.
    """
    if fault not in INJECTIONS:
        raise ValueError(f"unknown fault {fault!r}; use one of {', '.join(INJECTIONS)}")
    if not readings:
        return []
    day = (readings[0].timestamp - timedelta(minutes=15)).date()
    start = datetime.combine(day, at, tzinfo=readings[0].timestamp.tzinfo)
    end = start + timedelta(minutes=max(minutes, 15) if fault != "spike" else 15)
    peak = max(reading.value for reading in readings)
    result = []
    previous: float | None = None
    for reading in readings:
        inside = start <= reading.timestamp < end
        if not inside:
            result.append(reading)
            previous = reading.value
            continue
        if fault == "missing":
            continue
        if fault == "spike":
            value = reading.value * SPIKE_FACTOR
        elif fault == "stuck":
            value = previous if previous is not None else reading.value
        else:
            value = peak
        result.append(ReplayReading(reading.timestamp, value))
    return result
