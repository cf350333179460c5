"""The options part of the audit report: register, screening, feasibility and implementation as report data.

Each function returns the frozen dataclasses of ``cleanprod.audits.report_data``, with text in
the active language, so the Word builder needs no database.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _

from cleanprod.audits import report_data as rd
from cleanprod.audits.models import AuditProject

from .export import resource_name, sensitivity_irregular_note
from .feasibility import feasibility_summary
from .models import Implementation, Option
from .screening import criterion_label, score_table, screening_ranking
from .services import EffectRow, option_register, verification_result
from .workflow import CostClass, OptionStatus

REPORT_COST_CLASS: dict[str, rd.CostClass] = {
    CostClass.LOW: "no_low",
    CostClass.MEDIUM: "medium",
    CostClass.HIGH: "high",
}


def effects_text(effects: list[EffectRow]) -> str:
    return "; ".join(
        f"{resource_name(row.effect.resource)} {row.effect.annual_quantity.normalize():f} {row.effect.unit}"
        for row in effects
    )


def report_options(audit: AuditProject) -> tuple[rd.Option, ...]:
    """Return the option register with each option's screening total (None when not fully scored)."""
    totals = screening_ranking(audit).totals()
    return tuple(
        rd.Option(
            code=row.option.code,
            title=row.option.title,
            aspect=row.option.get_aspect_display(),
            source=row.option.get_source_display(),
            cost_class=REPORT_COST_CLASS[row.option.cost_class],
            investment=row.option.investment,
            expected_effects=effects_text(row.effects),
            status=row.option.get_status_display(),
            screening_score=totals.get(row.option.pk),
        )
        for row in option_register(audit)
    )


def report_screening(audit: AuditProject) -> rd.WeightedRanking | None:
    """Return the screening ranking with the scores R of every option; None when the audit has no criteria."""
    ranking = screening_ranking(audit)
    if not ranking.criteria:
        return None

    scores = score_table(audit)
    ranked = {row.option.pk: row for row in ranking.ranked}
    candidates = []
    for option in audit.options.select_related("audit").order_by("number"):
        row = ranked.get(option.pk)
        option_scores = scores.get(option.pk, {})
        candidates.append(
            rd.RankedCandidate(
                name=f"{option.code} {option.title}",
                scores=tuple(option_scores.get(criterion.pk) for criterion in ranking.criteria),
                total=row.total if row else None,
                rank=row.rank if row else None,
                note=option.get_status_display(),
            )
        )
    candidates.sort(key=lambda candidate: (candidate.rank is None, candidate.rank or 0))

    screened_in = [
        option.code
        for option in audit.options.order_by("number")
        if option.status not in (OptionStatus.PROPOSED, OptionStatus.REJECTED)
    ]
    rejected = [option.code for option in audit.options.filter(status=OptionStatus.REJECTED).order_by("number")]
    chosen = _("Screened in: %(kept)s. Rejected: %(rejected)s.") % {
        "kept": "、".join(screened_in) or "—",
        "rejected": "、".join(rejected) or "—",
    }

    return rd.WeightedRanking(
        criteria=tuple(
            rd.WeightedCriterion(criterion_label(criterion), criterion.weight) for criterion in ranking.criteria
        ),
        candidates=tuple(candidates),
        chosen=chosen,
    )


def _percent(value: float | None) -> float | None:
    return value * 100 if value is not None else None


def _irr(irr: dict[str, Any], mirr: float | None) -> rd.Irr:
    if irr["status"] == "unique":
        return rd.Irr("unique", value_percent=irr["value"] * 100, mirr_percent=_percent(mirr))
    if irr["status"] == "multiple":
        return rd.Irr(
            "not_unique", roots_percent=tuple(root * 100 for root in irr["roots"]), mirr_percent=_percent(mirr)
        )
    return rd.Irr("none", mirr_percent=_percent(mirr))


def _economics(numbers: dict[str, Any]) -> rd.Economics:
    """Map the frozen (or live) numbers; with irregular flows NPV, IRR and paybacks are those of the total flows."""
    irregular = numbers.get("irregular")
    results = irregular or numbers
    note = ""
    if irregular:
        flows = "; ".join(f"{year}: {flow:.2f}" for year, flow in enumerate(irregular["flows"]))
        note = _(
            "NPV, NPVR, IRR and the paybacks include the irregular cash flows. "
            "Cash flows by year (10,000 CNY): %(flows)s."
        ) % {"flows": flows}
    return rd.Economics(
        investment=numbers["total_investment"],
        annual_saving=numbers["annual_saving"],
        depreciation=numbers["depreciation"],
        taxable_profit=numbers["taxable_profit"],
        net_profit=numbers["net_profit"],
        cash_flow=numbers["cash_flow"],
        static_payback_years=results["static_payback"],
        npv=results["npv"],
        npvr_percent=_percent(results["npvr"]),
        irr=_irr(results["irr"], results["mirr"]),
        dynamic_payback_years=results["dynamic_payback"],
        discount_rate_percent=numbers["inputs"]["discount_rate"] * 100,
        tax_rate_percent=numbers["inputs"]["tax_rate"] * 100,
        life_years=int(numbers["inputs"]["life_years"]),
        note=note,
    )


def _sensitivity(numbers: dict[str, Any]) -> tuple[rd.SensitivityRow, ...]:
    variables = {"investment": _("investment"), "saving": _("annual saving")}
    return tuple(
        rd.SensitivityRow(
            variable=variables[row["variable"]],
            change_percent=round(row["change"] * 100),
            npv=row["npv"],
            irr_percent=row["irr"]["value"] * 100 if row["irr"]["status"] == "unique" else None,
            static_payback_years=row["static_payback"],
        )
        for row in numbers["sensitivity"]
        if row["change"] != 0
    )


def report_feasibility(audit: AuditProject) -> tuple[rd.Feasibility, ...]:
    """Return the feasibility analyses of the audit's options, frozen numbers where a conclusion is recorded."""
    result = []
    for option in audit.options.filter(feasibility__isnull=False).select_related("audit__site").order_by("number"):
        summary = feasibility_summary(option)
        if summary is None:
            continue
        feasibility = summary.feasibility
        reductions = [
            rd.Reduction(resource_name(row.effect.resource), row.effect.unit, row.effect.annual_quantity)
            for row in summary.effects
        ]
        if summary.co2_tonnes is not None:
            reductions.append(rd.Reduction("CO2", "t", summary.co2_tonnes))
        conclusion = ""
        if feasibility.conclusion:
            conclusion = f"{feasibility.get_conclusion_display()}: {feasibility.conclusion_reason}"
        numbers = summary.numbers
        result.append(
            rd.Feasibility(
                option_code=option.code,
                option_title=option.title,
                technical=feasibility.technical_assessment,
                environmental=feasibility.environmental_assessment,
                reductions=tuple(reductions),
                economics=_economics(numbers) if numbers else None,
                sensitivity=_sensitivity(numbers) if numbers else (),
                sensitivity_note=sensitivity_irregular_note()
                if numbers and numbers.get("sensitivity_with_irregular")
                else "",
                conclusion=conclusion,
            )
        )
    return tuple(result)


def _implementation(option: Option, implementation: Implementation) -> rd.Implementation:
    verification = verification_result(option)
    unit = ""
    expected: float | None = None
    verified: float | None = None
    achieved: float | None = None
    notes: list[str] = []
    if verification is not None:
        unit = verification.unit
        expected = verification.expected
        notes = [verification.error, *verification.notes] if verification.error else list(verification.notes)
        if verification.outcome is not None:
            verified = verification.outcome.annual_saving
            achieved = verification.outcome.achieved_percent
    if expected is None:
        # Without a usable verification the expected effect is the one entered on the option.
        effects = list(option.effects.select_related("resource"))
        if effects:
            unit = effects[0].unit
            expected = float(effects[0].annual_quantity)
            others = "; ".join(
                f"{resource_name(effect.resource)} {effect.annual_quantity.normalize():f} {effect.unit}/a"
                for effect in effects[1:]
            )
            if others:
                notes.append(_("Other expected effects: %(effects)s.") % {"effects": others})
    return rd.Implementation(
        option_code=option.code,
        option_title=option.title,
        planned_investment=option.investment,
        actual_investment=implementation.actual_investment,
        in_service_on=implementation.in_service_on,
        saving_unit=f"{unit}/a" if unit else "",
        expected_saving=expected,
        verified_saving=verified,
        achieved_percent=achieved,
        note=" ".join(notes),
    )


def report_implementations(audit: AuditProject) -> tuple[rd.Implementation, ...]:
    """Return the implemented options with the saving verified from the ledger where meters are chosen."""
    options = audit.options.filter(implementation__isnull=False).select_related("audit__site", "implementation")
    return tuple(_implementation(option, option.implementation) for option in options.order_by("number"))
