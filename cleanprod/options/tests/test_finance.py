"""Time-value functions against numpy-financial's own test cases and against numpy-financial 1.0.0."""

import json
import math
import random
import warnings
from pathlib import Path
from typing import Any

import numpy
import numpy_financial  # type: ignore[import-untyped]
import pytest

from cleanprod.options import finance

CASES_FILE = Path(__file__).parent / "data" / "numpy_financial_cases.json"
CASES = json.loads(CASES_FILE.read_text(encoding="utf-8"))["cases"]

# Cases where numpy-financial 1.0.0 (installed) returns another value than the 2.0.0 suite expects.
DIFFERENT_IN_1_0_0 = {
    ("npv", "TestNpv.test_rate_of_negative_one_returns_nan"),
    ("nper", "TestNper.test_no_interest"),
    ("irr", "TestIrr.test_gh_39"),
    ("irr", "TestIrr.test_gh_44"),
}


def _case_id(case):
    return f"{case['function']}-{case['upstream_test']}-{CASES.index(case)}"


def _call(module: Any, case: dict[str, Any]) -> float:
    return float(getattr(module, case["function"])(**case["args"]))


def _assert_matches(actual: float, case: dict[str, Any]) -> None:
    expected = case["expected"]
    tolerance = case["tolerance"]
    if expected == "nan":
        assert math.isnan(actual), f"expected NaN, got {actual!r}"
        return
    if tolerance == "exact":
        assert actual == expected
    elif tolerance.startswith("rtol"):
        relative = float(tolerance.split()[1])
        assert actual == pytest.approx(expected, rel=relative, abs=0)
    elif tolerance.startswith("atol = 1 unit"):
        decimals = len(str(expected).split(".")[1])
        assert actual == pytest.approx(expected, abs=10**-decimals, rel=0)
    else:
        raise AssertionError(f"unknown tolerance {tolerance!r}")


@pytest.mark.parametrize("case", CASES, ids=_case_id)
def test_reference_case(case):
    if case["function"] == "irr_npv_congruence":
        values = case["args"]["values"]
        assert finance.npv(finance.irr(values), values) == pytest.approx(0, abs=1e-9)
        return

    _assert_matches(_call(finance, case), case)


def test_reference_file_has_all_cases():
    assert len(CASES) == 31


@pytest.mark.parametrize("case", [case for case in CASES if case["function"] != "irr_npv_congruence"], ids=_case_id)
def test_numpy_financial_1_0_0_differences(case):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # 1.0.0 warns on its division by zero
        actual = float(_call(numpy_financial, case))
    try:
        _assert_matches(actual, case)
        matches = True
    except AssertionError:
        matches = False

    assert matches == ((case["function"], case["upstream_test"]) not in DIFFERENT_IN_1_0_0)


def test_irr_roots_of_two_sign_changes():
    # −1000 + 3000x − 2100x² = 0 with x = 1/(1 + r): x = (3000 ± √600000)/4200.
    x_values = sorted((3000 + sign * math.sqrt(600000)) / 4200 for sign in (1, -1))
    expected = sorted(1 / x - 1 for x in x_values)

    roots = finance.irr_roots([-1000, 3000, -2100])

    assert roots == pytest.approx(expected, rel=1e-12)
    assert [round(root, 4) for root in roots] == [0.1127, 0.8873]


def test_irr_picks_root_nearest_zero():
    assert finance.irr([-1000, 3000, -2100]) == pytest.approx(0.1127016654, rel=1e-9)


def test_irr_roots_finds_double_root():
    # 1 − 2x + x² = (x − 1)² touches zero at x = 1 (r = 0) without changing sign.
    assert finance.irr_roots([1, -2, 1]) == [0.0]


def test_irr_roots_finds_close_pair():
    # (x − 1)(x − 1.0001) = 1.0001 − 2.0001x + x²: rates 0 and 1/1.0001 − 1.
    roots = finance.irr_roots([1.0001, -2.0001, 1])

    assert len(roots) == 2
    assert roots[0] == pytest.approx(1 / 1.0001 - 1, abs=1e-9)
    assert roots[1] == pytest.approx(0, abs=1e-9)


def test_irr_roots_none_for_one_sign():
    assert finance.irr_roots([1, 2, 3]) == []
    assert finance.irr_roots([-1, -2, -3]) == []
    assert finance.irr_roots([0, 0, 0]) == []


def test_irr_roots_ignores_leading_and_trailing_zeros():
    # Zeros before the flows multiply NPV by (1 + r)^−2, which has no root; zeros after add nothing.
    flows = [-100, 39, 59, 55, 20]

    assert finance.irr_roots([0, 0, *flows, 0, 0]) == pytest.approx(finance.irr_roots(flows), rel=1e-12)


def test_irr_roots_rejects_non_finite():
    with pytest.raises(ValueError, match="finite"):
        finance.irr_roots([-100, math.nan, 120])


def test_irr_raises_when_asked():
    with pytest.raises(finance.NoRealSolutionError):
        finance.irr([1, 2, 3], raise_exceptions=True)


def test_npv_discounts_first_value_not():
    # The t = 0 outlay is not discounted, unlike the first value in Excel's NPV().
    flows = [-300000, 90000, 110000, 120000, 60000]
    expected = -300000 + 90000 / 1.08 + 110000 / 1.08**2 + 120000 / 1.08**3 + 60000 / 1.08**4

    assert finance.npv(0.08, flows) == pytest.approx(expected, rel=1e-12)
    assert round(finance.npv(0.08, flows), 2) == 17002.26


def test_mirr_of_two_sign_changes():
    # (3000 × 1.08 / (1000 + 2100/1.08²))^(1/2) − 1
    expected = (3000 * 1.08 / (1000 + 2100 / 1.08**2)) ** 0.5 - 1

    assert finance.mirr([-1000, 3000, -2100], 0.08, 0.08) == pytest.approx(expected, rel=1e-12)


def test_when_rejects_unknown_value():
    with pytest.raises(ValueError, match="'end' \\(0\\) or 'begin' \\(1\\)"):
        finance.pmt(0.05, 10, 1000, when="middle")


def test_rate_raises_when_asked():
    # Every term of 100 + 100·(1 + r)^10 + 10·((1 + r)^10 − 1)/r is positive, so no rate solves it.
    with pytest.raises(finance.IterationsExceededError):
        finance.rate(10, 10, 100, 100, raise_exceptions=True)
    assert math.isnan(finance.rate(10, 10, 100, 100))


def test_nper_zero_payment_and_rate_is_nan():
    assert math.isnan(finance.nper(0, 0, 100))


def test_ipmt_before_first_period_is_nan():
    assert math.isnan(finance.ipmt(0.1, 0, 10, 100))


def test_ipmt_first_period_begin_has_no_interest():
    assert finance.ipmt(0.1, 1, 10, 100, when="begin") == 0.0


# -- Cross-check with the installed numpy-financial 1.0.0 on random inputs -------------------


def _random_conventional_flows(generator: random.Random) -> list[float]:
    years = generator.randint(2, 25)
    investment = generator.uniform(10, 10000)
    return [-investment] + [generator.uniform(0, investment / 2) for _ in range(years)]


def test_agrees_with_numpy_financial_on_conventional_flows():
    generator = random.Random(20261204)
    for _ in range(300):
        flows = _random_conventional_flows(generator)
        rate = generator.uniform(0, 0.3)

        assert finance.npv(rate, flows) == pytest.approx(float(numpy_financial.npv(rate, flows)), rel=1e-9, abs=1e-9)
        assert finance.mirr(flows, rate, rate / 2) == pytest.approx(
            float(numpy_financial.mirr(flows, rate, rate / 2)), rel=1e-9
        )
        expected_irr = float(numpy_financial.irr(flows))
        if math.isnan(expected_irr):
            assert math.isnan(finance.irr(flows))
        else:
            assert finance.irr(flows) == pytest.approx(expected_irr, rel=1e-8, abs=1e-10)


@pytest.mark.parametrize("when", ["end", "begin", 0, 1])
@pytest.mark.filterwarnings("ignore:invalid value encountered in divide:RuntimeWarning")
def test_agrees_with_numpy_financial_on_annuities(when):
    generator = random.Random(f"annuity-{when}")
    for _ in range(200):
        rate = generator.choice([0.0, generator.uniform(0.001, 0.2)])
        periods = generator.randint(1, 120)
        present = generator.uniform(-1e6, 1e6)
        future = generator.uniform(-1e5, 1e5)
        period = generator.randint(1, periods)

        payment = finance.pmt(rate, periods, present, future, when)
        assert payment == pytest.approx(float(numpy_financial.pmt(rate, periods, present, future, when)), rel=1e-9)
        assert finance.pv(rate, periods, payment, future, when) == pytest.approx(
            float(numpy_financial.pv(rate, periods, payment, future, when)), rel=1e-9, abs=1e-6
        )
        assert finance.fv(rate, periods, payment, present, when) == pytest.approx(
            float(numpy_financial.fv(rate, periods, payment, present, when)), rel=1e-9, abs=1e-6
        )
        # Where (1 + rate)^nper is large, nper is ill-conditioned, so compare with 1.0.0 there.
        # At a zero rate 1.0.0 returns (pv − fv)/pmt instead, one of its known differences.
        if rate == 0:
            assert finance.nper(rate, payment, present, future, when) == pytest.approx(periods, rel=1e-9)
        else:
            assert finance.nper(rate, payment, present, future, when) == pytest.approx(
                float(numpy_financial.nper(rate, payment, present, future, when)), rel=1e-9
            )
        assert finance.ipmt(rate, period, periods, present, future, when) == pytest.approx(
            float(numpy_financial.ipmt(rate, period, periods, present, future, when)), rel=1e-8, abs=1e-6
        )
        assert finance.ppmt(rate, period, periods, present, future, when) == pytest.approx(
            float(numpy_financial.ppmt(rate, period, periods, present, future, when)), rel=1e-8, abs=1e-6
        )
        # Newton's iteration from 0.1 can reach another root, or none; both implementations must agree.
        expected_rate = float(numpy_financial.rate(periods, payment, present, future, when))
        actual_rate = finance.rate(periods, payment, present, future, when)
        if math.isnan(expected_rate):
            assert math.isnan(actual_rate)
        else:
            assert actual_rate == pytest.approx(expected_rate, rel=1e-9, abs=1e-6)


def test_irr_roots_finds_triple_root():
    # −(1 − x)³ = −1 + 3x − 3x² + x³ has the triple root x = 1 (r = 0).
    assert finance.irr_roots([-1, 3, -3, 1]) == [0.0]


def test_irr_roots_agrees_with_numpy_roots():
    # numpy.roots finds the eigenvalues of the companion matrix; keep its real roots x > 0.
    generator = random.Random(7)
    for _ in range(300):
        flows = [generator.choice([-1, 1]) * generator.uniform(0, 1000) for _ in range(generator.randint(2, 30))]
        eigenvalues = numpy.roots(flows[::-1])
        expected = sorted(
            1 / value.real - 1 for value in eigenvalues if abs(value.imag) <= 1e-9 * abs(value) and value.real > 0
        )

        assert finance.irr_roots(flows) == pytest.approx(expected, rel=1e-6, abs=1e-9), flows
