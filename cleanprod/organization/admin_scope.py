"""Site scoping for the admin: staff who are not superusers see and edit only their sites.

Viewing a row needs Action.VIEW on its site; changing, deleting and choosing a site in a form
need Action.CONFIGURE. Superusers see everything.
"""

from typing import Any

from django.db.models import ForeignKey, Model, QuerySet
from django.forms import ModelChoiceField
from django.http import HttpRequest

from .access import Action, can, scoped, sites_for
from .models import Enterprise, Site


def _is_superuser(request: HttpRequest) -> bool:
    return bool(getattr(request.user, "is_superuser", False))


def configurable_choices(request: HttpRequest, related_model: type[Model]) -> QuerySet[Any] | None:
    """Return the rows of ``related_model`` that the user may pick, or None for no limit."""
    if _is_superuser(request):
        return None
    if related_model is Site:
        return sites_for(request.user, Action.CONFIGURE)
    if related_model is Enterprise:
        return Enterprise.objects.filter(sites__in=sites_for(request.user, Action.CONFIGURE)).distinct()
    field_names = {field.name for field in related_model._meta.get_fields()}
    if "site" in field_names:
        return scoped(related_model._default_manager.all(), request.user, Action.CONFIGURE)
    return None


class SiteScopedAdminMixin:
    """Mixin for ModelAdmin and InlineModelAdmin classes of site-bound models.

    ``site_field`` is the lookup path from the model to its Site ("site", "meter__site"), or
    "pk" for Site itself.
    """

    site_field = "site"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if _is_superuser(request):
            return queryset
        return scoped(queryset, request.user, Action.VIEW, self.site_field)

    def site_of(self, obj: Model) -> Site | None:
        if self.site_field == "pk":
            return obj if isinstance(obj, Site) else None
        value: Any = obj
        for part in self.site_field.split("__"):
            value = getattr(value, part, None)
            if value is None:
                return None
        return value if isinstance(value, Site) else None

    def _may(self, request: HttpRequest, obj: Model | None, action: Action) -> bool:
        if obj is None or _is_superuser(request):
            return True
        site = self.site_of(obj)
        if site is None:
            return False
        return can(request.user, action, site)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed: bool = super().has_view_permission(request, obj)  # type: ignore[misc]
        return allowed and self._may(request, obj, Action.VIEW)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed: bool = super().has_change_permission(request, obj)  # type: ignore[misc]
        return allowed and self._may(request, obj, Action.CONFIGURE)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        allowed: bool = super().has_delete_permission(request, obj)  # type: ignore[misc]
        return allowed and self._may(request, obj, Action.CONFIGURE)

    def formfield_for_foreignkey(
        self, db_field: ForeignKey[Any, Any], request: HttpRequest, **kwargs: Any
    ) -> ModelChoiceField[Any] | None:
        related_model = db_field.related_model
        if not isinstance(related_model, str):
            choices = configurable_choices(request, related_model)
            if choices is not None:
                kwargs["queryset"] = choices
        field: ModelChoiceField[Any] | None = super().formfield_for_foreignkey(  # type: ignore[misc]
            db_field, request, **kwargs
        )
        return field


class ReadOnlyAdminMixin:
    """Mixin for derived or machine-written rows: listed and shown, never edited by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return False
