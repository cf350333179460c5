"""Import jobs: queued through the tasks framework and run by the database-backed worker."""

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from cleanprod.ingest.models import DataSource, ImportJob, JobStatus
from cleanprod.ingest.progress import get_progress, set_progress
from cleanprod.ingest.services import commit_dry_run, fail_if_stalled, start_import
from cleanprod.metering.models import Meter, Reading
from cleanprod.organization.models import Enterprise, OrganizationUnit, Site
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Factor, Resource
from cleanprod.resources.seed import load_seed

pytestmark = pytest.mark.django_db(transaction=True)

CSV = b"timestamp,M1\r\n2024-03-01 00:15,1.5\r\n2024-03-01 00:30,oops\r\n2024-03-01 00:45,2.5\r\n"


@pytest.fixture
def job_site(django_user_model, settings, tmp_path) -> tuple[Site, object]:
    settings.MEDIA_ROOT = tmp_path / "media"
    # Transactional tests flush the database, data migrations included.
    load_seed(Resource, Factor)
    enterprise = Enterprise.objects.create(name="Jobs", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="jobs", name="Jobs site")
    Meter.objects.create(
        site=site,
        code="M1",
        name="M1",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        reading_kind="interval",
    )
    user = django_user_model.objects.create_user("importer", password="x-secret-1")
    return site, user


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def test_dry_run_job_then_commit(job_site):
    site, user = job_site

    job = start_import(
        user=user,
        site=site,
        upload=SimpleUploadedFile("meter.csv", CSV),
        layout="wide",
        timestamp_columns=["timestamp"],
        save_as_source="SCADA export",
        dry_run=True,
    )
    queued = get_progress(job.pk)
    assert queued is not None
    assert queued["phase"] == "queued"
    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.report["inserted"] == 2
    assert job.report["rejected_by_code"] == {"invalid_number": 1}
    assert Reading.objects.count() == 0
    rejected = job.rejected_file.read().decode("utf-8-sig")
    assert "oops" in rejected
    assert DataSource.objects.get(site=site, name="SCADA export").timestamp_columns == ["timestamp"]

    real = commit_dry_run(job, user)
    run_worker()

    real.refresh_from_db()
    assert real.status == JobStatus.SUCCEEDED
    assert real.report["dry_run"] is False
    assert real.batch is not None
    assert Reading.objects.count() == 2
    finished = get_progress(real.pk)
    assert finished is not None
    assert finished["percent"] == 100.0


def test_whole_file_problem_fails_the_job_with_its_message(job_site):
    site, user = job_site
    upload = SimpleUploadedFile("meter.csv", b"time,M1\r\n2024-03-01 00:15,1.5\r\n")

    job = start_import(user=user, site=site, upload=upload, layout="wide", timestamp_columns=["timestamp"])
    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.report["error_code"] == "missing_column"
    assert "timestamp" in job.report["error"]
    assert ImportJob.objects.count() == 1


def test_production_file_goes_to_the_production_importer(job_site):
    site, user = job_site
    OrganizationUnit.objects.create(site=site, code="line-1", name="Line 1", kind="production_line")
    upload = SimpleUploadedFile(
        "output.csv",
        '组织单元,产品,开始日期,结束日期,产量,单位\r\nline-1,product,2024-03-01,2024-03-01,"1,234.5",t\r\n'.encode(
            "gbk"
        ),
    )

    job = start_import(user=user, site=site, upload=upload, kind="production", dry_run=False)
    run_worker()

    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.report["inserted"] == 1
    assert job.report["encoding"] == "GB18030"
    record = ProductionRecord.objects.get(site=site)
    assert record.quantity == Decimal("1234.5")
    assert record.batch is not None
    assert record.batch.source_name == "output.csv"


def test_long_file_job_counts_and_reimport(job_site, settings):
    """A long-format export of 20 meters runs as a background job; importing it again adds nothing."""
    settings.CLEANPROD_IMPORT_CHUNK_ROWS = 1000
    site, user = job_site
    electricity = Resource.objects.get(code="electricity")
    codes = [f"F{index:02d}" for index in range(20)]
    Meter.objects.bulk_create(
        Meter(site=site, code=code, name=code, resource=electricity, unit="kWh", reading_kind="interval")
        for code in codes
    )
    lines = ["meter,timestamp,kwh"]
    for step in range(7 * 96):
        hour, minute = divmod(15 * step, 60)
        stamp = f"2024-01-{1 + hour // 24:02d} {hour % 24:02d}:{minute:02d}"
        lines.extend(f"{code},{stamp},{1 + step % 9}.25" for code in codes)
    content = ("\n".join(lines) + "\n").encode()
    arguments: dict[str, Any] = {
        "layout": "long",
        "timestamp_columns": ["timestamp"],
        "meter_column": "meter",
        "value_column": "kwh",
    }

    first = start_import(
        user=user, site=site, upload=SimpleUploadedFile("year.csv", content), dry_run=False, **arguments
    )
    run_worker()
    again = start_import(
        user=user, site=site, upload=SimpleUploadedFile("year.csv", content), dry_run=False, **arguments
    )
    run_worker()

    first.refresh_from_db()
    again.refresh_from_db()
    assert first.report["rows_read"] == 20 * 7 * 96
    assert first.report["inserted"] == 20 * 7 * 96
    assert first.report["rejected"] == 0
    assert again.report["inserted"] == 0
    assert again.report["duplicates_identical"] == 20 * 7 * 96
    assert [item["batch"] for item in again.report["already_imported"]] == [first.batch_id]
    assert Reading.objects.count() == 20 * 7 * 96


def test_dry_run_is_committed_once(job_site):
    site, user = job_site
    dry_run = start_import(
        user=user,
        site=site,
        upload=SimpleUploadedFile("meter.csv", CSV),
        layout="wide",
        timestamp_columns=["timestamp"],
        dry_run=True,
    )
    run_worker()
    dry_run.refresh_from_db()

    first = commit_dry_run(dry_run, user)
    second = commit_dry_run(dry_run, user)

    assert first.pk == second.pk
    assert ImportJob.objects.filter(dry_run=False).count() == 1


def test_stalled_job_is_failed_with_an_explanation(job_site):
    site, user = job_site
    job = start_import(
        user=user,
        site=site,
        upload=SimpleUploadedFile("meter.csv", CSV),
        layout="wide",
        timestamp_columns=["timestamp"],
        dry_run=False,
    )
    job.status = JobStatus.RUNNING
    job.save()
    set_progress(job.pk, {"phase": "reading", "rows_read": 10, "total_rows": 100, "percent": 10.0})
    progress = get_progress(job.pk)
    assert progress is not None
    last_report = progress["updated_at"]

    assert fail_if_stalled(job, now=last_report + 60) is False
    assert fail_if_stalled(job, now=last_report + 16 * 60) is True

    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.report["error_code"] == "worker_stopped"
    assert Reading.objects.count() == 0
