"""Balance closure and Sankey data against a hand-computed plating line."""

import pytest

from cleanprod.audits.balances import BalanceError, Flow, close, sankey

# A plating line in tonnes: 1000 t enter, 991 t leave the boundary.
PLATING_LINE = [
    Flow("raw water", 800, None, "rinse"),
    Flow("chemicals", 200, None, "plating"),
    Flow("rinse to plating", 500, "rinse", "plating"),
    Flow("rinse wastewater", 300, "rinse", None),
    Flow("drag-out to treatment", 690, "plating", "treatment", estimated=True),
    Flow("treated effluent", 640, "treatment", None),
    Flow("sludge", 51, "treatment", None, estimated=True),
]


def test_overall_closure_within_tolerance():
    overall, _ = close(PLATING_LINE, 5)

    # inputs 800 + 200 = 1000; outputs 300 + 640 + 51 = 991; (1000 − 991)/1000 = 0.9 %
    assert overall.node is None
    assert overall.inputs == 1000
    assert overall.outputs == 991
    assert overall.difference == 9
    assert overall.difference_percent == pytest.approx(0.9)
    assert overall.within_tolerance is True
    # estimated: sludge 51 of 1000 + 991 crossing the boundary
    assert overall.estimated_share == pytest.approx(51 / 1991)


def test_steps_in_first_appearance_order():
    _, steps = close(PLATING_LINE, 5)

    assert [step.node for step in steps] == ["rinse", "plating", "treatment"]


def test_step_closures():
    _, steps = close(PLATING_LINE, 5)
    rinse, plating, treatment = steps

    # rinse: 800 in, 500 + 300 out
    assert (rinse.inputs, rinse.outputs, rinse.difference_percent, rinse.within_tolerance) == (800, 800, 0, True)
    # plating: 200 + 500 = 700 in, 690 out, 10/700 = 1.43 %
    assert plating.difference == 10
    assert plating.difference_percent == pytest.approx(10 / 700 * 100)
    assert plating.within_tolerance is True
    assert plating.estimated_share == pytest.approx(690 / 1390)
    # treatment: 690 in, 640 + 51 = 691 out, −1/690
    assert treatment.difference == -1
    assert treatment.difference_percent == pytest.approx(-1 / 690 * 100)
    assert treatment.estimated_share == pytest.approx((690 + 51) / (690 + 691))


def test_step_failing_tolerance():
    _, steps = close(PLATING_LINE, 1)
    plating = steps[1]

    # 1.43 % > 1 %, while rinse (0 %) and treatment (−0.14 %) pass
    assert plating.within_tolerance is False
    assert steps[0].within_tolerance is True
    assert steps[2].within_tolerance is True


def test_tolerance_boundary_is_inclusive():
    flows = [Flow("in", 1000, None, "step"), Flow("out", 950, "step", None)]

    overall, _ = close(flows, 5)

    # 50 / 1000 × 100 is 5.000000000000001 in floating point, still within 5 %
    assert overall.within_tolerance is True


def test_negative_difference_beyond_tolerance():
    flows = [Flow("in", 100, None, "step"), Flow("out", 110, "step", None)]

    overall, _ = close(flows, 5)

    assert overall.difference_percent == pytest.approx(-10)
    assert overall.within_tolerance is False


def test_zero_input_step():
    flows = [
        Flow("feed", 100, None, "mixer"),
        Flow("to dryer", 0, "mixer", "dryer"),
        Flow("dried", 100, "mixer", None),
        Flow("dust", 2, "dryer", None),
        Flow("idle", 0, None, "spare"),
    ]

    _, steps = close(flows, 5)
    by_node = {step.node: step for step in steps}

    # dryer emits 2 t but nothing measurable enters it: no percentage, and it cannot balance
    assert by_node["dryer"].difference_percent is None
    assert by_node["dryer"].within_tolerance is False
    # spare has nothing in and nothing out: nothing to check
    assert by_node["spare"].difference_percent is None
    assert by_node["spare"].within_tolerance is None
    assert by_node["spare"].estimated_share == 0.0


@pytest.mark.parametrize(
    ("flow", "code", "text"),
    [
        (Flow("loss", -5, "a", None), "negative_quantity", "flow loss is negative"),
        (Flow("loss", float("nan"), "a", None), "invalid_quantity", "must be a number"),
        (Flow("stray", 5, None, None), "no_step", "neither a source nor a target"),
        (Flow("recycle", 5, "a", "a"), "self_loop", "same step a"),
        (Flow(" ", 5, "a", None), "missing_name", "Flow 2 has no name"),
    ],
)
def test_invalid_flow(flow, code, text):
    flows = [Flow("feed", 10, None, "a"), flow]

    with pytest.raises(BalanceError) as caught:
        close(flows, 5)

    assert caught.value.code == code
    assert text in str(caught.value)


@pytest.mark.parametrize("tolerance", [-1, 101, float("nan"), True])
def test_invalid_tolerance(tolerance):
    with pytest.raises(BalanceError) as caught:
        close([Flow("feed", 10, None, "a")], tolerance)

    assert caught.value.code == "invalid_tolerance"


def test_sankey_nodes_and_links():
    data = sankey(PLATING_LINE, "input", "output")

    assert data["nodes"] == [
        {"name": "rinse"},
        {"name": "plating"},
        {"name": "treatment"},
        {"name": "raw water"},
        {"name": "chemicals"},
        {"name": "rinse wastewater"},
        {"name": "treated effluent"},
        {"name": "sludge"},
    ]
    assert data["links"][0] == {
        "source": "raw water",
        "target": "rinse",
        "value": 800,
        "estimated": False,
        "name": "raw water",
    }
    assert data["links"][4]["estimated"] is True
    assert len(data["links"]) == len(PLATING_LINE)


def test_sankey_names_stay_unique():
    flows = [
        Flow("water", 10, None, "washing"),
        Flow("water", 5, None, "cooling"),
        Flow("water", 12, "washing", None),
        Flow("cooling", 3, "cooling", None),
    ]

    data = sankey(flows, "input", "output")
    names = [node["name"] for node in data["nodes"]]

    assert names == ["washing", "cooling", "water", "water (input)", "water (output)", "cooling (output)"]
    assert len(set(names)) == len(names)
    assert [(link["source"], link["target"]) for link in data["links"]] == [
        ("water", "washing"),
        ("water (input)", "cooling"),
        ("washing", "water (output)"),
        ("cooling", "cooling (output)"),
    ]


def test_sankey_numbers_repeated_names():
    flows = [Flow("water", 1, None, "a"), Flow("water", 1, None, "a"), Flow("water", 1, None, "a")]

    names = [node["name"] for node in sankey(flows, "in", "out")["nodes"]]

    assert names == ["a", "water", "water (in)", "water (in) 2"]


def test_sankey_breaks_cycles():
    flows = [
        Flow("feed", 100, None, "washing"),
        Flow("to treatment", 120, "washing", "treatment"),
        Flow("reused water", 20, "treatment", "washing"),
        Flow("effluent", 100, "treatment", None),
    ]

    data = sankey(flows, "input", "output", recycle_label="reuse")
    links = [(link["source"], link["target"]) for link in data["links"]]

    assert ("treatment", "washing (reuse)") in links
    assert ("treatment", "washing") not in links
    assert {"name": "washing (reuse)"} in data["nodes"]
    # The balance itself still counts the reused water as an input of washing.
    _, steps = close(flows, 5)
    assert steps[0].inputs == 120


def test_sankey_has_no_self_loops():
    with pytest.raises(BalanceError) as caught:
        sankey([Flow("recycle", 1, "a", "a")], "in", "out")

    assert caught.value.code == "self_loop"


def _is_acyclic(links: list[dict[str, object]]) -> bool:
    successors: dict[object, list[object]] = {}
    for link in links:
        successors.setdefault(link["source"], []).append(link["target"])
    visiting: set[object] = set()
    done: set[object] = set()

    def visit(node: object) -> bool:
        if node in done:
            return True
        if node in visiting:
            return False
        visiting.add(node)
        result = all(visit(successor) for successor in successors.get(node, []))
        visiting.discard(node)
        done.add(node)
        return result

    return all(visit(node) for node in list(successors))


def test_sankey_links_acyclic_for_nested_loops():
    flows = [
        Flow("feed", 10, None, "a"),
        Flow("ab", 10, "a", "b"),
        Flow("bc", 10, "b", "c"),
        Flow("ca", 2, "c", "a"),
        Flow("cb", 3, "c", "b"),
        Flow("out", 5, "c", None),
    ]

    data = sankey(flows, "in", "out")

    assert _is_acyclic(data["links"])
    link_names = {node["name"] for node in data["nodes"]}
    assert all(link["source"] in link_names and link["target"] in link_names for link in data["links"])
