"""The Word report of a populated audit: its tables equal the frozen numbers of the audit services."""

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO
from typing import Any
from urllib.parse import unquote

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import translation
from docx import Document
from docx.document import Document as DocumentObject
from docx.table import Table

from cleanprod.audits.balances import close
from cleanprod.audits.balancing import flow_of
from cleanprod.audits.focus import choose_focus, save_scores
from cleanprod.audits.models import (
    Aspect,
    AuditProject,
    Balance,
    BalanceFlow,
    BalanceKind,
    Cause,
    FlowDirection,
    FocusCandidate,
    Step,
    Target,
    TargetIndicator,
    TeamMember,
    TeamRole,
    WasteStream,
)
from cleanprod.audits.report import report_data
from cleanprod.audits.report_docx import build_report, format_money, format_number, format_quantity
from cleanprod.audits.report_text import TEXT_ZH
from cleanprod.audits.services import take_snapshot
from cleanprod.audits.views import report_filename
from cleanprod.metering.models import DailyRollup, Meter
from cleanprod.options.economics import evaluate
from cleanprod.options.feasibility import economic_inputs, record_conclusion
from cleanprod.options.models import Aspect as OptionAspect
from cleanprod.options.models import Feasibility, Implementation, Option, OptionScore, Verification
from cleanprod.options.screening import ensure_criteria
from cleanprod.options.services import change_status, create_option
from cleanprod.production.models import ProductionRecord
from cleanprod.reports.tests.conftest import MARCH_2023_KWH, correct_grid_factor_2023
from cleanprod.resources.models import Resource

pytestmark = pytest.mark.django_db

REPORT_DAY = date(2024, 9, 30)


def tables(document: DocumentObject) -> list[Table]:
    return list(document.tables)


def table_with_header(document: DocumentObject, *headers: str) -> list[list[str]]:
    """Return the rows (cell texts) of the table whose header row starts with ``headers``."""
    for table in tables(document):
        rows = [[cell.text for cell in row.cells] for row in table.rows]
        if tuple(rows[0][: len(headers)]) == headers:
            return rows
    raise AssertionError(f"no table with header {headers}")


@pytest.fixture
def populated(ledger_a: Any, audit_a: AuditProject, alice: User) -> AuditProject:
    """Audit A with a snapshot of the March 2023 ledger and one row of every report section."""
    audit = audit_a
    TeamMember.objects.create(audit=audit, user=alice, role=TeamRole.LEADER, responsibilities="组织审核")
    TeamMember.objects.create(audit=audit, name="王工", organisation="设备科", responsibilities="平衡测试")
    take_snapshot(audit, acting_user=alice)

    workshop = FocusCandidate.objects.create(audit=audit, unit=audit.site.units.get(code="ws1"))
    air = FocusCandidate.objects.create(audit=audit, unit=audit.site.units.get(code="air"))
    criteria = list(audit.focus_criteria.all())
    scores: dict[tuple[int, int], Decimal | None] = {}
    for criterion in criteria:
        scores[(workshop.pk, criterion.pk)] = Decimal("8")
        scores[(air.pk, criterion.pk)] = Decimal("5")
    save_scores(audit, scores)
    choose_focus(audit, workshop, acting_user=alice)

    Target.objects.create(
        audit=audit,
        indicator=TargetIndicator.ENERGY_TCE,
        unit="tce",
        baseline_value=Decimal("100"),
        near_term_value=Decimal("95"),
        near_term_year=2025,
    )
    balance = Balance.objects.create(audit=audit, kind=BalanceKind.WATER, name="铸造水平衡", unit="m³")
    for step, direction, to_step, name, quantity in (
        ("冷却", FlowDirection.INPUT, "", "新鲜水", "100"),
        ("冷却", FlowDirection.TRANSFER, "清洗", "冷却回水", "60"),
        ("冷却", FlowDirection.OUTPUT, "", "蒸发", "37"),
        ("清洗", FlowDirection.OUTPUT, "", "清洗废水", "58"),
    ):
        BalanceFlow.objects.create(
            balance=balance, step=step, direction=direction, to_step=to_step, name=name, quantity=Decimal(quantity)
        )
    stream = WasteStream.objects.create(audit=audit, name="清洗废水")
    Cause.objects.create(stream=stream, aspect=Aspect.EQUIPMENT, description="喷嘴磨损")
    Cause.objects.create(stream=stream, aspect=Aspect.MANAGEMENT, description="无用水定额")

    medium = create_option(
        Option(audit=audit, title="空压机变频改造", aspect=OptionAspect.EQUIPMENT, investment=Decimal("10")),
        acting_user=alice,
    )
    create_option(
        Option(audit=audit, title="更换节水喷嘴", aspect=OptionAspect.EQUIPMENT, investment=Decimal("0.5")),
        acting_user=alice,
    )
    for screening_criterion in ensure_criteria(audit):
        OptionScore.objects.create(option=medium, criterion=screening_criterion, score=Decimal("7"))
    change_status(medium, "screened_in", acting_user=alice)
    # Worked example B: I = 10, P = 1.58, 25 % tax, 10 years, 6 % → NPV 0.56, IRR 7.17 %.
    feasibility = Feasibility.objects.create(
        option=medium,
        technical_assessment="成熟技术",
        investment=Decimal("10"),
        cost_saving=Decimal("1.58"),
        tax_rate=Decimal("0.25"),
        depreciation_years=10,
        discount_rate=Decimal("0.06"),
    )
    record_conclusion(feasibility, "feasible", "NPV > 0", acting_user=alice)
    return audit


def build(audit: AuditProject) -> DocumentObject:
    return Document(BytesIO(build_report(report_data(audit, REPORT_DAY))))


def test_consumption_table_equals_snapshot(populated: AuditProject) -> None:
    snapshot = populated.snapshots.get()
    correct_grid_factor_2023("0.6000")  # a later factor correction must not reach the report

    document = build(populated)

    text = TEXT_ZH
    rows = table_with_header(document, text["resource"], text["unit"], text["quantity"])
    consumption = snapshot.numbers["site"]["consumption"]
    assert len(consumption) >= 1
    assert rows[1 : 1 + len(consumption)] == [
        [item["name_zh"], item["unit"], format_quantity(item["quantity"]), rows[index][3], rows[index][4]]
        for index, item in enumerate(consumption, start=1)
    ]
    electricity = next(row for row in rows if row[0] == "电力")
    expected = next(item for item in consumption if item["resource_code"] == "electricity")
    assert electricity[2] == format_quantity(expected["quantity"])
    assert rows[-1][0] == text["total"]

    data = report_data(populated, REPORT_DAY)
    assert [item.quantity for item in data.pre_assessment.consumption] == [item["quantity"] for item in consumption]
    assert [item.energy_tce for item in data.pre_assessment.consumption] == [item["energy_tce"] for item in consumption]
    site_row = data.pre_assessment.indicators[0]
    assert site_row.co2_t == snapshot.numbers["site"]["total_co2_t"]["value"]
    # Electricity is the only CO2 source of this ledger, so its row carries the whole total.
    electricity_co2 = next(item.co2_t for item in data.pre_assessment.consumption if item.resource == "电力")
    assert electricity_co2 == pytest.approx(snapshot.numbers["site"]["total_co2_t"]["value"])
    assert electricity_co2 > 0
    assert data.pre_assessment.priorities[0].item == snapshot.numbers["priorities"][0]["unit_name"]


def test_economics_equal_evaluation_of_inputs(populated: AuditProject) -> None:
    feasibility = Feasibility.objects.get(option__audit=populated)
    evaluation = evaluate(economic_inputs(feasibility))
    populated.discount_rate = Decimal("0.3")  # changing the audit's rate later does not change the frozen result
    populated.save()

    document = build(populated)

    (economics,) = [
        {row.cells[1].text: row.cells[2].text for row in table.rows}
        for table in tables(document)
        if len(table.columns) == 3 and any(row.cells[1].text == "NPV" for row in table.rows)
    ]
    rows = economics
    assert rows["NPV"].startswith(format_money(evaluation.npv))
    assert rows["NPV"].startswith("0.56")
    assert rows["F"].startswith(format_money(evaluation.cash_flow))
    assert rows["I"].startswith(format_money(evaluation.total_investment))
    assert evaluation.irr.value is not None
    assert rows["IRR"] == f"{evaluation.irr.value * 100:.2f}%"
    assert rows["IRR"] == "7.17%"


def test_closure_equals_balance_arithmetic(populated: AuditProject) -> None:
    balance = populated.balances.get()
    overall, steps = close([flow_of(row) for row in balance.flows.all()], float(balance.tolerance_percent))

    document = build(populated)

    rows = table_with_header(document, TEXT_ZH["closure.step"])
    assert [row[0] for row in rows[1:-1]] == [step.node for step in steps]
    assert [step.node for step in steps] == ["冷却", "清洗"]
    assert rows[-1][0] == TEXT_ZH["closure.overall"]
    assert rows[-1][4] == format_number(overall.difference_percent, 2)
    assert rows[-1][4] == "5.00"
    assert rows[1][4] == format_number(steps[0].difference_percent, 2)
    assert len(document.inline_shapes) == 1  # the Sankey diagram


def test_balance_name_without_repeated_kind(populated: AuditProject) -> None:
    with translation.override("zh-hans"):
        kind = str(BalanceKind.ENERGY.label)  # 能量平衡 once the catalogue is compiled
    Balance.objects.create(audit=populated, kind=BalanceKind.ENERGY, name=f"轧钢{kind}", unit="MWh")
    Balance.objects.create(audit=populated, kind=BalanceKind.ENERGY, name=kind, unit="MWh")

    balances = report_data(populated, REPORT_DAY).balances

    assert [balance.name for balance in balances if balance.kind == kind] == ["轧钢", ""]


def test_sections_from_services(populated: AuditProject) -> None:
    data = report_data(populated, REPORT_DAY)

    assert data.audit.report_date == REPORT_DAY
    assert data.enterprise.uscc == populated.site.enterprise.uscc
    assert [member.name for member in data.team] == ["Alice", "王工"]
    with translation.override("zh-hans"):
        assert data.team[0].team_role == str(TeamRole.LEADER.label)
    assert data.focus_ranking is not None
    assert data.focus_ranking.chosen == "A 铸造车间"
    assert [candidate.rank for candidate in data.focus_ranking.candidates] == [1, 2]
    assert data.targets[0].near_term_reduction_percent == pytest.approx(5.0)
    assert data.causes[0].equipment == "喷嘴磨损"
    assert data.causes[0].management == "无用水定额"
    assert [option.cost_class for option in data.options] == ["medium", "no_low"]
    assert data.feasibility[0].economics is not None
    assert len(data.work_plan) == Step.objects.filter(phase__audit=populated).count()
    assert data.work_plan[0].due is None


def test_report_without_font_states_missing_sankey(populated: AuditProject, monkeypatch: pytest.MonkeyPatch) -> None:
    def no_font(*args: object, **kwargs: object) -> bytes:
        raise LookupError("no font with Chinese glyphs")

    monkeypatch.setattr("cleanprod.audits.report.render_sankey_png", no_font)

    data = report_data(populated, REPORT_DAY)

    assert data.balances[0].sankey_png is None
    document = Document(BytesIO(build_report(data)))
    assert any(paragraph.text == TEXT_ZH["ch4.sankey.missing"] for paragraph in document.paragraphs)


def test_report_of_new_audit_without_snapshot(audit_a: AuditProject) -> None:
    data = report_data(audit_a, REPORT_DAY)

    assert data.pre_assessment.consumption == ()
    assert data.focus_ranking is None
    Document(BytesIO(build_report(data)))


def test_before_after_from_verification(populated: AuditProject, meter_a: Meter) -> None:
    option = populated.options.get(number=1)
    Implementation.objects.create(option=option, start_on=date(2023, 4, 1), in_service_on=date(2023, 6, 1))
    verification = Verification.objects.create(
        option=option,
        before_start=date(2023, 3, 1),
        before_end=date(2023, 3, 31),
        after_start=date(2023, 6, 1),
        after_end=date(2023, 6, 30),
    )
    verification.meters.add(meter_a)
    for offset in range(30):
        DailyRollup.objects.create(meter=meter_a, day=date(2023, 6, 1) + timedelta(days=offset), quantity=2000.0)

    data = report_data(populated, REPORT_DAY)

    (row,) = data.before_after
    assert row.indicator == "F1 电力"
    assert row.unit == "kWh/d"
    assert row.before == pytest.approx(MARCH_2023_KWH / 31)  # no production is chosen, so per day
    assert row.after == pytest.approx(2000.0)
    assert row.change_percent == pytest.approx((2000.0 - MARCH_2023_KWH / 31) / (MARCH_2023_KWH / 31) * 100)
    (implementation,) = data.implementations
    assert implementation.verified_saving == pytest.approx((MARCH_2023_KWH / 31 - 2000.0) * 365)


def test_before_after_per_product_unit(populated: AuditProject, meter_a: Meter) -> None:
    option = populated.options.get(number=1)
    product = Resource.objects.get(code="product")
    Implementation.objects.create(option=option, start_on=date(2023, 4, 1), in_service_on=date(2023, 6, 1))
    verification = Verification.objects.create(
        option=option,
        product=product,
        before_start=date(2023, 3, 1),
        before_end=date(2023, 3, 31),
        after_start=date(2023, 6, 1),
        after_end=date(2023, 6, 30),
    )
    verification.meters.add(meter_a)
    for offset in range(30):
        DailyRollup.objects.create(meter=meter_a, day=date(2023, 6, 1) + timedelta(days=offset), quantity=2000.0)
    ProductionRecord.objects.create(
        site=populated.site,
        organization_unit=populated.site.units.get(code="ws1"),
        product=product,
        period_start=date(2023, 6, 1),
        period_end=date(2023, 6, 30),
        quantity=Decimal("100"),
        unit="t",
    )

    (row,) = report_data(populated, REPORT_DAY).before_after

    assert row.unit == f"kWh/{product.canonical_unit}"
    assert product.canonical_unit == "t"
    assert row.after == pytest.approx(2000.0 * 30 / 100)


# -- Download ---------------------------------------------------------------------------------------


def test_download_by_read_only_auditor(
    populated: AuditProject, carol: User, client_for: Callable[[User], Client]
) -> None:
    response = client_for(carol).get(reverse("audits:report-docx", args=[populated.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment; filename*=utf-8''")
    with translation.override("zh-hans"):
        expected = report_filename(populated)
    assert expected.startswith(populated.name)
    assert expected.endswith(".docx")
    assert unquote(disposition.split("''", 1)[1]) == expected
    document = Document(BytesIO(response.content))
    assert any(cell.text == "空压机变频改造" for table in document.tables for row in table.rows for cell in row.cells)


@pytest.mark.parametrize("persona", ["bob", "charlie"])
def test_download_hidden_from_other_users(
    persona: str, audit_a: AuditProject, request: pytest.FixtureRequest, client_for: Callable[[User], Client]
) -> None:
    user = request.getfixturevalue(persona)

    response = client_for(user).get(reverse("audits:report-docx", args=[audit_a.pk]))

    assert response.status_code == 404


def test_download_needs_get(audit_a: AuditProject, alice: User, client_for: Callable[[User], Client]) -> None:
    response = client_for(alice).post(reverse("audits:report-docx", args=[audit_a.pk]))

    assert response.status_code == 405


def test_overview_links_downloads(audit_a: AuditProject, carol: User, client_for: Callable[[User], Client]) -> None:
    page = client_for(carol).get(reverse("audits:overview", args=[audit_a.pk])).content.decode()

    for name in ("options:list", "options:register-xlsx", "options:economics-xlsx", "audits:report-docx"):
        assert f'href="{reverse(name, args=[audit_a.pk])}"' in page


def test_option_breadcrumb_links_overview(
    audit_a: AuditProject, alice: User, client_for: Callable[[User], Client]
) -> None:
    page = client_for(alice).get(reverse("options:list", args=[audit_a.pk])).content.decode()

    assert f'href="{reverse("audits:overview", args=[audit_a.pk])}"' in page


def test_texts_written_by_the_auditors_appear_in_their_chapters(audit_a: AuditProject) -> None:
    audit_a.report_overview = "本轮审核以轧钢工序为重点。"
    audit_a.enterprise_description = "主要产品为热轧钢板，工艺为加热、轧制、冷却。"
    audit_a.continuous_plan = "设立清洁生产办公室，每年开展一次内部审核。"
    audit_a.conclusions = "审核目标全部完成。"
    audit_a.save()

    paragraphs = [paragraph.text for paragraph in build(audit_a).paragraphs]

    for text in ("本轮审核以轧钢工序为重点。", "主要产品为热轧钢板", "设立清洁生产办公室", "审核目标全部完成。"):
        assert any(text in paragraph for paragraph in paragraphs), text
