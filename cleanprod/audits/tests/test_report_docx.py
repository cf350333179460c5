"""The audit report .docx: chapters, tables, fonts and package parts, read back with python-docx."""

import dataclasses
import shutil
import subprocess
import zipfile
from decimal import Decimal
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from docx.document import Document as DocumentObject
from docx.oxml.ns import qn
from docx.table import Table

from cleanprod.audits.report_data import CauseAnalysis, Irr, TeamMember
from cleanprod.audits.report_docx import (
    build_report,
    format_irr,
    format_number,
    format_quantity,
    format_signed_percent,
    quantity_decimals,
)
from cleanprod.audits.report_text import TEXT_ZH
from cleanprod.audits.sankey_png import find_cjk_font

from .report_fixtures import full_report_data, minimal_report_data

CHAPTERS = [
    "前言",
    "1 企业概况",
    "2 审核准备",
    "3 预审核",
    "4 审核",
    "5 方案的产生和筛选",
    "6 可行性分析",
    "7 方案实施",
    "8 持续清洁生产",
    "9 结论",
]
NO_DATA = TEXT_ZH["no_data"]
needs_cjk_font = pytest.mark.skipif(find_cjk_font() is None, reason="no font with Chinese glyphs installed")


@pytest.fixture(scope="module")
def full_docx() -> bytes:
    return build_report(full_report_data())


@pytest.fixture(scope="module")
def minimal_docx() -> bytes:
    return build_report(minimal_report_data())


def open_docx(content: bytes) -> DocumentObject:
    return Document(BytesIO(content))


def headings(document: DocumentObject, level: int) -> list[str]:
    return [p.text for p in document.paragraphs if p.style is not None and p.style.name == f"Heading {level}"]


def table_starting_with(document: DocumentObject, first_header: str, containing: str = "") -> Table:
    """Return the first table whose first header cell is ``first_header`` and whose text contains ``containing``."""
    for table in document.tables:
        if table.cell(0, 0).text != first_header:
            continue
        if containing and not any(containing in cell.text for row in table.rows for cell in row.cells):
            continue
        return table
    raise AssertionError(f"no table starting with {first_header!r} containing {containing!r}")


def rows_of(table: Table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def test_full_report_chapters_in_order(full_docx):
    assert headings(open_docx(full_docx), 1) == CHAPTERS


def test_minimal_report_keeps_every_chapter(minimal_docx):
    assert headings(open_docx(minimal_docx), 1) == CHAPTERS


def test_full_report_section_headings(full_docx):
    document = open_docx(full_docx)
    level2 = headings(document, 2)
    assert level2[:3] == ["1.1 企业基本情况", "1.2 审核基本信息", "1.3 生产概况"]
    assert "4.1 镀锌线水平衡" in level2
    assert "4.2 废弃物产生原因分析" in level2
    assert "6.1 F-01 三级逆流漂洗改造" in level2
    assert "6.3 可行性分析结果汇总" in level2
    level3 = headings(document, 3)
    assert level3[:5] == ["6.1.1 技术评估", "6.1.2 环境评估", "6.1.3 经济评估", "6.1.4 敏感性分析", "6.1.5 评估结论"]


def test_cover_title_and_date(full_docx):
    document = open_docx(full_docx)
    title = [p.text for p in document.paragraphs if p.style is not None and p.style.name == "Title"]
    texts = [p.text for p in document.paragraphs]
    assert title == ["清洁生产审核报告"]
    assert "企业名称：江苏某电镀有限公司" in texts
    assert "编制日期：2026年11月30日" in texts
    assert "审核场所：苏州工厂" in texts


def test_info_table_column_widths(full_docx):
    table = table_starting_with(open_docx(full_docx), "项目", containing="统一社会信用代码")
    widths = [column.width for column in table.columns]
    assert widths[0] is not None
    assert widths[1] is not None
    assert round(widths[0].cm, 1) == 4.4
    assert round(widths[0].cm + widths[1].cm, 1) == 15.4


def test_economics_table_values_formatted(full_docx):
    table = table_starting_with(open_docx(full_docx), "项目", containing="总投资费用")
    values = {row[1]: row[2] for row in rows_of(table)[1:]}
    assert values["I"] == "10.00 万元"
    assert values["P"] == "1.58 万元/年"
    assert values["E"] == "0.44 万元/年"
    assert values["F"] == "1.44 万元/年"
    assert values["N"] == "6.97 年"
    assert values["NPV"] == "0.56 万元"
    assert values["NPVR"] == "5.62%"
    assert values["IRR"] == "7.17%"
    assert values["Nd"] == "9.29 年"


def test_economics_parameters_stated(full_docx):
    texts = [p.text for p in open_docx(full_docx).paragraphs]
    assert "计算参数：折现率 6%，所得税税率 25%，计算期 10 年；金额单位为万元。" in texts


def test_irr_not_unique_lists_roots(full_docx):
    table = table_starting_with(open_docx(full_docx), "项目", containing="-6.19 万元")
    values = {row[1]: row[2] for row in rows_of(table)[1:]}
    assert values["IRR"] == "不唯一（现金流多次变号，净现值有多个根：3.20%、41.00%）；修正内部收益率 MIRR 8.10%"
    assert values["Nd"] == "计算期内不能回收"


def test_feasibility_summary_table(full_docx):
    table = table_starting_with(open_docx(full_docx), "编号", containing="NPV（万元）")
    rows = rows_of(table)
    assert rows[1] == ["F-01", "三级逆流漂洗改造", "10.00", "1.44", "6.97", "0.56", "5.62", "7.17%"]
    assert rows[2][5] == "-6.19"
    assert rows[2][7].startswith("不唯一")


def test_sensitivity_signed_changes(full_docx):
    table = table_starting_with(open_docx(full_docx), "变动因素")
    rows = rows_of(table)
    assert rows[1] == ["投资", "-20.0%", "2.56", "11.40", "5.57"]
    assert rows[2] == ["投资", "+10.0%", "-0.44", "5.20", "7.67"]


def test_missing_sensitivity_states_no_data(full_docx):
    document = open_docx(full_docx)
    paragraphs = [p.text for p in document.paragraphs]
    start = paragraphs.index("6.2.4 敏感性分析")
    assert paragraphs[start + 1] == NO_DATA


def test_consumption_table_total_row(full_docx):
    table = table_starting_with(open_docx(full_docx), "资源/能源")
    rows = rows_of(table)
    assert rows[1] == ["电力", "万kWh", "1,251", "1,537", "7,270"]
    assert rows[2] == ["天然气", "万m³", "35.20", "468", "762"]
    assert rows[3] == ["新鲜水", "m³", "86,000", "—", "—"]
    assert rows[4] == ["合计", "", "", "2,005", "8,032"]
    assert table.rows[4].cells[3].paragraphs[0].runs[0].bold is True


def test_priorities_sorted_by_rank(full_docx):
    rows = rows_of(table_starting_with(open_docx(full_docx), "排序", containing="含镍废水"))
    assert [row[1] for row in rows[1:]] == ["含镍废水", "漂洗水用量大"]
    assert rows[1][3] == "—"


def test_focus_ranking_weights_in_header(full_docx):
    document = open_docx(full_docx)
    rows = rows_of(table_starting_with(document, "备选项", containing="镀锌车间"))
    assert rows[0] == ["备选项", "废弃物量（权重 10）", "主要消耗（权重 9）", "环境代价（权重 8.5）", "总分", "排序"]
    assert rows[1] == ["镀锌车间", "9.0", "8.0", "7.0", "221.5", "1"]
    assert rows[3] == ["前处理工段", "5.0", "—", "6.0", "101.0", "3"]
    assert "经权重总和计分排序，确定本轮审核重点为：镀锌车间。" in [p.text for p in document.paragraphs]


def test_targets_table_years_and_reductions(full_docx):
    rows = rows_of(table_starting_with(open_docx(full_docx), "指标", containing="单位面积取水量"))
    assert rows[1] == ["单位面积取水量", "L/m²", "71.70", "60.00（2027年）", "16.3%", "50.00（2030年）", "30.3%"]
    assert rows[2] == ["综合能耗", "tce", "2,005", "—", "—", "1,800", "10.2%"]


def test_no_low_cost_options_in_pre_assessment(full_docx):
    rows = rows_of(table_starting_with(open_docx(full_docx), "编号", containing="预期效果"))
    assert [row[0] for row in rows[1:]] == ["F-03", "F-04"]
    assert rows[2][3] == "—"


def test_option_register_cost_classes(full_docx):
    document = open_docx(full_docx)
    rows = rows_of(table_starting_with(document, "编号", containing="筛选得分"))
    assert [row[4] for row in rows[1:]] == ["中费", "高费", "无/低费", "无/低费"]
    assert "共提出方案4项，其中无/低费方案2项、中费方案1项、高费方案1项。" in [p.text for p in document.paragraphs]


def test_balance_tables(full_docx):
    document = open_docx(full_docx)
    flows = rows_of(table_starting_with(document, "序号", containing="漂洗废水"))
    assert flows[0][4] == "数量（m³/d）"
    # One balance prints every quantity with the decimals of its largest (420 m³/d: one place).
    assert flows[8] == ["8", "废水处理站", "回用水池", "回用", "50.0", "中水回用"]
    closure = table_starting_with(document, "工序/单元")
    rows = rows_of(closure)
    assert rows[2] == ["漂洗", "370.0", "340.0", "30.0", "8.11", "否"]
    assert rows[3] == ["全系统", "420.0", "420.0", "0.0", "0.00", "是"]
    assert closure.rows[3].cells[0].paragraphs[0].runs[0].bold is True
    texts = [p.text for p in document.paragraphs]
    assert "允许偏差为输入量的 ±5%。" in texts
    assert "全系统输入 420.0 m³/d，输出 420.0 m³/d，偏差 0.0 m³/d（0.00%），在允许偏差范围内。" in texts


@needs_cjk_font
def test_sankey_figure_embedded(full_docx):
    document = open_docx(full_docx)
    texts = [p.text for p in document.paragraphs]
    assert len(document.inline_shapes) == 1
    assert "图 4-1 镀锌线水平衡桑基图" in texts


def test_balance_without_sankey_says_so():
    document = open_docx(build_report(full_report_data(with_sankey=False)))
    assert len(document.inline_shapes) == 0
    assert "未附桑基图。" in [p.text for p in document.paragraphs]


def test_cause_analysis_merges_stream_cells(full_docx):
    table = table_starting_with(open_docx(full_docx), "废弃物/排放源")
    rows = rows_of(table)
    assert len(rows) == 1 + 6 + 1  # six aspects with a cause, then one
    assert [row[1] for row in rows[1:7]] == ["原辅材料和能源", "技术工艺", "设备", "过程控制", "管理", "员工"]
    assert "—" not in [row[2] for row in rows[1:]]
    assert table.cell(1, 0)._tc is table.cell(6, 0)._tc
    assert table.cell(1, 0).text == "含锌漂洗废水"
    assert rows[7] == ["废酸", "设备", "酸雾收集效率低"]


def test_cause_analysis_stream_without_cause():
    data = full_report_data()
    causes = (*data.causes, CauseAnalysis(stream="废渣"))
    document = open_docx(build_report(dataclasses.replace(data, causes=causes)))

    rows = rows_of(table_starting_with(document, "废弃物/排放源"))

    assert rows[-1] == ["废渣", "—", "—"]
    assert len(rows) == 1 + 6 + 1 + 1


def test_table_rows_do_not_split_and_sequence_column_narrow(full_docx):
    document = open_docx(full_docx)

    for table in document.tables:
        for row in table.rows:
            cant_split = row._tr.trPr.find(qn("w:cantSplit")) if row._tr.trPr is not None else None
            assert cant_split is not None
    numbered = [table for table in document.tables if table.cell(0, 0).text == TEXT_ZH["number"]]
    assert numbered
    for table in numbered:
        assert table.columns[0].width < table.columns[1].width


def test_indicator_without_coverage_shows_dash():
    data = full_report_data()
    first, *others = data.pre_assessment.indicators
    uncovered = dataclasses.replace(first, coverage_percent=Decimal("0"))
    pre = dataclasses.replace(data.pre_assessment, indicators=(uncovered, *others))
    document = open_docx(build_report(dataclasses.replace(data, pre_assessment=pre)))

    rows = rows_of(table_starting_with(document, TEXT_ZH["org_unit"], "镀锌车间"))
    paragraphs = [paragraph.text for paragraph in document.paragraphs]

    assert rows[1][5] == "—"
    assert any(text.startswith("注：镀锌车间的数据仅覆盖基准年的 0.0%") for text in paragraphs)


def test_implementation_table_and_notes(full_docx):
    document = open_docx(full_docx)
    rows = rows_of(table_starting_with(document, "编号", containing="验证效益"))
    assert rows[1] == [
        "F-01",
        "三级逆流漂洗改造",
        "10.00",
        "11.20",
        "2026年8月1日",
        "21,000 m³/a",
        "18,500 m³/a",
        "88.1",
        "—",
    ]
    assert rows[2][3:8] == ["—", "—", "3,000 m³/a", "—", "—"]
    assert rows[2][8] == "缺少投运后水表读数"
    before_after = rows_of(table_starting_with(document, "指标", containing="实施前"))
    assert before_after[1] == ["单位面积取水量", "L/m²", "71.70", "58.20", "-18.8", "—"]
    assert before_after[2] == ["综合能耗", "tce", "2,005", "—", "—", "数据不完整"]


def test_free_text_split_into_paragraphs(full_docx):
    texts = [p.text for p in open_docx(full_docx).paragraphs]
    start = texts.index("8 持续清洁生产")
    assert texts[start + 1 : start + 3] == ["成立清洁生产办公室。", "下一轮审核计划于 2029 年启动。"]


def test_foreword_summarises_audit(full_docx):
    texts = [p.text for p in open_docx(full_docx).paragraphs]
    start = texts.index("前言")
    assert texts[start + 1] == (
        "本轮审核为强制性审核，基准年为2025年，于2026年3月2日启动。"
        "审核共提出清洁生产方案4项，其中无/低费方案2项、中/高费方案2项；已完成实施并验证效果的方案1项。"
    )
    assert texts[start + 2] == "列入强制性清洁生产审核名单的原因：使用有毒有害原料进行生产。"


def test_control_characters_removed():
    data = minimal_report_data()
    pasted = dataclasses.replace(
        data,
        overview="第一行\x0b第二行\x00",
        team=(TeamMember("张\x07伟", "环保科", "组长", "组织"),),
    )
    document = open_docx(build_report(pasted))
    texts = [p.text for p in document.paragraphs]
    assert "第一行第二行" in texts
    assert rows_of(table_starting_with(document, "序号", containing="环保科"))[1][1] == "张伟"


def test_feasibility_without_economics():
    data = full_report_data(with_sankey=False)
    study = dataclasses.replace(data.feasibility[0], economics=None, sensitivity=())
    document = open_docx(build_report(dataclasses.replace(data, feasibility=(study,))))
    texts = [p.text for p in document.paragraphs]
    assert texts[texts.index("6.1.3 经济评估") + 1] == NO_DATA
    assert texts[texts.index("6.2 可行性分析结果汇总") + 1] == NO_DATA


def test_minimal_report_states_no_data(minimal_docx):
    document = open_docx(minimal_docx)
    texts = [p.text for p in document.paragraphs]
    # Every empty section after a heading states it: production overview, team, plan, six
    # pre-assessment sections, balances, causes, register, screening, feasibility,
    # implementation, before/after, continuous cleaner production and conclusions.
    assert texts.count(NO_DATA) == 18
    for heading in ("1.3 生产概况", "2.1 审核小组", "3.4 审核重点的确定", "8 持续清洁生产", "9 结论"):
        assert texts[texts.index(heading) + 1] == NO_DATA
    assert len(document.tables) == 2  # the enterprise and audit information tables


def test_minimal_report_dashes_missing_fields(minimal_docx):
    rows = rows_of(table_starting_with(open_docx(minimal_docx), "项目", containing="统一社会信用代码"))
    assert rows[2] == ["统一社会信用代码", "—"]
    audit_rows = rows_of(table_starting_with(open_docx(minimal_docx), "项目", containing="审核名称"))
    assert ["强制性审核原因", "—"] in audit_rows
    assert ["完成日期", "—"] in audit_rows


def test_chapters_start_new_page(full_docx):
    styles = open_docx(full_docx).styles
    assert styles["Heading 1"].paragraph_format.page_break_before is True
    assert styles["Heading 2"].paragraph_format.page_break_before is False


def test_east_asian_fonts_in_styles(full_docx):
    document = open_docx(full_docx)
    for style_name, expected in (
        ("Normal", "宋体"),
        ("Body Text", "宋体"),
        ("Table Text", "宋体"),
        ("Heading 1", "黑体"),
        ("Heading 2", "黑体"),
        ("Heading 3", "黑体"),
        ("Title", "黑体"),
    ):
        fonts = document.styles[style_name].element.rPr.rFonts
        assert fonts.get(qn("w:eastAsia")) == expected, style_name
        assert fonts.get(qn("w:ascii")) == "Times New Roman", style_name
        assert fonts.get(qn("w:eastAsiaTheme")) is None, style_name
        assert fonts.get(qn("w:asciiTheme")) is None, style_name


def test_document_defaults_chinese(full_docx):
    with zipfile.ZipFile(BytesIO(full_docx)) as package:
        styles = package.read("word/styles.xml").decode()
    assert 'w:eastAsia="宋体"' in styles
    assert 'w:eastAsia="zh-CN"' in styles


def test_tables_repeat_header_rows(full_docx):
    document = open_docx(full_docx)
    assert len(document.tables) >= 20
    for table in document.tables:
        header_properties = table.rows[0]._tr.trPr
        assert header_properties is not None
        assert header_properties.find(qn("w:tblHeader")) is not None


def test_package_parts(full_docx):
    with zipfile.ZipFile(BytesIO(full_docx)) as package:
        assert package.testzip() is None
        names = set(package.namelist())
        document_xml = package.read("word/document.xml").decode()
        settings_xml = package.read("word/settings.xml").decode()
        footer_xml = package.read("word/footer1.xml").decode() if "word/footer1.xml" in names else ""
    for part in ("[Content_Types].xml", "_rels/.rels", "word/document.xml", "word/styles.xml", "word/settings.xml"):
        assert part in names
    assert any(name.startswith("word/footer") for name in names)
    assert 'TOC \\o "1-3" \\h \\z \\u' in document_xml
    assert "<w:updateFields" in settings_xml
    # CT_Settings is an ordered sequence: updateFields comes before compat and rsids.
    assert settings_xml.index("<w:updateFields") < settings_xml.index("<w:compat")
    assert settings_xml.index("<w:updateFields") < settings_xml.index("<w:rsids")
    assert "PAGE" in footer_xml


@needs_cjk_font
def test_package_holds_sankey_png(full_docx):
    with zipfile.ZipFile(BytesIO(full_docx)) as package:
        media = [name for name in package.namelist() if name.startswith("word/media/")]
        assert len(media) == 1
        assert package.read(media[0]).startswith(b"\x89PNG\r\n\x1a\n")


def test_page_is_a4(full_docx):
    section = open_docx(full_docx).sections[0]
    assert section.page_width is not None
    assert section.page_height is not None
    assert round(section.page_width.cm, 1) == 21.0
    assert round(section.page_height.cm, 1) == 29.7


@pytest.mark.parametrize(
    ("value", "decimals", "expected"),
    [
        (Decimal("1234.5678"), 2, "1,234.57"),
        (Decimal("2.5"), 0, "3"),
        (1.435, 2, "1.44"),
        (float("inf"), 2, "—"),
        (1234.5, 0, "1,235"),
        (Decimal("-0.001"), 2, "0.00"),
        (Decimal("-1.5"), 1, "-1.5"),
        (None, 2, "—"),
        (float("nan"), 2, "—"),
        (7, 2, "7.00"),
    ],
)
def test_format_number(value, decimals, expected):
    assert format_number(value, decimals) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Decimal("86000"), "86,000"),
        (Decimal("370"), "370.0"),
        (Decimal("35.2"), "35.20"),
        (Decimal("0.0123"), "0.012"),
        (0, "0.00"),
        (Decimal("-250.25"), "-250.3"),
    ],
)
def test_format_quantity(value, expected):
    assert format_quantity(value) == expected


def test_quantity_decimals_follow_largest():
    assert quantity_decimals(Decimal("20"), Decimal("420")) == 1
    assert quantity_decimals(Decimal("0.5"), None) == 3
    assert quantity_decimals(None, None) == 2
    assert quantity_decimals(Decimal("-1500"), 3) == 0


def test_format_signed_percent():
    assert format_signed_percent(Decimal("10")) == "+10.0"
    assert format_signed_percent(Decimal("-20")) == "-20.0"
    assert format_signed_percent(0) == "0.0"


def test_format_irr_kinds():
    assert format_irr(Irr("unique", value_percent=Decimal("12.345")), TEXT_ZH) == "12.35%"
    assert format_irr(Irr("none"), TEXT_ZH) == TEXT_ZH["irr.none"]
    not_unique = format_irr(Irr("not_unique", roots_percent=(Decimal("-5"), Decimal("20"))), TEXT_ZH)
    assert "-5.00%、20.00%" in not_unique
    assert not_unique.endswith("MIRR —")


@pytest.mark.skipif(shutil.which("libreoffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_converts_report(full_docx, tmp_path: Path):
    source = tmp_path / "report.docx"
    source.write_bytes(full_docx)
    subprocess.run(  # noqa: S603 (fixed arguments, own temporary file)
        ["libreoffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],  # noqa: S607
        check=True,
        timeout=180,
    )
    pdf = (tmp_path / "report.pdf").read_bytes()
    assert pdf.startswith(b"%PDF")
