"""GET /api/sites: the caller's sites with their organisation units and meters."""

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router

from cleanprod.metering.models import Meter
from cleanprod.organization.access import sites_for
from cleanprod.organization.models import OrganizationUnit, Site

from .schemas import MeterOut, SiteOut, UnitOut

router = Router(tags=["sites"])


def meter_out(meter: Meter) -> MeterOut:
    return MeterOut(
        id=meter.pk,
        code=meter.code,
        name=meter.name,
        resource=meter.resource.code,
        unit=meter.resource.canonical_unit,
        is_virtual=meter.is_virtual,
        organization_unit_id=meter.organization_unit_id,
        parent_id=meter.parent_id,
    )


def unit_out(unit: OrganizationUnit) -> UnitOut:
    return UnitOut(id=unit.pk, code=unit.code, name=unit.name, kind=unit.kind, parent_id=unit.parent_id)


@router.get("/sites", response=list[SiteOut], summary="List the sites the caller may view")
def list_sites(request: HttpRequest) -> list[SiteOut]:
    """Return every site the caller may view, with its organisation units and meters, ordered by code."""
    sites = (
        sites_for(request.user)
        .select_related("enterprise")
        .prefetch_related(
            Prefetch("units", queryset=OrganizationUnit.objects.order_by("code")),
            Prefetch("meters", queryset=Meter.objects.select_related("resource").order_by("code")),
        )
        .order_by("code")
    )
    return [site_out(site) for site in sites]


def site_out(site: Site) -> SiteOut:
    return SiteOut(
        id=site.pk,
        code=site.code,
        name=site.name,
        enterprise=site.enterprise.name,
        time_zone=site.time_zone,
        grid_region=site.grid_region,
        units=[unit_out(unit) for unit in site.units.all()],
        meters=[meter_out(meter) for meter in site.meters.all()],
    )
