"""The numbers of a report revision: computed once from the ledger, then stored and rendered as JSON.

Keys name the unit where it is fixed (``_tce``, ``_kwh``, ``_tco2``). Consumption and
product entries give theirs in a ``unit`` field, and coverage is a fraction. A value
that cannot be computed is stored as ``{"value": null, "reason": <code of
formulas.UNDEFINED_REASONS>}``, so a stored revision renders the same reason in any
language. An enterprise total is undefined when any of its sites' values is, because a
sum without one site would understate the enterprise.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from cleanprod.diagnosis.services import diagnose_site
from cleanprod.indicators import formulas
from cleanprod.indicators.formulas import Result, Undefined
from cleanprod.indicators.services import IndicatorSet, compute_indicator_set
from cleanprod.organization.models import Site
from cleanprod.production.models import ProductionRecord
from cleanprod.production.services import net_output
from cleanprod.resources.models import Category, Resource
from cleanprod.resources.services import FactorUse

SCHEMA_VERSION = 1

Value = dict[str, Any]  # {"value": float | None, "reason": str | None}


def value_of(result: Result) -> Value:
    if isinstance(result, Undefined):
        return {"value": None, "reason": result.reason}
    return {"value": result, "reason": None}


def result_of(value: Value) -> Result:
    if value["value"] is None:
        return Undefined(value["reason"])
    return float(value["value"])


def compute_snapshot(sites: Sequence[Site], start: date, end: date) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Compute the numbers and factor versions of a report over the local days start..end of the sites.

    Return ``(numbers, factor_versions)``. With more than one site, ``numbers["total"]``
    sums the sites. With one site it is None.
    """
    blocks = []
    priorities = []
    factors: dict[int, FactorUse] = {}
    for site in sites:
        indicators = compute_indicator_set(site, start, end)
        blocks.append(_site_block(site, indicators))
        for factor in indicators.factors:
            factors[factor.factor_id] = factor
        for item in diagnose_site(site, start, end).priorities:
            priorities.append(
                {
                    "site_code": site.code,
                    "rank": item.rank,
                    "unit_code": item.code,
                    # Empty for meters without a unit: the outputs translate that label when they render.
                    "unit_name": item.name if item.unit_id is not None else "",
                    "energy_tce": item.energy_tce,
                    "energy_share_percent": item.energy_share_percent,
                    "electricity_co2_t": item.electricity_co2_t,
                    "co2_share_percent": item.co2_share_percent,
                }
            )
    numbers: dict[str, Any] = {
        "schema": SCHEMA_VERSION,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "sites": blocks,
        "total": _total_block(blocks) if len(blocks) > 1 else None,
        "priorities": priorities,
    }
    factor_versions = [_factor_record(factor) for factor in sorted(factors.values(), key=_factor_sort_key)]
    return numbers, factor_versions


def _factor_sort_key(factor: FactorUse) -> tuple[str, str, str, int, int]:
    return (factor.kind, factor.resource_code, factor.region, factor.data_year or 0, factor.version)


def _factor_record(factor: FactorUse) -> dict[str, Any]:
    return {
        "factor_id": factor.factor_id,
        "kind": factor.kind,
        "resource_code": factor.resource_code,
        "series": factor.series,
        "region": factor.region,
        "data_year": factor.data_year,
        "version": factor.version,
        # A string keeps the decimal exactly as the factor table stores it.
        "value": str(factor.value),
        "unit": factor.unit,
        "source": factor.source,
        "provisional": factor.provisional,
    }


def _site_block(site: Site, indicators: IndicatorSet) -> dict[str, Any]:
    resources = {
        resource.code: resource
        for resource in Resource.objects.filter(code__in=[item.resource_code for item in indicators.consumption])
    }
    consumption = [
        {
            "resource_code": item.resource_code,
            "name_zh": resources[item.resource_code].name_zh,
            "name_en": resources[item.resource_code].name_en,
            "unit": item.unit,
            "quantity": item.quantity,
            "estimated": item.estimated,
            "suspect": item.suspect,
            "coverage": item.coverage,
        }
        for item in indicators.consumption
    ]
    electricity = [
        item.quantity
        for item in indicators.consumption
        if resources[item.resource_code].category == Category.ELECTRICITY and item.unit == "kWh"
    ]
    energy = indicators.comprehensive_energy_tce
    electricity_kwh = sum(electricity) if electricity else 0.0
    return {
        "site_id": site.pk,
        "site_code": site.code,
        "site_name": site.name,
        "coverage": indicators.completeness.coverage,
        "period_over": indicators.completeness.period_over,
        "partial": indicators.partial,
        "consumption": consumption,
        "comprehensive_energy_tce": value_of(energy),
        "electricity_kwh": value_of(electricity_kwh),
        "scope2_tco2": value_of(indicators.electricity_scope2_tco2),
        "products": _products(site, indicators, energy, electricity_kwh),
        "notices": [{"code": notice.code, "params": dict(notice.params)} for notice in indicators.notices],
    }


def _products(site: Site, indicators: IndicatorSet, energy_tce: Result, electricity_kwh: float) -> list[dict[str, Any]]:
    """Return net output and intensities for every product with production records in the period."""
    product_ids = (
        ProductionRecord.objects.filter(site=site, period_start__lte=indicators.end, period_end__gte=indicators.start)
        .values_list("product_id", flat=True)
        .distinct()
    )
    products = []
    for product in Resource.objects.filter(pk__in=product_ids).order_by("code"):
        output = net_output(site=site, product=product, start=indicators.start, end=indicators.end)
        products.append(
            _product_entry(
                product.code,
                product.name_zh,
                product.name_en,
                output.unit,
                output.quantity,
                output.generated,
                energy_tce,
                electricity_kwh,
            )
        )
    return products


def _product_entry(
    code: str,
    name_zh: str,
    name_en: str,
    unit: str,
    quantity: Decimal | float,
    generated: bool,
    energy_tce: Result,
    electricity_kwh: float,
) -> dict[str, Any]:
    production = float(quantity)
    energy_intensity: Result = (
        energy_tce if isinstance(energy_tce, Undefined) else formulas.intensity(energy_tce * 1000, production)
    )
    return {
        "product_code": code,
        "name_zh": name_zh,
        "name_en": name_en,
        "unit": unit,
        "net_output": production,
        "generated": generated,
        "energy_kgce_per_unit": value_of(energy_intensity),
        "electricity_kwh_per_unit": value_of(formulas.intensity(electricity_kwh, production)),
    }


def _sum_values(values: Iterable[Value]) -> Value:
    total = 0.0
    for value in values:
        if value["value"] is None:
            return dict(value)
        total += value["value"]
    return {"value": total, "reason": None}


def _total_block(blocks: list[dict[str, Any]]) -> dict[str, Any]:
    """Sum the site blocks of an enterprise report."""
    consumption: dict[tuple[str, str], dict[str, Any]] = {}
    for block in blocks:
        for item in block["consumption"]:
            key = (item["resource_code"], item["unit"])
            if key not in consumption:
                consumption[key] = {**item, "quantity": 0.0, "estimated": 0.0, "suspect": 0.0, "coverage": 1.0}
            total = consumption[key]
            total["quantity"] += item["quantity"]
            total["estimated"] += item["estimated"]
            total["suspect"] += item["suspect"]
            total["coverage"] = min(total["coverage"], item["coverage"])

    energy = _sum_values(block["comprehensive_energy_tce"] for block in blocks)
    electricity = _sum_values(block["electricity_kwh"] for block in blocks)
    products: dict[tuple[str, str], dict[str, Any]] = {}
    for block in blocks:
        for item in block["products"]:
            key = (item["product_code"], item["unit"])
            entry = products.setdefault(key, {**item, "net_output": 0.0, "generated": False})
            entry["net_output"] += item["net_output"]
            entry["generated"] = entry["generated"] or item["generated"]
    electricity_kwh = electricity["value"] or 0.0
    return {
        "coverage": min(block["coverage"] for block in blocks),
        "period_over": all(block["period_over"] for block in blocks),
        "partial": any(block["partial"] for block in blocks),
        "consumption": sorted(consumption.values(), key=lambda item: item["resource_code"]),
        "comprehensive_energy_tce": energy,
        "electricity_kwh": electricity,
        "scope2_tco2": _sum_values(block["scope2_tco2"] for block in blocks),
        "products": [
            _product_entry(
                item["product_code"],
                item["name_zh"],
                item["name_en"],
                item["unit"],
                item["net_output"],
                item["generated"],
                result_of(energy),
                electricity_kwh,
            )
            for item in sorted(products.values(), key=lambda item: item["product_code"])
        ],
        "notices": [],
    }


def flatten(numbers: Any, prefix: str = "") -> dict[str, Any]:
    """Flatten nested numbers into ``path → value``, keying list items by their code so a diff pairs them."""
    flat: dict[str, Any] = {}
    if isinstance(numbers, dict):
        for key, item in numbers.items():
            flat.update(flatten(item, f"{prefix}.{key}" if prefix else str(key)))
    elif isinstance(numbers, list):
        for index, item in enumerate(numbers):
            flat.update(flatten(item, f"{prefix}[{_item_key(item, index)}]"))
    else:
        flat[prefix] = numbers
    return flat


_ITEM_KEYS = ("site_code", "resource_code", "product_code", "unit_code", "code")


def _item_key(item: Any, index: int) -> str:
    if not isinstance(item, dict):
        return str(index)
    parts = [str(item[key]) for key in _ITEM_KEYS if key in item]
    if "kind" in item and "factor_id" in item:
        # Factor versions: a correction changes factor_id and version, so key by what the factor is for.
        parts = [item["kind"], item["resource_code"], item["region"], str(item["data_year"])]
    return "/".join(parts) if parts else str(index)
