from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cleanprod.organization.admin_scope import SiteScopedAdminMixin

from .models import OutputValueRecord, ProductionRecord, WasteRecord


@admin.register(ProductionRecord)
class ProductionRecordAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = [
        "organization_unit",
        "product",
        "period_start",
        "period_end",
        "quantity",
        "unit",
        "reference",
        "is_generated",
        "site",
    ]
    list_filter = ["site", "product", "is_generated"]
    search_fields = ["reference", "organization_unit__name", "product__code"]
    date_hierarchy = "period_start"
    list_select_related = ["organization_unit", "product", "site"]
    raw_id_fields = ["batch"]


@admin.register(OutputValueRecord)
class OutputValueRecordAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = [
        "site",
        "organization_unit",
        "basis",
        "period_start",
        "period_end",
        "value_10k_cny",
        "price_base_year",
        "reference",
    ]
    list_filter = ["site", "basis", "price_base_year"]
    search_fields = ["reference", "organization_unit__name", "note"]
    date_hierarchy = "period_start"
    list_select_related = ["organization_unit", "site"]


@admin.register(WasteRecord)
class WasteRecordAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = [
        "site",
        "organization_unit",
        "resource",
        "period_start",
        "period_end",
        "generated_t",
        "utilised_t",
        "prior_stock_utilised_t",
        "disposed_t",
        "stored_t",
        "dumped_t",
        "disposal_route",
        "reference",
    ]
    list_filter = ["site", "resource__category", "disposal_route", "resource"]
    search_fields = ["reference", "organization_unit__name", "resource__code", "note"]
    date_hierarchy = "period_start"
    list_select_related = ["organization_unit", "resource", "site"]
