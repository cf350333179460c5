"""Pages of the reports: the list, issuing, one report with its revisions, regenerating and downloads."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from cleanprod.organization.access import Action, can, get_for_user, sites_for
from cleanprod.organization.models import Site

from .export import pdf_context, report_pdf_bytes, report_workbook_bytes
from .forms import IssueReportForm
from .models import Report, ReportKind, ReportRevision
from .services import (
    Change,
    can_issue,
    diff_revisions,
    do_issue_report,
    do_regenerate_report,
    period_bounds,
    reports_for,
)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _acting_user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only authenticated users reach the views.
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def get_report_for_user(request: HttpRequest, pk: int) -> Report:
    """Return the report if the user may see every site it covers; raise Http404 otherwise."""
    return get_object_or_404(reports_for(request.user), pk=pk)


def _list_context(request: HttpRequest, form: IssueReportForm | None = None) -> dict[str, Any]:
    reports = reports_for(request.user).prefetch_related("revisions").order_by("-period_start", "kind", "pk")
    issuable = sites_for(request.user, Action.IMPORT).select_related("enterprise").order_by("enterprise__name", "name")
    return {"reports": reports, "issuable_sites": issuable, "form": form or IssueReportForm()}


def report_list(request: HttpRequest) -> HttpResponse:
    return render(request, "reports/report_list.html", _list_context(request))


@require_POST
def report_issue(request: HttpRequest) -> HttpResponse:
    form = IssueReportForm(request.POST)
    site = get_for_user(
        Site.objects.select_related("enterprise"), request.user, request.POST.get("site"), site_field="pk"
    )
    if not can(request.user, Action.IMPORT, site):
        raise PermissionDenied(_("Your role on this site does not allow issuing reports."))
    if not form.is_valid():
        return render(request, "reports/report_list.html", _list_context(request, form), status=400)

    data = form.cleaned_data
    start, end = period_bounds(data["kind"], data["year"], data["month"])
    if data["whole_enterprise"]:
        report, created = do_issue_report(
            acting_user=_acting_user(request), kind=data["kind"], start=start, end=end, enterprise=site.enterprise
        )
    else:
        report, created = do_issue_report(
            acting_user=_acting_user(request), kind=data["kind"], start=start, end=end, site=site
        )
    if created:
        messages.success(request, _("The report was issued as revision 1."))
    else:
        messages.info(
            request,
            _("This report was already issued. Regenerate it to compute the numbers again."),
        )
    return redirect("reports:detail", pk=report.pk)


def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request, pk)
    revisions = list(report.revisions.select_related("created_by").order_by("-number"))
    history: list[tuple[ReportRevision, list[Change]]] = []
    for index, revision in enumerate(revisions):
        previous = revisions[index + 1] if index + 1 < len(revisions) else None
        history.append((revision, diff_revisions(previous, revision) if previous is not None else []))
    latest = revisions[0]
    context = {
        **pdf_context(latest),
        "history": history,
        "may_regenerate": can_issue(request.user, report),
        "is_monthly": report.kind == ReportKind.MONTHLY,
    }
    return render(request, "reports/report_detail.html", context)


@require_POST
def report_regenerate(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_report_for_user(request, pk)
    if not can_issue(request.user, report):
        raise PermissionDenied(_("Your role does not allow regenerating this report."))
    revision = do_regenerate_report(report, acting_user=_acting_user(request))
    if revision is None:
        messages.info(request, _("Nothing changed since the latest revision, so no revision was added."))
    else:
        messages.success(
            request, _("Revision %(number)s was stored with the changes listed below.") % {"number": revision.number}
        )
    return redirect("reports:detail", pk=report.pk)


def _get_revision(request: HttpRequest, pk: int, number: int) -> ReportRevision:
    report = get_report_for_user(request, pk)
    try:
        return report.revisions.select_related("report__enterprise", "report__site", "created_by").get(number=number)
    except ReportRevision.DoesNotExist as error:
        raise Http404 from error


def _filename(revision: ReportRevision, extension: str) -> str:
    report = revision.report
    scope = report.site.code if report.site is not None else f"enterprise-{report.enterprise_id}"
    period = f"{report.period_start:%Y-%m}" if report.kind == ReportKind.MONTHLY else f"{report.period_start:%Y}"
    return f"report-{scope}-{report.kind}-{period}-r{revision.number}.{extension}"


def report_xlsx(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    revision = _get_revision(request, pk, number)
    response = HttpResponse(report_workbook_bytes(revision), content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{_filename(revision, "xlsx")}"'
    return response


def report_pdf(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    revision = _get_revision(request, pk, number)
    response = HttpResponse(report_pdf_bytes(revision), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{_filename(revision, "pdf")}"'
    return response
