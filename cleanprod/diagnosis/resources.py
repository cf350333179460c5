"""Rankings of organisation units by fresh water and by waste, beside the energy diagnosis."""

from datetime import date

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from cleanprod.metering.models import Meter, MeterFlow
from cleanprod.organization.models import Site

from .analysis import DEFAULT_PARETO_PERCENT, Item, ParetoResult, pareto
from .services import sum_rollups

# Resource codes ranked together; each group shares one canonical unit.
WATER_CODES = ("fresh_water",)  # intake, m3; recycled water is not intake
WASTE_CATEGORIES = ("solid_waste", "hazardous_waste")  # t


def rank_units_by_water(
    site: Site, start: date, end: date, *, pareto_percent: float = DEFAULT_PARETO_PERCENT
) -> ParetoResult:
    """Rank organisation units by fresh-water intake (m3) over the local days start..end."""
    meters = Meter.objects.filter(resource__code__in=WATER_CODES)
    return _rank_units(site, start, end, meters, pareto_percent)


def rank_units_by_waste(
    site: Site, start: date, end: date, *, pareto_percent: float = DEFAULT_PARETO_PERCENT
) -> ParetoResult:
    """Rank organisation units by metered waste generation (t), general and hazardous together."""
    meters = Meter.objects.filter(resource__category__in=WASTE_CATEGORIES)
    return _rank_units(site, start, end, meters, pareto_percent)


def _rank_units(site: Site, start: date, end: date, meters: QuerySet[Meter], pareto_percent: float) -> ParetoResult:
    """Sum each unit's meters once and rank the units.

    A meter whose parent meter is also counted is left out, so a sub-meter is not added to its
    incomer. The incomer's quantity is attributed to the incomer's unit.
    """
    selected = list(
        Meter.objects.filter(pk__in=meters.values("pk"), site=site, is_virtual=False, flow=MeterFlow.CONSUMPTION)
        .select_related("resource", "organization_unit")
        .order_by("code")
    )
    ids = {meter.pk for meter in selected}
    totals = sum_rollups(sorted(ids), start, end)
    by_unit: dict[str, Item] = {}
    for meter in selected:
        if meter.parent_id in ids:
            continue
        quantity = sum(totals[meter.pk].quantity_by_year.values()) if meter.pk in totals else 0.0
        unit = meter.organization_unit
        key = unit.code if unit else ""
        name = unit.name if unit else _("Meters without an organisation unit")
        current = by_unit.get(key)
        value = quantity + (current.value if current else 0.0)
        by_unit[key] = Item(name=name, value=value, unit=meter.resource.canonical_unit, key=key)
    return pareto(by_unit.values(), pareto_percent)
