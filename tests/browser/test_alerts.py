"""Alerts in a real browser: a new alert appears on the list and the site dashboard without reload."""

import re
from datetime import UTC, datetime

import pytest

from cleanprod.alerts.detectors import Detection
from cleanprod.alerts.models import AlertRule
from cleanprod.alerts.services import record
from cleanprod.metering.models import Meter
from cleanprod.organization.models import Enterprise, Membership, Role, Site
from cleanprod.resources.models import Factor, Resource
from cleanprod.resources.seed import load_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-password-1"


@pytest.fixture
def plant(django_user_model):
    # Transactional tests flush the database, data migrations included.
    load_seed(Resource, Factor)
    enterprise = Enterprise.objects.create(name="华东示范钢铁", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="east", name="东厂区", time_zone="Asia/Shanghai")
    meter = Meter.objects.create(
        site=site,
        code="PLANT-MAIN",
        name="总进线",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        reading_kind="interval",
    )
    manager = django_user_model.objects.create_user("alice", password=PASSWORD)
    Membership.objects.create(user=manager, role=Role.SITE_MANAGER, site=site)
    return {"site": site, "meter": meter}


def raise_alert(site: Site, meter: Meter, cause: str) -> None:
    rule = AlertRule.objects.get(site=site, kind="statistical", meter=None)
    start = datetime(2025, 3, 3, 2, tzinfo=UTC)
    record(rule, meter, Detection("statistical", cause, start, start, {"expected": 50, "actual": 400, "score": 12}))


def test_new_alert_appears_without_reload(page, live_server, plant, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/organization/$"))

    page.goto(f"{live_server.url}/alerts/")
    assert page.inner_text("#alert-active-count") == "0"
    raise_alert(plant["site"], plant["meter"], "above")
    page.wait_for_selector("#alert-table tbody tr[data-alert-id]")
    assert "PLANT-MAIN" in page.inner_text("#alert-table")
    assert page.locator("#alert-table .badge.status-open").count() == 1
    page.wait_for_function("document.getElementById('alert-active-count').textContent === '1'")
    assert page.inner_text("#alert-total-count") == "1"
    assert page.inner_text("#nav-alert-count") == "1"
    screenshot("alerts-01-list-live-zh")

    page.goto(f"{live_server.url}/dashboards/sites/{plant['site'].pk}/")
    page.wait_for_selector("#site-alert-box tbody tr[data-alert-id]")
    assert page.inner_text("#site-alert-box [data-feed-count]") == "1"
    raise_alert(plant["site"], plant["meter"], "below")
    page.wait_for_function(
        "document.querySelectorAll('#site-alert-box tbody tr[data-alert-id]').length === 2"
        " && document.querySelector('#site-alert-box [data-feed-count]').textContent === '2'"
    )
    screenshot("alerts-02-dashboard-box-zh")

    page.click("#site-alert-box a >> nth=0")
    page.wait_for_selector("button[value=acknowledge]")
    page.click("button[value=acknowledge]")
    page.wait_for_selector(".badge.status-acknowledged")
    screenshot("alerts-03-detail-acknowledged-zh")
