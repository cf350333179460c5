"""Derived consumption follows meter settings, and changes keep their history."""

from datetime import UTC, date, datetime

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from cleanprod.ingest.parsing import WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering.models import DailyRollup, Meter, MeterReplacement, Reading
from cleanprod.organization.models import Enterprise, Site
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def immediate_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def counter(tmp_path) -> Meter:
    enterprise = Enterprise.objects.create(name="Recompute", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="recompute", name="Recompute site")
    meter = Meter.objects.create(
        site=site,
        code="C1",
        name="C1",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        reading_kind="cumulative",
    )
    path = tmp_path / "c1.csv"
    path.write_text("timestamp,C1\n2024-03-01 00:00,100\n2024-03-01 00:15,110\n2024-03-01 00:30,125\n")
    import_readings(ImportRequest(site=site, path=path, layout=WideLayout(("timestamp",)), dry_run=False))
    return meter


def day_total(meter: Meter) -> float:
    return DailyRollup.objects.get(meter=meter, day=date(2024, 3, 1)).quantity


def test_multiplier_change_recomputes_in_background(counter, immediate_tasks, django_capture_on_commit_callbacks):
    assert day_total(counter) == pytest.approx(25.0)

    with django_capture_on_commit_callbacks(execute=True):
        counter.multiplier = 40  # CT ratio 200/5 fitted after commissioning
        counter.save()

    assert day_total(counter) == pytest.approx(1000.0)
    assert Reading.objects.get(meter=counter, timestamp=datetime(2024, 2, 29, 16, 30, tzinfo=UTC)).consumption == (
        pytest.approx(600.0)
    )


def test_name_change_recomputes_nothing(counter, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        counter.name = "Main incomer"
        counter.save()

    assert callbacks == []


def test_replacement_recorded_later_recomputes(counter, immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        MeterReplacement.objects.create(
            meter=counter,
            replaced_at=datetime(2024, 2, 29, 16, 20, tzinfo=UTC),
            old_final_reading=112.0,
            new_initial_reading=10.0,
        )

    # 00:15–00:30: 2 kWh on the old meter (110 → 112) and 115 on the new one (10 → 125).
    assert day_total(counter) == pytest.approx(10.0 + 2.0 + 115.0)


def test_recompute_command_rebuilds_rollups(counter):
    DailyRollup.objects.filter(meter=counter).update(quantity=0.0)

    call_command("recompute", "--site", "recompute", "--meter", "C1", verbosity=0)

    assert day_total(counter) == pytest.approx(25.0)


def test_meter_changes_keep_history_with_user(counter, client):
    admin = User.objects.create_superuser("root", password="root-password-1")
    client.force_login(admin)

    response = client.post(
        f"/admin/metering/meter/{counter.pk}/change/",
        {
            "site": counter.site_id,
            "code": "C1",
            "name": "Main incomer",
            "resource": counter.resource_id,
            "unit": "kWh",
            "reading_kind": "cumulative",
            # The change form shows every field, so it posts the default flow as well.
            "flow": "consumption",
            "multiplier": "1",
            "timestamp_convention": "end",
            "interval_minutes": 15,
            "active": "on",
            "terms-TOTAL_FORMS": 0,
            "terms-INITIAL_FORMS": 0,
            "terms-MIN_NUM_FORMS": 0,
            "terms-MAX_NUM_FORMS": 1000,
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    latest, previous = counter.history.order_by("-history_date")[:2]
    assert latest.history_user == admin
    delta = latest.diff_against(previous)
    assert [(change.field, change.old, change.new) for change in delta.changes] == [("name", "C1", "Main incomer")]
