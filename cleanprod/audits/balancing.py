"""Material, water and energy balances of the audit focus: flows from the database, closure and Sankey.

The arithmetic is in cleanprod.audits.balances; this module maps stored flows onto it and
fills a flow from a meter's baseline-year total.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils.translation import gettext as _

from cleanprod.diagnosis.services import sum_rollups
from cleanprod.metering.models import Meter
from cleanprod.resources.units import conversion_factor

from .balances import BalanceError, Closure, Flow, close, sankey
from .models import AuditProject, Balance, BalanceFlow, FlowDirection

logger = logging.getLogger(__name__)


def flow_of(row: BalanceFlow) -> Flow:
    """Map a stored flow onto the balance arithmetic: None as source or target is outside the balance."""
    quantity = float(row.quantity)
    if row.direction == FlowDirection.INPUT:
        return Flow(row.name, quantity, None, row.step, row.estimated)
    if row.direction == FlowDirection.OUTPUT:
        return Flow(row.name, quantity, row.step, None, row.estimated)
    return Flow(row.name, quantity, row.step, row.to_step, row.estimated)


@dataclass(frozen=True, slots=True)
class BalanceResult:
    balance_id: int
    kind: str
    name: str
    unit: str
    tolerance_percent: float
    overall: Closure | None  # None when the flows are invalid, and ``error`` says why
    steps: list[Closure]
    sankey: dict[str, Any]
    flows: list[dict[str, Any]]
    error: str


def balance_result(balance: Balance) -> BalanceResult:
    rows = list(balance.flows.select_related("meter"))
    flows = [flow_of(row) for row in rows]
    tolerance = float(balance.tolerance_percent)
    overall: Closure | None = None
    steps: list[Closure] = []
    chart: dict[str, Any] = {"nodes": [], "links": []}
    error = ""
    try:
        overall, steps = close(flows, tolerance)
        chart = sankey(flows, _("from outside"), _("to outside"))
    except BalanceError as exception:
        # The flow form rejects these cases, so only rows changed elsewhere (admin) get here.
        logger.warning("balance %s cannot be closed: %s", balance.pk, exception.code)
        error = exception.message
    return BalanceResult(
        balance_id=balance.pk,
        kind=balance.kind,
        name=balance.name,
        unit=balance.unit,
        tolerance_percent=tolerance,
        overall=overall,
        steps=steps,
        sankey=chart,
        flows=[
            {
                "id": row.pk,
                "step": row.step,
                "direction": row.direction,
                "to_step": row.to_step,
                "name": row.name,
                "quantity": float(row.quantity),
                "estimated": row.estimated,
                "meter_code": row.meter.code if row.meter is not None else "",
            }
            for row in rows
        ],
        error=error,
    )


def balance_results(audit: AuditProject) -> list[BalanceResult]:
    """Close every balance of the audit: the overall closure, one per process step, and the Sankey data."""
    return [balance_result(balance) for balance in audit.balances.all()]


def meter_baseline_total(meter: Meter, year: int, unit: str) -> float:
    """Return what the meter measured in the local days of ``year``, converted from its canonical unit to ``unit``.

    Suspect values are excluded, as in the rollups. Raise UnitError when the units are incompatible.
    """
    totals = sum_rollups([meter.pk], date(year, 1, 1), date(year, 12, 31)).get(meter.pk)
    quantity = sum(totals.quantity_by_year.values()) if totals is not None else 0.0
    return quantity * conversion_factor(meter.resource.canonical_unit, unit)
