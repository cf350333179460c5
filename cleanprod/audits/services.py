"""Audit workflow services: creating an audit with its phases, deadlines, reminders, the pre-assessment and history.

Views call these and stay thin. Each function that returns numbers returns plain data (dicts,
lists and dataclasses of numbers and strings), so the audit report can be built from it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Max, Model, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from simple_history.utils import bulk_create_with_history

from cleanprod.diagnosis.services import diagnose_site
from cleanprod.indicators.formulas import Result
from cleanprod.indicators.services import IndicatorSet, compute_indicator_set
from cleanprod.indicators.waste import waste_indicators
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.production.models import ProductionRecord
from cleanprod.reports.snapshot import value_of
from cleanprod.resources.models import Resource
from cleanprod.resources.services import FactorUse

from .deadlines import Deadline, DeadlineCode, PreviousAudit, Reminder, reminder_for, statutory_deadlines
from .focus import ensure_default_criteria
from .models import (
    Aspect,
    AuditKind,
    AuditProject,
    AuditStatus,
    Balance,
    BalanceFlow,
    Cause,
    Evidence,
    FocusCandidate,
    FocusCriterion,
    FocusDecision,
    FocusScore,
    MandatoryTrigger,
    Phase,
    PhaseCode,
    PreAssessmentSnapshot,
    Step,
    StepComment,
    StepStatus,
    Target,
    TargetIndicator,
    TeamMember,
    TeamRole,
    WasteStream,
)

logger = logging.getLogger(__name__)

SNAPSHOT_SCHEMA = 1

# Default checklist of each phase, after the chapters of the audit handbook's report template.
# Titles are stored in the language of the user who creates the audit and stay editable.
DEFAULT_STEPS: dict[str, tuple[str, ...]] = {
    PhaseCode.PREPARATION: (
        gettext_noop("Win the support of top management"),
        gettext_noop("Form the audit team"),
        gettext_noop("Make the work plan"),
        gettext_noop("Publicity and training"),
        gettext_noop("Overcome barriers"),
    ),
    PhaseCode.PRE_ASSESSMENT: (
        gettext_noop("Enterprise profile"),
        gettext_noop("Status survey: process flow, equipment, raw materials and energy use"),
        gettext_noop("Pollution generation and treatment: water, air, noise, solid waste"),
        gettext_noop("Environmental management status"),
        gettext_noop("Cleaner production level: measures taken, comparison with the indicator system"),
        gettext_noop("Choose the candidate audit focuses and the audit focus"),
        gettext_noop("Set the cleaner production targets"),
        gettext_noop("Generate and implement no/low cost options"),
    ),
    PhaseCode.ASSESSMENT: (
        gettext_noop("Collect the basic data of the audit focus"),
        gettext_noop("Material, water and energy balances, including pollution factors"),
        gettext_noop("Analyse why the waste arises"),
        gettext_noop("Propose and implement no/low cost options"),
    ),
    PhaseCode.OPTIONS: (
        gettext_noop("Generate options"),
        gettext_noop("Classify the options"),
        gettext_noop("Screen the options"),
        gettext_noop("Summarise the screening result"),
        gettext_noop("Verify and sum up the effects of the no/low cost options"),
    ),
    PhaseCode.FEASIBILITY: (
        gettext_noop("Market survey"),
        gettext_noop("Technical evaluation"),
        gettext_noop("Environmental evaluation"),
        gettext_noop("Economic evaluation"),
        gettext_noop("Decide the options to recommend"),
    ),
    PhaseCode.IMPLEMENTATION: (
        gettext_noop("Implementation plan"),
        gettext_noop("Track progress against the targets"),
        gettext_noop("Sum up the results of the implemented options"),
        gettext_noop("Compare again with the cleaner production standard"),
    ),
    PhaseCode.CONTINUOUS: (
        gettext_noop("Set up the cleaner production organisation and system"),
        gettext_noop("Plan the next round of cleaner production"),
    ),
}

DEADLINE_LABELS = {
    DeadlineCode.START: gettext_noop("Start the audit (mandatory audit)"),
    DeadlineCode.FINISH: gettext_noop("Finish the audit and submit the report (mandatory audit)"),
    DeadlineCode.NEXT_TOXIC_AUDIT: gettext_noop("Next audit of a toxic or hazardous substance site"),
}


# -- Creating an audit ------------------------------------------------------------------------


@transaction.atomic
def create_audit(audit: AuditProject, scope_units: list[OrganizationUnit], *, acting_user: User) -> AuditProject:
    """Save a new audit with its scope, the seven phases with their default steps and the default focus criteria."""
    audit.created_by = acting_user
    audit.save()
    audit.scope_units.set(scope_units)
    add_default_workflow(audit, acting_user=acting_user)
    logger.info("audit %s created for site %s by user %s", audit.pk, audit.site_id, acting_user.pk)
    return audit


def add_default_workflow(audit: AuditProject, *, acting_user: User) -> None:
    """Add the seven phases with their default steps and the default focus criteria to a saved audit."""
    for number, code in enumerate(PhaseCode.values, start=1):
        phase = Phase.objects.create(audit=audit, number=number, code=code)
        steps = [
            Step(phase=phase, position=position, title=_(title))
            for position, title in enumerate(DEFAULT_STEPS[code], start=1)
        ]
        # Plain bulk_create sends no history signals, so the steps would have no "created" record.
        bulk_create_with_history(steps, Step, default_user=acting_user)
    ensure_default_criteria(audit)


def add_step(phase: Phase, title: str) -> Step:
    last = phase.steps.aggregate(last=Max("position"))["last"] or 0
    return Step.objects.create(phase=phase, title=title, position=last + 1)


@transaction.atomic
def move_step(step: Step, offset: int) -> None:
    """Move a step up (offset -1) or down (+1) within its phase; the positions are renumbered 1..n."""
    steps = list(step.phase.steps.order_by("position", "pk"))
    index = steps.index(step)
    new_index = max(0, min(len(steps) - 1, index + offset))
    steps.insert(new_index, steps.pop(index))
    for position, item in enumerate(steps, start=1):
        if item.position != position:
            item.position = position
            item.save(update_fields=["position"])


# -- Progress, deadlines and reminders ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PhaseProgress:
    phase: Phase
    total: int
    closed: int  # done or not applicable

    @property
    def percent(self) -> int:
        return round(100 * self.closed / self.total) if self.total else 0


def phase_progress(audit: AuditProject) -> list[PhaseProgress]:
    progress = []
    for phase in audit.phases.prefetch_related("steps").order_by("number"):
        steps = list(phase.steps.all())
        progress.append(PhaseProgress(phase, len(steps), sum(1 for step in steps if step.closed)))
    return progress


def previous_audit(audit: AuditProject) -> AuditProject | None:
    """Return the latest earlier audit of the same site that was not cancelled."""
    return (
        AuditProject.objects.filter(site_id=audit.site_id, started_on__lt=audit.started_on)
        .exclude(pk=audit.pk)
        .exclude(status=AuditStatus.CANCELLED)
        .order_by("-started_on", "-pk")
        .first()
    )


def audit_deadlines(audit: AuditProject) -> list[Deadline]:
    previous = previous_audit(audit)
    return statutory_deadlines(
        mandatory=audit.kind == AuditKind.MANDATORY,
        toxic=audit.trigger == MandatoryTrigger.TOXIC,
        listed_on=audit.listed_on,
        started_on=audit.started_on,
        finished_on=audit.finished_on,
        previous=PreviousAudit(previous.started_on, previous.finished_on) if previous is not None else None,
        start_months=settings.CLEANPROD_AUDIT_START_MONTHS,
        finish_months=settings.CLEANPROD_AUDIT_FINISH_MONTHS,
        toxic_interval_years=settings.CLEANPROD_AUDIT_TOXIC_INTERVAL_YEARS,
    )


def deadline_label(deadline: Deadline) -> str:
    return _(DEADLINE_LABELS[deadline.code])


@dataclass(frozen=True, slots=True)
class AuditReminder:
    audit_id: int
    label: str
    reminder: Reminder
    step_id: int | None  # None for a statutory deadline


def audit_reminders(audit: AuditProject, today: date) -> list[AuditReminder]:
    """List the open deadlines and steps of an audit that are overdue or due within 14 days, earliest first."""
    if audit.status != AuditStatus.ACTIVE:
        return []
    reminders: list[AuditReminder] = []
    for deadline in audit_deadlines(audit):
        # A deadline counts as met only when it was met on time or at all; an open one reminds.
        reminder = reminder_for(deadline.due_on, deadline.met_on is not None, today)
        if reminder is not None:
            reminders.append(AuditReminder(audit.pk, deadline_label(deadline), reminder, None))
    steps = Step.objects.filter(phase__audit=audit, due_on__isnull=False).exclude(
        status__in=[StepStatus.DONE, StepStatus.NOT_APPLICABLE]
    )
    for step in steps.select_related("phase"):
        reminder = reminder_for(step.due_on, step.closed, today)
        if reminder is not None:
            reminders.append(AuditReminder(audit.pk, f"{step.phase.number}. {step.title}", reminder, step.pk))
    return sorted(reminders, key=lambda item: item.reminder.due_on)


# -- Team -------------------------------------------------------------------------------------


def leader_count(audit: AuditProject, exclude: TeamMember | None = None) -> int:
    members = audit.team.filter(role=TeamRole.LEADER)
    if exclude is not None and exclude.pk is not None:
        members = members.exclude(pk=exclude.pk)
    return members.count()


# -- Pre-assessment -----------------------------------------------------------------------------


def baseline_period(audit: AuditProject) -> tuple[date, date]:
    return date(audit.baseline_year, 1, 1), date(audit.baseline_year, 12, 31)


def _factor_record(factor: FactorUse) -> dict[str, Any]:
    return {
        "factor_id": factor.factor_id,
        "kind": factor.kind,
        "resource_code": factor.resource_code,
        "series": factor.series,
        "region": factor.region,
        "data_year": factor.data_year,
        "version": factor.version,
        "value": str(factor.value),  # the decimal exactly as the factor table stores it
        "unit": factor.unit,
        "source": factor.source,
        "provisional": factor.provisional,
    }


def _optional(result: Result | None) -> dict[str, Any]:
    return value_of(result) if result is not None else {"value": None, "reason": None}


def _scope_block(
    site: Site, unit: OrganizationUnit | None, start: date, end: date, products: list[Resource]
) -> tuple[dict[str, Any], list[FactorUse]]:
    scope: Site | OrganizationUnit = unit if unit is not None else site
    sets: list[IndicatorSet] = [compute_indicator_set(scope, start, end, product=product) for product in products]
    indicators = sets[0] if sets else compute_indicator_set(scope, start, end)
    waste = waste_indicators(site, start, end, organization_unit=unit)
    names = {
        resource.code: resource
        for resource in Resource.objects.filter(code__in=[item.resource_code for item in indicators.consumption])
    }
    # Consumed parts only: exported energy has negative parts and is deducted from the total, not the resource.
    energy_by_resource: dict[str, float] = {}
    for part in indicators.energy_parts:
        if part.quantity > 0:
            energy_by_resource[part.resource_code] = energy_by_resource.get(part.resource_code, 0.0) + part.result
    # CO2 of each resource consumed: purchased electricity and heat (scope 2), fuels burnt and
    # carbonates decomposed (scope 1), each with the factor of its year.
    co2_by_resource: dict[str, float] = {}
    co2_parts = [*indicators.scope2_parts, *indicators.heat_scope2_parts, *indicators.carbonate_parts]
    for factored in co2_parts:
        if factored.quantity > 0:
            co2_by_resource[factored.resource_code] = co2_by_resource.get(factored.resource_code, 0.0) + factored.result
    for burnt in indicators.scope1_parts:
        if burnt.quantity > 0:
            co2_by_resource[burnt.resource_code] = co2_by_resource.get(burnt.resource_code, 0.0) + burnt.tco2
    block = {
        "unit_id": unit.pk if unit is not None else None,
        "code": unit.code if unit is not None else site.code,
        "name": unit.name if unit is not None else site.name,
        "coverage": indicators.completeness.coverage,
        "partial": indicators.partial,
        "consumption": [
            {
                "resource_code": item.resource_code,
                "name_zh": names[item.resource_code].name_zh,
                "name_en": names[item.resource_code].name_en,
                "unit": item.unit,
                "quantity": item.quantity,
                "estimated": item.estimated,
                "coverage": item.coverage,
                "energy_tce": energy_by_resource.get(item.resource_code),
                "co2_t": co2_by_resource.get(item.resource_code),
            }
            for item in indicators.consumption
        ],
        "comprehensive_energy_tce": value_of(indicators.comprehensive_energy_tce),
        "total_co2_t": value_of(indicators.total_co2_t),
        "fresh_water_m3": indicators.fresh_water_m3,
        "water_reuse_rate": value_of(indicators.water_reuse_rate),
        "solid_waste_t": float(waste.general.generated_t),
        "hazardous_waste_t": float(waste.hazardous.generated_t),
        "solid_waste_utilisation_rate": value_of(waste.utilisation_rate),
        "products": [
            {
                "product_code": product_set.product_code,
                "unit": product_set.product_unit,
                "net_output": float(product_set.net_output) if product_set.net_output is not None else None,
                "energy_kgce_per_unit": _optional(product_set.energy_intensity_kgce_per_unit),
                "co2_t_per_unit": _optional(product_set.co2_per_unit_product_t),
                "fresh_water_m3_per_unit": _optional(product_set.fresh_water_per_unit_product),
                "resources_per_unit": [
                    {"resource_code": item.resource_code, "unit": item.unit, "value": value_of(item.value)}
                    for item in product_set.resource_intensities
                ],
            }
            for product_set in sets
        ],
        "notices": [{"code": notice.code, "message": notice.message} for notice in indicators.notices],
    }
    factors = [factor for indicator_set in (sets or [indicators]) for factor in indicator_set.factors]
    return block, factors


def pre_assessment_numbers(audit: AuditProject) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Compute the pre-assessment numbers of the baseline year from the ledger.

    Return ``(numbers, factor_versions)``: the enterprise profile, the status block of the
    site and of each organisation unit in scope (consumption per resource, comprehensive
    energy, CO2, water, waste, consumption per unit of product), and the diagnosis priority
    list. Values that cannot be computed are ``{"value": None, "reason": code}``.
    """
    site = audit.site
    enterprise = site.enterprise
    start, end = baseline_period(audit)
    product_ids = (
        ProductionRecord.objects.filter(site=site, period_start__lte=end, period_end__gte=start)
        .values_list("product_id", flat=True)
        .distinct()
    )
    products = list(Resource.objects.filter(pk__in=product_ids).order_by("code"))

    factors: dict[int, FactorUse] = {}
    site_block, used = _scope_block(site, None, start, end, products)
    for factor in used:
        factors[factor.factor_id] = factor
    unit_blocks = []
    for unit in audit.scope_units.order_by("code"):
        block, used = _scope_block(site, unit, start, end, products)
        unit_blocks.append(block)
        for factor in used:
            factors[factor.factor_id] = factor

    diagnosis = diagnose_site(site, start, end)
    for factor in diagnosis.factors:
        factors[factor.factor_id] = factor
    numbers = {
        "schema": SNAPSHOT_SCHEMA,
        "baseline_year": audit.baseline_year,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "enterprise": {
            "name": enterprise.name,
            "uscc": enterprise.uscc,
            "industry_code": enterprise.industry_code,
            "province": enterprise.province,
            "site_code": site.code,
            "site_name": site.name,
            "address": site.address,
        },
        "site": site_block,
        "units": unit_blocks,
        "priorities": [
            {
                "rank": item.rank,
                "unit_id": item.unit_id,
                "unit_code": item.code,
                "unit_name": item.name if item.unit_id is not None else "",
                "energy_tce": item.energy_tce,
                "energy_share_percent": item.energy_share_percent,
                "electricity_co2_t": item.electricity_co2_t,
                "co2_share_percent": item.co2_share_percent,
                "in_energy_pareto": item.in_energy_pareto,
                "in_co2_pareto": item.in_co2_pareto,
            }
            for item in diagnosis.priorities
        ],
    }
    ordered = sorted(factors.values(), key=lambda f: (f.kind, f.resource_code, f.region, f.data_year or 0, f.version))
    return numbers, [_factor_record(factor) for factor in ordered]


def take_snapshot(audit: AuditProject, *, acting_user: User) -> PreAssessmentSnapshot:
    numbers, factor_versions = pre_assessment_numbers(audit)
    snapshot = PreAssessmentSnapshot.objects.create(
        audit=audit, taken_by=acting_user, numbers=numbers, factor_versions=factor_versions
    )
    logger.info("pre-assessment snapshot %s of audit %s taken by user %s", snapshot.pk, audit.pk, acting_user.pk)
    return snapshot


def latest_snapshot(audit: AuditProject) -> PreAssessmentSnapshot | None:
    return audit.snapshots.select_related("taken_by").order_by("-taken_at", "-pk").first()


def pre_assessment(audit: AuditProject) -> dict[str, Any]:
    """Return the frozen pre-assessment for the report: the latest snapshot's numbers and factor versions.

    ``{"snapshot": None}`` when no snapshot was taken yet; the report must not use live numbers.
    """
    snapshot = latest_snapshot(audit)
    if snapshot is None:
        return {"snapshot": None, "numbers": None, "factor_versions": []}
    return {
        "snapshot": {"id": snapshot.pk, "taken_at": snapshot.taken_at.isoformat(), "taken_by": str(snapshot.taken_by)},
        "numbers": snapshot.numbers,
        "factor_versions": snapshot.factor_versions,
    }


# -- Targets ----------------------------------------------------------------------------------


def _first_product_value(block: dict[str, Any], key: str) -> tuple[float | None, str]:
    for product in block.get("products", []):
        value = product[key]["value"]
        if value is not None:
            return float(value), str(product["unit"])
    return None, ""


def snapshot_baseline(numbers: dict[str, Any], indicator: str) -> tuple[Decimal | None, str]:
    """Return the baseline value and unit of a target indicator from snapshot numbers, or (None, "")."""
    site = numbers["site"]
    value: float | None
    unit: str
    if indicator == TargetIndicator.ENERGY_TCE:
        value, unit = site["comprehensive_energy_tce"]["value"], "tce"
    elif indicator == TargetIndicator.CO2_T:
        value, unit = site["total_co2_t"]["value"], "t"
    elif indicator == TargetIndicator.FRESH_WATER_M3:
        value, unit = site["fresh_water_m3"], "m³"
    elif indicator == TargetIndicator.SOLID_WASTE_T:
        value, unit = site["solid_waste_t"], "t"
    elif indicator == TargetIndicator.HAZARDOUS_WASTE_T:
        value, unit = site["hazardous_waste_t"], "t"
    elif indicator == TargetIndicator.ENERGY_INTENSITY:
        value, product_unit = _first_product_value(site, "energy_kgce_per_unit")
        unit = f"kgce/{product_unit}"
    elif indicator == TargetIndicator.WATER_INTENSITY:
        value, product_unit = _first_product_value(site, "fresh_water_m3_per_unit")
        unit = f"m³/{product_unit}"
    else:
        return None, ""
    if value is None:
        return None, ""
    return Decimal(str(round(float(value), 4))), unit


def reduction_percent(baseline: Decimal | None, target: Decimal | None) -> float | None:
    """Return the reduction of ``target`` against ``baseline`` in percent, or None when the baseline is zero."""
    if baseline is None or target is None or baseline == 0:
        return None
    return float((baseline - target) / baseline * 100)


def targets_table(audit: AuditProject) -> list[dict[str, Any]]:
    """Return the targets with their reductions, as the report's target table (近期/远期) lists them."""
    rows = []
    for target in audit.targets.all():
        rows.append(
            {
                "id": target.pk,
                "indicator": target.indicator,
                "label": str(target),
                "unit": target.unit,
                "baseline": float(target.baseline_value),
                "near_term_value": float(target.near_term_value),
                "near_term_year": target.near_term_year,
                "near_term_reduction_percent": reduction_percent(target.baseline_value, target.near_term_value),
                "long_term_value": float(target.long_term_value) if target.long_term_value is not None else None,
                "long_term_year": target.long_term_year,
                "long_term_reduction_percent": reduction_percent(target.baseline_value, target.long_term_value),
            }
        )
    return rows


# -- Cause analysis -----------------------------------------------------------------------------


def cause_table(audit: AuditProject) -> list[dict[str, Any]]:
    """Return each waste stream with its causes grouped by the eight aspects, in the order of ``Aspect``."""
    labels = dict(Aspect.choices)
    rows = []
    for stream in audit.waste_streams.prefetch_related("causes"):
        by_aspect: dict[str, list[str]] = {aspect: [] for aspect in Aspect.values}
        for cause in stream.causes.all():
            by_aspect[cause.aspect].append(cause.description)
        rows.append(
            {
                "id": stream.pk,
                "name": stream.name,
                "description": stream.description,
                "aspects": [by_aspect[aspect] for aspect in Aspect.values],
                "causes": [
                    {
                        "id": cause.pk,
                        "aspect": cause.aspect,
                        "aspect_label": str(labels[cause.aspect]),
                        "description": cause.description,
                    }
                    for cause in stream.causes.all()
                ],
            }
        )
    return rows


def user_display_name(user: User, team_names: dict[int, str]) -> str:
    """Return the name entered for the user in the audit team, else the full name, else the login name."""
    return team_names.get(user.pk) or user.get_full_name() or user.get_username()


def team_names(audit: AuditProject) -> dict[int, str]:
    """Return the names entered for the team members who are users, by user id."""
    members = audit.team.exclude(user=None).exclude(name="")
    return {member.user_id: member.name.strip() for member in members if member.user_id is not None}


def team_table(audit: AuditProject) -> list[dict[str, Any]]:
    """Return the audit team, leader first, as the report's team roster lists it."""
    order: dict[str, int] = {TeamRole.LEADER: 0, TeamRole.MEMBER: 1, TeamRole.CONSULTANT: 2}
    members = sorted(audit.team.select_related("user"), key=lambda member: (order[member.role], member.pk))
    return [
        {
            "name": member.display_name,
            "is_user": member.user_id is not None,
            "organisation": member.organisation,
            "role": member.role,
            "role_label": member.get_role_display(),
            "responsibilities": member.responsibilities,
        }
        for member in members
    ]


def work_plan(audit: AuditProject) -> list[dict[str, Any]]:
    """Return the phases with their steps (owner, due date, status) and progress, for the report's work plan."""
    rows = []
    names = team_names(audit)
    for item in phase_progress(audit):
        steps = item.phase.steps.select_related("owner").order_by("position", "pk")
        rows.append(
            {
                "number": item.phase.number,
                "code": item.phase.code,
                "label": item.phase.get_code_display(),
                "closed": item.closed,
                "total": item.total,
                "percent": item.percent,
                "steps": [
                    {
                        "title": step.title,
                        "owner": user_display_name(step.owner, names) if step.owner else "",
                        "due_on": step.due_on.isoformat() if step.due_on else None,
                        "status": step.status,
                        "status_label": step.get_status_display(),
                    }
                    for step in steps
                ],
            }
        )
    return rows


def focus_decision(audit: AuditProject) -> dict[str, Any] | None:
    """Return the chosen audit focus with the ranking stored when it was chosen, or None."""
    decision = FocusDecision.objects.filter(audit=audit).select_related("unit", "chosen_by").first()
    if decision is None:
        return None
    return {
        "unit_id": decision.unit_id,
        "unit_code": decision.unit.code,
        "unit_name": decision.unit.name,
        "chosen_by": str(decision.chosen_by),
        "chosen_at": decision.chosen_at.isoformat(),
        "ranking": decision.ranking,
    }


# -- History ----------------------------------------------------------------------------------


HISTORY_LIMIT = 500

# Each tracked model and the lookup from its historical rows to the audit.
HISTORY_PATHS: tuple[tuple[type[Model], str], ...] = (
    (AuditProject, "id"),
    (TeamMember, "audit_id"),
    (Phase, "audit_id"),
    (Step, "phase__audit_id"),
    (StepComment, "step__phase__audit_id"),
    (Evidence, "step__phase__audit_id"),
    (PreAssessmentSnapshot, "audit_id"),
    (FocusCriterion, "audit_id"),
    (FocusCandidate, "audit_id"),
    (FocusScore, "candidate__audit_id"),
    (FocusDecision, "audit_id"),
    (Target, "audit_id"),
    (Balance, "audit_id"),
    (BalanceFlow, "balance__audit_id"),
    (WasteStream, "audit_id"),
    (Cause, "stream__audit_id"),
)


def _field_label(model: type[Model], name: str) -> str:
    field = model._meta.get_field(name)
    return str(getattr(field, "verbose_name", name))


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    when: Any
    user: str
    action: str  # "+" created, "~" changed, "-" deleted
    model: str
    subject: str
    changes: tuple[str, ...]  # names of the changed fields


def audit_history(audit: AuditProject, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """List the changes to the audit and everything in it, newest first.

    Each changed row costs one query for its previous version, hence the limit.
    NOTE: rows of a child whose parent was deleted too (a flow of a deleted balance) can no
    longer be joined to the audit and are left out.
    """
    entries: list[HistoryEntry] = []
    for model, lookup in HISTORY_PATHS:
        manager = model.history  # type: ignore[attr-defined]
        records: QuerySet[Any] = manager.filter(**{lookup: audit.pk}).select_related("history_user")
        for record in records.order_by("-history_date")[:limit]:
            changes: tuple[str, ...] = ()
            if record.history_type == "~":
                previous = record.prev_record
                if previous is not None:
                    delta = record.diff_against(previous)
                    changes = tuple(_field_label(model, change.field) for change in delta.changes)
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    user=str(record.history_user) if record.history_user is not None else "",
                    action=record.history_type,
                    model=str(model._meta.verbose_name),
                    subject=str(record.instance),
                    changes=changes,
                )
            )
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries[:limit]


def audits_for_sites(sites: QuerySet[Site]) -> QuerySet[AuditProject]:
    return AuditProject.objects.filter(site__in=sites).select_related("site", "site__enterprise")
