"""The diagnosis priority list as an Excel workbook, with the factor versions and findings behind it.

Numbers are stored as numbers, with their unit in the column header. A value that is undefined
leaves its cell empty, and the row's reason column gives the cause. Headers are translated into the
active language, which is Chinese unless a request or the caller chose English.
"""

from io import BytesIO

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.worksheet.worksheet import Worksheet

from cleanprod.organization.models import UnitKind
from cleanprod.resources.services import FactorUse

from .analysis import ParetoResult, empty_reason_message
from .services import Diagnosis, PriorityItem

TCE_FORMAT = "0.000"
PERCENT_FORMAT = "0.0"
CO2_FORMAT = "0.000"


def priority_workbook(diagnosis: Diagnosis) -> Workbook:
    """Build a workbook of every diagnosis table.

    Sheets: the priority list, the factor versions used, the findings, the Pareto rankings of
    organisation units (by energy and by CO2), processes and equipment, and the meter balances.
    """
    workbook = Workbook()
    workbook.properties.title = _("Diagnosis of %(site)s, %(start)s to %(end)s") % {
        "site": diagnosis.site_name,
        "start": diagnosis.start.isoformat(),
        "end": diagnosis.end.isoformat(),
    }
    priorities = workbook.active
    assert priorities is not None
    _write_priorities(priorities, diagnosis)
    _write_factors(workbook.create_sheet(), diagnosis)
    _write_findings(workbook.create_sheet(), diagnosis)
    rankings = (
        (_("Units by energy"), diagnosis.unit_ranking.energy),
        (_("Units by CO2"), diagnosis.unit_ranking.co2),
        (_("Processes by energy"), diagnosis.process_ranking.energy),
        (_("Equipment by energy"), diagnosis.equipment_ranking.energy),
    )
    for title, pareto in rankings:
        _write_ranking(workbook.create_sheet(), title, pareto)
    _write_balances(workbook.create_sheet(), diagnosis)
    return workbook


def priority_workbook_bytes(diagnosis: Diagnosis) -> bytes:
    """Return the priority workbook as the bytes of an .xlsx file."""
    buffer = BytesIO()
    priority_workbook(diagnosis).save(buffer)
    return buffer.getvalue()


def _write_header(sheet: Worksheet, title: str, headers: list[str]) -> None:
    # Excel limits sheet titles to 31 characters.
    sheet.title = title[:31]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"


def _write_ranking(sheet: Worksheet, title: str, pareto: ParetoResult) -> None:
    unit = pareto.ranking.unit
    _write_header(
        sheet,
        title,
        [
            _("rank"),
            _("code"),
            _("name"),
            f"{_('value')} ({unit})",
            _("share (%)"),
            _("cumulative share (%)"),
            _("in the first %(percent)s %%") % {"percent": f"{pareto.threshold_percent:g}"},
        ],
    )
    vital = {ranked.item.key or ranked.item.name for ranked in pareto.vital_few}
    for ranked in pareto.ranking.items:
        item = ranked.item
        sheet.append(
            [
                ranked.rank,
                item.key,
                item.name,
                item.value,
                ranked.share_percent,
                ranked.cumulative_percent,
                _("yes") if (item.key or item.name) in vital else _("no"),
            ]
        )
    if pareto.reason is not None:
        sheet.append([None, None, str(empty_reason_message(pareto.reason))])


def _write_balances(sheet: Worksheet, diagnosis: Diagnosis) -> None:
    _write_header(
        sheet,
        _("Meter balance"),
        [
            _("parent meter"),
            _("unit"),
            _("parent meter quantity"),
            _("sum of sub-meters"),
            _("difference"),
            _("difference (%)"),
            _("tolerance (%)"),
            _("finding"),
        ],
    )
    for balance in diagnosis.balances:
        sheet.append(
            [
                balance.parent,
                balance.unit,
                balance.parent_quantity,
                balance.children_quantity,
                balance.difference,
                balance.difference_percent,
                balance.tolerance_percent,
                str(balance.finding.message) if balance.finding is not None else "",
            ]
        )


def _write_priorities(sheet: Worksheet, diagnosis: Diagnosis) -> None:
    percent = f"{diagnosis.pareto_percent:g}"
    _write_header(
        sheet,
        _("Priority list"),
        [
            _("rank"),
            _("code"),
            _("organisation unit"),
            _("kind"),
            _("energy (tce)"),
            _("share of energy (%)"),
            _("CO2 of purchased electricity (t)"),
            _("share of CO2 (%)"),
            _("in the first %(percent)s %% of energy") % {"percent": percent},
            _("in the first %(percent)s %% of CO2") % {"percent": percent},
            _("factor versions"),
            _("reason"),
        ],
    )
    ranking = diagnosis.unit_ranking
    for item in diagnosis.priorities:
        sheet.append(
            [
                item.rank,
                item.code,
                item.name,
                str(UnitKind(item.kind).label) if item.kind else "",
                item.energy_tce,
                item.energy_share_percent,
                item.electricity_co2_t,
                item.co2_share_percent,
                _("yes") if item.in_energy_pareto else _("no"),
                _("yes") if item.in_co2_pareto else _("no"),
                "; ".join(_factor_label(factor) for factor in item.factors),
                _row_reason(item, ranking.energy, ranking.co2),
            ]
        )
    for row in sheet.iter_rows(min_row=2):
        row[4].number_format = TCE_FORMAT
        row[5].number_format = PERCENT_FORMAT
        row[6].number_format = CO2_FORMAT
        row[7].number_format = PERCENT_FORMAT


def _row_reason(item: PriorityItem, energy: ParetoResult, co2: ParetoResult) -> str:
    """Explain every empty numeric cell of the row: an undefined value, or a share of a zero total."""
    reasons = [item.reason] if item.reason else []
    if item.energy_tce is not None and item.energy_share_percent is None and energy.reason is not None:
        reasons.append(empty_reason_message(energy.reason))
    if item.electricity_co2_t is not None and item.co2_share_percent is None and co2.reason is not None:
        reasons.append(empty_reason_message(co2.reason))
    return " ".join(reasons)


def _factor_label(factor: FactorUse) -> str:
    year = f" {factor.data_year}" if factor.data_year is not None else ""
    label = f"{factor.kind} {factor.resource_code} {factor.region}{year} v{factor.version}"
    return f"{label} ({_('provisional')})" if factor.provisional else label


def _write_factors(sheet: Worksheet, diagnosis: Diagnosis) -> None:
    _write_header(
        sheet,
        _("Factors used"),
        [
            _("kind"),
            _("resource"),
            _("series"),
            _("region"),
            _("data year"),
            _("version"),
            _("value"),
            _("unit"),
            _("source document"),
            _("provisional"),
        ],
    )
    for factor in diagnosis.factors:
        sheet.append(
            [
                factor.kind,
                factor.resource_code,
                factor.series,
                factor.region,
                factor.data_year,
                factor.version,
                float(factor.value),
                factor.unit,
                factor.source,
                _("yes") if factor.provisional else _("no"),
            ]
        )


def _write_findings(sheet: Worksheet, diagnosis: Diagnosis) -> None:
    _write_header(sheet, _("Findings"), [_("code"), _("subject"), _("message")])
    for finding in diagnosis.findings:
        sheet.append([finding.code, finding.subject, finding.message])
