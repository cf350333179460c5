"""Excel workbooks of the dashboard tables; the priority list comes from cleanprod.diagnosis.export.

Numbers are stored as numbers with their unit in the column header, or in a unit column where
the rows differ in unit. An undefined value is an empty cell, and a note column gives the reason.
Headers are translated into the active language, which is Chinese unless the request chose English.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from cleanprod.indicators.formulas import Result, Undefined
from cleanprod.indicators.services import IndicatorSet
from cleanprod.organization.models import Site
from cleanprod.resources.services import FactorUse

from .periods import Period
from .services import Comparison, HeadlineCard, MeterCompleteness

PERCENT_FORMAT = "0.0"
# Excel limits sheet titles to 31 characters.
MAX_SHEET_TITLE = 31


def completeness_workbook_bytes(scope_name: str, period: Period, rows: Sequence[MeterCompleteness]) -> bytes:
    """Return the per-meter data completeness of the period as the bytes of an .xlsx file."""
    workbook = Workbook()
    workbook.properties.title = _("Data completeness of %(scope)s, %(start)s to %(end)s") % {
        "scope": scope_name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }

    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Data completeness")[:MAX_SHEET_TITLE]
    sheet.append(
        [
            _("meter code"),
            _("meter name"),
            _("resource"),
            _("organisation unit"),
            _("days with data"),
            _("covered time (h)"),
            _("data completeness (%)"),
            _("complete"),
        ]
    )
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"

    for row in rows:
        meter = row.meter
        sheet.append(
            [
                meter.code,
                meter.name,
                meter.resource.display_name,
                meter.organization_unit.name if meter.organization_unit else "",
                row.days_with_data,
                round(row.covered_seconds / 3600, 3),
                row.coverage_percent,
                _("yes") if row.complete else _("no"),
            ]
        )
        sheet.cell(row=sheet.max_row, column=7).number_format = PERCENT_FORMAT

    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _bold_header(sheet: Worksheet, headers: Sequence[str]) -> None:
    sheet.append(list(headers))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _workbook_bytes(workbook: Workbook) -> bytes:
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _number(value: Result | None) -> float | None:
    """Return the value for a cell: a float, or None (an empty cell) when it is undefined or missing."""
    return None if value is None or isinstance(value, Undefined) else float(value)


def _places_format(places: int) -> str:
    return "0." + "0" * places if places > 0 else "0"


def _comparison_note(comparison: Comparison) -> str:
    """Return why a change is empty or not compared: the undefined reason and the coverage of a partial period."""
    notes = []
    if comparison.reason is not None:
        notes.append(str(comparison.reason))
    if comparison.partial_coverage_percent is not None:
        coverage = f"{comparison.partial_coverage_percent:.1f}"
        notes.append(_("partial, coverage %(coverage)s %%") % {"coverage": coverage})
    return " ".join(notes)


def _period_text(period: Period) -> str:
    return _("%(start)s to %(end)s") % {"start": period.start.isoformat(), "end": period.end.isoformat()}


def _append_cards_sheet(workbook: Workbook, cards: Sequence[HeadlineCard]) -> None:
    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Headline indicators")[:MAX_SHEET_TITLE]
    _bold_header(
        sheet,
        [
            _("Indicator"),
            _("Unit"),
            _("Value"),
            _("Reason the value is undefined"),
            _("Previous period"),
            _("Value in the previous period"),
            _("Change on the previous period (%)"),
            _("Reason the change on the previous period is undefined"),
            _("Same period last year"),
            _("Value in the same period last year"),
            _("Change on the same period last year (%)"),
            _("Reason the change on the same period last year is undefined"),
        ],
    )
    for card in cards:
        row = [str(card.label), card.unit, _number(card.value), str(card.reason) if card.reason else ""]
        for comparison in (card.previous, card.last_year):
            change = _number(comparison.change)
            row += [
                _period_text(comparison.period),
                _number(comparison.base),
                None if change is None else 100.0 * change,
                _comparison_note(comparison),
            ]
        sheet.append(row)
        number_format = _places_format(card.places)
        for column in (3, 6, 10):
            sheet.cell(row=sheet.max_row, column=column).number_format = number_format
        for column in (7, 11):
            sheet.cell(row=sheet.max_row, column=column).number_format = PERCENT_FORMAT


def _append_factors_sheet(workbook: Workbook, factors: Sequence[FactorUse], kind_labels: dict[str, str]) -> None:
    sheet = workbook.create_sheet(_("Factor versions used")[:MAX_SHEET_TITLE])
    _bold_header(
        sheet,
        [
            _("Kind"),
            _("Resource"),
            _("Region"),
            _("Data year"),
            _("Version"),
            _("Value"),
            _("Unit"),
            _("Source"),
            _("Provisional"),
        ],
    )
    for factor in factors:
        sheet.append(
            [
                kind_labels.get(factor.kind, factor.kind),
                factor.resource_code,
                factor.region,
                factor.data_year,
                factor.version,
                float(factor.value),
                factor.unit,
                factor.source,
                _("yes") if factor.provisional else _("no"),
            ]
        )


def indicators_workbook_bytes(
    scope_name: str,
    period: Period,
    cards: Sequence[HeadlineCard],
    factors: Sequence[FactorUse],
    kind_labels: dict[str, str],
) -> bytes:
    """Return the headline cards and the factor versions used as the two sheets of an .xlsx file.

    ``kind_labels`` maps a factor kind code to the label the factor sheet shows.
    """
    workbook = Workbook()
    workbook.properties.title = _("Headline indicators of %(scope)s, %(start)s to %(end)s") % {
        "scope": scope_name,
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }
    _append_cards_sheet(workbook, cards)
    _append_factors_sheet(workbook, factors, kind_labels)
    return _workbook_bytes(workbook)


@dataclass(frozen=True, slots=True)
class SiteOverview:
    """One row of the enterprise overview: a site and its indicator set of the period."""

    site: Site
    indicators: IndicatorSet


def _overview_note(indicators: IndicatorSet) -> str:
    """Return the reasons of the row's empty cells, each after the name of its column."""
    notes = []
    electricity = indicators.consumption_of("electricity")
    values: list[tuple[str, Result | None]] = [
        (_("Comprehensive energy consumption"), indicators.comprehensive_energy_tce),
        (_("Electricity"), electricity.quantity if electricity else None),
        (_("Scope 2 CO2 of electricity"), indicators.electricity_scope2_tco2),
    ]
    for label, value in values:
        if value is None:
            notes.append(_("%(indicator)s: the site has no electricity meter.") % {"indicator": label})
        elif isinstance(value, Undefined):
            notes.append(f"{label}: {value.message}")
    return " ".join(notes)


def overview_workbook_bytes(period: Period, rows: Sequence[SiteOverview]) -> bytes:
    """Return the energy, electricity, CO2 and data completeness of each site as the bytes of an .xlsx file."""
    workbook = Workbook()
    workbook.properties.title = _("Energy overview, %(start)s to %(end)s") % {
        "start": period.start.isoformat(),
        "end": period.end.isoformat(),
    }

    sheet = workbook.active
    assert sheet is not None
    sheet.title = _("Energy overview")[:MAX_SHEET_TITLE]
    _bold_header(
        sheet,
        [
            _("Enterprise"),
            _("Site code"),
            _("Site"),
            _("Comprehensive energy consumption (tce)"),
            _("Electricity (kWh)"),
            _("Scope 2 CO2 of electricity (tCO2)"),
            # The page's msgid, in which the template tag escaped "%" as "%%".
            _("Data completeness (%%)").replace("%%", "%"),
            _("Partial period"),
            _("Note"),
        ],
    )
    for row in rows:
        indicators = row.indicators
        electricity = indicators.consumption_of("electricity")
        sheet.append(
            [
                row.site.enterprise.name,
                row.site.code,
                row.site.name,
                _number(indicators.comprehensive_energy_tce),
                _number(electricity.quantity if electricity else None),
                _number(indicators.electricity_scope2_tco2),
                100.0 * indicators.completeness.coverage,
                _("yes") if indicators.partial else _("no"),
                _overview_note(indicators),
            ]
        )
        for column, number_format in ((4, "0.000"), (5, "0"), (6, "0.000"), (7, PERCENT_FORMAT)):
            sheet.cell(row=sheet.max_row, column=column).number_format = number_format

    return _workbook_bytes(workbook)
