"""The handbook's economic evaluation against published worked examples and hand arithmetic."""

import json
import math
from decimal import Decimal

import pytest

from cleanprod.options.economics import (
    EconomicInputError,
    EconomicInputs,
    evaluate,
    evaluate_cash_flows,
    sensitivity,
)
from tests.shared_data import shared_data


def _annuity_factor(rate: float, years: int) -> float:
    return (1 - (1 + rate) ** -years) / rate


@pytest.fixture(scope="module")
def worked_examples():
    path = shared_data("worked_examples_cp_ghg") / "cp_option_economics.json"
    examples = json.loads(path.read_text(encoding="utf-8"))["examples"]
    return {example["id"]: example for example in examples}


def test_example_a(worked_examples):
    published = worked_examples["A"]["published"]
    derived = worked_examples["A"]["derived_by_us"]
    # The example gives F directly; with no tax F = P, so P carries it.
    inputs = EconomicInputs(
        investment=published["I_wan_yuan"],
        cost_saving=published["F_wan_yuan_per_year"],
        tax_rate=0.0,
        depreciation_years=published["Y_years"],
        discount_rate=published["i"],
    )

    result = evaluate(inputs)

    assert result.cash_flow == pytest.approx(published["F_wan_yuan_per_year"])
    assert result.static_payback is not None
    assert round(result.static_payback, 1) == published["N_years"]
    # Published NPV 100.955 uses the rounded annuity factor 7.7217; the exact value is 100.956.
    assert result.npv == pytest.approx(published["NPV_wan_yuan"], abs=0.002)
    assert round(result.npv, 3) == derived["exact_NPV"]
    assert result.irr.status == "unique"
    assert result.irr.value is not None
    assert round(result.irr.value, 5) == derived["exact_IRR"]
    assert result.irr.interpolated is not None
    assert round(result.irr.interpolated, 4) == published["IRR_interpolation"]["IRR"]
    assert result.npvr == pytest.approx(result.npv / 150)


def test_example_a_interpolation_rates(worked_examples):
    interpolation = worked_examples["A"]["published"]["IRR_interpolation"]
    flows = evaluate(EconomicInputs(investment=150, cost_saving=32.5, tax_rate=0.0, discount_rate=0.05)).cash_flows
    # The published NPV₁ and NPV₂ come from 4-decimal annuity factors, so they agree to 1e-3.
    npv_17 = evaluate_cash_flows(flows, interpolation["i1"]).npv
    npv_18 = evaluate_cash_flows(flows, interpolation["i2"]).npv

    assert npv_17 == pytest.approx(interpolation["NPV1"], abs=1e-3)
    assert npv_18 == pytest.approx(interpolation["NPV2"], abs=1e-3)
    assert 0.17 + npv_17 * 0.01 / (npv_17 + abs(npv_18)) == pytest.approx(
        evaluate_cash_flows(flows, 0.05).irr.interpolated, rel=1e-12
    )


def test_example_b(worked_examples):
    published = worked_examples["B"]["published"]
    derived = worked_examples["B"]["derived_by_us"]
    inputs = EconomicInputs(
        investment=published["I"],
        cost_saving=published["P"],
        tax_rate=published["tax_rate"],
        depreciation_years=published["Y_years"],
        discount_rate=derived["implied_discount_rate"],
    )

    result = evaluate(inputs)

    assert result.total_investment == published["I"]
    assert result.annual_saving == published["P"]
    assert result.depreciation == published["D"]
    assert result.taxable_profit == pytest.approx(published["T"])
    assert round(result.net_profit, 2) == published["E"]
    assert result.cash_flow == pytest.approx(derived["F_unrounded"])
    assert round(result.cash_flow, 2) == published["F"]
    # N = 10 / 1.435 = 6.969 with the unrounded F; the rounded F = 1.44 would give 6.94.
    assert result.static_payback is not None
    assert round(result.static_payback, 3) == 6.969
    assert round(result.static_payback, 2) == published["N_years"]
    # NPV = 1.435 × 7.3601 − 10 at 6 %.
    assert round(result.npv, 4) == 0.5617
    assert round(result.npv, 2) == published["NPV"]
    assert result.irr.status == "unique"
    assert result.irr.value is not None
    assert round(result.irr.value * 100, 3) == 7.170
    assert round(result.irr.value, 4) == published["IRR"]


def test_example_b_dynamic_payback():
    result = evaluate(EconomicInputs(investment=10, cost_saving=1.58, tax_rate=0.25, discount_rate=0.06))
    # After 9 years 1.435 × 6.80169 = 9.7604 is recovered; year 10 adds 1.435 / 1.06^10.
    recovered_9 = 1.435 * _annuity_factor(0.06, 9)
    expected = 9 + (10 - recovered_9) / (1.435 / 1.06**10)

    assert result.dynamic_payback == pytest.approx(expected, rel=1e-12)
    assert result.dynamic_payback is not None
    assert round(result.dynamic_payback, 3) == 9.299


@pytest.mark.parametrize("index", [0, 1])
def test_example_c_saving_and_depreciation(worked_examples, index):
    example = worked_examples["C"]["published"]
    option = example["options"][index]
    annual = option["annual"]
    new_income = sum(value for key, value in annual.items() if key.startswith("new_income"))
    # Quantities (kWh, t) sit beside the money items; only the money items are savings.
    cost_items = [
        value for key, value in annual.items() if not key.startswith("new_income") and not key.endswith(("_kWh", "_t"))
    ]
    inputs = EconomicInputs(
        investment=option["I"],
        revenue_increase=new_income,
        cost_saving=math.fsum(cost_items),
        tax_rate=example["tax_rate"],
        depreciation_years=example["Y_years"],
        discount_rate=example["i"],
    )

    result = evaluate(inputs)

    assert inputs.cost_saving == pytest.approx(option["answer_partial"]["operating_cost_reduction"])
    assert result.annual_saving == pytest.approx(option["answer_partial"]["P"])
    assert result.depreciation == pytest.approx(option["answer_partial"]["D"])
    # F = (P − D)(1 − 0.33) + D and NPV = F × annuity factor(6.12 %, 10) − I.
    cash_flow = (option["answer_partial"]["P"] - option["answer_partial"]["D"]) * 0.67 + option["answer_partial"]["D"]
    assert result.cash_flow == pytest.approx(cash_flow)
    assert result.npv == pytest.approx(cash_flow * _annuity_factor(0.0612, 10) - option["I"])


def test_two_sign_changes_multiple_irr():
    result = evaluate_cash_flows([-1000, 3000, -2100], 0.08)

    assert result.irr.status == "multiple"
    assert [round(root, 4) for root in result.irr.roots] == [0.1127, 0.8873]
    assert result.irr.value is None
    assert result.irr.interpolated is None
    # −1000 + 3000/1.08 − 2100/1.08² = −1000 + 2777.78 − 1800.41
    assert round(result.npv, 2) == -22.63
    assert result.mirr is not None
    assert round(result.mirr, 4) == 0.0756
    # The cumulative flow is −100 at the end, so the investment is never paid back.
    assert result.static_payback is None
    assert result.dynamic_payback is None


def test_npvr_divides_by_outflows():
    result = evaluate_cash_flows([-1000, 3000, -2100], 0.08)

    assert result.npvr == pytest.approx(result.npv / (1000 + 2100 / 1.08**2))


def test_npv_outlay_at_year_zero():
    result = evaluate_cash_flows([-300000, 90000, 110000, 120000, 60000], 0.08)

    assert round(result.npv, 2) == 17002.26
    assert result.irr.status == "unique"
    assert result.irr.value is not None
    assert round(result.irr.value, 4) == 0.1062
    # Cumulative −300000, −210000, −100000, +20000: payback 2 + 100000/120000 years.
    assert result.static_payback == pytest.approx(2 + 100000 / 120000)


@pytest.mark.parametrize("flows", [[1, 2, 3], [-1, -2, -3], [0, 5, 5]])
def test_one_sign_has_no_irr(flows):
    result = evaluate_cash_flows(flows, 0.08)

    assert result.irr.status == "none"
    assert result.irr.roots == ()
    assert result.irr.value is None
    assert result.irr.interpolated is None


def test_one_sign_has_no_mirr():
    assert evaluate_cash_flows([1, 2, 3], 0.08).mirr is None


def test_negative_saving_never_pays_back():
    result = evaluate(EconomicInputs(investment=10, cost_saving=-1, tax_rate=0.25))

    # F = (−1 − 1) × 0.75 + 1 = −0.5
    assert result.cash_flow == pytest.approx(-0.5)
    assert result.static_payback is None
    assert result.dynamic_payback is None
    assert result.npv < 0
    assert result.irr.status == "none"


def test_loss_lowers_tax():
    # T = 0.5 − 1 = −0.5 gives E = −0.5 × 0.75 = −0.375: the loss lowers the enterprise's tax.
    result = evaluate(EconomicInputs(investment=10, cost_saving=0.5, tax_rate=0.25))

    assert result.taxable_profit == pytest.approx(-0.5)
    assert result.net_profit == pytest.approx(-0.375)
    assert result.cash_flow == pytest.approx(0.625)
    assert result.static_payback == pytest.approx(16.0)


def test_life_longer_than_depreciation():
    # D = 10/5 = 2 in years 1–5, so F = (2 − 2) × 0.75 + 2 = 2; afterwards F = 2 × 0.75 = 1.5.
    result = evaluate(EconomicInputs(investment=10, cost_saving=2, depreciation_years=5, life_years=8))

    assert result.cash_flows == pytest.approx((-10, 2, 2, 2, 2, 2, 1.5, 1.5, 1.5))
    assert result.static_payback == pytest.approx(5.0)


def test_life_shorter_than_depreciation():
    result = evaluate(EconomicInputs(investment=10, cost_saving=2, depreciation_years=10, life_years=3))

    # F = (2 − 1) × 0.75 + 1 = 1.75 for three years.
    assert result.cash_flows == pytest.approx((-10, 1.75, 1.75, 1.75))
    assert result.dynamic_payback is None


def test_zero_investment():
    result = evaluate(EconomicInputs(investment=0, cost_saving=1))

    assert result.npvr is None
    assert result.static_payback == 0.0
    assert result.dynamic_payback == 0.0
    assert result.irr.status == "none"


def test_subsidy_lowers_investment():
    result = evaluate(EconomicInputs(investment=12, subsidy=2, cost_saving=1.58, discount_rate=0.06))

    assert result.total_investment == 10
    assert round(result.npv, 4) == 0.5617


def test_decimal_inputs_become_floats():
    # Model fields are Decimal; the dataclass stores them as float.
    inputs = EconomicInputs(
        investment=Decimal("10.5"),  # type: ignore[arg-type]
        cost_saving=Decimal("1.2"),  # type: ignore[arg-type]
        tax_rate=Decimal("0.25"),  # type: ignore[arg-type]
    )

    assert inputs.investment == 10.5
    assert isinstance(inputs.tax_rate, float)


@pytest.mark.parametrize(
    ("arguments", "field", "code", "fix"),
    [
        ({"investment": 10, "depreciation_years": 0}, "depreciation_years", "invalid_years", "from 1 to 100"),
        ({"investment": 10, "depreciation_years": True}, "depreciation_years", "invalid_years", "from 1 to 100"),
        ({"investment": 10, "life_years": 0}, "life_years", "invalid_years", "from 1 to 100"),
        ({"investment": 10, "tax_rate": 25}, "tax_rate", "rate_out_of_range", "enter 8 % as 0.08"),
        ({"investment": 10, "tax_rate": -0.1}, "tax_rate", "rate_out_of_range", "enter 8 % as 0.08"),
        ({"investment": 10, "discount_rate": 8}, "discount_rate", "rate_out_of_range", "enter 8 % as 0.08"),
        ({"investment": 10, "subsidy": 11}, "subsidy", "subsidy_exceeds_investment", "at most the whole investment"),
        ({"investment": 10, "subsidy": -1}, "subsidy", "negative_subsidy", "enter 0"),
        ({"investment": -10}, "investment", "negative_investment", "positive number"),
        ({"investment": 10, "cost_saving": math.nan}, "cost_saving", "not_a_number", "finite number"),
        ({"investment": math.inf}, "investment", "not_a_number", "finite number"),
    ],
)
def test_invalid_inputs_name_field_and_fix(arguments, field, code, fix):
    with pytest.raises(EconomicInputError) as caught:
        EconomicInputs(**arguments)

    assert caught.value.field == field
    assert caught.value.code == code
    assert fix in str(caught.value)


def test_error_message_names_field_in_words():
    with pytest.raises(EconomicInputError) as caught:
        EconomicInputs(investment=10, depreciation_years=0)

    assert str(caught.value) == "Depreciation period must be a whole number of years from 1 to 100, got 0."


@pytest.mark.parametrize(
    ("flows", "rate", "code"),
    [([-10], 0.08, "too_few_flows"), ([-10, math.nan], 0.08, "not_a_number"), ([-10, 5], 1.5, "rate_out_of_range")],
)
def test_invalid_cash_flows(flows, rate, code):
    with pytest.raises(EconomicInputError) as caught:
        evaluate_cash_flows(flows, rate)

    assert caught.value.code == code


def test_sensitivity_rows():
    inputs = EconomicInputs(investment=10, cost_saving=1.58, tax_rate=0.25, discount_rate=0.06)

    rows = sensitivity(inputs)

    assert [(row.variable, row.change) for row in rows] == [
        ("investment", -0.2),
        ("investment", -0.1),
        ("investment", 0.0),
        ("investment", 0.1),
        ("investment", 0.2),
        ("saving", -0.2),
        ("saving", -0.1),
        ("saving", 0.0),
        ("saving", 0.1),
        ("saving", 0.2),
    ]
    # Investment +10 %: I = 11, D = 1.1, T = 1.58 − 1.1 = 0.48, E = 0.36, F = 1.46,
    # NPV = 1.46 × 7.360087 − 11 = −0.2543, N = 11 / 1.46 = 7.534.
    investment_up = rows[3]
    assert investment_up.npv == pytest.approx(1.46 * _annuity_factor(0.06, 10) - 11, rel=1e-12)
    assert round(investment_up.npv, 4) == -0.2543
    assert investment_up.static_payback == pytest.approx(11 / 1.46)
    assert investment_up.dynamic_payback is None
    # Saving −10 %: P = 1.422, T = 0.422, F = 0.3165 + 1 = 1.3165.
    saving_down = rows[6]
    assert saving_down.npv == pytest.approx(1.3165 * _annuity_factor(0.06, 10) - 10, rel=1e-12)
    # The unchanged rows equal the base evaluation.
    base = evaluate(inputs)
    assert rows[2].npv == base.npv
    assert rows[7].irr == base.irr


def test_sensitivity_scales_subsidy_with_investment():
    rows = sensitivity(EconomicInputs(investment=12, subsidy=2, cost_saving=1.58, discount_rate=0.06), [0.1])

    # I = (12 − 2) × 1.1 = 11, as in the row above.
    assert round(rows[0].npv, 4) == -0.2543


def test_sensitivity_rejects_change_below_minus_one():
    with pytest.raises(EconomicInputError) as caught:
        sensitivity(EconomicInputs(investment=10), [-1.5])

    assert caught.value.field == "changes"
    assert caught.value.code == "change_below_minus_one"
