"""ECharts data of the dashboards, built from indicator and diagnosis results without database access.

Each function returns plain lists and dicts for json_script; cleanprod/dashboards/static/dashboards/dashboards.js
draws them. Drill-down targets are passed as URLs in the data, so the script builds no URL itself.
"""

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from cleanprod.diagnosis.services import Diagnosis, UnitEnergy

from .services import LoadProfile, TrendSeries

ROUND_PLACES = 6


def trend_chart_data(series: Sequence[TrendSeries]) -> list[dict[str, Any]]:
    """Return one bar chart per resource: day labels, quantities in the canonical unit, and day coverage."""
    return [
        {
            "resource": item.resource_name,
            "unit": item.unit,
            "labels": [day.isoformat() for day in item.days],
            "values": [None if value is None else round(value, ROUND_PLACES) for value in item.quantities],
            "coverage_percent": list(item.coverage_percent),
        }
        for item in series
    ]


def treemap_chart_data(diagnosis: Diagnosis, unit_url: Callable[[int], str]) -> list[dict[str, Any]]:
    """Nest the organisation units by energy in tce; a unit's own meters become a leaf beside its children.

    Units whose energy is undefined (a missing factor) or zero are left out, so every area is
    a defined quantity. ``unit_url`` gives the dashboard URL of a unit id.
    """
    children_of: dict[int | None, list[UnitEnergy]] = defaultdict(list)
    for unit in diagnosis.units:
        children_of[unit.parent_id].append(unit)

    def node(unit: UnitEnergy) -> dict[str, Any] | None:
        if unit.total_tce is None or unit.total_tce <= 0:
            return None
        if unit.unit_id is None:
            # The meters without an organisation unit: a leaf without a dashboard of its own.
            return {"name": unit.name, "value": round(unit.total_tce, ROUND_PLACES), "url": ""}
        url = unit_url(unit.unit_id)
        children = [child for child in (node(item) for item in children_of[unit.unit_id]) if child is not None]
        if not children:
            return {"name": unit.name, "value": round(unit.total_tce, ROUND_PLACES), "url": url}
        if unit.direct_tce:
            children.append({"name": unit.name, "value": round(unit.direct_tce, ROUND_PLACES), "url": url, "own": True})
        return {"name": unit.name, "value": round(unit.total_tce, ROUND_PLACES), "url": url, "children": children}

    roots = [unit for unit in diagnosis.units if unit.parent_id is None]
    return [item for item in (node(unit) for unit in roots) if item is not None]


def pareto_chart_data(diagnosis: Diagnosis, unit_url: Callable[[int], str]) -> dict[str, Any]:
    """Return the energy ranking of the units (tce, by their own meters) with the cumulative share in percent."""
    pareto = diagnosis.unit_ranking.energy
    ids = {unit.code: unit.unit_id for unit in diagnosis.units}
    vital = {ranked.item.key for ranked in pareto.vital_few}
    items = pareto.ranking.items
    return {
        "unit": pareto.ranking.unit,
        "threshold_percent": pareto.threshold_percent,
        "labels": [ranked.item.name for ranked in items],
        "values": [round(ranked.item.value, ROUND_PLACES) for ranked in items],
        "cumulative_percent": [
            None if ranked.cumulative_percent is None else round(ranked.cumulative_percent, 2) for ranked in items
        ],
        "vital": [ranked.item.key in vital for ranked in items],
        "urls": [_optional_url(ids.get(ranked.item.key), unit_url) for ranked in items],
    }


def _optional_url(unit_id: int | None, unit_url: Callable[[int], str]) -> str:
    return unit_url(unit_id) if unit_id is not None else ""


def load_profile_chart_data(profile: LoadProfile) -> dict[str, Any]:
    """Return heatmap cells as [hour, weekday index 0..6, mean kW] with Monday first."""
    return {
        "unit": "kW",
        "max": profile.max_kw,
        "cells": [[hour, weekday - 1, value] for weekday, hour, value in profile.cells],
    }
