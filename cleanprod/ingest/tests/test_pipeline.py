"""The import pipeline against a real database: storage, idempotence, conflicts, recompute."""

import csv
from collections.abc import Sequence
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from cleanprod.ingest.parsing import FileOptions, LongLayout, ParseError, WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering import store
from cleanprod.metering.models import (
    DailyRollup,
    Finding,
    HourlyRollup,
    Meter,
    MeterReplacement,
    Reading,
    ReadingChange,
)
from cleanprod.metering.services import rebuild_meter
from cleanprod.organization.models import Enterprise, Site
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def plant() -> Site:
    enterprise = Enterprise.objects.create(name="Plant group", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    return Site.objects.create(enterprise=enterprise, code="plant", name="Plant", time_zone="Asia/Shanghai")


def add_meter(site: Site, code: str, kind: str = "interval", unit: str = "kWh", minutes: int = 15, **extra) -> Meter:
    electricity = Resource.objects.get(code="electricity")
    meter = Meter(
        site=site,
        code=code,
        name=code,
        resource=electricity,
        unit=unit,
        reading_kind=kind,
        interval_minutes=minutes,
        **extra,
    )
    meter.full_clean()
    meter.save()
    return meter


def write(path: Path, rows: Sequence[Sequence[object]], encoding: str = "utf-8") -> Path:
    with path.open("w", newline="", encoding=encoding) as handle:
        csv.writer(handle).writerows(rows)
    return path


def run(site: Site, path: Path, layout, *, dry_run: bool = False, replace: bool = False, **options) -> dict:
    return import_readings(
        ImportRequest(
            site=site,
            path=path,
            layout=layout,
            options=FileOptions(**options),
            dry_run=dry_run,
            replace_conflicts=replace,
            rejected_path=path.with_suffix(".rejected.csv"),
        )
    )


WIDE = WideLayout(timestamp_columns=("timestamp",))
LONG = LongLayout(timestamp_columns=("timestamp",), meter_column="meter", value_column="value")


def rollups(meter: Meter) -> tuple[list[tuple], list[tuple]]:
    hourly = list(
        HourlyRollup.objects.filter(meter=meter)
        .order_by("hour_start")
        .values_list("hour_start", "quantity", "estimated", "suspect", "covered_seconds")
    )
    daily = list(
        DailyRollup.objects.filter(meter=meter)
        .order_by("day")
        .values_list("day", "quantity", "estimated", "suspect", "covered_seconds")
    )
    return hourly, daily


def test_dry_run_stores_nothing_and_counts_exactly(plant, tmp_path):
    meter = add_meter(plant, "M1")
    path = write(tmp_path / "a.csv", [["timestamp", "M1"], ["2024-03-01 00:15", "1.5"], ["2024-03-01 00:30", "2.5"]])

    report = run(plant, path, WIDE, dry_run=True)

    assert report["inserted"] == 2
    assert report["dry_run"] is True
    assert Reading.objects.filter(meter=meter).count() == 0
    assert HourlyRollup.objects.count() == 0


def test_reimport_adds_nothing_and_says_so(plant, tmp_path):
    meter = add_meter(plant, "M1")
    path = write(tmp_path / "a.csv", [["timestamp", "M1"], ["2024-03-01 00:15", "1.5"], ["2024-03-01 00:30", "2.5"]])

    first = run(plant, path, WIDE)
    second = run(plant, path, WIDE)

    assert first["inserted"] == 2
    assert second["inserted"] == 0
    assert second["duplicates_identical"] == 2
    assert [item["batch"] for item in second["already_imported"]] == [first["batch"]]
    assert Reading.objects.filter(meter=meter).count() == 2
    assert DailyRollup.objects.get(meter=meter).quantity == pytest.approx(4.0)


def test_interval_values_become_canonical_rollups(plant, tmp_path):
    meter = add_meter(plant, "M1", unit="Wh")
    rows = [["timestamp", "M1"]] + [[f"2024-03-01 00:{minute:02d}", "1000"] for minute in (15, 30, 45)]
    rows.append(["2024-03-01 01:00", "1000"])
    run(plant, write(tmp_path / "wh.csv", rows), WIDE)

    hourly, daily = rollups(meter)

    # Labels are interval ends, so 00:15 … 01:00 are the four quarters of local hour 00–01.
    assert len(hourly) == 1
    assert hourly[0][0] == datetime(2024, 2, 29, 16, tzinfo=UTC)
    assert hourly[0][1] == pytest.approx(4.0)  # 4 × 1000 Wh = 4 kWh
    assert daily[0][0] == date(2024, 3, 1)
    assert daily[0][4] == pytest.approx(3600.0)


def test_duplicate_rows_in_one_file_are_collapsed_and_flagged(plant, tmp_path):
    """Every timestamp twice, one with two different values: the total counts each interval once."""
    meter = add_meter(plant, "M1", timestamp_convention="start")
    rows = [["meter", "timestamp", "value"]]
    for stamp, value in [
        ("00:00", "2.10"),
        ("00:00", "2.10"),
        ("00:15", "1.95"),
        ("00:15", "1.95"),
        ("00:30", "2.40"),
        ("00:30", "2.45"),
        ("00:45", "2.05"),
        ("00:45", "2.05"),
    ]:
        rows.append(["M1", f"2024-03-01 {stamp}", value])

    report = run(plant, write(tmp_path / "dup.csv", rows), LONG)

    assert report["duplicates_identical"] == 3
    assert report["inserted"] == 4
    # The discarded 2.40 is accounted for: every value read is inserted, a duplicate or rejected.
    assert report["conflicts_in_file"] == 1
    assert report["rejected_by_code"] == {"conflict_in_file": 1}
    assert report["rejected_sample"][0]["value"] == "2.4"
    assert "2024-03-01 00:30:00" in report["rejected_sample"][0]["message"]
    assert Reading.objects.get(meter=meter, timestamp=datetime(2024, 2, 29, 16, 30, tzinfo=UTC)).value == 2.45
    assert HourlyRollup.objects.get(meter=meter).quantity == pytest.approx(8.55)
    conflict = Finding.objects.get(meter=meter, code="import.conflict")
    assert conflict.evidence["kept"] == 2.45
    assert conflict.evidence["discarded"] == 2.40


def test_out_of_order_batch_gives_no_negative_interval(plant, tmp_path):
    meter = add_meter(plant, "C1", kind="cumulative")
    rows = [["meter", "timestamp", "value"], ["C1", "2024-04-10T09:45:00+08:00", "1490.0"]]
    run(plant, write(tmp_path / "stored.csv", rows), LONG)
    batch = [
        ["meter", "timestamp", "value"],
        ["C1", "2024-04-10T10:30:00+08:00", "1520.0"],
        ["C1", "2024-04-10T10:00:00+08:00", "1500.0"],
        ["C1", "2024-04-10T10:15:00+08:00", "1512.5"],
    ]

    run(plant, write(tmp_path / "batch.csv", batch), LONG)

    consumption = list(Reading.objects.filter(meter=meter).order_by("timestamp").values_list("consumption", flat=True))
    assert consumption == [None, pytest.approx(10.0), pytest.approx(12.5), pytest.approx(7.5)]
    assert DailyRollup.objects.get(meter=meter).quantity == pytest.approx(30.0)


def test_late_reading_recomputes_the_intervals_it_splits(plant, tmp_path):
    meter = add_meter(plant, "C1", kind="cumulative")
    rows = [["meter", "timestamp", "value"]] + [
        ["C1", f"2024-04-10 10:{minute:02d}", str(1000 + minute)] for minute in (0, 15, 45)
    ]
    run(plant, write(tmp_path / "a.csv", rows), LONG)
    late = [["meter", "timestamp", "value"], ["C1", "2024-04-10 10:30", "1020"]]

    run(plant, write(tmp_path / "late.csv", late), LONG)

    consumption = list(Reading.objects.filter(meter=meter).order_by("timestamp").values_list("consumption", flat=True))
    assert consumption == [None, pytest.approx(15.0), pytest.approx(5.0), pytest.approx(25.0)]
    assert DailyRollup.objects.get(meter=meter).quantity == pytest.approx(45.0)


def test_conflicting_value_is_rejected_unless_replace_is_chosen(plant, tmp_path):
    meter = add_meter(plant, "M1")
    run(plant, write(tmp_path / "a.csv", [["timestamp", "M1"], ["2024-03-01 00:15", "1.5"]]), WIDE)
    changed = write(tmp_path / "b.csv", [["timestamp", "M1"], ["2024-03-01 00:15", "9.5"]])

    rejected = run(plant, changed, WIDE)
    assert rejected["conflicts_rejected"] == 1
    assert rejected["rejected_by_code"] == {"conflict": 1}
    assert Reading.objects.get(meter=meter).value == 1.5

    replaced = run(plant, changed, WIDE, replace=True)
    assert replaced["conflicts_replaced"] == 1
    assert Reading.objects.get(meter=meter).value == 9.5
    change = ReadingChange.objects.get(meter=meter)
    assert (change.old_value, change.new_value) == (1.5, 9.5)
    assert DailyRollup.objects.get(meter=meter).quantity == pytest.approx(9.5)


def test_unknown_meter_values_are_rejected_with_the_fix(plant, tmp_path):
    add_meter(plant, "M1")
    path = write(tmp_path / "a.csv", [["timestamp", "M1", "M9"], ["2024-03-01 00:15", "1.5", "7"]])

    report = run(plant, path, WIDE)

    assert report["inserted"] == 1
    assert report["rejected_by_code"] == {"unknown_meter": 1}
    assert "M9" in report["rejected_sample"][0]["message"]
    rejected_lines = path.with_suffix(".rejected.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(rejected_lines) == 2  # header plus the one rejected value


def test_unmapped_column_fails_the_whole_file(plant, tmp_path):
    add_meter(plant, "M1")
    path = write(tmp_path / "a.csv", [["timestamp", "M1", "note"], ["2024-03-01 00:15", "1.5", "x"]])
    layout = WideLayout(timestamp_columns=("timestamp",), meter_columns={"M1": "M1"})

    with pytest.raises(ParseError) as caught:
        run(plant, path, layout)

    assert caught.value.code == "unmapped_columns"
    assert "note" in str(caught.value)
    assert Reading.objects.count() == 0


def test_failure_mid_import_leaves_nothing_stored(plant, tmp_path, monkeypatch, settings):
    settings.CLEANPROD_IMPORT_CHUNK_ROWS = 2
    meter = add_meter(plant, "M1")
    rows = [["timestamp", "M1"]] + [[f"2024-03-01 0{hour}:00", "1"] for hour in range(1, 8)]
    calls = {"count": 0}
    original = store.add_rollups

    def failing(*args, **kwargs):
        calls["count"] += 1
        if calls["count"] > 3:
            raise RuntimeError("disk full")
        return original(*args, **kwargs)

    monkeypatch.setattr(store, "add_rollups", failing)
    with pytest.raises(RuntimeError):
        run(plant, write(tmp_path / "a.csv", rows), WIDE)

    assert Reading.objects.filter(meter=meter).count() == 0
    assert DailyRollup.objects.filter(meter=meter).count() == 0


def test_counter_gap_total_is_exact_and_only_its_split_estimated(plant, tmp_path):
    meter = add_meter(plant, "C1", kind="cumulative", minutes=60)
    rows = [["meter", "timestamp", "value"]]
    value = 5000.0
    for hour in range(25):
        if 8 <= hour <= 11:
            continue
        stamp = f"2024-03-05 {hour:02d}:00" if hour < 24 else "2024-03-06 00:00"
        value = 5000.0 + hour * 10.125
        rows.append(["C1", stamp, f"{value:.3f}"])
    run(plant, write(tmp_path / "gap.csv", rows), LONG)

    day = DailyRollup.objects.get(meter=meter, day=date(2024, 3, 5))
    assert day.quantity == pytest.approx(243.0)
    assert day.estimated == pytest.approx(0.0)
    gap_hours = HourlyRollup.objects.filter(meter=meter, estimated__gt=0)
    assert gap_hours.count() == 5  # 07–12 local is one interval spread over 5 hours
    assert all(hour.quantity >= 0 for hour in HourlyRollup.objects.filter(meter=meter))


def test_local_day_is_cut_at_site_midnight(plant, tmp_path):
    """Hourly data for an Asia/Shanghai site: days follow local midnights, not UTC ones."""
    meter = add_meter(plant, "M1", minutes=60, timestamp_convention="start")
    rows = [["meter", "timestamp", "value"]]
    for hour in range(24):
        rows.append(["M1", f"2024-03-01 {hour:02d}:00", "50" if 8 <= hour < 20 else "10"])
    for hour in range(24):
        rows.append(["M1", f"2024-03-02 {hour:02d}:00", "5"])
    run(plant, write(tmp_path / "days.csv", rows), LONG)

    days = dict(DailyRollup.objects.filter(meter=meter).values_list("day", "quantity"))
    assert days[date(2024, 3, 1)] == pytest.approx(720.0)
    assert days[date(2024, 3, 2)] == pytest.approx(120.0)


def test_meter_exchange_never_differences_across_serials(plant, tmp_path):
    meter = add_meter(plant, "C1", kind="cumulative", minutes=1440)
    MeterReplacement.objects.create(
        meter=meter,
        replaced_at=datetime(2024, 5, 19, 16, tzinfo=UTC),
        old_final_reading=48102.5,
        new_initial_reading=0.4,
    )
    rows = [
        ["meter", "timestamp", "value"],
        ["C1", "2024-05-01 00:00", "47980.0"],
        ["C1", "2024-05-20 00:00", "48102.5"],
        ["C1", "2024-05-31 00:00", "96.9"],
    ]

    run(plant, write(tmp_path / "swap.csv", rows), LONG)

    total = sum(DailyRollup.objects.filter(meter=meter).values_list("quantity", flat=True))
    assert total == pytest.approx(219.0)
    assert not Reading.objects.filter(meter=meter, consumption__lt=0).exists()


def test_gbk_file_with_bom_free_chinese_headers(plant, tmp_path):
    meter = add_meter(plant, "M1")
    path = tmp_path / "gbk.csv"
    path.write_bytes("日期,M1\n2024-03-01 00:15,1234.5\n".encode("gbk"))
    layout = WideLayout(timestamp_columns=("日期",))

    report = run(plant, path, layout)

    assert report["encoding"] == "GB18030"
    assert Reading.objects.get(meter=meter).value == 1234.5


def test_appended_and_rebuilt_rollups_agree(plant, tmp_path, settings):
    """Streaming derivation in chunks gives what a full recompute from stored readings gives."""
    settings.CLEANPROD_IMPORT_CHUNK_ROWS = 7
    counter = add_meter(plant, "C1", kind="cumulative")
    interval = add_meter(plant, "M1")
    rows = [["timestamp", "C1", "M1"]]
    value = 100.0
    for step in range(200):
        hour, minute = divmod(15 * step, 60)
        value += (step % 7) * 0.5
        if step == 120:
            value = 0.4  # counter reset
        rows.append([f"2024-03-{1 + hour // 24:02d} {hour % 24:02d}:{minute:02d}", f"{value:.2f}", f"{step % 5}"])
    run(plant, write(tmp_path / "a.csv", rows), WIDE)
    streamed = rollups(counter), rollups(interval)
    derived = list(Reading.objects.order_by("meter_id", "timestamp").values_list("consumption", "consumption_quality"))

    rebuild_meter(counter)
    rebuild_meter(interval)

    for before, after in zip(streamed, (rollups(counter), rollups(interval)), strict=True):
        for level_before, level_after in zip(before, after, strict=True):
            assert differences(level_before, level_after) == []
    rebuilt = list(Reading.objects.order_by("meter_id", "timestamp").values_list("consumption", "consumption_quality"))
    assert differences(derived, rebuilt) == []


def differences(left: list[tuple], right: list[tuple]) -> list[tuple]:
    """Rows that differ, floats compared to 1e-9 relative (sums in another order round differently)."""
    assert len(left) == len(right)
    return [
        (a, b)
        for a, b in zip(left, right, strict=True)
        if any(
            (x is None) != (y is None)
            or (isinstance(x, float) and y is not None and x != pytest.approx(y, rel=1e-9))
            or (not isinstance(x, float) and x != y)
            for x, y in zip(a, b, strict=True)
        )
    ]
