"""Energy and CO2 diagnosis (诊断) of one site over local days: where energy goes, and which stages matter most.

Energy covers every resource marked as energy, converted to tce with the GB/T 2589 standard
coal coefficients. CO2 covers purchased electricity only, with the MEE/NBS grid emission
factor of the site's grid region. Callers check access with cleanprod.organization.access
before they pass a site in.

Each meter is counted once. A meter's own consumption, less what its sub-meters measured, is
attributed to the meter's organisation unit, and units are then rolled up their tree. So an
incomer on a workshop with sub-meters on its lines gives the workshop only the unmetered
remainder, and the workshop's rolled-up total equals the incomer. When sub-meters measure more
than their parent, the parent's unit gets zero from that meter and the balance check reports it.

Only consumption meters are diagnosed. Export meters (energy delivered out of the site) and
on-site generation meters (such as PV) measure no consumption, so they are left out of the
totals, the rankings, the Pareto analysis, the balances and the Sankey diagram. The Sankey
diagram shows no generation source node either.
"""

import logging
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from django.db.models import Sum
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _

from cleanprod.metering.buckets import local_day_bounds
from cleanprod.metering.models import DailyRollup, Meter, MeterFlow
from cleanprod.organization.models import GRID_REGIONS, OrganizationUnit, Site, UnitKind
from cleanprod.resources.factors import FactorNotFound
from cleanprod.resources.models import Category, FactorKind, Resource
from cleanprod.resources.services import FactorUse, apply_factor, select_factor

from .analysis import (
    DEFAULT_BALANCE_TOLERANCE_PERCENT,
    DEFAULT_PARETO_PERCENT,
    Balance,
    Finding,
    FlowNode,
    Item,
    ParetoResult,
    Sankey,
    build_sankey,
    check_balance,
    pareto,
)

logger = logging.getLogger(__name__)

GRID_SERIES = "mee_nbs_average"
NATIONAL_REGION = "national"
# A chosen default, not taken from a standard. Below it a meter's totals are flagged as incomplete.
DEFAULT_MIN_COVERAGE_PERCENT = 95.0


class DiagnosisFindingCode(StrEnum):
    MISSING_STANDARD_COAL_FACTOR = "missing_standard_coal_factor"
    MISSING_GRID_FACTOR = "missing_grid_factor"
    GRID_FACTOR_NATIONAL_FALLBACK = "grid_factor_national_fallback"
    INCOMPLETE_DATA = "incomplete_data"
    SUSPECT_DATA_EXCLUDED = "suspect_data_excluded"
    METER_TREE_CYCLE = "meter_tree_cycle"


@dataclass(frozen=True, slots=True)
class MeterEnergy:
    meter_id: int
    code: str
    name: str
    label: str  # "code name", unique within the site, and the meter's node name in the Sankey
    resource_code: str
    canonical_unit: str
    organization_unit_id: int | None
    parent_id: int | None  # the parent meter within this diagnosis, or None for incoming meters
    quantity: float  # canonical unit, measured + estimated, suspect parts excluded
    estimated: float  # canonical unit, the estimated part of `quantity`
    suspect: float  # canonical unit, held for review and not included in `quantity`
    coverage_percent: float  # share of the period's seconds covered by data
    energy_tce: float | None  # None when a standard coal factor is missing, and energy_reason names it
    electricity_co2_t: float | None  # 0 for other resources, None when a grid factor is missing
    energy_reason: str
    co2_reason: str
    factors: tuple[FactorUse, ...]


@dataclass(frozen=True, slots=True)
class UnitEnergy:
    """Energy and electricity CO2 of one organisation unit, or of the meters without one (unit_id None)."""

    unit_id: int | None
    code: str
    name: str
    kind: str  # a UnitKind value; "" for the meters without a unit
    parent_id: int | None
    direct_tce: float | None  # attributed from this unit's own meters, sub-meters' consumption removed
    total_tce: float | None  # direct_tce plus that of every descendant unit
    direct_co2_t: float | None
    total_co2_t: float | None
    energy_reason: str  # why direct_tce, or else total_tce, is None, or "" when both are defined
    co2_reason: str  # the same for the CO2 values
    factors: tuple[FactorUse, ...]  # every factor version behind total_tce and total_co2_t


@dataclass(frozen=True, slots=True)
class RankingPair:
    energy: ParetoResult  # in tce
    co2: ParetoResult  # in t CO2, purchased electricity only


@dataclass(frozen=True, slots=True)
class PriorityItem:
    """A high-consumption or high-emission stage: a unit in the Pareto share of energy or of CO2."""

    rank: int
    unit_id: int | None
    code: str
    name: str
    kind: str
    energy_tce: float | None
    energy_share_percent: float | None
    electricity_co2_t: float | None
    co2_share_percent: float | None
    in_energy_pareto: bool
    in_co2_pareto: bool
    reason: str  # why a value is None, or "" when every value is defined
    factors: tuple[FactorUse, ...]


@dataclass(frozen=True, slots=True)
class Diagnosis:
    site_id: int
    site_name: str
    start: date  # first local day
    end: date  # last local day, included
    pareto_percent: float
    total_tce: float | None
    total_co2_t: float | None
    meters: tuple[MeterEnergy, ...]
    units: tuple[UnitEnergy, ...]
    unit_ranking: RankingPair  # by direct values, so each tce appears in exactly one unit
    process_ranking: RankingPair  # outermost process units, by rolled-up totals
    equipment_ranking: RankingPair  # outermost equipment units, by rolled-up totals
    sankey: Sankey  # in tce, from the incoming meters through their sub-meters
    balances: tuple[Balance, ...]  # one per parent meter, in the resource's canonical unit
    priorities: tuple[PriorityItem, ...]
    findings: tuple[Finding, ...]
    factors: tuple[FactorUse, ...]  # every factor version used anywhere in this diagnosis


def diagnose_site(
    site: Site,
    start: date,
    end: date,
    *,
    pareto_percent: float = DEFAULT_PARETO_PERCENT,
    balance_tolerance_percent: float = DEFAULT_BALANCE_TOLERANCE_PERCENT,
    min_coverage_percent: float = DEFAULT_MIN_COVERAGE_PERCENT,
) -> Diagnosis:
    """Diagnose the site's energy use and electricity CO2 over the local days start..end inclusive.

    The query count depends on the number of resources and calendar years in the period, not on
    the number of days: daily rollups are summed in one query grouped by meter and year.
    """
    if start > end:
        raise ValueError(f"the period starts ({start}) after it ends ({end})")
    logger.info("diagnosis of site %s for %s to %s started", site.pk, start, end)

    meters = list(
        Meter.objects.filter(site=site, is_virtual=False, resource__is_energy=True, flow=MeterFlow.CONSUMPTION)
        .select_related("resource")
        .order_by("code")
    )
    units = list(OrganizationUnit.objects.filter(site=site).order_by("code"))
    totals = sum_rollups([meter.pk for meter in meters], start, end)

    findings: list[Finding] = []
    book = _FactorBook(site, findings)
    period_start = local_day_bounds(start, site.zone)[0]
    period_end = local_day_bounds(end, site.zone)[1]
    period_seconds = (period_end - period_start).total_seconds()

    tree = _MeterTree(meters, findings)
    energies = {
        meter.pk: _meter_energy(meter, tree.parent_of(meter), totals.get(meter.pk), book, period_seconds)
        for meter in meters
    }
    findings.extend(_data_findings(energies.values(), min_coverage_percent))

    balances = tuple(
        check_balance(
            energies[parent.pk].label,
            energies[parent.pk].quantity,
            [energies[child.pk].quantity for child in tree.children[parent.pk]],
            parent.resource.canonical_unit,
            balance_tolerance_percent,
        )
        for parent in meters
        if tree.children[parent.pk]
    )
    findings.extend(balance.finding for balance in balances if balance.finding is not None)

    sankey = build_sankey([_flow_node(root, tree, energies) for root in tree.roots if _has_tce(root, energies)], "tce")
    findings.extend(sankey.findings)

    unit_energies = _unit_energies(units, meters, tree, energies)
    unit_ranking = _ranking_pair(unit_energies, pareto_percent, rolled_up=False)
    diagnosis = Diagnosis(
        site_id=site.pk,
        site_name=site.name,
        start=start,
        end=end,
        pareto_percent=pareto_percent,
        total_tce=_sum_defined(unit.direct_tce for unit in unit_energies),
        total_co2_t=_sum_defined(unit.direct_co2_t for unit in unit_energies),
        meters=tuple(energies.values()),
        units=tuple(unit_energies),
        unit_ranking=unit_ranking,
        process_ranking=_kind_ranking(unit_energies, UnitKind.PROCESS, pareto_percent),
        equipment_ranking=_kind_ranking(unit_energies, UnitKind.EQUIPMENT, pareto_percent),
        sankey=sankey,
        balances=balances,
        priorities=_priorities(unit_energies, unit_ranking),
        findings=tuple(_unique_findings(findings)),
        factors=_unique_factors(factor for energy in energies.values() for factor in energy.factors),
    )
    logger.info(
        "diagnosis of site %s for %s to %s finished: %d meters, %d findings",
        site.pk,
        start,
        end,
        len(meters),
        len(diagnosis.findings),
    )
    return diagnosis


@dataclass
class RollupTotals:
    quantity_by_year: dict[int, float] = field(default_factory=dict)
    estimated: float = 0.0
    suspect: float = 0.0
    covered_seconds: float = 0.0


def sum_rollups(meter_ids: list[int], start: date, end: date) -> dict[int, RollupTotals]:
    """Sum daily rollups per meter and calendar year in one query, because factors are chosen per year."""
    rows = (
        DailyRollup.objects.filter(meter_id__in=meter_ids, day__gte=start, day__lte=end)
        .annotate(year=ExtractYear("day"))
        .values("meter_id", "year")
        .annotate(
            quantity_sum=Sum("quantity"),
            estimated_sum=Sum("estimated"),
            suspect_sum=Sum("suspect"),
            covered_sum=Sum("covered_seconds"),
        )
        .order_by()
    )
    totals: dict[int, RollupTotals] = defaultdict(RollupTotals)
    for row in rows:
        meter_totals = totals[row["meter_id"]]
        meter_totals.quantity_by_year[row["year"]] = float(row["quantity_sum"] or 0.0)
        meter_totals.estimated += float(row["estimated_sum"] or 0.0)
        meter_totals.suspect += float(row["suspect_sum"] or 0.0)
        meter_totals.covered_seconds += float(row["covered_sum"] or 0.0)
    return totals


class _FactorBook:
    """Factor versions looked up once per kind, resource and year. A missing factor becomes one finding."""

    def __init__(self, site: Site, findings: list[Finding]) -> None:
        self.site = site
        self.findings = findings
        self._cache: dict[tuple[str, int, int], FactorUse | None] = {}

    def standard_coal(self, resource: Resource, year: int) -> FactorUse | None:
        key = (FactorKind.STANDARD_COAL.value, resource.pk, year)
        if key not in self._cache:
            self._cache[key] = self._select_standard_coal(resource, year)
        return self._cache[key]

    def grid_emission(self, resource: Resource, year: int) -> FactorUse | None:
        key = (FactorKind.GRID_EMISSION.value, resource.pk, year)
        if key not in self._cache:
            self._cache[key] = self._select_grid_emission(resource, year)
        return self._cache[key]

    def _select_standard_coal(self, resource: Resource, year: int) -> FactorUse | None:
        try:
            return select_factor(FactorKind.STANDARD_COAL, resource, year)
        except FactorNotFound as error:
            logger.warning("site %s: %s", self.site.pk, error)
            self.findings.append(
                Finding(
                    DiagnosisFindingCode.MISSING_STANDARD_COAL_FACTOR,
                    f"{resource.code} {year}",
                    missing_coal_reason(resource, year),
                    {"resource": resource.code, "year": year},
                )
            )
            return None

    def _select_grid_emission(self, resource: Resource, year: int) -> FactorUse | None:
        region = self.site.grid_region
        try:
            return select_factor(FactorKind.GRID_EMISSION, resource, year, series=GRID_SERIES, region=region)
        except FactorNotFound as error:
            if region == NATIONAL_REGION:
                self._report_missing_grid_factor(resource, year, error)
                return None
        try:
            factor = select_factor(FactorKind.GRID_EMISSION, resource, year, series=GRID_SERIES)
        except FactorNotFound as error:
            self._report_missing_grid_factor(resource, year, error)
            return None
        self.findings.append(
            Finding(
                DiagnosisFindingCode.GRID_FACTOR_NATIONAL_FALLBACK,
                f"{region} {year}",
                _("No grid emission factor of the %(region)s grid for %(year)s, so the national average is used.")
                % {"region": dict(GRID_REGIONS).get(region, region), "year": year},
                {"region": region, "year": year},
            )
        )
        return factor

    def _report_missing_grid_factor(self, resource: Resource, year: int, error: FactorNotFound) -> None:
        logger.warning("site %s: %s", self.site.pk, error)
        self.findings.append(
            Finding(
                DiagnosisFindingCode.MISSING_GRID_FACTOR,
                f"{resource.code} {year}",
                missing_grid_reason(year),
                {"resource": resource.code, "year": year, "region": self.site.grid_region},
            )
        )


def missing_coal_reason(resource: Resource, year: int) -> str:
    return _("No standard coal factor for %(resource)s in %(year)s. Add one in the factor table.") % {
        "resource": resource.code,
        "year": year,
    }


def missing_grid_reason(year: int) -> str:
    return _("No grid emission factor for %(year)s or an earlier year. Add one in the factor table.") % {"year": year}


class _MeterTree:
    """Parent and child meters among the diagnosed meters. A meter whose parent is not diagnosed is a root."""

    def __init__(self, meters: list[Meter], findings: list[Finding]) -> None:
        by_id = {meter.pk: meter for meter in meters}
        self._parent: dict[int, int | None] = {
            meter.pk: meter.parent_id if meter.parent_id in by_id else None for meter in meters
        }
        self._break_cycles(by_id, findings)
        self.children: dict[int, list[Meter]] = {meter.pk: [] for meter in meters}
        for meter in meters:
            parent_id = self._parent[meter.pk]
            if parent_id is not None:
                self.children[parent_id].append(meter)
        self.roots = [meter for meter in meters if self._parent[meter.pk] is None]

    def parent_of(self, meter: Meter) -> int | None:
        return self._parent[meter.pk]

    def _break_cycles(self, by_id: dict[int, Meter], findings: list[Finding]) -> None:
        """Make the lowest-id meter of each parent cycle a root, because Meter.clean does not prevent cycles."""
        settled: set[int] = set()
        for meter_id in sorted(by_id):
            path: list[int] = []
            current: int | None = meter_id
            while current is not None and current not in settled and current not in path:
                path.append(current)
                current = self._parent[current]
            if current is not None and current in path:
                cycle_root = min(path[path.index(current) :])
                self._parent[cycle_root] = None
                meter = by_id[cycle_root]
                findings.append(
                    Finding(
                        DiagnosisFindingCode.METER_TREE_CYCLE,
                        str(meter),
                        _("The parent meters of %(meter)s form a cycle, so it is treated as an incoming meter.")
                        % {"meter": meter},
                        {"meter": meter.code},
                    )
                )
            settled.update(path)


def _meter_energy(
    meter: Meter, parent_id: int | None, totals: RollupTotals | None, book: _FactorBook, period_seconds: float
) -> MeterEnergy:
    totals = totals or RollupTotals()
    resource = meter.resource
    unit = resource.canonical_unit
    factors: list[FactorUse] = []

    energy_tce: float | None = 0.0
    energy_reason = ""
    co2_t: float | None = 0.0
    co2_reason = ""
    for year, quantity in sorted(totals.quantity_by_year.items()):
        coal = book.standard_coal(resource, year)
        if coal is None:
            energy_tce = None
            energy_reason = missing_coal_reason(resource, year)
        else:
            factors.append(coal)
            if energy_tce is not None:
                energy_tce += apply_factor(quantity, unit, coal, "tce")

        # TODO(when fuel emissions are computed from NCV × carbon content × oxidation): add fuel CO2 here.
        if resource.category != Category.ELECTRICITY:
            continue
        grid = book.grid_emission(resource, year)
        if grid is None:
            co2_t = None
            co2_reason = missing_grid_reason(year)
        else:
            factors.append(grid)
            if co2_t is not None:
                co2_t += apply_factor(quantity, unit, grid, "tCO2")

    return MeterEnergy(
        meter_id=meter.pk,
        code=meter.code,
        name=meter.name,
        label=str(meter),
        resource_code=resource.code,
        canonical_unit=unit,
        organization_unit_id=meter.organization_unit_id,
        parent_id=parent_id,
        quantity=math.fsum(totals.quantity_by_year.values()),
        estimated=totals.estimated,
        suspect=totals.suspect,
        coverage_percent=totals.covered_seconds / period_seconds * 100 if period_seconds else 0.0,
        energy_tce=energy_tce,
        electricity_co2_t=co2_t,
        energy_reason=energy_reason,
        co2_reason=co2_reason,
        factors=tuple(factors),
    )


def _data_findings(energies: Iterable[MeterEnergy], min_coverage_percent: float) -> list[Finding]:
    findings: list[Finding] = []
    for energy in energies:
        if energy.coverage_percent < min_coverage_percent:
            findings.append(
                Finding(
                    DiagnosisFindingCode.INCOMPLETE_DATA,
                    energy.label,
                    _("Data of %(meter)s cover only %(coverage).1f %% of the period.")
                    % {"meter": energy.label, "coverage": energy.coverage_percent},
                    {"coverage_percent": energy.coverage_percent, "min_coverage_percent": min_coverage_percent},
                )
            )
        if energy.suspect > 0:
            findings.append(
                Finding(
                    DiagnosisFindingCode.SUSPECT_DATA_EXCLUDED,
                    energy.label,
                    _("%(quantity).6g %(unit)s of %(meter)s are held for review and not included.")
                    % {"quantity": energy.suspect, "unit": energy.canonical_unit, "meter": energy.label},
                    {"suspect": energy.suspect, "unit": energy.canonical_unit},
                )
            )
    return findings


def _has_tce(meter: Meter, energies: dict[int, MeterEnergy]) -> bool:
    return energies[meter.pk].energy_tce is not None


def _flow_node(meter: Meter, tree: _MeterTree, energies: dict[int, MeterEnergy]) -> FlowNode:
    energy = energies[meter.pk]
    assert energy.energy_tce is not None
    children = tuple(
        _flow_node(child, tree, energies) for child in tree.children[meter.pk] if _has_tce(child, energies)
    )
    return FlowNode(energy.label, energy.energy_tce, children)


def _subtract(value: float | None, parts: Iterable[float | None]) -> float | None:
    """Return value − Σ parts, at least 0, or None when any term is undefined."""
    parts = list(parts)
    if value is None or any(part is None for part in parts):
        return None
    return max(value - math.fsum(part for part in parts if part is not None), 0.0)


def _sum_defined(values: Iterable[float | None]) -> float | None:
    """Return the sum, or None when any value is undefined, because a partial sum would understate."""
    values = list(values)
    if any(value is None for value in values):
        return None
    return math.fsum(value for value in values if value is not None)


@dataclass
class _UnitAccumulator:
    direct_tce: list[float | None] = field(default_factory=list)
    direct_co2: list[float | None] = field(default_factory=list)
    energy_reasons: set[str] = field(default_factory=set)
    co2_reasons: set[str] = field(default_factory=set)
    factors: list[FactorUse] = field(default_factory=list)

    def add(self, other: "_UnitAccumulator") -> None:
        self.energy_reasons |= other.energy_reasons
        self.co2_reasons |= other.co2_reasons
        self.factors.extend(other.factors)


def _unit_energies(
    units: list[OrganizationUnit], meters: list[Meter], tree: _MeterTree, energies: dict[int, MeterEnergy]
) -> list[UnitEnergy]:
    """Attribute each meter's consumption less its sub-meters' to its unit, then roll units up."""
    own: dict[int | None, _UnitAccumulator] = defaultdict(_UnitAccumulator)
    for meter in meters:
        energy = energies[meter.pk]
        children = [energies[child.pk] for child in tree.children[meter.pk]]
        accumulator = own[meter.organization_unit_id]
        accumulator.direct_tce.append(_subtract(energy.energy_tce, [child.energy_tce for child in children]))
        accumulator.direct_co2.append(
            _subtract(energy.electricity_co2_t, [child.electricity_co2_t for child in children])
        )
        for source in [energy, *children]:
            accumulator.energy_reasons.add(source.energy_reason)
            accumulator.co2_reasons.add(source.co2_reason)
        accumulator.factors.extend(energy.factors)

    by_id = {unit.pk: unit for unit in units}
    children_of: dict[int | None, list[OrganizationUnit]] = defaultdict(list)
    for unit in units:
        children_of[unit.parent_id if unit.parent_id in by_id else None].append(unit)

    results: list[UnitEnergy] = []

    def roll_up(unit: OrganizationUnit) -> tuple[float | None, float | None, _UnitAccumulator]:
        accumulator = own[unit.pk]
        direct_tce = _sum_defined(accumulator.direct_tce)
        direct_co2 = _sum_defined(accumulator.direct_co2)
        total = _UnitAccumulator()
        total.add(accumulator)
        total_tce, total_co2 = direct_tce, direct_co2
        for child in children_of[unit.pk]:
            child_tce, child_co2, child_total = roll_up(child)
            total_tce = _sum_defined([total_tce, child_tce])
            total_co2 = _sum_defined([total_co2, child_co2])
            total.add(child_total)
        results.append(_unit_energy(unit, direct_tce, total_tce, direct_co2, total_co2, accumulator, total))
        return total_tce, total_co2, total

    for root in children_of[None]:
        roll_up(root)
    results.sort(key=lambda unit: unit.code)

    if None in own:
        unassigned = own[None]
        direct_tce = _sum_defined(unassigned.direct_tce)
        direct_co2 = _sum_defined(unassigned.direct_co2)
        results.append(_unit_energy(None, direct_tce, direct_tce, direct_co2, direct_co2, unassigned, unassigned))
    return results


def _unit_energy(
    unit: OrganizationUnit | None,
    direct_tce: float | None,
    total_tce: float | None,
    direct_co2: float | None,
    total_co2: float | None,
    own: _UnitAccumulator,
    total: _UnitAccumulator,
) -> UnitEnergy:
    # The reason explains the first undefined value: the direct one when it is None, else the total.
    energy_reasons = own.energy_reasons if direct_tce is None else total.energy_reasons
    co2_reasons = own.co2_reasons if direct_co2 is None else total.co2_reasons
    return UnitEnergy(
        unit_id=unit.pk if unit else None,
        code=unit.code if unit else "",
        name=unit.name if unit else _("Meters without an organisation unit"),
        kind=unit.kind if unit else "",
        parent_id=unit.parent_id if unit else None,
        direct_tce=direct_tce,
        total_tce=total_tce,
        direct_co2_t=direct_co2,
        total_co2_t=total_co2,
        energy_reason=_join_reasons(energy_reasons) if total_tce is None else "",
        co2_reason=_join_reasons(co2_reasons) if total_co2 is None else "",
        factors=_unique_factors(total.factors),
    )


def _join_reasons(reasons: Iterable[str]) -> str:
    return " ".join(sorted(reason for reason in reasons if reason))


def _ranking_pair(units: Iterable[UnitEnergy], pareto_percent: float, *, rolled_up: bool) -> RankingPair:
    units = list(units)
    energy_items = []
    co2_items = []
    for unit in units:
        tce = unit.total_tce if rolled_up else unit.direct_tce
        co2 = unit.total_co2_t if rolled_up else unit.direct_co2_t
        if tce is not None:
            energy_items.append(Item(unit.name, tce, "tce", unit.code))
        if co2 is not None:
            co2_items.append(Item(unit.name, co2, "tCO2", unit.code))
    return RankingPair(pareto(energy_items, pareto_percent), pareto(co2_items, pareto_percent))


def _kind_ranking(units: list[UnitEnergy], kind: str, pareto_percent: float) -> RankingPair:
    """Rank the outermost units of a kind by rolled-up totals, because a nested unit is part of its ancestor."""
    by_id = {unit.unit_id: unit for unit in units if unit.unit_id is not None}

    def has_ancestor_of_kind(unit: UnitEnergy) -> bool:
        parent_id = unit.parent_id
        while parent_id is not None and parent_id in by_id:
            parent = by_id[parent_id]
            if parent.kind == kind:
                return True
            parent_id = parent.parent_id
        return False

    outermost = [unit for unit in units if unit.kind == kind and not has_ancestor_of_kind(unit)]
    return _ranking_pair(outermost, pareto_percent, rolled_up=True)


def _priorities(units: list[UnitEnergy], ranking: RankingPair) -> tuple[PriorityItem, ...]:
    """List the units in the vital few of energy or of CO2, largest energy first."""
    energy_ranks = {ranked.item.key: ranked for ranked in ranking.energy.ranking.items}
    co2_ranks = {ranked.item.key: ranked for ranked in ranking.co2.ranking.items}
    vital_energy = {ranked.item.key for ranked in ranking.energy.vital_few}
    vital_co2 = {ranked.item.key for ranked in ranking.co2.vital_few}

    selected = [unit for unit in units if unit.code in vital_energy or unit.code in vital_co2]
    selected.sort(
        key=lambda unit: (
            -(unit.direct_tce if unit.direct_tce is not None else -math.inf),
            -(unit.direct_co2_t if unit.direct_co2_t is not None else -math.inf),
            unit.code,
        )
    )
    items = []
    for rank, unit in enumerate(selected, start=1):
        energy = energy_ranks.get(unit.code)
        co2 = co2_ranks.get(unit.code)
        reasons = []
        if unit.direct_tce is None:
            reasons.append(unit.energy_reason)
        if unit.direct_co2_t is None:
            reasons.append(unit.co2_reason)
        items.append(
            PriorityItem(
                rank=rank,
                unit_id=unit.unit_id,
                code=unit.code,
                name=unit.name,
                kind=unit.kind,
                energy_tce=unit.direct_tce,
                energy_share_percent=energy.share_percent if energy else None,
                electricity_co2_t=unit.direct_co2_t,
                co2_share_percent=co2.share_percent if co2 else None,
                in_energy_pareto=unit.code in vital_energy,
                in_co2_pareto=unit.code in vital_co2,
                reason=" ".join(reasons),
                factors=unit.factors,
            )
        )
    return tuple(items)


def _unique_findings(findings: Iterable[Finding]) -> list[Finding]:
    """Drop repeats of a code and subject, e.g. a Sankey and a balance check reporting the same excess."""
    seen: set[tuple[str, str]] = set()
    unique = []
    for finding in findings:
        key = (finding.code, finding.subject)
        if key not in seen:
            seen.add(key)
            unique.append(finding)
    return unique


def _unique_factors(factors: Iterable[FactorUse]) -> tuple[FactorUse, ...]:
    unique = {factor.factor_id: factor for factor in factors}
    return tuple(sorted(unique.values(), key=lambda factor: (factor.kind, factor.resource_code, factor.factor_id)))
