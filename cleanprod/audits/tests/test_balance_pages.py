"""Balances through the pages: closure per step and overall against values worked by hand, and meter fill."""

import json
import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from cleanprod.audits.balancing import balance_result, balance_results
from cleanprod.audits.models import Balance, BalanceFlow
from cleanprod.audits.report import balance_sankey_flows

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}

# Washing: 100 m³ fresh water in; 82 m³ to treatment and 15 m³ evaporated (estimated) out.
# Treatment: 82 m³ in; 70 m³ discharged and 10 m³ reused elsewhere out.
FLOWS = [
    {"step": "清洗", "direction": "input", "name": "新鲜水", "quantity": "100"},
    {"step": "清洗", "direction": "transfer", "to_step": "废水处理", "name": "清洗废水", "quantity": "82"},
    {"step": "清洗", "direction": "output", "name": "蒸发", "quantity": "15", "estimated": "on"},
    {"step": "废水处理", "direction": "output", "name": "达标排放", "quantity": "70"},
    {"step": "废水处理", "direction": "output", "name": "回用水", "quantity": "10"},
]


@pytest.fixture
def water_balance(audit_a, alice, client_for):
    client = client_for(alice)
    response = client.post(
        reverse("audits:balances", args=[audit_a.pk]),
        {"kind": "water", "name": "清洗工段水平衡", "unit": "m³", "tolerance_percent": "5"},
    )
    balance = Balance.objects.get()
    assert response.status_code == 302
    for flow in FLOWS:
        assert client.post(reverse("audits:balance", args=[balance.pk]), flow).status_code == 302
    return balance


def test_closure_per_step_and_overall(water_balance):
    result = balance_result(water_balance)

    washing, treatment = result.steps
    assert (washing.node, washing.inputs, washing.outputs, washing.difference) == ("清洗", 100, 97, 3)
    assert washing.difference_percent == pytest.approx(3.0)
    assert washing.within_tolerance is True
    assert washing.estimated_share == pytest.approx(15 / 197)
    assert (treatment.inputs, treatment.outputs) == (82, 80)
    assert treatment.difference_percent == pytest.approx(2 / 82 * 100)
    overall = result.overall
    assert overall is not None
    assert (overall.inputs, overall.outputs, overall.difference) == (100, 95, 5)
    assert overall.within_tolerance is True  # exactly 5 %


def test_tighter_tolerance_fails_overall(water_balance, alice, client_for):
    response = client_for(alice).post(
        reverse("audits:balance-edit", args=[water_balance.pk]),
        {"kind": "water", "name": water_balance.name, "unit": "m³", "tolerance_percent": "4"},
    )
    water_balance.refresh_from_db()

    result = balance_results(water_balance.audit)[0]
    assert response.status_code == 302
    assert result.overall is not None
    assert result.overall.within_tolerance is False
    assert [closure.within_tolerance for closure in result.steps] == [True, True]


def test_balance_page_shows_closure_and_sankey(water_balance, alice, client_for):
    page = client_for(alice).get(reverse("audits:balance", args=[water_balance.pk]), **ENGLISH).content.decode()

    assert "2.44" in page  # treatment: 2 / 82 × 100
    match = re.search(r'<script id="balance-sankey-data" type="application/json">(.*?)</script>', page, re.S)
    assert match is not None
    chart = json.loads(match.group(1))
    assert len(chart["links"]) == 5
    assert {"source": "清洗", "target": "废水处理", "value": 82.0, "estimated": False, "name": "清洗废水"} in chart[
        "links"
    ]


def test_transfer_without_target_rejected(water_balance, alice, client_for):
    response = client_for(alice).post(
        reverse("audits:balance", args=[water_balance.pk]),
        {"step": "清洗", "direction": "transfer", "name": "x", "quantity": "1"},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert "A transfer needs the step it goes to." in response.content.decode()
    assert BalanceFlow.objects.count() == len(FLOWS)


def test_negative_quantity_rejected(water_balance, alice, client_for):
    response = client_for(alice).post(
        reverse("audits:balance", args=[water_balance.pk]),
        {"step": "清洗", "direction": "input", "name": "x", "quantity": "-1"},
    )

    assert response.status_code == 400
    assert BalanceFlow.objects.count() == len(FLOWS)


def test_flow_filled_from_meter(ledger_a, audit_a, meter_a, alice, client_for):
    balance = Balance.objects.create(audit=audit_a, kind="energy", name="电平衡", unit="MWh")

    response = client_for(alice).post(
        reverse("audits:balance", args=[balance.pk]),
        {"step": "熔炼", "direction": "input", "name": "电", "meter": meter_a.pk},
    )

    flow = BalanceFlow.objects.get(balance=balance)
    assert response.status_code == 302
    assert flow.quantity == Decimal("74.4")  # 100 kWh × 744 hours of March 2023
    assert flow.meter == meter_a


def test_meter_with_other_dimension_rejected(ledger_a, audit_a, meter_a, alice, client_for):
    balance = Balance.objects.create(audit=audit_a, kind="material", name="物料平衡", unit="t")

    response = client_for(alice).post(
        reverse("audits:balance", args=[balance.pk]),
        {"step": "熔炼", "direction": "input", "name": "电", "meter": meter_a.pk},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert "cannot be converted to t" in response.content.decode()
    assert not BalanceFlow.objects.exists()


def test_meter_of_other_site_rejected(audit_a, meter_b, erin, client_for):
    balance = Balance.objects.create(audit=audit_a, kind="energy", name="电平衡", unit="kWh")

    response = client_for(erin).post(
        reverse("audits:balance", args=[balance.pk]),
        {"step": "熔炼", "direction": "input", "name": "电", "meter": meter_b.pk},
    )

    assert response.status_code == 400
    assert not BalanceFlow.objects.exists()


def test_flow_with_letters_gets_one_error(audit_a, alice, client_for):
    balance = Balance.objects.create(audit=audit_a, kind="water", name="水平衡", unit="m³")

    response = client_for(alice).post(
        reverse("audits:balance", args=[balance.pk]),
        {"step": "清洗", "direction": "input", "name": "新鲜水", "quantity": "abc"},
        **ENGLISH,
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Enter a number." in page
    assert "choose a meter to fill it from" not in page
    assert not BalanceFlow.objects.exists()


def test_flow_missing_fields_named(audit_a, alice, client_for):
    balance = Balance.objects.create(audit=audit_a, kind="water", name="水平衡", unit="m³")

    response = client_for(alice).post(
        reverse("audits:balance", args=[balance.pk]), {"name": "新鲜水", "quantity": "1"}, **ENGLISH
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "Process step is missing; fill it in." in page
    assert "Direction is missing; fill it in." in page
    assert "This field is required." not in page


def test_balance_list_shows_kind_label(water_balance, alice, client_for):
    page = client_for(alice).get(reverse("audits:balances", args=[water_balance.audit_id])).content.decode()

    assert f"<td>{water_balance.get_kind_display()}</td>" in page
    assert "<td>water</td>" not in page


def test_report_sankey_one_node_per_output(water_balance):
    with translation.override("en"):
        flows = balance_sankey_flows(balance_result(water_balance))

    targets = [flow.target for flow in flows]
    assert "to outside" not in targets
    assert {"蒸发", "达标排放", "回用水"} <= set(targets)
    assert {flow.source for flow in flows if flow.target == "清洗"} == {"新鲜水"}
    assert [flow.note for flow in flows if flow.target == "蒸发"] == ["estimated"]
