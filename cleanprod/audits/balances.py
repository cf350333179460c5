"""Material, water and energy balance of the audit focus (物料平衡, 水平衡, 能量平衡).

In the audit phase (审核) of the cleaner production audit handbook, the team measures what
enters and leaves each process step of the audit focus. The balance closes when inputs −
outputs, as a share of the inputs, lies within a tolerance the team sets. No national
tolerance is known (one worked example accepted a 0.91 % deviation), so the tolerance is an
argument. All flows of one balance share one unit (t, m³, MWh, ...).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

if TYPE_CHECKING:
    from django.utils.functional import _StrPromise

__all__ = ["BalanceError", "Closure", "Flow", "close", "sankey"]

# Added to the tolerance when comparing, so that 50 t short of 1000 t is within 5 % although
# 50 / 1000 × 100 is 5.000000000000001 in binary floating point.
TOLERANCE_SLACK_PERCENT = 1e-9


@dataclass(frozen=True)
class Flow:
    """A stream of material, water or energy between process steps or across the boundary."""

    name: str
    quantity: float  # ≥ 0, in the balance's unit
    source: str | None  # process step it leaves; None = enters from outside the boundary
    target: str | None  # process step it enters; None = leaves the boundary (product, waste, emission, loss)
    estimated: bool = False  # estimated or calculated rather than measured


@dataclass(frozen=True)
class Closure:
    """How far the inputs and outputs of one step (or of the whole audit focus) agree."""

    node: str | None  # None = the whole audit focus
    inputs: float
    outputs: float
    difference: float  # inputs − outputs
    difference_percent: float | None  # difference / inputs × 100; None when inputs == 0
    within_tolerance: bool | None  # None when there is nothing to check (no inputs and no outputs)
    estimated_share: float  # share of the node's flow quantity that is estimated, 0–1


class BalanceError(ValueError):
    """An invalid flow or tolerance; ``code`` is stable and the message names the flow."""

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


def _check_flows(flows: Sequence[Flow]) -> None:
    for number, flow in enumerate(flows, start=1):
        if not flow.name.strip():
            raise BalanceError(
                "missing_name", _("Flow %(number)d has no name; name every flow, e.g. rinse water."), number=number
            )
        quantity = flow.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int | float) or not math.isfinite(quantity):
            raise BalanceError(
                "invalid_quantity",
                _("The quantity of flow %(flow)s must be a number, got %(value)s."),
                flow=flow.name,
                value=quantity,
            )
        if quantity < 0:
            raise BalanceError(
                "negative_quantity",
                _(
                    "The quantity of flow %(flow)s is negative (%(value)s); enter it as a positive quantity "
                    "and swap its source and target."
                ),
                flow=flow.name,
                value=quantity,
            )
        if flow.source is None and flow.target is None:
            raise BalanceError(
                "no_step",
                _("Flow %(flow)s has neither a source nor a target step; connect it to a process step."),
                flow=flow.name,
            )
        if flow.source is not None and flow.source == flow.target:
            raise BalanceError(
                "self_loop",
                _(
                    "Flow %(flow)s leaves and enters the same step %(step)s; leave an internal recycle out "
                    "of the balance or split the step in two."
                ),
                flow=flow.name,
                step=flow.source,
            )


def _steps_in_order(flows: Sequence[Flow]) -> list[str]:
    steps: dict[str, None] = {}
    for flow in flows:
        for step in (flow.source, flow.target):
            if step is not None:
                steps.setdefault(step)
    return list(steps)


def _closure(node: str | None, incoming: list[Flow], outgoing: list[Flow], tolerance_percent: float) -> Closure:
    inputs = math.fsum(flow.quantity for flow in incoming)
    outputs = math.fsum(flow.quantity for flow in outgoing)
    difference = inputs - outputs
    touching = incoming + outgoing
    total = math.fsum(flow.quantity for flow in touching)
    estimated = math.fsum(flow.quantity for flow in touching if flow.estimated)

    if inputs == 0:
        difference_percent = None
        # Something leaving a step that nothing enters cannot balance; nothing at all is no check.
        within_tolerance = None if outputs == 0 else False
    else:
        difference_percent = difference / inputs * 100
        within_tolerance = abs(difference_percent) <= tolerance_percent + TOLERANCE_SLACK_PERCENT
    return Closure(
        node=node,
        inputs=inputs,
        outputs=outputs,
        difference=difference,
        difference_percent=difference_percent,
        within_tolerance=within_tolerance,
        estimated_share=estimated / total if total > 0 else 0.0,
    )


def close(flows: Sequence[Flow], tolerance_percent: float) -> tuple[Closure, list[Closure]]:
    """Check the balance of the whole audit focus and of each process step.

    The whole focus counts only flows that cross the boundary (``source`` or ``target`` None);
    a step counts the flows entering and leaving it. A closure is within tolerance when
    |inputs − outputs| / inputs × 100 ≤ ``tolerance_percent``. A step with no inputs but some
    outputs fails; one with neither has ``within_tolerance`` None. Steps are returned in the
    order they first appear in ``flows``. Raises ``BalanceError`` for an invalid flow.
    """
    valid_number = isinstance(tolerance_percent, int | float) and not isinstance(tolerance_percent, bool)
    if not (valid_number and math.isfinite(tolerance_percent) and 0 <= tolerance_percent <= 100):
        raise BalanceError(
            "invalid_tolerance",
            _("The tolerance must be a percentage from 0 to 100, got %(value)s."),
            value=tolerance_percent,
        )
    _check_flows(flows)

    overall = _closure(
        None,
        [flow for flow in flows if flow.source is None],
        [flow for flow in flows if flow.target is None],
        tolerance_percent,
    )
    steps = [
        _closure(
            step,
            [flow for flow in flows if flow.target == step],
            [flow for flow in flows if flow.source == step],
            tolerance_percent,
        )
        for step in _steps_in_order(flows)
    ]
    return overall, steps


def _unique_name(preferred: str, suffix: str, used_names: set[str]) -> str:
    """Return ``preferred``, else "preferred (suffix)", else that with " 2", " 3", ... until unused."""
    if preferred not in used_names:
        return preferred
    candidate = f"{preferred} ({suffix})"
    counter = 2
    while candidate in used_names:
        candidate = f"{preferred} ({suffix}) {counter}"
        counter += 1
    return candidate


def _back_edges(flows: Sequence[Flow], steps: list[str]) -> set[int]:
    """Find the flows between steps that close a cycle, by depth-first search in first-appearance order.

    ECharts (6.1.0, bundled) rejects a Sankey graph with a cycle ("Sankey is a DAG, the original
    data has cycle!"), so each of these recycle flows is drawn into a copy of its target step.
    """
    successors: dict[str, list[tuple[int, str]]] = {step: [] for step in steps}
    for index, flow in enumerate(flows):
        if flow.source is not None and flow.target is not None:
            successors[flow.source].append((index, flow.target))

    back: set[int] = set()
    state: dict[str, int] = {}  # 1 = on the current path, 2 = finished
    for start in steps:
        if start in state:
            continue
        state[start] = 1
        stack: list[tuple[str, int]] = [(start, 0)]
        while stack:
            step, position = stack[-1]
            if position == len(successors[step]):
                state[step] = 2
                stack.pop()
                continue
            stack[-1] = (step, position + 1)
            index, target = successors[step][position]
            if state.get(target) == 1:
                back.add(index)
            elif target not in state:
                state[target] = 1
                stack.append((target, 0))
    return back


def sankey(
    flows: Sequence[Flow],
    outside_in_label: str,
    outside_out_label: str,
    *,
    recycle_label: str | None = None,
) -> dict[str, list[dict[str, object]]]:
    """Build the ``data``/``links`` of an ECharts Sankey series from the flows of a balance.

    Returns ``{"nodes": [{"name": ...}], "links": [{"source", "target", "value", "estimated", "name"}]}``.
    Process steps are nodes under their own name. Each flow entering or leaving the boundary
    gets a node of its own named after the flow. When a step or an earlier flow already uses
    that name, the node is "name (outside_in_label)" or "name (outside_out_label)", numbered if
    needed, so node names stay unique. A flow from a step back to an earlier step of a cycle
    goes to a copy of that step named "step (recycle_label)", because ECharts rejects cycles.
    Raises ``BalanceError`` for an invalid flow, including a flow from a step to itself.
    """
    _check_flows(flows)
    recycled = recycle_label if recycle_label is not None else pgettext("balance diagram node", "recycled")
    steps = _steps_in_order(flows)
    used_names: set[str] = set(steps)
    nodes: list[dict[str, object]] = [{"name": step} for step in steps]
    links: list[dict[str, object]] = []
    recycle_nodes: dict[str, str] = {}
    back = _back_edges(flows, steps)

    for index, flow in enumerate(flows):
        source = flow.source
        target = flow.target
        if source is None:
            source = _unique_name(flow.name, outside_in_label, used_names)
            used_names.add(source)
            nodes.append({"name": source})
        if target is None:
            target = _unique_name(flow.name, outside_out_label, used_names)
            used_names.add(target)
            nodes.append({"name": target})
        elif index in back:
            if target not in recycle_nodes:
                copy = _unique_name(f"{target} ({recycled})", recycled, used_names)
                used_names.add(copy)
                nodes.append({"name": copy})
                recycle_nodes[target] = copy
            target = recycle_nodes[target]
        links.append(
            {"source": source, "target": target, "value": flow.quantity, "estimated": flow.estimated, "name": flow.name}
        )
    return {"nodes": nodes, "links": links}
