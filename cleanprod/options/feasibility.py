"""Feasibility analysis of an option: the economic evaluation from its stored inputs, and the conclusion.

The results are computed on display from the stored inputs. When the audit team records the
conclusion, the numbers shown are frozen into ``Feasibility.frozen_result`` so the decision
keeps the figures it was based on even if a rate of the audit changes later.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from .economics import (
    CashFlowEvaluation,
    EconomicEvaluation,
    EconomicInputError,
    EconomicInputs,
    IrrResult,
    SensitivityRow,
    add_flows,
    evaluate,
    evaluate_cash_flows,
    sensitivity,
)
from .models import Conclusion, Feasibility, Option
from .services import EffectRow, change_status, effect_rows, total_co2
from .workflow import OptionStatus

SENSITIVITY_CHANGES = (-0.2, -0.1, 0.0, 0.1, 0.2)


@dataclass(frozen=True, slots=True)
class Rates:
    """The rates an evaluation uses, and which of them differ from the audit's."""

    tax_rate: Decimal
    depreciation_years: int
    discount_rate: Decimal
    life_years: int | None
    overridden: tuple[str, ...]


def effective_rates(feasibility: Feasibility) -> Rates:
    audit = feasibility.option.audit
    overridden = tuple(
        name
        for name, own, default in (
            ("tax_rate", feasibility.tax_rate, audit.tax_rate),
            ("depreciation_years", feasibility.depreciation_years, audit.depreciation_years),
            ("discount_rate", feasibility.discount_rate, audit.discount_rate),
        )
        if own is not None and own != default
    )
    return Rates(
        tax_rate=feasibility.tax_rate if feasibility.tax_rate is not None else audit.tax_rate,
        depreciation_years=feasibility.depreciation_years or audit.depreciation_years,
        discount_rate=feasibility.discount_rate if feasibility.discount_rate is not None else audit.discount_rate,
        life_years=feasibility.life_years,
        overridden=overridden,
    )


def economic_inputs(feasibility: Feasibility) -> EconomicInputs:
    """Build the evaluation inputs; raise EconomicInputError for values the evaluation rejects."""
    rates = effective_rates(feasibility)
    return EconomicInputs(
        investment=float(feasibility.investment),
        subsidy=float(feasibility.subsidy),
        revenue_increase=float(feasibility.revenue_increase),
        cost_saving=float(feasibility.cost_saving),
        tax_rate=float(rates.tax_rate),
        depreciation_years=rates.depreciation_years,
        discount_rate=float(rates.discount_rate),
        life_years=rates.life_years,
    )


def extra_flow_list(feasibility: Feasibility) -> list[tuple[int, float]]:
    """Return the irregular flows as (year, amount in 万元), in year order."""
    return [
        (year, float(amount))
        for year, amount in feasibility.extra_flows.order_by("year", "pk").values_list("year", "amount")
    ]


def _irr_json(irr: IrrResult) -> dict[str, Any]:
    return {"status": irr.status, "roots": list(irr.roots), "value": irr.value, "interpolated": irr.interpolated}


def _sensitivity_json(row: SensitivityRow) -> dict[str, Any]:
    return {
        "variable": row.variable,
        "change": row.change,
        "npv": row.npv,
        "irr": _irr_json(row.irr),
        "static_payback": row.static_payback,
        "dynamic_payback": row.dynamic_payback,
    }


def _cash_flow_json(result: CashFlowEvaluation) -> dict[str, Any]:
    return {
        "flows": list(result.flows),
        "npv": result.npv,
        "npvr": result.npvr,
        "irr": _irr_json(result.irr),
        "mirr": result.mirr,
        "static_payback": result.static_payback,
        "dynamic_payback": result.dynamic_payback,
    }


def evaluation_json(
    inputs: EconomicInputs,
    evaluation: EconomicEvaluation,
    rows: list[SensitivityRow],
    irregular: CashFlowEvaluation | None,
) -> dict[str, Any]:
    """Return the results as plain JSON values, the form in which they are shown, exported and frozen."""
    return {
        "inputs": {
            "investment": inputs.investment,
            "subsidy": inputs.subsidy,
            "revenue_increase": inputs.revenue_increase,
            "cost_saving": inputs.cost_saving,
            "tax_rate": inputs.tax_rate,
            "depreciation_years": inputs.depreciation_years,
            "discount_rate": inputs.discount_rate,
            "life_years": inputs.life,
        },
        "total_investment": evaluation.total_investment,
        "annual_saving": evaluation.annual_saving,
        "depreciation": evaluation.depreciation,
        "taxable_profit": evaluation.taxable_profit,
        "net_profit": evaluation.net_profit,
        "cash_flow": evaluation.cash_flow,
        "static_payback": evaluation.static_payback,
        "npv": evaluation.npv,
        "npvr": evaluation.npvr,
        "irr": _irr_json(evaluation.irr),
        "mirr": evaluation.mirr,
        "dynamic_payback": evaluation.dynamic_payback,
        "cash_flows": list(evaluation.cash_flows),
        "sensitivity": [_sensitivity_json(row) for row in rows],
        # Results frozen before the sensitivity rows included the irregular flows lack this key.
        "sensitivity_with_irregular": irregular is not None,
        "irregular": _cash_flow_json(irregular) if irregular is not None else None,
    }


@dataclass(frozen=True, slots=True)
class FeasibilitySummary:
    """The feasibility results of one option, as the page, the export and the report show them.

    ``numbers`` is the JSON of ``evaluation_json``: the frozen one once a conclusion is
    recorded, the live one otherwise. ``error`` explains why there are no numbers.
    """

    feasibility: Feasibility
    rates: Rates
    numbers: dict[str, Any] | None
    frozen: bool
    effects: list[EffectRow]
    co2_tonnes: float | None
    error: str = ""
    error_field: str = ""


def live_numbers(feasibility: Feasibility) -> dict[str, Any]:
    """Evaluate the stored inputs now; raise EconomicInputError for invalid ones."""
    inputs = economic_inputs(feasibility)
    evaluation = evaluate(inputs)
    extras = extra_flow_list(feasibility)
    rows = sensitivity(inputs, SENSITIVITY_CHANGES, extras)
    flows = add_flows(evaluation.cash_flows, extras) if extras else None
    irregular = evaluate_cash_flows(flows, inputs.discount_rate) if flows is not None else None
    return evaluation_json(inputs, evaluation, rows, irregular)


def feasibility_summary(option: Option) -> FeasibilitySummary | None:
    """Summarise the option's feasibility analysis; None when it has none."""
    feasibility = Feasibility.objects.filter(option=option).select_related("option__audit__site").first()
    if feasibility is None:
        return None
    effects = effect_rows(option)
    rates = effective_rates(feasibility)
    frozen = bool(feasibility.conclusion) and feasibility.frozen_result is not None
    if frozen:
        return FeasibilitySummary(feasibility, rates, feasibility.frozen_result, True, effects, total_co2(effects))
    try:
        numbers = live_numbers(feasibility)
    except EconomicInputError as error:
        return FeasibilitySummary(
            feasibility, rates, None, False, effects, total_co2(effects), error.message, error.field
        )
    return FeasibilitySummary(feasibility, rates, numbers, False, effects, total_co2(effects))


CONCLUSION_STATUS = {Conclusion.FEASIBLE: OptionStatus.FEASIBLE, Conclusion.NOT_FEASIBLE: OptionStatus.NOT_FEASIBLE}


@transaction.atomic
def record_conclusion(feasibility: Feasibility, conclusion: str, reason: str, *, acting_user: User) -> None:
    """Freeze the current results, store the conclusion and move the option to feasible or not feasible.

    Raise EconomicInputError when the inputs cannot be evaluated and TransitionError when the
    option's status does not allow the move (it must be screened in first).
    """
    numbers = live_numbers(feasibility)
    option = feasibility.option
    target = CONCLUSION_STATUS[Conclusion(conclusion)]
    if option.status != target:
        change_status(option, target, acting_user=acting_user, comment=reason)
    feasibility.conclusion = conclusion
    feasibility.conclusion_reason = reason.strip()
    feasibility.concluded_by = acting_user
    feasibility.concluded_at = timezone.now()
    feasibility.frozen_result = numbers
    feasibility.save()


@transaction.atomic
def reopen(feasibility: Feasibility) -> None:
    """Clear the conclusion and the frozen numbers so the inputs can be changed; the status stays."""
    feasibility.conclusion = ""
    feasibility.frozen_result = None
    feasibility.concluded_at = None
    feasibility.concluded_by = None
    feasibility.save()
