"""Pages of the alerts: the list with its live feed, one alert, rules, calendar, channels, completeness."""

from datetime import time, timedelta
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cleanprod.metering.models import Meter
from cleanprod.organization.access import Action, can, get_for_user, scoped, sites_for
from cleanprod.organization.models import Site

from . import services
from .charts import alert_chart, alert_unit
from .evidence import describe_calendar as reason_label
from .evidence import evidence_rows, main_rows, value_unit
from .forms import AlertRuleForm, CalendarOverrideForm, ChannelForm, RespondForm, ShiftForm
from .models import (
    Alert,
    AlertKind,
    AlertRule,
    AlertStatus,
    CalendarOverride,
    NotificationChannel,
    NotificationDelivery,
    NotificationReadMark,
    Shift,
    WorkingCalendar,
)
from .notify import queue_test
from .parameters import SPECS, format_parameter, parameter_range

# The list page shows as many rows as the feed returns, so polling never shortens it.
FEED_LIMIT = 100


def _user(request: HttpRequest) -> User:
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def _site(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> Site:
    """Return the site if the user may see it (404 otherwise) and, for changes, perform ``action`` (403)."""
    site = get_for_user(Site.objects.select_related("enterprise"), request.user, pk, site_field="pk")
    if action != Action.VIEW and not can(request.user, action, site):
        raise PermissionDenied(_("Your role on this site does not allow this change."))
    return site


def _filtered(request: HttpRequest) -> tuple[QuerySet[Alert], dict[str, str]]:
    alerts = scoped(Alert.objects.select_related("site", "meter", "organization_unit", "rule"), request.user)
    chosen = {name: request.GET.get(name, "") for name in ("status", "site", "kind")}
    if chosen["status"] == "active":
        alerts = alerts.filter(services.open_alerts_filter())
    elif chosen["status"] in AlertStatus.values:
        alerts = alerts.filter(status=chosen["status"])
    if chosen["site"].isdigit():
        alerts = alerts.filter(site_id=int(chosen["site"]))
    if chosen["kind"] in AlertKind.values:
        alerts = alerts.filter(kind=chosen["kind"])
    return alerts, chosen


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    alerts = scoped(Alert.objects.all(), user)
    mark = NotificationReadMark.objects.filter(user_id=user.pk).first()
    if mark is not None:
        alerts = alerts.filter(created_at__gt=mark.read_up_to)
    return alerts.count()


def alert_row(alert: Alert) -> dict[str, Any]:
    return {
        "id": alert.pk,
        "title": services.alert_title(alert.kind, alert.cause),
        "site": alert.site.name,
        "meter": str(alert.meter) if alert.meter else "",
        "unit": alert.organization_unit.name if alert.organization_unit else "",
        "kind": alert.get_kind_display(),
        "status": alert.status,
        "status_label": alert.get_status_display(),
        "severity": alert.severity,
        "severity_label": alert.get_severity_display(),
        "first_seen": timezone.localtime(alert.first_seen, alert.site.zone).strftime("%Y-%m-%d %H:%M"),
        "last_seen": timezone.localtime(alert.last_seen, alert.site.zone).strftime("%Y-%m-%d %H:%M"),
        "occurrences": alert.occurrences,
        "url": reverse("alerts:detail", args=[alert.pk]),
    }


@require_GET
def alert_list(request: HttpRequest) -> HttpResponse:
    alerts, chosen = _filtered(request)
    sites = sites_for(request.user).select_related("enterprise").order_by("enterprise__name", "name")
    context = {
        "rows": [alert_row(alert) for alert in alerts[:FEED_LIMIT]],
        "chosen": chosen,
        "sites": sites,
        "statuses": AlertStatus.choices,
        "kinds": AlertKind.choices,
        "active_count": alerts.filter(services.open_alerts_filter()).count(),
        "total_count": alerts.count(),
        "feed_url": f"{reverse('alerts:feed')}?{request.GET.urlencode()}",
        "configurable": set(sites_for(request.user, Action.CONFIGURE).values_list("pk", flat=True)),
    }
    return render(request, "alerts/alert_list.html", context)


@require_GET
def alert_feed(request: HttpRequest) -> JsonResponse:
    """Return the alerts matching the list's filters, newest first, for the page scripts that poll it."""
    alerts, _chosen = _filtered(request)
    return JsonResponse(
        {
            "active": alerts.filter(services.open_alerts_filter()).count(),
            "total": alerts.count(),
            "unread": unread_count(request.user),
            "alerts": [alert_row(alert) for alert in alerts[:FEED_LIMIT]],
        }
    )


@require_GET
def unread_feed(request: HttpRequest) -> JsonResponse:
    """Return the unread-alert count of the navigation badge, fetched by a script so pages render without it."""
    return JsonResponse({"unread": unread_count(request.user)})


@require_GET
def alert_detail(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_for_user(
        Alert.objects.select_related("site", "meter__resource", "organization_unit", "rule__resource"), request.user, pk
    )
    zone = alert.site.zone
    unit = alert_unit(alert)
    shown_unit = value_unit(alert.kind, alert.cause, unit)
    context = {
        "alert": alert,
        "title": services.alert_title(alert.kind, alert.cause),
        "main": main_rows(alert.kind, alert.cause, alert.evidence, unit, zone),
        "evidence": evidence_rows(alert.evidence, zone, shown_unit),
        "events": alert.events.select_related("user"),
        "deliveries": alert.deliveries.select_related("channel"),
        "chart": alert_chart(alert),
        "can_respond": can(request.user, Action.RESPOND, alert.site),
        "actions": services.allowed_actions(alert.status),
        "form": RespondForm(),
    }
    return render(request, "alerts/alert_detail.html", context)


@require_POST
def alert_respond(request: HttpRequest, pk: int) -> HttpResponse:
    alert = get_for_user(Alert.objects.select_related("site"), request.user, pk)
    form = RespondForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose acknowledge, comment, resolve or reopen."))
        return redirect("alerts:detail", pk=alert.pk)
    try:
        services.respond(alert, _user(request), form.cleaned_data["action"], form.cleaned_data["text"])
    except services.TransitionError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, _("Saved."))
    return redirect("alerts:detail", pk=alert.pk)


@require_GET
def notifications(request: HttpRequest) -> HttpResponse:
    alerts = scoped(Alert.objects.select_related("site", "meter", "organization_unit"), request.user)
    mark = NotificationReadMark.objects.filter(user=_user(request)).first()
    unread_ids = set(
        (alerts.filter(created_at__gt=mark.read_up_to) if mark else alerts).values_list("pk", flat=True)[:500]
    )
    rows = [(alert_row(alert), alert.pk in unread_ids) for alert in alerts.order_by("-created_at")[:100]]
    return render(request, "alerts/notifications.html", {"rows": rows, "unread": len(unread_ids)})


@require_POST
def notifications_read(request: HttpRequest) -> HttpResponse:
    NotificationReadMark.objects.update_or_create(user=_user(request), defaults={"read_up_to": timezone.now()})
    return redirect("alerts:notifications")


# --- configuration pages ------------------------------------------------------------------


def _config_context(request: HttpRequest, site: Site, page: str) -> dict[str, Any]:
    return {"site": site, "page": page, "can_configure": can(request.user, Action.CONFIGURE, site)}


def rule_list(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE if request.method == "POST" else Action.VIEW)
    form = AlertRuleForm(request.POST or None, site=site)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The rule was added."))
        return redirect("alerts:rules", site_pk=site.pk)
    context = _config_context(request, site, "rules")
    context.update(
        {
            "rules": AlertRule.objects.filter(site=site).select_related("meter", "organization_unit", "resource"),
            "form": form,
            "specs": parameter_table(),
        }
    )
    return render(request, "alerts/rules.html", context, status=400 if form.errors else 200)


def rule_edit(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_for_user(AlertRule.objects.select_related("site"), request.user, pk)
    site = _site(request, rule.site_id, Action.CONFIGURE if request.method == "POST" else Action.VIEW)
    if request.method == "POST" and request.POST.get("delete"):
        rule.delete()
        messages.success(request, _("The rule was deleted."))
        return redirect("alerts:rules", site_pk=site.pk)
    form = AlertRuleForm(request.POST or None, instance=rule, site=site)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The rule was saved."))
        return redirect("alerts:rules", site_pk=site.pk)
    context = _config_context(request, site, "rules")
    context.update({"rule": rule, "form": form, "specs": parameter_table(only=rule.kind)})
    return render(request, "alerts/rule_edit.html", context, status=400 if form.errors else 200)


def parameter_table(only: str | None = None) -> list[tuple[str, str, list[tuple[str, str, str, str]]]]:
    """Rows of the parameter table: per kind (or only kind ``only``), each parameter's meaning, default and range."""
    table = []
    for kind, specs in SPECS.items():
        if only is not None and kind != only:
            continue
        rows = [
            (
                name,
                str(spec.help),
                "—" if spec.default in (None, "") else format_parameter(spec.default),
                parameter_range(spec),
            )
            for name, spec in specs.items()
        ]
        table.append((kind, str(AlertKind(kind).label), rows))
    return table


def calendar_page(request: HttpRequest, site_pk: int) -> HttpResponse:
    site = _site(request, site_pk, Action.CONFIGURE if request.method == "POST" else Action.VIEW)
    calendar = WorkingCalendar.objects.filter(site=site).first()
    if calendar is None and request.method == "POST":
        calendar = WorkingCalendar.objects.create(site=site)
        for weekday in range(5):
            Shift.objects.create(calendar=calendar, weekday=weekday, start=time(8), end=time(17))
    if calendar is None:
        # Not configured yet: show the standard calendar the detectors use, without storing it.
        calendar = WorkingCalendar(site=site)
        shifts = [Shift(weekday=weekday, start=time(8), end=time(17)) for weekday in range(5)]
        overrides: Any = []
    else:
        shifts = list(calendar.shifts.all())
        overrides = calendar.overrides.all()
    shift_form = ShiftForm(prefix="shift")
    override_form = CalendarOverrideForm(prefix="override", calendar_id=calendar.pk or 0)
    status = 200
    if request.method == "POST":
        assert calendar.pk is not None
        what = request.POST.get("form")
        if what == "official":
            calendar.official_holidays = bool(request.POST.get("official_holidays"))
            calendar.save()
            messages.success(request, _("The calendar was saved."))
            return redirect("alerts:calendar", site_pk=site.pk)
        if what == "shift":
            shift_form = ShiftForm(request.POST, prefix="shift", instance=Shift(calendar=calendar))
            if shift_form.is_valid():
                shift_form.save()
                messages.success(request, _("The shift was added."))
                return redirect("alerts:calendar", site_pk=site.pk)
            status = 400
        elif what == "override":
            override_form = CalendarOverrideForm(
                request.POST, prefix="override", instance=CalendarOverride(calendar=calendar), calendar_id=calendar.pk
            )
            if override_form.is_valid():
                override_form.save()
                messages.success(request, _("The override was added."))
                return redirect("alerts:calendar", site_pk=site.pk)
            status = 400
        elif what == "delete-shift":
            Shift.objects.filter(calendar=calendar, pk=_number(request.POST.get("pk"))).delete()
            return redirect("alerts:calendar", site_pk=site.pk)
        elif what == "delete-override":
            CalendarOverride.objects.filter(calendar=calendar, pk=_number(request.POST.get("pk"))).delete()
            return redirect("alerts:calendar", site_pk=site.pk)
    context = _config_context(request, site, "calendar")
    spec = services.calendar_spec(site)
    today = timezone.localtime(timezone.now(), site.zone).date()
    from .workcalendar import day_status

    upcoming = []
    for offset in range(21):
        day = today + timedelta(days=offset)
        working, day_shifts, reason = day_status(spec, day)
        times = ", ".join(f"{start:%H:%M}–{end:%H:%M}" for start, end in day_shifts)
        upcoming.append((day, working, times, reason_label(reason)))
    context.update(
        {
            "calendar": calendar,
            "shifts": shifts,
            "overrides": overrides,
            "shift_form": shift_form,
            "override_form": override_form,
            "upcoming": upcoming,
        }
    )
    return render(request, "alerts/calendar.html", context, status=status)


def _number(text: str | None) -> int:
    return int(text) if text and text.isdigit() else 0


def channel_list(request: HttpRequest, site_pk: int) -> HttpResponse:
    if request.method == "POST" and "test" in request.POST:
        return channel_test(request, site_pk)
    site = _site(request, site_pk, Action.CONFIGURE if request.method == "POST" else Action.VIEW)
    form = ChannelForm(request.POST or None, instance=NotificationChannel(site=site))
    if request.method == "POST":
        if (delete := request.POST.get("delete", "")).isdigit():
            NotificationChannel.objects.filter(site=site, pk=int(delete)).delete()
            messages.success(request, _("The channel was deleted."))
            return redirect("alerts:channels", site_pk=site.pk)
        if form.is_valid():
            form.save()
            messages.success(request, _("The channel was added."))
            return redirect("alerts:channels", site_pk=site.pk)
    context = _config_context(request, site, "channels")
    context.update(
        {
            "can_test": context["can_configure"] or can(request.user, Action.RESPOND, site),
            "email_to_log": not settings.EMAIL_HOST,
            "channels": NotificationChannel.objects.filter(site=site),
            "form": form,
            "deliveries": NotificationDelivery.objects.filter(channel__site=site).select_related("channel", "alert")[
                :50
            ],
        }
    )
    return render(request, "alerts/channels.html", context, status=400 if form.errors else 200)


def channel_test(request: HttpRequest, site_pk: int) -> HttpResponse:
    """Queue a test notification to one channel; people who respond to alerts or configure may."""
    site = _site(request, site_pk)
    if not (can(request.user, Action.RESPOND, site) or can(request.user, Action.CONFIGURE, site)):
        raise PermissionDenied(_("Your role on this site does not allow this change."))
    channel = NotificationChannel.objects.filter(site=site, pk=_number(request.POST.get("test"))).first()
    if channel is None:
        messages.error(request, _("This channel no longer exists."))
    else:
        queue_test(channel)
        messages.success(
            request,
            _("A test notification to %(channel)s was queued. Its result appears in the delivery log.")
            % {"channel": channel.name},
        )
    return redirect("alerts:channels", site_pk=site.pk)


@require_GET
def completeness_page(request: HttpRequest, site_pk: int) -> HttpResponse:
    """Share of each of the last 14 local days covered by each meter's data; below 90 % flagged."""
    site = _site(request, site_pk)
    zone = site.zone
    today = timezone.localtime(timezone.now(), zone).date()
    first = today - timedelta(days=14)
    days = [first + timedelta(days=offset) for offset in range(14)]
    meters = Meter.objects.filter(site=site, active=True, is_virtual=False).order_by("code")
    rows = []
    for meter in meters:
        coverages = services.day_coverages(meter.pk, first, today - timedelta(days=1), zone)
        rows.append((meter, [(round(day.share * 100, 1), day.share < 0.9) for day in coverages]))
    context = _config_context(request, site, "completeness")
    context.update({"days": days, "rows": rows})
    return render(request, "alerts/completeness.html", context)
