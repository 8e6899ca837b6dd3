"""Charts as hand-written SVG images (no plotting dependency): grouped bars, lines, horizontal bars.

The HTML report embeds each as a base64 `data:` image, so the report stays one self-contained file.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from html import escape

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22")
FONT = "font-family='DejaVu Sans, Arial, sans-serif'"
Series = tuple[str, Sequence[float | None]]


def svg_data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def _frame(width: int, height: int, title: str, body: list[str]) -> str:
    head = (
        f"<svg xmlns='http://www.w3.org/2000/svg' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' {FONT} font-size='11'>"
        f"<rect width='{width}' height='{height}' fill='white'/>"
        f"<text x='{width / 2}' y='18' text-anchor='middle' font-size='14' font-weight='bold'>"
        f"{escape(title)}</text>"
    )
    return head + "".join(body) + "</svg>"


def _nice_max(value: float, percent: bool = False) -> float:
    if percent:  # quarter ticks that read as whole percents: 5%, 10%, 15%, 20%, 25%
        return next((top for top in (0.2, 0.4, 0.6, 0.8, 1.0) if value <= top), 1.0)
    if value <= 0:
        return 1.0
    magnitude = 10 ** (len(str(int(value))) - 1) if value >= 1 else 0.1
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def _axis(x0: int, y0: int, plot_w: int, plot_h: int, top: float, percent: bool) -> list[str]:
    parts = []
    for i in range(5):
        value = top * i / 4
        y = y0 - plot_h * i / 4
        label = f"{value:.0%}" if percent else f"{value:,.0f}" if top >= 10 else f"{value:.2f}"
        parts.append(f"<line x1='{x0}' y1='{y:.1f}' x2='{x0 + plot_w}' y2='{y:.1f}' stroke='#ddd'/>")
        parts.append(f"<text x='{x0 - 4}' y='{y + 4:.1f}' text-anchor='end'>{label}</text>")
    parts.append(f"<line x1='{x0}' y1='{y0}' x2='{x0 + plot_w}' y2='{y0}' stroke='#333'/>")
    return parts


def _legend(series_names: Sequence[str], x: int, y: int) -> list[str]:
    parts = []
    for i, name in enumerate(series_names):
        color = PALETTE[i % len(PALETTE)]
        yy = y + 16 * i
        parts.append(f"<rect x='{x}' y='{yy - 9}' width='10' height='10' fill='{color}'/>")
        parts.append(f"<text x='{x + 14}' y='{yy}'>{escape(name[:28])}</text>")
    return parts


def bar_chart_svg(
    title: str, categories: Sequence[str], series: Sequence[Series], percent: bool = True, width: int = 520
) -> str:
    """Grouped vertical bars: one group per category, one bar per series (None = no bar)."""
    height, x0, y0, legend_w = 300, 50, 250, 170
    plot_w, plot_h = width - x0 - legend_w, 210
    top = _nice_max(max([v for _, vals in series for v in vals if v is not None] or [0.0]), percent)
    body = _axis(x0, y0, plot_w, plot_h, top, percent)
    group_w = plot_w / max(1, len(categories))
    bar_w = group_w * 0.8 / max(1, len(series))
    for ci, category in enumerate(categories):
        gx = x0 + ci * group_w + group_w * 0.1
        for si, (name, values) in enumerate(series):
            value = values[ci]
            if value is None:
                continue
            h = plot_h * value / top
            label = f"{value:.0%}" if percent else f"{value:,.1f}"
            body.append(
                f"<rect x='{gx + si * bar_w:.1f}' y='{y0 - h:.1f}' width='{bar_w - 1:.1f}' height='{h:.1f}' "
                f"fill='{PALETTE[si % len(PALETTE)]}'>"
                f"<title>{escape(name)} {escape(category)}: {label}</title></rect>"
            )
        body.append(
            f"<text x='{x0 + (ci + 0.5) * group_w:.1f}' y='{y0 + 15}' text-anchor='middle'>"
            f"{escape(category)}</text>"
        )
    body += _legend([name for name, _ in series], x0 + plot_w + 15, 50)
    return _frame(width, height, title, body)


def line_chart_svg(title: str, x_labels: Sequence[str], series: Sequence[Series], width: int = 640) -> str:
    """One line per series across the x labels (None = gap)."""
    height, x0, y0, legend_w = 320, 60, 270, 190
    plot_w, plot_h = width - x0 - legend_w, 230
    top = _nice_max(max([v for _, vals in series for v in vals if v is not None] or [0.0]))
    body = _axis(x0, y0, plot_w, plot_h, top, percent=False)
    step = plot_w / max(1, len(x_labels) - 1) if len(x_labels) > 1 else 0
    xs = [x0 + (i * step if step else plot_w / 2) for i in range(len(x_labels))]
    for i, label in enumerate(x_labels):
        body.append(f"<text x='{xs[i]:.1f}' y='{y0 + 15}' text-anchor='middle'>{escape(label)}</text>")
    for si, (name, values) in enumerate(series):
        color = PALETTE[si % len(PALETTE)]
        points = [(xs[i], y0 - plot_h * v / top) for i, v in enumerate(values) if v is not None]
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
            body.append(
                f"<polyline points='{path}' fill='none' stroke='{color}' stroke-width='2'>"
                f"<title>{escape(name)}</title></polyline>"
            )
        body += [f"<circle cx='{x:.1f}' cy='{y:.1f}' r='3' fill='{color}'/>" for x, y in points]
    body += _legend([name for name, _ in series], x0 + plot_w + 15, 50)
    return _frame(width, height, title, body)


def hbar_chart_svg(title: str, labels: Sequence[str], values: Sequence[float], width: int = 560) -> str:
    """Horizontal bars, one per label, largest first as given."""
    row_h, x0, label_w = 20, 10, 150
    height = 40 + row_h * max(1, len(labels)) + 10
    plot_w = width - label_w - x0 - 60
    top = max(values) if values else 1.0
    body: list[str] = []
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = 35 + i * row_h
        w = plot_w * value / top if top else 0
        body.append(
            f"<text x='{x0 + label_w - 6}' y='{y + 13}' text-anchor='end'>{escape(label[:24])}</text>"
        )
        body.append(
            f"<rect x='{x0 + label_w}' y='{y + 2}' width='{w:.1f}' height='{row_h - 5}' fill='{PALETTE[0]}'/>"
        )
        body.append(f"<text x='{x0 + label_w + w + 4:.1f}' y='{y + 13}'>{value:,.0f}</text>")
    if not labels:
        body.append(f"<text x='{width / 2}' y='55' text-anchor='middle'>none</text>")
    return _frame(width, height, title, body)
