"""Dashboard pages and downloads against a ledger that the real import pipeline fills.

Site A over the local days 2024-03-01 and 2024-03-02: the incomer E-A-MAIN on the casting
workshop takes 100 kWh per hour, and its sub-meter E-A-MELT on the melting process 60 kWh,
so 40 % of the incomer is not sub-metered. The workshop produced 12 t of product.
"""

import csv
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from cleanprod.dashboards.periods import Period, PeriodKind
from cleanprod.dashboards.services import compute_scope_indicators, headline_cards
from cleanprod.indicators.formulas import Undefined
from cleanprod.ingest.parsing import WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering.models import Meter
from cleanprod.organization.models import OrganizationUnit, Site
from cleanprod.production.models import ProductionRecord
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

FIRST_DAY = date(2024, 3, 1)
HOURS = 48
HOURLY_KWH = {"E-A-MAIN": 100.0, "E-A-MELT": 60.0}
DAY_QUERY = "?kind=day&day=2024-03-02"
MONTH_QUERY = "?kind=month&day=2024-03-01"

# Upper bounds of the queries of each page: indicators for three periods, the diagnosis and
# a fixed number of grouped rollup queries. A page that read readings or queried per day
# would exceed them as soon as the period grows.
MAX_SITE_QUERIES = 70
MAX_UNIT_QUERIES = 50
MAX_ENTERPRISE_QUERIES = 30


def import_hourly(site: Site, path: Path) -> None:
    """Write one interval value per meter and hour, labelled at the hour's end, and import it."""
    rows: list[list[object]] = [["timestamp", *HOURLY_KWH]]
    for hour in range(1, HOURS + 1):
        day = date.fromordinal(FIRST_DAY.toordinal() + hour // 24)
        rows.append([f"{day.isoformat()} {hour % 24:02d}:00", *HOURLY_KWH.values()])
    with path.open("w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows)
    report = import_readings(
        ImportRequest(site=site, path=path, layout=WideLayout(timestamp_columns=("timestamp",)), dry_run=False)
    )
    assert report["rejected"] == 0, report


@pytest.fixture
def ledger(site_a: Site, meter_a: Meter, tmp_path: Path) -> Site:
    meter_a.reading_kind = "interval"
    meter_a.interval_minutes = 60
    meter_a.save()
    melt = site_a.units.get(code="ws1-line1-melt")
    sub_meter = Meter(
        site=site_a,
        organization_unit=melt,
        code="E-A-MELT",
        name="A 熔炼电表",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        reading_kind="interval",
        interval_minutes=60,
        parent=meter_a,
    )
    sub_meter.full_clean()
    sub_meter.save()
    import_hourly(site_a, tmp_path / "hourly.csv")
    ProductionRecord.objects.create(
        site=site_a,
        organization_unit=site_a.units.get(code="ws1"),
        product=Resource.objects.get(code="product"),
        period_start=FIRST_DAY,
        period_end=date(2024, 3, 2),
        quantity=Decimal("12"),
        unit="t",
        reference="MES-0301",
    )
    return site_a


@pytest.fixture
def ledger_b(site_b: Site, meter_b: Meter) -> Site:
    return site_b


ClientFor = Callable[[User], Client]


def test_site_dashboard_renders_in_chinese(ledger, alice, client_for: ClientFor):
    response = client_for(alice).get(reverse("dashboards:site", args=[ledger.pk]) + DAY_QUERY)

    assert response.status_code == 200
    assert response.headers["Content-Language"] == "zh-hans"
    content = response.content.decode()
    assert "综合能耗" in content
    assert "帕累托" in content
    assert "桑基图" in content
    assert 'id="pareto-chart-data"' in content
    assert 'id="sankey-chart-data"' in content
    assert 'id="load-chart-data"' in content
    assert reverse("dashboards:site-priorities-xlsx", args=[ledger.pk]) in content


def test_site_dashboard_links_units_and_meters(ledger, alice, client_for: ClientFor):
    response = client_for(alice).get(reverse("dashboards:site", args=[ledger.pk]) + DAY_QUERY)

    content = response.content.decode()
    melt = ledger.units.get(code="ws1-line1-melt")
    assert reverse("dashboards:unit", args=[melt.pk]) in content
    for meter in ledger.meters.all():
        assert reverse("metering:meter-detail", args=[meter.pk]) in content


def test_site_dashboard_compares_complete_days(ledger, alice, client_for: ClientFor):
    response = client_for(alice).get(reverse("dashboards:site", args=[ledger.pk]) + DAY_QUERY)

    cards = {card.key: card for card in response.context["cards"]}
    assert cards["electricity"].value == pytest.approx(2_400.0)
    assert cards["electricity"].previous.change == pytest.approx(0.0)
    assert cards["electricity"].previous.change_text == "0.0 %"
    # Nothing was imported for 2023, so last year's day has no coverage and is not compared.
    assert cards["electricity"].last_year.partial_coverage_percent == pytest.approx(0.0)


def test_site_dashboard_shows_energy_per_product(ledger, alice, client_for: ClientFor):
    response = client_for(alice).get(
        reverse("dashboards:site", args=[ledger.pk]) + "?kind=custom&start=2024-03-01&end=2024-03-02"
    )

    cards = {card.key: card for card in response.context["cards"]}
    assert cards["intensity"].unit == "kgce/t"
    # 4,800 kWh × 0.1229 kgce/kWh over 12 t.
    assert cards["intensity"].value == pytest.approx(4_800 * 0.1229 / 12)


def test_running_period_is_partial(ledger, alice, client_for: ClientFor):
    response = client_for(alice).get(reverse("dashboards:site", args=[ledger.pk]) + MONTH_QUERY)

    assert response.status_code == 200
    energy = response.context["cards"][0]
    assert energy.previous.partial_coverage_percent == pytest.approx(0.0)
    assert energy.previous.change_text == "—"
    assert response.context["indicators"].current.partial is True


def test_unit_dashboard_renders_subtree(ledger, carol, client_for: ClientFor):
    workshop = ledger.units.get(code="ws1")

    response = client_for(carol).get(reverse("dashboards:unit", args=[workshop.pk]) + DAY_QUERY)

    assert response.status_code == 200
    content = response.content.decode()
    assert "综合能耗" in content
    cards = {card.key: card for card in response.context["cards"]}
    assert cards["electricity"].value == pytest.approx(2_400.0)
    meter_codes = [row.meter.code for row in response.context["completeness"]]
    assert meter_codes == ["E-A-MAIN", "E-A-MELT"]


def test_unit_dashboard_of_process_counts_sub_meter(ledger, alice, client_for: ClientFor):
    melt = ledger.units.get(code="ws1-line1-melt")

    response = client_for(alice).get(reverse("dashboards:unit", args=[melt.pk]) + DAY_QUERY)

    cards = {card.key: card for card in response.context["cards"]}
    assert cards["electricity"].value == pytest.approx(1_440.0)


def test_enterprise_overview_lists_own_sites(ledger, ledger_b, alice, client_for: ClientFor):
    response = client_for(alice).get(reverse("dashboards:enterprise") + DAY_QUERY)

    assert response.status_code == 200
    sites = [row["site"] for row in response.context["rows"]]
    assert sites == [ledger]
    assert ledger_b.name not in response.content.decode()


def test_enterprise_overview_for_ehs_lists_all(ledger, ledger_b, erin, client_for: ClientFor):
    response = client_for(erin).get(reverse("dashboards:enterprise") + DAY_QUERY)

    assert {row["site"] for row in response.context["rows"]} == {ledger, ledger_b}


def test_enterprise_overview_sums_sites_per_enterprise(ledger, ledger_b, erin, client_for: ClientFor):
    response = client_for(erin).get(reverse("dashboards:enterprise") + DAY_QUERY)

    rows = response.context["rows"]
    (total,) = response.context["totals"]  # both sites belong to one enterprise
    assert total["site_count"] == 2
    energies = [row["indicators"].comprehensive_energy_tce for row in rows]
    if not any(isinstance(value, Undefined) for value in energies):
        assert float(total["energy"]) == pytest.approx(sum(energies), abs=1e-3)
    else:
        # An undefined site makes the total undefined rather than understated.
        assert total["energy"] == "—"
    co2 = [row["indicators"].electricity_scope2_tco2 for row in rows]
    assert not any(isinstance(value, Undefined) for value in co2)
    assert float(total["co2"]) == pytest.approx(sum(co2), abs=1e-3)


@pytest.mark.parametrize(
    "name",
    [
        "dashboards:site",
        "dashboards:site-priorities-xlsx",
        "dashboards:site-completeness-xlsx",
        "dashboards:site-indicators-xlsx",
    ],
)
def test_other_site_is_not_found(name, ledger, ledger_b, alice, client_for: ClientFor):
    response = client_for(alice).get(reverse(name, args=[ledger_b.pk]))

    assert response.status_code == 404


@pytest.mark.parametrize(
    "name", ["dashboards:unit", "dashboards:unit-completeness-xlsx", "dashboards:unit-indicators-xlsx"]
)
def test_other_sites_unit_is_not_found(name, ledger, ledger_b, alice, client_for: ClientFor):
    unit = OrganizationUnit.objects.get(site=ledger_b, code="ws1")

    response = client_for(alice).get(reverse(name, args=[unit.pk]))

    assert response.status_code == 404


def test_user_without_membership_is_not_found(ledger, charlie, client_for: ClientFor):
    response = client_for(charlie).get(reverse("dashboards:site", args=[ledger.pk]))

    assert response.status_code == 404


def test_enterprise_overview_without_sites(charlie, client_for: ClientFor):
    response = client_for(charlie).get(reverse("dashboards:enterprise"))

    assert response.status_code == 200
    assert response.context["rows"] == []


@pytest.mark.parametrize(
    "name",
    [
        "dashboards:site",
        "dashboards:site-priorities-xlsx",
        "dashboards:site-completeness-xlsx",
        "dashboards:site-indicators-xlsx",
    ],
)
def test_anonymous_is_sent_to_login(name, ledger):
    url = reverse(name, args=[ledger.pk])

    response = Client().get(url)

    assert response.status_code == 302
    assert response.headers["Location"].startswith(reverse("login"))


def test_anonymous_overview_is_sent_to_login(db):
    response = Client().get(reverse("dashboards:enterprise"))

    assert response.status_code == 302


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?kind=fortnight", "不是"),
        ("?kind=day&day=2024-13-01", "YYYY-MM-DD"),
        ("?kind=custom&start=2024-03-02&end=2024-03-01", "2024-03-01"),
        ("?kind=custom&start=2024-03-01", "2024"),
        ("?kind=custom&start=2020-01-01&end=2024-03-01", "1096"),
        ("?product=steel", "产品"),
    ],
)
def test_bad_period_is_rejected(query, message, ledger, alice, client_for: ClientFor):
    response = client_for(alice).get(reverse("dashboards:site", args=[ledger.pk]) + query)

    assert response.status_code == 400
    assert response.context["period"] is None
    assert message in response.content.decode()


def test_bad_period_is_translated_to_english(ledger, alice, client_for: ClientFor):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en"})

    response = client.get(reverse("dashboards:site", args=[ledger.pk]) + "?kind=custom&start=2024-03-02&end=2024-03-01")

    assert response.status_code == 400
    assert "The last day 2024-03-01 is before the first day 2024-03-02" in response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "dashboards:site-priorities-xlsx",
        "dashboards:site-completeness-xlsx",
        "dashboards:site-indicators-xlsx",
        "dashboards:unit-completeness-xlsx",
        "dashboards:unit-indicators-xlsx",
        "dashboards:enterprise-xlsx",
    ],
)
def test_bad_period_download_is_rejected(name, ledger, alice, client_for: ClientFor):
    if name.startswith("dashboards:site"):
        url = reverse(name, args=[ledger.pk])
    elif name.startswith("dashboards:unit"):
        url = reverse(name, args=[ledger.units.get(code="ws1").pk])
    else:
        url = reverse(name)

    response = client_for(alice).get(url + "?kind=day&day=yesterday")

    assert response.status_code == 400
    assert "YYYY-MM-DD" in response.content.decode()


def test_site_dashboard_query_count(ledger, alice, client_for: ClientFor, django_assert_max_num_queries):
    client = client_for(alice)
    url = reverse("dashboards:site", args=[ledger.pk])

    with django_assert_max_num_queries(MAX_SITE_QUERIES):
        response = client.get(url + "?kind=year&day=2024-03-01")

    assert response.status_code == 200


def test_unit_dashboard_query_count(ledger, alice, client_for: ClientFor, django_assert_max_num_queries):
    workshop = ledger.units.get(code="ws1")
    client = client_for(alice)

    with django_assert_max_num_queries(MAX_UNIT_QUERIES):
        response = client.get(reverse("dashboards:unit", args=[workshop.pk]) + "?kind=year&day=2024-03-01")

    assert response.status_code == 200


def test_enterprise_overview_query_count(ledger, alice, client_for: ClientFor, django_assert_max_num_queries):
    client = client_for(alice)

    with django_assert_max_num_queries(MAX_ENTERPRISE_QUERIES):
        response = client.get(reverse("dashboards:enterprise") + "?kind=year&day=2024-03-01")

    assert response.status_code == 200


def test_query_count_does_not_grow_with_days(ledger, alice, client_for: ClientFor):
    client = client_for(alice)
    url = reverse("dashboards:site", args=[ledger.pk])

    with CaptureQueriesContext(connection) as day_queries:
        client.get(url + "?kind=custom&start=2024-03-01&end=2024-03-02")
    with CaptureQueriesContext(connection) as month_queries:
        client.get(url + "?kind=custom&start=2024-02-01&end=2024-03-31")

    assert len(month_queries) == len(day_queries)


def test_priority_download_is_a_chinese_workbook(ledger, alice, client_for: ClientFor):
    url = reverse("dashboards:site-priorities-xlsx", args=[ledger.pk])

    response = client_for(alice).get(url + "?kind=custom&start=2024-03-01&end=2024-03-02")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert any("tce" in str(header) for header in rows[0])
    assert rows[0][0] == "排名"
    energy = [row[4] for row in rows[1:]]
    assert all(isinstance(value, float) for value in energy)
    # The workshop keeps the 40 kWh/h the melting sub-meter does not measure.
    assert sum(energy) == pytest.approx(4_800 * 0.1229e-3)


def test_completeness_download_has_numbers(ledger, alice, client_for: ClientFor):
    url = reverse("dashboards:site-completeness-xlsx", args=[ledger.pk])

    response = client_for(alice).get(url + "?kind=custom&start=2024-03-01&end=2024-03-02")

    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "计量器具编号"
    assert rows[0][6] == "数据完整率（%）"
    by_code = {row[0]: row for row in rows[1:]}
    assert set(by_code) == {"E-A-MAIN", "E-A-MELT"}
    assert by_code["E-A-MAIN"][4] == 2
    assert by_code["E-A-MAIN"][5] == pytest.approx(48.0)
    assert by_code["E-A-MAIN"][6] == pytest.approx(100.0)


def test_headline_cards_without_product(ledger):
    period = Period(PeriodKind.DAY, date(2024, 3, 2), date(2024, 3, 2))

    cards = headline_cards(compute_scope_indicators(ledger, period, None))

    assert [card.key for card in cards] == ["energy", "electricity", "co2"]


def workbook_sheets(response) -> list[list[tuple]]:
    """Open a downloaded workbook and return the rows of each sheet, in sheet order."""
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(BytesIO(response.content))
    return [list(sheet.iter_rows(values_only=True)) for sheet in workbook.worksheets]


def test_site_indicators_download_has_numbers(ledger, alice, client_for: ClientFor):
    url = reverse("dashboards:site-indicators-xlsx", args=[ledger.pk])

    sheets = workbook_sheets(client_for(alice).get(url + DAY_QUERY))

    cards, factors = sheets
    # Only headers that the Chinese catalogue already translates are checked here.
    assert cards[0][2] == "数值"
    by_label = {row[0]: row for row in cards[1:]}
    assert set(by_label) == {"综合能耗", "电力", "电力范围二 CO2 排放", "单位产品能耗"}
    electricity = by_label["电力"]
    assert electricity[1] == "kWh"
    assert electricity[2] == pytest.approx(2_400.0)
    assert electricity[3] in ("", None)
    assert electricity[5] == pytest.approx(2_400.0)
    assert electricity[6] == pytest.approx(0.0)
    assert by_label["综合能耗"][2] == pytest.approx(2_400 * 0.1229e-3)
    assert factors[0][0] == "类型"
    assert len(factors) > 1
    assert all(isinstance(row[5], float) for row in factors[1:])


def test_indicators_download_leaves_undefined_change_empty(ledger, alice, client_for: ClientFor):
    url = reverse("dashboards:site-indicators-xlsx", args=[ledger.pk])

    sheets = workbook_sheets(client_for(alice).get(url + DAY_QUERY))

    electricity = next(row for row in sheets[0] if row[0] == "电力")
    # Nothing was imported for 2023, so the change on last year is empty and the note gives the reason.
    assert electricity[9] == pytest.approx(0.0)
    assert electricity[10] is None
    assert "0.0" in electricity[11]


def test_indicators_download_has_product_intensity(ledger, alice, client_for: ClientFor):
    url = reverse("dashboards:site-indicators-xlsx", args=[ledger.pk])

    sheets = workbook_sheets(client_for(alice).get(url + "?kind=custom&start=2024-03-01&end=2024-03-02"))

    intensity = next(row for row in sheets[0] if row[1] == "kgce/t")
    assert intensity[2] == pytest.approx(4_800 * 0.1229 / 12)


def test_unit_indicators_download_has_numbers(ledger, alice, client_for: ClientFor):
    melt = ledger.units.get(code="ws1-line1-melt")
    url = reverse("dashboards:unit-indicators-xlsx", args=[melt.pk])

    response = client_for(alice).get(url + DAY_QUERY)

    cards = workbook_sheets(response)[0]
    electricity = next(row for row in cards if row[0] == "电力")
    assert electricity[2] == pytest.approx(1_440.0)
    assert melt.code in response["Content-Disposition"]


def test_indicators_download_in_english(ledger, alice, client_for: ClientFor):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en"})
    url = reverse("dashboards:site-indicators-xlsx", args=[ledger.pk])

    sheets = workbook_sheets(client.get(url + DAY_QUERY))

    cards = sheets[0]
    assert cards[0][:3] == ("Indicator", "Unit", "Value")
    assert any(row[0] == "Electricity" for row in cards[1:])


def test_enterprise_download_lists_own_sites(ledger, ledger_b, alice, client_for: ClientFor):
    url = reverse("dashboards:enterprise-xlsx")

    sheets = workbook_sheets(client_for(alice).get(url + DAY_QUERY))

    rows = sheets[0]
    assert rows[0][3] == "综合能耗（tce，吨标准煤）"
    assert rows[0][6] == "数据完整率（%）"
    assert [row[1] for row in rows[1:]] == [ledger.code]
    site_row = rows[1]
    assert site_row[3] == pytest.approx(2_400 * 0.1229e-3)
    assert site_row[4] == pytest.approx(2_400.0)
    assert isinstance(site_row[5], float)
    assert site_row[6] == pytest.approx(100.0)


def test_enterprise_download_for_ehs_lists_all(ledger, ledger_b, erin, client_for: ClientFor):
    url = reverse("dashboards:enterprise-xlsx")

    rows = workbook_sheets(client_for(erin).get(url + DAY_QUERY))[0]

    assert {row[1] for row in rows[1:]} == {ledger.code, ledger_b.code}
    # Site B has a meter but no imported data, so its data completeness is 0.
    site_b_row = next(row for row in rows[1:] if row[1] == ledger_b.code)
    assert site_b_row[6] == pytest.approx(0.0)


def test_pages_link_their_downloads(ledger, alice, client_for: ClientFor):
    client = client_for(alice)
    workshop = ledger.units.get(code="ws1")
    pages = [
        (reverse("dashboards:site", args=[ledger.pk]), reverse("dashboards:site-indicators-xlsx", args=[ledger.pk])),
        (
            reverse("dashboards:unit", args=[workshop.pk]),
            reverse("dashboards:unit-indicators-xlsx", args=[workshop.pk]),
        ),
        (reverse("dashboards:enterprise"), reverse("dashboards:enterprise-xlsx")),
    ]

    for page, download in pages:
        content = client.get(page + DAY_QUERY).content.decode()
        assert download + "?kind=day" in content, page
