"""Diagnosis arithmetic: ranking, Pareto analysis, meter balances and the Sankey of a meter tree.

Plain functions without database access. Quantities are in whatever unit the caller passes,
and every share or difference is in percent. Data problems come back as Finding objects,
so nothing here logs.
"""

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

from django.utils.translation import gettext as _

DEFAULT_PARETO_PERCENT = 80.0
DEFAULT_BALANCE_TOLERANCE_PERCENT = 5.0

# Remainders smaller than this share of the parent are rounding noise of float sums, not losses.
_RELATIVE_EPSILON = 1e-9

Evidence = dict[str, float | str | None]


class FindingCode(StrEnum):
    UNMETERED_OVER_TOLERANCE = "unmetered_over_tolerance"
    CHILDREN_EXCEED_PARENT = "children_exceed_parent"
    PARENT_ZERO_CHILDREN_POSITIVE = "parent_zero_children_positive"
    NEGATIVE_QUANTITY = "negative_quantity"


@dataclass(frozen=True, slots=True)
class Finding:
    """A data problem met during the diagnosis, with a stable code and the numbers behind it."""

    code: str
    subject: str  # the meter, unit or item the finding is about
    message: str  # translated into the language active when the finding was made
    evidence: Evidence = field(default_factory=dict)


class EmptyReason(StrEnum):
    NO_ITEMS = "no_items"
    ZERO_TOTAL = "zero_total"


def empty_reason_message(reason: EmptyReason) -> str:
    """Return the translated sentence for an empty ranking."""
    if reason is EmptyReason.NO_ITEMS:
        return _("There is nothing to rank.")
    return _("The total is zero, so shares are undefined.")


@dataclass(frozen=True, slots=True)
class Item:
    name: str
    value: float
    unit: str
    key: str = ""  # the caller's identifier, e.g. a unit code, unique where names may repeat


@dataclass(frozen=True, slots=True)
class RankedItem:
    rank: int  # 1 for the largest value
    item: Item
    share_percent: float | None  # of the ranking's total, or None when the total is zero
    cumulative_percent: float | None  # this item and every larger one


@dataclass(frozen=True, slots=True)
class Ranking:
    items: tuple[RankedItem, ...]
    total: float
    unit: str
    excluded: tuple[Item, ...]  # negative or non-finite values, left out of the total and the ranks
    reason: EmptyReason | None  # why shares are undefined, or None when they are defined


@dataclass(frozen=True, slots=True)
class ParetoResult:
    ranking: Ranking
    threshold_percent: float
    vital_few: tuple[RankedItem, ...]  # the largest items up to and including the one crossing the threshold
    reason: EmptyReason | None  # why vital_few is empty, or None when it is not


def rank_items(items: Iterable[Item]) -> Ranking:
    """Sort items by value, largest first, with each item's share of the total and the cumulative share.

    Ties are ordered by name, then key, so the ranking is stable. Negative and non-finite values
    cannot take a share of a total and are returned in `excluded`. Raise ValueError when the
    items are in different units.
    """
    items = list(items)
    units = {item.unit for item in items}
    if len(units) > 1:
        raise ValueError(f"cannot rank items in different units: {sorted(units)}")
    unit = units.pop() if units else ""

    valid = [item for item in items if math.isfinite(item.value) and item.value >= 0]
    excluded = tuple(item for item in items if item not in valid)
    valid.sort(key=lambda item: (-item.value, item.name, item.key))
    total = math.fsum(item.value for item in valid)

    if not valid:
        reason: EmptyReason | None = EmptyReason.NO_ITEMS
    elif total == 0:
        reason = EmptyReason.ZERO_TOTAL
    else:
        reason = None

    ranked: list[RankedItem] = []
    running = 0.0
    for position, item in enumerate(valid, start=1):
        running += item.value
        if reason is None:
            share: float | None = item.value / total * 100
            cumulative: float | None = min(running / total * 100, 100.0)
        else:
            share = cumulative = None
        ranked.append(RankedItem(position, item, share, cumulative))
    return Ranking(tuple(ranked), total, unit, excluded, reason)


def pareto(items: Iterable[Item], threshold_percent: float = DEFAULT_PARETO_PERCENT) -> ParetoResult:
    """Rank the items and select the vital few: the largest ones that make up `threshold_percent` of the total.

    The item whose cumulative share crosses the threshold is included, so the vital few always
    reach the threshold. With no items, or a total of zero, the vital few are empty and
    `reason` gives the cause.
    """
    if not 0 < threshold_percent <= 100:
        raise ValueError(f"Pareto threshold must be in (0, 100] percent, got {threshold_percent}")
    ranking = rank_items(items)
    if ranking.reason is not None:
        return ParetoResult(ranking, threshold_percent, (), ranking.reason)

    vital_few: list[RankedItem] = []
    cumulative_before = 0.0
    for ranked in ranking.items:
        # The tolerance keeps an item out when float sums put the previous one a hair below the threshold.
        if cumulative_before >= threshold_percent - _RELATIVE_EPSILON * 100:
            break
        vital_few.append(ranked)
        assert ranked.cumulative_percent is not None
        cumulative_before = ranked.cumulative_percent
    return ParetoResult(ranking, threshold_percent, tuple(vital_few), None)


@dataclass(frozen=True, slots=True)
class Balance:
    """A parent meter's quantity against the sum of its sub-meters over the same period."""

    parent: str
    parent_quantity: float
    children_quantity: float
    unit: str
    difference: float  # parent − Σ children, positive for unmetered consumption or losses
    difference_percent: float | None  # of the parent quantity, or None when the parent quantity is not positive
    tolerance_percent: float
    finding: Finding | None  # set when the difference is outside the tolerance or the parent is zero


def check_balance(
    parent: str,
    parent_quantity: float,
    children_quantities: Iterable[float],
    unit: str,
    tolerance_percent: float = DEFAULT_BALANCE_TOLERANCE_PERCENT,
) -> Balance:
    """Compare a parent meter with the sum of its sub-meters.

    A finding is made when |difference| exceeds `tolerance_percent` of the parent (exactly at the
    tolerance is within it), when the parent is zero while its children are not, and when the
    parent is negative.
    """
    if tolerance_percent < 0:
        raise ValueError(f"balance tolerance must not be negative, got {tolerance_percent}")
    children_quantity = math.fsum(children_quantities)
    difference = parent_quantity - children_quantity
    evidence: Evidence = {
        "parent_quantity": parent_quantity,
        "children_quantity": children_quantity,
        "difference": difference,
        "unit": unit,
        "tolerance_percent": tolerance_percent,
    }

    if parent_quantity < 0:
        finding: Finding | None = _negative_quantity(parent, parent_quantity, unit)
        return Balance(parent, parent_quantity, children_quantity, unit, difference, None, tolerance_percent, finding)

    if parent_quantity == 0:
        finding = None
        if children_quantity > 0:
            finding = Finding(
                FindingCode.PARENT_ZERO_CHILDREN_POSITIVE,
                parent,
                _("%(parent)s measured nothing, but its sub-meters measured %(children).6g %(unit)s.")
                % {"parent": parent, "children": children_quantity, "unit": unit},
                evidence,
            )
        return Balance(parent, parent_quantity, children_quantity, unit, difference, None, tolerance_percent, finding)

    difference_percent = difference / parent_quantity * 100
    evidence["difference_percent"] = difference_percent
    finding = None
    if difference_percent > tolerance_percent:
        finding = Finding(
            FindingCode.UNMETERED_OVER_TOLERANCE,
            parent,
            _("%(percent).1f %% of %(parent)s is not measured by its sub-meters (tolerance %(tolerance).1f %%).")
            % {"percent": difference_percent, "parent": parent, "tolerance": tolerance_percent},
            evidence,
        )
    elif difference_percent < -tolerance_percent:
        finding = _children_exceed_parent(parent, evidence, -difference_percent)
    return Balance(
        parent, parent_quantity, children_quantity, unit, difference, difference_percent, tolerance_percent, finding
    )


def _children_exceed_parent(parent: str, evidence: Evidence, excess_percent: float) -> Finding:
    return Finding(
        FindingCode.CHILDREN_EXCEED_PARENT,
        parent,
        _(
            "The sub-meters of %(parent)s measured %(percent).1f %% more than it did. "
            "Check the meter tree and the meters' multipliers."
        )
        % {"parent": parent, "percent": excess_percent},
        evidence,
    )


def _negative_quantity(subject: str, quantity: float, unit: str) -> Finding:
    return Finding(
        FindingCode.NEGATIVE_QUANTITY,
        subject,
        _("%(subject)s has a negative quantity (%(quantity).6g %(unit)s), which cannot be drawn or ranked.")
        % {"subject": subject, "quantity": quantity, "unit": unit},
        {"quantity": quantity, "unit": unit},
    )


@dataclass(frozen=True, slots=True)
class FlowNode:
    """A meter in a Sankey tree: its quantity over the period and its sub-meters."""

    name: str  # also the node's name in the diagram, so it must be unique in the tree
    quantity: float
    children: tuple["FlowNode", ...] = ()


@dataclass(frozen=True, slots=True)
class SankeyLink:
    source: str
    target: str
    value: float


@dataclass(frozen=True, slots=True)
class Sankey:
    nodes: tuple[str, ...]
    links: tuple[SankeyLink, ...]
    unit: str
    losses: tuple[SankeyLink, ...]  # the links into "unmetered remainder" nodes, also contained in `links`
    findings: tuple[Finding, ...]

    def as_echarts(self) -> dict[str, list[dict[str, str | float]]]:
        """Return the `data` and `links` of an ECharts sankey series, as {"nodes": …, "links": …}."""
        return {
            "nodes": [{"name": name} for name in self.nodes],
            "links": [{"source": link.source, "target": link.target, "value": link.value} for link in self.links],
        }


def loss_node_name(parent: str) -> str:
    """Return the name of the node that receives a parent meter's unmetered remainder."""
    return _("Unmetered remainder (losses) of %(parent)s") % {"parent": parent}


def build_sankey(roots: Sequence[FlowNode], unit: str) -> Sankey:
    """Build Sankey nodes and links from incoming meters down through their sub-meters.

    Each parent links to each child with the child's quantity. When the children sum to less
    than the parent, the remainder flows into an "unmetered remainder (losses)" node of that
    parent. When they sum to more, nothing negative is drawn and a CHILDREN_EXCEED_PARENT finding
    is returned instead (PARENT_ZERO_CHILDREN_POSITIVE when the parent is zero). Nodes with
    negative quantities get no incoming link and a NEGATIVE_QUANTITY finding. Raise ValueError
    when two nodes share a name, because ECharts identifies nodes by name.
    """
    nodes: list[str] = []
    links: list[SankeyLink] = []
    losses: list[SankeyLink] = []
    findings: list[Finding] = []
    seen: set[str] = set()

    def add_node(name: str) -> None:
        if name in seen:
            raise ValueError(f"two Sankey nodes are named {name!r}; node names must be unique")
        seen.add(name)
        nodes.append(name)

    def visit(node: FlowNode) -> None:
        add_node(node.name)
        if node.quantity < 0:
            findings.append(_negative_quantity(node.name, node.quantity, unit))
        for child in node.children:
            visit(child)
            if child.quantity > 0:
                links.append(SankeyLink(node.name, child.name, child.quantity))
        if not node.children or node.quantity < 0:
            return

        drawn_children = math.fsum(child.quantity for child in node.children if child.quantity > 0)
        remainder = node.quantity - drawn_children
        if abs(remainder) <= _RELATIVE_EPSILON * max(abs(node.quantity), drawn_children):
            return
        if remainder > 0:
            loss = SankeyLink(node.name, loss_node_name(node.name), remainder)
            add_node(loss.target)
            links.append(loss)
            losses.append(loss)
            return
        # With zero tolerance, any excess gives CHILDREN_EXCEED_PARENT, or PARENT_ZERO_CHILDREN_POSITIVE.
        balance = check_balance(node.name, node.quantity, [drawn_children], unit, tolerance_percent=0.0)
        assert balance.finding is not None
        findings.append(balance.finding)

    for root in roots:
        visit(root)
    return Sankey(tuple(nodes), tuple(links), unit, tuple(losses), tuple(findings))
