"""The detector evaluation on a small seeded sample of the real steel series: metrics are computed."""

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

from cleanprod.alerts import evaluation
from cleanprod.alerts.detectors import Detection
from cleanprod.alerts.evaluation import Window
from cleanprod.alerts.workcalendar import standard_spec

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "evaluate_detectors.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evaluate_detectors", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_evaluation_on_a_small_sample_computes_every_metric() -> None:
    script = load_script()
    steel = script.steel_series(limit_days=63)
    assert steel.readings[0] == (datetime(2018, 1, 1, 0, 15, tzinfo=UTC), 3.17)
    report = evaluation.evaluate([steel], count=2, seed=7)
    assert {fault for _series, fault, _detector in report.scores} == set(evaluation.FAULTS)
    for fault, detector in evaluation.PRIMARY.items():
        total = report.combined(fault, detector)
        assert total.injected >= 1, fault
        assert total.recall is not None
        assert 0.0 <= total.recall <= 1.0
        assert total.true_events <= total.events
    # Faults with their own detector are found on this sample.
    assert report.combined("stuck", "stuck").detected == report.combined("stuck", "stuck").injected
    assert report.combined("missing", "completeness").recall == 1.0
    text = evaluation.markdown(report, title="sample", notes=["seed 7"])
    assert "| stuck | stuck |" in text
    assert "events per 30 days" in text
    assert "| spike | statistical | steel |" in text.split("## Clean-series events by calendar cause")[1]
    # The same seed gives the same injection.
    again = evaluation.inject(steel, "spike", 2, 7)[1]
    assert again == evaluation.inject(steel, "spike", 2, 7)[1]


def test_scoring_counts_overlaps_and_natural_events() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    hour = timedelta(hours=1)
    windows = [Window("spike", start, start + hour), Window("spike", start + 100 * hour, start + 101 * hour)]
    found = [
        Detection("statistical", "above", start, start + hour),
        Detection("statistical", "above", start + 50 * hour, start + 51 * hour),  # also on the clean series
        Detection("statistical", "above", start + 70 * hour, start + 71 * hour),  # false
    ]
    clean = [evaluation.Event("above", start + 50 * hour, start + 51 * hour)]
    result = evaluation.score(found, windows, timedelta(minutes=15), clean)
    assert (result.injected, result.detected, result.events, result.true_events, result.natural_events) == (
        2,
        1,
        3,
        1,
        1,
    )
    assert result.recall == 0.5
    assert result.precision == 1 / 3
    assert result.precision_injected == 0.5


def test_clean_rate_per_series() -> None:
    report = evaluation.Report()
    report.scores[("a", "spike", "statistical")] = evaluation.Score(1, 1, 1, 1)
    report.clean[("a", "statistical")] = (3, 30.0)
    report.clean[("b", "statistical")] = (6, 20.0)  # no spike injected into b
    assert report.clean_rate("statistical", "all", "spike") == 3.0
    assert report.clean_rate("statistical", "b", "spike") == 9.0
    assert report.clean_rate("drift", "a", "spike") is None


def busy_weeknights_series() -> evaluation.Series:
    """Ten weeks of hourly readings: 200 in the shifts (Mon–Fri 08–17), 10 at rest.

    Monday to Thursday nights the plant keeps running at 200 until 06:00, outside the calendar's shifts.
    """
    start = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday
    readings = []
    for step in range(10 * 7 * 24):
        hour = start + step * timedelta(hours=1)
        in_shift = hour.weekday() < 5 and 8 <= hour.hour < 17
        night_of = hour - timedelta(hours=6)  # 00:00–05:59 belongs to the night of the day before
        busy_night = night_of.weekday() < 4 and (hour.hour >= 21 or hour.hour < 6)
        readings.append((hour + timedelta(hours=1), 200.0 if in_shift or busy_night else 10.0))
    return evaluation.Series("made", timedelta(hours=1), readings, readings)


def test_off_hours_injection_skips_busy_nights() -> None:
    series = busy_weeknights_series()
    assert evaluation.rest_level_limit(series) == (10.0 + 200.0) / 2
    faulty, windows = evaluation.inject(series, "off_hours", 3, 2025)
    assert len(windows) == 3
    original = dict(series.readings)
    changed = dict(faulty.readings)
    for window in windows:
        assert window.start.hour == 21
        assert window.start.weekday() >= 4, window  # Friday, Saturday or Sunday night
        stamps = [stamp for stamp in original if window.start < stamp <= window.end]
        assert len(stamps) == 9
        assert all(original[stamp] == 10.0 for stamp in stamps), window
        assert all(changed[stamp] > original[stamp] for stamp in stamps), window


def test_off_hours_run_across_weeks() -> None:
    """A Sunday night left running 21:00–04:00: 3 hours before midnight and 4 after, 7 in all."""
    start = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday
    sunday_night = datetime(2025, 2, 23, 21, tzinfo=UTC)
    readings = []
    for step in range(10 * 7 * 24):
        hour = start + step * timedelta(hours=1)
        in_shift = hour.weekday() < 5 and 8 <= hour.hour < 17
        left_on = sunday_night <= hour < sunday_night + timedelta(hours=7)
        readings.append((hour + timedelta(hours=1), 200.0 if in_shift or left_on else 10.0))
    series = evaluation.Series("made", timedelta(hours=1), readings, readings)
    found = evaluation.events(evaluation.run_off_hours(series), timedelta(hours=1))
    monday = datetime(2025, 2, 24, tzinfo=UTC)
    # Each part alone is shorter than the 6 hours a run needs. The week of the Monday reports the whole run.
    assert found == [evaluation.Event("off_hours", sunday_night, monday + timedelta(hours=4))]


def test_idle_night_rejects_a_busy_calendar_night() -> None:
    series = busy_weeknights_series()
    use = {period.start: period.quantity for period in evaluation.hourly(series.readings, series.interval)}
    limit = evaluation.rest_level_limit(series)
    tuesday_night = datetime(2025, 1, 14, 21, tzinfo=UTC)
    friday_night = datetime(2025, 1, 17, 21, tzinfo=UTC)
    assert not evaluation._idle_night(series, tuesday_night, use, limit)
    assert evaluation._idle_night(series, friday_night, use, limit)


def test_calendar_cause_of_clean_events() -> None:
    calendar = standard_spec(official_holidays=False)  # Monday–Friday 08:00–17:00
    hour = timedelta(hours=1)
    sunday = datetime(2025, 1, 12, 10, tzinfo=UTC)
    tuesday_night = datetime(2025, 1, 14, 22, tzinfo=UTC)
    tuesday_morning = datetime(2025, 1, 14, 10, tzinfo=UTC)
    assert evaluation.calendar_cause(calendar, evaluation.Event("above", sunday, sunday + hour)) == "rest day"
    assert evaluation.calendar_cause(calendar, evaluation.Event("above", tuesday_night, tuesday_night + hour)) == (
        "outside shifts"
    )
    assert evaluation.calendar_cause(calendar, evaluation.Event("above", tuesday_morning, tuesday_morning + hour)) == (
        "in working time"
    )
