"""Data of the dashboards: headline cards with their comparisons, trends, load profile and data completeness.

Indicators come from cleanprod.indicators and the diagnosis from cleanprod.diagnosis; this module
only selects and groups them for pages. Every series is summed in the database from rollups,
grouped by day, meter or hour of the week, so no page reads raw readings and the number of
queries does not grow with the number of days.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db.models import Count, Sum
from django.db.models.functions import ExtractHour, ExtractIsoWeekDay
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from cleanprod.indicators import formulas
from cleanprod.indicators.formulas import Result, Undefined
from cleanprod.indicators.services import IndicatorSet, compute_indicator_set, period_seconds
from cleanprod.metering.buckets import local_day_bounds
from cleanprod.metering.models import DailyRollup, HourlyRollup, Meter
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Category, Resource

from .periods import Period, previous_period, same_period_last_year

ELECTRICITY = "electricity"
PERCENT_PLACES = 1


@dataclass(frozen=True, slots=True)
class Comparison:
    """A headline value against the same value of a base period (环比 or 同比).

    ``change`` is a fraction from formulas.relative_change, Undefined for a zero base or when
    either period is partial. ``partial_coverage_percent`` is then the coverage of the partial
    period, the lower one when both are partial, and None when both are complete.
    """

    period: Period
    base: Result
    change: Result
    partial_coverage_percent: float | None

    @property
    def base_text(self) -> str:
        return formulas.display(self.base)

    @property
    def change_text(self) -> str:
        return formulas.display(self.change, PERCENT_PLACES, percent=True)

    @property
    def reason(self) -> Promise | None:
        return self.change.message if isinstance(self.change, Undefined) else None


@dataclass(frozen=True, slots=True)
class HeadlineCard:
    """One headline indicator of the period, in ``unit``, with both comparisons."""

    key: str
    label: Promise
    unit: str
    value: Result
    places: int
    previous: Comparison
    last_year: Comparison

    @property
    def value_text(self) -> str:
        return formulas.display(self.value, self.places)

    @property
    def reason(self) -> Promise | None:
        return self.value.message if isinstance(self.value, Undefined) else None


@dataclass(frozen=True, slots=True)
class ScopeIndicators:
    """The indicator sets of a period, of the period before it and of the same period last year."""

    period: Period
    current: IndicatorSet
    previous: IndicatorSet
    last_year: IndicatorSet

    @property
    def coverage_percent(self) -> float:
        return 100.0 * self.current.completeness.coverage


def compute_scope_indicators(
    scope: Site | OrganizationUnit, period: Period, product: Resource | None, *, now: datetime | None = None
) -> ScopeIndicators:
    """Compute the indicator sets of the period and of both comparison periods."""
    sets = [
        compute_indicator_set(scope, item.start, item.end, product=product, now=now)
        for item in (period, previous_period(period), same_period_last_year(period))
    ]
    return ScopeIndicators(period, *sets)


def _electricity_kwh(indicators: IndicatorSet) -> Result:
    consumption = indicators.consumption_of(ELECTRICITY)
    return consumption.quantity if consumption is not None else Undefined("no_data")


def _comparison(
    period: Period, current: IndicatorSet, base: IndicatorSet, current_value: Result, base_value: Result
) -> Comparison:
    change = formulas.relative_change(
        current_value, base_value, current_complete=not current.partial, base_complete=not base.partial
    )
    coverages = [item.completeness.coverage for item in (current, base) if item.partial]
    coverage_percent = 100.0 * min(coverages) if coverages else None
    return Comparison(period, base_value, change, coverage_percent)


def headline_cards(indicators: ScopeIndicators) -> list[HeadlineCard]:
    """Build the cards: comprehensive energy (tce), electricity (kWh), scope 2 CO2 (t), energy per unit of product.

    The electricity card is left out when the scope has no electricity meter, and the card of
    energy per unit of product when no product was chosen.
    """
    current, previous, last_year = indicators.current, indicators.previous, indicators.last_year
    previous_period_ = previous_period(indicators.period)
    last_year_period = same_period_last_year(indicators.period)
    definitions: list[tuple[str, Promise, str, int, Any]] = [
        ("energy", _("Comprehensive energy consumption"), "tce", 3, lambda item: item.comprehensive_energy_tce),
    ]
    if current.consumption_of(ELECTRICITY) is not None:
        definitions.append(("electricity", _("Electricity"), "kWh", 0, _electricity_kwh))
    definitions.append(("co2", _("Scope 2 CO2 of electricity"), "tCO2", 3, lambda item: item.electricity_scope2_tco2))
    if current.energy_intensity_kgce_per_unit is not None:
        unit = f"kgce/{current.product_unit}"
        definitions.append(
            ("intensity", _("Energy per unit of product"), unit, 2, lambda item: item.energy_intensity_kgce_per_unit)
        )

    cards = []
    for key, label, unit, places, value_of in definitions:
        value = value_of(current)
        cards.append(
            HeadlineCard(
                key=key,
                label=label,
                unit=unit,
                value=value,
                places=places,
                previous=_comparison(previous_period_, current, previous, value, value_of(previous)),
                last_year=_comparison(last_year_period, current, last_year, value, value_of(last_year)),
            )
        )
    return cards


def latest_data_day(sites: Iterable[Site] | Site) -> date | None:
    """Return the newest local day with a daily rollup on the sites (one index look-up)."""
    site_ids = [sites.pk] if isinstance(sites, Site) else [site.pk for site in sites]
    return (
        DailyRollup.objects.filter(meter__site_id__in=site_ids).order_by("-day").values_list("day", flat=True).first()
    )


def default_day(site: Site) -> date:
    """Return the day whose period a dashboard shows by default: the newest day with data, or today."""
    return latest_data_day(site) or timezone.now().astimezone(site.zone).date()


def products_of(site: Site) -> Any:
    """Return the products that have production records on the site, by code."""
    return Resource.objects.filter(category=Category.PRODUCT, production_records__site=site).distinct().order_by("code")


def subtree_unit_ids(unit: OrganizationUnit) -> set[int]:
    """Return the ids of the unit and of every unit below it (one query)."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for pk, parent_id in OrganizationUnit.objects.filter(site_id=unit.site_id).values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found = {unit.pk}
    pending = [unit.pk]
    while pending:
        for child in children[pending.pop()]:
            if child not in found:
                found.add(child)
                pending.append(child)
    return found


@dataclass(frozen=True, slots=True)
class TrendSeries:
    """Daily consumption of one resource over the period, summed over the meters the indicators counted."""

    resource_code: str
    resource_name: str
    unit: str
    days: tuple[date, ...]
    quantities: tuple[float | None, ...]  # None for a day without any rollup
    coverage_percent: tuple[float, ...]


def daily_trend(site: Site, indicators: IndicatorSet, period: Period) -> list[TrendSeries]:
    """Sum the daily rollups of the meters the indicators counted, per resource and day, in two queries."""
    codes_by_resource = {item.resource_code: item.meter_codes for item in indicators.consumption}
    all_codes = [code for codes in codes_by_resource.values() for code in codes]
    resources: dict[str, Resource] = {}
    meter_ids = []
    for meter in Meter.objects.filter(site=site, code__in=all_codes).select_related("resource"):
        resources[meter.resource.code] = meter.resource
        meter_ids.append(meter.pk)
    rows = (
        DailyRollup.objects.filter(meter_id__in=meter_ids, day__gte=period.start, day__lte=period.end)
        .values("day", "meter__resource__code")
        .annotate(
            quantity=Sum("quantity"),
            covered=Sum("covered_seconds"),
            day_seconds=Sum("day_seconds"),
            rows=Count("id"),
        )
        .order_by()
    )
    by_resource: dict[str, dict[date, dict[str, Any]]] = defaultdict(dict)
    for row in rows:
        by_resource[row["meter__resource__code"]][row["day"]] = row

    days = [date.fromordinal(ordinal) for ordinal in range(period.start.toordinal(), period.end.toordinal() + 1)]
    series = []
    for code in sorted(by_resource):
        values = by_resource[code]
        quantities: list[float | None] = []
        coverage: list[float] = []
        for day in days:
            if day not in values:
                quantities.append(None)
                coverage.append(0.0)
                continue
            row = values[day]
            quantities.append(float(row["quantity"] or 0.0))
            # Each counted meter of the resource should cover the whole day, including the
            # meters that have no rollup on it.
            expected_seconds = float(row["day_seconds"]) / row["rows"] * len(codes_by_resource[code])
            share = formulas.assess_period(float(row["covered"] or 0.0), expected_seconds, period_over=True).coverage
            coverage.append(round(100.0 * share, 1))
        resource = resources[code]
        series.append(
            TrendSeries(
                resource_code=code,
                resource_name=resource.display_name,
                unit=resource.canonical_unit,
                days=tuple(days),
                quantities=tuple(quantities),
                coverage_percent=tuple(coverage),
            )
        )
    return series


@dataclass(frozen=True, slots=True)
class LoadProfile:
    """Mean electrical load of the site's incoming meters per local hour and ISO weekday (1 = Monday), in kW."""

    meter_codes: tuple[str, ...]
    cells: tuple[tuple[int, int, float], ...]  # (weekday, hour, mean kW)

    @property
    def max_kw(self) -> float:
        return max((cell[2] for cell in self.cells), default=0.0)


def incoming_electricity_meters(site: Site) -> list[Meter]:
    """Return the site's incoming electricity meters: physical meters without a parent meter."""
    return list(
        Meter.objects.filter(
            site=site, is_virtual=False, parent__isnull=True, resource__category=Category.ELECTRICITY
        ).order_by("code")
    )


def load_profile(site: Site, period: Period, meters: Sequence[Meter]) -> LoadProfile:
    """Average the hourly rollups of the meters per hour of the week, in the database.

    The kWh of all meters in one hour are added up, then divided by the number of distinct
    hours with data in that cell, which gives the mean load in kW because each bucket is one hour.
    """
    first = local_day_bounds(period.start, site.zone)[0]
    last = local_day_bounds(period.end, site.zone)[1]
    rows = (
        HourlyRollup.objects.filter(meter__in=meters, hour_start__gte=first, hour_start__lt=last)
        .annotate(
            weekday=ExtractIsoWeekDay("hour_start", tzinfo=site.zone),
            hour=ExtractHour("hour_start", tzinfo=site.zone),
        )
        .values("weekday", "hour")
        .annotate(kwh=Sum("quantity"), hours=Count("hour_start", distinct=True))
        .order_by("weekday", "hour")
    )
    cells = tuple(
        (row["weekday"], row["hour"], round(float(row["kwh"] or 0.0) / row["hours"], 3)) for row in rows if row["hours"]
    )
    return LoadProfile(tuple(meter.code for meter in meters), cells)


@dataclass(frozen=True, slots=True)
class MeterCompleteness:
    """How much of the period one meter's data covers."""

    meter: Meter
    days_with_data: int
    covered_seconds: float
    coverage_percent: float
    complete: bool  # the period is over and fully covered


def meter_completeness(
    site: Site, meters: Sequence[Meter], period: Period, *, now: datetime | None = None
) -> list[MeterCompleteness]:
    """Sum each meter's covered seconds over the period in one query and compare them with its length."""
    seconds = period_seconds(site, period.start, period.end)
    today = (now or timezone.now()).astimezone(site.zone).date()
    rows = (
        DailyRollup.objects.filter(meter__in=meters, day__gte=period.start, day__lte=period.end)
        .values("meter_id")
        .annotate(covered=Sum("covered_seconds"), days=Count("id"))
        .order_by()
    )
    totals = {row["meter_id"]: row for row in rows}
    result = []
    for meter in meters:
        row = totals.get(meter.pk)
        covered = float(row["covered"] or 0.0) if row else 0.0
        assessment = formulas.assess_period(covered, seconds, period_over=period.end < today)
        result.append(
            MeterCompleteness(
                meter=meter,
                days_with_data=row["days"] if row else 0,
                covered_seconds=covered,
                coverage_percent=round(100.0 * assessment.coverage, 1),
                complete=assessment.complete,
            )
        )
    return result
