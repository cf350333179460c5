"""Ranking, Pareto, balance and Sankey arithmetic against hand-computed values (no database)."""

import math

import pytest

from cleanprod.diagnosis.analysis import (
    EmptyReason,
    FindingCode,
    FlowNode,
    Item,
    SankeyLink,
    build_sankey,
    check_balance,
    loss_node_name,
    pareto,
    rank_items,
)


def kwh(name: str, value: float) -> Item:
    return Item(name, value, "kWh", key=name)


def test_ranking_sorts_and_shares():
    ranking = rank_items([kwh("b", 20), kwh("a", 50), kwh("c", 30)])

    assert [ranked.item.name for ranked in ranking.items] == ["a", "c", "b"]
    assert [ranked.rank for ranked in ranking.items] == [1, 2, 3]
    assert [ranked.share_percent for ranked in ranking.items] == pytest.approx([50.0, 30.0, 20.0])
    assert [ranked.cumulative_percent for ranked in ranking.items] == pytest.approx([50.0, 80.0, 100.0])
    assert ranking.total == 100
    assert ranking.unit == "kWh"
    assert ranking.reason is None


def test_ranking_breaks_ties_by_name():
    ranking = rank_items([kwh("z", 10), kwh("m", 10), kwh("a", 5)])

    assert [ranked.item.name for ranked in ranking.items] == ["m", "z", "a"]


def test_ranking_excludes_negative_and_nan():
    ranking = rank_items([kwh("a", 10), kwh("export", -4), kwh("broken", math.nan)])

    assert [ranked.item.name for ranked in ranking.items] == ["a"]
    assert [item.name for item in ranking.excluded] == ["export", "broken"]
    assert ranking.total == 10


def test_ranking_rejects_mixed_units():
    with pytest.raises(ValueError, match="different units"):
        rank_items([kwh("a", 1), Item("gas", 1, "Nm3")])


def test_pareto_includes_crossing_item():
    # 40 + 25 = 65 % is short of 80 %, so the 20 % item that crosses to 85 % is included.
    result = pareto([kwh("a", 40), kwh("b", 25), kwh("c", 20), kwh("d", 10), kwh("e", 5)])

    assert [ranked.item.name for ranked in result.vital_few] == ["a", "b", "c"]
    assert result.vital_few[-1].cumulative_percent == pytest.approx(85.0)
    assert result.reason is None


def test_pareto_stops_at_exact_threshold():
    # 50 + 30 reaches exactly 80 %, so the next item is not needed.
    result = pareto([kwh("a", 50), kwh("b", 30), kwh("c", 20)])

    assert [ranked.item.name for ranked in result.vital_few] == ["a", "b"]


def test_pareto_stops_at_threshold_despite_float_sums():
    # 0.7 + 0.1 sums to 0.7999999999999999 in floats, which still reaches 80 % of 1.0.
    result = pareto([kwh("a", 0.7), kwh("b", 0.1), kwh("c", 0.1), kwh("d", 0.1)])

    assert [ranked.item.name for ranked in result.vital_few] == ["a", "b"]


def test_pareto_single_dominant_item():
    result = pareto([kwh("furnace", 90), kwh("lights", 10)])

    assert [ranked.item.name for ranked in result.vital_few] == ["furnace"]


def test_pareto_custom_threshold():
    result = pareto([kwh("a", 40), kwh("b", 25), kwh("c", 20), kwh("d", 15)], threshold_percent=50)

    assert [ranked.item.name for ranked in result.vital_few] == ["a", "b"]
    assert result.threshold_percent == 50


def test_pareto_zero_total_is_empty_with_reason():
    result = pareto([kwh("a", 0), kwh("b", 0)])

    assert result.vital_few == ()
    assert result.reason is EmptyReason.ZERO_TOTAL
    assert [ranked.share_percent for ranked in result.ranking.items] == [None, None]
    assert [ranked.cumulative_percent for ranked in result.ranking.items] == [None, None]


def test_pareto_no_items_is_empty_with_reason():
    result = pareto([])

    assert result.vital_few == ()
    assert result.reason is EmptyReason.NO_ITEMS
    assert result.ranking.total == 0


def test_pareto_rejects_threshold_outside_range():
    with pytest.raises(ValueError, match="threshold"):
        pareto([kwh("a", 1)], threshold_percent=0)
    with pytest.raises(ValueError, match="threshold"):
        pareto([kwh("a", 1)], threshold_percent=120)


def test_balance_within_tolerance():
    balance = check_balance("MAIN", 1000.0, [600.0, 352.0], "kWh")

    assert balance.children_quantity == pytest.approx(952.0)
    assert balance.difference == pytest.approx(48.0)
    assert balance.difference_percent == pytest.approx(4.8)
    assert balance.tolerance_percent == 5.0
    assert balance.finding is None


def test_balance_at_tolerance_is_within():
    balance = check_balance("MAIN", 1000.0, [950.0], "kWh")

    assert balance.difference_percent == pytest.approx(5.0)
    assert balance.finding is None


def test_balance_unmetered_over_tolerance():
    balance = check_balance("MAIN", 1000.0, [600.0, 290.0], "kWh")

    assert balance.difference == pytest.approx(110.0)
    assert balance.difference_percent == pytest.approx(11.0)
    assert balance.finding is not None
    assert balance.finding.code == FindingCode.UNMETERED_OVER_TOLERANCE
    assert balance.finding.subject == "MAIN"
    assert balance.finding.evidence["difference_percent"] == pytest.approx(11.0)
    assert "11.0 %" in balance.finding.message


def test_balance_children_exceed_parent():
    balance = check_balance("MAIN", 1000.0, [700.0, 380.0], "kWh")

    assert balance.difference == pytest.approx(-80.0)
    assert balance.difference_percent == pytest.approx(-8.0)
    assert balance.finding is not None
    assert balance.finding.code == FindingCode.CHILDREN_EXCEED_PARENT


def test_balance_custom_tolerance():
    balance = check_balance("MAIN", 1000.0, [970.0], "kWh", tolerance_percent=2.0)

    assert balance.finding is not None
    assert balance.finding.code == FindingCode.UNMETERED_OVER_TOLERANCE


def test_balance_zero_parent_with_children():
    balance = check_balance("MAIN", 0.0, [12.0], "kWh")

    assert balance.difference == -12.0
    assert balance.difference_percent is None
    assert balance.finding is not None
    assert balance.finding.code == FindingCode.PARENT_ZERO_CHILDREN_POSITIVE


def test_balance_zero_parent_and_children():
    balance = check_balance("MAIN", 0.0, [0.0, 0.0], "kWh")

    assert balance.difference_percent is None
    assert balance.finding is None


def test_balance_negative_parent():
    balance = check_balance("MAIN", -5.0, [1.0], "kWh")

    assert balance.difference_percent is None
    assert balance.finding is not None
    assert balance.finding.code == FindingCode.NEGATIVE_QUANTITY


def test_sankey_adds_loss_node_per_parent():
    tree = FlowNode(
        "MAIN",
        1000.0,
        (
            FlowNode("LINE", 600.0, (FlowNode("FURNACE", 500.0),)),
            FlowNode("AIR", 290.0),
        ),
    )

    sankey = build_sankey([tree], "kWh")

    main_loss = loss_node_name("MAIN")
    line_loss = loss_node_name("LINE")
    assert sankey.nodes == ("MAIN", "LINE", "FURNACE", line_loss, "AIR", main_loss)
    assert set(sankey.links) == {
        SankeyLink("MAIN", "LINE", 600.0),
        SankeyLink("LINE", "FURNACE", 500.0),
        SankeyLink("LINE", line_loss, 100.0),
        SankeyLink("MAIN", "AIR", 290.0),
        SankeyLink("MAIN", main_loss, 110.0),
    }
    assert {loss.source: loss.value for loss in sankey.losses} == pytest.approx({"MAIN": 110.0, "LINE": 100.0})
    assert sankey.findings == ()


def test_sankey_exact_balance_has_no_loss_node():
    tree = FlowNode("MAIN", 0.3, (FlowNode("A", 0.1), FlowNode("B", 0.2)))

    sankey = build_sankey([tree], "kWh")

    assert sankey.losses == ()
    assert sankey.nodes == ("MAIN", "A", "B")


def test_sankey_children_exceeding_parent_is_finding():
    tree = FlowNode("MAIN", 100.0, (FlowNode("A", 70.0), FlowNode("B", 40.0)))

    sankey = build_sankey([tree], "kWh")

    assert sankey.losses == ()
    assert all(link.value > 0 for link in sankey.links)
    assert [finding.code for finding in sankey.findings] == [FindingCode.CHILDREN_EXCEED_PARENT]
    assert sankey.findings[0].evidence["difference"] == pytest.approx(-10.0)


def test_sankey_zero_parent_with_children_is_finding():
    tree = FlowNode("MAIN", 0.0, (FlowNode("A", 5.0),))

    sankey = build_sankey([tree], "kWh")

    assert [finding.code for finding in sankey.findings] == [FindingCode.PARENT_ZERO_CHILDREN_POSITIVE]


def test_sankey_negative_child_is_not_drawn():
    tree = FlowNode("MAIN", 100.0, (FlowNode("A", 60.0), FlowNode("EXPORT", -10.0)))

    sankey = build_sankey([tree], "kWh")

    assert SankeyLink("MAIN", "EXPORT", -10.0) not in sankey.links
    assert "EXPORT" in sankey.nodes
    assert [finding.code for finding in sankey.findings] == [FindingCode.NEGATIVE_QUANTITY]
    assert [loss.value for loss in sankey.losses] == pytest.approx([40.0])


def test_sankey_zero_quantities_draw_no_links():
    sankey = build_sankey([FlowNode("MAIN", 0.0, (FlowNode("A", 0.0),))], "kWh")

    assert sankey.nodes == ("MAIN", "A")
    assert sankey.links == ()
    assert sankey.findings == ()


def test_sankey_several_incomers():
    sankey = build_sankey([FlowNode("GRID", 10.0, (FlowNode("A", 10.0),)), FlowNode("GAS", 4.0)], "tce")

    assert sankey.nodes == ("GRID", "A", "GAS")
    assert sankey.links == (SankeyLink("GRID", "A", 10.0),)


def test_sankey_rejects_duplicate_names():
    with pytest.raises(ValueError, match="'A'"):
        build_sankey([FlowNode("MAIN", 10.0, (FlowNode("A", 5.0),)), FlowNode("A", 1.0)], "kWh")


def test_sankey_echarts_shape():
    sankey = build_sankey([FlowNode("MAIN", 10.0, (FlowNode("A", 8.0),))], "kWh")

    assert sankey.as_echarts() == {
        "nodes": [{"name": "MAIN"}, {"name": "A"}, {"name": loss_node_name("MAIN")}],
        "links": [
            {"source": "MAIN", "target": "A", "value": 8.0},
            {"source": "MAIN", "target": loss_node_name("MAIN"), "value": 2.0},
        ],
    }
