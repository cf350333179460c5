"""Cost classes from the audit's limits and the option status workflow, without the database."""

from decimal import Decimal

import pytest

from cleanprod.options.workflow import (
    CostClass,
    OptionStatus,
    TransitionError,
    allowed_targets,
    check_transition,
    cost_class,
)

LOW = Decimal("5")
HIGH = Decimal("50")


@pytest.mark.parametrize(
    ("investment", "expected"),
    [
        ("0", CostClass.LOW),
        ("5", CostClass.LOW),
        ("5.01", CostClass.MEDIUM),
        ("50", CostClass.MEDIUM),
        ("50.01", CostClass.HIGH),
        ("1000", CostClass.HIGH),
    ],
)
def test_cost_class_boundaries(investment, expected):
    assert cost_class(Decimal(investment), LOW, HIGH) == expected


def test_cost_class_rejects_negative_investment():
    with pytest.raises(ValueError, match="negative"):
        cost_class(Decimal("-1"), LOW, HIGH)


def test_cost_class_rejects_reversed_limits():
    with pytest.raises(ValueError, match="below the low cost limit"):
        cost_class(Decimal("1"), HIGH, LOW)


def test_low_cost_goes_straight_to_implementation():
    check_transition(OptionStatus.PROPOSED, OptionStatus.IMPLEMENTING, CostClass.LOW, "")
    check_transition(OptionStatus.SCREENED_IN, OptionStatus.IMPLEMENTING, CostClass.LOW, "")


@pytest.mark.parametrize("cost", [CostClass.MEDIUM, CostClass.HIGH])
def test_medium_high_cost_need_feasibility(cost):
    with pytest.raises(TransitionError, match="feasibility"):
        check_transition(OptionStatus.SCREENED_IN, OptionStatus.IMPLEMENTING, cost, "")
    check_transition(OptionStatus.FEASIBLE, OptionStatus.IMPLEMENTING, cost, "")


def test_illegal_transition_names_allowed_statuses():
    with pytest.raises(TransitionError) as raised:
        check_transition(OptionStatus.PROPOSED, OptionStatus.VERIFIED, CostClass.LOW, "")

    assert "cannot become verified" in raised.value.message
    assert "screened in, rejected, implementing" in raised.value.message


def test_rejection_needs_reason():
    with pytest.raises(TransitionError, match="reason"):
        check_transition(OptionStatus.PROPOSED, OptionStatus.REJECTED, CostClass.LOW, "  ")
    check_transition(OptionStatus.PROPOSED, OptionStatus.REJECTED, CostClass.LOW, "duplicate of F1")


def test_unknown_status_rejected():
    with pytest.raises(TransitionError, match="Unknown status"):
        check_transition(OptionStatus.PROPOSED, "done", CostClass.LOW, "")


def test_verified_is_final():
    assert allowed_targets(OptionStatus.VERIFIED, CostClass.LOW) == []


def test_allowed_targets_hide_shortcut_for_high_cost():
    assert allowed_targets(OptionStatus.SCREENED_IN, CostClass.HIGH) == [
        OptionStatus.REJECTED,
        OptionStatus.FEASIBLE,
        OptionStatus.NOT_FEASIBLE,
    ]
