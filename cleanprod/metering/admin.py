from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.db.models import Model, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from simple_history.admin import SimpleHistoryAdmin

from cleanprod.organization.access import Action, scoped
from cleanprod.organization.admin_scope import ReadOnlyAdminMixin, SiteScopedAdminMixin

from .actions import review_finding
from .models import (
    DailyRollup,
    Finding,
    FindingStatus,
    HourlyRollup,
    ImportBatch,
    Meter,
    MeterReplacement,
    Reading,
    ReadingChange,
    VirtualMeterTerm,
)


class VirtualMeterTermInline(SiteScopedAdminMixin, admin.TabularInline[VirtualMeterTerm, Meter]):
    model = VirtualMeterTerm
    fk_name = "virtual_meter"
    site_field = "virtual_meter__site"
    extra = 1


@admin.register(Meter)
class MeterAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = [
        "code",
        "name",
        "site",
        "resource",
        "unit",
        "reading_kind",
        "flow",
        "organization_unit",
        "is_virtual",
        "active",
    ]
    list_filter = ["site", "resource", "reading_kind", "flow", "is_virtual", "active"]
    search_fields = ["code", "name"]
    list_select_related = ["site", "resource", "organization_unit"]
    inlines = [VirtualMeterTermInline]


@admin.register(MeterReplacement)
class MeterReplacementAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "meter__site"
    list_display = ["meter", "replaced_at", "old_final_reading", "new_initial_reading", "old_serial", "new_serial"]
    list_filter = ["meter__site"]
    search_fields = ["meter__code", "old_serial", "new_serial"]
    list_select_related = ["meter"]
    date_hierarchy = "replaced_at"


@admin.action(description=_("Mark the selected findings as reviewed"), permissions=["change"])
def mark_reviewed(modeladmin: "FindingAdmin", request: HttpRequest, queryset: QuerySet[Finding]) -> None:
    user = request.user
    assert isinstance(user, AbstractBaseUser)
    allowed = scoped(queryset, user, Action.CONFIGURE, "meter__site").filter(status=FindingStatus.OPEN)
    count = 0
    for finding in allowed:
        review_finding(finding, acting_user=user)
        count += 1
    modeladmin.message_user(
        request,
        ngettext("%(count)d finding was marked as reviewed.", "%(count)d findings were marked as reviewed.", count)
        % {"count": count},
        messages.SUCCESS,
    )


@admin.register(Finding)
class FindingAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin[Finding]):
    """Findings are written by the counter arithmetic; the only change is the review action."""

    site_field = "meter__site"
    list_display = ["meter", "timestamp", "code", "blocking", "status"]
    list_filter = ["status", "blocking", "code", "meter__site"]
    search_fields = ["meter__code", "code"]
    list_select_related = ["meter"]
    actions = [mark_reviewed]

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        # The changelist offers actions only to users with change permission on the model.
        return obj is None and bool(SiteScopedAdminMixin.has_change_permission(self, request, obj))


class ReadingMeterFilter(admin.SimpleListFilter):
    """Meter filter whose choices come from the user's meters, not from the readings table."""

    title = _("meter")
    parameter_name = "meter"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        meters = scoped(Meter.objects.filter(is_virtual=False), request.user, Action.VIEW)
        return [(str(meter.pk), str(meter)) for meter in meters.order_by("site_id", "code")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Reading]) -> QuerySet[Reading]:
        meter_id = self.value()
        if not meter_id:
            # NOTE: without a meter the list would count and sort every reading of every
            # meter, so it stays empty until a meter is chosen.
            return queryset.none()
        return queryset.filter(meter_id=meter_id)


@admin.register(Reading)
class ReadingAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin[Reading]):
    site_field = "meter__site"
    list_display = ["meter", "timestamp", "value", "flag", "consumption", "consumption_quality", "event", "batch"]
    list_filter = [ReadingMeterFilter]
    list_select_related = ["meter"]
    ordering = ["-timestamp"]
    show_full_result_count = False
    list_per_page = 200

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        if not request.GET.get(ReadingMeterFilter.parameter_name):
            self.message_user(request, _("Choose a meter in the filter to list its readings."), messages.INFO)
        return super().changelist_view(request, extra_context)


@admin.register(ReadingChange)
class ReadingChangeAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin[ReadingChange]):
    site_field = "meter__site"
    list_display = ["meter", "timestamp", "old_value", "new_value", "batch", "changed_by", "changed_at"]
    list_filter = ["meter__site"]
    search_fields = ["meter__code"]
    list_select_related = ["meter", "changed_by"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin[ImportBatch]):
    list_display = ["pk", "source_name", "site", "kind", "created_by", "created_at", "rows_inserted", "rows_replaced"]
    list_filter = ["site", "kind"]
    search_fields = ["source_name", "sha256"]
    list_select_related = ["site", "created_by"]


@admin.register(HourlyRollup)
class HourlyRollupAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin[HourlyRollup]):
    site_field = "meter__site"
    list_display = ["meter", "hour_start", "quantity", "estimated", "suspect", "covered_seconds"]
    list_filter = ["meter__site"]
    search_fields = ["meter__code"]
    list_select_related = ["meter"]
    show_full_result_count = False


@admin.register(DailyRollup)
class DailyRollupAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin[DailyRollup]):
    site_field = "meter__site"
    list_display = ["meter", "day", "quantity", "estimated", "suspect", "covered_seconds", "day_seconds"]
    list_filter = ["meter__site"]
    search_fields = ["meter__code"]
    list_select_related = ["meter"]
    show_full_result_count = False
