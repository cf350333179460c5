"""Audit focus ranking through the pages, against totals worked by hand (S_j = Σ W_i × R_ij)."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cleanprod.audits.focus import focus_ranking
from cleanprod.audits.models import AuditProject, FocusCandidate, FocusDecision, FocusScore

ENGLISH = {"HTTP_ACCEPT_LANGUAGE": "en"}

# Default weights: waste amount 10, consumption 8, environmental cost 8, toxicity 8, potential 5,
# willingness 2, prospects 2.
WS1_SCORES = [8, 7, 6, 9, 5, 4, 3]  # 80 + 56 + 48 + 72 + 25 + 8 + 6 = 295
AIR_SCORES = [6, 9, 5, 3, 8, 7, 7]  # 60 + 72 + 40 + 24 + 40 + 14 + 14 = 264


@pytest.fixture
def candidates(audit_a, alice, client_for):
    client = client_for(alice)
    for code in ("ws1", "air"):
        unit = audit_a.site.units.get(code=code)
        response = client.post(reverse("audits:candidate-add", args=[audit_a.pk]), {"unit": unit.pk})
        assert response.status_code == 302
    return {candidate.unit.code: candidate for candidate in FocusCandidate.objects.filter(audit=audit_a)}


def _score_form(
    audit: AuditProject, candidates: dict[str, FocusCandidate], rows: dict[str, list[int]]
) -> dict[str, str]:
    criteria = list(audit.focus_criteria.order_by("position"))
    data = {}
    for code, scores in rows.items():
        for criterion, score in zip(criteria, scores, strict=True):
            data[f"s_{candidates[code].pk}_{criterion.pk}"] = str(score)
    return data


def test_scores_rank_candidates(audit_a, alice, candidates, client_for):
    client = client_for(alice)
    response = client.post(
        reverse("audits:focus", args=[audit_a.pk]),
        _score_form(audit_a, candidates, {"ws1": WS1_SCORES, "air": AIR_SCORES}),
    )
    assert response.status_code == 302

    ranking = focus_ranking(audit_a)
    assert [(item["key"], item["total"], item["rank"]) for item in ranking.ranked] == [
        ("ws1", 295.0, 1),
        ("air", 264.0, 2),
    ]
    assert ranking.ranked[0]["contributions"]["waste_toxicity"] == 72.0
    page = client.get(reverse("audits:focus", args=[audit_a.pk]), **ENGLISH).content.decode()
    assert "295" in page
    assert "264" in page


def test_weight_change_changes_totals(audit_a, alice, candidates, client_for):
    client = client_for(alice)
    client.post(
        reverse("audits:focus", args=[audit_a.pk]),
        _score_form(audit_a, candidates, {"ws1": WS1_SCORES, "air": AIR_SCORES}),
    )
    waste = audit_a.focus_criteria.get(key="waste_amount")

    client.post(reverse("audits:criterion", args=[waste.pk]), {"label": waste.label, "weight": "5"})

    totals = {item["key"]: item["total"] for item in focus_ranking(audit_a).ranked}
    assert totals == {"ws1": 255.0, "air": 234.0}  # 295 - 5 × 8 and 264 - 5 × 6


def test_choose_focus_records_scores_and_user(audit_a, alice, candidates, client_for):
    client = client_for(alice)
    client.post(
        reverse("audits:focus", args=[audit_a.pk]),
        _score_form(audit_a, candidates, {"ws1": WS1_SCORES, "air": AIR_SCORES}),
    )

    response = client.post(reverse("audits:focus-choose", args=[candidates["air"].pk]))

    decision = FocusDecision.objects.get(audit=audit_a)
    assert response.status_code == 302
    assert decision.unit.code == "air"
    assert decision.chosen_by == alice
    assert [(row["key"], row["total"]) for row in decision.ranking["ranked"]] == [("ws1", 295.0), ("air", 264.0)]
    air = next(row for row in decision.ranking["candidates"] if row["key"] == "air")
    assert air["scores"]["consumption"] == 9.0


def test_choose_refused_while_scores_missing(audit_a, alice, candidates, client_for):
    response = client_for(alice).post(reverse("audits:focus-choose", args=[candidates["ws1"].pk]))

    assert response.status_code == 302
    assert not FocusDecision.objects.exists()
    page = client_for(alice).get(reverse("audits:focus", args=[audit_a.pk]), **ENGLISH).content.decode()
    assert "Scores missing" in page


def test_score_out_of_range_rejected(audit_a, alice, candidates, client_for):
    data = _score_form(audit_a, candidates, {"ws1": [11, 7, 6, 9, 5, 4, 3], "air": AIR_SCORES})

    response = client_for(alice).post(reverse("audits:focus", args=[audit_a.pk]), data, **ENGLISH)

    assert response.status_code == 400
    assert FocusScore.objects.count() == 0
    assert 'value="11"' in response.content.decode()  # the entry is kept for correction


def test_added_criterion_needs_scores(audit_a, alice, candidates, client_for):
    client = client_for(alice)
    client.post(
        reverse("audits:focus", args=[audit_a.pk]),
        _score_form(audit_a, candidates, {"ws1": WS1_SCORES, "air": AIR_SCORES}),
    )
    client.post(reverse("audits:criterion-add", args=[audit_a.pk]), {"label": "噪声", "weight": "4"})

    ranking = focus_ranking(audit_a)
    assert ranking.ranked == []
    assert len(ranking.missing) == 2
    criterion = audit_a.focus_criteria.get(label="噪声")
    assert criterion.weight == Decimal("4")


def test_candidate_of_other_site_rejected(audit_a, site_b, alice, erin, client_for):
    response = client_for(erin).post(
        reverse("audits:candidate-add", args=[audit_a.pk]), {"unit": site_b.units.get(code="ws1").pk}
    )

    assert response.status_code == 302
    assert FocusCandidate.objects.count() == 0


def test_ranking_marks_chosen_candidate(audit_a, alice, candidates, client_for):
    client = client_for(alice)
    client.post(
        reverse("audits:focus", args=[audit_a.pk]),
        _score_form(audit_a, candidates, {"ws1": WS1_SCORES, "air": AIR_SCORES}),
    )
    client.post(reverse("audits:focus-choose", args=[candidates["air"].pk]))

    page = client.get(reverse("audits:focus", args=[audit_a.pk]), HTTP_ACCEPT_LANGUAGE="en").content.decode()

    ranking = page.split('id="focus-ranking"')[1].split("</table>")[0]
    rows = ranking.split("<tr")[2:]
    chosen = [row for row in rows if 'class="chosen"' in row]
    assert len(chosen) == 1
    assert "(current audit focus)" in chosen[0]
    assert "disabled" in chosen[0]
    assert all("disabled" not in row for row in rows if row not in chosen)


def test_audit_tabs_link_options(audit_a, alice, client_for):
    page = client_for(alice).get(reverse("audits:team", args=[audit_a.pk])).content.decode()

    tabs = page.split('class="tabs"')[1].split("</nav>")[0]
    assert f'href="{reverse("options:list", args=[audit_a.pk])}"' in tabs
