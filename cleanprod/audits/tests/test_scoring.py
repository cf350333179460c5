"""Weighted-sum ranking against totals computed by hand."""

import math

import pytest

from cleanprod.audits.scoring import (
    DEFAULT_FOCUS_CRITERIA,
    DEFAULT_SCREENING_CRITERIA,
    Criterion,
    ScoringError,
    rank,
)

CRITERIA = (
    Criterion("waste", "Waste amount", 10),
    Criterion("toxicity", "Waste toxicity", 8),
    Criterion("potential", "Potential", 5),
)


def test_totals_and_ranks():
    scores = {
        "plating": {"waste": 9, "toxicity": 10, "potential": 6},
        "pickling": {"waste": 7, "toxicity": 8, "potential": 9},
        "painting": {"waste": 5, "toxicity": 4, "potential": 3},
    }

    ranked = rank(CRITERIA, scores)

    # plating: 10×9 + 8×10 + 5×6 = 90 + 80 + 30 = 200
    # pickling: 10×7 + 8×8 + 5×9 = 70 + 64 + 45 = 179
    # painting: 10×5 + 8×4 + 5×3 = 50 + 32 + 15 = 97
    assert [(candidate.key, candidate.total, candidate.rank) for candidate in ranked] == [
        ("plating", 200, 1),
        ("pickling", 179, 2),
        ("painting", 97, 3),
    ]
    assert ranked[1].contributions == {"waste": 70, "toxicity": 64, "potential": 45}


def test_equal_totals_share_rank():
    scores = {
        "a": {"waste": 5, "toxicity": 5, "potential": 2},  # 50 + 40 + 10 = 100
        "b": {"waste": 6, "toxicity": 5, "potential": 0},  # 60 + 40 + 0 = 100
        "c": {"waste": 9, "toxicity": 9, "potential": 9},  # 90 + 72 + 45 = 207
        "d": {"waste": 1, "toxicity": 1, "potential": 1},  # 10 + 8 + 5 = 23
    }

    ranked = rank(CRITERIA, scores)

    assert [(candidate.key, candidate.rank) for candidate in ranked] == [("c", 1), ("a", 2), ("b", 2), ("d", 4)]


def test_ties_survive_rounding_noise():
    criteria = (Criterion("x", "x", 0.1), Criterion("y", "y", 0.2))
    # 0.2 × 6 = 1.2000000000000002 but 0.1 × 2 + 0.2 × 5 = 1.2 in binary floating point
    ranked = rank(criteria, {"first": {"x": 0, "y": 6}, "second": {"x": 2, "y": 5}})

    assert ranked[0].total != ranked[1].total
    assert [candidate.rank for candidate in ranked] == [1, 1]


def test_fractional_weights_and_scores():
    criteria = (Criterion("x", "x", 2.5), Criterion("y", "y", 7.5))

    ranked = rank(criteria, {"only": {"x": 4.2, "y": 8}})

    # 2.5 × 4.2 + 7.5 × 8 = 10.5 + 60 = 70.5
    assert ranked[0].total == pytest.approx(70.5)


def test_no_candidates_give_empty_list():
    assert rank(CRITERIA, {}) == []


def _scores_with(**overrides: float) -> dict[str, dict[str, float]]:
    scores: dict[str, dict[str, float]] = {"plating": {"waste": 9, "toxicity": 10, "potential": 6}}
    scores["plating"].update(overrides)
    return scores


@pytest.mark.parametrize(
    ("criteria", "scores", "code", "text"),
    [
        ((), _scores_with(), "no_criteria", "add at least one criterion"),
        (
            (*CRITERIA, Criterion("waste", "Waste again", 3)),
            _scores_with(),
            "duplicate_criterion",
            "Criterion key waste appears more than once",
        ),
        ((Criterion("waste", "Waste amount", -1),), {"p": {"waste": 1}}, "negative_weight", "Waste amount"),
        ((Criterion("waste", "Waste amount", 11),), {"p": {"waste": 1}}, "weight_out_of_range", "from 0 to 10"),
        ((Criterion("waste", "Waste amount", math.nan),), {"p": {"waste": 1}}, "invalid_weight", "must be a number"),
        ((Criterion("waste", "Waste amount", 0),), {"p": {"waste": 1}}, "zero_weights", "weight above 0"),
        (CRITERIA, {"plating": {"waste": 9, "toxicity": 10}}, "missing_score", "Candidate plating has no score"),
        (CRITERIA, _scores_with(potential=11), "score_out_of_range", "the score 11 for criterion Potential"),
        (CRITERIA, _scores_with(potential=-1), "score_out_of_range", "the score -1 for criterion Potential"),
        (CRITERIA, _scores_with(potential=math.nan), "score_out_of_range", "criterion Potential"),
        (CRITERIA, _scores_with(colour=3), "unknown_criterion", "score for colour"),
    ],
)
def test_invalid_input(criteria, scores, code, text):
    with pytest.raises(ScoringError) as caught:
        rank(criteria, scores)

    assert caught.value.code == code
    assert text in str(caught.value)


def test_missing_score_names_candidate_and_criterion():
    with pytest.raises(ScoringError) as caught:
        rank(CRITERIA, {"plating": {"waste": 9, "toxicity": 10}})

    assert str(caught.value) == ("Candidate plating has no score for criterion Potential; enter a score from 0 to 10.")


def test_custom_ranges():
    criteria = (Criterion("waste", "Waste", 20),)

    ranked = rank(criteria, {"p": {"waste": 100}}, max_weight=20, max_score=100)

    assert ranked[0].total == 2000


def test_rejects_non_positive_maximum():
    with pytest.raises(ValueError, match="max_weight and max_score"):
        rank(CRITERIA, {}, max_weight=0)


@pytest.mark.parametrize("defaults", [DEFAULT_FOCUS_CRITERIA, DEFAULT_SCREENING_CRITERIA])
def test_default_criteria_are_valid(defaults):
    scores = {"candidate": {criterion.key: 5 for criterion in defaults}}

    ranked = rank(defaults, scores)

    assert ranked[0].total == pytest.approx(5 * sum(criterion.weight for criterion in defaults))
    assert all(1 <= criterion.weight <= 10 for criterion in defaults)
    assert all(str(criterion.label) for criterion in defaults)


def test_focus_defaults_cover_handbook_factors():
    assert [criterion.key for criterion in DEFAULT_FOCUS_CRITERIA] == [
        "waste_amount",
        "consumption",
        "environmental_cost",
        "waste_toxicity",
        "cleaner_production_potential",
        "workshop_willingness",
        "development_prospects",
    ]
