"""Error messages of the feasibility form name the field and the fix, without misleading extras."""

import pytest
from django.urls import reverse

from cleanprod.options.models import Feasibility

from .test_feasibility import EN, EXAMPLE_FORM


@pytest.mark.parametrize(("field", "value"), [("tax_rate", "25"), ("discount_rate", "1.5"), ("tax_rate", "-0.1")])
def test_rate_outside_fraction_names_fix(option_a, alice, client_for, field, value):
    response = client_for(alice).post(
        reverse("options:feasibility", args=[option_a.pk]), {**EXAMPLE_FORM, field: value}, **EN
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "must be a fraction from 0 to 1; enter 25 % as 0.25." in page
    assert "digits before the decimal point" not in page
    assert not Feasibility.objects.exists()


def test_negative_investment_has_one_error(option_a, alice, client_for):
    response = client_for(alice).post(
        reverse("options:feasibility", args=[option_a.pk]), {**EXAMPLE_FORM, "investment": "-5"}, **EN
    )

    page = response.content.decode()
    assert response.status_code == 400
    assert "greater than or equal to 0" in page
    assert "The subsidy cannot exceed the total investment." not in page
