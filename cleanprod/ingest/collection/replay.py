"""Pick one day of the steel demo data, move it to another date, and inject a fault, for scripts/replay.py.

No database access. The KEPCO export labels each 15-minute value with the end of its interval,
day first (01/01/2018 00:15). It dates the 00:00 row that closes a day with that same day. So
the 96 values of day D are the rows of D from 00:15 to 23:45 plus the row "D 00:00", which is
the instant D+1 00:00.
"""

import csv
import statistics
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

INJECTIONS = ("spike", "stuck", "offhours", "missing")
# The steel demo site has one meter, and the stuck detector compares a meter with related meters
# that keep moving, so a replayed stuck fault on that site cannot raise an alert.
REPLAY_INJECTIONS = ("spike", "offhours", "missing")


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


def full_load_reading(path: Path) -> float:
    """Return the 95th-percentile 15-minute value (kWh) of the whole steel data, its full-load reading.

    The alert evaluation (cleanprod/alerts/evaluation.py) injects a spike as one extra full-load hour:
    every reading of the hour gets this value added.
    """
    with path.open(newline="", encoding="utf-8-sig") as handle:
        values = [float(row["Usage_kWh"]) for row in csv.DictReader(handle)]
    return statistics.quantiles(values, n=20)[-1]


def same_weekday_source(target: date, first: date = date(2018, 1, 1), last: date = date(2018, 12, 31)) -> date:
    """Return the latest day of the data with the target's weekday and month-day at or before it.

    Keeping the weekday means working days replay onto working days, so the detectors of the target
    calendar see an ordinary day unless a fault is injected.
    """
    try:
        candidate = target.replace(year=last.year)
    except ValueError:  # 29 February
        candidate = date(last.year, 2, 28)
    candidate -= timedelta(days=(candidate.weekday() - target.weekday()) % 7)
    if candidate < first:
        candidate += timedelta(days=7)
    return candidate


def until(readings: list[ReplayReading], now: datetime) -> list[ReplayReading]:
    """Keep the readings whose interval has ended by ``now``, so a replay of today sends no future readings."""
    return [reading for reading in readings if reading.timestamp <= now]


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


def inject(
    readings: list[ReplayReading], fault: str, at: time, minutes: int = 60, full_load: float | None = None
) -> list[ReplayReading]:
    """Return the readings with a fault from local time ``at`` for ``minutes``.

    A reading is labelled at the end of its interval, so the window covers the readings
    labelled after ``at`` up to its end. Raise ValueError for a window that ends after the
    replayed day.

    - spike: every value in the window gets ``full_load`` added (default: the day's 95th-percentile
      value), one extra full-load hour with the default 60 minutes, as in the alert evaluation;
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
    end = start + timedelta(minutes=max(minutes, 15))
    day_end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=start.tzinfo)
    if end > day_end:
        room = int((day_end - start).total_seconds() // 60)
        raise ValueError(
            f"the fault from {at:%H:%M} for {minutes} minutes ends after the replayed day; "
            f"choose --at and --minutes so that it ends by 24:00 (at most {room} minutes from this --at)"
        )
    peak = max(reading.value for reading in readings)
    if full_load is None:
        full_load = statistics.quantiles([reading.value for reading in readings], n=20)[-1]
    result = []
    previous: float | None = None
    for reading in readings:
        inside = start < reading.timestamp <= end
        if not inside:
            result.append(reading)
            previous = reading.value
            continue
        if fault == "missing":
            continue
        if fault == "spike":
            value = reading.value + full_load
        elif fault == "stuck":
            value = previous if previous is not None else reading.value
        else:
            value = peak
        result.append(ReplayReading(reading.timestamp, value))
    return result
