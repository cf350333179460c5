"""The ledger's pages in a real browser, in Chinese and English, with screenshots."""

import re
from pathlib import Path

import pytest
from django.core.management import call_command

from cleanprod.ingest.parsing import WideLayout
from cleanprod.ingest.pipeline import ImportRequest, import_readings
from cleanprod.metering.models import Meter, Reading, VirtualMeterTerm
from cleanprod.organization.models import Enterprise, Membership, OrganizationUnit, Role, Site
from cleanprod.resources.models import Factor, Resource
from cleanprod.resources.seed import load_seed
from tests.browser.conftest import SCREENSHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-password-1"


def week_of_readings(path: Path) -> Path:
    lines = ["timestamp,PLANT-MAIN,LINE-1"]
    for step in range(7 * 96):
        day, minute = divmod(15 * (step + 1), 1440)
        hour, minute = divmod(minute, 60)
        load = 40 + 30 * (8 <= hour < 20)
        lines.append(f"2024-03-{4 + day:02d} {hour:02d}:{minute:02d},{load / 4:.2f},{load / 8:.2f}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def plant(tmp_path, django_user_model, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    # Transactional tests flush the database, data migrations included.
    load_seed(Resource, Factor)
    enterprise = Enterprise.objects.create(name="华东示范钢铁", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="east", name="东厂区", time_zone="Asia/Shanghai")
    other = Site.objects.create(enterprise=enterprise, code="west", name="西厂区", time_zone="Asia/Shanghai")
    workshop = OrganizationUnit.objects.create(site=site, code="rolling", name="轧钢车间", kind="workshop")
    line = OrganizationUnit.objects.create(
        site=site, code="line-1", name="1号产线", kind="production_line", parent=workshop
    )
    electricity = Resource.objects.get(code="electricity")
    main = Meter.objects.create(
        site=site,
        code="PLANT-MAIN",
        name="总进线",
        resource=electricity,
        unit="kWh",
        reading_kind="interval",
        organization_unit=workshop,
    )
    Meter.objects.create(
        site=site,
        code="LINE-1",
        name="1号产线电表",
        resource=electricity,
        unit="kWh",
        reading_kind="interval",
        organization_unit=line,
        parent=main,
    )
    rest = Meter.objects.create(
        site=site,
        code="REST",
        name="未分项",
        resource=electricity,
        unit="kWh",
        reading_kind="interval",
        organization_unit=workshop,
        is_virtual=True,
    )
    VirtualMeterTerm.objects.create(virtual_meter=rest, source=main, sign=1)
    VirtualMeterTerm.objects.create(virtual_meter=rest, source=Meter.objects.get(code="LINE-1"), sign=-1)
    Meter.objects.create(
        site=other, code="WEST-MAIN", name="西厂总表", resource=electricity, unit="kWh", reading_kind="interval"
    )
    import_readings(
        ImportRequest(
            site=site,
            path=week_of_readings(tmp_path / "week.csv"),
            layout=WideLayout(timestamp_columns=("timestamp",)),
            dry_run=False,
        )
    )
    manager = django_user_model.objects.create_user("alice", password=PASSWORD)
    Membership.objects.create(user=manager, role=Role.SITE_MANAGER, site=site)
    outsider = django_user_model.objects.create_user("bob", password=PASSWORD)
    Membership.objects.create(user=outsider, role=Role.DATA_ENTRY, site=other)
    return {"site": site, "other": other, "main": main, "tmp": tmp_path}


def log_in(page, base_url: str, username: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")


def run_worker() -> None:
    call_command("db_worker", "--batch", "--no-startup-delay", "--queue-name", "*", verbosity=0)


def test_site_manager_walks_from_login_to_meter_chart(page, live_server, plant, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    assert "登录" in page.content()
    screenshot("01-login-zh")

    log_in(page, live_server.url, "alice")
    page.wait_for_url(re.compile(r"/organization/$"))
    assert "东厂区" in page.content()
    assert "西厂区" not in page.content()
    screenshot("02-site-list-zh")

    page.click("text=东厂区")
    page.wait_for_selector("text=轧钢车间")
    body = page.content()
    assert "1号产线" in body
    assert "PLANT-MAIN" in body
    assert "REST" in body
    screenshot("03-site-tree-zh")

    page.click("text=PLANT-MAIN")
    page.wait_for_selector("canvas")
    assert "kWh" in page.content()
    screenshot("04-meter-detail-zh")


def test_dry_run_then_real_import_in_the_browser(page, live_server, plant, screenshot):
    log_in(page, live_server.url, "alice")
    page.wait_for_url(re.compile(r"/organization/$"))
    upload = plant["tmp"] / "next-day.csv"
    upload.write_text(
        "timestamp,PLANT-MAIN,LINE-1\n2024-03-11 00:15,10.5,5.25\n2024-03-11 00:30,bad,5.0\n", encoding="utf-8"
    )

    page.goto(f"{live_server.url}/imports/new/")
    page.select_option("select[name=site]", str(plant["site"].pk))
    page.set_input_files("input[name=file]", str(upload))
    page.select_option("select[name=layout]", "wide")
    page.fill("input[name=timestamp_columns]", "timestamp")
    screenshot("05-import-form-zh")
    with page.expect_navigation():
        page.click("form button[type=submit] >> text=开始")
    assert re.search(r"/imports/\d+/$", page.url)
    run_worker()
    page.wait_for_selector("button:has-text('正式导入')", timeout=20_000)
    body = page.content()
    assert "UTF-8" in body
    assert "invalid_number" in body or "无效" in body
    screenshot("06-dry-run-report-zh")
    assert Reading.objects.filter(meter__code="PLANT-MAIN").count() == 7 * 96  # the dry run stored nothing

    dry_run_url = page.url
    with page.expect_navigation():
        page.click("button:has-text('正式导入')")
    assert page.url != dry_run_url
    run_worker()
    page.wait_for_function("() => !document.querySelector('progress')", timeout=20_000)
    page.reload()
    screenshot("07-committed-report-zh")
    assert Reading.objects.filter(meter__code="PLANT-MAIN").count() == 7 * 96 + 1


def test_language_switch_to_english(page, live_server, plant, screenshot):
    log_in(page, live_server.url, "alice")
    page.wait_for_url(re.compile(r"/organization/$"))
    page.goto(f"{live_server.url}/meters/{plant['main'].pk}/")

    page.click("button[name=language][value=en]")
    page.wait_for_load_state()

    assert "Meter" in page.content() or "meter" in page.content()
    assert "Log out" in page.content()
    screenshot("08-meter-detail-en")


def test_other_site_meter_is_not_found(page, live_server, plant, screenshot):
    log_in(page, live_server.url, "bob")
    page.wait_for_url(re.compile(r"/organization/$"))

    response = page.goto(f"{live_server.url}/meters/{plant['main'].pk}/")

    assert response is not None
    assert response.status == 404
    assert "PLANT-MAIN" not in page.content()
    screenshot("09-other-site-404")


def test_site_dashboard_and_monthly_report(page, live_server, plant, screenshot):
    log_in(page, live_server.url, "alice")
    page.wait_for_url(re.compile(r"/organization/$"))

    page.goto(f"{live_server.url}/dashboards/sites/{plant['site'].pk}/")
    page.wait_for_selector("canvas")
    body = page.content()
    assert "综合能耗" in body
    assert "tce" in body
    assert "GB/T 2589" in body
    assert "帕累托" in body
    screenshot("10-site-dashboard-zh")

    page.click("a:has-text('PLANT-MAIN')")
    page.wait_for_url(re.compile(r"/meters/\d+/"))
    screenshot("11-dashboard-drill-down-to-meter")

    page.goto(f"{live_server.url}/reports/")
    page.select_option("select[name=site]", str(plant["site"].pk))
    page.select_option("select[name=kind]", "monthly")
    page.fill("input[name=year]", "2024")
    page.fill("input[name=month]", "3")
    with page.expect_navigation():
        page.click("button:has-text('出具')")
    assert re.search(r"/reports/\d+/$", page.url)
    screenshot("12-monthly-report-zh")

    for suffix, kind in (("r1.xlsx", "spreadsheetml"), ("r1.pdf", "pdf")):
        response = page.request.get(page.url + suffix)
        assert response.status == 200
        assert kind in response.headers["content-type"]
        (SCREENSHOTS.parent / f"monthly-report.{suffix.split('.')[1]}").write_bytes(response.body())


def test_enterprise_and_unit_dashboards(page, live_server, plant, screenshot):
    log_in(page, live_server.url, "alice")
    page.wait_for_url(re.compile(r"/organization/$"))

    page.goto(f"{live_server.url}/dashboards/?kind=month&day=2024-03-01")
    body = page.content()
    assert "东厂区" in body
    assert "西厂区" not in body
    screenshot("13-enterprise-overview-zh")

    workshop = plant["site"].units.get(code="rolling")
    page.goto(f"{live_server.url}/dashboards/units/{workshop.pk}/")
    page.wait_for_selector("canvas")
    body = page.content()
    assert "轧钢车间" in body
    assert "1号产线" in body
    screenshot("14-unit-dashboard-zh")
