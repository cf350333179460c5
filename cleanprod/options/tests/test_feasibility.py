"""Feasibility analysis: the page's numbers against evaluate(), multiple IRRs, conclusions and isolation."""

from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse

from cleanprod.options.economics import EconomicInputs, evaluate, sensitivity
from cleanprod.options.feasibility import feasibility_summary
from cleanprod.options.models import ExtraCashFlow, Feasibility, Option
from cleanprod.options.services import change_status
from cleanprod.options.workflow import OptionStatus

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}

# Worked example: I = 10, P = 1.58, 25 % tax, 10 years, 6 % → N = 6.969, NPV = 0.5617, IRR = 7.170 %.
EXAMPLE_FORM = {
    "technical_assessment": "成熟技术",
    "environmental_assessment": "节电",
    "investment": "10",
    "subsidy": "0",
    "revenue_increase": "0",
    "cost_saving": "1.58",
    "tax_rate": "0.25",
    "depreciation_years": "10",
    "discount_rate": "0.06",
    "life_years": "",
    "override_note": "银行贷款利率 6 %",
    "flows-TOTAL_FORMS": "0",
    "flows-INITIAL_FORMS": "0",
    "flows-MIN_NUM_FORMS": "0",
    "flows-MAX_NUM_FORMS": "1000",
}


def _numbers(option: Option) -> dict[str, Any]:
    summary = feasibility_summary(option)
    assert summary is not None
    assert summary.numbers is not None
    return summary.numbers


def test_page_numbers_equal_evaluate(option_a, alice, client_for):
    client = client_for(alice)
    url = reverse("options:feasibility", args=[option_a.pk])

    assert client.post(url, EXAMPLE_FORM).status_code == 302
    page = client.get(url, **EN).content.decode()
    expected = evaluate(EconomicInputs(investment=10, cost_saving=1.58, tax_rate=0.25, discount_rate=0.06))
    numbers = _numbers(option_a)

    assert numbers["npv"] == pytest.approx(expected.npv)
    assert numbers["irr"]["value"] == pytest.approx(expected.irr.value)
    assert numbers["static_payback"] == pytest.approx(expected.static_payback)
    assert numbers["cash_flow"] == pytest.approx(1.435)
    assert expected.npv == pytest.approx(0.5617, abs=5e-5)
    assert "0.5617" in page
    assert "7.170 %" in page
    assert "6.97 years" in page
    assert "1.4350" in page
    rows = sensitivity(EconomicInputs(investment=10, cost_saving=1.58, tax_rate=0.25, discount_rate=0.06))
    assert [row["npv"] for row in numbers["sensitivity"]] == pytest.approx([row.npv for row in rows])
    assert len(numbers["sensitivity"]) == 10


def test_override_without_note_rejected(option_a, alice, client_for):
    response = client_for(alice).post(
        reverse("options:feasibility", args=[option_a.pk]), {**EXAMPLE_FORM, "override_note": ""}, **EN
    )

    assert response.status_code == 400
    assert "rates other than the audit" in response.content.decode()
    assert not Feasibility.objects.exists()


def test_audit_rates_are_default(option_a):
    Feasibility.objects.create(option=option_a, investment=Decimal("10"), cost_saving=Decimal("1.58"))

    numbers = _numbers(option_a)

    assert numbers["inputs"]["discount_rate"] == pytest.approx(0.08)
    assert numbers["inputs"]["tax_rate"] == pytest.approx(0.25)


def test_negative_saving_shows_no_payback(option_a, alice, client_for):
    client = client_for(alice)
    url = reverse("options:feasibility", args=[option_a.pk])
    client.post(url, {**EXAMPLE_FORM, "cost_saving": "-1"})

    page = client.get(url, **EN).content.decode()

    assert _numbers(option_a)["static_payback"] is None
    assert "no payback" in page
    assert "no IRR" in page


def test_multiple_irr_shown_with_every_root(option_a, alice, client_for):
    # Flows [-1000, 3000, -2100] at 8 %: P = 3000 without tax, with −5100 in year 2.
    feasibility = Feasibility.objects.create(
        option=option_a,
        investment=Decimal("1000"),
        cost_saving=Decimal("3000"),
        tax_rate=Decimal("0"),
        depreciation_years=2,
        override_note="示例",
    )
    ExtraCashFlow.objects.create(feasibility=feasibility, year=2, amount=Decimal("-5100"), note="大修")

    numbers = _numbers(option_a)
    page = client_for(alice).get(reverse("options:feasibility", args=[option_a.pk]), **EN).content.decode()

    irregular = numbers["irregular"]
    assert irregular["flows"] == [-1000.0, 3000.0, -2100.0]
    assert irregular["irr"]["status"] == "multiple"
    assert irregular["irr"]["roots"] == pytest.approx([0.1127, 0.8873], abs=5e-5)
    assert irregular["npv"] == pytest.approx(-22.63, abs=0.005)
    assert irregular["mirr"] == pytest.approx(0.0756, abs=5e-5)
    assert "IRR not unique (11.27 %, 88.73 %)" in page
    assert "7.56 %" in page
    detail = client_for(alice).get(reverse("options:detail", args=[option_a.pk]), **EN).content.decode()
    assert "IRR not unique (11.27 %, 88.73 %)" in detail


def test_conclusion_freezes_numbers(option_a, alice, client_for):
    client = client_for(alice)
    client.post(
        reverse("options:feasibility", args=[option_a.pk]), {**EXAMPLE_FORM, "discount_rate": "", "override_note": ""}
    )
    change_status(option_a, OptionStatus.SCREENED_IN, acting_user=alice)

    response = client.post(
        reverse("options:feasibility-conclude", args=[option_a.pk]), {"conclusion": "feasible", "reason": "NPV > 0"}
    )
    option_a.audit.discount_rate = Decimal("0.5")
    option_a.audit.save()

    feasibility = Feasibility.objects.get()
    option_a.refresh_from_db()
    assert response.status_code == 302
    assert option_a.status == OptionStatus.FEASIBLE
    assert feasibility.concluded_by == alice
    assert feasibility.frozen_result is not None
    assert feasibility.frozen_result["inputs"]["discount_rate"] == pytest.approx(0.08)
    assert _numbers(option_a)["inputs"]["discount_rate"] == pytest.approx(0.08)
    assert [t.comment for t in option_a.transitions.all()] == ["", "NPV > 0"]

    client.post(reverse("options:feasibility-reopen", args=[option_a.pk]))
    assert _numbers(option_a)["inputs"]["discount_rate"] == pytest.approx(0.5)


def test_conclusion_needs_screening_first(option_a, alice, client_for):
    client = client_for(alice)
    client.post(reverse("options:feasibility", args=[option_a.pk]), EXAMPLE_FORM)

    response = client.post(
        reverse("options:feasibility-conclude", args=[option_a.pk]), {"conclusion": "feasible", "reason": "ok"}, **EN
    )

    assert response.status_code == 400
    assert "cannot become feasible" in response.content.decode()
    assert Feasibility.objects.get().conclusion == ""


def test_auditor_reads_feasibility_only(option_a, alice, carol, client_for):
    client_for(alice).post(reverse("options:feasibility", args=[option_a.pk]), EXAMPLE_FORM)
    client = client_for(carol)

    assert client.get(reverse("options:feasibility", args=[option_a.pk])).status_code == 200
    for name in ("options:feasibility", "options:feasibility-conclude", "options:feasibility-reopen"):
        assert (
            client.post(reverse(name, args=[option_a.pk]), {"conclusion": "feasible", "reason": "x"}).status_code == 403
        )
    assert Feasibility.objects.get().conclusion == ""


def test_other_site_gets_404_on_feasibility(option_a, bob, client_for):
    client = client_for(bob)
    for name in ("options:feasibility", "options:feasibility-conclude", "options:feasibility-reopen"):
        assert client.post(reverse(name, args=[option_a.pk]), EXAMPLE_FORM).status_code == 404
    assert client.get(reverse("options:feasibility", args=[option_a.pk])).status_code == 404
    assert client.get(reverse("options:economics-xlsx", args=[option_a.audit_id])).status_code == 404


def test_invalid_investment_reported_on_field(option_a, alice, client_for):
    response = client_for(alice).post(
        reverse("options:feasibility", args=[option_a.pk]), {**EXAMPLE_FORM, "investment": "abc", "subsidy": "5"}, **EN
    )

    assert response.status_code == 400
    assert "Enter a number." in response.content.decode()
    assert not Feasibility.objects.exists()


def test_subsidy_above_investment_rejected(option_a, alice, client_for):
    response = client_for(alice).post(
        reverse("options:feasibility", args=[option_a.pk]), {**EXAMPLE_FORM, "subsidy": "11"}, **EN
    )

    assert response.status_code == 400
    assert "subsidy cannot exceed" in response.content.decode()
