"""Report pages and downloads as the personas use them: issue, view, regenerate, download, isolation."""

import re
import zlib
from datetime import date
from io import BytesIO

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import load_workbook

from cleanprod.reports.models import Report, ReportKind
from cleanprod.reports.services import do_issue_report

from .conftest import MARCH_2023_KWH, MARCH_2023_TCO2, correct_grid_factor_2023

MARCH_FORM = {"kind": "monthly", "year": "2023", "month": "3"}


@pytest.fixture
def march_report(ledger_a, alice) -> Report:
    report, _created = do_issue_report(
        acting_user=alice, kind=ReportKind.MONTHLY, start=date(2023, 3, 1), end=date(2023, 3, 31), site=ledger_a
    )
    return report


@pytest.fixture
def report_b(site_b, bob) -> Report:
    report, _created = do_issue_report(
        acting_user=bob, kind=ReportKind.MONTHLY, start=date(2023, 3, 1), end=date(2023, 3, 31), site=site_b
    )
    return report


def test_issue_page_creates_revision_one(ledger_a, alice, client_for):
    response = client_for(alice).post(reverse("reports:issue"), {**MARCH_FORM, "site": ledger_a.pk})

    report = Report.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("reports:detail", args=[report.pk])
    assert report.kind == ReportKind.MONTHLY
    assert (report.period_start, report.period_end) == (date(2023, 3, 1), date(2023, 3, 31))
    assert report.revisions.get().created_by == alice


def test_issue_page_rejects_monthly_without_month(ledger_a, alice, client_for):
    response = client_for(alice).post(
        reverse("reports:issue"), {"kind": "monthly", "year": "2023", "site": ledger_a.pk}
    )

    assert response.status_code == 400
    assert Report.objects.count() == 0


def test_auditor_cannot_issue(ledger_a, carol, client_for):
    client = client_for(carol)

    response = client.post(reverse("reports:issue"), {**MARCH_FORM, "site": ledger_a.pk})

    assert response.status_code == 403
    assert Report.objects.count() == 0
    assert reverse("reports:issue") not in client.get(reverse("reports:list")).content.decode()


def test_issue_for_other_site_is_not_found(ledger_a, bob, client_for):
    response = client_for(bob).post(reverse("reports:issue"), {**MARCH_FORM, "site": ledger_a.pk})

    assert response.status_code == 404
    assert Report.objects.count() == 0


def test_auditor_views_and_downloads(march_report, carol, client_for):
    client = client_for(carol)

    detail = client.get(reverse("reports:detail", args=[march_report.pk]))
    xlsx = client.get(reverse("reports:xlsx", args=[march_report.pk, 1]))
    regenerate = client.post(reverse("reports:regenerate", args=[march_report.pk]))

    assert detail.status_code == 200
    assert reverse("reports:regenerate", args=[march_report.pk]) not in detail.content.decode()
    assert xlsx.status_code == 200
    assert regenerate.status_code == 403
    assert march_report.revisions.count() == 1


def test_list_shows_only_own_sites(march_report, report_b, alice, bob, erin, client_for):
    def listed(user) -> set[int]:
        response = client_for(user).get(reverse("reports:list"))
        assert response.status_code == 200
        return {report.pk for report in response.context["reports"]}

    assert listed(alice) == {march_report.pk}
    assert listed(bob) == {report_b.pk}
    assert listed(erin) == {march_report.pk, report_b.pk}


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("reports:detail", []),
        ("reports:xlsx", [1]),
        ("reports:pdf", [1]),
    ],
)
def test_other_site_pages_are_not_found(march_report, bob, charlie, client_for, name, args):
    url = reverse(name, args=[march_report.pk, *args])

    assert client_for(bob).get(url).status_code == 404
    assert client_for(charlie).get(url).status_code == 404


def test_other_site_regenerate_is_not_found(march_report, bob, client_for):
    response = client_for(bob).post(reverse("reports:regenerate", args=[march_report.pk]))

    assert response.status_code == 404
    assert march_report.revisions.count() == 1


def test_enterprise_report_hidden_from_one_site_user(ledger_a, site_b, erin, alice, client_for):
    report, _created = do_issue_report(
        acting_user=erin,
        kind=ReportKind.MONTHLY,
        start=date(2023, 3, 1),
        end=date(2023, 3, 31),
        enterprise=ledger_a.enterprise,
    )

    assert client_for(erin).get(reverse("reports:detail", args=[report.pk])).status_code == 200
    assert client_for(alice).get(reverse("reports:detail", args=[report.pk])).status_code == 404


def test_missing_revision_is_not_found(march_report, alice, client_for):
    response = client_for(alice).get(reverse("reports:xlsx", args=[march_report.pk, 2]))

    assert response.status_code == 404


def test_regenerate_unchanged_says_so(march_report, alice, client_for):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en"})

    response = client.post(reverse("reports:regenerate", args=[march_report.pk]), follow=True)

    assert "Nothing changed since the latest revision" in response.content.decode()
    assert march_report.revisions.count() == 1


def test_regenerate_after_correction_shows_change(march_report, alice, client_for):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en"})
    correct_grid_factor_2023("0.5400")

    response = client.post(reverse("reports:regenerate", args=[march_report.pk]), follow=True)

    page = response.content.decode()
    assert march_report.revisions.count() == 2
    assert "Revision 2 was stored" in page
    assert "numbers.sites[site-a].scope2_tco2.value" in page
    assert f"{MARCH_2023_TCO2}" in page
    assert reverse("reports:pdf", args=[march_report.pk, 1]) in page
    assert reverse("reports:pdf", args=[march_report.pk, 2]) in page


def _workbook(content: bytes):
    return load_workbook(BytesIO(content))


def test_xlsx_has_numbers_and_chinese_headers(march_report, alice, client_for):
    response = client_for(alice).get(reverse("reports:xlsx", args=[march_report.pk, 1]))

    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="report-site-a-monthly-2023-03-r1.xlsx"'
    workbook = _workbook(response.content)
    with translation.override("zh-hans"):
        summary = workbook.worksheets[1]
        headers = [cell.value for cell in summary[1]]
        assert gettext("comprehensive energy consumption (tce)") in headers
        assert gettext("electricity (kWh)") in headers
    assert any("综合能耗" in str(header) for header in headers)
    row = {header: cell.value for header, cell in zip(headers, summary[2], strict=True)}
    energy = row[headers[2]]
    electricity = row[headers[3]]
    co2 = row[headers[4]]
    assert isinstance(energy, float)
    assert electricity == pytest.approx(MARCH_2023_KWH)
    assert co2 == pytest.approx(MARCH_2023_TCO2)


def test_xlsx_lists_factor_versions(march_report, alice, client_for):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en"})

    workbook = _workbook(client.get(reverse("reports:xlsx", args=[march_report.pk, 1])).content)

    sheet = workbook["Factor versions"]
    rows = [
        dict(zip([cell.value for cell in sheet[1]], row, strict=True)) for row in sheet.iter_rows(2, values_only=True)
    ]
    grid = next(row for row in rows if row["kind"] == "grid_emission")
    assert grid["value"] == pytest.approx(0.5306)
    assert grid["version"] == 1
    assert grid["data year"] == 2023


def test_xlsx_leaves_undefined_cell_empty_with_reason(ledger_a, alice, client_for):
    from cleanprod.resources.models import Factor

    Factor.objects.filter(kind="grid_emission", series="mee_nbs_average").delete()
    report, _created = do_issue_report(
        acting_user=alice, kind=ReportKind.MONTHLY, start=date(2023, 3, 1), end=date(2023, 3, 31), site=ledger_a
    )
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en"})

    workbook = _workbook(client.get(reverse("reports:xlsx", args=[report.pk, 1])).content)

    sheet = workbook["Summary"]
    headers = [cell.value for cell in sheet[1]]
    row = dict(zip(headers, [cell.value for cell in sheet[2]], strict=True))
    assert row["CO2 from purchased electricity (tCO2)"] is None
    assert "factor needed for the calculation is missing" in row["reason"]


def test_download_uses_stored_numbers(march_report, alice, client_for):
    client = client_for(alice)
    client.post(reverse("set_language"), {"language": "en"})
    correct_grid_factor_2023("0.9999")

    workbook = _workbook(client.get(reverse("reports:xlsx", args=[march_report.pk, 1])).content)

    row = [cell.value for cell in workbook["Summary"][2]]
    assert row[4] == pytest.approx(MARCH_2023_TCO2)
    assert march_report.revisions.count() == 1


def test_pdf_is_rendered_with_cjk_font(march_report, alice, client_for):
    response = client_for(alice).get(reverse("reports:pdf", args=[march_report.pk, 1]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "Noto-Sans-CJK-SC" in " ".join(_pdf_font_names(response.content))


def _pdf_font_names(pdf: bytes) -> set[str]:
    """Return the /FontName of every embedded font, read from the PDF's compressed streams."""
    names: set[str] = set()
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.DOTALL):
        try:
            data = zlib.decompress(match.group(1))
        except zlib.error:
            continue
        names.update(name.decode() for name in re.findall(rb"/FontName\s*/([A-Za-z0-9+\-]+)", data))
    return names


def test_issue_page_for_whole_enterprise(ledger_a, site_b, erin, client_for):
    response = client_for(erin).post(
        reverse("reports:issue"), {**MARCH_FORM, "site": ledger_a.pk, "whole_enterprise": "on"}
    )

    report = Report.objects.get()
    assert response.status_code == 302
    assert report.site is None
    assert set(report.sites.values_list("code", flat=True)) == {"site-a", "site-b"}


def test_detail_page_is_chinese_by_default(march_report, alice, client_for):
    response = client_for(alice).get(reverse("reports:detail", args=[march_report.pk]))

    page = response.content.decode()
    assert "月度能源与排放报告" in page
    assert "综合能耗" in page
    assert "产量数据为生成的演示数据" in page


def test_site_page_links_to_reports(site_a, alice, client_for):
    response = client_for(alice).get(reverse("organization:site-detail", args=[site_a.pk]))

    assert reverse("reports:list") in response.content.decode()
