"""Production output, output value and waste quantities over a reporting period."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Resource
from cleanprod.resources.units import conversion_factor

from .models import OutputValueBasis, OutputValueRecord, ProductionRecord, WasteRecord

QUANTITY_PLACES = Decimal("0.0001")
VALUE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class NetOutput:
    """Net output of one product over a period, reversals included.

    ``quantity`` is in ``unit``, the product's canonical unit, rounded to 4 decimal
    places. ``record_count`` counts the records that overlap the period, and
    ``generated`` is True when any of them is generated demo data.
    """

    quantity: Decimal
    unit: str
    record_count: int
    generated: bool


@dataclass(frozen=True)
class OutputValue:
    """Net output value over a period, corrections included.

    ``value_10k_cny`` is in 10,000 CNY (万元), rounded to 4 decimal places, and
    ``record_count`` counts the records that overlap the period.
    """

    value_10k_cny: Decimal
    record_count: int


def prorated_quantity(quantity: Decimal, period_start: date, period_end: date, start: date, end: date) -> Decimal:
    """Return the share of ``quantity`` that falls on the days ``start``..``end``.

    Both periods are inclusive ranges of days. The record's quantity is assumed to be
    spread evenly over its days, so the share is quantity × overlapping days / record
    days. It is zero when the periods do not overlap and unrounded otherwise. Raise
    ValueError when a period ends before it starts.
    """
    if period_end < period_start:
        raise ValueError(f"The record period {period_start}–{period_end} ends before it starts.")
    if end < start:
        raise ValueError(f"The requested period {start}–{end} ends before it starts.")
    first = max(period_start, start)
    last = min(period_end, end)
    if last < first:
        return Decimal(0)
    record_days = (period_end - period_start).days + 1
    overlap_days = (last - first).days + 1
    if overlap_days == record_days:
        return quantity
    return quantity * overlap_days / record_days


def net_output(
    *,
    site: Site,
    product: Resource,
    start: date,
    end: date,
    organization_unit: OrganizationUnit | None = None,
) -> NetOutput:
    """Sum the production of ``product`` at ``site`` over the days ``start``..``end`` (inclusive).

    Records that lie within the period count in full. Records that overlap it only in
    part count with the share of their days inside it (``prorated_quantity``).
    Reversals, stored as negative quantities, are netted. Every quantity is converted
    from its unit to the product's canonical unit. With ``organization_unit``, only
    the records of exactly that unit count, not those of units below it, because a
    workshop and its lines may both report the same output.

    Raise ValueError when ``end`` is before ``start``, and UnitError when a stored unit
    cannot be converted to the canonical unit (ProductionRecord.clean prevents that).
    """
    if end < start:
        raise ValueError(f"The requested period {start}–{end} ends before it starts.")
    records = ProductionRecord.objects.filter(
        site=site, product=product, period_start__lte=end, period_end__gte=start
    ).order_by("pk")
    if organization_unit is not None:
        records = records.filter(organization_unit=organization_unit)

    canonical = product.canonical_unit
    factors: dict[str, Decimal] = {}
    total = Decimal(0)
    count = 0
    generated = False
    for quantity, unit, period_start, period_end, is_generated in records.values_list(
        "quantity", "unit", "period_start", "period_end", "is_generated"
    ):
        if unit not in factors:
            # repr() gives the shortest decimal of the float factor, e.g. 0.001 for kg → t.
            factors[unit] = Decimal(repr(conversion_factor(unit, canonical)))
        total += prorated_quantity(quantity, period_start, period_end, start, end) * factors[unit]
        count += 1
        generated = generated or is_generated
    return NetOutput(
        quantity=total.quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP),
        unit=canonical,
        record_count=count,
        generated=generated,
    )


def net_output_value(
    *,
    site: Site,
    start: date,
    end: date,
    basis: OutputValueBasis | str,
    organization_unit: OrganizationUnit | None = None,
) -> OutputValue:
    """Sum the output value of one ``basis`` at ``site`` over the days ``start``..``end`` (inclusive).

    Records that overlap the period only in part count with the share of their days
    inside it (``prorated_quantity``), and negative corrections are netted. Without
    ``organization_unit`` only the site's own records (no organisation unit) count, and
    with it only the records of exactly that unit. Unit records are never added up to a
    site total: the gross output value of a site counts products passed between its
    workshops once (factory method), while the sum of the workshops' values counts them
    at every step.

    The values are summed as recorded, so records of different price base years are
    added without conversion.

    Raise ValueError when ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"The requested period {start}–{end} ends before it starts.")
    records = OutputValueRecord.objects.filter(
        site=site, basis=basis, organization_unit=organization_unit, period_start__lte=end, period_end__gte=start
    ).order_by("pk")

    total = Decimal(0)
    count = 0
    for value, period_start, period_end in records.values_list("value_10k_cny", "period_start", "period_end"):
        total += prorated_quantity(value, period_start, period_end, start, end)
        count += 1
    return OutputValue(value_10k_cny=total.quantize(VALUE_PLACES, rounding=ROUND_HALF_UP), record_count=count)


WASTE_QUANTITY_FIELDS = ("generated_t", "utilised_t", "prior_stock_utilised_t", "disposed_t", "stored_t", "dumped_t")


@dataclass(frozen=True)
class WasteQuantities:
    """Waste quantities in tonnes, with the meanings of the WasteRecord fields of the same names."""

    generated_t: Decimal = Decimal(0)
    utilised_t: Decimal = Decimal(0)
    prior_stock_utilised_t: Decimal = Decimal(0)
    disposed_t: Decimal = Decimal(0)
    stored_t: Decimal = Decimal(0)
    dumped_t: Decimal = Decimal(0)

    def __add__(self, other: WasteQuantities) -> WasteQuantities:
        return WasteQuantities(**{name: getattr(self, name) + getattr(other, name) for name in WASTE_QUANTITY_FIELDS})

    def rounded(self) -> WasteQuantities:
        """Return the quantities rounded to 4 decimal places, the precision of the stored records."""
        return WasteQuantities(
            **{
                name: getattr(self, name).quantize(QUANTITY_PLACES, rounding=ROUND_HALF_UP)
                for name in WASTE_QUANTITY_FIELDS
            }
        )


@dataclass(frozen=True)
class ResourceWaste:
    """Waste quantities of one waste resource; ``hw_category`` is empty for general solid waste."""

    code: str
    category: str
    hw_category: str
    quantities: WasteQuantities


@dataclass(frozen=True)
class WasteTotals:
    """Waste quantities over a period, rounded to 4 decimal places.

    ``by_resource`` is keyed by resource code and ``by_route`` by DisposalRoute value, with
    "" for records without a route. ``total`` sums all records, and ``record_count``
    counts the records that overlap the period.
    """

    by_resource: dict[str, ResourceWaste] = field(default_factory=dict)
    by_route: dict[str, WasteQuantities] = field(default_factory=dict)
    total: WasteQuantities = WasteQuantities()
    record_count: int = 0


def waste_totals(
    *,
    site: Site,
    start: date,
    end: date,
    organization_unit: OrganizationUnit | None = None,
    category: str | None = None,
) -> WasteTotals:
    """Sum the waste records of ``site`` over the days ``start``..``end`` (inclusive).

    Records that overlap the period only in part count with the share of their days inside
    it (``prorated_quantity``), each quantity prorated alike. Without ``organization_unit``
    every record of the site counts, with or without a unit. With it, only the records of
    exactly that unit count. ``category`` (Category.SOLID_WASTE or HAZARDOUS_WASTE) keeps
    only the records of that waste category.

    Raise ValueError when ``end`` is before ``start``.
    """
    if end < start:
        raise ValueError(f"The requested period {start}–{end} ends before it starts.")
    records = (
        WasteRecord.objects.filter(site=site, period_start__lte=end, period_end__gte=start)
        .select_related("resource")
        .order_by("pk")
    )
    if organization_unit is not None:
        records = records.filter(organization_unit=organization_unit)
    if category is not None:
        records = records.filter(resource__category=category)

    by_resource: dict[str, WasteQuantities] = {}
    resources: dict[str, Resource] = {}
    by_route: dict[str, WasteQuantities] = {}
    total = WasteQuantities()
    count = 0
    for record in records:
        share = WasteQuantities(
            **{
                name: prorated_quantity(getattr(record, name), record.period_start, record.period_end, start, end)
                for name in WASTE_QUANTITY_FIELDS
            }
        )
        code = record.resource.code
        resources[code] = record.resource
        by_resource[code] = by_resource.get(code, WasteQuantities()) + share
        by_route[record.disposal_route] = by_route.get(record.disposal_route, WasteQuantities()) + share
        total += share
        count += 1

    return WasteTotals(
        by_resource={
            code: ResourceWaste(
                code=code,
                category=resources[code].category,
                hw_category=resources[code].hw_category,
                quantities=quantities.rounded(),
            )
            for code, quantities in by_resource.items()
        },
        by_route={route: quantities.rounded() for route, quantities in by_route.items()},
        total=total.rounded(),
        record_count=count,
    )
