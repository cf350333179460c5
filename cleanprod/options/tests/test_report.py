"""Options as report data for the Word report, and the report built from them."""

from datetime import date, timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from docx import Document

from cleanprod.audits import report_data as rd
from cleanprod.audits.report_docx import build_report
from cleanprod.metering.models import DailyRollup
from cleanprod.options.feasibility import record_conclusion
from cleanprod.options.models import ExtraCashFlow, Feasibility, Implementation, OptionScore, Verification
from cleanprod.options.report import report_feasibility, report_implementations, report_options, report_screening
from cleanprod.options.screening import ensure_criteria
from cleanprod.options.services import change_status

from .conftest import make_option

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(option_a, alice):
    """F1 (medium cost) scored, screened in and found feasible with the worked example; F2 low cost, rejected."""
    for criterion, score in zip(ensure_criteria(option_a.audit), ["8", "6", "5", "9"], strict=True):
        OptionScore.objects.create(option=option_a, criterion=criterion, score=Decimal(score))
    change_status(option_a, "screened_in", acting_user=alice)
    feasibility = Feasibility.objects.create(
        option=option_a,
        technical_assessment="成熟技术",
        investment=Decimal("10"),
        cost_saving=Decimal("1.58"),
        discount_rate=Decimal("0.06"),
        override_note="贷款利率",
    )
    record_conclusion(feasibility, "feasible", "NPV > 0", acting_user=alice)
    rejected = make_option(option_a.audit, "更换灯具", "1")
    change_status(rejected, "rejected", acting_user=alice, comment="已实施")
    return option_a


def test_report_options(evaluated):
    options = report_options(evaluated.audit)

    assert [option.code for option in options] == ["F1", "F2"]
    assert options[0].cost_class == "medium"
    assert options[1].cost_class == "no_low"
    assert options[0].screening_score == pytest.approx(280.0)  # 10 × (8 + 6 + 5 + 9)
    assert options[1].screening_score is None
    assert options[0].expected_effects == "Electricity 100 MWh"
    assert options[0].status == "feasible"


def test_report_screening(evaluated):
    ranking = report_screening(evaluated.audit)

    assert ranking is not None
    assert [criterion.weight for criterion in ranking.criteria] == [Decimal("10")] * 4
    assert ranking.candidates[0].scores == (Decimal("8"), Decimal("6"), Decimal("5"), Decimal("9"))
    assert (ranking.candidates[0].total, ranking.candidates[0].rank) == (280.0, 1)
    assert ranking.candidates[1].rank is None
    assert ranking.chosen == "Screened in: F1. Rejected: F2."


def test_report_feasibility_uses_frozen_numbers(evaluated):
    audit = evaluated.audit
    audit.discount_rate = Decimal("0.3")
    audit.save()

    (feasibility,) = report_feasibility(audit)

    assert feasibility.economics is not None
    assert feasibility.economics.npv == pytest.approx(0.5617, abs=5e-5)
    assert feasibility.economics.irr.kind == "unique"
    assert feasibility.economics.irr.value_percent == pytest.approx(7.170, abs=5e-4)
    assert feasibility.economics.discount_rate_percent == pytest.approx(6.0)
    assert [row.change_percent for row in feasibility.sensitivity] == [-20, -10, 10, 20, -20, -10, 10, 20]
    assert feasibility.conclusion == "feasible: NPV > 0"
    assert feasibility.reductions[-1].amount == pytest.approx(53.66)


def test_report_implementation_with_verification(evaluated, meter_a):
    Implementation.objects.create(
        option=evaluated, start_on=date(2023, 4, 1), in_service_on=date(2023, 5, 1), actual_investment=Decimal("9.5")
    )
    verification = Verification.objects.create(option=evaluated)
    verification.meters.add(meter_a)
    # Default windows: 2023-01-01..03-31 before the start, 2023-05-01..07-29 from the date in service.
    full_day = 86400.0
    for offset in range(90):
        day = date(2023, 1, 1) + timedelta(days=offset)
        DailyRollup.objects.create(meter=meter_a, day=day, quantity=1000.0, covered_seconds=full_day)
    for offset in range(1, 90):  # 2023-05-01 has no data
        day = date(2023, 5, 1) + timedelta(days=offset)
        DailyRollup.objects.create(meter=meter_a, day=day, quantity=800.0, covered_seconds=full_day)

    (implementation,) = report_implementations(evaluated.audit)

    # 200 kWh/d less × 365 = 73 000 kWh against 100 000 kWh expected.
    assert implementation.verified_saving == pytest.approx(73_000.0)
    assert implementation.achieved_percent == pytest.approx(73.0)
    assert implementation.saving_unit == "kWh/a"
    assert implementation.actual_investment == Decimal("9.5")
    assert implementation.note == ("The after window lacks data on 1 of its 90 days; the result may be biased.")


def test_word_report_contains_options(evaluated):
    audit = evaluated.audit
    data = rd.AuditReportData(
        enterprise=rd.EnterpriseProfile(
            "华东精密铸造有限公司", "91320500MA1N2K3L4N", "C3391", "江苏省", audit.site.name
        ),
        audit=rd.AuditInfo(audit.name, "voluntary", "", audit.baseline_year, audit.started_on, date(2023, 12, 1)),
        options=report_options(audit),
        screening=report_screening(audit),
        feasibility=report_feasibility(audit),
        implementations=report_implementations(audit),
    )

    document = Document(BytesIO(build_report(data)))
    cells = {cell.text for table in document.tables for row in table.rows for cell in row.cells}

    assert "F1" in cells
    assert "空压机变频改造" in cells


def test_report_feasibility_irregular_flows(option_a, alice):
    # Flows [-1000, 3000, -2100] at 8 %: P = 3000 without tax, with −5100 in year 2.
    change_status(option_a, "screened_in", acting_user=alice)
    feasibility = Feasibility.objects.create(
        option=option_a,
        investment=Decimal("1000"),
        cost_saving=Decimal("3000"),
        tax_rate=Decimal("0"),
        depreciation_years=2,
        override_note="示例",
    )
    ExtraCashFlow.objects.create(feasibility=feasibility, year=2, amount=Decimal("-5100"), note="大修")
    record_conclusion(feasibility, "not_feasible", "NPV < 0", acting_user=alice)
    frozen = Feasibility.objects.get().frozen_result
    assert frozen is not None

    (study,) = report_feasibility(option_a.audit)

    assert study.economics is not None
    assert study.economics.npv == pytest.approx(frozen["irregular"]["npv"])
    assert study.economics.npv == pytest.approx(-22.63, abs=0.005)
    assert study.economics.irr.kind == "not_unique"
    assert study.economics.irr.roots_percent == pytest.approx((11.27, 88.73), abs=5e-3)
    assert study.economics.irr.mirr_percent == pytest.approx(7.56, abs=5e-3)
    assert "-1000.00; 1: 3000.00; 2: -2100.00" in study.economics.note
    assert study.sensitivity_note
    saving_up = next(row for row in study.sensitivity if row.variable == "annual saving" and row.change_percent == 10)
    # −1000 + 3300/1.08 − (3300 − 5100)/1.08² = −1000 + 3055.56 − 1543.21
    assert saving_up.npv == pytest.approx(-1000 + 3300 / 1.08 - 1800 / 1.08**2, abs=1e-6)


def test_report_implementation_without_verification(evaluated):
    Implementation.objects.create(option=evaluated, start_on=date(2023, 4, 1), in_service_on=date(2023, 5, 1))

    (implementation,) = report_implementations(evaluated.audit)

    assert implementation.expected_saving == pytest.approx(100.0)  # the option's 100 MWh of electricity a year
    assert implementation.saving_unit == "MWh/a"
    assert implementation.verified_saving is None
    assert implementation.note == ""
