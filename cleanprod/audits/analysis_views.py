"""Pages of the audit's analyses: pre-assessment, audit focus, targets, balances and cause analysis."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from cleanprod.indicators.formulas import UNDEFINED_REASONS

from . import focus as focus_services
from . import services
from .balancing import balance_result
from .forms import BalanceForm, CandidateForm, CauseForm, CriterionForm, FlowForm, TargetForm, WasteStreamForm
from .models import (
    Aspect,
    Balance,
    BalanceFlow,
    Cause,
    FocusCandidate,
    FocusCriterion,
    Target,
    WasteStream,
)
from .views import acting_user, audit_context, get_audit, get_changeable_audit, get_child, require_audit_right

# -- Pre-assessment -----------------------------------------------------------------------------


@require_GET
def pre_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    """Show the frozen snapshot when one exists, otherwise the live numbers of the baseline year."""
    audit = get_audit(request, pk)
    snapshot = services.latest_snapshot(audit)
    if snapshot is not None:
        numbers, factor_versions = snapshot.numbers, snapshot.factor_versions
    else:
        numbers, factor_versions = services.pre_assessment_numbers(audit)
    context = {
        **audit_context(request, audit, "pre_assessment"),
        "snapshot": snapshot,
        "numbers": numbers,
        "factor_versions": factor_versions,
        "reasons": {code: str(message) for code, message in UNDEFINED_REASONS.items()},
    }
    return render(request, "audits/pre_assessment.html", context)


@require_POST
def snapshot_take(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_changeable_audit(request, pk)
    services.take_snapshot(audit, acting_user=acting_user(request))
    messages.success(request, _("The pre-assessment numbers were frozen; the report uses this snapshot."))
    return redirect("audits:pre-assessment", pk=audit.pk)


# -- Audit focus ------------------------------------------------------------------------------


def scores_form(ranking: focus_services.FocusRanking, data: Any = None) -> forms.Form:
    """Build one score field per candidate and criterion, named s_<candidate id>_<criterion id>."""
    form = forms.Form(data)
    for candidate in ranking.candidates:
        for criterion in ranking.criteria:
            initial = candidate["scores"].get(criterion["key"])
            form.fields[f"s_{candidate['id']}_{criterion['id']}"] = forms.DecimalField(
                label=f"{candidate['name']} · {criterion['label']}",
                required=False,
                min_value=Decimal("0"),
                max_value=Decimal("10"),
                decimal_places=2,
                initial=initial,
                widget=forms.NumberInput(attrs={"step": "0.5", "min": "0", "max": "10"}),
            )
    return form


def _focus_page(
    request: HttpRequest, audit: Any, *, score_form: forms.Form | None = None, status: int = 200
) -> HttpResponse:
    ranking = focus_services.focus_ranking(audit)
    form = score_form or scores_form(ranking)
    grid = [
        {
            "candidate": candidate,
            "fields": [form[f"s_{candidate['id']}_{criterion['id']}"] for criterion in ranking.criteria],
        }
        for candidate in ranking.candidates
    ]
    snapshot = services.latest_snapshot(audit)
    context = {
        **audit_context(request, audit, "focus"),
        "ranking": ranking,
        "score_form": form,
        "grid": grid,
        "criteria_rows": audit.focus_criteria.all(),
        "criterion_form": CriterionForm(),
        "candidate_form": CandidateForm(audit=audit),
        "decision": getattr(audit, "focus", None),
        "has_snapshot": snapshot is not None,
    }
    return render(request, "audits/focus.html", context, status=status)


def focus(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit(request, pk)
    if request.method == "POST":
        require_audit_right(request, audit)
        form = scores_form(focus_services.focus_ranking(audit), request.POST)
        if not form.is_valid():
            return _focus_page(request, audit, score_form=form, status=400)
        scores = {}
        for name, value in form.cleaned_data.items():
            _prefix, candidate_id, criterion_id = name.split("_")
            scores[(int(candidate_id), int(criterion_id))] = value
        focus_services.save_scores(audit, scores)
        messages.success(request, _("The scores were saved."))
        return redirect("audits:focus", pk=audit.pk)
    return _focus_page(request, audit)


@require_POST
def focus_criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_changeable_audit(request, pk)
    form = CriterionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Enter a criterion name and a weight from 0 to 10."))
        return redirect("audits:focus", pk=audit.pk)
    number = audit.focus_criteria.count() + 1
    key = f"custom-{number}"
    while audit.focus_criteria.filter(key=key).exists():
        number += 1
        key = f"custom-{number}"
    FocusCriterion.objects.create(
        audit=audit, key=key, label=form.cleaned_data["label"], weight=form.cleaned_data["weight"], position=number
    )
    messages.success(request, _("The criterion was added."))
    return redirect("audits:focus", pk=audit.pk)


@require_POST
def focus_criterion_edit(request: HttpRequest, pk: int) -> HttpResponse:
    criterion = get_child(request, FocusCriterion.objects.select_related("audit__site"), pk, "audit__site")
    require_audit_right(request, criterion.audit)
    if request.POST.get("delete"):
        criterion.delete()
        messages.success(request, _("The criterion and its scores were removed."))
        return redirect("audits:focus", pk=criterion.audit_id)
    form = CriterionForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("Criterion “%(label)s” was not changed: enter a name and a weight from 0 to 10.")
            % {"label": criterion.label},
        )
    else:
        criterion.label = form.cleaned_data["label"]
        criterion.weight = form.cleaned_data["weight"]
        criterion.save()
        messages.success(request, _("The criterion was saved."))
    return redirect("audits:focus", pk=criterion.audit_id)


@require_POST
def focus_candidate_add(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_changeable_audit(request, pk)
    form = CandidateForm(request.POST, audit=audit)
    if form.is_valid():
        FocusCandidate.objects.get_or_create(audit=audit, unit=form.cleaned_data["unit"])
        messages.success(request, _("The candidate was added."))
    else:
        messages.error(request, _("Choose an organisation unit of this site."))
    return redirect("audits:focus", pk=audit.pk)


@require_POST
def focus_candidates_from_priorities(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_changeable_audit(request, pk)
    snapshot = services.latest_snapshot(audit)
    if snapshot is None:
        messages.error(request, _("Take a pre-assessment snapshot first; its priority list gives the candidates."))
        return redirect("audits:focus", pk=audit.pk)
    added = focus_services.add_candidates_from_priorities(audit, snapshot.numbers["priorities"])
    messages.success(request, _("%(count)s candidates were added from the priority list.") % {"count": added})
    return redirect("audits:focus", pk=audit.pk)


@require_POST
def focus_candidate_delete(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_child(request, FocusCandidate.objects.select_related("audit__site"), pk, "audit__site")
    require_audit_right(request, candidate.audit)
    candidate.delete()
    messages.success(request, _("The candidate and its scores were removed."))
    return redirect("audits:focus", pk=candidate.audit_id)


@require_POST
def focus_choose(request: HttpRequest, pk: int) -> HttpResponse:
    candidate = get_child(request, FocusCandidate.objects.select_related("audit__site", "unit"), pk, "audit__site")
    audit = candidate.audit
    require_audit_right(request, audit)
    ranking = focus_services.focus_ranking(audit)
    if not ranking.ranked:
        messages.error(request, _("Score every candidate on every criterion before choosing the audit focus."))
        return redirect("audits:focus", pk=audit.pk)
    focus_services.choose_focus(audit, candidate, acting_user=acting_user(request))
    messages.success(request, _("%(unit)s was recorded as the audit focus.") % {"unit": candidate.unit.name})
    return redirect("audits:focus", pk=audit.pk)


# -- Targets ----------------------------------------------------------------------------------


def targets(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit(request, pk)
    snapshot = services.latest_snapshot(audit)
    numbers = snapshot.numbers if snapshot is not None else None
    status = 200
    form = TargetForm(snapshot_numbers=numbers)
    if request.method == "POST":
        require_audit_right(request, audit)
        form = TargetForm(request.POST, snapshot_numbers=numbers, instance=Target(audit=audit))
        if form.is_valid():
            form.save()
            messages.success(request, _("The target was added."))
            return redirect("audits:targets", pk=audit.pk)
        status = 400
    context = {
        **audit_context(request, audit, "targets"),
        "rows": services.targets_table(audit),
        "form": form,
        "snapshot": snapshot,
    }
    return render(request, "audits/targets.html", context, status=status)


@require_POST
def target_delete(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_child(request, Target.objects.select_related("audit__site"), pk, "audit__site")
    require_audit_right(request, target.audit)
    target.delete()
    messages.success(request, _("The target was removed."))
    return redirect("audits:targets", pk=target.audit_id)


# -- Balances ---------------------------------------------------------------------------------


def balances(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit(request, pk)
    status = 200
    form = BalanceForm()
    if request.method == "POST":
        require_audit_right(request, audit)
        form = BalanceForm(request.POST, instance=Balance(audit=audit))
        if form.is_valid():
            balance = form.save()
            messages.success(request, _("The balance was created; add its flows."))
            return redirect("audits:balance", pk=balance.pk)
        status = 400
    context = {
        **audit_context(request, audit, "balances"),
        "balance_rows": [balance_result(balance) for balance in audit.balances.all()],
        "form": form,
        "decision": getattr(audit, "focus", None),
    }
    return render(request, "audits/balances.html", context, status=status)


def _get_balance(request: HttpRequest, pk: int) -> Balance:
    return get_child(request, Balance.objects.select_related("audit", "audit__site"), pk, "audit__site")


def _balance_page(
    request: HttpRequest, balance: Balance, *, flow_form: FlowForm, balance_form: BalanceForm, status: int = 200
) -> HttpResponse:
    result = balance_result(balance)
    context = {
        **audit_context(request, balance.audit, "balances"),
        "balance": balance,
        "result": result,
        "flow_form": flow_form,
        "balance_form": balance_form,
        "sankey_chart": result.sankey,
        "chart_labels": {"unit": balance.unit, "estimated": _("estimated")},
    }
    return render(request, "audits/balance_detail.html", context, status=status)


def balance_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """Show a balance; a POST adds a flow."""
    balance = _get_balance(request, pk)
    if request.method == "POST":
        require_audit_right(request, balance.audit)
        form = FlowForm(request.POST, balance=balance, instance=BalanceFlow(balance=balance))
        if form.is_valid():
            flow = form.save()
            messages.success(request, _("Flow “%(name)s” was added.") % {"name": flow.name})
            return redirect("audits:balance", pk=balance.pk)
        return _balance_page(request, balance, flow_form=form, balance_form=BalanceForm(instance=balance), status=400)
    return _balance_page(
        request, balance, flow_form=FlowForm(balance=balance), balance_form=BalanceForm(instance=balance)
    )


@require_POST
def balance_edit(request: HttpRequest, pk: int) -> HttpResponse:
    balance = _get_balance(request, pk)
    require_audit_right(request, balance.audit)
    form = BalanceForm(request.POST, instance=balance)
    if not form.is_valid():
        return _balance_page(request, balance, flow_form=FlowForm(balance=balance), balance_form=form, status=400)
    form.save()
    messages.success(request, _("The balance was saved."))
    return redirect("audits:balance", pk=balance.pk)


@require_POST
def flow_delete(request: HttpRequest, pk: int) -> HttpResponse:
    flow = get_child(request, BalanceFlow.objects.select_related("balance__audit__site"), pk, "balance__audit__site")
    require_audit_right(request, flow.balance.audit)
    flow.delete()
    messages.success(request, _("The flow was removed."))
    return redirect("audits:balance", pk=flow.balance_id)


# -- Cause analysis -----------------------------------------------------------------------------


def causes(request: HttpRequest, pk: int) -> HttpResponse:
    audit = get_audit(request, pk)
    status = 200
    stream_form = WasteStreamForm()
    cause_form = CauseForm(audit=audit)
    if request.method == "POST":
        require_audit_right(request, audit)
        if request.POST.get("form") == "stream":
            stream_form = WasteStreamForm(request.POST, instance=WasteStream(audit=audit))
            if stream_form.is_valid():
                stream_form.save()
                messages.success(request, _("The waste stream was added."))
                return redirect("audits:causes", pk=audit.pk)
        else:
            cause_form = CauseForm(request.POST, audit=audit)
            if cause_form.is_valid():
                cause_form.save()
                messages.success(request, _("The cause was added."))
                return redirect("audits:causes", pk=audit.pk)
        status = 400
    context = {
        **audit_context(request, audit, "causes"),
        "aspects": [label for _value, label in Aspect.choices],
        "rows": services.cause_table(audit),
        "stream_form": stream_form,
        "cause_form": cause_form,
        "decision": getattr(audit, "focus", None),
    }
    return render(request, "audits/causes.html", context, status=status)


@require_POST
def cause_delete(request: HttpRequest, pk: int) -> HttpResponse:
    cause = get_child(request, Cause.objects.select_related("stream__audit__site"), pk, "stream__audit__site")
    require_audit_right(request, cause.stream.audit)
    cause.delete()
    messages.success(request, _("The cause was removed."))
    return redirect("audits:causes", pk=cause.stream.audit_id)


@require_POST
def stream_delete(request: HttpRequest, pk: int) -> HttpResponse:
    stream = get_child(request, WasteStream.objects.select_related("audit__site"), pk, "audit__site")
    require_audit_right(request, stream.audit)
    stream.delete()
    messages.success(request, _("The waste stream and its causes were removed."))
    return redirect("audits:causes", pk=stream.audit_id)
