"""The economic evaluation workbook: input values, Excel formulas and the sensitivity table."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from cleanprod.options.economics import EconomicInputs, sensitivity
from cleanprod.options.models import ExtraCashFlow, Feasibility, OptionScore
from cleanprod.options.screening import ensure_criteria

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture
def example(option_a) -> Feasibility:
    return Feasibility.objects.create(
        option=option_a,
        investment=Decimal("10"),
        cost_saving=Decimal("1.58"),
        discount_rate=Decimal("0.06"),
        override_note="loan rate",
    )


def _workbook(client, audit_pk: int):
    response = client.get(reverse("options:economics-xlsx", args=[audit_pk]), **EN)
    assert response.status_code == 200
    return load_workbook(BytesIO(response.content))


def test_economics_sheet_inputs_and_formulas(example, alice, client_for):
    sheet = _workbook(client_for(alice), example.option.audit_id)["F1"]

    assert sheet["A1"].value == "F1 空压机变频改造"
    assert (sheet["B3"].value, sheet["B4"].value, sheet["B6"].value) == (10.0, 0.0, 1.58)
    assert (sheet["B7"].value, sheet["B8"].value, sheet["B9"].value, sheet["B10"].value) == (0.25, 10, 0.06, 10)
    assert sheet["A12"].value == "total investment I"
    assert sheet["B12"].value == "=B3-B4"
    assert sheet["B17"].value == "=B16+B14"
    # Excel's NPV discounts its first value, so the year-0 investment stays outside it.
    assert sheet["B19"].value == "=-B12+NPV(B9,E4:E13)"
    assert sheet["B21"].value == "=IRR(E3:E13)"
    assert sheet["E3"].value == "=-B12"
    assert sheet["E4"].value == "=IF(D4<=$B$8,$B$17,$B$13*(1-$B$7))"
    assert sheet["D13"].value == 10


def test_economics_sheet_sensitivity_values(example, alice, client_for):
    sheet = _workbook(client_for(alice), example.option.audit_id)["F1"]
    rows = sensitivity(EconomicInputs(investment=10, cost_saving=1.58, discount_rate=0.06))

    header_row = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row=row, column=1).value == "variable")
    values = [
        (sheet.cell(row=header_row + offset, column=2).value, sheet.cell(row=header_row + offset, column=3).value)
        for offset in range(1, 11)
    ]
    assert [change for change, _npv in values] == [row.change for row in rows]
    assert [npv for _change, npv in values] == pytest.approx([row.npv for row in rows])
    assert sheet.cell(row=header_row + 1, column=1).value == "investment"
    assert sheet.cell(row=header_row + 6, column=1).value == "annual saving"


def test_economics_sheet_multiple_irr(option_a, alice, client_for):
    feasibility = Feasibility.objects.create(
        option=option_a,
        investment=Decimal("1000"),
        cost_saving=Decimal("3000"),
        tax_rate=Decimal("0"),
        depreciation_years=2,
        override_note="example",
    )
    ExtraCashFlow.objects.create(feasibility=feasibility, year=2, amount=Decimal("-5100"))

    sheet = _workbook(client_for(alice), option_a.audit_id)["F1"]

    assert sheet["G5"].value == "=E5+N(F5)"
    assert sheet["F5"].value == -5100.0
    assert sheet["A25"].value == "With the irregular cash flows"
    assert sheet["B26"].value == "=G3+NPV(B9,G4:G5)"
    assert sheet["B27"].value == "IRR not unique (11.27 %, 88.73 %)"
    assert sheet["B28"].value == pytest.approx(0.0756, abs=5e-5)


def test_economics_headers_in_chinese(example, alice, client_for):
    response = client_for(alice).get(reverse("options:economics-xlsx", args=[example.option.audit_id]))
    sheet = load_workbook(BytesIO(response.content))["F1"]

    # "year" is in the Chinese catalogue already; this app's own msgids are added to it separately.
    assert sheet["D2"].value == "年份"


def test_economics_without_evaluations(audit_a, alice, client_for):
    workbook = _workbook(client_for(alice), audit_a.pk)

    assert workbook.active["A1"].value == "No option of this audit has an economic evaluation yet."


def test_register_workbook_has_screening_score(option_a, alice, client_for):
    for criterion in ensure_criteria(option_a.audit):
        OptionScore.objects.create(option=option_a, criterion=criterion, score=Decimal("5"))

    response = client_for(alice).get(reverse("options:register-xlsx", args=[option_a.audit_id]), **EN)
    sheet = load_workbook(BytesIO(response.content)).active

    assert sheet["J1"].value == "screening score"
    assert sheet["J2"].value == 200.0  # 4 criteria × weight 10 × score 5


def test_economics_sheet_formats_and_layout(option_a, alice, client_for):
    feasibility = Feasibility.objects.create(
        option=option_a,
        investment=Decimal("1000"),
        cost_saving=Decimal("3000"),
        tax_rate=Decimal("0"),
        depreciation_years=2,
        override_note="example",
    )
    ExtraCashFlow.objects.create(feasibility=feasibility, year=2, amount=Decimal("-5100"))

    sheet = _workbook(client_for(alice), option_a.audit_id)["F1"]

    assert sheet["A19"].value == "net present value NPV (10,000 CNY)"
    assert sheet["B19"].number_format == "0.00"  # not the currency format Excel gives NPV()
    assert sheet["B26"].number_format == "0.00"
    assert sheet["B18"].number_format == "0.00"  # static payback in years
    assert sheet["G5"].number_format == "0.00"
    header_row = next(row for row in range(1, sheet.max_row + 1) if sheet.cell(row=row, column=1).value == "variable")
    assert sheet.cell(row=header_row + 1, column=3).number_format == "0.00"
    assert sheet.cell(row=header_row + 1, column=5).number_format == "0.00"
    assert sheet.cell(row=header_row - 1, column=3).value.startswith("Every row includes the irregular cash flows")
    for letter in "ABCDEFG":
        assert sheet.column_dimensions[letter].width >= 10, letter
    assert sheet.column_dimensions["G"].width >= len("total cash flow (10,000 CNY)") - 6
    assert sheet.page_setup.orientation == "landscape"
    assert sheet.page_setup.fitToWidth == 1
    assert sheet.sheet_properties.pageSetUpPr.fitToPage is True
