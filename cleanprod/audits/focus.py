"""Choosing the audit focus (审核重点) by weighted-sum ranking (权重总和计分排序法) of candidate units.

The arithmetic is in cleanprod.audits.scoring; this module reads and stores the audit's
criteria, candidates, scores and decision.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction

from cleanprod.organization.models import OrganizationUnit

from .models import AuditProject, FocusCandidate, FocusCriterion, FocusDecision, FocusScore
from .scoring import DEFAULT_FOCUS_CRITERIA, Criterion, RankedCandidate, ScoringError, rank

logger = logging.getLogger(__name__)


def ensure_default_criteria(audit: AuditProject) -> None:
    """Give an audit without criteria the default focus criteria, labelled in the current language."""
    if audit.focus_criteria.exists():
        return
    for position, criterion in enumerate(DEFAULT_FOCUS_CRITERIA, start=1):
        FocusCriterion.objects.create(
            audit=audit,
            key=criterion.key,
            label=str(criterion.label),
            weight=Decimal(str(criterion.weight)),
            position=position,
        )


def add_candidates_from_priorities(audit: AuditProject, priorities: list[dict[str, Any]]) -> int:
    """Add the units of a priority list (snapshot numbers) as candidates; return how many were new."""
    unit_ids = [item["unit_id"] for item in priorities if item.get("unit_id") is not None]
    units = OrganizationUnit.objects.filter(site_id=audit.site_id, pk__in=unit_ids)
    added = 0
    for unit in units:
        _candidate, created = FocusCandidate.objects.get_or_create(audit=audit, unit=unit)
        added += int(created)
    return added


@transaction.atomic
def save_scores(audit: AuditProject, scores: dict[tuple[int, int], Decimal | None]) -> None:
    """Store the scores keyed by (candidate id, criterion id); None removes a score."""
    candidates = {candidate.pk: candidate for candidate in audit.focus_candidates.all()}
    criteria = {criterion.pk: criterion for criterion in audit.focus_criteria.all()}
    for (candidate_id, criterion_id), value in scores.items():
        candidate, criterion = candidates[candidate_id], criteria[criterion_id]
        if value is None:
            FocusScore.objects.filter(candidate=candidate, criterion=criterion).delete()
            continue
        score, created = FocusScore.objects.get_or_create(
            candidate=candidate, criterion=criterion, defaults={"score": value}
        )
        if not created and score.score != value:
            score.score = value
            score.save()


@dataclass
class FocusRanking:
    """The ranking of the candidates, or the reason it cannot be computed yet."""

    criteria: list[dict[str, Any]]
    candidates: list[dict[str, Any]]  # id, unit code and name, and the entered scores by criterion key
    ranked: list[dict[str, Any]] = field(default_factory=list)  # best first, with contributions W × R
    missing: list[tuple[str, str]] = field(default_factory=list)  # (unit name, criterion label) without a score
    error: str = ""


def _ranked_row(item: RankedCandidate, names: dict[str, str]) -> dict[str, Any]:
    contributions = dict(item.contributions)
    return {
        "key": item.key,
        "name": names[item.key],
        "total": float(item.total),
        "rank": item.rank,
        "contributions": {key: float(value) for key, value in contributions.items()},
    }


def focus_ranking(audit: AuditProject) -> FocusRanking:
    """Rank the audit's focus candidates: S_j = Σ W_i × R_ij, the largest total first.

    Candidates are keyed by their unit code. The ranking is empty, and ``missing`` names the
    gaps, until every candidate has a score for every criterion.
    """
    criteria_rows = list(audit.focus_criteria.all())
    candidate_rows = list(audit.focus_candidates.select_related("unit").prefetch_related("scores"))
    criteria = [
        {"id": row.pk, "key": row.key, "label": row.label, "weight": float(row.weight)} for row in criteria_rows
    ]
    candidates = []
    scores: dict[str, dict[str, float]] = {}
    missing: list[tuple[str, str]] = []
    by_id = {row.pk: row for row in criteria_rows}
    for candidate in candidate_rows:
        entered = {by_id[score.criterion_id].key: float(score.score) for score in candidate.scores.all()}
        candidates.append(
            {"id": candidate.pk, "key": candidate.unit.code, "name": candidate.unit.name, "scores": entered}
        )
        scores[candidate.unit.code] = entered
        missing.extend((candidate.unit.name, row.label) for row in criteria_rows if row.key not in entered)
    result = FocusRanking(criteria=criteria, candidates=candidates, missing=missing)
    if missing or not candidate_rows or not criteria_rows:
        return result
    try:
        ranked = rank([Criterion(row.key, row.label, float(row.weight)) for row in criteria_rows], scores)
    except ScoringError as error:
        result.error = str(error)
        return result
    names = {candidate.unit.code: candidate.unit.name for candidate in candidate_rows}
    result.ranked = [_ranked_row(item, names) for item in ranked]
    return result


def choose_focus(audit: AuditProject, candidate: FocusCandidate, *, acting_user: User) -> FocusDecision:
    """Record the chosen focus together with the ranking and scores as they are now."""
    ranking = focus_ranking(audit)
    stored = {"criteria": ranking.criteria, "candidates": ranking.candidates, "ranked": ranking.ranked}
    decision, _created = FocusDecision.objects.update_or_create(
        audit=audit, defaults={"unit": candidate.unit, "ranking": stored, "chosen_by": acting_user}
    )
    logger.info("audit %s: focus %s chosen by user %s", audit.pk, candidate.unit_id, acting_user.pk)
    return decision
