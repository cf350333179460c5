"""Sankey PNG of a balance: layout helpers and the drawn picture."""

import itertools
from decimal import Decimal
from io import BytesIO

import pytest
from PIL import Image

from cleanprod.audits import sankey_png
from cleanprod.audits.report_data import BalanceFlow
from cleanprod.audits.sankey_png import (
    MARGIN,
    NODE_WIDTH,
    _assign_columns,
    _mark_backward,
    _Node,
    find_cjk_font,
    render_sankey_png,
)

from .report_fixtures import WATER_FLOWS

needs_cjk_font = pytest.mark.skipif(find_cjk_font() is None, reason="no font with Chinese glyphs installed")
WHITE = (255, 255, 255)


def open_png(content: bytes) -> Image.Image:
    image = Image.open(BytesIO(content))
    image.load()
    return image


def rgb(image: Image.Image, x: int, y: int) -> tuple[int, int, int]:
    pixel = image.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return (pixel[0], pixel[1], pixel[2])


def test_mark_backward_finds_cycle():
    # 0 → 1 → 2 → 1 closes a cycle, but 0 → 2 does not.
    links = _mark_backward(3, [(0, 1, 5.0), (1, 2, 5.0), (2, 1, 1.0), (0, 2, 2.0)])
    assert [link.backward for link in links] == [False, False, True, False]


def test_mark_backward_self_loop():
    links = _mark_backward(2, [(0, 1, 1.0), (1, 1, 1.0)])
    assert [link.backward for link in links] == [False, True]


def test_columns_follow_longest_path():
    nodes = [_Node(name) for name in ("in", "a", "b", "out", "loss")]
    # in → a → b → out, in → b (skips a column), a → loss (a pure output, moved to the last column).
    links = _mark_backward(5, [(0, 1, 1.0), (1, 2, 1.0), (2, 3, 1.0), (0, 2, 1.0), (1, 4, 1.0)])
    _assign_columns(nodes, links)
    assert [node.column for node in nodes] == [0, 1, 2, 3, 3]


@needs_cjk_font
def test_render_png_size_and_band():
    flows = [BalanceFlow("进水", "出水", "水", Decimal("100"))]
    image = open_png(render_sankey_png(flows, "m³", width=800, height=400))
    assert image.format == "PNG"
    assert image.size == (800, 400)
    # The single band spans the whole usable height between the two bars.
    red, green, blue = rgb(image, 400, 200)
    assert (red, green, blue) != WHITE
    assert blue > red
    # Above the band, within the top margin, the picture is blank.
    assert rgb(image, 400, MARGIN // 2) == WHITE


@needs_cjk_font
def test_render_bar_heights_proportional():
    flows = [BalanceFlow("A", "C", "x", 300), BalanceFlow("B", "C", "y", 100)]
    image = open_png(render_sankey_png(flows, "t", width=800, height=480))
    # The input bars sit in the first column, so measure their painted heights down the
    # middle of the leftmost bar.
    column_x = (
        next(x for x in range(image.width) if rgb(image, x, image.height // 2) == sankey_png.PALETTE[0])
        + NODE_WIDTH // 2
    )
    painted = [y for y in range(image.height) if rgb(image, column_x, y) != WHITE]
    runs: list[list[int]] = []
    for y in painted:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    assert len(runs) == 2
    assert len(runs[0]) / len(runs[1]) == pytest.approx(3, rel=0.05)


@needs_cjk_font
def test_render_with_recycle_loop():
    image = open_png(render_sankey_png(WATER_FLOWS, "m³/d"))
    assert image.size == (1600, 900)
    # The reuse loop runs under the diagram, in the space reserved below the bars.
    bottom_band = [rgb(image, x, 900 - MARGIN - 30) for x in range(0, 1600, 10)]
    assert any(pixel != WHITE for pixel in bottom_band)


def test_render_rejects_negative_quantity():
    with pytest.raises(ValueError, match="negative"):
        render_sankey_png([BalanceFlow("A", "B", "x", -1)], "t")


def test_render_rejects_all_zero():
    with pytest.raises(ValueError, match="positive quantity"):
        render_sankey_png([BalanceFlow("A", "B", "x", 0)], "t")


def test_render_without_cjk_font(monkeypatch):
    monkeypatch.setattr(sankey_png, "CJK_FONT_CANDIDATES", ("/nonexistent/font.ttc",))
    assert find_cjk_font() is None
    with pytest.raises(LookupError, match="Chinese glyphs"):
        render_sankey_png([BalanceFlow("A", "B", "x", 1)], "t")


@needs_cjk_font
def test_render_rejects_names_wider_than_picture():
    long_name = "含镍含铬综合电镀废水预处理及深度处理回用系统" * 2
    with pytest.raises(ValueError, match="too long"):
        render_sankey_png(
            [BalanceFlow(long_name, "B", "x", 1), BalanceFlow("B", long_name + "出口", "y", 1)], "t", width=600
        )


@needs_cjk_font
def test_render_two_loops_stack_under_diagram():
    flows = [
        BalanceFlow("A", "B", "x", 100),
        BalanceFlow("B", "C", "y", 100),
        BalanceFlow("C", "A", "back", 20),
        BalanceFlow("C", "B", "back", 30),
    ]
    image = open_png(render_sankey_png(flows, "t", width=1000, height=700))
    # Each loop has its own floor in the space reserved under the bars: between the columns
    # of B and C both floors pass, one under the other, separated by white.
    bars_bottom = max(y for y in range(700) if rgb(image, 500, y) == sankey_png.PALETTE[1])
    floors = [y for y in range(bars_bottom + 1, 700) if rgb(image, 750, y) != WHITE]
    assert floors
    runs = 1 + sum(1 for previous, current in itertools.pairwise(floors) if current != previous + 1)
    assert runs == 2
    # The loops turn inside the picture: its left and right edge columns stay white.
    assert all(rgb(image, 0, y) == WHITE for y in range(700))
    assert all(rgb(image, 999, y) == WHITE for y in range(700))
