from typing import Any

from django.contrib import admin
from django.contrib.auth.models import User
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from cleanprod.organization.admin_scope import SiteScopedAdminMixin

from .models import (
    AuditProject,
    Balance,
    BalanceFlow,
    Cause,
    Evidence,
    FocusCandidate,
    FocusCriterion,
    FocusDecision,
    FocusScore,
    Phase,
    PreAssessmentSnapshot,
    Step,
    StepComment,
    Target,
    TeamMember,
    WasteStream,
)
from .services import add_default_workflow


@admin.register(AuditProject)
class AuditProjectAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name", "site", "kind", "trigger", "baseline_year", "started_on", "status"]
    list_filter = ["site", "kind", "status"]
    search_fields = ["name"]
    list_select_related = ["site"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request: HttpRequest, obj: AuditProject, form: Any, change: bool) -> None:
        """Give an audit added here the same phases, steps and criteria as one started on the audit page."""
        super().save_model(request, obj, form, change)
        if not change and isinstance(request.user, User) and not obj.phases.exists():
            if obj.created_by_id is None:
                obj.created_by = request.user
                obj.save(update_fields=["created_by"])
            add_default_workflow(obj, acting_user=request.user)


@admin.register(TeamMember)
class TeamMemberAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["audit", "display_name", "role", "organisation"]
    list_filter = ["role"]


@admin.register(Phase)
class PhaseAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["audit", "number", "code"]


@admin.register(Step)
class StepAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "phase__audit__site"
    list_display = ["title", "phase", "position", "owner", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["title"]


@admin.register(StepComment)
class StepCommentAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "step__phase__audit__site"
    list_display = ["step", "author", "created_at"]


@admin.register(Evidence)
class EvidenceAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "step__phase__audit__site"
    list_display = ["original_name", "step", "uploaded_by", "uploaded_at"]


@admin.register(PreAssessmentSnapshot)
class PreAssessmentSnapshotAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["audit", "taken_at", "taken_by"]


@admin.register(FocusCriterion)
class FocusCriterionAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["audit", "label", "weight", "position"]


@admin.register(FocusCandidate)
class FocusCandidateAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["audit", "unit"]


@admin.register(FocusScore)
class FocusScoreAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "candidate__audit__site"
    list_display = ["candidate", "criterion", "score"]


@admin.register(FocusDecision)
class FocusDecisionAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["audit", "unit", "chosen_by", "chosen_at"]


@admin.register(Target)
class TargetAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["audit", "indicator", "baseline_value", "near_term_value", "near_term_year"]


@admin.register(Balance)
class BalanceAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["name", "audit", "kind", "unit", "tolerance_percent"]


@admin.register(BalanceFlow)
class BalanceFlowAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "balance__audit__site"
    list_display = ["name", "balance", "step", "direction", "to_step", "quantity", "estimated"]


@admin.register(WasteStream)
class WasteStreamAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "audit__site"
    list_display = ["name", "audit"]


@admin.register(Cause)
class CauseAdmin(SiteScopedAdminMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    site_field = "stream__audit__site"
    list_display = ["stream", "aspect", "description"]
