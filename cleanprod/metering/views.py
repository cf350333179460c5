"""Meter pages: master data, consumption charts, data-quality findings."""

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cleanprod.json_errors import json_error
from cleanprod.organization.access import Action, can, get_for_user

from .actions import review_finding
from .forms import PeriodForm
from .meter_page import daily_chart, meter_page_context, resolve_period
from .models import Meter


def get_meter_for_user(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Meter:
    """Return the meter if the user may perform the action on its site.

    Raise Http404 when the user cannot see the meter's site, and PermissionDenied when the
    user can see the site but not perform the action there.
    """
    queryset = Meter.objects.select_related("site", "resource", "organization_unit", "parent")
    meter = get_for_user(queryset, request.user, pk, Action.VIEW)
    if action != Action.VIEW and not can(request.user, action, meter.site):
        raise PermissionDenied
    return meter


def chart_labels() -> dict[str, str]:
    return {
        "measured": _("Measured"),
        "measured_partial": _("Measured, partial day"),
        "measured_partial_hour": _("Measured, partial hour"),
        "estimated": _("Estimated"),
        "coverage": _("Coverage"),
        "suspect": _("Suspect, not included"),
        "total": _("Total"),
    }


@require_GET
def meter_detail(request: HttpRequest, pk: int) -> HttpResponse:
    meter = get_meter_for_user(request, pk)
    form = PeriodForm(request.GET or None)
    dates = form.cleaned_data if form.is_bound and form.is_valid() else {}
    period = resolve_period(meter, dates.get("start"), dates.get("end"))
    if not form.is_bound:
        form = PeriodForm(initial={"start": period.start, "end": period.end})

    context = meter_page_context(meter, period)
    context["form"] = form
    context["chart_labels"] = chart_labels()
    context["can_configure"] = can(request.user, Action.CONFIGURE, meter.site)
    return render(request, "metering/meter_detail.html", context)


@require_GET
def meter_daily_json(request: HttpRequest, pk: int) -> JsonResponse:
    """Return the daily series of the period as chart data (``?start=YYYY-MM-DD&end=...``)."""
    try:
        meter = get_meter_for_user(request, pk)
    except Http404:
        return json_error("not_found", _("No meter with id %(pk)s exists on the sites you can see.") % {"pk": pk}, 404)

    form = PeriodForm(request.GET)
    if not form.is_valid():
        errors = form.errors.get_json_data()
        first_error = next(iter(errors.values()))[0]
        return json_error(first_error["code"] or "invalid", first_error["message"], 400, fields=errors)

    period = resolve_period(meter, form.cleaned_data.get("start"), form.cleaned_data.get("end"))
    data = daily_chart(meter, period)
    data["meter"] = {"id": meter.pk, "code": meter.code, "name": meter.name}
    return JsonResponse(data)


@require_POST
def finding_review(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    meter = get_meter_for_user(request, pk, Action.CONFIGURE)
    finding = get_object_or_404(meter.findings, pk=finding_pk)
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied
    review_finding(finding, acting_user=user)
    messages.success(request, _("The finding was marked as reviewed."))

    next_url = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
        return redirect(next_url)
    return redirect("metering:meter-detail", pk=meter.pk)
