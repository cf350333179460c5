"""One cleaner production audit walked in the browser, in Chinese, from creation to the Word report.

The site is the steel plant demo (real 15-minute electricity data of 2018, UCI data set 851),
loaded with the demo command. A consultant (VIEW and AUDIT) creates the audit, fills every
phase through the pages and downloads the report; the report's economics must show the
handbook's worked example (I = 10, P = 1.58, 25 % tax, 10 years, 6 % → NPV 0.56, IRR 7.17 %)
and its consumption table the ledger numbers the pre-assessment page shows.
"""

import re
from io import BytesIO
from pathlib import Path

import pytest
from django.core.management import call_command
from docx import Document

from cleanprod.audits.report_docx import format_money
from cleanprod.audits.report_text import TEXT_ZH
from cleanprod.audits.sankey_png import find_cjk_font
from cleanprod.metering.models import DailyRollup
from cleanprod.options.economics import EconomicInputs, evaluate
from cleanprod.organization.models import Membership, Role, Site
from cleanprod.resources.models import Factor, Resource
from cleanprod.resources.seed import load_seed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "browser-test-password-1"
BASELINE_YEAR = 2018  # the year of the steel plant's data


@pytest.fixture
def steel(settings, tmp_path: Path, django_user_model) -> Site:
    # Transactional tests flush the database, data migrations included.
    load_seed(Resource, Factor)
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", "--site", "steel-gwangyang", verbosity=0)
    site = Site.objects.get(code="steel-gwangyang")
    consultant = django_user_model.objects.create_user("dora", password=PASSWORD, first_name="Dora")
    Membership.objects.create(user=consultant, site=site, role=Role.CONSULTANT)
    return site


def number(text: str) -> float:
    """Parse a number as the pages and the report print it (thousands separators, optional unit)."""
    match = re.search(r"-?[\d,]+(?:\.\d+)?", text.replace("\u00a0", ""))
    assert match is not None, text
    return float(match.group(0).replace(",", ""))


def submit(page, form) -> None:
    with page.expect_navigation():
        form.locator("button[type=submit]").first.click()


def test_audit_from_creation_to_word_report(page, live_server, steel, screenshot):
    base = live_server.url
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "dora")
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.press("input[name=password]", "Enter")

    # 1. Create the audit (voluntary, baseline 2018, the rolling mill in scope, 6 % discount rate).
    page.goto(f"{base}/audits/new/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    page.select_option("select[name=site]", str(steel.pk))
    page.fill("input[name=name]", "光阳工厂第一轮清洁生产审核")
    page.fill("input[name=baseline_year]", str(BASELINE_YEAR))
    page.fill("input[name=started_on]", "2019-03-01")
    page.check(f"input[name=scope_units][value='{steel.units.get(code='rolling').pk}']")
    page.fill("input[name=discount_rate]", "0.06")
    screenshot("audit-01-create")
    submit(page, page.locator("form:has(input[name=baseline_year])"))
    match = re.search(r"/audits/(\d+)/$", page.url)
    assert match is not None, page.url
    audit_url = f"{base}/audits/{match.group(1)}"

    # 2. The team leader.
    page.goto(f"{audit_url}/team/")
    page.select_option("select[name=user]", str(Membership.objects.get(user__username="dora").user_id))
    page.select_option("select[name=role]", "leader")
    page.fill("textarea[name=responsibilities]", "组织审核工作")
    submit(page, page.locator("form:has(select[name=role])"))
    assert "组织审核工作" in page.content()
    screenshot("audit-02-team")

    # 3. Mark the first step done.
    page.goto(f"{audit_url}/phases/")
    with page.expect_navigation():
        page.locator("a[href*='/audits/steps/']").first.click()
    page.select_option("select[name=status]", "done")
    submit(page, page.locator("form:has(select[name=status])"))
    page.goto(f"{audit_url}/phases/")
    screenshot("audit-03-phases")

    # 4. Pre-assessment snapshot; remember the ledger numbers the page shows.
    page.goto(f"{audit_url}/pre-assessment/")
    submit(page, page.locator("form[action$='/pre-assessment/snapshot/']"))
    page_consumption: dict[str, float] = {}
    for row in page.locator("table.data").first.locator("tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        page_consumption[cells[0]] = number(cells[1])
    rollups = DailyRollup.objects.filter(meter__site=steel, meter__code="STEEL-MAIN", day__year=BASELINE_YEAR)
    ledger_kwh = sum(rollups.values_list("quantity", flat=True))
    assert page_consumption["电力"] == pytest.approx(ledger_kwh, abs=0.01)  # about 0.96 GWh in 2018
    screenshot("audit-04-pre-assessment")

    # 5. Focus: the rolling mill and the coil line as candidates, scored, the mill chosen.
    page.goto(f"{audit_url}/focus/")
    for code in ("rolling", "coil-line"):
        page.select_option("select[name=unit]", str(steel.units.get(code=code).pk))
        submit(page, page.locator("form:has(select[name=unit])"))
    rows = page.locator("#scores-form tbody tr")
    assert rows.count() == 2
    for field in rows.filter(has_text="轧钢车间").locator("input").all():
        field.fill("9")
    for field in rows.filter(has_text="卷板生产线").locator("input").all():
        field.fill("4")
    with page.expect_navigation():  # the form's own button; the others remove a candidate
        page.locator("#scores-form > button[type=submit]").click()
    with page.expect_navigation():
        page.locator("form[action*='/choose/'] button").first.click()  # the ranking lists rank 1 first
    screenshot("audit-05-focus")

    # 6. A target on the comprehensive energy consumption; the baseline comes from the snapshot.
    page.goto(f"{audit_url}/targets/")
    page.select_option("select[name=indicator]", "energy_tce")
    page.fill("input[name=near_term_value]", "190")
    page.fill("input[name=near_term_year]", "2020")
    submit(page, page.locator("form:has(select[name=indicator])"))
    screenshot("audit-06-targets")

    # 7. A water balance with four flows: 100 in, 60 to rinsing, 38 evaporated, 57 out of rinsing.
    page.goto(f"{audit_url}/balances/")
    page.select_option("select[name=kind]", "water")
    page.fill("input[name=name]", "轧钢冷却水平衡")
    page.fill("input[name=unit]", "m³")
    submit(page, page.locator("form:has(select[name=kind])"))
    for step, direction, to_step, name, quantity in (
        ("冷却", "input", "", "新鲜水", "100"),
        ("冷却", "transfer", "冲洗", "冷却回水", "60"),
        ("冷却", "output", "", "蒸发", "38"),
        ("冲洗", "output", "", "冲洗废水", "57"),
    ):
        page.fill("input[name=step]", step)
        page.select_option("select[name=direction]", direction)
        page.fill("input[name=to_step]", to_step)
        page.fill("input[name=name]", name)
        page.fill("input[name=quantity]", quantity)
        submit(page, page.locator("form:has(select[name=direction])"))
    overall = page.locator("#closure tr.total td").all_inner_texts()
    assert number(overall[4]) == pytest.approx(5.0)  # (100 − 38 − 57) / 100
    page.locator("#balance-sankey canvas").first.wait_for()
    page.wait_for_timeout(1500)  # let the chart's entry animation finish before the screenshot
    screenshot("audit-07-balance")

    # 8. A cause of the rinse water.
    page.goto(f"{audit_url}/causes/")
    page.fill("form:has(input[name=form][value=stream]) input[name=name]", "冲洗废水")
    submit(page, page.locator("form:has(input[name=form][value=stream])"))
    cause_form = page.locator("form:has(input[name=form][value=cause])")
    cause_form.locator("select[name=stream]").select_option(label="冲洗废水")
    cause_form.locator("select[name=aspect]").select_option("equipment")
    cause_form.locator("textarea[name=description]").fill("喷嘴磨损，冲洗水量偏大")
    submit(page, cause_form)
    assert "喷嘴磨损" in page.content()
    screenshot("audit-08-causes")

    # 9. Options: a medium cost one (10 万元) and a no/low cost one (0.5 万元).
    audit_pk = match.group(1)
    option_urls = []
    for title, investment in (("轧机主电机变频改造", "10"), ("更换节水喷嘴", "0.5")):
        page.goto(f"{base}/options/audit/{audit_pk}/new/")
        page.fill("input[name=title]", title)
        page.select_option("select[name=aspect]", "equipment")
        page.fill("input[name=investment]", investment)
        submit(page, page.locator("form:has(input[name=title])"))
        option_urls.append(page.url)
    page.goto(f"{base}/options/audit/{audit_pk}/")
    screenshot("audit-09-options")

    # 10. Screening: score both, screen both in.
    page.goto(f"{base}/options/audit/{audit_pk}/screening/")
    for field in page.locator("input[name^=score-]").all():
        field.fill("7")
    submit(page, page.locator("form:has(input[name=action][value=scores])"))
    for _option in range(2):
        with page.expect_navigation():
            page.locator("button[name=target][value=screened_in]").first.click()
        page.goto(f"{base}/options/audit/{audit_pk}/screening/")
    screenshot("audit-10-screening")

    # 11. Feasibility of the medium cost option: worked example B, then the conclusion.
    medium_url = option_urls[0]
    page.goto(f"{medium_url}feasibility/")
    page.fill("textarea[name=technical_assessment]", "变频调速技术成熟，已有同类轧机应用。")
    page.fill("input[name=investment]", "10")
    page.fill("input[name=cost_saving]", "1.58")
    submit(page, page.locator("form:has(input[name=cost_saving])"))
    expected = evaluate(EconomicInputs(investment=10, cost_saving=1.58, tax_rate=0.25, discount_rate=0.06))
    assert format_money(expected.npv) == "0.56"
    assert "0.56" in page.content()
    conclusion = page.locator("form[action$='/feasibility/conclude/']")
    conclusion.locator("select[name=conclusion]").select_option("feasible")
    conclusion.locator("textarea[name=reason]").fill("净现值大于零，内部收益率高于贴现率。")
    submit(page, conclusion)
    screenshot("audit-11-feasibility")

    # 12. Implementation of the medium cost option.
    page.goto(f"{medium_url}implementation/")
    page.fill("input[name=start_on]", "2019-07-01")
    page.fill("input[name=in_service_on]", "2019-09-01")
    page.fill("input[name=actual_investment]", "9.8")
    page.fill("input[name=progress_percent]", "100")
    submit(page, page.locator("form:has(input[name=start_on])"))
    screenshot("audit-12-implementation")

    # 13. The overview links the report; download it and read it.
    page.goto(f"{audit_url}/")
    assert page.locator("dl.facts dd").last.inner_text() == "轧钢车间 Rolling mill"  # the chosen focus
    screenshot("audit-13-overview")
    with page.expect_download() as info:
        page.locator("a[href$='/report.docx']").click()
    download = info.value
    assert download.suggested_filename.startswith("光阳工厂第一轮清洁生产审核")
    assert download.suggested_filename.endswith(".docx")
    document = Document(BytesIO(Path(download.path()).read_bytes()))

    economics = [
        {row.cells[1].text: row.cells[2].text for row in table.rows}
        for table in document.tables
        if len(table.columns) == 3 and any(row.cells[1].text == "NPV" for row in table.rows)
    ]
    # The Sankey picture of the water balance, or the sentence that replaces it without a Chinese font.
    if find_cjk_font() is not None:
        assert len(document.inline_shapes) == 1
    else:
        assert any(paragraph.text == TEXT_ZH["ch4.sankey.missing"] for paragraph in document.paragraphs)
    assert len(economics) == 1
    assert economics[0]["NPV"].startswith("0.56")
    assert economics[0]["IRR"] == "7.17%"

    consumption = next(
        [[cell.text for cell in row.cells] for row in table.rows]
        for table in document.tables
        if [cell.text for cell in table.rows[0].cells][:3]
        == [TEXT_ZH["resource"], TEXT_ZH["unit"], TEXT_ZH["quantity"]]
    )
    in_report = {row[0]: number(row[2]) for row in consumption[1:-1]}
    assert set(in_report) == set(page_consumption)
    for name, value in page_consumption.items():
        # The page prints two decimals, the report rounds large quantities to whole units.
        assert in_report[name] == pytest.approx(value, abs=0.51), name
