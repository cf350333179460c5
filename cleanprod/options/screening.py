"""Preliminary screening of an audit's options by weighted-sum scoring (权重总和计分排序法)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import translation

from cleanprod.audits.models import AuditProject
from cleanprod.audits.scoring import DEFAULT_SCREENING_CRITERIA, Criterion, ScoringError, rank

from .models import Option, OptionScore, ScreeningCriterion

# The model validators bound weights and scores to these.
MAX_WEIGHT = 10
MAX_SCORE = 10
DEFAULT_LABELS_EN: dict[str, str] = {}


def _default_label_en(key: str) -> str | None:
    if not DEFAULT_LABELS_EN:
        with translation.override("en"):
            DEFAULT_LABELS_EN.update({criterion.key: str(criterion.label) for criterion in DEFAULT_SCREENING_CRITERIA})
    return DEFAULT_LABELS_EN.get(key)


def criterion_label(criterion: ScreeningCriterion) -> str:
    """Return the label in the active language for a default criterion whose label was left unchanged."""
    if _default_label_en(criterion.key) == criterion.label:
        for default in DEFAULT_SCREENING_CRITERIA:
            if default.key == criterion.key:
                return str(default.label)
    return criterion.label


@transaction.atomic
def ensure_criteria(audit: AuditProject) -> list[ScreeningCriterion]:
    """Return the audit's criteria, first creating the default ones when it has none."""
    existing = list(audit.screening_criteria.order_by("order", "pk"))
    if existing:
        return existing
    _default_label_en("")
    created = [
        ScreeningCriterion(
            audit=audit,
            key=default.key,
            label=DEFAULT_LABELS_EN[default.key],
            weight=Decimal(str(default.weight)),
            order=index,
        )
        for index, default in enumerate(DEFAULT_SCREENING_CRITERIA)
    ]
    for criterion in created:
        criterion.save()
    return created


@dataclass(frozen=True, slots=True)
class RankedOption:
    option: Option
    total: float
    rank: int
    contributions: list[float]  # W × R in the order of the criteria


@dataclass(frozen=True, slots=True)
class ScreeningRanking:
    """Ranked options with complete scores, the options still missing scores, and any scoring error."""

    criteria: list[ScreeningCriterion]
    ranked: list[RankedOption] = field(default_factory=list)
    unscored: list[Option] = field(default_factory=list)
    error: str = ""

    def totals(self) -> dict[int, float]:
        return {row.option.pk: row.total for row in self.ranked}


def score_table(audit: AuditProject) -> dict[int, dict[int, Decimal]]:
    """Return the stored scores as {option pk: {criterion pk: score}}."""
    table: dict[int, dict[int, Decimal]] = {}
    for option_id, criterion_id, score in OptionScore.objects.filter(option__audit=audit).values_list(
        "option_id", "criterion_id", "score"
    ):
        table.setdefault(option_id, {})[criterion_id] = score
    return table


def screening_ranking(audit: AuditProject) -> ScreeningRanking:
    """Rank the audit's options by S_j = Σ W_i × R_ij over its criteria, highest first.

    Options without a score on every criterion are listed as unscored, not ranked with zeros.
    """
    criteria = list(audit.screening_criteria.order_by("order", "pk"))
    if not criteria:
        return ScreeningRanking(criteria)
    options = list(audit.options.select_related("audit").order_by("number"))
    table = score_table(audit)
    complete: dict[str, dict[str, float]] = {}
    unscored: list[Option] = []
    for option in options:
        scores = table.get(option.pk, {})
        if all(criterion.pk in scores for criterion in criteria):
            complete[str(option.pk)] = {criterion.key: float(scores[criterion.pk]) for criterion in criteria}
        else:
            unscored.append(option)
    if not complete:
        return ScreeningRanking(criteria, unscored=unscored)
    scoring_criteria = [Criterion(c.key, criterion_label(c), float(c.weight)) for c in criteria]
    try:
        ranked = rank(scoring_criteria, complete, max_weight=MAX_WEIGHT, max_score=MAX_SCORE)
    except ScoringError as error:
        return ScreeningRanking(criteria, unscored=unscored, error=error.message)
    by_pk = {str(option.pk): option for option in options}
    rows = [
        RankedOption(
            by_pk[item.key], item.total, item.rank, [item.contributions[criterion.key] for criterion in criteria]
        )
        for item in ranked
    ]
    return ScreeningRanking(criteria, rows, unscored)
