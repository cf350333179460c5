"""Pages of the organisation: the user's sites, and one site's tree with its meters."""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from cleanprod.metering.models import Meter, VirtualMeterTerm

from .access import Action, get_for_user, sites_for
from .models import Site
from .tree import build_unit_tree


@dataclass
class MeterEntry:
    """A meter as listed in the site tree, with its virtual terms and sub-meters."""

    meter: Meter
    terms: list[VirtualMeterTerm] = field(default_factory=list)
    sub_meters: list[Meter] = field(default_factory=list)


def get_site_for_user(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Site:
    """Return the site if the user may perform the action on it; raise Http404 otherwise."""
    return get_for_user(Site.objects.select_related("enterprise"), request.user, pk, action, "pk")


def site_list(request: HttpRequest) -> HttpResponse:
    sites = (
        sites_for(request.user, Action.VIEW)
        .select_related("enterprise")
        .annotate(meter_count=Count("meters"))
        .order_by("enterprise__name", "enterprise_id", "name")
    )
    return render(request, "organization/site_list.html", {"sites": sites})


def site_detail(request: HttpRequest, pk: int) -> HttpResponse:
    site = get_site_for_user(request, pk)
    units = list(site.units.order_by("code"))
    meters = list(site.meters.select_related("resource", "parent").order_by("code"))
    terms = VirtualMeterTerm.objects.filter(virtual_meter__site=site).select_related("source")

    entries = {meter.pk: MeterEntry(meter) for meter in meters}
    for term in terms.order_by("-sign", "source__code"):
        entries[term.virtual_meter_id].terms.append(term)
    for meter in meters:
        if meter.parent_id in entries:
            entries[meter.parent_id].sub_meters.append(meter)

    entries_by_unit: dict[int, list[MeterEntry]] = defaultdict(list)
    unattached: list[MeterEntry] = []
    for meter in meters:
        if meter.organization_unit_id is None:
            unattached.append(entries[meter.pk])
        else:
            entries_by_unit[meter.organization_unit_id].append(entries[meter.pk])

    context = {
        "site": site,
        "tree": build_unit_tree(units, entries_by_unit),
        "unattached": unattached,
        "meter_count": len(meters),
        "unit_count": len(units),
    }
    return render(request, "organization/site_detail.html", context)
