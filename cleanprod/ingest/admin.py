from django.contrib import admin
from django.http import HttpRequest

from cleanprod.organization.admin_scope import ReadOnlyAdminMixin, SiteScopedAdminMixin

from .models import (
    ApiToken,
    DataSource,
    ImportJob,
    ModbusDevice,
    MqttSubscription,
    MqttTopicMeter,
    RegisterMap,
    RejectedMessage,
)


@admin.register(DataSource)
class DataSourceAdmin(SiteScopedAdminMixin, admin.ModelAdmin[DataSource]):
    list_display = ["name", "site", "kind", "layout"]
    list_filter = ["site", "kind", "layout"]
    search_fields = ["name"]
    list_select_related = ["site"]


@admin.register(ImportJob)
class ImportJobAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin[ImportJob]):
    list_display = ["pk", "original_name", "site", "dry_run", "status", "created_by", "created_at", "finished_at"]
    list_filter = ["site", "status", "dry_run"]
    search_fields = ["original_name"]
    list_select_related = ["site", "created_by"]
    date_hierarchy = "created_at"


@admin.register(ApiToken)
class ApiTokenAdmin(SiteScopedAdminMixin, admin.ModelAdmin[ApiToken]):
    """Lists and revokes tokens; they are created on the Collection page, which shows the secret once."""

    list_display = ["name", "site", "prefix", "created_by", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["site"]
    search_fields = ["name", "prefix"]
    list_select_related = ["site", "created_by"]
    readonly_fields = ["prefix", "token_hash", "created_by", "created_at", "last_used_at"]
    fields = ["site", "name", "prefix", "token_hash", "created_by", "created_at", "last_used_at", "revoked_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


class TopicMeterInline(SiteScopedAdminMixin, admin.TabularInline[MqttTopicMeter, MqttSubscription]):
    model = MqttTopicMeter
    site_field = "subscription__site"
    extra = 0


@admin.register(MqttSubscription)
class MqttSubscriptionAdmin(SiteScopedAdminMixin, admin.ModelAdmin[MqttSubscription]):
    list_display = ["topic_filter", "site", "payload_format", "meter_level", "enabled"]
    list_filter = ["site", "payload_format", "enabled"]
    search_fields = ["topic_filter"]
    list_select_related = ["site"]
    inlines = [TopicMeterInline]


class RegisterMapInline(SiteScopedAdminMixin, admin.TabularInline[RegisterMap, ModbusDevice]):
    model = RegisterMap
    site_field = "device__site"
    extra = 0
    raw_id_fields = ["meter"]


@admin.register(ModbusDevice)
class ModbusDeviceAdmin(SiteScopedAdminMixin, admin.ModelAdmin[ModbusDevice]):
    list_display = ["name", "site", "host", "port", "unit_id", "poll_seconds", "enabled"]
    list_filter = ["site", "enabled"]
    search_fields = ["name", "host"]
    list_select_related = ["site"]
    inlines = [RegisterMapInline]


@admin.register(RejectedMessage)
class RejectedMessageAdmin(ReadOnlyAdminMixin, SiteScopedAdminMixin, admin.ModelAdmin[RejectedMessage]):
    list_display = ["received_at", "site", "source", "origin", "code"]
    list_filter = ["site", "source", "code"]
    search_fields = ["origin", "payload"]
    list_select_related = ["site"]
    date_hierarchy = "received_at"
