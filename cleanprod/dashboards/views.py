"""Dashboard pages of the enterprise, a site and an organisation unit, and their Excel downloads."""

from typing import Any

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from cleanprod.diagnosis.export import priority_workbook_bytes
from cleanprod.diagnosis.resources import rank_units_by_waste, rank_units_by_water
from cleanprod.diagnosis.services import diagnose_site
from cleanprod.indicators.formulas import UNDEFINED_DISPLAY, Result, Undefined, display
from cleanprod.indicators.services import compute_indicator_set
from cleanprod.metering.models import Meter
from cleanprod.organization.access import get_for_user, sites_for
from cleanprod.organization.models import OrganizationUnit, Site, UnitKind
from cleanprod.resources.models import FactorKind, Resource

from . import charts
from .export import SiteOverview, completeness_workbook_bytes, indicators_workbook_bytes, overview_workbook_bytes
from .forms import DashboardPeriodForm
from .periods import Period, PeriodKind
from .services import (
    compute_scope_indicators,
    daily_trend,
    default_day,
    headline_cards,
    incoming_electricity_meters,
    latest_data_day,
    load_profile,
    meter_completeness,
    products_of,
    subtree_unit_ids,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def get_site_for_user(request: HttpRequest, pk: int) -> Site:
    """Return the site if the user may view it; raise Http404 otherwise."""
    return get_for_user(Site.objects.select_related("enterprise"), request.user, pk, site_field="pk")


def get_unit_for_user(request: HttpRequest, pk: int) -> OrganizationUnit:
    """Return the organisation unit if the user may view its site; raise Http404 otherwise."""
    queryset = OrganizationUnit.objects.select_related("site", "site__enterprise", "parent")
    return get_for_user(queryset, request.user, pk)


def period_query(period: Period, product: Resource | None = None) -> str:
    """Return the query string that selects the period (and product) again, for links and downloads."""
    query = QueryDict(mutable=True)
    query["kind"] = period.kind.value
    if period.kind is PeriodKind.CUSTOM:
        query["start"] = period.start.isoformat()
        query["end"] = period.end.isoformat()
    else:
        query["day"] = period.start.isoformat()
    if product is not None:
        query["product"] = product.code
    return query.urlencode()


def _display_form(period: Period, products: Any = None, product: Resource | None = None) -> DashboardPeriodForm:
    initial: dict[str, object] = {
        "kind": period.kind.value,
        "day": period.start,
        "start": period.start,
        "end": period.end,
    }
    if product is not None:
        initial["product"] = product
    return DashboardPeriodForm(initial=initial, products=products)


def chart_labels() -> dict[str, str]:
    return {
        "coverage": _("Data completeness"),
        "cumulative": _("Cumulative share"),
        "energy": _("Energy"),
        "threshold": _("%(percent)s %% line") % {"percent": "80"},
        "mean_load": _("Mean load"),
        "weekdays": [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")],  # type: ignore[dict-item]
        "hour": _("Hour"),
        "own_meters": _("own meters"),
    }


def _factor_kind_labels() -> dict[str, str]:
    return {kind: str(label) for kind, label in FactorKind.choices}


def _factor_rows(factors: Any) -> list[dict[str, Any]]:
    kinds = _factor_kind_labels()
    return [{"factor": factor, "kind": kinds.get(factor.kind, factor.kind)} for factor in factors]


def _scope_meters(site: Site, unit: OrganizationUnit | None = None) -> list[Meter]:
    meters = Meter.objects.filter(site=site, is_virtual=False).select_related("resource", "organization_unit")
    if unit is not None:
        meters = meters.filter(organization_unit_id__in=subtree_unit_ids(unit))
    return list(meters.order_by("code"))


def _bad_period(request: HttpRequest, template: str, context: dict[str, Any]) -> HttpResponse:
    context["period"] = None
    return render(request, template, context, status=400)


def _visible_sites(request: HttpRequest) -> list[Site]:
    return list(sites_for(request.user).select_related("enterprise").order_by("enterprise__name", "name"))


def _site_overviews(sites: list[Site], period: Period) -> list[SiteOverview]:
    # NOTE: one indicator computation per site, so the query count of the overview and of its
    # download grows with the number of sites the user can see.
    return [SiteOverview(site, compute_indicator_set(site, period.start, period.end)) for site in sites]


@require_GET
def enterprise_overview(request: HttpRequest) -> HttpResponse:
    sites = _visible_sites(request)
    form = DashboardPeriodForm(request.GET)
    context: dict[str, Any] = {"form": form, "sites": sites}
    if not form.is_valid():
        return _bad_period(request, "dashboards/enterprise.html", context)

    period = form.period(latest_data_day(sites) or timezone.localdate())
    query = period_query(period)
    rows = []
    for overview in _site_overviews(sites, period):
        site, indicators = overview.site, overview.indicators
        electricity = indicators.consumption_of("electricity")
        rows.append(
            {
                "site": site,
                "indicators": indicators,
                "energy": display_cell(indicators.comprehensive_energy_tce, 3),
                "electricity": display_cell(electricity.quantity if electricity else None, 0),
                "co2": display_cell(indicators.electricity_scope2_tco2, 3),
                "coverage_percent": 100.0 * indicators.completeness.coverage,
                "url": f"{reverse('dashboards:site', args=[site.pk])}?{query}",
            }
        )
    context.update(
        {
            "form": _display_form(period),
            "period": period,
            "query": query,
            "rows": rows,
            "totals": _enterprise_totals(rows),
        }
    )
    return render(request, "dashboards/enterprise.html", context)


def _enterprise_totals(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Sum comprehensive energy and electricity CO2 per enterprise over the sites the user can see.

    A site whose value is undefined makes the enterprise total undefined, shown with a dash,
    because a sum without it would understate the enterprise.
    """
    by_enterprise: dict[int, list[dict[str, Any]]] = {}
    for row in rows:
        by_enterprise.setdefault(row["site"].enterprise_id, []).append(row)
    totals = []
    for members in by_enterprise.values():
        energy = [member["indicators"].comprehensive_energy_tce for member in members]
        co2 = [member["indicators"].electricity_scope2_tco2 for member in members]
        totals.append(
            {
                "enterprise": members[0]["site"].enterprise,
                "site_count": len(members),
                "energy": display_cell(_sum_results(energy), 3),
                "co2": display_cell(_sum_results(co2), 3),
                "partial": any(member["indicators"].partial for member in members),
            }
        )
    return totals


def _sum_results(values: list[Result]) -> Result:
    for value in values:
        if isinstance(value, Undefined):
            return value
    return float(sum(value for value in values if not isinstance(value, Undefined)))


def display_cell(value: Result | None, places: int) -> str:
    """Format an indicator for a table cell; None (no meter of that resource) is shown as a dash."""
    return UNDEFINED_DISPLAY if value is None else display(value, places)


def _site_period(request: HttpRequest, site: Site) -> tuple[DashboardPeriodForm, Any, Period | None, Resource | None]:
    products = products_of(site)
    form = DashboardPeriodForm(request.GET, products=products)
    if not form.is_valid():
        return form, products, None, None
    period = form.period(default_day(site))
    product = form.cleaned_data.get("product") or products.first()
    return form, products, period, product


def site_alert_box(request: HttpRequest, site: Site) -> dict[str, Any]:
    """The site's open and acknowledged alerts, newest first, for the box the page script refreshes."""
    from cleanprod.alerts.services import open_alerts_filter
    from cleanprod.alerts.views import alert_row

    alerts = site.alerts.filter(open_alerts_filter()).select_related("site", "meter", "organization_unit")
    return {
        "count": alerts.count(),
        "rows": [alert_row(alert) for alert in alerts[:5]],
        "feed_url": f"{reverse('alerts:feed')}?status=active&site={site.pk}",
        "list_url": f"{reverse('alerts:list')}?status=active&site={site.pk}",
    }


@require_GET
def site_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_site_for_user(request, pk)
    form, products, period, product = _site_period(request, site)
    context: dict[str, Any] = {"site": site, "form": form}
    if period is None:
        return _bad_period(request, "dashboards/site.html", context)

    query = period_query(period, product)

    def unit_url(unit_id: int) -> str:
        return f"{reverse('dashboards:unit', args=[unit_id])}?{query}"

    indicators = compute_scope_indicators(site, period, product)
    diagnosis = diagnose_site(site, period.start, period.end)
    meter_ids = {energy.label: energy.meter_id for energy in diagnosis.meters}
    unit_ids = {unit.code: unit.unit_id for unit in diagnosis.units}
    vital_keys = {ranked.item.key for ranked in diagnosis.unit_ranking.energy.vital_few}
    context.update(_scope_context(site, None, period, indicators))
    context.update(
        {
            "form": _display_form(period, products, product),
            "query": query,
            "diagnosis": diagnosis,
            "priorities": [
                (item, unit_url(item.unit_id) if item.unit_id else "", UnitKind(item.kind).label if item.kind else "")
                for item in diagnosis.priorities
            ],
            "balances": [(balance, meter_ids.get(balance.parent)) for balance in diagnosis.balances],
            "pareto_rows": [
                (ranked, unit_ids.get(ranked.item.key), ranked.item.key in vital_keys)
                for ranked in diagnosis.unit_ranking.energy.ranking.items
            ],
            "treemap_chart": charts.treemap_chart_data(diagnosis, unit_url),
            "pareto_chart": charts.pareto_chart_data(diagnosis, unit_url),
            "sankey_chart": diagnosis.sankey.as_echarts(),
            "resource_rankings": [
                (_("Organisation units by fresh-water intake"), rank_units_by_water(site, period.start, period.end)),
                (_("Organisation units by waste generated"), rank_units_by_waste(site, period.start, period.end)),
            ],
            "load_chart": charts.load_profile_chart_data(load_profile(site, period, incoming_electricity_meters(site))),
            "units": site.units.order_by("code"),
            "alert_box": site_alert_box(request, site),
        }
    )
    return render(request, "dashboards/site.html", context)


def _scope_context(site: Site, unit: OrganizationUnit | None, period: Period, indicators: Any) -> dict[str, Any]:
    """Return what the site and unit pages share: cards, factors, notices, trend and completeness."""
    return {
        "period": period,
        "indicators": indicators,
        "cards": headline_cards(indicators),
        "factors": _factor_rows(indicators.current.factors),
        "notices": [notice.message for notice in indicators.current.notices],
        "trend_chart": charts.trend_chart_data(daily_trend(site, indicators.current, period)),
        "completeness": meter_completeness(site, _scope_meters(site, unit), period),
        "chart_labels": chart_labels(),
    }


@require_GET
def unit_dashboard(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request, pk)
    site = unit.site
    form, products, period, product = _site_period(request, site)
    context: dict[str, Any] = {"site": site, "unit": unit, "form": form}
    if period is None:
        return _bad_period(request, "dashboards/unit.html", context)

    query = period_query(period, product)
    indicators = compute_scope_indicators(unit, period, product)
    context.update(_scope_context(site, unit, period, indicators))
    context.update(
        {
            "form": _display_form(period, products, product),
            "query": query,
            "children": unit.children.order_by("code"),
        }
    )
    return render(request, "dashboards/unit.html", context)


def _xlsx_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _period_error_response(form: DashboardPeriodForm) -> HttpResponse:
    messages = [str(error) for errors in form.errors.values() for error in errors]
    return HttpResponse("\n".join(messages), status=400, content_type="text/plain; charset=utf-8")


@require_GET
def site_priorities_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_site_for_user(request, pk)
    form, _products, period, _product = _site_period(request, site)
    if period is None:
        return _period_error_response(form)
    diagnosis = diagnose_site(site, period.start, period.end)
    filename = f"priorities-{site.code}-{period.start}-{period.end}.xlsx"
    return _xlsx_response(priority_workbook_bytes(diagnosis), filename)


@require_GET
def site_completeness_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_site_for_user(request, pk)
    form, _products, period, _product = _site_period(request, site)
    if period is None:
        return _period_error_response(form)
    rows = meter_completeness(site, _scope_meters(site), period)
    content = completeness_workbook_bytes(site.name, period, rows)
    return _xlsx_response(content, f"completeness-{site.code}-{period.start}-{period.end}.xlsx")


@require_GET
def unit_completeness_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request, pk)
    form, _products, period, _product = _site_period(request, unit.site)
    if period is None:
        return _period_error_response(form)
    rows = meter_completeness(unit.site, _scope_meters(unit.site, unit), period)
    content = completeness_workbook_bytes(unit.name, period, rows)
    return _xlsx_response(content, f"completeness-{unit.site.code}-{unit.code}-{period.start}-{period.end}.xlsx")


def _indicators_xlsx_response(scope: Site | OrganizationUnit, site: Site, request: HttpRequest) -> HttpResponse:
    """Return the headline cards and factor versions of the site or unit for the requested period and product."""
    form, _products, period, product = _site_period(request, site)
    if period is None:
        return _period_error_response(form)
    indicators = compute_scope_indicators(scope, period, product)
    content = indicators_workbook_bytes(
        scope.name, period, headline_cards(indicators), indicators.current.factors, _factor_kind_labels()
    )
    codes = site.code if isinstance(scope, Site) else f"{site.code}-{scope.code}"
    return _xlsx_response(content, f"indicators-{codes}-{period.start}-{period.end}.xlsx")


@require_GET
def site_indicators_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_site_for_user(request, pk)
    return _indicators_xlsx_response(site, site, request)


@require_GET
def unit_indicators_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    unit = get_unit_for_user(request, pk)
    return _indicators_xlsx_response(unit, unit.site, request)


@require_GET
def enterprise_overview_xlsx(request: HttpRequest) -> HttpResponse:
    sites = _visible_sites(request)
    form = DashboardPeriodForm(request.GET)
    if not form.is_valid():
        return _period_error_response(form)
    period = form.period(latest_data_day(sites) or timezone.localdate())
    content = overview_workbook_bytes(period, _site_overviews(sites, period))
    return _xlsx_response(content, f"overview-{period.start}-{period.end}.xlsx")
