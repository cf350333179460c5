"""Screening by weighted-sum scoring: defaults, edited weights, the score grid and the ranking."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from cleanprod.options.models import OptionScore, ScreeningCriterion
from cleanprod.options.screening import criterion_label, ensure_criteria, screening_ranking

from .conftest import make_option

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _criteria(audit, weights: list[str]) -> list[ScreeningCriterion]:
    criteria = ensure_criteria(audit)
    for criterion, weight in zip(criteria, weights, strict=True):
        criterion.weight = Decimal(weight)
        criterion.save()
    return criteria


def _score(option, criteria, scores: list[str]) -> None:
    for criterion, score in zip(criteria, scores, strict=True):
        OptionScore.objects.create(option=option, criterion=criterion, score=Decimal(score))


def test_defaults_created_once(audit_a):
    first = ensure_criteria(audit_a)
    second = ensure_criteria(audit_a)

    assert [c.key for c in first] == [
        "environmental_effect",
        "technical_feasibility",
        "economic_feasibility",
        "ease_of_implementation",
    ]
    assert [c.pk for c in first] == [c.pk for c in second]
    assert first[0].label == "Environmental effect"


def test_ranking_matches_hand_computed_totals(audit_a):
    criteria = _criteria(audit_a, ["10", "8", "6", "4"])
    f1 = make_option(audit_a, "one", "1")
    f2 = make_option(audit_a, "two", "1")
    f3 = make_option(audit_a, "three", "1")
    f4 = make_option(audit_a, "unscored", "1")
    _score(f1, criteria, ["8", "6", "5", "9"])  # 80 + 48 + 30 + 36 = 194
    _score(f2, criteria, ["5", "9", "9", "5"])  # 50 + 72 + 54 + 20 = 196
    _score(f3, criteria, ["6", "6", "6", "6"])  # 6 × 28 = 168
    _score(f4, criteria[:2], ["9", "9"])

    ranking = screening_ranking(audit_a)

    assert [(row.option.code, row.total, row.rank) for row in ranking.ranked] == [
        ("F2", 196.0, 1),
        ("F1", 194.0, 2),
        ("F3", 168.0, 3),
    ]
    assert ranking.ranked[1].contributions == [80.0, 48.0, 30.0, 36.0]
    assert [option.code for option in ranking.unscored] == ["F4"]


def test_equal_totals_share_rank(audit_a):
    criteria = _criteria(audit_a, ["10", "10", "0", "0"])
    f1 = make_option(audit_a, "one", "1")
    f2 = make_option(audit_a, "two", "1")
    _score(f1, criteria, ["5", "5", "1", "1"])
    _score(f2, criteria, ["4", "6", "9", "9"])

    ranking = screening_ranking(audit_a)

    assert [row.rank for row in ranking.ranked] == [1, 1]


def test_page_saves_scores_and_shows_ranking(audit_a, alice, client_for):
    client = client_for(alice)
    f1 = make_option(audit_a, "空压机", "1")
    url = reverse("options:screening", args=[audit_a.pk])
    client.get(url)
    criteria = list(audit_a.screening_criteria.order_by("order"))

    response = client.post(
        url, {"action": "scores", **{f"score-{f1.pk}-{c.pk}": str(index + 5) for index, c in enumerate(criteria)}}
    )

    assert response.status_code == 302
    assert OptionScore.objects.filter(option=f1).count() == 4
    page = client.get(url, **EN).content.decode()
    assert "260" in page  # 10 × (5 + 6 + 7 + 8)


def test_page_rejects_score_out_of_range(audit_a, alice, client_for):
    client = client_for(alice)
    f1 = make_option(audit_a, "空压机", "1")
    url = reverse("options:screening", args=[audit_a.pk])
    client.get(url)
    criterion = audit_a.screening_criteria.order_by("order").first()

    response = client.post(url, {"action": "scores", f"score-{f1.pk}-{criterion.pk}": "11"}, **EN)

    content = response.content.decode()
    assert response.status_code == 400
    assert "Option F1, criterion Environmental effect: 11 is not a score" in content
    assert 'value="11"' in content
    assert not OptionScore.objects.exists()


def test_page_edits_weights(audit_a, alice, client_for):
    client = client_for(alice)
    url = reverse("options:screening", args=[audit_a.pk])
    client.get(url)
    criteria = list(audit_a.screening_criteria.order_by("order"))
    data = {
        "action": "criteria",
        "criteria-TOTAL_FORMS": "5",
        "criteria-INITIAL_FORMS": "4",
        "criteria-MIN_NUM_FORMS": "0",
        "criteria-MAX_NUM_FORMS": "1000",
    }
    for index, criterion in enumerate(criteria):
        data.update(
            {
                f"criteria-{index}-id": str(criterion.pk),
                f"criteria-{index}-key": criterion.key,
                f"criteria-{index}-label": criterion.label,
                f"criteria-{index}-weight": "7" if index == 0 else str(criterion.weight),
                f"criteria-{index}-order": str(index),
            }
        )
    data.update(
        {"criteria-4-key": "water", "criteria-4-label": "节水", "criteria-4-weight": "3", "criteria-4-order": "9"}
    )

    response = client.post(url, data)

    assert response.status_code == 302
    assert audit_a.screening_criteria.get(key="environmental_effect").weight == Decimal("7")
    assert audit_a.screening_criteria.get(key="water").label == "节水"

    data["criteria-4-key"] = "environmental_effect"
    duplicate = client.post(url, data, **EN)
    assert duplicate.status_code == 400
    assert "used twice" in duplicate.content.decode()


def test_auditor_cannot_score(audit_a, alice, carol, client_for):
    make_option(audit_a, "空压机", "1")
    url = reverse("options:screening", args=[audit_a.pk])
    client_for(alice).get(url)

    assert client_for(carol).get(url).status_code == 200
    assert client_for(carol).post(url, {"action": "scores"}).status_code == 403


def test_other_site_cannot_open_screening(audit_a, bob, client_for):
    url = reverse("options:screening", args=[audit_a.pk])

    assert client_for(bob).get(url).status_code == 404
    assert client_for(bob).post(url, {"action": "scores"}).status_code == 404


def test_screening_page_rejects_with_reason(audit_a, alice, client_for):
    client = client_for(alice)
    url = reverse("options:screening", args=[audit_a.pk])
    option = make_option(audit_a, "空压机", "1")
    for criterion in ensure_criteria(audit_a):
        OptionScore.objects.create(option=option, criterion=criterion, score=Decimal("2"))
    transition = reverse("options:transition", args=[option.pk])

    assert "Screen in" in client.get(url, **EN).content.decode()
    response = client.post(transition, {"target": "rejected", "comment": "效果太小", "next": url})
    outside = client.post(transition, {"target": "proposed", "next": "https://example.com/"})

    option.refresh_from_db()
    assert response.status_code == 302
    assert response.url == url
    assert outside.url == reverse("options:detail", args=[option.pk])
    assert option.status == "proposed"
    assert [t.comment for t in option.transitions.all()] == ["效果太小", ""]


def test_criteria_form_in_chinese_hides_keys(audit_a, alice, client_for):
    url = reverse("options:screening", args=[audit_a.pk])

    page = client_for(alice).get(url).content.decode()  # zh-hans by default
    criterion = audit_a.screening_criteria.get(key="environmental_effect")

    assert criterion.label == "Environmental effect"
    assert 'value="Environmental effect"' not in page
    with translation.override("zh-hans"):
        assert f'value="{criterion_label(criterion)}"' in page
    assert 'type="hidden" name="criteria-0-key" value="environmental_effect"' in page
    assert 'type="text" name="criteria-0-key"' not in page
    assert 'class="table-scroll"' in page
