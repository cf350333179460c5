"""Excel workbooks of the options of an audit: the option register and the economic evaluations.

Headers are translated into the active language. Numbers stay numbers, with their unit in
the header; an undefined value leaves its cell empty.
"""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO

from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from cleanprod.audits.models import AuditProject
from cleanprod.resources.models import Resource

from .feasibility import FeasibilitySummary, feasibility_summary
from .services import option_register
from .templatetags.option_format import irr_label

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BOLD = Font(bold=True)


def sensitivity_irregular_note() -> str:
    return _("Every row includes the irregular cash flows unchanged; only the investment or the annual saving changes.")


def resource_name(resource: Resource) -> str:
    language = get_language() or "zh-hans"
    return resource.name_zh if language.startswith("zh") else resource.name_en


def header_row(sheet: Worksheet, labels: list[str]) -> None:
    sheet.append(labels)
    for cell in sheet[sheet.max_row]:
        cell.font = BOLD


def workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def register_workbook_bytes(audit: AuditProject, scores: Mapping[int, float] | None = None) -> bytes:
    """Return the option register: one row per option, with its screening score from ``scores`` (option pk)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Options")[:31]
    header_row(
        sheet,
        [
            _("code"),
            _("title"),
            _("aspect"),
            _("source"),
            _("cost class"),
            _("estimated investment (10,000 CNY)"),
            _("expected effects per year"),
            _("expected CO2 reduction (t/a)"),
            _("status"),
            _("screening score"),
        ],
    )
    for row in option_register(audit):
        option = row.option
        effects = "; ".join(
            f"{resource_name(item.effect.resource)} {item.effect.annual_quantity.normalize():f} {item.effect.unit}"
            for item in row.effects
        )
        sheet.append(
            [
                option.code,
                option.title,
                option.get_aspect_display(),
                option.get_source_display(),
                option.get_cost_class_display(),
                float(option.investment),
                effects,
                round(row.co2_tonnes, 4) if row.co2_tonnes is not None else None,
                option.get_status_display(),
                (scores or {}).get(option.pk),
            ]
        )
    for letter, width in zip("ABCDEFGHIJ", (8, 40, 24, 16, 14, 18, 40, 18, 14, 14), strict=True):
        sheet.column_dimensions[letter].width = width
    return workbook_bytes(workbook)


def _sheet_title(code: str, used: set[str]) -> str:
    # Excel sheet names are at most 31 characters and unique.
    title = code[:31]
    suffix = 2
    while title in used:
        title = f"{code[:28]}-{suffix}"
        suffix += 1
    used.add(title)
    return title


def _economics_sheet(sheet: Worksheet, summary: FeasibilitySummary) -> None:
    """Write one option's evaluation with live formulas for I…F, NPV and IRR.

    The NPV cell is ``=-I+NPV(rate, F of years 1..n)`` because Excel's NPV discounts its first
    value by one period, so the investment at t = 0 stays outside it.
    """
    option = summary.feasibility.option
    numbers = summary.numbers
    assert numbers is not None
    inputs = numbers["inputs"]
    sheet["A1"] = f"{option.code} {option.title}"
    sheet["A1"].font = BOLD

    sheet["A2"] = _("Inputs")
    sheet["A2"].font = BOLD
    rows = [
        (_("investment (10,000 CNY)"), inputs["investment"]),
        (_("subsidy (10,000 CNY)"), inputs["subsidy"]),
        (_("annual revenue increase (10,000 CNY)"), inputs["revenue_increase"]),
        (_("annual operating cost saving (10,000 CNY)"), inputs["cost_saving"]),
        (_("income tax rate"), inputs["tax_rate"]),
        (_("depreciation life (years)"), inputs["depreciation_years"]),
        (_("discount rate"), inputs["discount_rate"]),
        (_("economic life (years)"), inputs["life_years"]),
    ]
    for offset, (label, value) in enumerate(rows):
        sheet.cell(row=3 + offset, column=1, value=label)
        sheet.cell(row=3 + offset, column=2, value=value)
    sheet["B7"].number_format = "0.00%"
    sheet["B9"].number_format = "0.00%"

    life = int(inputs["life_years"])
    first_flow_row = 4  # cash-flow table in columns D…G, year 0 on row 3
    last_flow_row = first_flow_row + life - 1
    sheet["D2"] = _("year")
    sheet["E2"] = _("cash flow (10,000 CNY)")
    sheet["F2"] = _("irregular cash flow (10,000 CNY)")
    sheet["G2"] = _("total cash flow (10,000 CNY)")
    for cell in ("D2", "E2", "F2", "G2"):
        sheet[cell].font = BOLD
    irregular = numbers["irregular"]
    total_flows = irregular["flows"] if irregular else numbers["cash_flows"]
    regular = numbers["cash_flows"]
    years = max(len(total_flows), len(regular))
    for year in range(years):
        row = 3 + year
        sheet.cell(row=row, column=4, value=year)
        if year == 0:
            sheet.cell(row=row, column=5, value="=-B12")
        elif year <= life:
            sheet.cell(row=row, column=5, value=f"=IF(D{row}<=$B$8,$B$17,$B$13*(1-$B$7))")
        else:
            sheet.cell(row=row, column=5, value=0)
        base = regular[year] if year < len(regular) else 0.0
        total = total_flows[year] if year < len(total_flows) else 0.0
        extra = round(total - base, 10)
        sheet.cell(row=row, column=6, value=extra if extra else None)
        sheet.cell(row=row, column=7, value=f"=E{row}+N(F{row})")
    last_total_row = 3 + years - 1

    sheet["A11"] = _("Results")
    sheet["A11"].font = BOLD
    results = [
        (_("total investment I"), "=B3-B4"),
        (_("annual saving P"), "=B5+B6"),
        (_("annual depreciation D"), "=B12/B8"),
        (_("taxable profit T"), "=B13-B14"),
        (_("net profit E"), "=B15*(1-B7)"),
        (_("annual cash flow F"), "=B16+B14"),
        (_("static payback N (years)"), f'=IF(B17>0,B12/B17,"{_("no payback")}")'),
        (_("net present value NPV (10,000 CNY)"), f"=-B12+NPV(B9,E{first_flow_row}:E{last_flow_row})"),
        (_("net present value ratio NPVR"), '=IF(B12<>0,B19/B12,"")'),
    ]
    for offset, (label, value) in enumerate(results):
        sheet.cell(row=12 + offset, column=1, value=label)
        sheet.cell(row=12 + offset, column=2, value=value)
    sheet["B20"].number_format = "0.00%"

    irr = numbers["irr"]
    sheet["A21"] = _("internal rate of return IRR")
    if irr["status"] == "unique":
        sheet["B21"] = f"=IRR(E3:E{last_flow_row})"
        sheet["B21"].number_format = "0.000%"
    else:
        sheet["B21"] = irr_label(irr)
    sheet["A22"] = _("modified IRR (MIRR)")
    sheet["B22"] = f"=MIRR(E3:E{last_flow_row},B9,B9)" if numbers["mirr"] is not None else None
    sheet["B22"].number_format = "0.00%"
    sheet["A23"] = _("dynamic payback (years)")
    sheet["B23"] = numbers["dynamic_payback"] if numbers["dynamic_payback"] is not None else _("no payback")
    if irr["status"] == "multiple":
        sheet["C21"] = _("Rank this option on NPV, not on IRR.")

    next_row = 25
    if irregular:
        sheet.cell(row=next_row, column=1, value=_("With the irregular cash flows")).font = BOLD
        sheet.cell(row=next_row + 1, column=1, value=_("net present value NPV (10,000 CNY)"))
        npv_cell = sheet.cell(row=next_row + 1, column=2, value=f"=G3+NPV(B9,G4:G{last_total_row})")
        npv_cell.number_format = MONEY_FORMAT
        sheet.cell(row=next_row + 2, column=1, value=_("internal rate of return IRR"))
        if irregular["irr"]["status"] == "unique":
            sheet.cell(row=next_row + 2, column=2, value=f"=IRR(G3:G{last_total_row})").number_format = "0.000%"
        else:
            sheet.cell(row=next_row + 2, column=2, value=irr_label(irregular["irr"]))
        sheet.cell(row=next_row + 3, column=1, value=_("modified IRR (MIRR)"))
        sheet.cell(row=next_row + 3, column=2, value=irregular["mirr"]).number_format = "0.00%"
        next_row += 5

    sheet.cell(row=next_row, column=1, value=_("Sensitivity")).font = BOLD
    if numbers.get("sensitivity_with_irregular"):
        sheet.cell(row=next_row, column=3, value=sensitivity_irregular_note())
    header = [
        _("variable"),
        _("change"),
        _("NPV (10,000 CNY)"),
        _("IRR"),
        _("static payback (years)"),
        _("dynamic payback (years)"),
    ]
    for column, label in enumerate(header, start=1):
        sheet.cell(row=next_row + 1, column=column, value=label).font = BOLD
    variables = {"investment": _("investment"), "saving": _("annual saving")}
    for offset, item in enumerate(numbers["sensitivity"], start=2):
        row = next_row + offset
        sheet.cell(row=row, column=1, value=str(variables[item["variable"]]))
        sheet.cell(row=row, column=2, value=item["change"]).number_format = "+0%;-0%;0%"
        sheet.cell(row=row, column=3, value=item["npv"]).number_format = MONEY_FORMAT
        irr_cell = sheet.cell(row=row, column=4)
        if item["irr"]["status"] == "unique":
            irr_cell.value = item["irr"]["value"]
            irr_cell.number_format = "0.000%"
        else:
            irr_cell.value = irr_label(item["irr"])
        sheet.cell(row=row, column=5, value=item["static_payback"]).number_format = YEARS_FORMAT
        sheet.cell(row=row, column=6, value=item["dynamic_payback"]).number_format = YEARS_FORMAT
    _format_economics_sheet(sheet, last_total_row)


MONEY_FORMAT = "0.00"  # 万元; an explicit format, because Excel gives NPV() results a currency format
YEARS_FORMAT = "0.00"
ECONOMICS_WIDTHS = {"A": 36, "B": 18, "C": 18, "D": 10, "E": 22, "F": 26, "G": 24}


def _format_economics_sheet(sheet: Worksheet, last_flow_row: int) -> None:
    """Set number formats on the money and payback cells, the column widths and a landscape page fit to width."""
    for cell in ("B3", "B4", "B5", "B6", *(f"B{row}" for row in range(12, 18)), "B19"):
        sheet[cell].number_format = MONEY_FORMAT
    for cell in ("B18", "B23"):
        sheet[cell].number_format = YEARS_FORMAT
    for row in sheet.iter_rows(min_row=3, max_row=last_flow_row, min_col=5, max_col=7):
        for cell in row:
            cell.number_format = MONEY_FORMAT
    for letter, width in ECONOMICS_WIDTHS.items():
        sheet.column_dimensions[letter].width = width
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def economics_workbook_bytes(audit: AuditProject) -> bytes:
    """Return one sheet per option with an evaluable feasibility analysis, in option order."""
    workbook = Workbook()
    first = workbook.active
    assert first is not None
    used: set[str] = set()
    written = 0
    for option in audit.options.filter(feasibility__isnull=False).select_related("audit").order_by("number"):
        summary = feasibility_summary(option)
        if summary is None or summary.numbers is None:
            continue
        sheet = first if written == 0 else workbook.create_sheet()
        sheet.title = _sheet_title(option.code, used)
        _economics_sheet(sheet, summary)
        written += 1
    if written == 0:
        first.title = _("Economics")[:31]
        first["A1"] = _("No option of this audit has an economic evaluation yet.")
    return workbook_bytes(workbook)
