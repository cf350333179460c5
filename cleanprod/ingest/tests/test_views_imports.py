from datetime import UTC, datetime
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cleanprod.ingest.forms import parse_meter_columns
from cleanprod.ingest.models import DataSource, ImportJob, JobStatus, Layout
from cleanprod.ingest.progress import set_progress
from cleanprod.ingest.report import REJECTION_REASONS, build_report_view
from cleanprod.organization.models import Site

pytestmark = pytest.mark.django_db

JOB_LIST = reverse("ingest:job-list")
JOB_NEW = reverse("ingest:job-new")

LONG_CSV = (
    "时间,表号,读数\n"
    "2024-03-01 00:00,E-A-MAIN,1000\n"
    "2024-03-01 01:00,E-A-MAIN,1010.5\n"
    "2024-03-01 02:00,E-A-MAIN,abc\n"
    "2024-03-01 03:00,E-X-UNKNOWN,5\n"
).encode()

REPORT = {
    "encoding": "GB18030",
    "delimiter": ",",
    "decimal_separator": ".",
    "thousands_separator": None,
    "date_order": "ymd",
    "excel_date_system": None,
    "file_kind": "csv",
    "hints": ["midnight_previous_day_suspected"],
    "rows_read": 4,
    "values_read": 4,
    "missing_values": 0,
    "inserted": 2,
    "duplicates_identical": 0,
    "conflicts_rejected": 0,
    "conflicts_replaced": 0,
    "rejected": 2,
    "rejected_by_code": {"invalid_number": 1, "unknown_meter": 1},
    "rejected_sample": [
        {"row": 4, "column": "读数", "value": "abc", "code": "invalid_number", "message": "第 4 行……"},
        {"row": 5, "column": "E-X-UNKNOWN", "value": "5.0", "code": "unknown_meter", "message": "……"},
    ],
    "meters": [
        {
            "code": "E-A-MAIN",
            "name": "A 总进线电表",
            "inserted": 2,
            "first": "2024-02-29T16:00:00+00:00",
            "last": "2024-02-29T17:00:00+00:00",
        }
    ],
    "already_imported": [{"batch": 7, "created_at": "2024-03-02T01:00:00+00:00"}],
    "dry_run": True,
}


def job_url(name: str, job: ImportJob) -> str:
    return reverse(f"ingest:{name}", args=[job.pk])


def make_job(
    site: Site,
    user: User | None = None,
    *,
    status: str = JobStatus.SUCCEEDED,
    dry_run: bool = True,
    report: dict[str, Any] | None = None,
    rejected_csv: bytes | None = None,
) -> ImportJob:
    job = ImportJob(
        site=site,
        original_name="3月电表导出.csv",
        dry_run=dry_run,
        status=status,
        created_by=user,
        report=REPORT if report is None else report,
        mapping={"layout": "long", "timestamp_columns": ["时间"], "meter_column": "表号", "value_column": "读数"},
    )
    job.file.save("3月电表导出.csv", ContentFile(LONG_CSV), save=False)
    if rejected_csv is not None:
        job.rejected_file.save(f"job-rejected-{site.code}.csv", ContentFile(rejected_csv), save=False)
    job.save()
    return job


def long_layout_post(site: Site, **changes: Any) -> dict[str, Any]:
    data = {
        "site": str(site.pk),
        "file": SimpleUploadedFile("3月电表导出.csv", LONG_CSV, content_type="text/csv"),
        "layout": Layout.LONG,
        "timestamp_columns": "时间",
        "meter_column": "表号",
        "value_column": "读数",
        "dry_run": "on",
        "header_row": "1",
    }
    data.update(changes)
    return data


@pytest.fixture
def job_a(site_a, alice, media_root):
    return make_job(
        site_a, alice, rejected_csv="row,column,value,code,reason\r\n4,读数,abc,invalid_number,x\r\n".encode()
    )


@pytest.fixture
def job_b(site_b, bob, media_root):
    return make_job(site_b, bob, rejected_csv=b"row,column,value,code,reason\r\n")


# The job list


def test_job_list_shows_only_own_site(client_for, alice, job_a, job_b):
    response = client_for(alice).get(JOB_LIST)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == [job_a]
    body = response.content.decode()
    assert job_url("job-detail", job_a) in body
    assert job_url("job-detail", job_b) not in body
    assert JOB_NEW in body


def test_job_list_in_chinese_and_english(client_for, alice, job_a):
    client = client_for(alice)
    assert "导入" in client.get(JOB_LIST).content.decode()

    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    body = client.get(JOB_LIST).content.decode()
    assert "Import a file" in body
    assert "dry run" in body


def test_job_list_for_auditor_has_no_import_link(client_for, carol, job_a):
    body = client_for(carol).get(JOB_LIST).content.decode()

    assert job_url("job-detail", job_a) in body
    assert JOB_NEW not in body


def test_job_list_empty_for_outsider(client_for, charlie, job_a, job_b):
    response = client_for(charlie).get(JOB_LIST)

    assert response.status_code == 200
    assert list(response.context["page"].object_list) == []


# The upload form


def test_job_new_renders_for_importers(client_for, alice, bob, site_a, site_b):
    response = client_for(alice).get(JOB_NEW)
    assert response.status_code == 200
    assert list(response.context["form"].fields["site"].queryset) == [site_a]
    assert 'id="data-source-values"' in response.content.decode()

    response = client_for(bob).get(JOB_NEW)
    assert list(response.context["form"].fields["site"].queryset) == [site_b]


def test_job_new_in_english(client_for, alice):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    body = client.get(JOB_NEW).content.decode()

    assert "Replace conflicting values" in body
    assert "Dry run" in body


def test_job_new_in_chinese(client_for, alice):
    body = client_for(alice).get(JOB_NEW).content.decode()

    assert "试运行" in body
    assert "小数点" in body


def test_job_new_forbidden_without_import_right(client_for, carol, charlie):
    assert client_for(carol).get(JOB_NEW).status_code == 403
    assert client_for(charlie).get(JOB_NEW).status_code == 403


def test_job_new_post_forbidden_for_auditor(client_for, carol, site_a, media_root):
    response = client_for(carol).post(JOB_NEW, long_layout_post(site_a))

    assert response.status_code == 403
    assert not ImportJob.objects.exists()


def test_job_new_creates_dry_run(client_for, alice, site_a, media_root):
    response = client_for(alice).post(JOB_NEW, long_layout_post(site_a))

    job = ImportJob.objects.get()
    assert response.status_code == 302
    assert response["Location"] == job_url("job-detail", job)
    assert job.site == site_a
    assert job.dry_run is True
    assert job.replace_conflicts is False
    assert job.created_by == alice
    assert job.original_name == "3月电表导出.csv"
    assert job.mapping["layout"] == "long"
    assert job.mapping["timestamp_columns"] == ["时间"]
    assert job.mapping["meter_column"] == "表号"
    assert job.mapping["value_column"] == "读数"


def test_job_new_passes_declared_options(client_for, alice, site_a, media_root):
    data = long_layout_post(
        site_a,
        encoding="gb18030",
        delimiter="semicolon",
        decimal_separator="comma",
        thousands_separator="point",
        date_order="dmy",
        excel_date_system="1904",
        midnight_is_previous_day="on",
        replace_conflicts="on",
    )

    client_for(alice).post(JOB_NEW, data)

    job = ImportJob.objects.get()
    assert job.replace_conflicts is True
    assert job.mapping["options"] == {
        "encoding": "gb18030",
        "delimiter": ";",
        "decimal_separator": ",",
        "thousands_separator": ".",
        "date_order": "dmy",
        "excel_date_system": 1904,
        "midnight_is_previous_day": True,
    }


def test_job_new_wide_layout_and_saved_source(client_for, alice, site_a, media_root):
    data = long_layout_post(
        site_a,
        layout=Layout.WIDE,
        timestamp_columns="日期, 时间",
        meter_columns="1#进线=E-A-MAIN\n\n2#进线 = E-A-2",
        ignore_columns="备注, 班次",
        save_as_source="能源管理系统",
    )
    data.pop("dry_run")

    client_for(alice).post(JOB_NEW, data)

    job = ImportJob.objects.get()
    assert job.dry_run is False
    assert job.mapping["timestamp_columns"] == ["日期", "时间"]
    assert job.mapping["meter_columns"] == {"1#进线": "E-A-MAIN", "2#进线": "E-A-2"}
    assert job.mapping["ignore_columns"] == ["备注", "班次"]
    assert job.mapping["meter_column"] == ""
    source = DataSource.objects.get(site=site_a, name="能源管理系统")
    assert job.data_source == source
    assert source.layout == Layout.WIDE


def test_job_new_uses_saved_source_mapping(client_for, alice, site_a, media_root):
    source = DataSource.objects.create(
        site=site_a,
        name="SCADA",
        layout=Layout.LONG,
        timestamp_columns=["时间"],
        meter_column="表号",
        value_column="读数",
        options={"decimal_separator": ","},
    )
    data = long_layout_post(site_a, data_source=str(source.pk), timestamp_columns="", meter_column="", value_column="")

    response = client_for(alice).post(JOB_NEW, data)

    assert response.status_code == 302
    job = ImportJob.objects.get()
    assert job.data_source == source
    assert job.mapping["meter_column"] == "表号"
    assert job.mapping["options"] == {"decimal_separator": ","}


def test_job_new_rejects_site_of_other_user(client_for, alice, site_b, media_root):
    response = client_for(alice).post(JOB_NEW, long_layout_post(site_b))

    assert response.status_code == 200
    assert response.context["form"].errors["site"][0]
    assert not ImportJob.objects.exists()


def test_job_new_rejects_source_of_other_site(client_for, erin, site_a, site_b, media_root):
    source_b = DataSource.objects.create(site=site_b, name="B 的系统", timestamp_columns=["时间"])

    response = client_for(erin).post(JOB_NEW, long_layout_post(site_a, data_source=str(source_b.pk)))

    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["data_source"][0].code == "source_other_site"


def test_job_new_requires_long_layout_columns(client_for, alice, site_a, media_root):
    response = client_for(alice).post(JOB_NEW, long_layout_post(site_a, meter_column="", timestamp_columns="a,b,c"))

    errors = response.context["form"].errors.as_data()
    assert errors["meter_column"][0].code == "required_for_long_layout"
    assert errors["timestamp_columns"][0].code == "too_many_timestamp_columns"
    assert not ImportJob.objects.exists()


def test_job_new_rejects_bad_meter_column_line(client_for, alice, site_a, media_root):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.post(JOB_NEW, long_layout_post(site_a, layout=Layout.WIDE, meter_columns="1#进线 E-A-MAIN"))

    assert "Line 1 “1#进线 E-A-MAIN” is not of the form header=meter code." in response.content.decode()


def test_job_new_rejects_unsupported_file(client_for, alice, site_a, media_root):
    data = long_layout_post(site_a, file=SimpleUploadedFile("old.xls", b"\xd0\xcf\x11\xe0"))

    response = client_for(alice).post(JOB_NEW, data)

    assert response.context["form"].errors.as_data()["file"][0].code == "invalid_extension"


def test_parse_meter_columns_rejects_duplicate_header():
    with pytest.raises(ValidationError) as caught:
        parse_meter_columns("A=E-1\nA=E-2")

    assert caught.value.code == "duplicate_meter_column"


# A whole dry run through the form, the task and the report


def test_dry_run_end_to_end(client_for, alice, site_a, media_root, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    client = client_for(alice)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(JOB_NEW, long_layout_post(site_a))

    job = ImportJob.objects.get()
    assert job.status == JobStatus.SUCCEEDED, job.report
    assert job.report["inserted"] == 2
    assert job.report["rejected_by_code"] == {"invalid_number": 1, "unknown_meter": 1}
    response = client.get(job_url("job-detail", job))
    body = response.content.decode()
    assert "正式导入" in body
    assert job_url("job-rejected", job) in body
    assert not site_a.meters.get(code="E-A-MAIN").readings.exists()


# The job page


def test_job_detail_shows_report(client_for, alice, job_a):
    response = client_for(alice).get(job_url("job-detail", job_a))

    assert response.status_code == 200
    report = response.context["report"]
    assert ("字符编码", "GB18030") in report.detected
    assert [code for code, _, _ in report.rejected_by_code] == ["invalid_number", "unknown_meter"]
    assert report.meters[0]["first"] == datetime(2024, 2, 29, 16, 0, tzinfo=UTC)
    body = response.content.decode()
    assert "此文件已导入过" in body
    assert "正式导入" in body
    assert job_url("job-commit", job_a) in body
    assert job_url("job-rejected", job_a) in body
    assert "E-A-MAIN" in body
    assert "2024-03-01 00:00" in body  # first reading in the site's time zone


def test_job_detail_in_english(client_for, alice, job_a):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    body = client.get(job_url("job-detail", job_a)).content.decode()

    assert "This file was already imported." in body
    assert "Import for real" in body
    assert "The value is not a number in the file&#x27;s number format." in body
    assert "No meter with this code exists at the site." in body
    assert "comma (,)" in body
    assert "midnight is previous day" in body


def test_job_detail_hides_commit_from_auditor(client_for, carol, job_a):
    response = client_for(carol).get(job_url("job-detail", job_a))

    assert response.status_code == 200
    assert job_url("job-commit", job_a) not in response.content.decode()


def test_job_detail_of_failed_job(client_for, alice, site_a, media_root):
    job = make_job(
        site_a,
        alice,
        status=JobStatus.FAILED,
        report={"error": "文件既不是 UTF-8 也不是 GB18030 文本", "dry_run": True},
    )

    body = client_for(alice).get(job_url("job-detail", job)).content.decode()

    assert "文件既不是 UTF-8 也不是 GB18030 文本" in body
    assert job_url("job-commit", job) not in body


def test_job_detail_of_running_job_polls(client_for, alice, site_a, media_root):
    job = make_job(site_a, alice, status=JobStatus.RUNNING, report={})

    body = client_for(alice).get(job_url("job-detail", job)).content.decode()

    assert job_url("job-progress", job) in body
    assert "js/import_progress.js" in body


def test_job_pages_of_other_site_are_404(client_for, alice, bob, job_a, job_b):
    alice_client = client_for(alice)
    for name in ("job-detail", "job-progress", "job-rejected"):
        assert alice_client.get(job_url(name, job_b)).status_code == 404, name
        assert client_for(bob).get(job_url(name, job_a)).status_code == 404, name
    assert alice_client.post(job_url("job-commit", job_b)).status_code == 404


def test_job_pages_404_for_outsider(client_for, charlie, job_a):
    for name in ("job-detail", "job-progress", "job-rejected"):
        assert client_for(charlie).get(job_url(name, job_a)).status_code == 404, name


def test_job_pages_redirect_anonymous_to_login(client, job_a):
    for url in (
        JOB_LIST,
        JOB_NEW,
        job_url("job-detail", job_a),
        job_url("job-progress", job_a),
        job_url("job-rejected", job_a),
    ):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login")), url


# Progress


def test_job_progress_while_running(client_for, alice, site_a, media_root, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    job = make_job(site_a, alice, status=JobStatus.RUNNING, report={})
    set_progress(job.pk, {"phase": "reading", "rows_read": 500, "total_rows": 2000, "percent": 25.0})

    data = client_for(alice).get(job_url("job-progress", job)).json()

    assert data["finished"] is False
    assert data["status"] == "running"
    assert data["phase"] == "reading"
    assert data["rows_read"] == 500
    assert data["percent"] == 25.0
    assert data["phase_label"] == "读取并保存行"


def test_job_progress_when_finished(client_for, alice, job_a):
    data = client_for(alice).get(job_url("job-progress", job_a)).json()

    assert data["finished"] is True
    assert data["percent"] == 100.0


def test_job_progress_of_other_site_uses_error_shape(client_for, alice, job_b):
    response = client_for(alice).get(job_url("job-progress", job_b))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


# Commit and download


def test_job_commit_queues_real_import(client_for, alice, job_a):
    response = client_for(alice).post(job_url("job-commit", job_a))

    real = ImportJob.objects.exclude(pk=job_a.pk).get()
    assert response.status_code == 302
    assert response["Location"] == job_url("job-detail", real)
    assert real.dry_run is False
    assert real.mapping == job_a.mapping
    assert real.created_by == alice


def test_job_commit_forbidden_for_auditor(client_for, carol, job_a):
    assert client_for(carol).post(job_url("job-commit", job_a)).status_code == 403
    assert ImportJob.objects.count() == 1


def test_job_commit_by_data_entry_of_own_site(client_for, bob, job_b):
    assert client_for(bob).post(job_url("job-commit", job_b)).status_code == 302
    assert ImportJob.objects.filter(dry_run=False).count() == 1


def test_job_commit_refuses_real_import(client_for, alice, site_a, media_root):
    job = make_job(site_a, alice, dry_run=False)

    response = client_for(alice).post(job_url("job-commit", job))

    assert response.status_code == 302
    assert ImportJob.objects.count() == 1


def test_job_commit_needs_post(client_for, alice, job_a):
    assert client_for(alice).get(job_url("job-commit", job_a)).status_code == 405


def test_job_rejected_csv_download(client_for, alice, carol, job_a):
    for user in (alice, carol):
        response = client_for(user).get(job_url("job-rejected", job_a))

        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment")
        assert "abc,invalid_number" in b"".join(response.streaming_content).decode()


def test_job_rejected_csv_missing(client_for, alice, site_a, media_root):
    job = make_job(site_a, alice)

    assert client_for(alice).get(job_url("job-rejected", job)).status_code == 404


def test_report_view_translates_unknown_codes_as_stored():
    view = build_report_view(
        {"rejected_by_code": {"new_code": 3}, "rejected_sample": [{"row": 2, "code": "new_code", "message": "原文"}]},
        zone=__import__("zoneinfo").ZoneInfo("Asia/Shanghai"),
    )

    assert view.rejected_by_code == [("new_code", "new_code", 3)]
    assert view.rejected_sample[0]["reason"] == "原文"


def test_every_pipeline_rejection_code_has_reason():
    for code in ("invalid_number", "invalid_timestamp", "missing_timestamp", "unknown_meter", "conflict"):
        assert code in REJECTION_REASONS
