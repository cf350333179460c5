"""Weighted-sum ranking (权重总和计分排序法) of the cleaner production audit handbook.

The audit team uses it twice: to choose the audit focus (审核重点) among the candidate units,
and to screen the improvement options. Each criterion i has a weight W_i, each candidate j a
score R_ij on every criterion, and candidates are ranked by S_j = Σ_i W_i × R_ij.

NOTE: the handbook's numeric weight ranges for the default criteria were not verified
against its text. The default weights below are editable starting values, not constants.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise
    from django_stubs_ext import StrOrPromise

__all__ = [
    "DEFAULT_FOCUS_CRITERIA",
    "DEFAULT_SCREENING_CRITERIA",
    "Criterion",
    "RankedCandidate",
    "ScoringError",
    "rank",
]

# Totals closer than this relative difference are a tie: sums of the same products in another
# order differ in the last bits, and those bits must not decide a rank.
TIE_RELATIVE_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Criterion:
    """A factor of the ranking with its weight W."""

    key: str
    label: StrOrPromise
    weight: float


@dataclass(frozen=True)
class RankedCandidate:
    """A candidate's total S_j, its rank and the product W × R of each criterion."""

    key: str
    total: float
    rank: int  # 1 is the highest total; equal totals share a rank (1, 1, 3)
    contributions: dict[str, float]  # criterion key -> W × R, in the order of the criteria


class ScoringError(ValueError):
    """Invalid criteria or scores; ``code`` is stable, the message names the candidate and criterion."""

    def __init__(self, code: str, template: _StrPromise, **params: object) -> None:
        self.code = code
        self.template = template
        self.params: dict[str, object] = params
        super().__init__(code)

    @property
    def message(self) -> str:
        return str(self.template) % self.params

    def __str__(self) -> str:
        return self.message


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _check_criteria(criteria: Sequence[Criterion], max_weight: float) -> None:
    if not criteria:
        raise ScoringError("no_criteria", _("There are no criteria to score; add at least one criterion."))
    seen: set[str] = set()
    for criterion in criteria:
        if criterion.key in seen:
            raise ScoringError(
                "duplicate_criterion",
                _("Criterion key %(criterion)s appears more than once; give each criterion its own key."),
                criterion=criterion.key,
            )
        seen.add(criterion.key)
        if not _is_number(criterion.weight):
            raise ScoringError(
                "invalid_weight",
                _("The weight of criterion %(criterion)s must be a number, got %(value)s."),
                criterion=criterion.label,
                value=criterion.weight,
            )
        if criterion.weight < 0:
            raise ScoringError(
                "negative_weight",
                _("The weight of criterion %(criterion)s must not be negative, got %(value)s."),
                criterion=criterion.label,
                value=criterion.weight,
            )
        if criterion.weight > max_weight:
            raise ScoringError(
                "weight_out_of_range",
                _("The weight of criterion %(criterion)s is %(value)s; enter a weight from 0 to %(maximum)g."),
                criterion=criterion.label,
                value=criterion.weight,
                maximum=max_weight,
            )
    if all(criterion.weight == 0 for criterion in criteria):
        raise ScoringError(
            "zero_weights", _("All criteria have weight 0, so every total is 0; give at least one a weight above 0.")
        )


def _check_scores(criteria: Sequence[Criterion], candidate: str, scores: Mapping[str, float], max_score: float) -> None:
    known = {criterion.key for criterion in criteria}
    for key in scores:
        if key not in known:
            raise ScoringError(
                "unknown_criterion",
                _("Candidate %(candidate)s has a score for %(criterion)s, which is not one of the criteria."),
                candidate=candidate,
                criterion=key,
            )
    for criterion in criteria:
        if criterion.key not in scores:
            raise ScoringError(
                "missing_score",
                _(
                    "Candidate %(candidate)s has no score for criterion %(criterion)s; "
                    "enter a score from 0 to %(maximum)g."
                ),
                candidate=candidate,
                criterion=criterion.label,
                maximum=max_score,
            )
        score = scores[criterion.key]
        if not _is_number(score) or score < 0 or score > max_score:
            raise ScoringError(
                "score_out_of_range",
                _(
                    "Candidate %(candidate)s has the score %(value)s for criterion %(criterion)s; "
                    "enter a score from 0 to %(maximum)g."
                ),
                candidate=candidate,
                criterion=criterion.label,
                value=score,
                maximum=max_score,
            )


def rank(
    criteria: Sequence[Criterion],
    scores: Mapping[str, Mapping[str, float]],
    *,
    max_weight: float = 10.0,
    max_score: float = 10.0,
) -> list[RankedCandidate]:
    """Rank candidates by S_j = Σ W_i × R_ij, highest first.

    ``scores`` maps each candidate key to its score on every criterion key. Weights must lie
    in 0..``max_weight`` (not all 0) and scores in 0..``max_score``; the handbook scores
    1–10. Candidates with equal totals share the rank and keep the order of ``scores``.
    Raises ``ScoringError`` on the first invalid criterion or score.
    """
    if not (_is_number(max_weight) and max_weight > 0 and _is_number(max_score) and max_score > 0):
        raise ValueError(f"max_weight and max_score must be positive numbers, got {max_weight!r} and {max_score!r}.")
    _check_criteria(criteria, max_weight)

    unranked: list[tuple[str, float, dict[str, float]]] = []
    for candidate, candidate_scores in scores.items():
        _check_scores(criteria, candidate, candidate_scores, max_score)
        contributions = {criterion.key: criterion.weight * candidate_scores[criterion.key] for criterion in criteria}
        unranked.append((candidate, math.fsum(contributions.values()), contributions))

    # sorted() is stable, so candidates with equal totals keep their input order.
    ordered = sorted(unranked, key=lambda item: -item[1])
    ranked: list[RankedCandidate] = []
    for position, (candidate, total, contributions) in enumerate(ordered, start=1):
        previous = ranked[-1] if ranked else None
        tied = previous is not None and math.isclose(
            total, previous.total, rel_tol=TIE_RELATIVE_TOLERANCE, abs_tol=1e-12
        )
        ranked.append(
            RankedCandidate(
                key=candidate,
                total=total,
                rank=previous.rank if previous is not None and tied else position,
                contributions=contributions,
            )
        )
    return ranked


# Factors of the audit focus (审核重点) as the handbook lists them. The weights are starting
# values on a 1-10 scale in the order of importance usually given (waste amount first).
# NOTE: the handbook's weight ranges are recalled, not verified; audits should review them.
DEFAULT_FOCUS_CRITERIA: tuple[Criterion, ...] = (
    Criterion("waste_amount", _("Waste amount"), 10.0),
    Criterion("consumption", _("Main consumption of raw materials, energy and water"), 8.0),
    Criterion("environmental_cost", _("Environmental cost"), 8.0),
    Criterion("waste_toxicity", _("Waste toxicity"), 8.0),
    Criterion("cleaner_production_potential", _("Cleaner production potential"), 5.0),
    Criterion("workshop_willingness", _("Willingness of the workshop"), 2.0),
    Criterion("development_prospects", _("Development prospects"), 2.0),
)

# Criteria of the preliminary screening of options. Equal weights are a neutral start.
# NOTE: these criteria are the usual ones in audit reports, not verified against the handbook.
DEFAULT_SCREENING_CRITERIA: tuple[Criterion, ...] = (
    Criterion("environmental_effect", _("Environmental effect"), 10.0),
    Criterion("technical_feasibility", _("Technical feasibility"), 10.0),
    Criterion("economic_feasibility", _("Economic feasibility"), 10.0),
    Criterion("ease_of_implementation", _("Ease of implementation"), 10.0),
)
