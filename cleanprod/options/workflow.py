"""Cost classes and the status workflow of cleaner production options (清洁生产方案).

The audit handbook splits options into no/low cost (无/低费) options, implemented during the
audit itself, and medium and high cost (中/高费) options, which need a technical,
environmental and economic feasibility analysis first. No national money threshold exists,
so the limits come from the audit.
"""

from decimal import Decimal

from django.db import models
from django.utils.translation import gettext_lazy as _


class CostClass(models.TextChoices):
    LOW = "low", _("no/low cost")
    MEDIUM = "medium", _("medium cost")
    HIGH = "high", _("high cost")


class OptionStatus(models.TextChoices):
    PROPOSED = "proposed", _("proposed")
    SCREENED_IN = "screened_in", _("screened in")
    REJECTED = "rejected", _("rejected")
    FEASIBLE = "feasible", _("feasible")
    NOT_FEASIBLE = "not_feasible", _("not feasible")
    IMPLEMENTING = "implementing", _("implementing")
    IMPLEMENTED = "implemented", _("implemented")
    VERIFIED = "verified", _("verified")


def cost_class(investment: Decimal, low_cost_limit: Decimal, high_cost_limit: Decimal) -> CostClass:
    """Classify an investment: no/low cost ≤ low limit < medium ≤ high limit < high cost.

    All amounts are in the same unit (10,000 CNY in audits). Raise ValueError for a negative
    investment or for limits in the wrong order.
    """
    if investment < 0:
        raise ValueError(f"The investment {investment} is negative.")
    if high_cost_limit < low_cost_limit:
        raise ValueError(f"The high cost limit {high_cost_limit} is below the low cost limit {low_cost_limit}.")
    if investment <= low_cost_limit:
        return CostClass.LOW
    if investment <= high_cost_limit:
        return CostClass.MEDIUM
    return CostClass.HIGH


S = OptionStatus
# Allowed moves. Screened-in medium and high cost options go through the feasibility
# conclusion; no/low cost options may be implemented at once, also before screening.
TRANSITIONS: dict[str, frozenset[str]] = {
    S.PROPOSED: frozenset({S.SCREENED_IN, S.REJECTED, S.IMPLEMENTING}),
    S.SCREENED_IN: frozenset({S.FEASIBLE, S.NOT_FEASIBLE, S.IMPLEMENTING, S.REJECTED}),
    S.REJECTED: frozenset({S.PROPOSED}),
    S.FEASIBLE: frozenset({S.IMPLEMENTING, S.NOT_FEASIBLE}),
    S.NOT_FEASIBLE: frozenset({S.FEASIBLE}),
    S.IMPLEMENTING: frozenset({S.IMPLEMENTED}),
    S.IMPLEMENTED: frozenset({S.VERIFIED}),
    S.VERIFIED: frozenset(),
}
LOW_COST_ONLY = {(S.PROPOSED, S.IMPLEMENTING), (S.SCREENED_IN, S.IMPLEMENTING)}
NEEDS_COMMENT = frozenset({S.REJECTED, S.NOT_FEASIBLE})


class TransitionError(ValueError):
    """A status change the workflow does not allow; ``message`` is translated for the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def check_transition(current: str, target: str, cost: CostClass, comment: str) -> None:
    """Raise TransitionError unless an option of cost class ``cost`` may move from ``current`` to ``target``."""
    labels = dict(OptionStatus.choices)
    if target not in labels:
        raise TransitionError(str(_("Unknown status %(status)r.") % {"status": target}))
    if target not in TRANSITIONS.get(current, frozenset()):
        raise TransitionError(
            str(
                _("An option that is %(current)s cannot become %(target)s. Allowed next statuses: %(allowed)s.")
                % {
                    "current": labels.get(current, current),
                    "target": labels[target],
                    "allowed": ", ".join(str(labels[name]) for name in allowed_targets(current, cost)) or "—",
                }
            )
        )
    if (current, target) in LOW_COST_ONLY and cost != CostClass.LOW:
        raise TransitionError(
            str(
                _(
                    "Only a no/low cost option may go to implementation without a feasibility analysis; "
                    "record the feasibility conclusion first."
                )
            )
        )
    if target in NEEDS_COMMENT and not comment.strip():
        raise TransitionError(str(_("Give the reason for this decision.")))


def allowed_targets(current: str, cost: CostClass) -> list[str]:
    """Return the statuses an option of this cost class may move to, in workflow order."""
    order = [status.value for status in OptionStatus]
    targets = TRANSITIONS.get(current, frozenset())
    return [
        status
        for status in order
        if status in targets and not ((current, status) in LOW_COST_ONLY and cost != CostClass.LOW)
    ]
