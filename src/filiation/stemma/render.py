"""Draw a story's stemma: Graphviz DOT, GraphML, Mermaid, or a self-contained SVG.

The SVG is laid out here, in layers by generation (roots on top), rather than by Graphviz:
stemmata are small trees, a layered layout reads well for them, and the report can embed
the drawing without a system package (docs/decisions.md).
"""
from __future__ import annotations

import io
from html import escape

import networkx as nx

from ..model import Story

FORMATS = ("dot", "graphml", "mermaid", "svg")


def render_story(story: Story, fmt: str) -> str:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}: choose one of {', '.join(FORMATS)}")
    return {"dot": to_dot, "graphml": to_graphml, "mermaid": to_mermaid, "svg": to_svg}[fmt](story)


def _graph(story: Story) -> nx.DiGraph:
    g = nx.DiGraph()
    for n in story.nodes:
        g.add_node(n.id, kind=n.kind)
    for e in story.edges:
        g.add_edge(e.source, e.target, relation=e.relation, confidence=e.confidence, direction_evidence=e.direction_evidence)
    return g


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(story: Story) -> str:
    lines = [f"digraph {_quote(story.id)} {{", "  rankdir=TB;", "  node [shape=box, fontname=Helvetica];"]
    for n in story.nodes:
        style = ', style=dashed, label="lost source"' if n.kind == "lost_source" else ""
        lines.append(f"  {_quote(n.id)} [kind={_quote(n.kind)}{style}];")
    for e in story.edges:
        lines.append(f"  {_quote(e.source)} -> {_quote(e.target)} [label={_quote(f'{e.relation} {e.confidence:.2f}')}];")
    lines.append("}")
    return "\n".join(lines) + "\n"


def to_graphml(story: Story) -> str:
    buffer = io.BytesIO()
    nx.write_graphml(_graph(story), buffer)
    return buffer.getvalue().decode("utf-8")


def to_mermaid(story: Story) -> str:
    ids = {n.id: f"n{k}" for k, n in enumerate(story.nodes)}
    lines = ["graph TD"]
    for n in story.nodes:
        label = "lost source" if n.kind == "lost_source" else n.id
        label = label.replace('"', "#quot;")
        lines.append(f'  {ids[n.id]}["{label}"]' if n.kind == "document" else f'  {ids[n.id]}(["{label}"])')
    for e in story.edges:
        lines.append(f"  {ids[e.source]} -->|{e.relation} {e.confidence:.2f}| {ids[e.target]}")
    return "\n".join(lines) + "\n"


def _layers(story: Story) -> list[list[str]]:
    g = _graph(story)
    depth: dict[str, int] = {}
    for node in nx.topological_sort(g):
        preds = list(g.predecessors(node))
        depth[node] = 1 + max(depth[p] for p in preds) if preds else 0
    rows: list[list[str]] = []
    for node in [n.id for n in story.nodes]:
        while len(rows) <= depth[node]:
            rows.append([])
        rows[depth[node]].append(node)
    return rows


def layout_story(story: Story, box_w: int = 170, box_h: int = 34, gap_x: int = 24, gap_y: int = 60) -> dict:
    """Where each node's box goes: layers by generation, each row centred.  The SVG here and
    the report's drawing (which builds its SVG in the browser) both place nodes by this."""
    rows = _layers(story)
    width = max((len(r) for r in rows), default=1) * (box_w + gap_x) + gap_x
    height = len(rows) * (box_h + gap_y)
    kinds = {n.id: n.kind for n in story.nodes}
    nodes = []
    for y, row in enumerate(rows):
        offset = (width - len(row) * (box_w + gap_x) + gap_x) / 2
        for x, node in enumerate(row):
            nodes.append({"id": node, "kind": kinds[node],
                          "x": round(offset + x * (box_w + gap_x), 1), "y": round(gap_y / 2 + y * (box_h + gap_y), 1)})
    edges = [{"source": e.source, "target": e.target, "relation": e.relation,
              "confidence": e.confidence, "direction_evidence": e.direction_evidence} for e in story.edges]
    return {"width": width, "height": height, "box_w": box_w, "box_h": box_h, "nodes": nodes, "edges": edges}


def to_svg(story: Story) -> str:
    layout = layout_story(story)
    width, height, box_w, box_h = layout["width"], layout["height"], layout["box_w"], layout["box_h"]
    where = {n["id"]: (n["x"], n["y"]) for n in layout["nodes"]}
    kinds = {n["id"]: n["kind"] for n in layout["nodes"]}
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
        f"<title>{escape(story.id)}</title>",
        '<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" '
        'orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555"/></marker></defs>',
    ]
    for e in story.edges:
        (x1, y1), (x2, y2) = where[e.source], where[e.target]
        sx, sy, tx, ty = x1 + box_w / 2, y1 + box_h, x2 + box_w / 2, y2
        out.append(f'<line x1="{sx:.1f}" y1="{sy:.1f}" x2="{tx:.1f}" y2="{ty:.1f}" stroke="#555" marker-end="url(#arrow)"/>')
        out.append(f'<text x="{(sx + tx) / 2 + 4:.1f}" y="{(sy + ty) / 2:.1f}" fill="#333">{escape(e.relation)} {e.confidence:.2f}</text>')
    for node, (x, y) in where.items():
        lost = kinds[node] == "lost_source"
        dash = ' stroke-dasharray="5,3"' if lost else ""
        label = "lost source" if lost else node
        if len(label) > 26:
            label = label[:25] + "…"
        out.append(f'<g><title>{escape(node)}</title><rect x="{x:.1f}" y="{y:.1f}" width="{box_w}" height="{box_h}" rx="5" '
                   f'fill="{"#f4f4f4" if lost else "#fff"}" stroke="#333"{dash}/>'
                   f'<text x="{x + box_w / 2:.1f}" y="{y + box_h / 2 + 4:.1f}" text-anchor="middle">{escape(label)}</text></g>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
