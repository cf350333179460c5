"""GET /api/sites/{id}/indicators and /api/units/{id}/indicators: an IndicatorSet as JSON."""

from django.http import HttpRequest
from ninja import Query, Router

from cleanprod.indicators.formulas import Result, Undefined
from cleanprod.indicators.services import FactoredPart, IndicatorSet, ResourceConsumption, compute_indicator_set
from cleanprod.indicators.waste import waste_indicators
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.production.services import WASTE_QUANTITY_FIELDS, WasteQuantities
from cleanprod.resources.services import FactorUse

from .errors import ErrorOut
from .lookups import product_for, site_for, unit_for
from .periods import IndicatorQuery
from .schemas import (
    CompletenessOut,
    ConsumptionOut,
    FactoredPartOut,
    FactorOut,
    IndicatorSetOut,
    IntensityOut,
    NoticeOut,
    UndefinedOut,
    ValueOut,
    WasteIndicatorsOut,
    WasteQuantitiesOut,
    YearQuantityOut,
)

router = Router(tags=["indicators"])

ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 401: ErrorOut, 404: ErrorOut}


@router.get(
    "/sites/{site_id}/waste",
    response={200: WasteIndicatorsOut, **ERRORS},
    summary="Solid and hazardous waste indicators of a site over a period",
)
def site_waste(request: HttpRequest, site_id: int, query: Query[IndicatorQuery]) -> WasteIndicatorsOut:
    """Return waste quantities, the comprehensive utilisation rate, and hazardous waste by HW category and route."""
    site = site_for(request, site_id)
    product = product_for(query.product) if query.product else None
    result = waste_indicators(site, query.start, query.end, product=product)
    return WasteIndicatorsOut(
        general=_waste_out(result.general),
        utilisation_rate=value_out(result.utilisation_rate),
        generated_per_unit_product=_optional_value(result.generated_per_unit_product),
        product_unit=result.product_unit,
        hazardous=_waste_out(result.hazardous),
        hazardous_by_hw_category={key: _waste_out(value) for key, value in result.hazardous_by_hw_category.items()},
        hazardous_by_route={key: _waste_out(value) for key, value in result.hazardous_by_route.items()},
    )


def _waste_out(quantities: WasteQuantities) -> WasteQuantitiesOut:
    return WasteQuantitiesOut(**{name: float(getattr(quantities, name)) for name in WASTE_QUANTITY_FIELDS})


@router.get(
    "/sites/{site_id}/indicators",
    response={200: IndicatorSetOut, **ERRORS},
    summary="Indicators of a site over a period",
)
def site_indicators(request: HttpRequest, site_id: int, query: Query[IndicatorQuery]) -> IndicatorSetOut:
    """Compute consumption, coverage, comprehensive energy, scope 2 CO2 and, with a product, intensities.

    Sub-meters and virtual meters are not added to their incomers. A period that is still
    running or not fully covered by data is returned with ``partial`` true.
    """
    return _indicators(site_for(request, site_id), query)


@router.get(
    "/units/{unit_id}/indicators",
    response={200: IndicatorSetOut, **ERRORS},
    summary="Indicators of an organisation unit and the units below it",
)
def unit_indicators(request: HttpRequest, unit_id: int, query: Query[IndicatorQuery]) -> IndicatorSetOut:
    """Compute the indicators of the unit's subtree; intensities are per unit of the unit's own net output."""
    return _indicators(unit_for(request, unit_id), query)


def _indicators(scope: Site | OrganizationUnit, query: IndicatorQuery) -> IndicatorSetOut:
    product = product_for(query.product) if query.product else None
    result = compute_indicator_set(
        scope, query.start, query.end, product=product, electricity_basis=query.electricity_basis
    )
    return indicator_set_out(result)


def value_out(value: Result) -> ValueOut:
    if isinstance(value, Undefined):
        return ValueOut(value=None, undefined=UndefinedOut(reason=value.reason, message=str(value.message)))
    return ValueOut(value=value, undefined=None)


def factor_out(factor: FactorUse) -> FactorOut:
    return FactorOut(
        factor_id=factor.factor_id,
        kind=factor.kind,
        resource=factor.resource_code,
        series=factor.series,
        region=factor.region,
        data_year=factor.data_year,
        version=factor.version,
        value=float(factor.value),
        unit=factor.unit,
        source=factor.source,
        provisional=factor.provisional,
    )


def _part_out(part: FactoredPart) -> FactoredPartOut:
    return FactoredPartOut(
        resource=part.resource_code,
        year=part.year,
        quantity=part.quantity,
        result=part.result,
        factor_id=part.factor.factor_id,
    )


def _consumption_out(item: ResourceConsumption) -> ConsumptionOut:
    return ConsumptionOut(
        resource=item.resource_code,
        unit=item.unit,
        quantity=item.quantity,
        estimated=item.estimated,
        suspect=item.suspect,
        meter_codes=list(item.meter_codes),
        coverage=item.coverage,
        by_year=[YearQuantityOut(year=year, quantity=quantity) for year, quantity in item.by_year],
    )


def _optional_value(value: Result | None) -> ValueOut | None:
    return value_out(value) if value is not None else None


def indicator_set_out(result: IndicatorSet) -> IndicatorSetOut:
    completeness = result.completeness
    intensity = result.energy_intensity_kgce_per_unit
    return IndicatorSetOut(
        site_id=result.site_id,
        organization_unit_id=result.organization_unit_id,
        start=result.start,
        end=result.end,
        partial=result.partial,
        coverage=completeness.coverage,
        completeness=CompletenessOut(
            covered_seconds=completeness.covered_seconds,
            period_seconds=completeness.period_seconds,
            period_over=completeness.period_over,
            coverage=completeness.coverage,
            complete=completeness.complete,
        ),
        consumption=[_consumption_out(item) for item in result.consumption],
        exported=[_consumption_out(item) for item in result.exported],
        generated=[_consumption_out(item) for item in result.generated],
        comprehensive_energy_tce=value_out(result.comprehensive_energy_tce),
        energy_parts=[_part_out(part) for part in result.energy_parts],
        electricity_scope2_tco2=value_out(result.electricity_scope2_tco2),
        scope2_parts=[_part_out(part) for part in result.scope2_parts],
        product=result.product_code,
        product_unit=result.product_unit,
        net_output=float(result.net_output) if result.net_output is not None else None,
        energy_intensity_kgce_per_unit=value_out(intensity) if intensity is not None else None,
        electricity_basis=result.electricity_basis,
        fuel_scope1_tco2=value_out(result.fuel_scope1_tco2),
        carbonate_scope1_tco2=value_out(result.carbonate_scope1_tco2),
        heat_scope2_tco2=value_out(result.heat_scope2_tco2),
        total_co2_t=value_out(result.total_co2_t),
        co2_per_unit_product_t=_optional_value(result.co2_per_unit_product_t),
        fresh_water_m3=result.fresh_water_m3,
        fresh_water_per_unit_product=_optional_value(result.fresh_water_per_unit_product),
        water_reuse_rate=value_out(result.water_reuse_rate),
        wastewater_reuse_rate=value_out(result.wastewater_reuse_rate),
        energy_per_10k_cny=value_out(result.energy_per_10k_cny),
        resource_intensities=[
            IntensityOut(resource=item.resource_code, unit=item.unit, value=value_out(item.value))
            for item in result.resource_intensities
        ],
        factors=[factor_out(factor) for factor in result.factors],
        notices=[
            NoticeOut(code=notice.code, params=notice.params, message=notice.message) for notice in result.notices
        ],
    )
