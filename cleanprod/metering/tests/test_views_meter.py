from datetime import UTC, date, datetime, timedelta

import pytest
from django.urls import reverse

from cleanprod.metering.charts import daily_chart_data
from cleanprod.metering.findings import FINDING_DESCRIPTIONS, describe_finding, evidence_items
from cleanprod.metering.models import (
    DailyRollup,
    Finding,
    FindingStatus,
    HourlyRollup,
    ImportBatch,
    Meter,
    MeterReplacement,
    Reading,
    VirtualMeterTerm,
)
from cleanprod.metering.queries import SeriesPoint

pytestmark = pytest.mark.django_db

# Finding codes that the meter page must describe in words.
STORED_FINDING_CODES = [
    "counter.rollover",
    "counter.reset",
    "counter.glitch",
    "counter.decrease",
    "counter.gap",
    "counter.replacement",
    "counter.daily_reset",
    "interval.negative",
    "import.conflict",
]


def detail_url(meter: Meter, **query: str) -> str:
    url = reverse("metering:meter-detail", args=[meter.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def daily_url(meter: Meter, **query: str) -> str:
    url = reverse("metering:meter-daily-json", args=[meter.pk])
    if query:
        url += "?" + "&".join(f"{key}={value}" for key, value in query.items())
    return url


def review_url(finding: Finding) -> str:
    return reverse("metering:finding-review", args=[finding.meter_id, finding.pk])


def add_days(
    meter: Meter,
    first_day: date,
    quantities: list[float],
    coverage: list[float] | None = None,
    estimated: list[float] | None = None,
) -> None:
    """Store daily rollups; coverage and estimated default to full and zero."""
    for offset, quantity in enumerate(quantities):
        covered = 86400.0 * (coverage[offset] if coverage else 1.0)
        DailyRollup.objects.create(
            meter=meter,
            day=first_day + timedelta(days=offset),
            quantity=quantity,
            estimated=estimated[offset] if estimated else 0.0,
            covered_seconds=covered,
        )


def add_hours(meter: Meter, first_hour: datetime, quantities: list[float]) -> None:
    for offset, quantity in enumerate(quantities):
        HourlyRollup.objects.create(
            meter=meter, hour_start=first_hour + timedelta(hours=offset), quantity=quantity, covered_seconds=3600.0
        )


@pytest.fixture
def history(meter_a):
    """Three days of data on meter A, the middle day partial, with a finding and a batch."""
    add_days(meter_a, date(2024, 3, 1), [100.0, 40.0, 120.0], coverage=[1.0, 0.5, 1.0], estimated=[0.0, 0.0, 20.0])
    add_hours(meter_a, datetime(2024, 3, 3, 0, tzinfo=UTC), [5.0, 6.0, 7.0])
    batch = ImportBatch.objects.create(site=meter_a.site, source_name="3月电表导出.csv", rows_inserted=3)
    Reading.objects.create(meter=meter_a, timestamp=datetime(2024, 3, 1, 0, tzinfo=UTC), value=1000.0, batch=batch)
    Reading.objects.create(meter=meter_a, timestamp=datetime(2024, 3, 3, 16, tzinfo=UTC), value=1260.0, batch=batch)
    ImportBatch.objects.create(site=meter_a.site, source_name="其他表的文件.csv")
    MeterReplacement.objects.create(
        meter=meter_a,
        replaced_at=datetime(2024, 3, 2, 2, tzinfo=UTC),
        old_final_reading=1100.0,
        new_initial_reading=0.0,
        old_serial="OLD-1",
        new_serial="NEW-2",
    )
    finding = Finding.objects.create(
        meter=meter_a,
        timestamp=datetime(2024, 3, 2, 4, tzinfo=UTC),
        code="counter.decrease",
        evidence={
            "previous_timestamp": "2024-03-02T03:00:00+00:00",
            "previous": 1100.0,
            "value": 1090.5,
            "delta": -9.5,
        },
        blocking=True,
    )
    return finding


def test_meter_detail_renders_master_data_and_charts(client_for, alice, meter_a, history):
    response = client_for(alice).get(detail_url(meter_a))

    assert response.status_code == 200
    assert response.context["period"].start == date(2024, 3, 1)
    assert response.context["period"].end == date(2024, 3, 3)
    daily = response.context["daily_chart"]
    assert daily["unit"] == "kWh"
    assert daily["labels"] == ["2024-03-01", "2024-03-02", "2024-03-03"]
    assert daily["measured"] == [100.0, None, 100.0]
    assert daily["measured_partial"] == [None, 40.0, None]
    assert daily["estimated"] == [0.0, 0.0, 20.0]
    assert daily["partial"] == [False, True, False]
    hourly = response.context["hourly_chart"]
    assert hourly["labels"] == ["03-03 08:00", "03-03 09:00", "03-03 10:00"]
    body = response.content.decode()
    assert 'id="daily-chart-data"' in body
    assert 'id="hourly-chart-data"' in body
    assert "vendor/echarts.min.js" in body
    assert "E-A-MAIN" in body
    assert "OLD-1" in body
    assert "3月电表导出.csv" in body
    assert "其他表的文件.csv" not in body


def test_meter_detail_in_chinese_by_default(client_for, alice, meter_a, history):
    body = client_for(alice).get(detail_url(meter_a)).content.decode()

    assert "计量器具" in body or "电表" in body
    assert "累计" in body
    assert "计数器在没有" in body  # description of counter.decrease
    assert "上一读数" in body  # evidence label
    assert "标记为已复核" in body


def test_meter_detail_in_english(client_for, alice, meter_a, history):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get(detail_url(meter_a))

    body = response.content.decode()
    assert "cumulative counter" in body
    assert "The counter went down without a rollover" in body
    assert "previous reading" in body
    assert "2024-03-02 11:00:00" in body  # evidence timestamp in the site's zone
    assert response.context["chart_labels"]["measured_partial"] == "Measured, partial day"


def test_meter_detail_period_selector(client_for, alice, meter_a, history):
    response = client_for(alice).get(detail_url(meter_a, start="2024-03-02", end="2024-03-02"))

    assert response.context["daily_chart"]["labels"] == ["2024-03-02"]
    assert [row.finding.code for row in response.context["findings"]] == ["counter.decrease"]

    response = client_for(alice).get(detail_url(meter_a, start="2024-03-03", end="2024-03-03"))

    assert response.context["findings"] == []


def test_meter_detail_rejects_reversed_period(client_for, alice, meter_a, history):
    response = client_for(alice).get(detail_url(meter_a, start="2024-03-03", end="2024-03-01"))

    assert response.status_code == 200
    assert response.context["form"].errors["__all__"].as_data()[0].code == "period_reversed"
    body = response.content.decode()
    assert "2024-03-01" in body
    assert "早于" in body
    # The page falls back to the default period.
    assert response.context["period"].end == date(2024, 3, 3)


def test_meter_detail_rejects_bad_date(client_for, alice, meter_a):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get(detail_url(meter_a, start="yesterday"))

    assert response.status_code == 200
    assert "Enter the first day as a date in the form YYYY-MM-DD." in response.content.decode()


def test_meter_detail_without_data(client_for, alice, meter_a):
    response = client_for(alice).get(detail_url(meter_a))

    assert response.status_code == 200
    assert response.context["daily_chart"]["labels"] == []
    assert 'id="daily-chart"' not in response.content.decode()


def test_virtual_meter_detail_combines_terms(client_for, alice, site_a, meter_a):
    sub = Meter.objects.create(site=site_a, code="E-A-SUB", name="分表", resource=meter_a.resource, unit="kWh")
    virtual = Meter.objects.create(
        site=site_a, code="E-A-REST", name="其余用电", resource=meter_a.resource, unit="kWh", is_virtual=True
    )
    VirtualMeterTerm.objects.create(virtual_meter=virtual, source=meter_a, sign=1)
    VirtualMeterTerm.objects.create(virtual_meter=virtual, source=sub, sign=-1)
    add_days(meter_a, date(2024, 3, 1), [100.0, 90.0])
    add_days(sub, date(2024, 3, 1), [30.0])

    response = client_for(alice).get(detail_url(virtual))

    assert response.status_code == 200
    daily = response.context["daily_chart"]
    assert daily["total"] == [70.0, 90.0]
    # The sub-meter has no data on 2 March, so that day of the difference is incomplete.
    assert daily["partial"] == [False, True]
    body = response.content.decode()
    assert reverse("metering:meter-detail", args=[sub.pk]) in body


def test_meter_pages_of_other_site_are_404(client_for, alice, bob, meter_a, meter_b):
    alice_client = client_for(alice)
    assert alice_client.get(detail_url(meter_b)).status_code == 404
    assert alice_client.get(daily_url(meter_b)).status_code == 404
    assert client_for(bob).get(detail_url(meter_a)).status_code == 404
    assert client_for(bob).get(daily_url(meter_a)).status_code == 404


def test_daily_json_other_site_error_shape(client_for, alice, meter_b):
    response = client_for(alice).get(daily_url(meter_b))

    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_meter_pages_404_for_outsider(client_for, charlie, meter_a):
    assert client_for(charlie).get(detail_url(meter_a)).status_code == 404
    assert client_for(charlie).get(daily_url(meter_a)).status_code == 404


def test_meter_pages_for_ehs_manager_and_auditor(client_for, erin, carol, meter_a, meter_b):
    assert client_for(erin).get(detail_url(meter_b)).status_code == 200
    assert client_for(carol).get(detail_url(meter_a)).status_code == 200
    assert client_for(carol).get(daily_url(meter_a)).status_code == 200


def test_meter_daily_json(client_for, alice, meter_a, history):
    response = client_for(alice).get(daily_url(meter_a, start="2024-03-01", end="2024-03-02"))

    assert response.status_code == 200
    data = response.json()
    assert data["meter"]["code"] == "E-A-MAIN"
    assert data["unit"] == "kWh"
    assert data["start"] == "2024-03-01"
    assert data["end"] == "2024-03-02"
    assert data["labels"] == ["2024-03-01", "2024-03-02"]
    assert data["coverage_percent"] == [100.0, 50.0]
    assert data["partial"] == [False, True]


def test_meter_daily_json_rejects_bad_period(client_for, alice, meter_a):
    response = client_for(alice).get(daily_url(meter_a, start="2024-03-05", end="2024-03-01"))

    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "period_reversed"
    assert "2024-03-01" in error["message"]


def test_meter_daily_json_rejects_long_period(client_for, alice, meter_a):
    response = client_for(alice).get(daily_url(meter_a, start="2020-01-01", end="2024-01-01"))

    assert response.status_code == 400
    assert response.json()["error"]["code"] == "period_too_long"


def test_finding_review_by_site_manager(client_for, alice, meter_a, history):
    response = client_for(alice).post(review_url(history), {"next": detail_url(meter_a)})

    assert response.status_code == 302
    assert response["Location"] == detail_url(meter_a)
    history.refresh_from_db()
    assert history.status == FindingStatus.REVIEWED
    assert history.reviewed_by == alice
    assert history.reviewed_at is not None


def test_finding_review_ignores_foreign_next(client_for, alice, meter_a, history):
    response = client_for(alice).post(review_url(history), {"next": "https://example.com/"})

    assert response["Location"] == detail_url(meter_a)


def test_finding_review_forbidden_for_auditor(client_for, carol, meter_a, history):
    response = client_for(carol).post(review_url(history))

    assert response.status_code == 403
    history.refresh_from_db()
    assert history.status == FindingStatus.OPEN


def test_finding_review_button_hidden_for_auditor(client_for, carol, meter_a, history):
    body = client_for(carol).get(detail_url(meter_a)).content.decode()

    assert review_url(history) not in body


def test_finding_review_of_other_site_is_404(client_for, bob, meter_a, history):
    assert client_for(bob).post(review_url(history)).status_code == 404


def test_finding_review_forbidden_for_data_entry(client_for, bob, meter_b):
    finding = Finding.objects.create(meter=meter_b, timestamp=datetime(2024, 3, 1, tzinfo=UTC), code="counter.gap")

    assert client_for(bob).post(review_url(finding)).status_code == 403


def test_finding_review_needs_post(client_for, alice, history):
    assert client_for(alice).get(review_url(history)).status_code == 405


def test_meter_pages_redirect_anonymous_to_login(client, meter_a, history):
    for url in (detail_url(meter_a), daily_url(meter_a)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    assert client.post(review_url(history)).status_code == 302


def test_meter_detail_query_count(client_for, alice, meter_a, history, django_assert_num_queries):
    client = client_for(alice)
    # Session, user, site scope, meter, daily span (2), first and last reading (2), findings,
    # sub-meters, daily series, newest hour, hourly series, open findings, replacements,
    # batches, the CONFIGURE check (2). None of them reads more than one reading.
    with django_assert_num_queries(18):
        response = client.get(detail_url(meter_a))
    assert response.status_code == 200


def test_meter_daily_json_query_count(client_for, alice, meter_a, history, django_assert_num_queries):
    client = client_for(alice)
    # Session, user, site scope, meter, daily series.
    with django_assert_num_queries(5):
        response = client.get(daily_url(meter_a, start="2024-03-01", end="2024-03-03"))
    assert response.status_code == 200


def test_every_listed_finding_code_has_description():
    for code in STORED_FINDING_CODES:
        assert code in FINDING_DESCRIPTIONS
        assert describe_finding(code) != code


def test_unknown_finding_code_shown_as_is():
    assert describe_finding("counter.something_new") == "counter.something_new"


def test_evidence_items_format_values(settings):
    from zoneinfo import ZoneInfo

    items = dict(
        evidence_items(
            {"previous_timestamp": "2024-03-02T03:00:00+00:00", "delta": 99999999.5, "new_key": "x"},
            ZoneInfo("Asia/Shanghai"),
        )
    )

    assert items["previous reading at"] == "2024-03-02 11:00:00"
    assert "99999999.5" in items.values()
    assert items["new_key"] == "x"


def test_daily_chart_data_splits_partial_days():
    points = [
        SeriesPoint(date(2024, 3, 1), 10.0, 2.0, 0.0, 1.0),
        SeriesPoint(date(2024, 3, 2), 5.0, 0.0, 1.5, 0.25),
        SeriesPoint(date(2024, 3, 3), 8.0, 0.0, 0.0, 0.9999999999),
    ]

    data = daily_chart_data(points, "kWh")

    assert data["measured"] == [8.0, None, 8.0]
    assert data["measured_partial"] == [None, 5.0, None]
    assert data["estimated"] == [2.0, 0.0, 0.0]
    assert data["partial"] == [False, True, False]
    assert data["suspect"] == [0.0, 1.5, 0.0]
    assert data["coverage_percent"] == [100.0, 25.0, 100.0]
