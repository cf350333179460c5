"""Everything the cleaner production audit report shows, as plain frozen dataclasses.

The report builder (`report_docx.build_report`) reads only these classes, so it needs no
database and no models; the audit services fill them. Text fields hold text already in the
report's language (names, statuses, aspects, free text). Numbers are `Decimal`, `float` or
`int`, in the unit that the field's comment or its sibling ``unit`` field names. ``None``
means not recorded and prints as a dash. Money is in 10,000 CNY (万元), as audit reports state it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Literal

Number = Decimal | float | int

# No/low cost (无/低费), medium cost (中费) and high cost (高费) options. The limits between
# the classes are parameters of each audit, so the services classify and the report only prints.
CostClass = Literal["no_low", "medium", "high"]


@dataclass(frozen=True, slots=True)
class EnterpriseProfile:
    name: str
    uscc: str  # 统一社会信用代码, 18 characters
    industry_code: str  # GB/T 4754 industry code, e.g. "C2614"
    province: str
    site_name: str
    address: str = ""
    description: str = ""  # production, products and processes, as the auditors wrote it


@dataclass(frozen=True, slots=True)
class AuditInfo:
    name: str
    kind: str  # mandatory or voluntary, translated
    trigger: str  # statutory trigger of a mandatory audit, translated, or "" for a voluntary audit
    baseline_year: int
    started_on: date
    report_date: date
    listed_on: date | None = None  # publication date of the mandatory-audit list
    completed_on: date | None = None


@dataclass(frozen=True, slots=True)
class TeamMember:
    name: str
    organisation: str  # department or company of the member
    team_role: str  # e.g. team leader, member, consultant
    responsibility: str


@dataclass(frozen=True, slots=True)
class WorkPlanItem:
    phase: str
    step: str
    owner: str
    due: date | None
    status: str


@dataclass(frozen=True, slots=True)
class ResourceConsumption:
    """Consumption of one resource in the baseline year."""

    resource: str
    unit: str
    quantity: Number | None
    energy_tce: Number | None = None  # converted to tonnes of standard coal equivalent (GB/T 2589-2020)
    co2_t: Number | None = None


@dataclass(frozen=True, slots=True)
class UnitIndicators:
    """Indicators of one organisation unit in the baseline year."""

    unit_name: str
    energy_tce: Number | None
    co2_t: Number | None
    water_m3: Number | None
    waste_t: Number | None
    unit_consumption: Number | None  # per unit of product, in ``unit_consumption_unit``
    unit_consumption_unit: str = ""
    coverage_percent: Number | None = None  # share of the baseline year with data; None when not stored


@dataclass(frozen=True, slots=True)
class PriorityItem:
    """One entry of the pre-assessment priority list, ranked by its score."""

    rank: int
    item: str
    score: Number | None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class PreAssessment:
    consumption: tuple[ResourceConsumption, ...] = ()
    indicators: tuple[UnitIndicators, ...] = ()
    priorities: tuple[PriorityItem, ...] = ()


@dataclass(frozen=True, slots=True)
class WeightedCriterion:
    name: str
    weight: Number


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """One candidate of a weighted-sum ranking: S = Σ W_i × R_i over the criteria."""

    name: str
    scores: tuple[Number | None, ...]  # R_i, in the order of the ranking's criteria
    total: Number | None
    rank: int | None
    note: str = ""  # e.g. the screening decision


@dataclass(frozen=True, slots=True)
class WeightedRanking:
    """Weighted-sum ranking (权重总和计分排序法), used for the audit focus and for option screening."""

    criteria: tuple[WeightedCriterion, ...]
    candidates: tuple[RankedCandidate, ...]
    chosen: str = ""  # the chosen audit focus, or a summary of the screening result


@dataclass(frozen=True, slots=True)
class Target:
    """A cleaner production target (清洁生产目标) against the baseline year."""

    indicator: str
    unit: str
    baseline: Number | None
    near_term_value: Number | None
    near_term_year: int | None
    long_term_value: Number | None
    long_term_year: int | None
    near_term_reduction_percent: Number | None
    long_term_reduction_percent: Number | None


@dataclass(frozen=True, slots=True)
class BalanceFlow:
    """One stream of a balance from ``source`` to ``target`` (a process step, or outside the boundary)."""

    source: str
    target: str
    stream: str
    quantity: Number
    note: str = ""


@dataclass(frozen=True, slots=True)
class BalanceClosure:
    """Inputs against outputs of one process step, or of the whole balance."""

    step: str
    inputs: Number | None
    outputs: Number | None
    difference: Number | None  # inputs − outputs
    difference_percent: Number | None  # difference / inputs × 100
    within_tolerance: bool | None


@dataclass(frozen=True, slots=True)
class Balance:
    kind: str  # material, water or energy balance, translated
    name: str
    unit: str
    tolerance_percent: Number | None
    flows: tuple[BalanceFlow, ...] = ()
    steps: tuple[BalanceClosure, ...] = ()
    overall: BalanceClosure | None = None
    sankey_png: bytes | None = None  # see `sankey.render_sankey_png`


@dataclass(frozen=True, slots=True)
class CauseAnalysis:
    """Causes of one waste stream along the eight aspects of the audit handbook."""

    stream: str
    raw_materials_energy: str = ""  # 原辅材料和能源
    technology: str = ""  # 技术工艺
    equipment: str = ""  # 设备
    process_control: str = ""  # 过程控制
    product: str = ""  # 产品
    waste: str = ""  # 废弃物
    management: str = ""  # 管理
    employees: str = ""  # 员工


@dataclass(frozen=True, slots=True)
class Option:
    """One cleaner production option (清洁生产方案) of the register."""

    code: str
    title: str
    aspect: str
    source: str  # who or what proposed it
    cost_class: CostClass
    investment: Number | None  # 万元
    expected_effects: str
    status: str
    screening_score: Number | None = None


@dataclass(frozen=True, slots=True)
class Reduction:
    indicator: str
    unit: str
    amount: Number | None  # per year


@dataclass(frozen=True, slots=True)
class Irr:
    """Internal rate of return of an option's cash flows.

    ``unique``: one root, in ``value_percent``. ``not_unique``: the cash flows change sign
    more than once and NPV has several roots, listed in ``roots_percent``, so the modified
    IRR in ``mirr_percent`` is the figure to judge by. ``none``: NPV has no root.
    """

    kind: Literal["unique", "not_unique", "none"]
    value_percent: Number | None = None
    roots_percent: tuple[Number, ...] = ()
    mirr_percent: Number | None = None


@dataclass(frozen=True, slots=True)
class Economics:
    """Economic evaluation of one option, with money in 万元 and annual amounts in 万元 per year."""

    investment: Number  # I, total investment less subsidies
    annual_saving: Number  # P, revenue increase plus operating cost decrease
    depreciation: Number  # D = I / depreciation life
    taxable_profit: Number  # T = P − D
    net_profit: Number  # E = T × (1 − tax rate)
    cash_flow: Number  # F = E + D
    static_payback_years: Number | None  # N = I / F
    npv: Number | None
    npvr_percent: Number | None  # NPV / I × 100
    irr: Irr
    dynamic_payback_years: Number | None  # None when the discounted cash flows never repay I
    discount_rate_percent: Number
    tax_rate_percent: Number
    life_years: int
    note: str = ""  # e.g. that NPV and IRR include irregular cash flows, translated


@dataclass(frozen=True, slots=True)
class SensitivityRow:
    variable: str  # e.g. investment or annual saving, translated
    change_percent: Number  # −20, −10, +10, +20
    npv: Number | None
    irr_percent: Number | None
    static_payback_years: Number | None


@dataclass(frozen=True, slots=True)
class Feasibility:
    """Feasibility analysis of one medium or high cost option."""

    option_code: str
    option_title: str
    technical: str
    environmental: str
    reductions: tuple[Reduction, ...] = ()
    economics: Economics | None = None
    sensitivity: tuple[SensitivityRow, ...] = ()
    conclusion: str = ""
    sensitivity_note: str = ""  # how the rows treat irregular cash flows, translated


@dataclass(frozen=True, slots=True)
class Implementation:
    """Implementation and verified effect of one option."""

    option_code: str
    option_title: str
    planned_investment: Number | None  # 万元
    actual_investment: Number | None  # 万元
    in_service_on: date | None
    saving_unit: str
    expected_saving: Number | None
    verified_saving: Number | None
    achieved_percent: Number | None  # verified / expected × 100
    note: str = ""  # e.g. which data are incomplete


@dataclass(frozen=True, slots=True)
class BeforeAfter:
    """An indicator before and after the options were implemented."""

    indicator: str
    unit: str
    before: Number | None
    after: Number | None
    change_percent: Number | None  # (after − before) / before × 100
    note: str = ""


@dataclass(frozen=True, slots=True)
class AuditReportData:
    enterprise: EnterpriseProfile
    audit: AuditInfo
    overview: str = ""  # 前言/概述
    team: tuple[TeamMember, ...] = ()
    work_plan: tuple[WorkPlanItem, ...] = ()
    pre_assessment: PreAssessment = field(default_factory=PreAssessment)
    focus_ranking: WeightedRanking | None = None
    targets: tuple[Target, ...] = ()
    balances: tuple[Balance, ...] = ()
    causes: tuple[CauseAnalysis, ...] = ()
    options: tuple[Option, ...] = ()
    screening: WeightedRanking | None = None
    feasibility: tuple[Feasibility, ...] = ()
    implementations: tuple[Implementation, ...] = ()
    before_after: tuple[BeforeAfter, ...] = ()
    continuous_plan: str = ""  # 持续清洁生产: organisation, system and next-round plan
    conclusions: str = ""
