"""The detector evaluation on a small seeded sample of the real steel series: metrics are computed."""

import importlib.util
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

from cleanprod.alerts import evaluation
from cleanprod.alerts.detectors import Detection
from cleanprod.alerts.evaluation import Window

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "evaluate_detectors.py"


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("evaluate_detectors", SCRIPT)
    assert spec is not None and spec.loader is not None
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
        assert total.recall is not None and 0.0 <= total.recall <= 1.0
        assert total.true_events <= total.events
    # Faults with their own detector are found on this sample.
    assert report.combined("stuck", "stuck").detected == report.combined("stuck", "stuck").injected
    assert report.combined("missing", "completeness").recall == 1.0
    text = evaluation.markdown(report, title="sample", notes=["seed 7"])
    assert "| stuck | stuck |" in text and "events per 30 days" in text
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
