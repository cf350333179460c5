from django.utils import translation

from cleanprod.alerts.evidence import describe_slot, evidence_rows, main_rows


def test_hour_of_week_slot_names_the_weekday_and_hour() -> None:
    assert describe_slot(0) == "Monday 00:00"
    assert describe_slot(6 * 24 + 14) == "Sunday 14:00"


def test_day_kind_slots_are_said_in_words() -> None:
    assert describe_slot("rest 9") == "rest day 09:00"
    assert describe_slot("holiday 23") == "official holiday 23:00"
    assert describe_slot("working 08:00-12:00 10") == "working day with shifts 08:00-12:00 10:00"


def test_day_kind_slot_in_chinese() -> None:
    with translation.override("zh-hans"):
        assert describe_slot("working 14") == "工作日 14:00"


def test_rows_leave_out_the_main_numbers_and_label_the_rest() -> None:
    rows = evidence_rows(
        {"expected": 1.0, "actual": 2.0, "score": 9.0, "samples": 40, "partial": False, "mad": 0.123456}
    )
    # In the order of the labels table: samples, then the period flag, then the MAD.
    assert rows == [
        ("samples in the baseline", "40"),
        ("period incomplete", "no"),
        ("median absolute deviation", "0.1235"),
    ]


def _evidence_of_every_detector() -> dict[str, list[dict[str, object]]]:
    """Run each detector on a small series built to trigger it, partial and per-unit cases included."""
    from datetime import UTC, datetime, timedelta

    from cleanprod.alerts import detectors
    from cleanprod.alerts.detectors import DayCoverage, Period

    start = datetime(2025, 3, 3, tzinfo=UTC)
    hour = timedelta(hours=1)
    periods = [Period(start + index * hour, start + (index + 1) * hour, 10.0 * (index + 1)) for index in range(4)]
    now = start + 3.5 * hour  # the last period is still running
    history = [
        Period(
            start - (week + 1) * timedelta(days=7) + index * hour,
            start - (week + 1) * timedelta(days=7) + (index + 1) * hour,
            5.0 + week % 2,
        )
        for week in range(4)
        for index in range(4)
    ]
    flat = [(start + index * hour, 7.0) for index in range(10)]
    moving = [(start + index * hour, float(index)) for index in range(10)]
    drift = [(start + index * hour, 10.0 + (5.0 if index >= 5 else 0.0), 10.0) for index in range(20)]
    coverage = [DayCoverage(start.date(), 3600.0, 86400.0, start, start + timedelta(days=1))]
    found = {
        "threshold": detectors.threshold_absolute(periods, now, above=15.0, below=1000.0),
        "threshold_per_unit": detectors.threshold_per_unit(periods, [1.0, 0.0, 2.0, 1.0], now, above=1.0, below=100.0),
        "rate_of_change": detectors.rate_of_change(periods, now, max_increase_percent=10.0, max_decrease_percent=0.0),
        "off_hours": detectors.off_hours(
            periods, lambda stamp: (False, "weekday:outside_shifts"), baseload=1.0, min_hours=2
        ),
        "statistical": detectors.statistical(
            periods, history, now, local=lambda stamp: stamp, key=detectors.hour_of_week, threshold=3.0, peak_factor=1.0
        ),
        "statistical_per_unit": detectors.statistical(
            periods,
            history,
            now,
            local=lambda stamp: stamp,
            threshold=3.0,
            production=[1.0] * 4,
            history_production=[1.0] * 16,
        ),
        "stuck": detectors.stuck(flat, [moving], intervals=4),
        "drift": detectors.cusum_drift(drift, scale=1.0),
        "offline": detectors.offline(start, start + timedelta(days=1), interval_minutes=15),
        "completeness": detectors.completeness(coverage, start + timedelta(days=2)),
    }
    return {kind: [dict(item.evidence) for item in items] for kind, items in found.items()}


def test_every_detector_evidence_key_has_label() -> None:
    from cleanprod.alerts.evidence import LABELS

    evidence = _evidence_of_every_detector()
    for kind, items in evidence.items():
        assert items, f"{kind} raised nothing on its test series"
    keys = {key for items in evidence.values() for item in items for key in item}
    assert {"min_hours", "above_peak", "projection_estimate", "calendar"} <= keys
    unlabelled = keys - set(LABELS) - {"expected", "actual", "score"}
    assert unlabelled == set()


def test_evidence_codes_and_times_in_words() -> None:
    from zoneinfo import ZoneInfo

    rows = dict(
        evidence_rows(
            {"calendar": "weekday:outside_shifts", "window_start": "2019-01-03T14:00:00+00:00", "min_hours": 2},
            ZoneInfo("Asia/Seoul"),
        )
    )
    assert rows["working calendar"] == "regular weekly schedule, outside the shifts"
    assert rows["window start"] == "2019-01-03 23:00"
    assert rows["minimum successive hours"] == "2"


def test_main_rows_label_limit_with_unit() -> None:
    evidence = {"expected": 115.9006, "actual": 122.24, "score": 1.0547, "baseload": 92.72}
    rows = main_rows("off_hours", "off_hours", evidence, "kWh", None)
    assert rows == [("limit", "115.90 kWh"), ("actual", "122.24 kWh"), ("ratio to the limit", "1.05")]
    assert dict(evidence_rows(evidence, None, "kWh"))["baseload"] == "92.72 kWh"


def test_main_rows_per_unit_without_unit() -> None:
    rows = main_rows("statistical", "above_per_unit", {"expected": 120.0, "actual": 0.5, "score": 12.0}, "kWh", None)
    assert rows == [("expected", "120.00"), ("actual", "0.5"), ("robust z-score", "12.00")]


def test_main_rows_previous_period_and_missing_values() -> None:
    rows = main_rows("rate_of_change", "increase", {"expected": 12345.678}, "m3", None)
    assert rows == [("previous period", "12345.68 m3"), ("actual", "—"), ("change (%)", "—")]


def test_rows_window_start_before_end() -> None:
    rows = evidence_rows({"window_end": "2025-01-01T07:00:00+00:00", "window_start": "2025-01-01T06:00:00+00:00"})
    assert [label for label, _value in rows] == ["window start", "window end"]
