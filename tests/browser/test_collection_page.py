"""The Collection page in a real browser: create an API token, send readings with it, revoke it."""

import json
import re
import urllib.error
import urllib.request

import pytest

from cleanprod.ingest.models import ApiToken
from cleanprod.metering.models import Meter, Reading
from cleanprod.organization.models import Enterprise, Membership, Role, Site
from cleanprod.resources.models import Factor, Resource
from cleanprod.resources.seed import load_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-password-1"


@pytest.fixture
def site(django_user_model) -> Site:
    # Transactional tests flush the database, data migrations included.
    load_seed(Resource, Factor)
    enterprise = Enterprise.objects.create(name="华东示范钢铁", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="east", name="东厂区", time_zone="Asia/Shanghai")
    Meter.objects.create(
        site=site,
        code="PLANT-MAIN",
        name="总进线",
        resource=Resource.objects.get(code="electricity"),
        unit="kWh",
        reading_kind="interval",
    )
    manager = django_user_model.objects.create_user("alice", password=PASSWORD)
    Membership.objects.create(user=manager, role=Role.SITE_MANAGER, site=site)
    return site


def send(base_url: str, secret: str) -> int:
    body = {"readings": [{"meter": "PLANT-MAIN", "timestamp": "2024-03-04T00:15:00+08:00", "value": 12.5}]}
    request = urllib.request.Request(  # noqa: S310 - the live test server
        f"{base_url}/api/v1/readings/batch",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {secret}"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - the live test server
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def test_token_created_used_and_revoked(page, live_server, site, screenshot):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url(re.compile(r"/organization/$"))

    page.goto(f"{live_server.url}/imports/")
    page.click("a[href='/imports/collection/']")
    page.wait_for_url(re.compile(rf"/imports/collection/{site.pk}/$"))
    assert "东厂区" in page.content()

    page.fill("#tokens input[name=name]", "SCADA 二号线")
    page.click("#tokens button[type=submit]")
    secret = page.inner_text("#new-token code").strip()
    assert secret.startswith("cp_")
    screenshot("collection-token-created-zh")

    assert send(live_server.url, secret) == 200
    assert Reading.objects.filter(meter__code="PLANT-MAIN").count() == 1

    page.goto(f"{live_server.url}/imports/collection/{site.pk}/")
    assert secret not in page.content()
    page.click("#tokens form[action$='/revoke/'] button")
    page.wait_for_url(re.compile(rf"/imports/collection/{site.pk}/$"))
    assert ApiToken.objects.get().revoked_at is not None
    assert send(live_server.url, secret) == 401
    screenshot("collection-token-revoked-zh")
