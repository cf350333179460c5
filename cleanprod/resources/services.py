"""Factor look-up from the versioned factor table, for the indicators built on the ledger."""

from dataclasses import dataclass
from decimal import Decimal

from .factors import FactorCandidate, FactorNotFound, select_for_year
from .models import Factor, FactorKind, Resource
from .units import conversion_factor


@dataclass(frozen=True, slots=True)
class FactorUse:
    """One factor version used in a computation, as reports and audits must show it."""

    factor_id: int
    kind: str
    resource_code: str
    series: str
    region: str
    data_year: int | None
    version: int
    value: Decimal
    unit: str
    source: str
    provisional: bool  # an earlier year's factor is used for a year not yet published


def select_factor(
    kind: str, resource: Resource, year: int, *, series: str | None = None, region: str = "national"
) -> FactorUse:
    """Return the factor version that applies to `year` (the latest earlier year, provisional, if none).

    Raise FactorNotFound when the table has no usable factor, naming what is missing.
    """
    rows = Factor.objects.filter(kind=kind, resource=resource, region=region)
    if series is not None:
        rows = rows.filter(series=series)
    by_id = {row.pk: row for row in rows}
    candidates = [FactorCandidate(row.pk, row.data_year, row.version, row.value, row.unit) for row in by_id.values()]
    try:
        choice = select_for_year(candidates, year)
    except FactorNotFound as error:
        raise FactorNotFound(
            f"no {kind} factor for {resource.code} ({region}, {series or 'any series'}) in {year}"
        ) from error
    row = by_id[choice.factor.id]
    return FactorUse(
        factor_id=row.pk,
        kind=row.kind,
        resource_code=resource.code,
        series=row.series,
        region=row.region,
        data_year=row.data_year,
        version=row.version,
        value=row.value,
        unit=row.unit,
        source=row.source,
        provisional=choice.provisional,
    )


def apply_factor(quantity: float, quantity_unit: str, factor: FactorUse, result_unit: str) -> float:
    """Multiply a quantity by a factor with explicit unit conversion.

    The factor's unit is "<result>/<quantity>"; both sides are converted, so kWh × tCO2/MWh
    gives tonnes, never thousands of tonnes.
    """
    numerator, _, denominator = factor.unit.partition("/")
    if not denominator:
        raise ValueError(f"factor unit {factor.unit!r} is not a ratio such as kgce/kWh")
    quantity_in_factor_unit = quantity * conversion_factor(quantity_unit, denominator)
    result = quantity_in_factor_unit * float(factor.value)
    return result * conversion_factor(numerator, result_unit)


def standard_coal_tce(resource: Resource, quantity: float, year: int) -> tuple[float, FactorUse]:
    """Convert a quantity in the resource's canonical unit to tce (GB/T 2589 calorific equivalent)."""
    factor = select_factor(FactorKind.STANDARD_COAL, resource, year)
    return apply_factor(quantity, resource.canonical_unit, factor, "tce"), factor
