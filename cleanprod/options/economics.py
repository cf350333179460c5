"""Economic evaluation of a medium- or high-cost cleaner production option (中/高费方案经济评估).

The method is the one of the cleaner production audit handbook (企业清洁生产审核手册) used in the
feasibility analysis phase (可行性分析). Money is in 10,000 CNY (万元) and periods are years:

- total investment I = investment − subsidy;
- annual saving P = increase in revenue + decrease in total operating cost;
- annual depreciation D = I / Y, straight line over Y years without salvage value;
- taxable profit T = P − D, net profit E = T × (1 − tax rate);
- annual cash flow F = E + D;
- static payback N = I / F (投资偿还期);
- NPV = Σ_{j=1..n} F/(1 + i)^j − I, with n the economic life and i the discount rate;
- NPVR = NPV / I; IRR is the rate at which NPV = 0, and the handbook interpolates it linearly
  between two adjacent table rates: IRR = i₁ + NPV₁·(i₂ − i₁)/(NPV₁ + |NPV₂|).

The handbook accepts an option when N is below the norm for its cost class, NPV ≥ 0 and
IRR ≥ the benchmark rate or the bank loan rate. Among accepted options, the larger NPVR ranks first.

Discounting follows numpy-financial's convention: the investment is at t = 0, undiscounted.
Nothing is rounded here; round only for display.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from django.utils.translation import gettext_lazy as _

from cleanprod.options import finance

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

__all__ = [
    "CashFlowEvaluation",
    "EconomicEvaluation",
    "EconomicInputError",
    "EconomicInputs",
    "IrrResult",
    "SensitivityRow",
    "evaluate",
    "evaluate_cash_flows",
    "sensitivity",
]

# Maximum depreciation period or economic life, in years. A longer one is most likely months
# entered as years; the handbook's examples use 10 years.
MAX_YEARS = 100


# Names of the checked inputs as the user sees them, for the error messages.
FIELD_LABELS: dict[str, _StrPromise] = {
    "investment": _("Investment"),
    "subsidy": _("Subsidy"),
    "revenue_increase": _("Annual revenue increase"),
    "cost_saving": _("Annual operating cost saving"),
    "tax_rate": _("Tax rate"),
    "depreciation_years": _("Depreciation period"),
    "discount_rate": _("Discount rate"),
    "life_years": _("Economic life"),
    "flows": _("Cash flows"),
    "changes": _("Sensitivity changes"),
}

_FLOAT_FIELDS = ("investment", "subsidy", "revenue_increase", "cost_saving", "tax_rate", "discount_rate")


class EconomicInputError(ValueError):
    """An invalid input of the economic evaluation, naming the field and how to fix it.

    ``field`` is the name of the ``EconomicInputs`` attribute (or ``"flows"``,
    ``"discount_rate"``, ``"changes"``) so a form can attach the message to its field.
    The message is rendered in the language active when it is read.
    """

    def __init__(self, field: str, code: str, template: _StrPromise, **params: object) -> None:
        self.field = field
        self.code = code
        self.template = template
        self.params: dict[str, object] = {"field": FIELD_LABELS.get(field, field), **params}
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.template) % self.params

    def __str__(self) -> str:
        return self.message


def _is_number(value: object) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool) and math.isfinite(value)


def _require_finite(field: str, value: float) -> None:
    if not _is_number(value):
        raise EconomicInputError(
            field, "not_a_number", _("%(field)s must be a finite number, got %(value)s."), value=value
        )


def _require_years(field: str, value: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= MAX_YEARS:
        raise EconomicInputError(
            field,
            "invalid_years",
            _("%(field)s must be a whole number of years from 1 to %(maximum)d, got %(value)s."),
            value=value,
            maximum=MAX_YEARS,
        )


def _require_rate(field: str, value: float) -> None:
    """Check a rate given as a fraction; 8 entered for 8 % is the usual slip."""
    _require_finite(field, value)
    if not 0 <= value < 1:
        raise EconomicInputError(
            field,
            "rate_out_of_range",
            _("%(field)s must be a fraction from 0 up to but excluding 1, got %(value)s; enter 8 %% as 0.08."),
            value=value,
        )


def _check_investment(investment: float, subsidy: float) -> None:
    _require_finite("investment", investment)
    if investment < 0:
        raise EconomicInputError(
            "investment",
            "negative_investment",
            _("%(field)s must not be negative, got %(value)s; enter the amount spent as a positive number."),
            value=investment,
        )
    _require_finite("subsidy", subsidy)
    if subsidy < 0:
        raise EconomicInputError(
            "subsidy",
            "negative_subsidy",
            _("%(field)s must not be negative, got %(value)s; enter 0 when there is no subsidy."),
            value=subsidy,
        )
    if subsidy > investment:
        raise EconomicInputError(
            "subsidy",
            "subsidy_exceeds_investment",
            _(
                "%(field)s %(value)s is larger than the investment %(investment)s; "
                "the subsidy can cover at most the whole investment."
            ),
            value=subsidy,
            investment=investment,
        )


@dataclass(frozen=True)
class EconomicInputs:
    """Inputs of the handbook's economic evaluation of one option, money in 10,000 CNY (万元).

    Construction checks every field and raises ``EconomicInputError`` on the first invalid one.
    Money and rate fields given as ``int`` or ``Decimal`` (model fields) are stored as ``float``.
    """

    investment: float  # total investment before subsidies
    subsidy: float = 0.0
    revenue_increase: float = 0.0  # per year
    cost_saving: float = 0.0  # decrease in total operating cost per year; negative for an increase
    tax_rate: float = 0.25
    depreciation_years: int = 10
    discount_rate: float = 0.08
    life_years: int | None = None  # economic life; None means depreciation_years

    def __post_init__(self) -> None:
        for name in _FLOAT_FIELDS:
            value = getattr(self, name)
            if isinstance(value, Decimal) or (isinstance(value, int) and not isinstance(value, bool)):
                object.__setattr__(self, name, float(value))

        _check_investment(self.investment, self.subsidy)
        _require_finite("revenue_increase", self.revenue_increase)
        _require_finite("cost_saving", self.cost_saving)
        _require_rate("tax_rate", self.tax_rate)
        _require_years("depreciation_years", self.depreciation_years)
        _require_rate("discount_rate", self.discount_rate)
        if self.life_years is not None:
            _require_years("life_years", self.life_years)

    @property
    def life(self) -> int:
        """Economic life n in years: ``life_years``, or the depreciation period when that is not set."""
        return self.depreciation_years if self.life_years is None else self.life_years


@dataclass(frozen=True)
class IrrResult:
    """The internal rate of return, or why there is no single one.

    ``status`` is "unique" for exactly one rate, "multiple" when non-conventional cash flows
    have several (rank such options on NPV, or use MIRR), and "none" when no rate above
    −100 % makes NPV zero. ``interpolated`` is the handbook's linear interpolation between
    the whole-percent rates around the root. For conventional flows NPV is convex in the rate,
    so the interpolation lies slightly above the root (17.263 % for 17.257 % in a handbook example).
    """

    status: Literal["unique", "multiple", "none"]
    roots: tuple[float, ...]
    value: float | None
    interpolated: float | None


@dataclass(frozen=True)
class CashFlowEvaluation:
    """Discounted-cash-flow results of one series of yearly flows, the first at t = 0."""

    flows: tuple[float, ...]
    discount_rate: float
    npv: float
    npvr: float | None  # NPV / present value of the outflows; None without outflows
    irr: IrrResult
    mirr: float | None  # at discount_rate for finance and reinvestment; None without both signs
    static_payback: float | None
    dynamic_payback: float | None


@dataclass(frozen=True)
class EconomicEvaluation:
    """The handbook's quantities for one option; see the module docstring for the formulas."""

    inputs: EconomicInputs
    total_investment: float  # I
    annual_saving: float  # P
    depreciation: float  # D
    taxable_profit: float  # T
    net_profit: float  # E
    cash_flow: float  # F, of a year within the depreciation period
    static_payback: float | None  # N = I / F; None when F <= 0
    npv: float
    npvr: float | None  # NPV / I; None when I == 0
    irr: IrrResult
    mirr: float | None
    dynamic_payback: float | None
    cash_flows: tuple[float, ...]  # -I at t = 0, then the cash flow of each year of the economic life


@dataclass(frozen=True)
class SensitivityRow:
    """Results with the investment or the annual saving changed by ``change`` (−0.1 = −10 %)."""

    variable: Literal["investment", "saving"]
    change: float
    npv: float
    irr: IrrResult
    static_payback: float | None
    dynamic_payback: float | None


def _nan_to_none(value: float) -> float | None:
    return None if math.isnan(value) else value


def _interpolate_irr(flows: Sequence[float], root: float) -> float | None:
    """Interpolate the IRR linearly between the whole-percent rates i₁ ≤ root < i₂ = i₁ + 1 %.

    This is the handbook's IRR = i₁ + NPV₁·(i₂ − i₁)/(NPV₁ + |NPV₂|), written as the secant
    i₁ + (i₂ − i₁)·NPV₁/(NPV₁ − NPV₂) so it also holds for flows whose NPV rises with the rate.
    """
    lower = math.floor(root * 100) / 100
    upper = lower + 0.01
    if lower <= -1:
        return None
    npv_lower = finance.npv(lower, flows)
    npv_upper = finance.npv(upper, flows)
    if npv_lower == npv_upper:
        return None
    return lower + (upper - lower) * npv_lower / (npv_lower - npv_upper)


def _irr_result(flows: Sequence[float]) -> IrrResult:
    roots = tuple(finance.irr_roots(flows))
    if not roots:
        return IrrResult(status="none", roots=(), value=None, interpolated=None)
    if len(roots) > 1:
        return IrrResult(status="multiple", roots=roots, value=None, interpolated=None)
    return IrrResult(status="unique", roots=roots, value=roots[0], interpolated=_interpolate_irr(flows, roots[0]))


def _payback(flows: Sequence[float], discount_rate: float) -> float | None:
    """Find the fractional year after which the cumulative (discounted) cash flow stays ≥ 0.

    Within the year k where the cumulative sum turns non-negative, the standard interpolation
    N = (k − 1) + |cumulative of year k − 1| / (flow of year k) applies (建设项目经济评价方法与参数).
    Returns 0.0 when the cumulative sum never falls below zero, and None when it is negative
    at the end of the flows, so a later outlay that pulls it below zero again means no payback.
    """
    discounted = [flow / (1 + discount_rate) ** year for year, flow in enumerate(flows)]
    cumulative: list[float] = []
    total = 0.0
    for value in discounted:
        total += value
        cumulative.append(total)
    if cumulative[-1] < 0:
        return None

    last_negative = max((year for year, value in enumerate(cumulative) if value < 0), default=None)
    if last_negative is None:
        return 0.0
    year = last_negative + 1
    return last_negative + -cumulative[last_negative] / discounted[year]


def _check_flows(flows: Sequence[float], discount_rate: float) -> tuple[float, ...]:
    values = tuple(flows)
    if len(values) < 2:
        raise EconomicInputError(
            "flows",
            "too_few_flows",
            _("%(field)s needs the flow at year 0 and at least one later year, got %(count)d values."),
            count=len(values),
        )
    for year, value in enumerate(values):
        if not _is_number(value):
            raise EconomicInputError(
                "flows",
                "not_a_number",
                _("%(field)s: the flow of year %(year)d must be a finite number, got %(value)s."),
                year=year,
                value=value,
            )
    _require_rate("discount_rate", discount_rate)
    return tuple(float(value) for value in values)


def evaluate_cash_flows(flows: Sequence[float], discount_rate: float) -> CashFlowEvaluation:
    """Evaluate an irregular series of yearly net cash flows, the first at t = 0.

    For options whose flows are not the handbook's constant F, for example an overhaul cost in
    a later year. NPVR divides NPV by the present value of all outflows (the investment when
    only year 0 is negative). Both paybacks are the year after which the cumulative flow stays
    non-negative; the static one is undiscounted.
    """
    values = _check_flows(flows, discount_rate)
    net_present_value = finance.npv(discount_rate, values)
    outflows = -finance.npv(discount_rate, [min(value, 0.0) for value in values])
    return CashFlowEvaluation(
        flows=values,
        discount_rate=discount_rate,
        npv=net_present_value,
        npvr=net_present_value / outflows if outflows > 0 else None,
        irr=_irr_result(values),
        mirr=_nan_to_none(finance.mirr(values, discount_rate, discount_rate)),
        static_payback=_payback(values, 0.0),
        dynamic_payback=_payback(values, discount_rate),
    )


def evaluate(inputs: EconomicInputs) -> EconomicEvaluation:
    """Evaluate one option with the handbook's formulas (see the module docstring).

    Depreciation D is charged only in the first ``depreciation_years`` years. So when the
    economic life is longer, the later years' cash flow is P × (1 − tax rate). When it is
    shorter, the undepreciated rest is not written off. E = T × (1 − tax rate) also for a negative T:
    the option is evaluated as an increment to an enterprise that pays income tax, so its loss
    lowers the tax on the enterprise's other profit (the handbook's formula has no other case).
    """
    total_investment = inputs.investment - inputs.subsidy
    annual_saving = inputs.revenue_increase + inputs.cost_saving
    depreciation = total_investment / inputs.depreciation_years
    taxable_profit = annual_saving - depreciation
    net_profit = taxable_profit * (1 - inputs.tax_rate)
    cash_flow = net_profit + depreciation
    later_cash_flow = annual_saving * (1 - inputs.tax_rate)

    flows = [-total_investment]
    for year in range(1, inputs.life + 1):
        flows.append(cash_flow if year <= inputs.depreciation_years else later_cash_flow)

    if cash_flow <= 0:
        static_payback: float | None = None
    else:
        static_payback = total_investment / cash_flow
    cash_flow_results = evaluate_cash_flows(flows, inputs.discount_rate)
    dynamic_payback = cash_flow_results.dynamic_payback if cash_flow > 0 else None

    return EconomicEvaluation(
        inputs=inputs,
        total_investment=total_investment,
        annual_saving=annual_saving,
        depreciation=depreciation,
        taxable_profit=taxable_profit,
        net_profit=net_profit,
        cash_flow=cash_flow,
        static_payback=static_payback,
        npv=cash_flow_results.npv,
        npvr=cash_flow_results.npv / total_investment if total_investment != 0 else None,
        irr=cash_flow_results.irr,
        mirr=cash_flow_results.mirr,
        dynamic_payback=dynamic_payback,
        cash_flows=cash_flow_results.flows,
    )


def add_flows(regular: Sequence[float], extras: Sequence[tuple[int, float]]) -> list[float]:
    """Return ``regular`` with each (year, amount) of ``extras`` added to its year.

    A flow in a year beyond the economic life extends the series with zero flows up to it.
    """
    flows = list(regular)
    for year, amount in extras:
        while len(flows) <= year:
            flows.append(0.0)
        flows[year] += amount
    return flows


def sensitivity(
    inputs: EconomicInputs,
    changes: Sequence[float] = (-0.2, -0.1, 0.0, 0.1, 0.2),
    extra_flows: Sequence[tuple[int, float]] = (),
) -> list[SensitivityRow]:
    """Recompute NPV, IRR and paybacks with the investment, then the annual saving, changed.

    ``extra_flows`` are the irregular (year, amount) flows. They are added unchanged to every
    row's cash flows, because they are neither the investment nor the annual saving.

    A change of +0.1 multiplies the investment and the subsidy (so the total investment I)
    by 1.1, or the revenue increase and the cost saving (so P) by 1.1. Rows come in the order
    investment then saving, each in the order of ``changes``. A change below −1 (−100 %) is
    rejected.
    """
    for change in changes:
        if not _is_number(change):
            raise EconomicInputError(
                "changes", "not_a_number", _("%(field)s must be finite numbers, got %(value)s."), value=change
            )
        if change < -1:
            raise EconomicInputError(
                "changes",
                "change_below_minus_one",
                _("%(field)s: a change of %(value)s is below −1 (−100 %%); enter −10 %% as −0.1."),
                value=change,
            )

    rows: list[SensitivityRow] = []
    variables: tuple[Literal["investment", "saving"], ...] = ("investment", "saving")
    for variable in variables:
        for change in changes:
            factor = 1 + change
            if variable == "investment":
                changed = replace(inputs, investment=inputs.investment * factor, subsidy=inputs.subsidy * factor)
            else:
                changed = replace(
                    inputs, revenue_increase=inputs.revenue_increase * factor, cost_saving=inputs.cost_saving * factor
                )
            result = evaluate(changed)
            if extra_flows:
                flows = evaluate_cash_flows(add_flows(result.cash_flows, extra_flows), inputs.discount_rate)
                row = SensitivityRow(
                    variable, change, flows.npv, flows.irr, flows.static_payback, flows.dynamic_payback
                )
            else:
                row = SensitivityRow(
                    variable, change, result.npv, result.irr, result.static_payback, result.dynamic_payback
                )
            rows.append(row)
    return rows
