"""The priority list workbook, read back with openpyxl."""

from io import BytesIO

import pytest
from django.utils import translation
from openpyxl import load_workbook

from cleanprod.diagnosis.export import priority_workbook_bytes
from cleanprod.diagnosis.services import diagnose_site
from cleanprod.resources.models import Factor

from .ledger import FIRST_DAY, LAST_DAY

pytestmark = pytest.mark.django_db


def read_back(content: bytes):
    return load_workbook(BytesIO(content))


@pytest.fixture
def diagnosis(diagnosis_site, diagnosis_ledger):
    diagnosis_ledger()
    return diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)


def test_priority_sheet_stores_numbers(diagnosis):
    workbook = read_back(priority_workbook_bytes(diagnosis))
    sheet = workbook.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))

    assert sheet.title == "Priority list"
    assert rows[0][4] == "energy (tce)"
    assert rows[0][6] == "CO2 of purchased electricity (t)"
    assert rows[0][8] == "in the first 80 % of energy"
    assert [row[1] for row in rows[1:]] == ["furnace", "air", "ws"]
    furnace = rows[1]
    assert furnace[0] == 1
    assert furnace[3] == "equipment"
    assert isinstance(furnace[4], float)
    assert furnace[4] == pytest.approx(diagnosis.priorities[0].energy_tce)
    assert furnace[5] == pytest.approx(diagnosis.priorities[0].energy_share_percent)
    assert furnace[6] == pytest.approx(diagnosis.priorities[0].electricity_co2_t)
    assert furnace[8:10] == ("yes", "yes")
    assert "grid_emission electricity east_china 2023 v1 (provisional)" in furnace[10]
    assert furnace[11] is None
    assert sheet.cell(row=2, column=5).number_format == "0.000"


def test_factor_and_finding_sheets(diagnosis):
    workbook = read_back(priority_workbook_bytes(diagnosis))
    factors = list(workbook.worksheets[1].iter_rows(values_only=True))
    findings = list(workbook.worksheets[2].iter_rows(values_only=True))

    assert factors[0][:2] == ("kind", "resource")
    assert {row[0:2] for row in factors[1:]} == {
        ("standard_coal", "electricity"),
        ("standard_coal", "natural_gas"),
        ("grid_emission", "electricity"),
    }
    coal = next(row for row in factors[1:] if row[0:2] == ("standard_coal", "electricity"))
    assert coal[6] == pytest.approx(0.1229)
    assert [row[0] for row in findings[1:]] == ["unmetered_over_tolerance"]


def test_undefined_values_leave_empty_cells_and_reason(diagnosis_site, diagnosis_ledger):
    diagnosis_ledger()
    Factor.objects.filter(kind="grid_emission").delete()
    diagnosis = diagnose_site(diagnosis_site, FIRST_DAY, LAST_DAY)

    sheet = read_back(priority_workbook_bytes(diagnosis)).worksheets[0]
    furnace = next(sheet.iter_rows(min_row=2, values_only=True))

    assert isinstance(furnace[4], float)
    assert furnace[6] is None
    assert furnace[7] is None
    assert "No grid emission factor for 2024" in furnace[11]


def test_headers_follow_active_language(diagnosis):
    with translation.override("zh-hans"):
        content = priority_workbook_bytes(diagnosis)

    headers = next(read_back(content).worksheets[0].iter_rows(values_only=True))

    assert headers[1] == "编码"
    assert headers[2] == "组织单元"
    assert headers[3] == "类型"


def test_workbook_has_every_diagnosis_table(diagnosis):
    workbook = read_back(priority_workbook_bytes(diagnosis))

    assert len(workbook.sheetnames) == 8
    units = workbook.worksheets[3]
    assert units.max_row == 1 + len(diagnosis.unit_ranking.energy.ranking.items)
    assert isinstance(units.cell(row=2, column=4).value, int | float)
    balances = workbook.worksheets[7]
    assert balances.max_row == 1 + len(diagnosis.balances)
    assert isinstance(balances.cell(row=2, column=3).value, int | float)
