"""Unified social credit code and GB/T 4754 industry code validation."""

import pytest
from django.core.exceptions import ValidationError

from cleanprod.organization.codes import industry_code_problem, uscc_check_character, uscc_problem
from cleanprod.organization.models import validate_uscc


@pytest.mark.parametrize("code", ["914403001922038216", "91110000100017707H", "91310000MA1FL5LX3K"])
def test_valid_codes_pass(code):
    assert uscc_problem(code) is None


def test_check_character_is_computed_modulo_31():
    assert uscc_check_character("91440300192203821") == "6"


@pytest.mark.parametrize(
    ("code", "fragment"),
    [
        ("914403001922038217", "should be 6"),
        ("91440300192203821", "18 characters"),
        ("9144030019220382I6", "'I'"),
    ],
)
def test_invalid_codes_say_what_is_wrong(code, fragment):
    problem = uscc_problem(code)
    assert problem is not None
    assert fragment in problem


def test_model_validator_raises_with_code():
    with pytest.raises(ValidationError) as caught:
        validate_uscc("914403001922038217")
    assert caught.value.error_list[0].code == "invalid_uscc"


@pytest.mark.parametrize("code", ["C", "C31", "C311", "C3110", "D4411"])
def test_industry_codes_accepted(code):
    assert industry_code_problem(code) is None


@pytest.mark.parametrize("code", ["c3110", "Z3110", "C31100", "3110", "C3"])
def test_industry_codes_rejected(code):
    assert industry_code_problem(code) is not None
