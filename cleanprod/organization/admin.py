from typing import Any

from django.contrib import admin
from django.db.models import Field, QuerySet
from django.forms import Field as FormField
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .access import Action, sites_for
from .admin_scope import SiteScopedAdminMixin
from .models import ALL_SITE_ROLES, Enterprise, Membership, OrganizationUnit, Role, Site


@admin.register(Enterprise)
class EnterpriseAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name", "uscc", "industry_code", "province"]
    search_fields = ["name", "uscc"]
    list_filter = ["province"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Enterprise]:
        queryset: QuerySet[Enterprise] = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        return queryset.filter(sites__in=sites_for(request.user, Action.VIEW)).distinct()

    def has_change_permission(self, request: HttpRequest, obj: Enterprise | None = None) -> bool:
        # An enterprise spans sites that a site-bound role may not all manage.
        return bool(super().has_change_permission(request, obj)) and (obj is None or request.user.is_superuser)

    def has_delete_permission(self, request: HttpRequest, obj: Enterprise | None = None) -> bool:
        return bool(super().has_delete_permission(request, obj)) and (obj is None or request.user.is_superuser)


@admin.register(Site)
class SiteAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "pk"
    list_display = ["name", "code", "enterprise", "time_zone"]
    list_filter = ["enterprise"]
    search_fields = ["name", "code"]


@admin.register(OrganizationUnit)
class OrganizationUnitAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["code", "name", "kind", "parent", "site"]
    list_filter = ["site", "kind"]
    search_fields = ["code", "name"]
    list_select_related = ["site", "parent"]


@admin.register(Membership)
class MembershipAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["user", "role", "site"]
    list_filter = ["role", "site"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "site"]

    def formfield_for_choice_field(self, db_field: Field[Any, Any], request: HttpRequest, **kwargs: Any) -> FormField:
        # Only superusers grant the roles that cover every site; others would escalate.
        if db_field.name == "role" and not request.user.is_superuser:
            kwargs["choices"] = [(value, label) for value, label in Role.choices if value not in ALL_SITE_ROLES]
        field: FormField = super().formfield_for_choice_field(db_field, request, **kwargs)
        return field
