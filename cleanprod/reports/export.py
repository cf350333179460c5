"""Excel and PDF files of a report revision, rendered from its stored numbers only.

Headers and labels are translated into the active language, which is Chinese unless a
request or the caller chose English. Numbers stay numbers in Excel, with their unit in
the column header. An undefined value leaves its cell empty, and the row's reason column
gives the cause.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO
from typing import Any

from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

# WeasyPrint 70 ships no type information; pyproject.toml lists no override for it yet.
from weasyprint import HTML
from weasyprint.urls import URLFetcher

from cleanprod.indicators.formulas import UNDEFINED_REASONS
from cleanprod.indicators.services import NOTICE_MESSAGES, REGION_NAMES

from .models import ReportKind, ReportRevision

PDF_FONT_FAMILY = "Noto Sans CJK SC"


def report_title(kind: str) -> str:
    if kind == ReportKind.ANNUAL:
        return _("Annual energy and emissions report")
    return _("Monthly energy and emissions report")


def reason_text(value: dict[str, Any]) -> str:
    """Return the translated reason of an undefined value, or "" when it is defined."""
    reason = value.get("reason")
    return str(UNDEFINED_REASONS[reason]) if reason else ""


def localized_name(item: dict[str, Any]) -> str:
    language = get_language() or "zh-hans"
    return str(item["name_zh"] if language.startswith("zh") else item["name_en"])


def notice_text(notice: dict[str, Any]) -> str:
    params = dict(notice["params"])
    if "region" in params:
        params["region"] = str(REGION_NAMES.get(str(params["region"]), params["region"]))
    return str(NOTICE_MESSAGES[notice["code"]]) % params


@dataclass(frozen=True, slots=True)
class SummaryRow:
    """One row of the summary table: a site, or the enterprise total when ``site_code`` is empty."""

    site_code: str
    site_name: str
    block: dict[str, Any]


def summary_rows(revision: ReportRevision) -> list[SummaryRow]:
    numbers = revision.numbers
    rows = [SummaryRow(block["site_code"], block["site_name"], block) for block in numbers["sites"]]
    if numbers["total"] is not None:
        rows.append(SummaryRow("", _("Total of the sites"), numbers["total"]))
    return rows


def scope_name(revision: ReportRevision) -> str:
    report = revision.report
    if report.site is not None:
        return str(revision.numbers["sites"][0]["site_name"])
    names = "、".join(block["site_name"] for block in revision.numbers["sites"])
    return _("%(enterprise)s (sites: %(sites)s)") % {"enterprise": report.enterprise.name, "sites": names}


def has_generated_production(revision: ReportRevision) -> bool:
    return any(product["generated"] for row in summary_rows(revision) for product in row.block["products"])


def notices(revision: ReportRevision) -> list[str]:
    texts = []
    for block in revision.numbers["sites"]:
        for notice in block["notices"]:
            texts.append(f"{block['site_name']}: {notice_text(notice)}")
    return list(dict.fromkeys(texts))


def coverage_note(revision: ReportRevision) -> str:
    """Return a sentence on whether the period is complete, with the data coverage."""
    block = revision.numbers["total"] or revision.numbers["sites"][0]
    coverage = f"{block['coverage'] * 100:.1f}"
    if not block["period_over"]:
        return _(
            "Partial: the period had not ended when this revision was computed. Data coverage %(coverage)s %%."
        ) % {"coverage": coverage}
    if block["partial"]:
        return _("Partial: the meters do not cover the whole period. Data coverage %(coverage)s %%.") % {
            "coverage": coverage
        }
    return _("Complete: the data covers the whole period (%(coverage)s %%).") % {"coverage": coverage}


# -- Excel --------------------------------------------------------------------------------------

TCE_FORMAT = "0.000"
QUANTITY_FORMAT = "#,##0.00"
PERCENT_FORMAT = "0.0"


def report_workbook(revision: ReportRevision) -> Workbook:
    """Build a workbook with the report's details, summary, consumption, intensities, priorities and factors."""
    report = revision.report
    workbook = Workbook()
    workbook.properties.title = f"{report_title(report.kind)} {scope_name(revision)}"
    about = workbook.active
    assert about is not None
    _write_about(about, revision)
    _write_summary(workbook.create_sheet(), revision)
    _write_consumption(workbook.create_sheet(), revision)
    _write_products(workbook.create_sheet(), revision)
    _write_priorities(workbook.create_sheet(), revision)
    _write_factors(workbook.create_sheet(), revision)
    return workbook


def report_workbook_bytes(revision: ReportRevision) -> bytes:
    buffer = BytesIO()
    report_workbook(revision).save(buffer)
    return buffer.getvalue()


def _write_header(sheet: Worksheet, title: str, headers: list[str]) -> None:
    # Excel limits sheet titles to 31 characters.
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _set_formats(sheet: Worksheet, formats: dict[int, str]) -> None:
    """Apply number formats by column number (1-based) to every data row."""
    for row in sheet.iter_rows(min_row=2):
        for column, number_format in formats.items():
            row[column - 1].number_format = number_format


def _write_about(sheet: Worksheet, revision: ReportRevision) -> None:
    report = revision.report
    _write_header(sheet, _("Report"), [_("item"), _("value")])
    rows = [
        (_("title"), report_title(report.kind)),
        (_("scope"), scope_name(revision)),
        (_("enterprise"), report.enterprise.name),
        (_("first day"), report.period_start),
        (_("last day"), report.period_end),
        (_("revision"), revision.number),
        (_("created at"), revision.created_at.replace(tzinfo=None)),
        (_("created by"), revision.created_by.get_username()),
        (_("data coverage"), coverage_note(revision)),
    ]
    if has_generated_production(revision):
        rows.append((_("production"), _("The production figures are generated demo data, not measured.")))
    for text in notices(revision):
        rows.append((_("note"), text))
    for row in rows:
        sheet.append(list(row))
    sheet.column_dimensions["A"].width = 16
    sheet.column_dimensions["B"].width = 70


def _write_summary(sheet: Worksheet, revision: ReportRevision) -> None:
    _write_header(
        sheet,
        _("Summary"),
        [
            _("site code"),
            _("site"),
            _("comprehensive energy consumption (tce)"),
            _("electricity (kWh)"),
            _("CO2 from purchased electricity (tCO2)"),
            _("data coverage (%)"),
            _("partial period"),
            _("reason"),
        ],
    )
    for row in summary_rows(revision):
        block = row.block
        values = [block["comprehensive_energy_tce"], block["electricity_kwh"], block["scope2_tco2"]]
        reasons = dict.fromkeys(reason_text(value) for value in values if value["value"] is None)
        sheet.append(
            [
                row.site_code,
                row.site_name,
                *(value["value"] for value in values),
                block["coverage"] * 100,
                _("yes") if block["partial"] else _("no"),
                " ".join(reasons),
            ]
        )
    _set_formats(sheet, {3: TCE_FORMAT, 4: QUANTITY_FORMAT, 5: TCE_FORMAT, 6: PERCENT_FORMAT})


def _write_consumption(sheet: Worksheet, revision: ReportRevision) -> None:
    _write_header(
        sheet,
        _("Consumption"),
        [
            _("site code"),
            _("resource code"),
            _("resource"),
            _("unit"),
            _("quantity"),
            _("of which estimated"),
            _("suspect, not included"),
            _("data coverage (%)"),
        ],
    )
    for row in summary_rows(revision):
        for item in row.block["consumption"]:
            sheet.append(
                [
                    row.site_code,
                    item["resource_code"],
                    localized_name(item),
                    item["unit"],
                    item["quantity"],
                    item["estimated"],
                    item["suspect"],
                    item["coverage"] * 100,
                ]
            )
    _set_formats(sheet, {5: QUANTITY_FORMAT, 6: QUANTITY_FORMAT, 7: QUANTITY_FORMAT, 8: PERCENT_FORMAT})


def _write_products(sheet: Worksheet, revision: ReportRevision) -> None:
    _write_header(
        sheet,
        _("Per unit of product"),
        [
            _("site code"),
            _("product code"),
            _("product"),
            _("product unit"),
            _("net output"),
            _("generated demo data"),
            _("energy per unit of product (kgce per product unit)"),
            _("electricity per unit of product (kWh per product unit)"),
            _("reason"),
        ],
    )
    for row in summary_rows(revision):
        for item in row.block["products"]:
            values = [item["energy_kgce_per_unit"], item["electricity_kwh_per_unit"]]
            reasons = dict.fromkeys(reason_text(value) for value in values if value["value"] is None)
            sheet.append(
                [
                    row.site_code,
                    item["product_code"],
                    localized_name(item),
                    item["unit"],
                    item["net_output"],
                    _("yes") if item["generated"] else _("no"),
                    *(value["value"] for value in values),
                    " ".join(reasons),
                ]
            )
    _set_formats(sheet, {5: QUANTITY_FORMAT, 7: QUANTITY_FORMAT, 8: QUANTITY_FORMAT})


def _write_priorities(sheet: Worksheet, revision: ReportRevision) -> None:
    _write_header(
        sheet,
        _("Priority list"),
        [
            _("site code"),
            _("rank"),
            _("code"),
            _("organisation unit"),
            _("energy (tce)"),
            _("share of energy (%)"),
            _("CO2 of purchased electricity (t)"),
            _("share of CO2 (%)"),
        ],
    )
    for item in revision.numbers["priorities"]:
        sheet.append(
            [
                item["site_code"],
                item["rank"],
                item["unit_code"],
                priority_unit_name(item),
                item["energy_tce"],
                item["energy_share_percent"],
                item["electricity_co2_t"],
                item["co2_share_percent"],
            ]
        )
    _set_formats(sheet, {5: TCE_FORMAT, 6: PERCENT_FORMAT, 7: TCE_FORMAT, 8: PERCENT_FORMAT})


def priority_unit_name(item: dict[str, Any]) -> str:
    return str(item["unit_name"]) or _("Meters without an organisation unit")


def _write_factors(sheet: Worksheet, revision: ReportRevision) -> None:
    _write_header(
        sheet,
        _("Factor versions"),
        [
            _("factor id"),
            _("kind"),
            _("resource code"),
            _("series"),
            _("region"),
            _("data year"),
            _("version"),
            _("value"),
            _("unit"),
            _("provisional"),
            _("source document"),
        ],
    )
    for factor in revision.factor_versions:
        sheet.append(
            [
                factor["factor_id"],
                factor["kind"],
                factor["resource_code"],
                factor["series"],
                factor["region"],
                factor["data_year"],
                factor["version"],
                # Excel stores numbers as doubles, so the decimal string becomes a float of about 15 significant digits.
                float(factor["value"]),
                factor["unit"],
                _("yes") if factor["provisional"] else _("no"),
                factor["source"],
            ]
        )


# -- PDF ----------------------------------------------------------------------------------------


def pdf_context(revision: ReportRevision) -> dict[str, Any]:
    """Return the template context shared by the PDF and the detail page."""
    report = revision.report
    rows = []
    for row in summary_rows(revision):
        block = row.block
        rows.append(
            {
                "site_code": row.site_code,
                "site_name": row.site_name,
                "block": block,
                "energy_reason": reason_text(block["comprehensive_energy_tce"]),
                "co2_reason": reason_text(block["scope2_tco2"]),
                "coverage_percent": block["coverage"] * 100,
                "consumption": [
                    {**item, "name": localized_name(item), "coverage_percent": item["coverage"] * 100}
                    for item in block["consumption"]
                ],
                "products": [
                    {
                        **item,
                        "name": localized_name(item),
                        "energy_reason": reason_text(item["energy_kgce_per_unit"]),
                        "electricity_reason": reason_text(item["electricity_kwh_per_unit"]),
                    }
                    for item in block["products"]
                ],
            }
        )
    return {
        "report": report,
        "revision": revision,
        "title": report_title(report.kind),
        "scope_name": scope_name(revision),
        "coverage_note": coverage_note(revision),
        "generated_production": has_generated_production(revision),
        "notices": notices(revision),
        "rows": rows,
        "priorities": [{**item, "unit_name": priority_unit_name(item)} for item in revision.numbers["priorities"]],
        "factors": revision.factor_versions,
        "font_family": PDF_FONT_FAMILY,
    }


def report_pdf_bytes(revision: ReportRevision) -> bytes:
    """Render the revision as an A4 PDF with WeasyPrint, fetching nothing but local files."""
    html = render_to_string("reports/report_pdf.html", pdf_context(revision))
    # Only file: URLs load, so a stray http(s) or data: reference fails instead of reaching the network.
    fetcher = URLFetcher(allowed_protocols=("file",), allow_redirects=False)
    pdf: bytes = HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf
