"""Permission-checked getters of the API: one per object kind, each scoped to the caller's sites.

An object on a site the caller cannot see gets the same 404 response as one that does not
exist, so ids of other sites reveal nothing.
"""

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _

from cleanprod.metering.models import Meter
from cleanprod.organization.access import get_for_user
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.resources.models import Category, Resource

from .errors import ApiError, NotFound


def site_for(request: HttpRequest, site_id: int) -> Site:
    try:
        return get_for_user(Site.objects.all(), request.user, site_id, site_field="pk")
    except Http404:
        raise NotFound(_("No site with id %(id)s exists on the sites you can see.") % {"id": site_id}) from None


def unit_for(request: HttpRequest, unit_id: int) -> OrganizationUnit:
    try:
        return get_for_user(OrganizationUnit.objects.select_related("site"), request.user, unit_id)
    except Http404:
        message = _("No organisation unit with id %(id)s exists on the sites you can see.") % {"id": unit_id}
        raise NotFound(message) from None


def meter_for(request: HttpRequest, meter_id: int) -> Meter:
    queryset = Meter.objects.select_related("site", "resource")
    try:
        return get_for_user(queryset, request.user, meter_id)
    except Http404:
        raise NotFound(_("No meter with id %(id)s exists on the sites you can see.") % {"id": meter_id}) from None


def product_for(code: str) -> Resource:
    """Return the product resource with this code, or raise a 400 ApiError with code unknown_product."""
    try:
        return Resource.objects.get(code=code, category=Category.PRODUCT)
    except Resource.DoesNotExist:
        message = _("%(code)s is not the code of a product resource; use a code from the resource list.") % {
            "code": code
        }
        raise ApiError("unknown_product", message, 400, parameter="product") from None
