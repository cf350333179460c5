"""The audit report: fill `report_data.AuditReportData` from the audit and option services.

Numbers come from what the audit froze: the pre-assessment from the latest snapshot
(`services.pre_assessment`), the audit focus from the ranking stored with the decision, and
the economics from the feasibility results frozen at the conclusion (`options.report`).
Nothing here recomputes them from the ledger. Labels are translated into Simplified Chinese,
the language of the report (HJ 469-2009 layout).
"""

from __future__ import annotations

import logging
from datetime import date
from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from cleanprod.options.export import resource_name
from cleanprod.options.report import (
    report_feasibility,
    report_implementations,
    report_options,
    report_screening,
)
from cleanprod.options.services import verification_result
from cleanprod.options.verification import Basis

from . import report_data as rd
from . import services
from .balances import Closure
from .balancing import BalanceResult, balance_results
from .focus import focus_ranking
from .models import AuditProject, BalanceKind, FlowDirection
from .sankey_png import render_sankey_png

logger = logging.getLogger(__name__)

REPORT_LANGUAGE = "zh-hans"


def report_data(audit: AuditProject, today: date) -> rd.AuditReportData:
    """Return everything the Word report of ``audit`` shows, as of ``today``, with Chinese labels."""
    with translation.override(REPORT_LANGUAGE):
        return _report_data(audit, today)


def _report_data(audit: AuditProject, today: date) -> rd.AuditReportData:
    numbers = services.pre_assessment(audit)["numbers"]
    return rd.AuditReportData(
        enterprise=enterprise_profile(audit),
        audit=rd.AuditInfo(
            name=audit.name,
            kind=audit.get_kind_display(),
            trigger=audit.get_trigger_display() if audit.trigger else "",
            baseline_year=audit.baseline_year,
            started_on=audit.started_on,
            report_date=today,
            listed_on=audit.listed_on,
            completed_on=audit.finished_on,
        ),
        team=team(audit),
        work_plan=work_plan(audit),
        pre_assessment=pre_assessment(numbers) if numbers is not None else rd.PreAssessment(),
        focus_ranking=focus(audit),
        targets=targets(audit),
        balances=tuple(balance(result) for result in balance_results(audit)),
        causes=causes(audit),
        options=report_options(audit),
        screening=report_screening(audit),
        feasibility=report_feasibility(audit),
        implementations=report_implementations(audit),
        before_after=before_after(audit),
        overview=audit.report_overview,
        continuous_plan=audit.continuous_plan,
        conclusions=audit.conclusions,
    )


def enterprise_profile(audit: AuditProject) -> rd.EnterpriseProfile:
    site = audit.site
    enterprise = site.enterprise
    return rd.EnterpriseProfile(
        name=enterprise.name,
        uscc=enterprise.uscc,
        industry_code=enterprise.industry_code,
        province=enterprise.province,
        site_name=site.name,
        address=site.address,
        description=audit.enterprise_description,
    )


def team(audit: AuditProject) -> tuple[rd.TeamMember, ...]:
    return tuple(
        rd.TeamMember(row["name"], row["organisation"], str(row["role_label"]), row["responsibilities"])
        for row in services.team_table(audit)
    )


def work_plan(audit: AuditProject) -> tuple[rd.WorkPlanItem, ...]:
    return tuple(
        rd.WorkPlanItem(
            phase=str(phase["label"]),
            step=step["title"],
            owner=step["owner"],
            due=date.fromisoformat(step["due_on"]) if step["due_on"] else None,
            status=str(step["status_label"]),
        )
        for phase in services.work_plan(audit)
        for step in phase["steps"]
    )


# -- Pre-assessment, from the frozen snapshot ------------------------------------------------------


def _resource_name(item: dict[str, Any]) -> str:
    if translation.get_language().startswith("zh"):
        return str(item["name_zh"] or item["name_en"])
    return str(item["name_en"] or item["name_zh"])


def _value(result: dict[str, Any]) -> float | None:
    value = result.get("value")
    return float(value) if value is not None else None


def _unit_indicators(block: dict[str, Any]) -> rd.UnitIndicators:
    intensity: float | None = None
    intensity_unit = ""
    for product in block["products"]:
        value = _value(product["energy_kgce_per_unit"])
        if value is not None:
            intensity, intensity_unit = value, f"kgce/{product['unit']}"
            break
    return rd.UnitIndicators(
        unit_name=block["name"],
        energy_tce=_value(block["comprehensive_energy_tce"]),
        co2_t=_value(block["total_co2_t"]),
        water_m3=block["fresh_water_m3"],
        waste_t=block["solid_waste_t"] + block["hazardous_waste_t"],
        unit_consumption=intensity,
        unit_consumption_unit=intensity_unit,
        coverage_percent=block["coverage"] * 100 if block.get("coverage") is not None else None,
    )


def _priority_reason(item: dict[str, Any]) -> str:
    parts = []
    if item["in_energy_pareto"]:
        parts.append(_("within the Pareto share of energy"))
    if item["in_co2_pareto"]:
        parts.append(_("within the Pareto share of electricity CO2"))
    if item["co2_share_percent"] is not None:
        parts.append(_("electricity CO2 share %(share).1f %%") % {"share": item["co2_share_percent"]})
    return "；".join(parts)


def pre_assessment(numbers: dict[str, Any]) -> rd.PreAssessment:
    """Map the snapshot numbers: the site's consumption per resource, indicators per scope, priorities.

    Snapshots taken before CO2 was kept per resource have no ``co2_t``; their CO2 column
    stays empty rather than being recomputed with today's factors.
    """
    site = numbers["site"]
    consumption = tuple(
        rd.ResourceConsumption(
            resource=_resource_name(item),
            unit=item["unit"],
            quantity=item["quantity"],
            energy_tce=item["energy_tce"],
            co2_t=item.get("co2_t"),
        )
        for item in site["consumption"]
    )
    indicators = tuple(_unit_indicators(block) for block in [site, *numbers["units"]])
    priorities = tuple(
        rd.PriorityItem(
            rank=item["rank"],
            item=item["unit_name"] or item["unit_code"],
            score=item["energy_share_percent"],
            reason=_priority_reason(item),
        )
        for item in numbers["priorities"]
    )
    return rd.PreAssessment(consumption=consumption, indicators=indicators, priorities=priorities)


# -- Focus, targets, balances, causes -------------------------------------------------------------


def _ranking(stored: dict[str, Any], chosen: str) -> rd.WeightedRanking | None:
    criteria = stored["criteria"]
    if not stored["candidates"] or not criteria:
        return None
    ranked = {row["key"]: row for row in stored["ranked"]}
    candidates = []
    for candidate in stored["candidates"]:
        row = ranked.get(candidate["key"])
        candidates.append(
            rd.RankedCandidate(
                name=candidate["name"],
                scores=tuple(candidate["scores"].get(criterion["key"]) for criterion in criteria),
                total=row["total"] if row else None,
                rank=row["rank"] if row else None,
            )
        )
    candidates.sort(key=lambda item: (item.rank is None, item.rank or 0))
    return rd.WeightedRanking(
        criteria=tuple(rd.WeightedCriterion(criterion["label"], criterion["weight"]) for criterion in criteria),
        candidates=tuple(candidates),
        chosen=chosen,
    )


def focus(audit: AuditProject) -> rd.WeightedRanking | None:
    """Return the focus ranking as stored with the decision, or the current one while no focus is chosen."""
    decision = services.focus_decision(audit)
    if decision is not None:
        return _ranking(decision["ranking"], decision["unit_name"])
    current = focus_ranking(audit)
    return _ranking({"criteria": current.criteria, "candidates": current.candidates, "ranked": current.ranked}, "")


def targets(audit: AuditProject) -> tuple[rd.Target, ...]:
    return tuple(
        rd.Target(
            indicator=row["label"],
            unit=row["unit"],
            baseline=row["baseline"],
            near_term_value=row["near_term_value"],
            near_term_year=row["near_term_year"],
            long_term_value=row["long_term_value"],
            long_term_year=row["long_term_year"],
            near_term_reduction_percent=row["near_term_reduction_percent"],
            long_term_reduction_percent=row["long_term_reduction_percent"],
        )
        for row in services.targets_table(audit)
    )


def _closure(row: Closure, step: str) -> rd.BalanceClosure:
    return rd.BalanceClosure(
        step=step,
        inputs=row.inputs,
        outputs=row.outputs,
        difference=row.difference,
        difference_percent=row.difference_percent,
        within_tolerance=row.within_tolerance,
    )


def balance_sankey_flows(result: BalanceResult) -> list[rd.BalanceFlow]:
    """Return the links of the page's Sankey, which has one node per stream entering or leaving the boundary."""
    estimated = _("estimated")
    return [
        rd.BalanceFlow(
            str(link["source"]),
            str(link["target"]),
            str(link["name"]),
            link["value"],
            estimated if link["estimated"] else "",
        )
        for link in result.sankey.get("links", [])
    ]


def balance(result: BalanceResult) -> rd.Balance:
    """Map one closed balance; the Sankey picture is left out (None) when it cannot be drawn."""
    outside_in, outside_out = _("from outside"), _("to outside")
    estimated = _("estimated")
    flows = []
    for row in result.flows:
        source, target = row["step"], row["to_step"]
        if row["direction"] == FlowDirection.INPUT:
            source, target = outside_in, row["step"]
        elif row["direction"] == FlowDirection.OUTPUT:
            target = outside_out
        note = estimated if row["estimated"] else ""
        flows.append(rd.BalanceFlow(source, target, row["name"], row["quantity"], note))
    sankey_flows = balance_sankey_flows(result)
    sankey_png: bytes | None = None
    if sankey_flows and result.overall is not None:
        try:
            sankey_png = render_sankey_png(sankey_flows, result.unit)
        except (LookupError, ValueError) as error:
            logger.warning("balance %s: no Sankey picture in the report: %s", result.balance_id, error)
    kind = str(BalanceKind(result.kind).label)
    # The report titles a balance "{name}{kind}" (镀锌线 + 水平衡), so a name that already ends
    # with the kind ("镀锌线水平衡") loses that ending instead of printing it twice.
    name = result.name.strip()
    if name.endswith(kind):
        name = name.removesuffix(kind).rstrip()
    return rd.Balance(
        kind=kind,
        name=name,
        unit=result.unit,
        tolerance_percent=result.tolerance_percent,
        flows=tuple(flows),
        steps=tuple(_closure(row, row.node or "") for row in result.steps),
        overall=_closure(result.overall, "") if result.overall is not None else None,
        sankey_png=sankey_png,
    )


CAUSE_FIELDS = (
    "raw_materials_energy",
    "technology",
    "equipment",
    "process_control",
    "product",
    "waste",
    "management",
    "employees",
)


def causes(audit: AuditProject) -> tuple[rd.CauseAnalysis, ...]:
    """Return each waste stream with its causes in the eight aspects, in the order of ``models.Aspect``."""
    result = []
    for row in services.cause_table(audit):
        texts = {name: "；".join(descriptions) for name, descriptions in zip(CAUSE_FIELDS, row["aspects"], strict=True)}
        result.append(rd.CauseAnalysis(stream=row["name"], **texts))
    return tuple(result)


def before_after(audit: AuditProject) -> tuple[rd.BeforeAfter, ...]:
    """Return the metered consumption before and after each implemented option whose saving was verified.

    Per unit of product when production is recorded in both windows, otherwise per day with
    data, as `options.services.verification_result` compares them.
    """
    rows = []
    options = audit.options.filter(implementation__isnull=False).select_related("audit__site").order_by("number")
    for option in options:
        result = verification_result(option)
        if result is None or result.outcome is None or result.resource is None:
            continue
        outcome = result.outcome
        per = result.product_unit if outcome.basis == Basis.INTENSITY else "d"
        unit = f"{result.unit}/{per}"
        change = (
            (outcome.after_value - outcome.before_value) / outcome.before_value * 100 if outcome.before_value else None
        )
        rows.append(
            rd.BeforeAfter(
                indicator=f"{option.code} {resource_name(result.resource)}",
                unit=unit,
                before=outcome.before_value,
                after=outcome.after_value,
                change_percent=change,
                note="；".join(result.notes),
            )
        )
    return tuple(rows)
