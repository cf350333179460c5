"""The Collection page of a site: API tokens, MQTT subscriptions, Modbus devices and rejected messages.

Every user who can view the site can open the page. Only users with CONFIGURE on the site get
the forms, and every POST checks CONFIGURE again. A token's secret is shown once, in the response
to the request that created it, and is stored nowhere.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cleanprod.organization.access import Action, can, get_for_user, sites_for
from cleanprod.organization.models import Site

from .collection.tokens import create_token, revoke
from .collection_forms import DeviceForm, RegisterForm, SubscriptionForm, TokenForm, TopicMeterForm
from .models import ApiToken, ModbusDevice, MqttSubscription, RejectedMessage

REJECTED_SHOWN = 50


def _site(request: HttpRequest, site_pk: int, action: Action = Action.VIEW) -> Site:
    site = get_for_user(Site.objects.all(), request.user, site_pk, Action.VIEW, site_field="pk")
    if action != Action.VIEW and not can(request.user, action, site):
        raise PermissionDenied
    return site


@require_GET
def collection_index(request: HttpRequest) -> HttpResponse:
    sites = sites_for(request.user).order_by("name")
    if sites.count() == 1:
        site = sites.first()
        assert site is not None
        return redirect("ingest:collection", site_pk=site.pk)
    return render(request, "ingest/collection_index.html", {"sites": sites})


def _render_page(request: HttpRequest, site: Site, status: int = 200, **forms: Any) -> HttpResponse:
    can_configure = can(request.user, Action.CONFIGURE, site)
    subscriptions = MqttSubscription.objects.filter(site=site).prefetch_related("topic_meters")
    devices = ModbusDevice.objects.filter(site=site).prefetch_related("registers__meter")
    context: dict[str, Any] = {
        "site": site,
        "can_configure": can_configure,
        "tokens": ApiToken.objects.filter(site=site).select_related("created_by"),
        "subscriptions": subscriptions,
        "devices": devices,
        "rejected": RejectedMessage.objects.filter(site=site)[:REJECTED_SHOWN],
        "batch_url": request.build_absolute_uri("/api/v1/readings/batch"),
    }
    if can_configure:
        context["token_form"] = forms.get("token_form") or TokenForm()
        context["subscription_form"] = forms.get("subscription_form") or SubscriptionForm(site=site)
        context["device_form"] = forms.get("device_form") or DeviceForm(site=site)
        context["topic_forms"] = {
            subscription.pk: forms.get(f"topic_form_{subscription.pk}") or TopicMeterForm(subscription=subscription)
            for subscription in subscriptions
        }
        context["register_forms"] = {
            device.pk: forms.get(f"register_form_{device.pk}") or RegisterForm(device=device) for device in devices
        }
        context["new_secret"] = forms.get("new_secret")
    return render(request, "ingest/collection.html", context, status=status)


@require_GET
def collection(request: HttpRequest, site_pk: int) -> HttpResponse:
    return _render_page(request, _site(request, site_pk))


@require_POST
def token_create(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE)
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render_page(request, site, 400, token_form=form)
    user = request.user if isinstance(request.user, User) else None
    token, secret = create_token(site, form.cleaned_data["name"], user)
    messages.success(
        request, _("API token “%(name)s” created. Copy it now: it is not shown again.") % {"name": token.name}
    )
    # Rendered, not redirected: the secret must not travel through the session or a URL.
    response = _render_page(request, site, new_secret=secret)
    response["Cache-Control"] = "no-store"
    return response


@require_POST
def token_revoke(request: HttpRequest, site_pk: int, pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE)
    token = get_object_or_404(ApiToken, site=site, pk=pk)
    revoke(token)
    messages.success(request, _("API token “%(name)s” revoked; requests with it now get 401.") % {"name": token.name})
    return redirect("ingest:collection", site_pk=site.pk)


@require_POST
def subscription_create(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE)
    form = SubscriptionForm(request.POST, site=site)
    if not form.is_valid():
        return _render_page(request, site, 400, subscription_form=form)
    form.save()
    messages.success(request, _("MQTT subscription added; the running collector subscribes within a minute."))
    return redirect("ingest:collection", site_pk=site.pk)


@require_POST
def subscription_delete(request: HttpRequest, site_pk: int, pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE)
    get_object_or_404(MqttSubscription, site=site, pk=pk).delete()
    messages.success(request, _("MQTT subscription deleted."))
    return redirect("ingest:collection", site_pk=site.pk)


@require_POST
def topic_meter_create(request: HttpRequest, site_pk: int, pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE)
    subscription = get_object_or_404(MqttSubscription, site=site, pk=pk)
    form = TopicMeterForm(request.POST, subscription=subscription)
    if not form.is_valid():
        return _render_page(request, site, 400, **{f"topic_form_{subscription.pk}": form})
    form.save()
    messages.success(request, _("Topic mapping added."))
    return redirect("ingest:collection", site_pk=site.pk)


@require_POST
def device_create(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE)
    form = DeviceForm(request.POST, site=site)
    if not form.is_valid():
        return _render_page(request, site, 400, device_form=form)
    form.save()
    messages.success(request, _("Modbus device added; add its register map next."))
    return redirect("ingest:collection", site_pk=site.pk)


@require_POST
def device_delete(request: HttpRequest, site_pk: int, pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE)
    get_object_or_404(ModbusDevice, site=site, pk=pk).delete()
    messages.success(request, _("Modbus device deleted."))
    return redirect("ingest:collection", site_pk=site.pk)


@require_POST
def register_create(request: HttpRequest, site_pk: int, pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE)
    device = get_object_or_404(ModbusDevice, site=site, pk=pk)
    form = RegisterForm(request.POST, device=device)
    if not form.is_valid():
        return _render_page(request, site, 400, **{f"register_form_{device.pk}": form})
    form.save()
    messages.success(request, _("Register map added."))
    return redirect("ingest:collection", site_pk=site.pk)
