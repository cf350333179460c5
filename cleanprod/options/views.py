"""Pages of the option register: list, create, edit, detail with status changes, implementation and verification."""

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cleanprod.audits.models import AuditProject
from cleanprod.organization.access import Action, can, get_for_user

from .export import XLSX_CONTENT_TYPE, register_workbook_bytes
from .feasibility import feasibility_summary
from .forms import EffectFormSet, ImplementationForm, OptionFilterForm, OptionForm, TransitionForm, VerificationForm
from .models import Implementation, Option, Verification
from .screening import screening_ranking
from .services import change_status, create_option, option_register, verification_result, verification_windows
from .workflow import OptionStatus, TransitionError, allowed_targets

# Feasible and not feasible are set only by recording the feasibility conclusion.
CONCLUSIONS = frozenset({OptionStatus.FEASIBLE, OptionStatus.NOT_FEASIBLE})


def _acting_user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only authenticated users reach the views.
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def get_audit(request: HttpRequest, audit_pk: int, *, change: bool = False) -> AuditProject:
    """Fetch an audit of the user's sites (404 otherwise); with ``change``, require Action.AUDIT (403)."""
    audit = get_for_user(AuditProject.objects.select_related("site"), request.user, audit_pk)
    if change and not can(request.user, Action.AUDIT, audit.site):
        raise PermissionDenied(_("Your role on this site does not allow changing audit options."))
    return audit


def get_option(request: HttpRequest, pk: int, *, change: bool = False) -> Option:
    """Fetch an option of the user's sites (404 otherwise); with ``change``, require Action.AUDIT (403)."""
    option = get_for_user(Option.objects.select_related("audit__site"), request.user, pk, site_field="audit__site")
    if change and not can(request.user, Action.AUDIT, option.audit.site):
        raise PermissionDenied(_("Your role on this site does not allow changing audit options."))
    return option


def filtered_options(audit: AuditProject, form: OptionFilterForm) -> list[Option]:
    options = audit.options.select_related("audit").order_by("number")
    if not form.is_valid():
        return list(options)
    data = form.cleaned_data
    if data["status"]:
        options = options.filter(status=data["status"])
    if data["aspect"]:
        options = options.filter(aspect=data["aspect"])
    result = list(options)
    if data["cost_class"]:
        # The cost class follows from the audit's limits, so it is filtered after loading.
        result = [option for option in result if option.cost_class == data["cost_class"]]
    return result


def option_list(request: HttpRequest, audit_pk: int) -> HttpResponse:
    audit = get_audit(request, audit_pk)
    filter_form = OptionFilterForm(request.GET or None)
    options = filtered_options(audit, filter_form)
    rows = option_register(audit, audit.options.filter(pk__in=[option.pk for option in options]))
    context = {
        "audit": audit,
        "rows": rows,
        "filter_form": filter_form,
        "may_change": can(request.user, Action.AUDIT, audit.site),
        "scores": screening_ranking(audit).totals(),
    }
    return render(request, "options/option_list.html", context)


def _edit(request: HttpRequest, audit: AuditProject, option: Option | None) -> HttpResponse:
    instance = option or Option(audit=audit)
    form = OptionForm(request.POST or None, instance=instance)
    formset = EffectFormSet(request.POST or None, instance=instance, prefix="effects")
    if request.method == "POST" and form.is_valid() and formset.is_valid():
        with transaction.atomic():
            saved = form.save(commit=False)
            if option is None:
                create_option(saved, acting_user=_acting_user(request))
            else:
                saved.save()
            formset.instance = saved
            formset.save()
        messages.success(request, _("Option %(code)s was saved.") % {"code": saved.code})
        return redirect("options:detail", pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    context = {"audit": audit, "option": option, "form": form, "formset": formset}
    return render(request, "options/option_form.html", context, status=status)


def option_create(request: HttpRequest, audit_pk: int) -> HttpResponse:
    audit = get_audit(request, audit_pk, change=True)
    return _edit(request, audit, None)


def option_edit(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_option(request, pk, change=True)
    return _edit(request, option.audit, option)


def option_detail(request: HttpRequest, pk: int, transition_form: TransitionForm | None = None) -> HttpResponse:
    option = get_option(request, pk)
    register_row = option_register(option.audit, Option.objects.filter(pk=option.pk))[0]
    targets = [target for target in allowed_targets(option.status, option.cost_class) if target not in CONCLUSIONS]
    form = transition_form or TransitionForm()
    target_field = form.fields["target"]
    assert isinstance(target_field, forms.ChoiceField)
    target_field.choices = [(value, label) for value, label in OptionStatus.choices if value in targets]
    context: dict[str, Any] = {
        "option": option,
        "audit": option.audit,
        "row": register_row,
        "transitions": option.transitions.select_related("user").order_by("at", "pk"),
        "transition_form": form,
        "has_targets": bool(targets),
        "implementation": getattr(option, "implementation", None),
        "feasibility": feasibility_summary(option),
        "verification": verification_result(option),
        "history": option_history(option),
        "may_change": can(request.user, Action.AUDIT, option.audit.site),
    }
    return render(request, "options/option_detail.html", context, status=400 if transition_form else 200)


# simple_history's diff_against skips fields with editable=False, such as the status, so the history page
# compares these fields itself.
HISTORY_FIELDS = ("title", "description", "source", "aspect", "investment", "status")


def _history_value(record: Any, field_name: str) -> str:
    """Return a field's value in a history record as the pages show it, with choice labels for choice fields."""
    value = getattr(record, field_name)
    field = Option._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    choices = dict(field.flatchoices)
    return str(choices.get(value, value))


def _history_label(field_name: str) -> str:
    field = Option._meta.get_field(field_name)
    assert isinstance(field, models.Field)
    return str(field.verbose_name)


def option_history(option: Option) -> list[Any]:
    """Return the option's history records with the changed fields, newest first."""
    records = list(option.history.select_related("history_user").order_by("-history_date", "-history_id"))
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        if previous is not None:
            for field_name in HISTORY_FIELDS:
                if getattr(record, field_name) == getattr(previous, field_name):
                    continue
                changes.append(
                    {
                        "field": _history_label(field_name),
                        "old": _history_value(previous, field_name),
                        "new": _history_value(record, field_name),
                    }
                )
        entries.append({"record": record, "changes": changes})
    return entries


@require_POST
def option_transition(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_option(request, pk, change=True)
    form = TransitionForm(request.POST)
    if not form.is_valid():
        return _transition_failed(request, option, form)
    if form.cleaned_data["target"] in CONCLUSIONS:
        form.add_error("target", _("Record the conclusion on the feasibility analysis page; it freezes the results."))
        return _transition_failed(request, option, form)
    try:
        change_status(
            option, form.cleaned_data["target"], acting_user=_acting_user(request), comment=form.cleaned_data["comment"]
        )
    except TransitionError as error:
        form.add_error("target", error.message)
        return _transition_failed(request, option, form)
    messages.success(
        request,
        _("The status of %(code)s is now %(status)s.") % {"code": option.code, "status": option.get_status_display()},
    )
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        return redirect(next_url)
    return redirect("options:detail", pk=option.pk)


def _transition_failed(request: HttpRequest, option: Option, form: TransitionForm) -> HttpResponse:
    """Show a rejected status change on the page it came from: the screening table or the option's page."""
    if request.POST.get("next", "") == reverse("options:screening", args=[option.audit_id]):
        from .analysis_views import screening_transition_failed  # analysis_views imports this module

        return screening_transition_failed(request, option, form)
    return option_detail(request, option.pk, form)


def implementation_edit(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_option(request, pk, change=True)
    instance = getattr(option, "implementation", None) or Implementation(option=option)
    form = ImplementationForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The implementation of %(code)s was saved.") % {"code": option.code})
        return redirect("options:detail", pk=option.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "options/implementation_form.html", {"option": option, "form": form}, status=status)


def verification_edit(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_option(request, pk, change=True)
    instance = getattr(option, "verification", None) or Verification(option=option)
    form = VerificationForm(request.POST or None, instance=instance, site_id=option.audit.site_id)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("The verification settings of %(code)s were saved.") % {"code": option.code})
        return redirect("options:detail", pk=option.pk)
    status = 400 if request.method == "POST" else 200
    defaults = verification_windows(instance)
    context = {"option": option, "form": form, "defaults": defaults}
    return render(request, "options/verification_form.html", context, status=status)


def register_xlsx(request: HttpRequest, audit_pk: int) -> HttpResponse:
    audit = get_audit(request, audit_pk)
    content = register_workbook_bytes(audit, screening_ranking(audit).totals())
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="options-audit-{audit.pk}.xlsx"'
    return response
