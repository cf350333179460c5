"""Report data for the report tests: one fully populated audit and one with only the required fields.

The economics of option F-01 are consistent with the handbook formulas for I = 10, P = 1.58,
10 years, 25 % tax and i = 6 %: F = 1.435, N = 6.969 years, NPV = 0.5617, IRR = 7.170 % and a
dynamic payback of 9.29 years (checked with numpy-financial). Option F-02 is given an IRR that
is not unique to exercise that display, although its constant cash flows would give one root.
"""

from datetime import date
from decimal import Decimal

from cleanprod.audits.report_data import (
    AuditInfo,
    AuditReportData,
    Balance,
    BalanceClosure,
    BalanceFlow,
    BeforeAfter,
    CauseAnalysis,
    Economics,
    EnterpriseProfile,
    Feasibility,
    Implementation,
    Irr,
    Option,
    PreAssessment,
    PriorityItem,
    RankedCandidate,
    Reduction,
    ResourceConsumption,
    SensitivityRow,
    Target,
    TeamMember,
    UnitIndicators,
    WeightedCriterion,
    WeightedRanking,
    WorkPlanItem,
)
from cleanprod.audits.sankey_png import find_cjk_font, render_sankey_png

ENTERPRISE = EnterpriseProfile(
    name="江苏某电镀有限公司",
    uscc="91320500MA1XXXXX0X",
    industry_code="C3360",
    province="江苏省",
    site_name="苏州工厂",
    address="苏州市工业园区星湖街 100 号",
    description="公司主要从事五金件镀锌、镀镍加工。\n年加工能力 120 万平方米。",
)

AUDIT = AuditInfo(
    name="2026 年度清洁生产审核",
    kind="强制性",
    trigger="使用有毒有害原料进行生产",
    baseline_year=2025,
    started_on=date(2026, 3, 2),
    report_date=date(2026, 11, 30),
    listed_on=date(2026, 1, 15),
    completed_on=date(2026, 11, 20),
)

WATER_FLOWS = (
    BalanceFlow("新鲜水", "酸洗", "自来水", Decimal("120")),
    BalanceFlow("新鲜水", "漂洗", "自来水", Decimal("300")),
    BalanceFlow("酸洗", "漂洗", "带出液", Decimal("20")),
    BalanceFlow("漂洗", "废水处理站", "漂洗废水", Decimal("290")),
    BalanceFlow("酸洗", "废水处理站", "废酸", Decimal("90")),
    BalanceFlow("酸洗", "蒸发损失", "蒸发", Decimal("10")),
    BalanceFlow("废水处理站", "达标排放", "处理出水", Decimal("330")),
    BalanceFlow("废水处理站", "回用水池", "回用", Decimal("50"), note="中水回用"),
    BalanceFlow("回用水池", "漂洗", "回用水", Decimal("50")),
    BalanceFlow("漂洗", "蒸发损失", "蒸发", Decimal("80")),
)

F01_ECONOMICS = Economics(
    investment=Decimal("10"),
    annual_saving=Decimal("1.58"),
    depreciation=Decimal("1.00"),
    taxable_profit=Decimal("0.58"),
    net_profit=Decimal("0.435"),
    cash_flow=Decimal("1.435"),
    static_payback_years=Decimal("6.969"),
    npv=Decimal("0.5617"),
    npvr_percent=Decimal("5.617"),
    irr=Irr("unique", value_percent=Decimal("7.170")),
    dynamic_payback_years=Decimal("9.29"),
    discount_rate_percent=Decimal("6"),
    tax_rate_percent=Decimal("25"),
    life_years=10,
)

F02_ECONOMICS = Economics(
    investment=Decimal("80"),
    annual_saving=Decimal("12"),
    depreciation=Decimal("8"),
    taxable_profit=Decimal("4"),
    net_profit=Decimal("3"),
    cash_flow=Decimal("11"),
    static_payback_years=Decimal("7.27"),
    npv=Decimal("-6.19"),
    npvr_percent=Decimal("-7.74"),
    irr=Irr("not_unique", roots_percent=(Decimal("3.2"), Decimal("41")), mirr_percent=Decimal("8.1")),
    dynamic_payback_years=None,
    discount_rate_percent=Decimal("8"),
    tax_rate_percent=Decimal("25"),
    life_years=10,
)


def full_report_data(with_sankey: bool = True) -> AuditReportData:
    sankey = render_sankey_png(WATER_FLOWS, "m³") if with_sankey and find_cjk_font() else None
    focus_criteria = (
        WeightedCriterion("废弃物量", 10),
        WeightedCriterion("主要消耗", 9),
        WeightedCriterion("环境代价", Decimal("8.5")),
    )
    return AuditReportData(
        enterprise=ENTERPRISE,
        audit=AUDIT,
        overview="本报告依据《清洁生产审核办法》编制。",
        team=(
            TeamMember("张伟", "总经理办公室", "组长", "审核总体组织与决策"),
            TeamMember("李娜", "环保科", "副组长", "审核日常工作，物料平衡测试"),
            TeamMember("王强", "某咨询公司", "咨询专家", "技术指导"),
        ),
        work_plan=(
            WorkPlanItem("审核准备", "成立审核小组", "张伟", date(2026, 3, 10), "已完成"),
            WorkPlanItem("预审核", "现状调研", "李娜", date(2026, 4, 30), "已完成"),
            WorkPlanItem("方案实施", "中/高费方案实施", "王强", None, "进行中"),
        ),
        pre_assessment=PreAssessment(
            consumption=(
                ResourceConsumption("电力", "万kWh", Decimal("1250.5"), Decimal("1536.9"), Decimal("7270.4")),
                ResourceConsumption("天然气", "万m³", Decimal("35.2"), Decimal("468.2"), Decimal("762.0")),
                ResourceConsumption("新鲜水", "m³", Decimal("86000"), None, None),
            ),
            indicators=(
                UnitIndicators(
                    "镀锌车间",
                    Decimal("1200.456"),
                    Decimal("5000"),
                    Decimal("52000"),
                    Decimal("35.5"),
                    Decimal("0.0123"),
                    "tce/m²",
                ),
                UnitIndicators("镀镍车间", None, None, Decimal("34000"), Decimal("12.25"), None),
            ),
            priorities=(
                PriorityItem(2, "漂洗水用量大", Decimal("78"), "单位面积取水量高于行业二级水平"),
                PriorityItem(1, "含镍废水", Decimal("86.5")),
            ),
        ),
        focus_ranking=WeightedRanking(
            criteria=focus_criteria,
            candidates=(
                RankedCandidate("镀镍车间", (8, 6, 9), Decimal("210.5"), 2),
                RankedCandidate("镀锌车间", (9, 8, 7), Decimal("221.5"), 1),
                RankedCandidate("前处理工段", (5, None, 6), Decimal("101"), 3),
            ),
            chosen="镀锌车间",
        ),
        targets=(
            Target(
                "单位面积取水量",
                "L/m²",
                Decimal("71.7"),
                Decimal("60"),
                2027,
                Decimal("50"),
                2030,
                Decimal("16.3"),
                Decimal("30.3"),
            ),
            Target("综合能耗", "tce", Decimal("2005.1"), None, None, Decimal("1800"), None, None, Decimal("10.2")),
        ),
        balances=(
            Balance(
                kind="水平衡",
                name="镀锌线",
                unit="m³/d",
                tolerance_percent=Decimal("5"),
                flows=WATER_FLOWS,
                steps=(
                    BalanceClosure("酸洗", Decimal("120"), Decimal("120"), Decimal("0"), Decimal("0"), True),
                    BalanceClosure("漂洗", Decimal("370"), Decimal("340"), Decimal("30"), Decimal("8.11"), False),
                ),
                overall=BalanceClosure("全线", Decimal("420"), Decimal("420"), Decimal("0"), Decimal("0"), True),
                sankey_png=sankey,
            ),
        ),
        causes=(
            CauseAnalysis(
                stream="含锌漂洗废水",
                raw_materials_energy="酸洗液浓度偏高",
                technology="单级逆流漂洗",
                equipment="漂洗槽无液位控制",
                process_control="漂洗时间凭经验",
                management="无用水定额",
                employees="节水意识不足",
            ),
            CauseAnalysis(stream="废酸", equipment="酸雾收集效率低"),
        ),
        options=(
            Option(
                "F-01",
                "三级逆流漂洗改造",
                "技术工艺",
                "专家",
                "medium",
                Decimal("10"),
                "年节水 2.1 万 m³",
                "已实施",
                Decimal("82"),
            ),
            Option(
                "F-02",
                "含镍废水回收系统",
                "废弃物",
                "审核小组",
                "high",
                Decimal("80"),
                "镍回收 1.2 t/a",
                "可行性分析中",
                Decimal("75.5"),
            ),
            Option(
                "F-03",
                "漂洗槽加装液位计",
                "设备",
                "员工建议",
                "no_low",
                Decimal("0.8"),
                "减少溢流",
                "已实施",
                Decimal("68"),
            ),
            Option("F-04", "制定用水定额", "管理", "审核小组", "no_low", None, "规范用水", "已实施"),
        ),
        screening=WeightedRanking(
            criteria=(WeightedCriterion("环境效果", 10), WeightedCriterion("技术可行性", 8)),
            candidates=(
                RankedCandidate("F-01 三级逆流漂洗改造", (8, 9), Decimal("152"), 1, "推荐"),
                RankedCandidate("F-02 含镍废水回收系统", (9, 6), Decimal("138"), 2, "推荐"),
            ),
            chosen="F-01 与 F-02 进入可行性分析。",
        ),
        feasibility=(
            Feasibility(
                option_code="F-01",
                option_title="三级逆流漂洗改造",
                technical="技术成熟，同行业已广泛应用。",
                environmental="减少漂洗废水排放。",
                reductions=(Reduction("废水", "m³/a", Decimal("21000")), Reduction("COD", "t/a", Decimal("0.84"))),
                economics=F01_ECONOMICS,
                sensitivity=(
                    SensitivityRow("投资", Decimal("-20"), Decimal("2.56"), Decimal("11.4"), Decimal("5.57")),
                    SensitivityRow("投资", Decimal("10"), Decimal("-0.44"), Decimal("5.2"), Decimal("7.67")),
                ),
                conclusion="技术、环境、经济均可行，推荐实施。",
            ),
            Feasibility(
                option_code="F-02",
                option_title="含镍废水回收系统",
                technical="需进一步中试。",
                environmental="",
                economics=F02_ECONOMICS,
            ),
        ),
        implementations=(
            Implementation(
                "F-01",
                "三级逆流漂洗改造",
                Decimal("10"),
                Decimal("11.2"),
                date(2026, 8, 1),
                "m³/a",
                Decimal("21000"),
                Decimal("18500"),
                Decimal("88.1"),
            ),
            Implementation(
                "F-03",
                "漂洗槽加装液位计",
                Decimal("0.8"),
                None,
                None,
                "m³/a",
                Decimal("3000"),
                None,
                None,
                "缺少投运后水表读数",
            ),
        ),
        before_after=(
            BeforeAfter("单位面积取水量", "L/m²", Decimal("71.7"), Decimal("58.2"), Decimal("-18.83")),
            BeforeAfter("综合能耗", "tce", Decimal("2005.1"), None, None, "数据不完整"),
        ),
        continuous_plan="成立清洁生产办公室。\n下一轮审核计划于 2029 年启动。",
        conclusions="本轮审核达到预期目标。",
    )


def minimal_report_data() -> AuditReportData:
    return AuditReportData(
        enterprise=EnterpriseProfile("某化工有限公司", "", "", "", "一厂"),
        audit=AuditInfo("首轮审核", "自愿性", "", 2025, date(2026, 5, 1), date(2026, 6, 1)),
    )
