"""Pre-assessment numbers from the ledger, the frozen snapshot, targets filled from it and candidates."""

from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from cleanprod.audits.models import FocusCandidate, PreAssessmentSnapshot, Target
from cleanprod.audits.services import pre_assessment, pre_assessment_numbers, targets_table
from cleanprod.indicators.services import compute_indicator_set
from cleanprod.reports.tests.conftest import MARCH_2023_KWH, MARCH_2023_TCE, correct_grid_factor_2023
from cleanprod.resources.models import Resource

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}
YEAR = (date(2023, 1, 1), date(2023, 12, 31))


def test_numbers_equal_ledger_indicators(ledger_a, audit_a):
    product = Resource.objects.get(code="product")
    numbers, factor_versions = pre_assessment_numbers(audit_a)

    for block, scope in ((numbers["site"], ledger_a), (numbers["units"][0], ledger_a.units.get(code="ws1"))):
        expected = compute_indicator_set(scope, *YEAR, product=product)
        assert block["comprehensive_energy_tce"]["value"] == expected.comprehensive_energy_tce
        assert block["total_co2_t"]["value"] == expected.total_co2_t
        assert block["fresh_water_m3"] == expected.fresh_water_m3
        electricity = next(item for item in block["consumption"] if item["resource_code"] == "electricity")
        expected_electricity = expected.consumption_of("electricity")
        assert expected_electricity is not None
        assert electricity["quantity"] == expected_electricity.quantity == MARCH_2023_KWH
        assert electricity["energy_tce"] == pytest.approx(MARCH_2023_TCE)
        assert block["products"][0]["energy_kgce_per_unit"]["value"] == expected.energy_intensity_kgce_per_unit
        assert expected.net_output is not None
        assert block["products"][0]["net_output"] == float(expected.net_output)
    assert numbers["units"][0]["code"] == "ws1"
    assert numbers["enterprise"]["uscc"] == ledger_a.enterprise.uscc
    assert {factor["factor_id"] for factor in factor_versions} >= {use.factor_id for use in expected.factors}
    assert numbers["priorities"][0]["unit_code"] == "ws1"


def test_snapshot_keeps_numbers_after_factor_correction(ledger_a, audit_a, alice, client_for):
    client = client_for(alice)
    response = client.post(reverse("audits:snapshot", args=[audit_a.pk]))
    assert response.status_code == 302
    frozen_co2 = PreAssessmentSnapshot.objects.get().numbers["site"]["total_co2_t"]["value"]

    correct_grid_factor_2023("0.6000")

    live = compute_indicator_set(ledger_a, *YEAR).total_co2_t
    assert live != pytest.approx(frozen_co2)
    report = pre_assessment(audit_a)
    assert report["numbers"]["site"]["total_co2_t"]["value"] == frozen_co2
    assert report["snapshot"]["taken_by"] == "alice"
    versions = [factor["version"] for factor in report["factor_versions"] if factor["kind"] == "grid_emission"]
    assert versions == [1]
    page = client.get(reverse("audits:pre-assessment", args=[audit_a.pk]), **ENGLISH).content.decode()
    assert "These numbers were frozen on" in page


def test_report_without_snapshot_has_no_numbers(audit_a):
    assert pre_assessment(audit_a) == {"snapshot": None, "numbers": None, "factor_versions": []}


def test_live_page_before_snapshot(ledger_a, audit_a, carol, client_for):
    page = client_for(carol).get(reverse("audits:pre-assessment", args=[audit_a.pk]), **ENGLISH).content.decode()

    assert "These are live numbers from the ledger." in page
    assert "74,400" in page or "74400" in page
    assert "Take snapshot" not in page  # carol reads only


def test_target_baseline_from_snapshot(ledger_a, audit_a, alice, client_for):
    client = client_for(alice)
    client.post(reverse("audits:snapshot", args=[audit_a.pk]))
    energy = PreAssessmentSnapshot.objects.get().numbers["site"]["comprehensive_energy_tce"]["value"]

    response = client.post(
        reverse("audits:targets", args=[audit_a.pk]),
        {
            "indicator": "energy_tce",
            "near_term_value": "8.5",
            "near_term_year": "2025",
            "long_term_value": "8",
            "long_term_year": "2027",
        },
    )

    target = Target.objects.get()
    assert response.status_code == 302
    assert target.baseline_value == Decimal(str(round(energy, 4)))
    assert target.unit == "tce"
    row = targets_table(audit_a)[0]
    baseline = float(target.baseline_value)
    assert row["near_term_reduction_percent"] == pytest.approx((baseline - 8.5) / baseline * 100)
    assert row["long_term_reduction_percent"] == pytest.approx((baseline - 8) / baseline * 100)


def test_target_without_snapshot_needs_baseline(audit_a, alice, client_for):
    response = client_for(alice).post(
        reverse("audits:targets", args=[audit_a.pk]),
        {"indicator": "energy_tce", "near_term_value": "8", "near_term_year": "2025"},
        **ENGLISH,
    )

    assert response.status_code == 400
    assert "No pre-assessment snapshot was taken yet" in response.content.decode()
    assert not Target.objects.exists()


def test_target_long_term_needs_year(audit_a, alice, client_for):
    response = client_for(alice).post(
        reverse("audits:targets", args=[audit_a.pk]),
        {
            "indicator": "other",
            "name": "COD",
            "unit": "t",
            "baseline_value": "10",
            "near_term_value": "9",
            "near_term_year": "2025",
            "long_term_value": "8",
        },
        **ENGLISH,
    )

    assert response.status_code == 400
    assert "Enter both the long-term target and its year" in response.content.decode()


def test_candidates_from_priority_list(ledger_a, audit_a, alice, client_for):
    client = client_for(alice)
    client.post(reverse("audits:snapshot", args=[audit_a.pk]))

    response = client.post(reverse("audits:candidates-from-priorities", args=[audit_a.pk]))

    assert response.status_code == 302
    assert list(FocusCandidate.objects.values_list("unit__code", flat=True)) == ["ws1"]


def test_cause_table_by_aspect(audit_a, alice, client_for):
    client = client_for(alice)
    url = reverse("audits:causes", args=[audit_a.pk])
    client.post(url, {"form": "stream", "name": "清洗废水"})
    stream = audit_a.waste_streams.get()
    client.post(url, {"form": "cause", "stream": stream.pk, "aspect": "equipment", "description": "喷嘴磨损"})
    client.post(url, {"form": "cause", "stream": stream.pk, "aspect": "management", "description": "无用水定额"})

    page = client.get(url, **ENGLISH).content.decode()
    row = page[page.index("清洗废水") :]
    assert row.index("喷嘴磨损") < row.index("无用水定额")
    assert stream.causes.count() == 2


def test_stream_delete_removes_causes(audit_a, alice, client_for):
    client = client_for(alice)
    client.post(reverse("audits:causes", args=[audit_a.pk]), {"form": "stream", "name": "清洗废水"})
    stream = audit_a.waste_streams.get()
    client.post(
        reverse("audits:causes", args=[audit_a.pk]),
        {"form": "cause", "stream": stream.pk, "aspect": "equipment", "description": "喷嘴磨损"},
    )

    response = client.post(reverse("audits:stream-delete", args=[stream.pk]))

    assert response.status_code == 302
    assert not audit_a.waste_streams.exists()


def test_chinese_page_names_product_resources_factors(ledger_a, audit_a, carol, client_for):
    product = Resource.objects.get(code="product")
    electricity = Resource.objects.get(code="electricity")

    page = client_for(carol).get(reverse("audits:pre-assessment", args=[audit_a.pk])).content.decode()

    assert f"{product.name_zh} 净产量" in page or f"{product.name_zh}净产量" in page
    assert f"单位{product.name_zh}能耗" in page
    assert "product 净产量" not in page
    assert "electricity (kWh/t)" not in page
    assert f"{electricity.name_zh} (kWh/t)" in page
    assert "<td>standard_coal</td>" not in page
    assert "<td>electricity</td>" not in page
    assert "<td>national</td>" not in page
    assert "全国平均" in page
