"""Solid waste indicators: NBS comprehensive utilisation rate, waste per unit of product, hazardous waste totals."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.production.services import WasteQuantities, net_output, waste_totals
from cleanprod.resources.models import Category, Resource

from . import formulas
from .formulas import Result


@dataclass(frozen=True, slots=True)
class WasteIndicators:
    """Solid waste indicators of a site or organisation unit over a period.

    ``general`` contains the general industrial solid waste quantities in tonnes, and
    ``utilisation_rate`` is their NBS comprehensive utilisation rate as a fraction.
    ``generated_per_unit_product`` is general solid waste generated in tonnes per
    ``product_unit`` of product, or None when no product was requested. The hazardous
    waste quantities are summed by HW category and by disposal route, where the route ""
    collects the records without a route.
    """

    general: WasteQuantities
    utilisation_rate: Result
    generated_per_unit_product: Result | None
    product_unit: str
    hazardous: WasteQuantities
    hazardous_by_hw_category: dict[str, WasteQuantities] = field(default_factory=dict)
    hazardous_by_route: dict[str, WasteQuantities] = field(default_factory=dict)


def waste_indicators(
    scope_site: Site,
    start: date,
    end: date,
    *,
    product: Resource | None = None,
    organization_unit: OrganizationUnit | None = None,
) -> WasteIndicators:
    """Compute the solid waste indicators of ``scope_site`` over the days ``start``..``end`` (inclusive).

    With ``organization_unit``, the waste and the production of exactly that unit count
    (see ``waste_totals`` and ``net_output``). The utilisation rate is Undefined("no_data")
    when no general solid waste was generated and no prior-year stock was utilised, and the
    waste per unit of product is Undefined("no_production") when the net output is not
    positive. Raise ValueError when ``end`` is before ``start``.
    """
    general = waste_totals(
        site=scope_site, start=start, end=end, organization_unit=organization_unit, category=Category.SOLID_WASTE
    ).total
    utilisation_rate = formulas.solid_waste_utilisation_rate(
        float(general.utilised_t), float(general.generated_t), float(general.prior_stock_utilised_t)
    )

    generated_per_unit_product: Result | None = None
    product_unit = ""
    if product is not None:
        output = net_output(site=scope_site, product=product, start=start, end=end, organization_unit=organization_unit)
        product_unit = output.unit
        generated_per_unit_product = formulas.intensity(float(general.generated_t), float(output.quantity))

    hazardous = waste_totals(
        site=scope_site, start=start, end=end, organization_unit=organization_unit, category=Category.HAZARDOUS_WASTE
    )
    by_hw_category: dict[str, WasteQuantities] = {}
    for resource_waste in hazardous.by_resource.values():
        hw_category = resource_waste.hw_category
        by_hw_category[hw_category] = by_hw_category.get(hw_category, WasteQuantities()) + resource_waste.quantities

    return WasteIndicators(
        general=general,
        utilisation_rate=utilisation_rate,
        generated_per_unit_product=generated_per_unit_product,
        product_unit=product_unit,
        hazardous=hazardous.total,
        hazardous_by_hw_category=dict(sorted(by_hw_category.items())),
        hazardous_by_route=hazardous.by_route,
    )
