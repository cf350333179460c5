from django.contrib import admin

from cleanprod.organization.admin_scope import ReadOnlyAdminMixin, SiteScopedAdminMixin

from .models import DataSource, ImportJob


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
