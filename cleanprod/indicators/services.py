"""Indicators of a site or an organisation unit over a period of local days, computed from the ledger.

Consumption comes from the daily rollups, summed in the database per meter and calendar
year, so the number of queries does not grow with the number of days. Every factor goes
through cleanprod.resources.services, and every result keeps the factor versions it used.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cleanprod.metering.buckets import local_day_bounds
from cleanprod.metering.models import DailyRollup, Meter, MeterFlow
from cleanprod.organization.models import GRID_REGIONS, OrganizationUnit, Site
from cleanprod.production.models import OutputValueBasis
from cleanprod.production.services import net_output, net_output_value
from cleanprod.resources.factors import FactorNotFound
from cleanprod.resources.models import Category, FactorKind, Resource
from cleanprod.resources.services import FactorUse, apply_factor, select_factor, standard_coal_tce
from cleanprod.resources.units import conversion_factor

from . import formulas
from .formulas import PeriodCompleteness, Result, Undefined

logger = logging.getLogger(__name__)

GRID_SERIES = "mee_nbs_average"
NATIONAL_REGION = "national"


REGION_NAMES: dict[str, Promise] = dict(GRID_REGIONS)

NOTICE_MESSAGES: dict[str, Promise] = {
    "missing_standard_coal_factor": _(
        "No standard coal coefficient for %(resource)s in %(year)s, so comprehensive energy is not computed; "
        "add the coefficient to the factor table."
    ),
    "missing_grid_factor": _(
        "No grid emission factor for %(region)s or the national average in %(year)s, so scope 2 CO2 is not "
        "computed; add the factor to the factor table."
    ),
    # The same notice code as missing_grid_factor, worded for a site in the national average region.
    "missing_national_grid_factor": _(
        "No national average grid emission factor for %(year)s, so scope 2 CO2 is not computed; add the factor "
        "to the factor table."
    ),
    "grid_region_fallback": _(
        "No %(region)s emission factor for %(year)s; the national average factor is used instead."
    ),
    "missing_fuel_combustion_factor": _(
        "The net calorific value, carbon content or oxidation rate of %(resource)s for %(year)s is missing, "
        "so scope 1 CO2 is not computed; add the missing factor to the factor table."
    ),
    "missing_equivalent_value_factor": _(
        "No standard coal coefficient of electricity at the primary-energy equivalent value for %(year)s, so "
        "comprehensive energy is not computed; add that year's equivalent value, derived from the average coal "
        "consumption of thermal power supply, to the factor table."
    ),
    "missing_heat_factor": _(
        "No emission factor of purchased heat for %(year)s, so scope 2 CO2 of heat is not computed; add the "
        "factor to the factor table."
    ),
    "steam_not_converted": _(
        "%(resource)s is measured in %(unit)s and is left out of scope 2 CO2 and total CO2, because converting it "
        "to heat needs the steam enthalpy; meter the heat in GJ to include it."
    ),
}

ElectricityBasis = Literal["calorific", "equivalent"]

HEAT = "heat"

FRESH_WATER = "fresh_water"
RECYCLED_WATER = "recycled_water"
WASTEWATER = "wastewater"


@dataclass(frozen=True, slots=True)
class Notice:
    """A remark that a report must show next to the indicators: a stable code and its parameters."""

    code: str
    params: dict[str, str | int]

    @property
    def message(self) -> str:
        params = dict(self.params)
        if self.code == "missing_grid_factor" and params.get("region") == NATIONAL_REGION:
            return str(NOTICE_MESSAGES["missing_national_grid_factor"]) % params
        if "region" in params:
            params["region"] = str(REGION_NAMES.get(str(params["region"]), params["region"]))
        return str(NOTICE_MESSAGES[self.code]) % params


@dataclass(frozen=True, slots=True)
class ResourceConsumption:
    """Consumption of one resource in the scope, in the resource's canonical unit.

    ``quantity`` is measured plus estimated and excludes suspect values, as the rollups do.
    ``coverage`` is that of the least-covered meter counted for this resource.
    """

    resource_code: str
    unit: str
    quantity: float
    estimated: float
    suspect: float
    meter_codes: tuple[str, ...]
    coverage: float
    by_year: tuple[tuple[int, float], ...]


@dataclass(frozen=True, slots=True)
class FactoredPart:
    """The part of a period that falls in one calendar year, converted with that year's factor.

    Exported energy is deducted, so its parts carry a negative quantity and result, and the
    results of all parts add up to the total.
    """

    resource_code: str
    year: int
    quantity: float  # canonical unit of the resource, negative for exported energy
    result: float  # tce in energy_parts, tCO2 in the scope 2 parts, negative for exported energy
    factor: FactorUse


@dataclass(frozen=True, slots=True)
class CombustionPart:
    """The CO2 of one fuel burnt in one calendar year, with the three factors of that year."""

    resource_code: str
    year: int
    quantity: float  # canonical unit of the resource
    tco2: float
    net_calorific_value: FactorUse
    carbon_content: FactorUse
    oxidation_rate: FactorUse

    @property
    def factors(self) -> tuple[FactorUse, FactorUse, FactorUse]:
        return (self.net_calorific_value, self.carbon_content, self.oxidation_rate)


@dataclass(frozen=True, slots=True)
class ResourceIntensity:
    """Consumption of one resource per unit of product, in ``unit`` (e.g. kWh/t)."""

    resource_code: str
    unit: str
    value: Result


@dataclass(frozen=True, slots=True)
class IndicatorSet:
    """Indicators of one scope and period, with everything a report must keep to reproduce them.

    ``factors`` lists each factor version used for comprehensive energy, scope 2 and scope 1
    once, with its id, version and provisional mark. Each part of ``scope1_parts`` also keeps
    its own three fuel factors. ``notices`` explain fallbacks and missing factors.

    ``consumption`` covers consumption meters only. ``exported`` lists what export meters
    measured, which comprehensive energy and scope 2 deduct (GB/T 2589-2020, GB/T 32150-2015).
    ``generated`` lists what on-site generation meters measured. It is neither purchased nor
    counted as consumption, and it enters no other indicator.

    Water assumes that recycled_water meters measure all water used again in the scope
    (recirculated cooling water, treated wastewater returned to use), so the reuse rate
    is recycled / (fresh + recycled) over the fresh_water and recycled_water meters.
    """

    site_id: int
    organization_unit_id: int | None
    start: date
    end: date
    completeness: PeriodCompleteness
    consumption: tuple[ResourceConsumption, ...]
    exported: tuple[ResourceConsumption, ...]
    generated: tuple[ResourceConsumption, ...]
    electricity_basis: ElectricityBasis  # how electricity is converted to tce (GB/T 2589 当量值 or 等价值)
    comprehensive_energy_tce: Result
    energy_parts: tuple[FactoredPart, ...]
    electricity_scope2_tco2: Result
    scope2_parts: tuple[FactoredPart, ...]  # electricity only
    heat_scope2_tco2: Result
    heat_scope2_parts: tuple[FactoredPart, ...]
    fuel_scope1_tco2: Result
    scope1_parts: tuple[CombustionPart, ...]
    carbonate_scope1_tco2: Result
    carbonate_parts: tuple[FactoredPart, ...]
    # scope 1 fuel combustion and carbonate process + scope 2 electricity and heat
    total_co2_t: Result
    product_code: str | None
    product_unit: str | None
    net_output: Decimal | None
    energy_intensity_kgce_per_unit: Result | None  # None when no product was requested
    co2_per_unit_product_t: Result | None  # total CO2 per unit of product; None when no product was requested
    resource_intensities: tuple[ResourceIntensity, ...]
    fresh_water_m3: float
    fresh_water_per_unit_product: Result | None  # None when no product was requested
    water_reuse_rate: Result
    # Kw = reused / (discharged + reused), with wastewater meters measuring the discharge and
    # recycled_water meters the treated wastewater returned to use (the assumption above).
    wastewater_reuse_rate: Result
    energy_per_10k_cny: Result  # tce per 10,000 CNY (万元) of gross output value
    factors: tuple[FactorUse, ...]
    notices: tuple[Notice, ...]

    @property
    def partial(self) -> bool:
        return not self.completeness.complete

    def consumption_of(self, resource_code: str) -> ResourceConsumption | None:
        for item in self.consumption:
            if item.resource_code == resource_code:
                return item
        return None


def period_seconds(site: Site, start: date, end: date) -> float:
    """Return the length in seconds of the local days start..end, DST days included."""
    first_start, _next = local_day_bounds(start, site.zone)
    _last_start, last_end = local_day_bounds(end, site.zone)
    return (last_end - first_start).total_seconds()


def compute_indicator_set(
    scope: Site | OrganizationUnit,
    start: date,
    end: date,
    *,
    product: Resource | None = None,
    now: datetime | None = None,
    electricity_basis: ElectricityBasis = "calorific",
) -> IndicatorSet:
    """Compute consumption, coverage, comprehensive energy, CO2, water indicators and intensities for a scope.

    ``scope`` is a site, or an organisation unit together with all units below it. Each
    physical meter counts once: a meter whose parent meter is also in the scope is a
    sub-meter of a counted incomer and is left out, and virtual meters are skipped. This rule
    applies to every meter flow. The counted meters are then split by Meter.flow into
    consumption, export and on-site generation.
    ``start`` and ``end`` are inclusive local days of the site. The period is partial when
    it has not ended by ``now`` (default: the current time) or a counted consumption or export
    meter covers less than all of it. Generation meters enter no indicator, so their coverage
    is only reported in ``generated``. With ``product``, intensities are per unit of its net output
    (production.services.net_output, of the unit itself when the scope is a unit).
    Values of a partial period are returned unchanged, with ``partial`` set to True.
    ``electricity_basis`` converts electricity to tce at the calorific equivalent (当量值, the
    undated GB/T 2589 coefficient) or at the primary-energy equivalent value (等价值), which
    the factor table must hold for each year as FactorKind.STANDARD_COAL_EQUIVALENT_VALUE.

    Raise ValueError when ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"The requested period {start}–{end} ends before it starts.")
    if isinstance(scope, Site):
        site, unit = scope, None
    else:
        site, unit = scope.site, scope

    meters = counted_meters(site, unit)
    totals = _rollup_totals(meters, start, end)
    seconds = period_seconds(site, start, end)
    today = (now or timezone.now()).astimezone(site.zone).date()
    consumption, least_covered = _consumption(_of_flow(meters, MeterFlow.CONSUMPTION), totals, seconds)
    exported, least_covered_export = _consumption(_of_flow(meters, MeterFlow.EXPORT), totals, seconds)
    generated, _least_covered_generation = _consumption(_of_flow(meters, MeterFlow.GENERATION), totals, seconds)
    if exported:
        least_covered = min(least_covered, least_covered_export)
    completeness = formulas.assess_period(least_covered * seconds, seconds, period_over=end < today)

    notices: list[Notice] = []
    resources = {meter.resource.code: meter.resource for meter in meters}
    energy_tce, energy_parts = _comprehensive_energy(resources, consumption, exported, notices, electricity_basis)
    scope2_tco2, scope2_parts = _electricity_scope2(site, resources, consumption, exported, notices)
    heat_tco2, heat_parts = _heat_scope2(resources, consumption, exported, notices)
    scope1_tco2, scope1_parts = _fuel_scope1(resources, consumption, notices)
    carbonate_tco2, carbonate_parts = _carbonate_scope1(resources, consumption)
    fresh_m3 = _water_m3(consumption, FRESH_WATER)
    recycled_m3 = _water_m3(consumption, RECYCLED_WATER)
    reuse_rate = formulas.water_reuse_rate(recycled_m3, fresh_m3)
    wastewater_reuse = formulas.wastewater_reuse_rate(recycled_m3, _water_m3(consumption, WASTEWATER))

    net: Decimal | None = None
    energy_intensity: Result | None = None
    intensities: list[ResourceIntensity] = []
    fresh_water_intensity: Result | None = None
    co2_intensity: Result | None = None
    total_co2 = _total_co2(scope1_tco2, carbonate_tco2, scope2_tco2, heat_tco2)
    if product is not None:
        output = net_output(site=site, product=product, start=start, end=end, organization_unit=unit)
        net = output.quantity
        production = float(output.quantity)
        if isinstance(energy_tce, Undefined):
            energy_intensity = energy_tce
        else:
            energy_intensity = formulas.intensity(energy_tce * 1000, production)
        for item in consumption:
            value = formulas.intensity(item.quantity, production)
            intensities.append(ResourceIntensity(item.resource_code, f"{item.unit}/{output.unit}", value))
        fresh_water_intensity = formulas.fresh_water_per_unit_product(fresh_m3, production)
        co2_intensity = total_co2 if isinstance(total_co2, Undefined) else formulas.intensity(total_co2, production)

    used = [
        *(part.factor for part in (*energy_parts, *scope2_parts, *heat_parts, *carbonate_parts)),
        *(use for part in scope1_parts for use in part.factors),
    ]
    result = IndicatorSet(
        site_id=site.pk,
        organization_unit_id=unit.pk if unit is not None else None,
        start=start,
        end=end,
        completeness=completeness,
        consumption=tuple(consumption),
        exported=tuple(exported),
        generated=tuple(generated),
        electricity_basis=electricity_basis,
        comprehensive_energy_tce=energy_tce,
        energy_parts=tuple(energy_parts),
        electricity_scope2_tco2=scope2_tco2,
        scope2_parts=tuple(scope2_parts),
        heat_scope2_tco2=heat_tco2,
        heat_scope2_parts=tuple(heat_parts),
        fuel_scope1_tco2=scope1_tco2,
        scope1_parts=tuple(scope1_parts),
        carbonate_scope1_tco2=carbonate_tco2,
        carbonate_parts=tuple(carbonate_parts),
        total_co2_t=total_co2,
        product_code=product.code if product is not None else None,
        product_unit=product.canonical_unit if product is not None else None,
        net_output=net,
        energy_intensity_kgce_per_unit=energy_intensity,
        co2_per_unit_product_t=co2_intensity,
        resource_intensities=tuple(intensities),
        fresh_water_m3=fresh_m3,
        fresh_water_per_unit_product=fresh_water_intensity,
        water_reuse_rate=reuse_rate,
        wastewater_reuse_rate=wastewater_reuse,
        energy_per_10k_cny=_energy_per_output_value(site, unit, start, end, energy_tce),
        factors=tuple(dict.fromkeys(used)),
        # Consumption and export of one resource and year look up the same factor, so a notice can repeat.
        notices=tuple(notice for index, notice in enumerate(notices) if notice not in notices[:index]),
    )
    logger.debug(
        "indicators computed: site=%s unit=%s period=%s..%s meters=%s notices=%s",
        site.pk,
        result.organization_unit_id,
        start,
        end,
        len(meters),
        [notice.code for notice in notices],
    )
    return result


def _subtree_ids(site: Site, root: OrganizationUnit) -> set[int]:
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in OrganizationUnit.objects.filter(site=site).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found = {root.pk}
    pending = [root.pk]
    while pending:
        for child in children[pending.pop()]:
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


def counted_meters(site: Site, unit: OrganizationUnit | None) -> list[Meter]:
    """Return the physical meters whose sum is the total of the site, or of ``unit`` and the units below it.

    Virtual meters are left out, and so is a meter whose parent meter is also in the scope.
    Every flow is returned; callers split them with Meter.flow. Alert rules on a unit's
    total use the same selection, so an alert and the indicators agree on the total.
    """
    meters = Meter.objects.filter(site=site, is_virtual=False).select_related("resource").order_by("code")
    if unit is not None:
        meters = meters.filter(organization_unit_id__in=_subtree_ids(site, unit))
    in_scope = list(meters)
    ids = {meter.pk for meter in in_scope}
    # A sub-meter measures part of what its incomer measures, so adding both counts it twice.
    return [meter for meter in in_scope if meter.parent_id not in ids]


def _of_flow(meters: list[Meter], flow: MeterFlow) -> list[Meter]:
    return [meter for meter in meters if meter.flow == flow]


@dataclass
class _MeterTotal:
    quantity: float = 0.0
    estimated: float = 0.0
    suspect: float = 0.0
    covered_seconds: float = 0.0


def _rollup_totals(meters: list[Meter], start: date, end: date) -> dict[int, dict[int, _MeterTotal]]:
    """Sum daily rollups per meter and calendar year in one query."""
    rows = (
        DailyRollup.objects.filter(meter_id__in=[meter.pk for meter in meters], day__gte=start, day__lte=end)
        .annotate(year=ExtractYear("day"))
        .values("meter_id", "year")
        .annotate(
            quantity=Sum("quantity"),
            estimated=Sum("estimated"),
            suspect=Sum("suspect"),
            covered=Sum("covered_seconds"),
        )
        .order_by()
    )
    totals: dict[int, dict[int, _MeterTotal]] = defaultdict(dict)
    for row in rows:
        totals[row["meter_id"]][row["year"]] = _MeterTotal(
            float(row["quantity"] or 0.0),
            float(row["estimated"] or 0.0),
            float(row["suspect"] or 0.0),
            float(row["covered"] or 0.0),
        )
    return totals


def _consumption(
    meters: list[Meter], totals: dict[int, dict[int, _MeterTotal]], seconds: float
) -> tuple[list[ResourceConsumption], float]:
    """Group the meter totals by resource, and return the coverage of the least-covered meter as well."""
    by_resource: dict[int, list[Meter]] = defaultdict(list)
    for meter in meters:
        # NOTE: an inactive meter counts only when it has data in the period, so a meter
        # taken out of service does not make every later period partial.
        if meter.active or meter.pk in totals:
            by_resource[meter.resource_id].append(meter)

    result: list[ResourceConsumption] = []
    least_covered = 1.0
    for group in by_resource.values():
        resource = group[0].resource
        by_year: dict[int, float] = defaultdict(float)
        estimated = suspect = 0.0
        coverages: list[float] = []
        for meter in group:
            years = totals.get(meter.pk, {})
            for year, total in years.items():
                by_year[year] += total.quantity
                estimated += total.estimated
                suspect += total.suspect
            covered = sum(total.covered_seconds for total in years.values())
            coverages.append(min(covered / seconds, 1.0))
        coverage = min(coverages)
        least_covered = min(least_covered, coverage)
        result.append(
            ResourceConsumption(
                resource_code=resource.code,
                unit=resource.canonical_unit,
                quantity=sum(by_year.values()),
                estimated=estimated,
                suspect=suspect,
                meter_codes=tuple(meter.code for meter in group),
                coverage=coverage,
                by_year=tuple(sorted(by_year.items())),
            )
        )
    result.sort(key=lambda item: item.resource_code)
    if not result:
        least_covered = 0.0
    return result, least_covered


def _comprehensive_energy(
    resources: dict[str, Resource],
    consumption: list[ResourceConsumption],
    exported: list[ResourceConsumption],
    notices: list[Notice],
    electricity_basis: ElectricityBasis,
) -> tuple[Result, list[FactoredPart]]:
    """Convert each energy resource to tce with the GB/T 2589 coefficient of each year, and deduct exported energy.

    With the "equivalent" basis, electricity uses the year's primary-energy equivalent value.
    """
    pairs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    parts: list[FactoredPart] = []
    missing = False
    for is_export, items in ((False, consumption), (True, exported)):
        for item in items:
            resource = resources[item.resource_code]
            if not resource.is_energy:
                continue
            for year, quantity in item.by_year:
                equivalent = electricity_basis == "equivalent" and resource.category == Category.ELECTRICITY
                try:
                    coefficient, factor = _tce_coefficient(resource, year, equivalent=equivalent)
                except FactorNotFound as error:
                    missing = True
                    if equivalent:
                        logger.warning("primary-energy equivalent value of electricity missing: %s", error)
                        notices.append(Notice("missing_equivalent_value_factor", {"year": year}))
                    else:
                        logger.warning("standard coal coefficient missing: %s", error)
                        notices.append(
                            Notice("missing_standard_coal_factor", {"resource": resource.code, "year": year})
                        )
                    continue
                pairs[is_export].append((quantity, coefficient))
                signed = -quantity if is_export else quantity
                parts.append(FactoredPart(resource.code, year, signed, signed * coefficient, factor))
    if missing:
        # A total without one of its energies would misstate consumption.
        return Undefined("missing_factor"), parts
    return formulas.comprehensive_energy_tce(pairs[False], exported=pairs[True]), parts


def _tce_coefficient(resource: Resource, year: int, *, equivalent: bool) -> tuple[float, FactorUse]:
    """Return the coefficient kᵢ in tce per canonical unit of the resource, with the factor it comes from.

    The conversion is linear, so converting 1 unit gives kᵢ, with the unit conversion done by apply_factor.
    Raise FactorNotFound when the table has no coefficient for the year.
    """
    if equivalent:
        factor = select_factor(FactorKind.STANDARD_COAL_EQUIVALENT_VALUE, resource, year)
        return apply_factor(1.0, resource.canonical_unit, factor, "tce"), factor
    return standard_coal_tce(resource, 1.0, year)


def _grid_factor(site: Site, electricity: Resource, year: int, notices: list[Notice]) -> FactorUse:
    """Select the site's regional grid factor for the year, or the national one when the region has none."""
    try:
        return select_factor(FactorKind.GRID_EMISSION, electricity, year, series=GRID_SERIES, region=site.grid_region)
    except FactorNotFound:
        if site.grid_region == NATIONAL_REGION:
            raise
    notices.append(Notice("grid_region_fallback", {"region": site.grid_region, "year": year}))
    return select_factor(FactorKind.GRID_EMISSION, electricity, year, series=GRID_SERIES, region=NATIONAL_REGION)


def _electricity_scope2(
    site: Site,
    resources: dict[str, Resource],
    consumption: list[ResourceConsumption],
    exported: list[ResourceConsumption],
    notices: list[Notice],
) -> tuple[Result, list[FactoredPart]]:
    """Compute location-based scope 2 CO2 of electricity in t with each year's grid factor (GB/T 32150-2015).

    Electricity of consumption meters is treated as purchased from the grid, and that of export
    meters is deducted. On-site generation is not purchased, so it is not passed in.
    """
    parts: list[FactoredPart] = []
    tco2_by_flow = {False: 0.0, True: 0.0}
    missing = False
    for is_export, items in ((False, consumption), (True, exported)):
        for item in items:
            electricity = resources[item.resource_code]
            if electricity.category != Category.ELECTRICITY:
                continue
            for year, quantity in item.by_year:
                try:
                    factor = _grid_factor(site, electricity, year, notices)
                except FactorNotFound as error:
                    missing = True
                    logger.warning("grid emission factor missing: site=%s %s", site.pk, error)
                    notices.append(Notice("missing_grid_factor", {"region": site.grid_region, "year": year}))
                    continue
                tco2 = apply_factor(quantity, item.unit, factor, "tCO2")
                tco2_by_flow[is_export] += tco2
                sign = -1 if is_export else 1
                parts.append(FactoredPart(item.resource_code, year, sign * quantity, sign * tco2, factor))
    if missing:
        return Undefined("missing_factor"), parts
    total = formulas.total_co2_t(purchased_electricity_t=tco2_by_flow[False], exported_electricity_t=tco2_by_flow[True])
    return total, parts


def _fuel_scope1(
    resources: dict[str, Resource], consumption: list[ResourceConsumption], notices: list[Notice]
) -> tuple[Result, list[CombustionPart]]:
    """Compute scope 1 CO2 of fuel combustion in t with each year's fuel factors (NDRC guidelines, GB/T 32151).

    Every fuel of a consumption meter is treated as burnt in the scope.
    """
    # NOTE: fuel measured by export meters (e.g. gas passed on to a neighbour) is not deducted
    # here, although comprehensive energy deducts it.
    parts: list[CombustionPart] = []
    missing = False
    for item in consumption:
        fuel = resources[item.resource_code]
        if fuel.category != Category.FUEL:
            continue
        for year, quantity in item.by_year:
            try:
                ncv = select_factor(FactorKind.FUEL_NCV, fuel, year)
                carbon = select_factor(FactorKind.FUEL_CARBON_CONTENT, fuel, year)
                oxidation = select_factor(FactorKind.FUEL_OXIDATION, fuel, year)
            except FactorNotFound as error:
                missing = True
                logger.warning("fuel combustion factor missing: %s", error)
                notices.append(Notice("missing_fuel_combustion_factor", {"resource": fuel.code, "year": year}))
                continue
            # The conversions are linear, so converting 1 unit gives each coefficient: the NCV
            # in GJ per canonical unit (e.g. GJ/(万 Nm3) → GJ/Nm3) and the carbon content in
            # tC/GJ from the tC/TJ of the tables.
            ncv_gj_per_unit = apply_factor(1.0, fuel.canonical_unit, ncv, "GJ")
            carbon_tc_per_gj = apply_factor(1.0, "GJ", carbon, "tC")
            oxidation_fraction = float(oxidation.value) * conversion_factor(oxidation.unit, "dimensionless")
            tco2 = formulas.fuel_combustion_co2_t(quantity, ncv_gj_per_unit, carbon_tc_per_gj, oxidation_fraction)
            parts.append(CombustionPart(fuel.code, year, quantity, tco2, ncv, carbon, oxidation))
    if missing:
        # A total without one of its fuels would understate the emissions.
        return Undefined("missing_factor"), parts
    return formulas.total_co2_t(combustion_t=sum(part.tco2 for part in parts)), parts


def _heat_scope2(
    resources: dict[str, Resource],
    consumption: list[ResourceConsumption],
    exported: list[ResourceConsumption],
    notices: list[Notice],
) -> tuple[Result, list[FactoredPart]]:
    """Compute scope 2 CO2 of purchased heat in t with each year's heat factor (GB/T 32150-2015).

    Heat meters (resource "heat") count as purchased, and export meters of heat are deducted.
    Steam and other heat media not metered in GJ are left out with a notice.
    """
    parts: list[FactoredPart] = []
    tco2_by_flow = {False: 0.0, True: 0.0}
    missing = False
    for is_export, items in ((False, consumption), (True, exported)):
        for item in items:
            medium = resources[item.resource_code]
            if medium.category != Category.HEAT:
                continue
            if medium.code != HEAT:
                # NOTE: steam in t needs the enthalpy at its pressure and temperature to give GJ,
                # which the meter does not record, so scope 2 and total CO2 omit it.
                notices.append(Notice("steam_not_converted", {"resource": medium.code, "unit": item.unit}))
                continue
            for year, quantity in item.by_year:
                try:
                    factor = select_factor(FactorKind.HEAT_EMISSION, medium, year)
                except FactorNotFound as error:
                    missing = True
                    logger.warning("heat emission factor missing: %s", error)
                    notices.append(Notice("missing_heat_factor", {"year": year}))
                    continue
                heat_gj = quantity * conversion_factor(item.unit, "GJ")
                tco2 = formulas.purchased_heat_co2_t(heat_gj, apply_factor(1.0, "GJ", factor, "tCO2"))
                tco2_by_flow[is_export] += tco2
                sign = -1 if is_export else 1
                parts.append(FactoredPart(item.resource_code, year, sign * quantity, sign * tco2, factor))
    if missing:
        return Undefined("missing_factor"), parts
    return formulas.total_co2_t(purchased_heat_t=tco2_by_flow[False], exported_heat_t=tco2_by_flow[True]), parts


def _carbonate_scope1(
    resources: dict[str, Resource], consumption: list[ResourceConsumption]
) -> tuple[Result, list[FactoredPart]]:
    """Compute scope 1 process CO2 of carbonate decomposition in t: Σ AD × EF × purity (NDRC guidelines).

    A raw material counts as a carbonate when the factor table has a carbonate emission factor
    for it (seeded: limestone and dolomite), and every tonne consumed is treated as decomposed.
    The purity is taken as 1 because no model records the carbonate content of a raw material
    yet, so impure limestone overstates the emissions.
    """
    parts: list[FactoredPart] = []
    for item in consumption:
        material = resources[item.resource_code]
        if material.category != Category.RAW_MATERIAL:
            continue
        for year, quantity in item.by_year:
            try:
                factor = select_factor(FactorKind.CARBONATE_EMISSION, material, year)
            except FactorNotFound:
                # Not a carbonate, or a carbonate without a factor: neither is counted.
                continue
            carbonate_t = quantity * conversion_factor(item.unit, "t")
            tco2 = formulas.carbonate_process_co2_t(carbonate_t, apply_factor(1.0, "t", factor, "tCO2"), 1.0)
            parts.append(FactoredPart(item.resource_code, year, quantity, tco2, factor))
    return formulas.total_co2_t(process_t=sum(part.result for part in parts)), parts


def _total_co2(fuel_tco2: Result, carbonate_tco2: Result, electricity_tco2: Result, heat_tco2: Result) -> Result:
    """Add scope 1 and scope 2 CO2, or return the first undefined term, because a total without it would mislead."""
    terms = (fuel_tco2, carbonate_tco2, electricity_tco2, heat_tco2)
    for term in terms:
        if isinstance(term, Undefined):
            return term
    fuel, carbonate, electricity, heat = (term for term in terms if not isinstance(term, Undefined))
    return formulas.total_co2_t(
        combustion_t=fuel, process_t=carbonate, purchased_electricity_t=electricity, purchased_heat_t=heat
    )


def _water_m3(consumption: list[ResourceConsumption], resource_code: str) -> float:
    """Return the metered volume of one water resource in m3, 0 when the scope has no such meter."""
    for item in consumption:
        if item.resource_code == resource_code:
            return item.quantity * conversion_factor(item.unit, "m3")
    return 0.0


def _energy_per_output_value(
    site: Site, unit: OrganizationUnit | None, start: date, end: date, energy_tce: Result
) -> Result:
    """Divide comprehensive energy by the scope's gross output value, in tce per 10,000 CNY (GB/T 2589-2020 e_g).

    The output value is that recorded for the site, or for exactly the unit when the
    scope is a unit (production.services.net_output_value).
    """
    if isinstance(energy_tce, Undefined):
        return energy_tce
    output_value = net_output_value(
        site=site, start=start, end=end, basis=OutputValueBasis.GROSS_OUTPUT, organization_unit=unit
    )
    if output_value.record_count == 0:
        return Undefined("no_output_value")
    return formulas.intensity_per_10k_cny(energy_tce, float(output_value.value_10k_cny))
