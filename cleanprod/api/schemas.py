"""Response bodies of the API. Quantities are JSON numbers in the unit their field or ``unit`` names."""

from datetime import date, datetime

from ninja import Schema


class UnitOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None


class MeterOut(Schema):
    id: int
    code: str
    name: str
    resource: str
    unit: str  # the resource's canonical unit, in which rollups and series are stored
    is_virtual: bool
    organization_unit_id: int | None
    parent_id: int | None


class SiteOut(Schema):
    id: int
    code: str
    name: str
    enterprise: str
    time_zone: str
    grid_region: str
    units: list[UnitOut]
    meters: list[MeterOut]


class UndefinedOut(Schema):
    """Why a value is null: a stable reason code and a translated sentence."""

    reason: str
    message: str


class ValueOut(Schema):
    """A computed value: a number, or null with ``undefined`` saying why."""

    value: float | None
    undefined: UndefinedOut | None


class FactorOut(Schema):
    """A factor version used in a computation, as audits must see it."""

    factor_id: int
    kind: str
    resource: str
    series: str
    region: str
    data_year: int | None
    version: int
    value: float
    unit: str
    source: str
    provisional: bool  # an earlier year's factor is used for a year not yet published


class CompletenessOut(Schema):
    covered_seconds: float
    period_seconds: float
    period_over: bool
    coverage: float  # 0..1
    complete: bool


class YearQuantityOut(Schema):
    year: int
    quantity: float


class ConsumptionOut(Schema):
    resource: str
    unit: str
    quantity: float  # measured plus estimated, suspect values excluded
    estimated: float
    suspect: float
    meter_codes: list[str]
    coverage: float  # 0..1, of the least-covered meter of the resource
    by_year: list[YearQuantityOut]


class FactoredPartOut(Schema):
    resource: str
    year: int
    quantity: float  # canonical unit of the resource
    result: float  # tce in energy_parts, t CO2 in scope2_parts
    factor_id: int


class IntensityOut(Schema):
    resource: str
    unit: str
    value: ValueOut


class NoticeOut(Schema):
    code: str
    params: dict[str, str | int]
    message: str


class IndicatorSetOut(Schema):
    site_id: int
    organization_unit_id: int | None
    start: date
    end: date
    partial: bool
    coverage: float  # 0..1, of the least-covered counted meter
    completeness: CompletenessOut
    consumption: list[ConsumptionOut]
    comprehensive_energy_tce: ValueOut
    energy_parts: list[FactoredPartOut]
    electricity_scope2_tco2: ValueOut
    scope2_parts: list[FactoredPartOut]
    product: str | None
    product_unit: str | None
    net_output: float | None
    energy_intensity_kgce_per_unit: ValueOut | None  # null when no product was requested
    electricity_basis: str  # "calorific" (当量值) or "equivalent" (等价值)
    fuel_scope1_tco2: ValueOut
    carbonate_scope1_tco2: ValueOut
    heat_scope2_tco2: ValueOut
    total_co2_t: ValueOut  # scope 1 (fuel, carbonates) + scope 2 (electricity, heat)
    co2_per_unit_product_t: ValueOut | None  # null when no product was requested
    fresh_water_m3: float
    fresh_water_per_unit_product: ValueOut | None  # null when no product was requested
    water_reuse_rate: ValueOut  # 0..1
    wastewater_reuse_rate: ValueOut  # 0..1
    energy_per_10k_cny: ValueOut  # tce per 10,000 CNY of gross output value
    exported: list[ConsumptionOut]  # energy delivered out of the boundary, deducted above
    generated: list[ConsumptionOut]  # on-site generation, not counted as purchased
    resource_intensities: list[IntensityOut]
    factors: list[FactorOut]
    notices: list[NoticeOut]


class SeriesPointOut(Schema):
    quantity: float  # canonical unit, measured plus estimated, suspect values excluded
    estimated: float
    suspect: float
    coverage: float  # 0..1 share of the day or hour covered by data


class DailyPointOut(SeriesPointOut):
    day: date


class HourlyPointOut(SeriesPointOut):
    hour_start: datetime  # in the site's time zone


class DailySeriesOut(Schema):
    meter: MeterOut
    start: date
    end: date
    unit: str
    points: list[DailyPointOut]


class HourlySeriesOut(Schema):
    meter: MeterOut
    start: date
    end: date
    unit: str
    time_zone: str
    points: list[HourlyPointOut]


# -- Diagnosis ---------------------------------------------------------------------------


class FindingOut(Schema):
    code: str
    subject: str
    message: str
    evidence: dict[str, float | str | None]


class RankedItemOut(Schema):
    rank: int
    name: str
    key: str  # the organisation unit's code
    value: float
    share_percent: float | None  # null when the total is zero
    cumulative_percent: float | None
    vital: bool  # in the vital few that make up the Pareto threshold


class ExcludedItemOut(Schema):
    name: str
    key: str
    value: float


class ParetoOut(Schema):
    unit: str
    total: float
    threshold_percent: float
    items: list[RankedItemOut]
    excluded: list[ExcludedItemOut]  # negative or non-finite values, left out of the total
    empty_reason: UndefinedOut | None  # why there are no shares, or null


class RankingPairOut(Schema):
    energy: ParetoOut  # tce
    co2: ParetoOut  # t CO2 of purchased electricity


class RankingsOut(Schema):
    units: RankingPairOut  # by direct values, so each tce appears in exactly one unit
    processes: RankingPairOut  # outermost process units, by rolled-up totals
    equipment: RankingPairOut  # outermost equipment units, by rolled-up totals
    water: ParetoOut  # units by fresh-water intake, m3
    waste: ParetoOut  # units by metered waste generation, t


class SankeyNodeOut(Schema):
    name: str


class SankeyLinkOut(Schema):
    source: str
    target: str
    value: float


class SankeyOut(Schema):
    """Nodes and links as Sankey.as_echarts() gives them for an ECharts sankey series, plus the losses.

    ``losses`` are the links into the "unmetered remainder" nodes, which are also in ``links``.
    """

    unit: str
    nodes: list[SankeyNodeOut]
    links: list[SankeyLinkOut]
    losses: list[SankeyLinkOut]


class BalanceOut(Schema):
    parent: str
    parent_quantity: float
    children_quantity: float
    unit: str
    difference: float  # parent − Σ children
    difference_percent: float | None  # of the parent, null when the parent is not positive
    tolerance_percent: float
    finding: FindingOut | None


class MeterEnergyOut(Schema):
    meter_id: int
    code: str
    label: str
    resource: str
    unit: str
    organization_unit_id: int | None
    parent_id: int | None
    quantity: float
    estimated: float
    suspect: float
    coverage_percent: float
    energy_tce: float | None
    electricity_co2_t: float | None
    energy_reason: str
    co2_reason: str


class UnitEnergyOut(Schema):
    unit_id: int | None  # null for the meters without an organisation unit
    code: str
    name: str
    kind: str
    parent_id: int | None
    direct_tce: float | None
    total_tce: float | None
    direct_co2_t: float | None
    total_co2_t: float | None
    energy_reason: str
    co2_reason: str


class PriorityOut(Schema):
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
    reason: str  # why a value is null, or ""
    factor_ids: list[int]


class DiagnosisOut(Schema):
    site_id: int
    site_name: str
    start: date
    end: date
    pareto_percent: float
    total_tce: float | None
    total_co2_t: float | None
    meters: list[MeterEnergyOut]
    units: list[UnitEnergyOut]
    rankings: RankingsOut
    sankey: SankeyOut
    balances: list[BalanceOut]
    priorities: list[PriorityOut]
    findings: list[FindingOut]
    factors: list[FactorOut]


class WasteQuantitiesOut(Schema):
    """Tonnes of waste in the period, as recorded in the waste-handling records."""

    generated_t: float
    utilised_t: float
    prior_stock_utilised_t: float
    disposed_t: float
    stored_t: float
    dumped_t: float


class WasteIndicatorsOut(Schema):
    general: WasteQuantitiesOut
    utilisation_rate: ValueOut  # utilised / (generated + prior-year stock utilised), 0..1
    generated_per_unit_product: ValueOut | None  # null when no product was requested
    product_unit: str
    hazardous: WasteQuantitiesOut
    hazardous_by_hw_category: dict[str, WasteQuantitiesOut]
    hazardous_by_route: dict[str, WasteQuantitiesOut]  # "" for waste only stored
