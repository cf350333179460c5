"""Pages of the cleaner production audits. Every object is fetched through organization.access.

Reading needs Action.VIEW on the audit's site, and every change needs Action.AUDIT. A user
who may not see the site gets 404; one who may see but not change it gets 403.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cleanprod.organization.access import Action, can, get_for_user, sites_for

from . import services
from .forms import AddStepForm, AuditForm, CommentForm, EvidenceForm, StepForm, TeamMemberForm
from .models import AuditProject, Evidence, Phase, Step, StepComment, TeamMember
from .report import REPORT_LANGUAGE, report_data
from .report_docx import build_report

M = TypeVar("M", bound=Model)

logger = logging.getLogger(__name__)


def acting_user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only authenticated users reach the views.
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def get_audit(request: HttpRequest, pk: int) -> AuditProject:
    """Return the audit if the user may view its site; raise Http404 otherwise."""
    queryset = AuditProject.objects.select_related("site", "site__enterprise", "created_by")
    return get_for_user(queryset, request.user, pk)


def require_audit_right(request: HttpRequest, audit: AuditProject) -> None:
    if not can(request.user, Action.AUDIT, audit.site):
        raise PermissionDenied(_("Your role on this site does not allow changing cleaner production audits."))


def get_changeable_audit(request: HttpRequest, pk: int) -> AuditProject:
    audit = get_audit(request, pk)
    require_audit_right(request, audit)
    return audit


def get_child(request: HttpRequest, queryset: QuerySet[M], pk: int, site_field: str) -> M:
    return get_for_user(queryset, request.user, pk, site_field=site_field)


def audit_context(request: HttpRequest, audit: AuditProject, section: str) -> dict[str, Any]:
    return {"audit": audit, "section": section, "may_change": can(request.user, Action.AUDIT, audit.site)}


# -- List, create, edit, overview ----------------------------------------------------------------


@require_GET
def audit_list(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    rows = []
    for audit in services.audits_for_sites(sites_for(request.user)).order_by("-started_on", "pk"):
        rows.append({"audit": audit, "reminders": services.audit_reminders(audit, today)})
    may_create = sites_for(request.user, Action.AUDIT).exists()
    return render(request, "audits/audit_list.html", {"rows": rows, "may_create": may_create, "today": today})


def audit_create(request: HttpRequest) -> HttpResponse:
    sites = sites_for(request.user, Action.AUDIT).order_by("name")
    if not sites.exists():
        raise PermissionDenied(_("Your role does not allow starting a cleaner production audit on any site."))
    if request.method == "POST":
        form = AuditForm(request.POST, sites=sites)
        if form.is_valid():
            audit = services.create_audit(
                form.save(commit=False), list(form.cleaned_data["scope_units"]), acting_user=acting_user(request)
            )
            messages.success(request, _("The audit was created with the seven phases and their default steps."))
            return redirect("audits:overview", pk=audit.pk)
        status = 400
    else:
        form = AuditForm(sites=sites, initial={"started_on": timezone.localdate()})
        status = 200
    return render(request, "audits/audit_form.html", {"form": form, "audit": None}, status=status)


def audit_edit(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_changeable_audit(request, pk)
    sites = sites_for(request.user, Action.AUDIT)
    if request.method == "POST":
        form = AuditForm(request.POST, instance=audit, sites=sites)
        if form.is_valid():
            form.save()
            messages.success(request, _("The audit was saved."))
            return redirect("audits:overview", pk=audit.pk)
        status = 400
    else:
        form = AuditForm(instance=audit, sites=sites)
        status = 200
    return render(
        request, "audits/audit_form.html", {**audit_context(request, audit, "edit"), "form": form}, status=status
    )


@require_GET
def audit_overview(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit(request, pk)
    today = timezone.localdate()
    deadlines = [
        {"deadline": deadline, "label": services.deadline_label(deadline)}
        for deadline in services.audit_deadlines(audit)
    ]
    context = {
        **audit_context(request, audit, "overview"),
        "progress": services.phase_progress(audit),
        "deadlines": deadlines,
        "reminders": services.audit_reminders(audit, today),
        "leaders": services.leader_count(audit),
        "team_size": audit.team.count(),
        "snapshot": services.latest_snapshot(audit),
        "focus": getattr(audit, "focus", None),
        "scope_units": audit.scope_units.order_by("code"),
        "today": today,
    }
    return render(request, "audits/audit_overview.html", context)


DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def report_filename(audit: AuditProject) -> str:
    """Return the report's file name: the audit name without path separators or control characters."""
    name = "".join(" " if char in '/\\:*?"<>|' or ord(char) < 32 else char for char in audit.name).strip()
    return _("%(audit)s report") % {"audit": name or audit.pk} + ".docx"


@require_GET
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    """Download the audit report (HJ 469-2009 layout) as a Word file, built from the frozen audit numbers."""
    audit = get_audit(request, pk)
    content = build_report(report_data(audit, timezone.localdate()))
    response = HttpResponse(content, content_type=DOCX_CONTENT_TYPE)
    with translation.override(REPORT_LANGUAGE):
        filename = report_filename(audit)
    # A non-ASCII name goes into filename* (RFC 5987), with an ASCII fallback in filename.
    disposition = content_disposition_header(as_attachment=True, filename=filename)
    if disposition is not None:  # None only for an inline response without a file name
        response["Content-Disposition"] = disposition
    logger.info("audit %s: report downloaded by user %s", audit.pk, request.user.pk)
    return response


# -- Team -------------------------------------------------------------------------------------


def team(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit(request, pk)
    status = 200
    form = TeamMemberForm(audit=audit)
    if request.method == "POST":
        require_audit_right(request, audit)
        form = TeamMemberForm(request.POST, audit=audit, instance=TeamMember(audit=audit))
        if form.is_valid():
            form.save()
            messages.success(request, _("The team member was added."))
            return redirect("audits:team", pk=audit.pk)
        status = 400
    context = {
        **audit_context(request, audit, "team"),
        "members": audit.team.select_related("user"),
        "form": form,
        "leaders": services.leader_count(audit),
    }
    return render(request, "audits/team.html", context, status=status)


def team_member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_child(request, TeamMember.objects.select_related("audit", "audit__site"), pk, "audit__site")
    audit = member.audit
    require_audit_right(request, audit)
    status = 200
    if request.method == "POST":
        form = TeamMemberForm(request.POST, audit=audit, instance=member)
        if form.is_valid():
            form.save()
            messages.success(request, _("The team member was saved."))
            return redirect("audits:team", pk=audit.pk)
        status = 400
    else:
        form = TeamMemberForm(audit=audit, instance=member)
    context = {**audit_context(request, audit, "team"), "form": form, "member": member}
    return render(request, "audits/team_member_form.html", context, status=status)


@require_POST
def team_member_delete(request: HttpRequest, pk: int) -> HttpResponse:
    member = get_child(request, TeamMember.objects.select_related("audit", "audit__site"), pk, "audit__site")
    require_audit_right(request, member.audit)
    member.delete()
    messages.success(request, _("The team member was removed."))
    return redirect("audits:team", pk=member.audit_id)


# -- Phases and steps -------------------------------------------------------------------------


@require_GET
def phases(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit(request, pk)
    phase_rows = list(
        audit.phases.prefetch_related("steps__owner", "steps__evidence", "steps__comments").order_by("number")
    )
    names = services.team_names(audit)
    for phase in phase_rows:
        for step in phase.steps.all():
            owner_name = services.user_display_name(step.owner, names) if step.owner else ""
            step.owner_name = owner_name  # type: ignore[attr-defined]
    context = {
        **audit_context(request, audit, "phases"),
        "phases": phase_rows,
        "add_form": AddStepForm(),
        "today": timezone.localdate(),
    }
    return render(request, "audits/phases.html", context)


@require_POST
def step_add(request: HttpRequest, pk: int) -> HttpResponse:
    phase = get_child(request, Phase.objects.select_related("audit", "audit__site"), pk, "audit__site")
    require_audit_right(request, phase.audit)
    form = AddStepForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a title for the new step."))
    else:
        services.add_step(phase, form.cleaned_data["title"])
        messages.success(request, _("The step was added."))
    return redirect("audits:phases", pk=phase.audit_id)


def _get_step(request: HttpRequest, pk: int) -> Step:
    queryset = Step.objects.select_related("phase", "phase__audit", "phase__audit__site", "owner")
    return get_child(request, queryset, pk, "phase__audit__site")


@require_POST
def step_move(request: HttpRequest, pk: int) -> HttpResponse:
    step = _get_step(request, pk)
    require_audit_right(request, step.phase.audit)
    services.move_step(step, -1 if request.POST.get("direction") == "up" else 1)
    return redirect("audits:phases", pk=step.phase.audit_id)


def step_detail(request: HttpRequest, pk: int) -> HttpResponse:
    step = _get_step(request, pk)
    audit = step.phase.audit
    status = 200
    form = StepForm(audit=audit, instance=step)
    if request.method == "POST":
        require_audit_right(request, audit)
        form = StepForm(request.POST, audit=audit, instance=step)
        if form.is_valid():
            form.save()
            messages.success(request, _("The step was saved."))
            return redirect("audits:step", pk=step.pk)
        status = 400
    context = {
        **audit_context(request, audit, "phases"),
        "step": step,
        "form": form,
        "owner_name": services.user_display_name(step.owner, services.team_names(audit)) if step.owner else "",
        "comment_form": CommentForm(),
        "evidence_form": EvidenceForm(),
        "comments": step.comments.select_related("author"),
        "evidence": step.evidence.select_related("uploaded_by"),
    }
    return render(request, "audits/step_detail.html", context, status=status)


@require_POST
def step_comment(request: HttpRequest, pk: int) -> HttpResponse:
    step = _get_step(request, pk)
    require_audit_right(request, step.phase.audit)
    form = CommentForm(request.POST)
    if form.is_valid():
        StepComment.objects.create(step=step, author=acting_user(request), text=form.cleaned_data["text"])
        messages.success(request, _("The comment was added."))
    else:
        messages.error(request, _("The comment is empty or too long; nothing was added."))
    return redirect("audits:step", pk=step.pk)


@require_POST
def step_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    step = _get_step(request, pk)
    audit = step.phase.audit
    require_audit_right(request, audit)
    form = EvidenceForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {
            **audit_context(request, audit, "phases"),
            "step": step,
            "form": StepForm(audit=audit, instance=step),
            "comment_form": CommentForm(),
            "evidence_form": form,
            "comments": step.comments.select_related("author"),
            "evidence": step.evidence.select_related("uploaded_by"),
        }
        return render(request, "audits/step_detail.html", context, status=400)
    upload = form.cleaned_data["file"]
    with transaction.atomic():
        Evidence.objects.create(
            step=step,
            file=upload,
            original_name=upload.name[-255:],
            description=form.cleaned_data["description"],
            uploaded_by=acting_user(request),
        )
    messages.success(request, _("The file was uploaded."))
    return redirect("audits:step", pk=step.pk)


@require_GET
def evidence_download(request: HttpRequest, pk: int) -> FileResponse:
    queryset = Evidence.objects.select_related("step__phase__audit__site")
    evidence = get_child(request, queryset, pk, "step__phase__audit__site")
    try:
        handle = evidence.file.open("rb")
    except FileNotFoundError as error:
        logger.error("evidence %s: file %s is missing from storage", evidence.pk, evidence.file.name)
        raise Http404 from error
    return FileResponse(handle, as_attachment=True, filename=evidence.original_name)


@require_POST
def evidence_delete(request: HttpRequest, pk: int) -> HttpResponse:
    queryset = Evidence.objects.select_related("step__phase__audit__site")
    evidence = get_child(request, queryset, pk, "step__phase__audit__site")
    require_audit_right(request, evidence.step.phase.audit)
    # The file stays in storage, so the history can still name what was uploaded.
    evidence.delete()
    messages.success(request, _("The file was removed from the step."))
    return redirect("audits:step", pk=evidence.step_id)


# -- History ----------------------------------------------------------------------------------


@require_GET
def history(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit(request, pk)
    context = {**audit_context(request, audit, "history"), "entries": services.audit_history(audit)}
    return render(request, "audits/history.html", context)
