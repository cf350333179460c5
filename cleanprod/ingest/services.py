"""Actions of the ingest app: start an import job, commit a dry run, run a job."""

import logging
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import get_language, gettext

from cleanprod.metering.models import BatchKind
from cleanprod.organization.models import Site

from .models import DataSource, ImportJob, JobStatus, Layout
from .parsing import FileOptions, LongLayout, ParseError, WideLayout
from .pipeline import ImportRequest, import_readings
from .progress import get_progress, set_progress

logger = logging.getLogger(__name__)

OPTION_KEYS = (
    "encoding",
    "delimiter",
    "decimal_separator",
    "thousands_separator",
    "date_order",
    "timestamp_format",
    "excel_date_system",
    "sheet",
    "header_row",
    "midnight_is_previous_day",
)


def build_mapping(
    *,
    layout: str = Layout.WIDE,
    kind: str = BatchKind.READINGS,
    language: str = "",
    timestamp_columns: list[str] | None = None,
    meter_column: str = "",
    value_column: str = "",
    unit_column: str = "",
    meter_columns: dict[str, str] | None = None,
    ignore_columns: list[str] | None = None,
    options: dict[str, Any] | None = None,
) -> dict[str, Any]:
    return {
        "language": language,
        "kind": kind,
        "layout": layout,
        "timestamp_columns": list(timestamp_columns or []),
        "meter_column": meter_column,
        "value_column": value_column,
        "unit_column": unit_column,
        "meter_columns": dict(meter_columns or {}),
        "ignore_columns": list(ignore_columns or []),
        "options": {
            key: value for key, value in (options or {}).items() if key in OPTION_KEYS and value not in (None, "")
        },
    }


def _declared(key: str, value: object) -> bool:
    # An empty thousands separator declares "none"; for every other option it means "not declared".
    if key == "thousands_separator":
        return value is not None
    return value not in (None, "")


def mapping_of_source(source: DataSource) -> dict[str, Any]:
    return build_mapping(
        kind=source.kind,
        layout=source.layout,
        timestamp_columns=source.timestamp_columns,
        meter_column=source.meter_column,
        value_column=source.value_column,
        unit_column=source.unit_column,
        meter_columns=source.meter_columns,
        ignore_columns=source.ignore_columns,
        options=source.options,
    )


def layout_of(mapping: dict[str, Any]) -> LongLayout | WideLayout:
    columns = tuple(mapping["timestamp_columns"])
    if mapping["layout"] == Layout.LONG:
        return LongLayout(
            timestamp_columns=columns,
            meter_column=mapping["meter_column"],
            value_column=mapping["value_column"],
            unit_column=mapping.get("unit_column") or None,
        )
    return WideLayout(
        timestamp_columns=columns,
        meter_columns=mapping.get("meter_columns") or None,
        ignore_columns=tuple(mapping.get("ignore_columns") or ()),
    )


def options_of(mapping: dict[str, Any]) -> FileOptions:
    options = dict(mapping.get("options") or {})
    if "excel_date_system" in options:
        options["excel_date_system"] = int(options["excel_date_system"])
    if "header_row" in options:
        options["header_row"] = int(options["header_row"])
    return FileOptions(**options)


def save_data_source(site: Site, name: str, mapping: dict[str, Any]) -> DataSource:
    source, _ = DataSource.objects.update_or_create(
        site=site,
        name=name,
        defaults={
            "kind": mapping.get("kind", BatchKind.READINGS),
            "layout": mapping["layout"],
            "timestamp_columns": mapping["timestamp_columns"],
            "meter_column": mapping["meter_column"],
            "value_column": mapping["value_column"],
            "unit_column": mapping["unit_column"],
            "meter_columns": mapping["meter_columns"],
            "ignore_columns": mapping["ignore_columns"],
            "options": mapping["options"],
        },
    )
    return source


def start_import(
    *,
    user: User,
    site: Site,
    upload: UploadedFile,
    layout: str = Layout.WIDE,
    kind: str = BatchKind.READINGS,
    timestamp_columns: list[str] | None = None,
    meter_column: str = "",
    value_column: str = "",
    unit_column: str = "",
    meter_columns: dict[str, str] | None = None,
    ignore_columns: list[str] | None = None,
    options: dict[str, Any] | None = None,
    data_source: DataSource | None = None,
    save_as_source: str = "",
    dry_run: bool = True,
    replace_conflicts: bool = False,
) -> ImportJob:
    """Store the uploaded file, create the job and queue it for the task worker."""
    mapping = build_mapping(
        language=get_language() or settings.LANGUAGE_CODE,
        kind=kind,
        layout=layout,
        timestamp_columns=timestamp_columns,
        meter_column=meter_column,
        value_column=value_column,
        unit_column=unit_column,
        meter_columns=meter_columns,
        ignore_columns=ignore_columns,
        options=options,
    )
    with transaction.atomic():
        if save_as_source:
            data_source = save_data_source(site, save_as_source, mapping)
        job = ImportJob(
            site=site,
            data_source=data_source,
            original_name=Path(upload.name or "upload").name,
            mapping=mapping,
            dry_run=dry_run,
            replace_conflicts=replace_conflicts,
            created_by=user,
        )
        job.file.save(job.original_name, upload, save=False)
        job.save()
        transaction.on_commit(lambda: enqueue(job))
    return job


def commit_dry_run(job: ImportJob, user: User) -> ImportJob:
    """Queue the real import of a file whose dry run succeeded, with the same mapping.

    A dry run is committed once: asking again returns the job already created for it.
    """
    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        committed = job.report.get("committed_as")
        if committed is not None:
            return ImportJob.objects.get(pk=committed)
        real = ImportJob(
            site=job.site,
            data_source=job.data_source,
            original_name=job.original_name,
            mapping=job.mapping,
            dry_run=False,
            replace_conflicts=job.replace_conflicts,
            created_by=user,
        )
        with job.file.open("rb") as handle:
            real.file.save(job.original_name, ContentFile(handle.read()), save=False)
        real.save()
        job.report = {**job.report, "committed_as": real.pk}
        job.save(update_fields=["report"])
        transaction.on_commit(lambda: enqueue(real))
    return real


def enqueue(job: ImportJob) -> None:
    from .tasks import run_import_job

    set_progress(job.pk, {"phase": "queued", "rows_read": 0, "total_rows": 0, "percent": 0.0})
    run_import_job.enqueue(job.pk)


def run_job(job_id: int) -> ImportJob:
    """Run one queued job to its end; a whole-file problem fails the job with its message."""
    job = ImportJob.objects.select_related("site", "created_by").get(pk=job_id)
    job.status = JobStatus.RUNNING
    job.save(update_fields=["status"])
    rejected_name = f"import-reports/job-{job.pk}-rejected.csv"
    rejected_path = Path(job.file.storage.path(rejected_name))
    # Messages and the rejected-rows file are written in the language of the user who started the job.
    language = job.mapping.get("language") or settings.LANGUAGE_CODE
    try:
        with translation.override(language):
            report = _run(job, rejected_path)
    except ParseError as error:
        logger.info("import job %s rejected the file: %s", job.pk, error.code)
        job.status = JobStatus.FAILED
        job.report = {"error": str(error.message), "error_code": error.code, "dry_run": job.dry_run}
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status = JobStatus.FAILED
        job.report = {
            "error": gettext("The import failed with an internal error; the worker log has the details."),
            "dry_run": job.dry_run,
        }
    else:
        job.status = JobStatus.SUCCEEDED
        job.report = report
        job.rejected_file.name = rejected_name
        if report.get("batch"):
            job.batch_id = report["batch"]
    job.finished_at = timezone.now()
    job.save()
    set_progress(job.pk, {"phase": "done", "rows_read": 0, "total_rows": 0, "percent": 100.0})
    return job


def _run(job: ImportJob, rejected_path: Path) -> dict[str, Any]:
    path = Path(job.file.path)
    if job.mapping.get("kind") == BatchKind.PRODUCTION:
        from cleanprod.production.importing import import_production_file

        return import_production_file(
            site=job.site,
            path=path,
            dry_run=job.dry_run,
            replace_conflicts=job.replace_conflicts,
            user=job.created_by,
            options=options_of(job.mapping),
            rejected_path=rejected_path,
            source_name=job.original_name,
        )
    return import_readings(
        ImportRequest(
            site=job.site,
            path=path,
            layout=layout_of(job.mapping),
            options=options_of(job.mapping),
            dry_run=job.dry_run,
            replace_conflicts=job.replace_conflicts,
            user=job.created_by,
            source_name=job.original_name,
            rejected_path=rejected_path,
            progress=lambda progress: set_progress(job.pk, progress),
        )
    )


# A running job whose worker has not reported for this long is taken as stopped. The pipeline
# reports after every chunk, which takes seconds, so this leaves a wide margin.
STALLED_AFTER_SECONDS = 15 * 60


def fail_if_stalled(job: ImportJob, now: float | None = None) -> bool:
    """Mark a running job failed when its worker stopped reporting; return True if it did.

    An import is stored in one transaction, so a worker that died mid-file stored nothing.
    The message explains this and tells the user to start the import again.
    """
    if job.status != JobStatus.RUNNING:
        return False
    progress = get_progress(job.pk) or {}
    updated_at = progress.get("updated_at")
    current = time.time() if now is None else now
    if updated_at is not None and current - float(updated_at) < STALLED_AFTER_SECONDS:
        return False
    if updated_at is None and job.created_at.timestamp() > current - STALLED_AFTER_SECONDS:
        return False
    logger.warning("import job %s stalled: no progress since %s", job.pk, updated_at)
    job.status = JobStatus.FAILED
    job.finished_at = timezone.now()
    job.report = {
        **(job.report or {}),
        "error": gettext(
            "The worker stopped during the import. Nothing from this file was stored, because an import "
            "is stored all at once; start the import again."
        ),
        "error_code": "worker_stopped",
        "dry_run": job.dry_run,
    }
    job.save(update_fields=["status", "finished_at", "report"])
    return True
