"""Import pages: the job list, the upload form, a job's progress and report."""

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cleanprod.json_errors import json_error
from cleanprod.organization.access import Action, can, get_for_user, scoped, sites_for

from .forms import ImportForm, source_form_values
from .models import ImportJob, JobStatus
from .report import build_report_view, describe_phase
from .services import fail_if_stalled

JOBS_PER_PAGE = 50
UNFINISHED = (JobStatus.QUEUED, JobStatus.RUNNING)


def get_job_for_user(request: HttpRequest, pk: int, action: Action = Action.VIEW) -> ImportJob:
    """Return the job if the user may perform the action on its site.

    Raise Http404 when the user cannot see the job's site, and PermissionDenied when the user
    can see the site but not perform the action there.
    """
    queryset = ImportJob.objects.select_related("site", "data_source", "created_by", "batch")
    job = get_for_user(queryset, request.user, pk, Action.VIEW)
    if action != Action.VIEW and not can(request.user, action, job.site):
        raise PermissionDenied
    return job


def _acting_user(request: HttpRequest) -> User:
    # LoginRequiredMiddleware lets only authenticated users reach the views.
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    jobs = scoped(ImportJob.objects.select_related("site", "created_by", "data_source"), request.user)
    page = Paginator(jobs.order_by("-created_at", "-pk"), JOBS_PER_PAGE).get_page(request.GET.get("page"))
    can_import = sites_for(request.user, Action.IMPORT).exists()
    return render(request, "ingest/job_list.html", {"page": page, "can_import": can_import})


@require_http_methods(["GET", "POST"])
def job_new(request: HttpRequest) -> HttpResponse:
    from .services import start_import

    sites = sites_for(request.user, Action.IMPORT)
    if not sites.exists():
        raise PermissionDenied
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES, sites=sites)
        if form.is_valid():
            job = start_import(
                user=_acting_user(request),
                upload=form.cleaned_data["file"],
                **form.start_import_arguments(),
            )
            return redirect("ingest:job-detail", pk=job.pk)
    else:
        single_site = sites.first() if sites.count() == 1 else None
        form = ImportForm(sites=sites, initial={"site": single_site, "dry_run": True})

    source_field = form.fields["data_source"]
    sources = getattr(source_field, "queryset", [])
    source_values = {str(source.pk): source_form_values(source) for source in sources}
    return render(request, "ingest/job_new.html", {"form": form, "source_values": source_values})


@require_GET
def job_detail(request: HttpRequest, pk: int) -> HttpResponse:
    job = get_job_for_user(request, pk)
    fail_if_stalled(job)
    context = {
        "job": job,
        "report": build_report_view(job.report or {}, job.site.zone),
        "unfinished": job.status in UNFINISHED,
        "progress_labels": {
            # Placeholders filled in by import_progress.js; the row total is counted from
            # line breaks before parsing, so it is approximate.
            "rows": _("%(phase)s: %(rows_read)s of about %(total_rows)s rows (%(percent)s %%)"),
            "phase_only": _("%(phase)s"),
            "failed": _("The progress cannot be read; reload the page."),
        },
        "can_commit": (
            job.dry_run
            and job.status == JobStatus.SUCCEEDED
            and "committed_as" not in job.report
            and can(request.user, Action.IMPORT, job.site)
        ),
    }
    return render(request, "ingest/job_detail.html", context)


@require_GET
def job_progress(request: HttpRequest, pk: int) -> JsonResponse:
    """Return the job's status and, while it runs, the worker's progress."""
    from .progress import get_progress

    try:
        job = get_job_for_user(request, pk)
    except Http404:
        return json_error(
            "not_found", _("No import job with id %(pk)s exists on the sites you can see.") % {"pk": pk}, 404
        )

    fail_if_stalled(job)
    finished = job.status not in UNFINISHED
    progress = {} if finished else (get_progress(job.pk) or {})
    phase = "done" if finished else progress.get("phase", "queued")
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": finished,
            "phase": phase,
            "phase_label": describe_phase(phase),
            "rows_read": progress.get("rows_read", 0),
            "total_rows": progress.get("total_rows", 0),
            "percent": 100.0 if finished else progress.get("percent", 0.0),
        }
    )


@require_POST
def job_commit(request: HttpRequest, pk: int) -> HttpResponse:
    from .services import commit_dry_run

    job = get_job_for_user(request, pk, Action.IMPORT)
    if not job.dry_run or job.status != JobStatus.SUCCEEDED:
        messages.error(request, _("Only a dry run that succeeded can be imported for real."))
        return redirect("ingest:job-detail", pk=job.pk)
    real_job = commit_dry_run(job, _acting_user(request))
    messages.success(request, _("The file is being imported for real."))
    return redirect("ingest:job-detail", pk=real_job.pk)


@require_GET
def job_rejected(request: HttpRequest, pk: int) -> FileResponse:
    """Stream the CSV of every rejected value of the job."""
    job = get_job_for_user(request, pk)
    if not job.rejected_file:
        raise Http404(_("This job has no file of rejected values."))
    try:
        handle = job.rejected_file.open("rb")
    except FileNotFoundError as error:
        raise Http404(_("The file of rejected values is missing from storage.")) from error
    return FileResponse(handle, as_attachment=True, filename=f"import-{job.pk}-rejected.csv", content_type="text/csv")
