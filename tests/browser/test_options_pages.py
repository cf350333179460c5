"""Option register, screening and feasibility pages in a real browser, with screenshots."""

from datetime import date
from decimal import Decimal

import pytest

from cleanprod.audits.models import AuditProject
from cleanprod.options.models import Aspect, ExtraCashFlow, Feasibility, Option, OptionEffect
from cleanprod.options.services import create_option
from cleanprod.organization.models import Enterprise, Membership, Role, Site
from cleanprod.resources.models import Factor, Resource
from cleanprod.resources.seed import load_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-password-1"


@pytest.fixture
def audit(django_user_model) -> AuditProject:
    # Transactional tests flush the database, data migrations included.
    load_seed(Resource, Factor)
    enterprise = Enterprise.objects.create(name="华东示范钢铁", uscc="91310000MA1FL5LX3K", industry_code="C3110")
    site = Site.objects.create(enterprise=enterprise, code="east", name="东厂区", time_zone="Asia/Shanghai")
    alice = django_user_model.objects.create_user("alice", password=PASSWORD)
    Membership.objects.create(user=alice, site=site, role=Role.SITE_MANAGER)
    return AuditProject.objects.create(
        site=site, name="第一轮清洁生产审核", baseline_year=2022, started_on=date(2023, 3, 1)
    )


def log_in(page, base_url: str) -> None:
    page.goto(f"{base_url}/accounts/login/")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")


def test_option_pages_in_chinese(page, live_server, audit, screenshot):
    option = create_option(
        Option(audit=audit, title="空压机变频改造", aspect=Aspect.EQUIPMENT, investment=Decimal("30")), acting_user=None
    )
    OptionEffect.objects.create(
        option=option, resource=Resource.objects.get(code="electricity"), annual_quantity=Decimal("100"), unit="MWh"
    )
    feasibility = Feasibility.objects.create(
        option=option,
        investment=Decimal("1000"),
        cost_saving=Decimal("3000"),
        tax_rate=Decimal("0"),
        depreciation_years=2,
        override_note="示例",
    )
    ExtraCashFlow.objects.create(feasibility=feasibility, year=2, amount=Decimal("-5100"), note="大修")
    log_in(page, live_server.url)

    page.goto(f"{live_server.url}/options/audit/{audit.pk}/")
    assert page.locator("td.code a").first.inner_text() == "F1"
    screenshot("options-01-list-zh")

    page.goto(f"{live_server.url}/options/{option.pk}/")
    assert "53.660" in page.content()
    screenshot("options-02-detail-zh")

    page.goto(f"{live_server.url}/options/audit/{audit.pk}/screening/")
    page.locator("input[name^=score-]").first.fill("8")
    for field in page.locator("input[name^=score-]").all()[1:]:
        field.fill("6")
    page.locator("form:has(input[name=action][value=scores]) button[type=submit]").click()
    assert page.locator("td.number strong").first.inner_text() == "260"
    screenshot("options-03-screening-zh")

    page.goto(f"{live_server.url}/options/{option.pk}/feasibility/")
    assert "11.27 %, 88.73 %" in page.content()
    screenshot("options-04-feasibility-zh")
