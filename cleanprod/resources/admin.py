from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import Factor, Resource


@admin.register(Resource)
class ResourceAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["code", "name_zh", "name_en", "category", "canonical_unit", "is_energy", "hw_category"]
    list_filter = ["category", "is_energy"]
    search_fields = ["code", "name_zh", "name_en"]


@admin.register(Factor)
class FactorAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["kind", "resource", "series", "region", "data_year", "value", "unit", "confidence", "version"]
    list_filter = ["kind", "confidence", "region", "data_year"]
    search_fields = ["series", "source", "resource__code", "resource__name_zh"]
    list_select_related = ["resource"]
