"""The cleaner production audit report as an editable Word document (.docx).

The chapters follow the layout that HJ 469-2009 sets for audit reports and that follows the
seven audit phases: 审核准备, 预审核, 审核, 方案的产生和筛选, 可行性分析, 方案实施 and
持续清洁生产, framed by an enterprise profile and the conclusions. The report is filed in
Chinese, so its fixed wording sits in `report_text.TEXT_ZH` rather than in gettext. Another
language means another mapping with the same keys. Headings use the built-in Heading styles, so the
table of contents field and the navigation pane of Word and LibreOffice work on them.

Body text is 宋体 (SimSun) and headings 黑体 (SimHei) through the ``w:eastAsia`` font
attribute, and Latin letters and digits use Times New Roman. A section without data states so
instead of disappearing, so a reviewer can tell that it was considered.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from typing import Final, cast

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.styles.style import BaseStyle
from docx.table import Table
from docx.text.paragraph import Paragraph

from .report_data import (
    AuditReportData,
    Balance,
    BalanceClosure,
    CostClass,
    Economics,
    Feasibility,
    Irr,
    Number,
    Option,
    Target,
    UnitIndicators,
    WeightedRanking,
)
from .report_text import ASPECT_FIELDS, TEXT_ZH

LATIN_FONT: Final = "Times New Roman"
BODY_FONT: Final = "宋体"  # SimSun
HEADING_FONT: Final = "黑体"  # SimHei
DASH: Final = "—"
PAGE_MARGIN_CM: Final = 2.8  # left and right
TEXT_WIDTH_CM: Final = 21.0 - 2 * PAGE_MARGIN_CM  # A4

# Number formatting. Decimals follow what audit reports print: money in 万元 and years to
# two places, percentages to one, other quantities by magnitude.


def format_number(value: Number | None, decimals: int) -> str:
    """Format with thousands separators, rounding half up (四舍五入) as the figures were written."""
    if value is None:
        return DASH
    # str() of a float gives its shortest decimal form, so 1.435 rounds to 1.44 as a reader expects.
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    if not number.is_finite():
        return DASH
    rounded = number.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    text = format(rounded, f",.{decimals}f")
    # A small negative value rounds to "-0.00", which prints without the sign.
    return text[1:] if text.startswith("-") and text.strip("-0.,") == "" else text


def quantity_decimals(*values: Number | None) -> int:
    """Return 0 to 3 decimals for quantities printed together, chosen by the largest magnitude among them.

    Values that share a unit (one balance, one row of a target) get the same decimals, so
    their digits line up and a difference reads against its inputs.
    """
    magnitudes = [abs(float(value)) for value in values if value is not None]
    largest = max(magnitudes, default=0.0)
    if largest >= 1000:
        return 0
    if largest >= 100:
        return 1
    if largest >= 1 or largest == 0:
        return 2
    return 3


def format_quantity(value: Number | None, decimals: int | None = None) -> str:
    """Format a measured quantity, by default with the decimals `quantity_decimals` gives for it alone."""
    return format_number(value, quantity_decimals(value) if decimals is None else decimals)


def format_money(value: Number | None) -> str:
    return format_number(value, 2)


def format_percent(value: Number | None) -> str:
    return format_number(value, 1)


def format_rate(value: Number | None) -> str:
    """Format a rate of return (IRR, MIRR, NPVR) in percent, to two places as audit reports print them."""
    return format_number(value, 2)


def format_signed_percent(value: Number) -> str:
    text = format_percent(value)
    return text if text.startswith("-") or text.strip("0.,") == "" else f"+{text}"


def format_date(value: date | None, text: Mapping[str, str]) -> str:
    if value is None:
        return DASH
    return text["date"].format(year=value.year, month=value.month, day=value.day)


def format_irr(irr: Irr, text: Mapping[str, str]) -> str:
    if irr.kind == "unique":
        return f"{format_rate(irr.value_percent)}%"
    if irr.kind == "not_unique":
        roots = "、".join(f"{format_rate(root)}%" for root in irr.roots_percent) or DASH
        mirr = DASH if irr.mirr_percent is None else f"{format_rate(irr.mirr_percent)}%"
        return text["irr.not_unique"].format(roots=roots, mirr=mirr)
    return text["irr.none"]


# Low-level Word XML helpers.


def _set_run_fonts(rpr_parent: BaseStyle, latin: str, east_asia: str) -> None:
    """Set explicit fonts on a style, dropping theme fonts, which would otherwise win over them."""
    rpr = rpr_parent.element.get_or_add_rPr()
    fonts = rpr.get_or_add_rFonts()
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), east_asia)


def _set_document_defaults(document: DocumentObject) -> None:
    """Put the fonts and the Chinese language into the document defaults (w:docDefaults)."""
    styles_element = document.styles.element
    defaults = styles_element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is None:
        return
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attribute in ("w:asciiTheme", "w:hAnsiTheme", "w:eastAsiaTheme", "w:cstheme"):
        fonts.attrib.pop(qn(attribute), None)
    fonts.set(qn("w:ascii"), LATIN_FONT)
    fonts.set(qn("w:hAnsi"), LATIN_FONT)
    fonts.set(qn("w:cs"), LATIN_FONT)
    fonts.set(qn("w:eastAsia"), BODY_FONT)
    language = rpr.find(qn("w:lang"))
    if language is None:
        language = OxmlElement("w:lang")
        rpr.append(language)
    language.set(qn("w:val"), "en-US")
    language.set(qn("w:eastAsia"), "zh-CN")


def _add_field(paragraph: Paragraph, instruction: str, placeholder: str) -> None:
    """Append a complex field (e.g. TOC or PAGE) that Word computes when it updates fields."""
    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    begin.set(qn("w:dirty"), "true")
    paragraph.add_run()._r.append(begin)
    instruction_element = OxmlElement("w:instrText")
    instruction_element.set(qn("xml:space"), "preserve")
    instruction_element.text = f" {instruction} "
    paragraph.add_run()._r.append(instruction_element)
    separate = OxmlElement("w:fldChar")
    separate.set(qn("w:fldCharType"), "separate")
    paragraph.add_run()._r.append(separate)
    paragraph.add_run(placeholder)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    paragraph.add_run()._r.append(end)


def _repeat_header_row(table: Table) -> None:
    properties = table.rows[0]._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    properties.append(header)


def _keep_rows_whole(table: Table) -> None:
    """Set ``w:cantSplit`` on every row so that no row breaks across a page."""
    for row in table.rows:
        properties = row._tr.get_or_add_trPr()
        cant_split = OxmlElement("w:cantSplit")
        cant_split.set(qn("w:val"), "true")
        properties.append(cant_split)


SEQUENCE_COLUMN_CM = 1.2  # wide enough for a three-digit 序号


def _unit_consumption(item: UnitIndicators) -> str:
    """Return the unit consumption with its unit, or a dash when no data covers the baseline year."""
    if item.coverage_percent is not None and item.coverage_percent == 0:
        return DASH
    return _with_unit(format_quantity(item.unit_consumption), item.unit_consumption_unit)


def _shade(cell_properties_owner: object, fill: str) -> None:
    tc = cell_properties_owner._tc  # type: ignore[attr-defined]
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc.get_or_add_tcPr().append(shading)


def _configure_styles(document: DocumentObject) -> None:
    _set_document_defaults(document)
    styles = document.styles

    normal = styles["Normal"]
    _set_run_fonts(normal, LATIN_FONT, BODY_FONT)
    normal.font.size = Pt(12)  # 小四

    body = styles["Body Text"]
    _set_run_fonts(body, LATIN_FONT, BODY_FONT)
    body.font.size = Pt(12)
    body.paragraph_format.first_line_indent = Pt(24)  # two characters
    body.paragraph_format.line_spacing = 1.5
    body.paragraph_format.space_after = Pt(0)

    for level, size in ((1, 16), (2, 14), (3, 12)):  # 三号, 四号, 小四
        heading = styles[f"Heading {level}"]
        _set_run_fonts(heading, LATIN_FONT, HEADING_FONT)
        heading.font.size = Pt(size)
        heading.font.bold = True
        heading.font.italic = False
        heading.font.color.rgb = RGBColor(0, 0, 0)
        heading.paragraph_format.space_before = Pt(12)
        heading.paragraph_format.space_after = Pt(6)
        heading.paragraph_format.keep_with_next = True
        # Each chapter starts on a new page, as audit reports are bound and reviewed by chapter.
        heading.paragraph_format.page_break_before = level == 1

    title = styles["Title"]
    _set_run_fonts(title, LATIN_FONT, HEADING_FONT)
    title.font.size = Pt(26)  # 一号
    title.font.color.rgb = RGBColor(0, 0, 0)
    title.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    # The template's Title style draws a border under the paragraph; a cover page has none.
    title_ppr = title.element.get_or_add_pPr()
    for border in title_ppr.findall(qn("w:pBdr")):
        title_ppr.remove(border)

    caption = styles["Caption"]
    _set_run_fonts(caption, LATIN_FONT, HEADING_FONT)
    caption.font.size = Pt(10.5)  # 五号
    caption.font.bold = False
    caption.font.color.rgb = RGBColor(0, 0, 0)
    caption.paragraph_format.alignment = WD_ALIGN_PARAGRAPH.CENTER
    caption.paragraph_format.keep_with_next = True

    table_text = styles.add_style("Table Text", WD_STYLE_TYPE.PARAGRAPH)
    table_text.base_style = normal
    _set_run_fonts(table_text, LATIN_FONT, BODY_FONT)
    table_text.font.size = Pt(9)  # 小五
    table_text.paragraph_format.space_after = Pt(0)
    table_text.paragraph_format.line_spacing = 1.0


# The elements that the WordprocessingML schema (ECMA-376 Part 1, CT_Settings) places after
# w:updateFields. A settings part whose children break this order is invalid against the schema.
_AFTER_UPDATE_FIELDS: Final = frozenset(
    qn(f"w:{name}")
    for name in (
        "hdrShapeDefaults",
        "footnotePr",
        "endnotePr",
        "compat",
        "docVars",
        "rsids",
        "attachedSchema",
        "themeFontLang",
        "clrSchemeMapping",
        "doNotIncludeSubdocsInStats",
        "doNotAutoCompressPictures",
        "forceUpgrade",
        "captions",
        "readModeInkLockDown",
        "smartTagType",
        "schemaLibrary",
        "shapeDefaults",
        "doNotEmbedSmartTags",
        "decimalSymbol",
        "listSeparator",
    )
) | {"{http://schemas.openxmlformats.org/officeDocument/2006/math}mathPr"}


def _configure_page(document: DocumentObject) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width = Cm(21.0)
    section.page_height = Cm(29.7)
    section.top_margin = section.bottom_margin = Cm(2.54)
    section.left_margin = section.right_margin = Cm(PAGE_MARGIN_CM)
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _add_field(footer, "PAGE", "1")
    # Ask Word to update the fields (table of contents, page numbers) when it opens the file.
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    settings = document.settings.element
    following = next((child for child in settings if child.tag in _AFTER_UPDATE_FIELDS), None)
    if following is None:
        settings.append(update)
    else:
        following.addprevious(update)


class _ReportWriter:
    """Writes the chapters into one document, numbering tables and figures per chapter."""

    def __init__(self, data: AuditReportData, text: Mapping[str, str]) -> None:
        self.data = data
        self.text = text
        self.document = Document()
        self.chapter = 0
        self.table_count = 0
        self.figure_count = 0
        _configure_styles(self.document)
        _configure_page(self.document)

    # Building blocks

    def heading(self, key: str, level: int, **values: object) -> None:
        if level == 1:
            self.table_count = 0
            self.figure_count = 0
        self.document.add_heading(self.text[key].format(**values), level=level)

    def paragraph(self, content: str) -> None:
        self.document.add_paragraph(content, style="Body Text")

    def free_text(self, content: str) -> None:
        """Write text as paragraphs split at line breaks, or state that nothing was recorded."""
        lines = [line.strip() for line in content.splitlines() if line.strip()]
        if not lines:
            self.no_data()
        for line in lines:
            self.paragraph(line)

    def no_data(self) -> None:
        self.paragraph(self.text["no_data"])

    def caption(self, kind: str, title: str) -> None:
        if kind == "table":
            self.table_count += 1
            count = self.table_count
        else:
            self.figure_count += 1
            count = self.figure_count
        number = f"{self.chapter}-{count}" if self.chapter else str(count)
        self.document.add_paragraph(self.text[kind].format(number=number, title=title), style="Caption")

    def table(
        self,
        title: str,
        headers: Sequence[str],
        rows: Iterable[Sequence[str]],
        *,
        numeric: Iterable[int] = (),
        bold_last_row: bool = False,
        widths_cm: Sequence[float] = (),
    ) -> Table | None:
        """Add a captioned table with a repeated, shaded header row and right-aligned numeric columns."""
        body = [list(row) for row in rows]
        if not body:
            self.no_data()
            return None

        self.caption("table", title)
        numeric_columns = set(numeric)
        table: Table = self.document.add_table(rows=1, cols=len(headers))
        table.style = self.document.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for index, header in enumerate(headers):
            cell = table.rows[0].cells[index]
            cell.text = ""
            paragraph = cell.paragraphs[0]
            paragraph.style = self.document.styles["Table Text"]
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run(header).bold = True
            _shade(cell, "D9D9D9")
        _repeat_header_row(table)

        for row_index, values in enumerate(body):
            cells = table.add_row().cells  # type: ignore[no-untyped-call]  # unannotated in python-docx 1.2
            for index, value in enumerate(values):
                paragraph = cells[index].paragraphs[0]
                paragraph.style = self.document.styles["Table Text"]
                if index in numeric_columns:
                    paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
                run = paragraph.add_run(value)
                if bold_last_row and row_index == len(body) - 1:
                    run.bold = True

        _keep_rows_whole(table)
        if not widths_cm and headers and headers[0] == self.text["number"] and len(headers) > 1:
            rest = (TEXT_WIDTH_CM - SEQUENCE_COLUMN_CM) / (len(headers) - 1)
            widths_cm = (SEQUENCE_COLUMN_CM, *([rest] * (len(headers) - 1)))
        if widths_cm:
            # Office suites differ in whether they read the grid column or the cell width, so set both.
            table.autofit = False
            for column, width in zip(table.columns, widths_cm, strict=True):
                column.width = Cm(width)
                for cell in column.cells:
                    cell.width = Cm(width)
        self.document.add_paragraph()  # keeps a following table from joining this one
        return table

    def page_break(self) -> None:
        self.document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)

    def start_chapter(self, number: int, key: str) -> None:
        self.chapter = number
        self.heading(key, 1)

    # Front matter

    def cover(self) -> None:
        data, text = self.data, self.text
        for _blank in range(6):
            self.document.add_paragraph()
        self.document.add_paragraph(text["title"], style="Title")
        for _blank in range(4):
            self.document.add_paragraph()
        for line in (
            text["cover.enterprise"].format(name=data.enterprise.name),
            text["cover.site"].format(name=data.enterprise.site_name),
            text["cover.audit"].format(name=data.audit.name),
            text["cover.date"].format(date=format_date(data.audit.report_date, text)),
        ):
            paragraph = self.document.add_paragraph()
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            run = paragraph.add_run(line)
            run.font.size = Pt(16)
        self.page_break()

    def table_of_contents(self) -> None:
        title = self.document.add_paragraph()
        title.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = title.add_run(self.text["toc.title"])
        run.bold = True
        run.font.size = Pt(16)
        _add_field(self.document.add_paragraph(), 'TOC \\o "1-3" \\h \\z \\u', self.text["toc.placeholder"])

    def foreword(self) -> None:
        data, text = self.data, self.text
        self.chapter = 0
        self.heading("foreword", 1)
        no_low = sum(1 for option in data.options if option.cost_class == "no_low")
        verified = sum(1 for item in data.implementations if item.verified_saving is not None)
        self.paragraph(
            text["foreword.summary"].format(
                kind=data.audit.kind,
                year=data.audit.baseline_year,
                started=format_date(data.audit.started_on, text),
                options=len(data.options),
                no_low=no_low,
                medium_high=len(data.options) - no_low,
                verified=verified,
            )
        )
        if data.audit.trigger:
            self.paragraph(text["foreword.trigger"].format(trigger=data.audit.trigger))
        if data.overview.strip():
            self.free_text(data.overview)

    # Chapters

    def enterprise_profile(self) -> None:
        data, text = self.data, self.text
        enterprise, audit = data.enterprise, data.audit
        self.start_chapter(1, "ch1")
        self.heading("ch1.basic", 2)
        self.table(
            text["ch1.basic.table"],
            (text["field"], text["content"]),
            (
                (text["enterprise.name"], enterprise.name),
                (text["enterprise.uscc"], enterprise.uscc or DASH),
                (text["enterprise.industry"], enterprise.industry_code or DASH),
                (text["enterprise.province"], enterprise.province or DASH),
                (text["enterprise.site"], enterprise.site_name or DASH),
                (text["enterprise.address"], enterprise.address or DASH),
            ),
            widths_cm=(4.4, TEXT_WIDTH_CM - 4.4),
        )
        self.heading("ch1.audit", 2)
        self.table(
            text["ch1.audit.table"],
            (text["field"], text["content"]),
            (
                (text["audit.name"], audit.name),
                (text["audit.kind"], audit.kind),
                (text["audit.trigger"], audit.trigger or DASH),
                (text["audit.listed_on"], format_date(audit.listed_on, text)),
                (text["audit.baseline_year"], str(audit.baseline_year)),
                (text["audit.started_on"], format_date(audit.started_on, text)),
                (text["audit.completed_on"], format_date(audit.completed_on, text)),
                (text["audit.report_date"], format_date(audit.report_date, text)),
            ),
            widths_cm=(4.4, TEXT_WIDTH_CM - 4.4),
        )
        self.heading("ch1.production", 2)
        self.free_text(enterprise.description)

    def preparation(self) -> None:
        data, text = self.data, self.text
        self.start_chapter(2, "ch2")
        self.heading("ch2.team", 2)
        self.table(
            text["ch2.team.table"],
            (
                text["number"],
                text["team.name"],
                text["team.organisation"],
                text["team.role"],
                text["team.responsibility"],
            ),
            (
                (str(index), member.name, member.organisation, member.team_role, member.responsibility)
                for index, member in enumerate(data.team, start=1)
            ),
        )
        self.heading("ch2.plan", 2)
        self.table(
            text["ch2.plan.table"],
            (
                text["number"],
                text["plan.phase"],
                text["plan.step"],
                text["plan.owner"],
                text["plan.due"],
                text["plan.status"],
            ),
            (
                (str(index), item.phase, item.step, item.owner, format_date(item.due, text), item.status)
                for index, item in enumerate(data.work_plan, start=1)
            ),
        )

    def pre_assessment(self) -> None:
        data, text = self.data, self.text
        pre = data.pre_assessment
        self.start_chapter(3, "ch3")

        self.heading("ch3.consumption", 2)
        # Quantities differ in unit from row to row, while the tce and CO₂ columns share one each.
        total_tce = _sum_known(item.energy_tce for item in pre.consumption)
        total_co2 = _sum_known(item.co2_t for item in pre.consumption)
        tce_decimals = quantity_decimals(total_tce, *(item.energy_tce for item in pre.consumption))
        co2_decimals = quantity_decimals(total_co2, *(item.co2_t for item in pre.consumption))
        rows = [
            (
                item.resource,
                item.unit,
                format_quantity(item.quantity),
                format_quantity(item.energy_tce, tce_decimals),
                format_quantity(item.co2_t, co2_decimals),
            )
            for item in pre.consumption
        ]
        if rows:
            rows.append(
                (
                    text["total"],
                    "",
                    "",
                    format_quantity(total_tce, tce_decimals),
                    format_quantity(total_co2, co2_decimals),
                )
            )
        self.table(
            text["ch3.consumption.table"],
            (text["resource"], text["unit"], text["quantity"], text["tce"], text["co2"]),
            rows,
            numeric=(2, 3, 4),
            bold_last_row=True,
        )

        self.heading("ch3.indicators", 2)
        tce_decimals = quantity_decimals(*(item.energy_tce for item in pre.indicators))
        co2_decimals = quantity_decimals(*(item.co2_t for item in pre.indicators))
        water_decimals = quantity_decimals(*(item.water_m3 for item in pre.indicators))
        waste_decimals = quantity_decimals(*(item.waste_t for item in pre.indicators))
        self.table(
            text["ch3.indicators.table"],
            (text["org_unit"], text["tce"], text["co2"], text["water"], text["waste"], text["unit_consumption"]),
            (
                (
                    item.unit_name,
                    format_quantity(item.energy_tce, tce_decimals),
                    format_quantity(item.co2_t, co2_decimals),
                    format_quantity(item.water_m3, water_decimals),
                    format_quantity(item.waste_t, waste_decimals),
                    _unit_consumption(item),
                )
                for item in pre.indicators
            ),
            numeric=(1, 2, 3, 4, 5),
        )
        for item in pre.indicators:
            if item.coverage_percent is not None and item.coverage_percent < 100:
                self.paragraph(
                    text["ch3.indicators.coverage"].format(
                        unit=item.unit_name, coverage=format_number(item.coverage_percent, 1)
                    )
                )

        self.heading("ch3.priorities", 2)
        self.table(
            text["ch3.priorities.table"],
            (text["priority.rank"], text["priority.item"], text["priority.score"], text["priority.reason"]),
            (
                (str(item.rank), item.item, format_number(item.score, 1), item.reason or DASH)
                for item in sorted(pre.priorities, key=lambda item: item.rank)
            ),
            numeric=(2,),
        )

        self.heading("ch3.focus", 2)
        self.ranking_table(text["ch3.focus.table"], data.focus_ranking, with_note=False)
        if data.focus_ranking is not None and data.focus_ranking.chosen:
            self.paragraph(text["ch3.focus.chosen"].format(focus=data.focus_ranking.chosen))

        self.heading("ch3.targets", 2)
        self.table(
            text["ch3.targets.table"],
            (
                text["target.indicator"],
                text["unit"],
                text["target.baseline"],
                text["target.near"],
                text["target.near_reduction"],
                text["target.long"],
                text["target.long_reduction"],
            ),
            (
                (
                    target.indicator,
                    target.unit,
                    format_quantity(target.baseline, _target_decimals(target)),
                    self.value_in_year(target.near_term_value, target.near_term_year, _target_decimals(target)),
                    _percent_cell(target.near_term_reduction_percent),
                    self.value_in_year(target.long_term_value, target.long_term_year, _target_decimals(target)),
                    _percent_cell(target.long_term_reduction_percent),
                )
                for target in data.targets
            ),
            numeric=(2, 3, 4, 5, 6),
        )

        self.heading("ch3.no_low", 2)
        no_low = [option for option in data.options if option.cost_class == "no_low"]
        self.table(
            text["ch3.no_low.table"],
            (
                text["option.code"],
                text["option.title"],
                text["option.aspect"],
                text["option.investment"],
                text["option.effects"],
                text["option.status"],
            ),
            (
                (
                    option.code,
                    option.title,
                    option.aspect,
                    format_money(option.investment),
                    option.expected_effects,
                    option.status,
                )
                for option in no_low
            ),
            numeric=(3,),
        )

    def value_in_year(self, value: Number | None, year: int | None, decimals: int) -> str:
        if value is None:
            return DASH
        if year is None:
            return format_quantity(value, decimals)
        return self.text["target.value_year"].format(value=format_quantity(value, decimals), year=year)

    def ranking_table(self, title: str, ranking: WeightedRanking | None, *, with_note: bool) -> None:
        """Add a weighted-sum ranking with one column per criterion, its weight in the header."""
        text = self.text
        if ranking is None or not ranking.candidates:
            self.no_data()
            return
        headers = [text["ranking.candidate"]]
        headers += [
            f"{criterion.name}（{text['ranking.weight']} {_plain(criterion.weight)}）" for criterion in ranking.criteria
        ]
        headers += [text["ranking.total"], text["ranking.rank"]]
        if with_note:
            headers.append(text["ranking.note"])
        criterion_count = len(ranking.criteria)
        rows = []
        ordered = sorted(ranking.candidates, key=lambda item: (item.rank is None, item.rank or 0))
        for candidate in ordered:
            scores = list(candidate.scores) + [None] * (criterion_count - len(candidate.scores))
            row = [candidate.name]
            row += [format_number(score, 1) if score is not None else DASH for score in scores[:criterion_count]]
            row += [format_number(candidate.total, 1), DASH if candidate.rank is None else str(candidate.rank)]
            if with_note:
                row.append(candidate.note or DASH)
            rows.append(row)
        self.table(title, headers, rows, numeric=range(1, criterion_count + 3))

    def audit_phase(self) -> None:
        data, text = self.data, self.text
        self.start_chapter(4, "ch4")
        if not data.balances:
            self.no_data()
        for number, balance in enumerate(data.balances, start=1):
            self.heading("ch4.balance", 2, number=number, name=balance.name, kind=balance.kind)
            self.balance(balance)
        self.heading("ch4.causes", 2, number=len(data.balances) + 1)
        # Only the aspects with a cause are printed; a stream without any gets one row with a dash.
        rows: list[tuple[str, str, str]] = []
        spans: list[tuple[int, int, str]] = []  # first table row, number of rows, stream
        for cause in data.causes:
            aspect_rows = [
                (cause.stream, text[f"aspect.{aspect}"], getattr(cause, aspect))
                for aspect in ASPECT_FIELDS
                if getattr(cause, aspect)
            ] or [(cause.stream, DASH, DASH)]
            spans.append((1 + len(rows), len(aspect_rows), cause.stream))
            rows.extend(aspect_rows)
        table = self.table(
            text["ch4.causes.table"],
            (text["cause.stream"], text["cause.aspect"], text["cause.text"]),
            rows,
            widths_cm=(3.6, 3.2, TEXT_WIDTH_CM - 6.8),
        )
        if table is not None:
            # One merged cell per waste stream over its aspect rows.
            for first, count, stream in spans:
                if count == 1:
                    continue
                merged = table.cell(first, 0).merge(table.cell(first + count - 1, 0))
                for extra in merged.paragraphs[1:]:
                    extra._p.getparent().remove(extra._p)
                merged.paragraphs[0].text = ""
                merged.paragraphs[0].add_run(stream)

    def balance(self, balance: Balance) -> None:
        closures = [*balance.steps, *([balance.overall] if balance.overall else [])]
        decimals = quantity_decimals(
            *(flow.quantity for flow in balance.flows),
            *(row.inputs for row in closures),
            *(row.outputs for row in closures),
        )
        self.balance_flows(balance, decimals)
        self.balance_closure(balance, decimals)
        self.sankey_figure(balance)

    def balance_flows(self, balance: Balance, decimals: int) -> None:
        text = self.text
        self.table(
            text["ch4.flows.table"].format(name=balance.name, kind=balance.kind),
            (
                text["number"],
                text["flow.source"],
                text["flow.target"],
                text["flow.stream"],
                text["flow.quantity"].format(unit=balance.unit),
                text["flow.note"],
            ),
            (
                (
                    str(index),
                    flow.source,
                    flow.target,
                    flow.stream,
                    format_quantity(flow.quantity, decimals),
                    flow.note or DASH,
                )
                for index, flow in enumerate(balance.flows, start=1)
            ),
            numeric=(4,),
        )

    def balance_closure(self, balance: Balance, decimals: int) -> None:
        text = self.text
        names = {"name": balance.name, "kind": balance.kind}
        unit = balance.unit
        if balance.tolerance_percent is not None:
            self.paragraph(text["ch4.tolerance"].format(tolerance=_plain(balance.tolerance_percent)))
        closure_rows = [self.closure_row(row, row.step, decimals) for row in balance.steps]
        if balance.overall is not None:
            closure_rows.append(self.closure_row(balance.overall, text["closure.overall"], decimals))
        self.table(
            text["ch4.closure.table"].format(**names),
            (
                text["closure.step"],
                text["closure.inputs"].format(unit=unit),
                text["closure.outputs"].format(unit=unit),
                text["closure.difference"].format(unit=unit),
                text["closure.percent"],
                text["closure.within"],
            ),
            closure_rows,
            numeric=(1, 2, 3, 4),
            bold_last_row=balance.overall is not None,
        )

        overall = balance.overall
        if overall is not None:
            if overall.within_tolerance is None:
                verdict = text["ch4.unchecked"]
            else:
                verdict = text["ch4.within"] if overall.within_tolerance else text["ch4.outside"]
            self.paragraph(
                text["ch4.overall"].format(
                    inputs=format_quantity(overall.inputs, decimals),
                    outputs=format_quantity(overall.outputs, decimals),
                    difference=format_quantity(overall.difference, decimals),
                    percent=format_number(overall.difference_percent, 2),
                    unit=unit,
                    verdict=verdict,
                )
            )

    def sankey_figure(self, balance: Balance) -> None:
        text = self.text
        names = {"name": balance.name, "kind": balance.kind}
        if balance.sankey_png is None:
            self.paragraph(text["ch4.sankey.missing"])
            return
        picture = self.document.add_paragraph()
        picture.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture.paragraph_format.keep_with_next = True
        picture.add_run().add_picture(BytesIO(balance.sankey_png), width=Cm(TEXT_WIDTH_CM))
        self.caption("figure", text["ch4.sankey"].format(**names))

    def closure_row(self, row: BalanceClosure, step: str, decimals: int) -> tuple[str, ...]:
        if row.within_tolerance is None:
            within = DASH
        elif row.within_tolerance:
            within = self.text["yes"]
        else:
            within = self.text["no"]
        return (
            step,
            format_quantity(row.inputs, decimals),
            format_quantity(row.outputs, decimals),
            format_quantity(row.difference, decimals),
            format_number(row.difference_percent, 2),
            within,
        )

    def options(self) -> None:
        data, text = self.data, self.text
        self.start_chapter(5, "ch5")
        self.heading("ch5.register", 2)
        counts = {cost_class: 0 for cost_class in ("no_low", "medium", "high")}
        for option in data.options:
            counts[option.cost_class] += 1
        if data.options:
            self.paragraph(text["ch5.register.summary"].format(total=len(data.options), **counts))
        self.table(
            text["ch5.register.table"],
            (
                text["option.code"],
                text["option.title"],
                text["option.aspect"],
                text["option.source"],
                text["option.cost_class"],
                text["option.investment"],
                text["option.effects"],
                text["option.status"],
                text["option.score"],
            ),
            (self.option_row(option) for option in data.options),
            numeric=(5, 8),
        )
        self.heading("ch5.screening", 2)
        self.ranking_table(text["ch5.screening.table"], data.screening, with_note=True)
        if data.screening is not None and data.screening.chosen:
            self.paragraph(data.screening.chosen)

    def option_row(self, option: Option) -> tuple[str, ...]:
        return (
            option.code,
            option.title,
            option.aspect,
            option.source,
            self.cost_class(option.cost_class),
            format_money(option.investment),
            option.expected_effects,
            option.status,
            format_number(option.screening_score, 1),
        )

    def cost_class(self, value: CostClass) -> str:
        return self.text[f"cost_class.{value}"]

    def feasibility(self) -> None:
        data, text = self.data, self.text
        self.start_chapter(6, "ch6")
        if not data.feasibility:
            self.no_data()
            return
        for number, study in enumerate(data.feasibility, start=1):
            self.feasibility_study(number, study)
        self.heading("ch6.summary", 2, number=len(data.feasibility) + 1)
        self.table(
            text["ch6.summary.table"],
            (
                text["option.code"],
                text["option.title"],
                f"I（{text['money_unit']}）",
                f"F（{text['per_year_money']}）",
                f"N（{text['years']}）",
                f"NPV（{text['money_unit']}）",
                "NPVR（%）",
                "IRR",
            ),
            (
                (
                    study.option_code,
                    study.option_title,
                    format_money(study.economics.investment),
                    format_money(study.economics.cash_flow),
                    format_money(study.economics.static_payback_years),
                    format_money(study.economics.npv),
                    format_rate(study.economics.npvr_percent),
                    format_irr(study.economics.irr, text),
                )
                for study in data.feasibility
                if study.economics is not None
            ),
            numeric=(2, 3, 4, 5, 6),
        )

    def feasibility_study(self, number: int, study: Feasibility) -> None:
        text = self.text
        self.heading("ch6.option", 2, number=number, code=study.option_code, title=study.option_title)
        self.heading("ch6.technical", 3, number=number)
        self.free_text(study.technical)

        self.heading("ch6.environmental", 3, number=number)
        if study.environmental.strip():
            self.free_text(study.environmental)
        if study.reductions:
            self.table(
                text["ch6.reductions.table"].format(code=study.option_code),
                (text["reduction.indicator"], text["unit"], text["reduction.amount"]),
                ((item.indicator, item.unit, format_quantity(item.amount)) for item in study.reductions),
                numeric=(2,),
            )
        elif not study.environmental.strip():
            self.no_data()

        self.heading("ch6.economic", 3, number=number)
        if study.economics is None:
            self.no_data()
        else:
            self.economics_table(study.option_code, study.economics)

        self.heading("ch6.sensitivity", 3, number=number)
        self.table(
            text["ch6.sensitivity.table"].format(code=study.option_code),
            (
                text["sensitivity.variable"],
                text["sensitivity.change"],
                text["sensitivity.npv"],
                text["sensitivity.irr"],
                text["sensitivity.payback"],
            ),
            (
                (
                    row.variable,
                    f"{format_signed_percent(row.change_percent)}%",
                    format_money(row.npv),
                    format_rate(row.irr_percent),
                    format_money(row.static_payback_years),
                )
                for row in study.sensitivity
            ),
            numeric=(1, 2, 3, 4),
        )
        if study.sensitivity_note:
            self.paragraph(study.sensitivity_note)

        self.heading("ch6.conclusion", 3, number=number)
        self.free_text(study.conclusion)

    def economics_table(self, code: str, economics: Economics) -> None:
        text = self.text
        money, per_year, years = text["money_unit"], text["per_year_money"], text["years"]
        if economics.dynamic_payback_years is None:
            dynamic = text["dynamic_payback.never"]
        else:
            dynamic = _with_unit(format_money(economics.dynamic_payback_years), years)
        rows = [
            (text["economics.investment"], "I", _with_unit(format_money(economics.investment), money)),
            (text["economics.annual_saving"], "P", _with_unit(format_money(economics.annual_saving), per_year)),
            (text["economics.depreciation"], "D", _with_unit(format_money(economics.depreciation), per_year)),
            (text["economics.taxable_profit"], "T", _with_unit(format_money(economics.taxable_profit), per_year)),
            (text["economics.net_profit"], "E", _with_unit(format_money(economics.net_profit), per_year)),
            (text["economics.cash_flow"], "F", _with_unit(format_money(economics.cash_flow), per_year)),
            (text["economics.static_payback"], "N", _with_unit(format_money(economics.static_payback_years), years)),
            (text["economics.npv"], "NPV", _with_unit(format_money(economics.npv), money)),
            (
                text["economics.npvr"],
                "NPVR",
                DASH if economics.npvr_percent is None else f"{format_rate(economics.npvr_percent)}%",
            ),
            (text["economics.irr"], "IRR", format_irr(economics.irr, text)),
            (text["economics.dynamic_payback"], "Nd", dynamic),
        ]
        self.table(
            text["ch6.economic.table"].format(code=code),
            (text["economics.item"], text["economics.symbol"], text["economics.value"]),
            rows,
            numeric=(2,),
            widths_cm=(5.4, 2.0, TEXT_WIDTH_CM - 7.4),
        )
        self.paragraph(
            text["ch6.parameters"].format(
                rate=_plain(economics.discount_rate_percent),
                tax=_plain(economics.tax_rate_percent),
                life=economics.life_years,
            )
        )
        if economics.note:
            self.paragraph(economics.note)

    def implementation(self) -> None:
        data, text = self.data, self.text
        self.start_chapter(7, "ch7")
        self.heading("ch7.implementation", 2)
        self.table(
            text["ch7.implementation.table"],
            (
                text["option.code"],
                text["option.title"],
                text["impl.planned"],
                text["impl.actual"],
                text["impl.in_service"],
                text["impl.expected"],
                text["impl.verified"],
                text["impl.achieved"],
                text["impl.note"],
            ),
            (
                (
                    item.option_code,
                    item.option_title,
                    format_money(item.planned_investment),
                    format_money(item.actual_investment),
                    format_date(item.in_service_on, text),
                    _with_unit(
                        format_quantity(
                            item.expected_saving, quantity_decimals(item.expected_saving, item.verified_saving)
                        ),
                        item.saving_unit,
                    ),
                    _with_unit(
                        format_quantity(
                            item.verified_saving, quantity_decimals(item.expected_saving, item.verified_saving)
                        ),
                        item.saving_unit,
                    ),
                    format_percent(item.achieved_percent),
                    item.note or DASH,
                )
                for item in data.implementations
            ),
            numeric=(2, 3, 5, 6, 7),
        )
        self.heading("ch7.before_after", 2)
        self.table(
            text["ch7.before_after.table"],
            (
                text["kpi.indicator"],
                text["unit"],
                text["kpi.before"],
                text["kpi.after"],
                text["kpi.change"],
                text["impl.note"],
            ),
            (
                (
                    item.indicator,
                    item.unit,
                    format_quantity(item.before, quantity_decimals(item.before, item.after)),
                    format_quantity(item.after, quantity_decimals(item.before, item.after)),
                    DASH if item.change_percent is None else format_signed_percent(item.change_percent),
                    item.note or DASH,
                )
                for item in data.before_after
            ),
            numeric=(2, 3, 4),
        )

    def closing_chapters(self) -> None:
        self.start_chapter(8, "ch8")
        self.free_text(self.data.continuous_plan)
        self.start_chapter(9, "ch9")
        self.free_text(self.data.conclusions)

    def write(self) -> bytes:
        sections: tuple[Callable[[], None], ...] = (
            self.cover,
            self.table_of_contents,
            self.foreword,
            self.enterprise_profile,
            self.preparation,
            self.pre_assessment,
            self.audit_phase,
            self.options,
            self.feasibility,
            self.implementation,
            self.closing_chapters,
        )
        for section in sections:
            section()
        properties = self.document.core_properties
        properties.title = f"{self.text['title']} - {self.data.enterprise.name}"
        properties.subject = self.data.audit.name
        properties.language = "zh-CN"
        buffer = BytesIO()
        self.document.save(buffer)
        return buffer.getvalue()


def _sum_known(values: Iterable[Number | None]) -> Number | None:
    """Sum the recorded values, or return None when no value is recorded."""
    known = [
        Decimal(str(value)) if isinstance(value, float) else Decimal(value) for value in values if value is not None
    ]
    return sum(known, Decimal(0)) if known else None


def _target_decimals(target: Target) -> int:
    return quantity_decimals(target.baseline, target.near_term_value, target.long_term_value)


def _with_unit(value: str, unit: str) -> str:
    return value if value == DASH or not unit else f"{value} {unit}"


def _percent_cell(value: Number | None) -> str:
    return DASH if value is None else f"{format_percent(value)}%"


def _plain(value: Number) -> str:
    """Format a weight or tolerance without trailing zeros (10, 2.5)."""
    text = format(Decimal(str(value)).normalize(), "f")
    return text


# Control characters that XML 1.0 forbids. Text pasted from spreadsheets can carry them
# (a vertical tab for a line break inside an Excel cell), and python-docx rejects them.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _without_control_characters(value: object) -> object:
    """Return a copy of report data with the XML-invalid characters removed from every string."""
    if isinstance(value, str):
        return _XML_INVALID.sub("", value)
    if isinstance(value, tuple):
        return tuple(_without_control_characters(item) for item in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        changes = {
            field.name: _without_control_characters(getattr(value, field.name)) for field in dataclasses.fields(value)
        }
        return dataclasses.replace(value, **changes)
    return value


def build_report(data: AuditReportData, text: Mapping[str, str] = TEXT_ZH) -> bytes:
    """Build the audit report and return the .docx file's bytes."""
    cleaned = cast(AuditReportData, _without_control_characters(data))
    return _ReportWriter(cleaned, text).write()
