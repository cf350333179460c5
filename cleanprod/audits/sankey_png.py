"""A Sankey diagram of a balance's streams drawn to PNG with Pillow, for the Word report.

The browser pages draw their own charts, but the report needs a picture made without a
browser. Each node is a bar whose height is proportional to the larger of its inflow and
outflow. Each stream is a band of the same scale from its source bar to its target bar. Columns follow
the longest path from the inputs. A stream that closes a cycle (a recycle or reuse loop)
goes back under the diagram as a line of the band's width.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

from .report_data import BalanceFlow

# Fonts with Simplified Chinese glyphs, in order of preference: Debian and Ubuntu
# (fonts-noto-cjk, fonts-wqy-microhei), Fedora and Arch, Windows, macOS.
CJK_FONT_CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/google-noto-cjk/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc",
    "C:/Windows/Fonts/msyh.ttc",
    "C:/Windows/Fonts/simhei.ttf",
    "/System/Library/Fonts/PingFang.ttc",
)

PALETTE = (
    (31, 119, 180),
    (255, 127, 14),
    (44, 160, 44),
    (214, 39, 40),
    (148, 103, 189),
    (140, 86, 75),
    (227, 119, 194),
    (127, 127, 127),
    (188, 189, 34),
    (23, 190, 207),
)
LINK_ALPHA = 110
NODE_WIDTH = 18
NODE_GAP = 24
MARGIN = 40
LOOP_GAP = 12  # between the loops that run under the diagram, and above the first one
LABEL_GAP = 8  # between a bar and its label
LABEL_BACKGROUND_ALPHA = 200  # a label's white box over the bands keeps it legible
CURVE_POINTS = 32


@dataclass(frozen=True, slots=True)
class _Link:
    source: int
    target: int
    value: float
    backward: bool


@dataclass(slots=True)
class _Node:
    name: str
    value: float = 0.0
    column: int = 0
    x: float = 0.0
    y: float = 0.0
    height: float = 0.0
    out_offset: float = 0.0
    in_offset: float = 0.0


def find_cjk_font() -> Path | None:
    """Return the first installed font of `CJK_FONT_CANDIDATES`, or None."""
    for candidate in CJK_FONT_CANDIDATES:
        path = Path(candidate)
        if path.is_file():
            return path
    return None


def _load_font(path: Path, size: int) -> ImageFont.FreeTypeFont:
    """Load the Simplified Chinese face of a font collection (a .ttc contains JP, KR, SC, TC … faces)."""
    first = ImageFont.truetype(str(path), size, index=0)
    if path.suffix.lower() != ".ttc":
        return first
    for index in range(1, 16):
        try:
            face = ImageFont.truetype(str(path), size, index=index)
        except OSError:
            break
        family = face.getname()[0] or ""
        if family.endswith(" SC"):
            return face
    return first


def _mark_backward(node_count: int, links: list[tuple[int, int, float]]) -> list[_Link]:
    """Mark as backward every link that closes a cycle, found by depth-first search in input order."""
    outgoing: list[list[int]] = [[] for _ in range(node_count)]
    for index, (source, _target, _value) in enumerate(links):
        outgoing[source].append(index)
    state = [0] * node_count  # 0 unvisited, 1 on the current path, 2 finished
    backward: set[int] = set()
    for start in range(node_count):
        if state[start]:
            continue
        state[start] = 1
        stack: list[tuple[int, int]] = [(start, 0)]
        while stack:
            node, position = stack[-1]
            if position == len(outgoing[node]):
                state[node] = 2
                stack.pop()
                continue
            stack[-1] = (node, position + 1)
            link_index = outgoing[node][position]
            target = links[link_index][1]
            if state[target] == 1:
                backward.add(link_index)
            elif state[target] == 0:
                state[target] = 1
                stack.append((target, 0))
    return [_Link(s, t, v, i in backward) for i, (s, t, v) in enumerate(links)]


def _assign_columns(nodes: list[_Node], links: list[_Link]) -> None:
    """Put each node one column right of its furthest forward predecessor (longest path)."""
    forward = [link for link in links if not link.backward]
    # The forward links form a DAG, so at most len(nodes) − 1 relaxation rounds settle it.
    for _round in range(len(nodes)):
        changed = False
        for link in forward:
            if nodes[link.target].column < nodes[link.source].column + 1:
                nodes[link.target].column = nodes[link.source].column + 1
                changed = True
        if not changed:
            break
    # Pull pure outputs (no outgoing forward link) to the last column so the sinks line up.
    last = max(node.column for node in nodes)
    has_outgoing = {link.source for link in forward}
    has_incoming = {link.target for link in forward}
    for index, node in enumerate(nodes):
        if index not in has_outgoing and index in has_incoming:
            node.column = last


def _bezier(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    """Points of a cubic curve leaving and entering horizontally, the usual Sankey band edge."""
    middle = (x0 + x1) / 2
    points = []
    for step in range(CURVE_POINTS + 1):
        t = step / CURVE_POINTS
        u = 1 - t
        x = u**3 * x0 + 3 * u**2 * t * middle + 3 * u * t**2 * middle + t**3 * x1
        y = u**3 * y0 + 3 * u**2 * t * y0 + 3 * u * t**2 * y1 + t**3 * y1
        points.append((x, y))
    return points


def _format_value(value: float) -> str:
    if value >= 1000:
        return f"{value:,.0f}"
    if value >= 10:
        return f"{value:,.1f}"
    return f"{value:,.2f}"


def _build_graph(flows: Sequence[BalanceFlow]) -> tuple[list[_Node], list[_Link]]:
    """Number the nodes in order of first appearance and weigh each by its larger of inflow and outflow."""
    names: dict[str, int] = {}
    raw_links: list[tuple[int, int, float]] = []
    for flow in flows:
        source = names.setdefault(flow.source, len(names))
        target = names.setdefault(flow.target, len(names))
        raw_links.append((source, target, float(flow.quantity)))
    nodes = [_Node(name) for name in names]
    links = _mark_backward(len(nodes), raw_links)
    _assign_columns(nodes, links)
    inflow = [0.0] * len(nodes)
    outflow = [0.0] * len(nodes)
    for link in links:
        outflow[link.source] += link.value
        inflow[link.target] += link.value
    for index, node in enumerate(nodes):
        node.value = max(inflow[index], outflow[index])
    return nodes, links


def _loop_order(nodes: list[_Node], links: list[_Link]) -> list[int]:
    """Return the indices of the backward links, the one spanning the most columns first.

    That loop runs outermost. It leaves and enters its bars highest, turns furthest from
    them and runs lowest under the diagram, so the loops nest instead of crossing.
    """
    backward = [index for index, link in enumerate(links) if link.backward]
    return sorted(backward, key=lambda i: nodes[links[i].source].column - nodes[links[i].target].column, reverse=True)


def _place_nodes(
    nodes: list[_Node], links: list[_Link], width: int, height: int, label_room: tuple[float, float]
) -> tuple[float, float]:
    """Place the bars column by column, centred vertically above the room for the loops.

    Return the pixels per unit of quantity and the y where the bars' region ends.
    """
    column_count = max(node.column for node in nodes) + 1
    columns: list[list[_Node]] = [[] for _ in range(column_count)]
    for node in nodes:
        columns[node.column].append(node)
    loops = [link for link in links if link.backward]
    loop_total = sum(link.value for link in loops)
    fixed_height = height - 2 * MARGIN - len(loops) * LOOP_GAP
    # The loops under the bars are drawn to the same scale as the bars, so they share the height.
    scale = min(
        (fixed_height - NODE_GAP * (len(column) - 1)) / (sum(node.value for node in column) + loop_total)
        for column in columns
        if column
    )
    if scale <= 0:
        raise ValueError(
            "Too many nodes in one column or too many loops for the picture height. Draw a taller picture."
        )
    bars_height = fixed_height - loop_total * scale
    # Loops turn outside the first and last columns when they reach them, beside the labels.
    loop_extent = len(loops) * LOOP_GAP + loop_total * scale
    last = column_count - 1
    left_room = max(label_room[0], loop_extent if any(nodes[link.target].column == 0 for link in loops) else 0)
    right_room = max(label_room[1], loop_extent if any(nodes[link.source].column == last for link in loops) else 0)
    span = width - 2 * MARGIN - left_room - right_room - NODE_WIDTH
    if span <= 0:
        raise ValueError("Node names too long for the picture width. Shorten them or draw a wider picture.")
    for column_index, column in enumerate(columns):
        total = sum(node.value * scale for node in column) + NODE_GAP * (len(column) - 1)
        y = MARGIN + (bars_height - total) / 2
        for node in column:
            node.x = MARGIN + left_room + (span * column_index / max(column_count - 1, 1))
            node.y = y
            node.height = max(node.value * scale, 2.0)
            y += node.value * scale + NODE_GAP
    return scale, MARGIN + bars_height


def _assign_band_ends(nodes: list[_Node], links: list[_Link], scale: float) -> tuple[list[float], list[float]]:
    """Return the top y of each band where it leaves its source bar and where it enters its target bar.

    Forward bands leave a bar in the vertical order of their targets and enter it in the
    vertical order of their sources, so that fewer bands cross. Nodes keep their input order
    within a column, so bands that skip columns or feed a lower node can still cross. Loops
    take the bottom of each bar, outermost first.
    """
    forward = [index for index, link in enumerate(links) if not link.backward]
    loops = _loop_order(nodes, links)
    start_y = [0.0] * len(links)
    end_y = [0.0] * len(links)
    for index in sorted(forward, key=lambda i: nodes[links[i].target].y) + loops:
        bar = nodes[links[index].source]
        start_y[index] = bar.y + bar.out_offset
        bar.out_offset += links[index].value * scale
    for index in sorted(forward, key=lambda i: nodes[links[i].source].y) + loops:
        bar = nodes[links[index].target]
        end_y[index] = bar.y + bar.in_offset
        bar.in_offset += links[index].value * scale
    return start_y, end_y


def _draw_bands(
    nodes: list[_Node], links: list[_Link], scale: float, bars_bottom: float, size: tuple[int, int]
) -> Image.Image:
    image = Image.new("RGBA", size, (255, 255, 255, 255))
    start_y, end_y = _assign_band_ends(nodes, links, scale)

    # Loops nest, so the innermost turns nearest its bars and runs highest under them.
    loop_offsets: dict[int, float] = {}
    offset = 0.0
    for index in reversed(_loop_order(nodes, links)):
        offset += LOOP_GAP + links[index].value * scale / 2
        loop_offsets[index] = offset
        offset += links[index].value * scale / 2

    for index, link in enumerate(links):
        thickness = link.value * scale
        y0, y1 = start_y[index], end_y[index]
        x0 = nodes[link.source].x + NODE_WIDTH
        x1 = nodes[link.target].x
        band_color = (*PALETTE[link.source % len(PALETTE)], LINK_ALPHA)
        # Each band gets its own layer so that crossing bands blend instead of hiding each other.
        layer = Image.new("RGBA", size, (255, 255, 255, 0))
        bands = ImageDraw.Draw(layer)
        if link.backward:
            # Out to the right, down under the bars, back left and up into the target.
            floor = bars_bottom + loop_offsets[index]
            out_x = x0 + loop_offsets[index]
            in_x = x1 - loop_offsets[index]
            route = [
                (x0, y0 + thickness / 2),
                (out_x, y0 + thickness / 2),
                (out_x, floor),
                (in_x, floor),
                (in_x, y1 + thickness / 2),
                (x1, y1 + thickness / 2),
            ]
            bands.line(route, fill=band_color, width=max(round(thickness), 1), joint="curve")
        else:
            top = _bezier(x0, y0, x1, y1)
            bottom = _bezier(x0, y0 + thickness, x1, y1 + thickness)
            bands.polygon(top + bottom[::-1], fill=band_color)
        image = Image.alpha_composite(image, layer)
    return image


def _label(node: _Node, unit: str) -> str:
    return f"{node.name}\n{_format_value(node.value)} {unit}".rstrip()


def _label_anchor(node: _Node) -> tuple[str, float]:
    """Put the labels of the inputs left of their bars and every other label right of its bar."""
    if node.column == 0:
        return "rm", node.x - LABEL_GAP
    return "lm", node.x + NODE_WIDTH + LABEL_GAP


def _label_room(nodes: list[_Node], unit: str, font: ImageFont.FreeTypeFont) -> tuple[float, float]:
    """Return the widths needed left of the first column and right of the last one for their labels."""
    measure = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    last = max(node.column for node in nodes)
    left = right = 0.0
    for node in nodes:
        box = measure.multiline_textbbox((0, 0), _label(node, unit), font=font)
        label_width = box[2] - box[0] + LABEL_GAP
        if node.column == 0:
            left = max(left, label_width)
        elif node.column == last:
            right = max(right, label_width)
    return left, right


def _draw_bars(image: Image.Image, nodes: list[_Node], unit: str, font: ImageFont.FreeTypeFont) -> Image.Image:
    # Labels of the middle columns may lie over bands, so each gets a translucent white box.
    boxes = Image.new("RGBA", image.size, (255, 255, 255, 0))
    box_draw = ImageDraw.Draw(boxes)
    for node in nodes:
        anchor, x = _label_anchor(node)
        box = box_draw.multiline_textbbox((x, node.y + node.height / 2), _label(node, unit), font=font, anchor=anchor)
        box_draw.rectangle(
            (box[0] - 3, box[1] - 3, box[2] + 3, box[3] + 3), fill=(255, 255, 255, LABEL_BACKGROUND_ALPHA)
        )
    image = Image.alpha_composite(image, boxes)

    draw = ImageDraw.Draw(image)
    for index, node in enumerate(nodes):
        draw.rectangle((node.x, node.y, node.x + NODE_WIDTH, node.y + node.height), fill=PALETTE[index % len(PALETTE)])
        anchor, x = _label_anchor(node)
        centre = node.y + node.height / 2
        draw.multiline_text((x, centre), _label(node, unit), font=font, fill=(20, 20, 20), anchor=anchor, spacing=2)
    return image


def render_sankey_png(
    flows: Sequence[BalanceFlow],
    unit: str,
    *,
    width: int = 1600,
    height: int = 900,
    font_path: Path | None = None,
    font_size: int = 32,
) -> bytes:
    """Draw the streams of a balance as a Sankey diagram and return the PNG file's bytes.

    The default 1600 px width and 32 px labels give about 9 pt text when the picture is
    printed 15.4 cm wide, the text width of the report's A4 page.

    Raises ValueError when there is no stream with a positive quantity or a quantity is
    negative, and LookupError when no font with Chinese glyphs is installed and none is given.
    """
    if any(float(flow.quantity) < 0 for flow in flows):
        raise ValueError(
            "Invalid balance stream: negative quantity. Record the direction with source and target instead."
        )
    drawn = [flow for flow in flows if float(flow.quantity) > 0]
    if not drawn:
        raise ValueError("A Sankey diagram needs at least one stream with a positive quantity.")
    path = font_path or find_cjk_font()
    if path is None:
        raise LookupError("No font with Chinese glyphs found. Install fonts-noto-cjk or pass font_path.")
    font = _load_font(path, font_size)

    nodes, links = _build_graph(drawn)
    scale, bars_bottom = _place_nodes(nodes, links, width, height, _label_room(nodes, unit, font))
    image = _draw_bands(nodes, links, scale, bars_bottom, (width, height))
    image = _draw_bars(image, nodes, unit, font)

    buffer = BytesIO()
    image.convert("RGB").save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
