"""Time-value-of-money functions with the conventions of numpy-financial 2.0.0, in pure Python.

The signatures, sign convention and ``when`` argument follow numpy-financial
(https://github.com/numpy/numpy-financial), which patterns its functions after the OpenDocument
formula specification (OpenFormula, OASIS ODF 1.2 part 2). Arguments are scalars only.

- Money paid out is negative and money received is positive.
- ``npv`` puts ``values[0]`` at t = 0, undiscounted. Excel's and LibreOffice's ``NPV()``
  discount the first value by one period, so ``=-300000+NPV(8%, B2:B5)`` is the spreadsheet
  form of ``npv(0.08, [-300000, ...])``.
- ``when`` is ``"end"`` (0, the default) or ``"begin"`` (1); the spellings ``"e"``,
  ``"finish"``, ``"b"``, ``"beginning"`` and ``"start"`` are accepted as in numpy-financial.
- A result that does not exist (no real IRR, ``npv`` at a rate of −100 %, a ``rate`` that does
  not converge) is ``math.nan``, as numpy-financial returns NaN. Callers that present results
  (the option economics) turn NaN into ``None``.

numpy is not imported, so these functions run without the numerical stack.
"""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence

__all__ = [
    "IterationsExceededError",
    "NoRealSolutionError",
    "fv",
    "ipmt",
    "irr",
    "irr_roots",
    "mirr",
    "nper",
    "npv",
    "pmt",
    "ppmt",
    "pv",
    "rate",
]

_WHEN_TO_NUMBER: dict[str | int, int] = {
    "end": 0,
    "e": 0,
    "finish": 0,
    0: 0,
    "begin": 1,
    "b": 1,
    "beginning": 1,
    "start": 1,
    1: 1,
}

_EPSILON = sys.float_info.epsilon


class NoRealSolutionError(ArithmeticError):
    """No real rate solves the equation (numpy-financial's exception of the same name)."""


class IterationsExceededError(ArithmeticError):
    """The iteration did not converge within the maximum number of iterations."""


def _when_number(when: str | int) -> int:
    try:
        return _WHEN_TO_NUMBER[when]
    except KeyError:
        raise ValueError(f"when must be 'end' (0) or 'begin' (1), got {when!r}.") from None


# -- Present and future values of level payments ----------------------------------------
#
# pv, fv, pmt and nper all solve the one equation of OpenFormula and numpy-financial:
#     fv + pv·(1 + rate)^nper + pmt·(1 + rate·when)/rate·((1 + rate)^nper − 1) = 0,
# which for rate = 0 becomes fv + pv + pmt·nper = 0.


def _growth(rate: float, nper: float) -> float:
    """Return (1 + rate)^nper, or NaN where that is not a real number (rate < −1, fractional nper)."""
    try:
        result = (1 + rate) ** nper
    except (ZeroDivisionError, OverflowError):
        return math.nan
    if isinstance(result, complex):
        return math.nan
    return float(result)


def _annuity_factor(rate: float, nper: float, when: int) -> float:
    """Return (1 + rate·when)·((1 + rate)^nper − 1)/rate, or nper for a zero rate."""
    if rate == 0:
        return nper
    return (1 + rate * when) * (_growth(rate, nper) - 1) / rate


def _divide(numerator: float, denominator: float) -> float:
    """Divide, or return NaN for a zero denominator where numpy-financial returns inf or NaN."""
    if denominator == 0:
        return math.nan
    return numerator / denominator


def fv(rate: float, nper: float, pmt: float, pv: float, when: str | int = "end") -> float:
    """Compute the future value after ``nper`` periods of ``pv`` and the level payment ``pmt``."""
    when_number = _when_number(when)
    if rate == 0:
        return -(pv + pmt * nper)
    return -pv * _growth(rate, nper) - pmt * _annuity_factor(rate, nper, when_number)


# ipmt and ppmt take an argument named fv, so they reach the function through this name.
_future_value = fv


def pv(rate: float, nper: float, pmt: float, fv: float = 0.0, when: str | int = "end") -> float:
    """Compute the present value of the level payment ``pmt`` over ``nper`` periods and ``fv`` at the end."""
    when_number = _when_number(when)
    return _divide(-(fv + pmt * _annuity_factor(rate, nper, when_number)), _growth(rate, nper))


def pmt(rate: float, nper: float, pv: float, fv: float = 0.0, when: str | int = "end") -> float:
    """Compute the level payment per period that turns ``pv`` into ``fv`` after ``nper`` periods.

    Returns NaN where no payment exists, e.g. for ``nper`` = 0.
    """
    when_number = _when_number(when)
    return _divide(-(fv + pv * _growth(rate, nper)), _annuity_factor(rate, nper, when_number))


def nper(rate: float, pmt: float, pv: float, fv: float = 0.0, when: str | int = "end") -> float:
    """Compute the number of periods in which the payment ``pmt`` turns ``pv`` into ``fv``.

    Returns NaN when no number of periods solves the equation: a zero payment at a zero rate,
    or a logarithm of a non-positive number. For a zero rate the result is −(fv + pv)/pmt as
    in numpy-financial 2.0.0; numpy-financial 1.0.0 returned (pv − fv)/pmt.
    """
    when_number = _when_number(when)
    if rate == 0:
        if pmt == 0:
            return math.nan
        return -(fv + pv) / pmt
    if rate <= -1:
        return math.nan
    z = pmt * (1 + rate * when_number) / rate
    numerator = -fv + z
    denominator = pv + z
    if denominator == 0 or numerator / denominator <= 0:
        return math.nan
    return math.log(numerator / denominator) / math.log(1 + rate)


def ipmt(rate: float, per: float, nper: float, pv: float, fv: float = 0.0, when: str | int = "end") -> float:
    """Compute the interest part of the payment in period ``per`` (counted from 1).

    Returns NaN for ``per`` < 1. With payments at the beginning of each period, the first
    payment carries no interest.
    """
    when_number = _when_number(when)
    if per < 1:
        return math.nan
    total = pmt(rate, nper, pv, fv, when_number)
    remaining_balance = _future_value(rate, per - 1, total, pv, when_number)
    interest = remaining_balance * rate
    if when_number == 1:
        if per == 1:
            return 0.0
        return interest / (1 + rate)
    return float(interest)


def ppmt(rate: float, per: float, nper: float, pv: float, fv: float = 0.0, when: str | int = "end") -> float:
    """Compute the principal part of the payment in period ``per``: ``pmt − ipmt``."""
    return pmt(rate, nper, pv, fv, when) - ipmt(rate, per, nper, pv, fv, when)


def _newton_step(rate: float, nper: float, pmt: float, pv: float, fv: float, when: int) -> float:
    """Return g(r)/g′(r) for g(r) = fv + pv·(1+r)^n + pmt·(1+r·when)/r·((1+r)^n − 1)."""
    t1 = _growth(rate, nper)
    t2 = _growth(rate, nper - 1)
    g = fv + t1 * pv + pmt * (t1 - 1) * (rate * when + 1) / rate
    derivative = (
        nper * t2 * pv
        - pmt * (t1 - 1) * (rate * when + 1) / rate**2
        + nper * pmt * t2 * (rate * when + 1) / rate
        + pmt * (t1 - 1) * when / rate
    )
    return g / derivative


def rate(
    nper: float,
    pmt: float,
    pv: float,
    fv: float,
    when: str | int = "end",
    guess: float | None = None,
    tol: float | None = None,
    maxiter: int = 100,
    *,
    raise_exceptions: bool = False,
) -> float:
    """Compute the interest rate per period by Newton's iteration, as numpy-financial does.

    Starts from ``guess`` (0.1) and stops when a step is smaller than ``tol`` (1e-6).
    Returns NaN, or raises ``IterationsExceededError`` with ``raise_exceptions``, when
    ``maxiter`` steps do not converge or a step divides by zero.
    """
    when_number = _when_number(when)
    current = 0.1 if guess is None else guess
    tolerance = 1e-6 if tol is None else tol
    for _ in range(maxiter):
        try:
            following = current - _newton_step(current, nper, pmt, pv, fv, when_number)
        except (ZeroDivisionError, OverflowError):
            break
        if not math.isfinite(following):
            break
        converged = abs(following - current) < tolerance
        current = following
        if converged:
            return current
    if raise_exceptions:
        raise IterationsExceededError(f"rate did not converge within {maxiter} iterations.")
    return math.nan


# -- Discounted cash flows -----------------------------------------------------------------


def npv(rate: float, values: Sequence[float]) -> float:
    """Compute the net present value Σ values[t]/(1 + rate)^t with ``values[0]`` at t = 0.

    Returns NaN for a rate of exactly −1 (−100 %), where every later value divides by zero.
    """
    if rate == -1:
        return math.nan
    base = 1 + rate
    return math.fsum(value / base**period for period, value in enumerate(values))


def _horner(coefficients: Sequence[float], x: float) -> float:
    result = 0.0
    for coefficient in reversed(coefficients):
        result = result * x + coefficient
    return result


def _is_zero_within_rounding(coefficients: Sequence[float], x: float, value: float) -> bool:
    """Tell whether ``value`` = p(x) is zero within the rounding error bound of Horner's scheme."""
    magnitude = _horner([abs(coefficient) for coefficient in coefficients], abs(x))
    return abs(value) <= 4 * len(coefficients) * _EPSILON * magnitude


def _bisect(coefficients: Sequence[float], low: float, high: float, value_low: float) -> float:
    """Find the root of p in (low, high), where p changes sign and is monotonic, to the last bit."""
    # Bisection on doubles ends after at most ~2100 halvings (the exponent range), so the
    # bound only guards against a pathological loop.
    for _ in range(2200):
        middle = 0.5 * (low + high)
        if middle <= low or middle >= high:
            break
        value = _horner(coefficients, middle)
        if value == 0:
            return middle
        if (value < 0) == (value_low < 0):
            low, value_low = middle, value
        else:
            high = middle
    return 0.5 * (low + high)


def _real_roots_between(coefficients: Sequence[float], low: float, high: float) -> list[float]:
    """Find every real root of p(x) = Σ coefficients[k]·x^k in the open interval (low, high).

    Between two neighbouring roots of p′ the polynomial is monotonic, so it has at most one
    root there, found by bisection when p changes sign. A root of even multiplicity touches
    zero without a sign change at a root of p′, so each root of p′ where p vanishes within
    rounding counts as a root of p too. The roots of p′ come from the same method, recursively.
    """
    degree = len(coefficients) - 1
    if degree < 1:
        return []
    if degree == 1:
        root = -coefficients[0] / coefficients[1]
        return [root] if low < root < high else []

    derivative = [k * coefficients[k] for k in range(1, degree + 1)]
    critical_points = _real_roots_between(derivative, low, high)
    points = [low, *critical_points, high]
    values = [_horner(coefficients, point) for point in points]
    is_zero = [
        _is_zero_within_rounding(coefficients, point, value) for point, value in zip(points, values, strict=True)
    ]

    roots: list[float] = []
    for index in range(len(points) - 1):
        if index > 0 and is_zero[index]:
            roots.append(points[index])
        if is_zero[index] or is_zero[index + 1]:
            continue
        if (values[index] < 0) != (values[index + 1] < 0):
            roots.append(_bisect(coefficients, points[index], points[index + 1], values[index]))
    return roots


def irr_roots(values: Sequence[float]) -> list[float]:
    """Find every real rate r > −1 with NPV(r) = 0, sorted ascending.

    With x = 1/(1 + r), NPV(r) = Σ values[t]·x^t is a polynomial in x, and r > −1 is x > 0.
    Its roots are isolated between the roots of its derivative (see ``_real_roots_between``),
    so close pairs and double roots are found where sampling a grid of rates would miss them.
    Non-conventional cash flows (more than one sign change) can have several roots; cash flows
    of one sign have none. All-zero values return no roots, although every rate solves them.
    """
    coefficients = [float(value) for value in values]
    if not all(math.isfinite(value) for value in coefficients):
        raise ValueError("Cash flows must be finite numbers.")
    while coefficients and coefficients[-1] == 0:
        coefficients.pop()
    # Zeros at the start factor out as x^k, whose root x = 0 is no finite rate.
    leading_zeros = 0
    while leading_zeros < len(coefficients) and coefficients[leading_zeros] == 0:
        leading_zeros += 1
    coefficients = coefficients[leading_zeros:]
    if len(coefficients) < 2:
        return []

    # Positive rates are x in (0, 1). Rates in (−1, 0) are x > 1, searched as y = 1/x = 1 + r
    # in (0, 1) on the reversed polynomial y^n·p(1/y), so no power of a large x can overflow.
    rates = [1 / x - 1 for x in _real_roots_between(coefficients, 0.0, 1.0)]
    rates += [y - 1 for y in _real_roots_between(coefficients[::-1], 0.0, 1.0)]
    if _is_zero_within_rounding(coefficients, 1.0, _horner(coefficients, 1.0)):
        rates.append(0.0)
    rates.sort()

    distinct: list[float] = []
    for candidate in rates:
        if distinct and abs(candidate - distinct[-1]) <= 1e-12 * max(1.0, abs(candidate)):
            continue
        distinct.append(candidate)
    return distinct


def _select_irr(roots: Sequence[float]) -> float:
    """Pick one IRR from several roots as numpy-financial 2.0.0's ``_irr_default_selection`` does.

    When the roots differ in sign, only the non-negative ones are kept; then the root of
    smallest magnitude wins.
    """
    candidates = list(roots)
    if not (all(root > 0 for root in candidates) or all(root < 0 for root in candidates)):
        candidates = [root for root in candidates if root >= 0]
    return min(candidates, key=abs)


def irr(values: Sequence[float], *, raise_exceptions: bool = False) -> float:
    """Compute the internal rate of return: the rate at which ``npv`` of ``values`` is zero.

    With several roots (see ``irr_roots``) it picks the one numpy-financial 2.0.0 picks.
    Returns NaN, or raises ``NoRealSolutionError`` with ``raise_exceptions``, when no real
    rate above −100 % exists, for example when all values have the same sign.
    """
    roots = irr_roots(values)
    if not roots:
        if raise_exceptions:
            raise NoRealSolutionError("No real IRR exists for these cash flows.")
        return math.nan
    return _select_irr(roots)


def mirr(values: Sequence[float], finance_rate: float, reinvest_rate: float) -> float:
    """Compute the modified internal rate of return.

    Positive flows are compounded to the last period at ``reinvest_rate`` and negative flows
    discounted to t = 0 at ``finance_rate``:
    MIRR = (FV of positives / −PV of negatives)^(1/(n − 1)) − 1, with n the number of values.
    Returns NaN when the values lack a positive or a negative flow.
    """
    if not any(value > 0 for value in values) or not any(value < 0 for value in values):
        return math.nan
    count = len(values)
    positives = [value if value > 0 else 0.0 for value in values]
    negatives = [value if value < 0 else 0.0 for value in values]
    numerator = abs(npv(reinvest_rate, positives))
    denominator = abs(npv(finance_rate, negatives))
    return float((numerator / denominator) ** (1 / (count - 1)) * (1 + reinvest_rate) - 1)
