from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cleanprod.organization.admin_scope import SiteScopedAdminMixin

from .models import (
    ExtraCashFlow,
    Feasibility,
    Implementation,
    Option,
    OptionEffect,
    OptionScore,
    OptionTransition,
    ScreeningCriterion,
    Verification,
)


class OptionEffectInline(SiteScopedAdminMixin, admin.TabularInline[OptionEffect, Option]):
    model = OptionEffect
    site_field = "option__audit__site"
    extra = 0


class OptionTransitionInline(SiteScopedAdminMixin, admin.TabularInline[OptionTransition, Option]):
    model = OptionTransition
    site_field = "option__audit__site"
    extra = 0
    readonly_fields = ["from_status", "to_status", "comment", "user", "at"]


@admin.register(Option)
class OptionAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["code", "title", "audit", "aspect", "source", "investment", "status"]
    list_filter = ["audit__site", "status", "aspect", "source"]
    search_fields = ["title", "description"]
    list_select_related = ["audit"]
    readonly_fields = ["status"]
    inlines = [OptionEffectInline, OptionTransitionInline]


@admin.register(ScreeningCriterion)
class ScreeningCriterionAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["label", "key", "weight", "audit"]
    list_filter = ["audit__site"]


@admin.register(OptionScore)
class OptionScoreAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "option__audit__site"
    list_display = ["option", "criterion", "score"]


class ExtraCashFlowInline(SiteScopedAdminMixin, admin.TabularInline[ExtraCashFlow, Feasibility]):
    model = ExtraCashFlow
    site_field = "feasibility__option__audit__site"
    extra = 0


@admin.register(Feasibility)
class FeasibilityAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "option__audit__site"
    list_display = ["option", "investment", "subsidy", "revenue_increase", "cost_saving", "conclusion"]
    list_filter = ["conclusion"]
    readonly_fields = ["frozen_result", "concluded_by", "concluded_at"]
    inlines = [ExtraCashFlowInline]


@admin.register(Implementation)
class ImplementationAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "option__audit__site"
    list_display = ["option", "start_on", "planned_completion_on", "progress_percent", "in_service_on"]


@admin.register(Verification)
class VerificationAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "option__audit__site"
    list_display = ["option", "product", "before_start", "before_end", "after_start", "after_end"]
