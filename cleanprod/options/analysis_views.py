"""Pages of the screening (weighted-sum scoring) and of the feasibility analysis, and the economics workbook."""

from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cleanprod.audits.models import AuditProject
from cleanprod.organization.access import Action, can

from .economics import EconomicInputError
from .export import XLSX_CONTENT_TYPE, economics_workbook_bytes
from .feasibility import feasibility_summary, record_conclusion, reopen
from .forms import ConclusionForm, CriterionFormSet, ExtraFlowFormSet, FeasibilityForm, score_field_name
from .models import Feasibility, Option, OptionScore, ScreeningCriterion
from .screening import MAX_SCORE, criterion_label, ensure_criteria, score_table, screening_ranking
from .views import _acting_user, get_audit, get_option
from .workflow import CostClass, TransitionError

# -- Screening ------------------------------------------------------------------------------


def _score_errors(
    audit: AuditProject, data: Any, criteria: list[ScreeningCriterion]
) -> tuple[dict[str, str], dict[tuple[int, int], Decimal | None]]:
    """Parse the score grid; return the errors by field name and the scores {(option, criterion): value|None}."""
    errors: dict[str, str] = {}
    values: dict[tuple[int, int], Decimal | None] = {}
    for option in audit.options.order_by("number"):
        for criterion in criteria:
            name = score_field_name(option.pk, criterion.pk)
            text = (data.get(name) or "").strip()
            if not text:
                values[(option.pk, criterion.pk)] = None
                continue
            try:
                score = Decimal(text.replace(",", "."))
            except InvalidOperation:
                score = None
            if score is None or not score.is_finite() or score < 0 or score > MAX_SCORE:
                errors[name] = _(
                    "Option %(code)s, criterion %(criterion)s: %(value)s is not a score; enter a number from 0 to "
                    "%(maximum)s."
                ) % {"code": option.code, "criterion": criterion_label(criterion), "value": text, "maximum": MAX_SCORE}
                continue
            values[(option.pk, criterion.pk)] = score.quantize(Decimal("0.01"))
    return errors, values


def _screening_context(
    request: HttpRequest,
    audit: AuditProject,
    formset: Any = None,
    score_errors: dict[str, str] | None = None,
    posted: Any = None,
) -> dict[str, Any]:
    criteria = list(audit.screening_criteria.order_by("order", "pk"))
    stored = score_table(audit)
    grid = []
    for option in audit.options.select_related("audit").order_by("number"):
        cells = []
        for criterion in criteria:
            name = score_field_name(option.pk, criterion.pk)
            value = posted.get(name, "") if posted is not None else stored.get(option.pk, {}).get(criterion.pk, "")
            cells.append({"name": name, "value": value, "error": (score_errors or {}).get(name, "")})
        grid.append({"option": option, "cells": cells})
    return {
        "audit": audit,
        "criteria": [(criterion, criterion_label(criterion)) for criterion in criteria],
        "formset": formset
        or CriterionFormSet(queryset=audit.screening_criteria.order_by("order", "pk"), prefix="criteria"),
        "grid": grid,
        "score_errors": list((score_errors or {}).values()),
        "ranking": screening_ranking(audit),
        "may_change": can(request.user, Action.AUDIT, audit.site),
    }


def screening_transition_failed(request: HttpRequest, option: Option, form: Any) -> HttpResponse:
    """Render the screening page again with the rejected status change's errors next to the option's reason box."""
    context = _screening_context(request, option.audit)
    errors = [str(message) for messages_of_field in form.errors.values() for message in messages_of_field]
    context["transition_error"] = {"option_pk": option.pk, "messages": errors, "comment": form.data.get("comment", "")}
    return render(request, "options/screening.html", context, status=400)


def screening(request: HttpRequest, audit_pk: int) -> HttpResponse:
    audit = get_audit(request, audit_pk, change=request.method == "POST")
    if request.method != "POST":
        if can(request.user, Action.AUDIT, audit.site):
            ensure_criteria(audit)
        return render(request, "options/screening.html", _screening_context(request, audit))

    if request.POST.get("action") == "criteria":
        formset = CriterionFormSet(
            request.POST, queryset=audit.screening_criteria.order_by("order", "pk"), prefix="criteria"
        )
        if not formset.is_valid():
            return render(request, "options/screening.html", _screening_context(request, audit, formset), status=400)
        with transaction.atomic():
            for criterion in formset.save(commit=False):
                criterion.audit = audit
                criterion.save()
            for criterion in formset.deleted_objects:
                criterion.delete()
        messages.success(request, _("The screening criteria were saved."))
        return redirect("options:screening", audit_pk=audit.pk)

    criteria = list(audit.screening_criteria.order_by("order", "pk"))
    errors, values = _score_errors(audit, request.POST, criteria)
    if errors:
        context = _screening_context(request, audit, score_errors=errors, posted=request.POST)
        return render(request, "options/screening.html", context, status=400)
    with transaction.atomic():
        for (option_pk, criterion_pk), score in values.items():
            if score is None:
                OptionScore.objects.filter(option_id=option_pk, criterion_id=criterion_pk).delete()
            else:
                OptionScore.objects.update_or_create(
                    option_id=option_pk, criterion_id=criterion_pk, defaults={"score": score}
                )
    messages.success(request, _("The scores were saved."))
    return redirect("options:screening", audit_pk=audit.pk)


# -- Feasibility ----------------------------------------------------------------------------


def _feasibility_context(
    request: HttpRequest,
    option: Option,
    form: Any = None,
    flows: Any = None,
    conclusion_form: ConclusionForm | None = None,
) -> dict[str, Any]:
    instance = Feasibility.objects.filter(option=option).first()
    summary = feasibility_summary(option) if instance is not None else None
    concluded = summary is not None and summary.frozen
    if form is None:
        initial = {"investment": option.investment} if instance is None else None
        form = FeasibilityForm(instance=instance or Feasibility(option=option), initial=initial)
    if flows is None:
        flows = ExtraFlowFormSet(instance=instance or Feasibility(option=option), prefix="flows")
    audit = option.audit
    return {
        "option": option,
        "audit": audit,
        "summary": summary,
        "numbers": summary.numbers if summary else None,
        "concluded": concluded,
        "form": form,
        "flows": flows,
        "conclusion_form": conclusion_form or ConclusionForm(),
        "low_cost": option.cost_class == CostClass.LOW,
        "may_change": can(request.user, Action.AUDIT, audit.site),
    }


def feasibility(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_option(request, pk, change=request.method == "POST")
    if request.method != "POST":
        return render(request, "options/feasibility.html", _feasibility_context(request, option))
    instance = Feasibility.objects.filter(option=option).first() or Feasibility(option=option)
    if instance.conclusion:
        messages.error(request, _("The conclusion is recorded; reopen the analysis before changing its inputs."))
        return redirect("options:feasibility", pk=option.pk)
    form = FeasibilityForm(request.POST, instance=instance)
    flows = ExtraFlowFormSet(request.POST, instance=instance, prefix="flows")
    if not (form.is_valid() and flows.is_valid()):
        context = _feasibility_context(request, option, form, flows)
        return render(request, "options/feasibility.html", context, status=400)
    with transaction.atomic():
        saved = form.save()
        flows.instance = saved
        flows.save()
    messages.success(request, _("The feasibility analysis of %(code)s was saved.") % {"code": option.code})
    return redirect("options:feasibility", pk=option.pk)


@require_POST
def feasibility_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_option(request, pk, change=True)
    instance = Feasibility.objects.filter(option=option).first()
    if instance is None:
        messages.error(request, _("Enter and save the economic inputs before recording a conclusion."))
        return redirect("options:feasibility", pk=option.pk)
    form = ConclusionForm(request.POST)
    if form.is_valid():
        try:
            data = form.cleaned_data
            record_conclusion(instance, data["conclusion"], data["reason"], acting_user=_acting_user(request))
        except (TransitionError, EconomicInputError) as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, _("The conclusion was recorded and the results frozen."))
            return redirect("options:feasibility", pk=option.pk)
    context = _feasibility_context(request, option, conclusion_form=form)
    return render(request, "options/feasibility.html", context, status=400)


@require_POST
def feasibility_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    option = get_option(request, pk, change=True)
    instance = Feasibility.objects.filter(option=option).first()
    if instance is not None:
        reopen(instance)
        messages.info(request, _("The analysis is open again; the results are computed from the inputs."))
    return redirect("options:feasibility", pk=option.pk)


def economics_xlsx(request: HttpRequest, audit_pk: int) -> HttpResponse:
    audit = get_audit(request, audit_pk)
    response = HttpResponse(economics_workbook_bytes(audit), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="economics-audit-{audit.pk}.xlsx"'
    return response
