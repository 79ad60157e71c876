"""Charts as SVG, drawn by the server with pygal (no JavaScript library, no CDN).

pygal's default tooltips load a script from the internet: ``js=[]`` turns that off, so a console
on a network without internet draws exactly the same thing. Each SVG has a ``<title>`` and is
marked ``role="img"``; the numbers are in the HTML table printed beside it (screen readers,
copying). Masked small counts are not drawn (a bar would give the value away).
"""
from __future__ import annotations

import functools
import math
import re

import pygal
from markupsafe import Markup
from pygal.style import Style

from kiosk_server.console.figures import Table, is_masked

STYLE = Style(
    background="transparent", plot_background="transparent",
    foreground="#1d2433", foreground_strong="#1d2433", foreground_subtle="#5b6475",
    opacity="0.95", opacity_hover="1", transition="0ms",
    colors=("#1f5fbf", "#e07b00", "#2a8a4a", "#a23b72", "#5b6475"),
    font_family="'DejaVu Sans', Arial, sans-serif",
    label_font_size=14, major_label_font_size=14, value_font_size=14, value_label_font_size=14,
    title_font_size=16, legend_font_size=13, tooltip_font_size=13,
)

_DATE = re.compile(r"^(?:Semaine du )?(\d\d/\d\d)/\d{4}$")
# Labels of horizontal bars (procedure names run to 80 characters) are cut at this length with
# "…": pygal then puts the full name in the label's <title> (the browser's tooltip), and the
# table under the chart has it in full. Uncut, a long name took the width and crushed the bars.
BAR_LABEL_CHARS = 32

_COMMON: dict[str, object] = {
    "js": [], "disable_xml_declaration": True, "style": STYLE, "show_legend": False,
    "print_values": False, "margin": 8, "spacing": 8, "truncate_label": -1,
    "show_y_guides": True, "show_x_guides": False, "no_data_text": "Aucune donnée",
    "explicit_size": False,
}


def _number(cell: object) -> float | None:
    if is_masked(cell) or cell is None or isinstance(cell, str):
        return None
    return float(cell)  # type: ignore[arg-type]


def render(table: Table) -> Markup:
    """The table's chart as inline SVG ('' for tables without a chart)."""
    if table.chart in ("none", "heat") or table.empty:
        return Markup("")
    rows = tuple(tuple(str(c) if is_masked(c) else c for c in r) for r in table.rows)
    return Markup(_render(table.chart, table.title, tuple(table.columns), table.value_col, rows,
                          table.series))


@functools.lru_cache(maxsize=256)
def _render(kind: str, title: str, columns: tuple[str, ...], value_col: int,
            rows: tuple[tuple[object, ...], ...], series: int = 1) -> str:
    """Drawing is the costly part of a page (~10 ms a chart): many users look at the same
    figures (this month, their territory), so identical charts are drawn once."""
    table = Table("", title, list(columns), [list(r) for r in rows], chart=kind,
                  value_col=value_col, series=series)
    if kind == "stack":
        return _stack(table)
    # Short axis labels (the table keeps the full dates): "Semaine du 31/08/2026" -> "31/08".
    labels = [_DATE.sub(r"\1", str(r[0])) for r in table.rows]
    values = [_number(r[table.value_col]) for r in table.rows]
    count = len(labels)
    if table.chart == "hbar":
        chart = pygal.HorizontalBar(width=600, height=max(160, 34 * count + 60),
                                    print_values=True, **{k: v for k, v in _COMMON.items()
                                                          if k != "print_values"})
        labels, values = labels[::-1], values[::-1]  # largest at the top
    elif table.chart == "line":
        chart = pygal.Line(width=600, height=320, x_label_rotation=35, show_dots=count <= 40,
                           fill=True, show_minor_x_labels=False,
                           x_labels_major_every=max(1, count // 10), **_COMMON)
    else:
        chart = pygal.Bar(width=600, height=320, x_label_rotation=25 if count > 6 else 0,
                          print_values=count <= 12, **{k: v for k, v in _COMMON.items()
                                                       if k != "print_values"})
    chart.title = None
    full = labels
    if table.chart == "hbar":
        labels = [_cut(label) for label in labels]
    chart.x_labels = labels
    chart.y_labels = integer_ticks(max((v for v in values if v is not None), default=0))
    chart.add(table.columns[table.value_col], values)
    svg = str(chart.render(is_unicode=True))
    if table.chart == "hbar":
        svg = _full_names(svg, full)
    # Accessible name; the data are in the table that follows the chart.
    return svg.replace("<svg ", f'<svg role="img" aria-label="Graphique : {_attr(table.title)}" ',
                       1)


def _stack(table: Table) -> str:
    """Horizontal stacked bars, one per row, one colour per stacked column, with a legend."""
    labels = [str(r[0]) for r in table.rows][::-1]  # first row at the top
    cols = range(table.value_col, table.value_col + table.series)
    chart = pygal.HorizontalStackedBar(
        width=600, height=max(180, 34 * len(labels) + 110), legend_at_bottom=True,
        legend_at_bottom_columns=2, truncate_legend=-1,
        **{k: v for k, v in _COMMON.items() if k != "show_legend"})
    chart.x_labels = [_cut(label) for label in labels]
    totals = [sum(_number(r[c]) or 0 for c in cols) for r in table.rows]
    chart.y_labels = integer_ticks(max(totals, default=0))
    for c in cols:  # a masked cell is not drawn: its bar would give the value away
        chart.add(table.columns[c], [_number(r[c]) for r in table.rows][::-1])
    svg = _full_names(str(chart.render(is_unicode=True)), labels)
    return svg.replace("<svg ", f'<svg role="img" aria-label="Graphique : {_attr(table.title)}" ',
                       1)


def _cut(label: str) -> str:
    return label if len(label) <= BAR_LABEL_CHARS else label[:BAR_LABEL_CHARS - 1] + "…"


def _full_names(svg: str, labels: list[str]) -> str:
    """Give each cut axis label its full name as <title> (pygal writes the bar's position
    there on horizontal charts): the browser shows it on hover."""
    for label in labels:
        cut, full = _attr(_cut(label)), _attr(label)
        replacement = f">{cut}</text><title>{full}</title>".replace("\\", "\\\\")
        svg = re.sub(rf">{re.escape(cut)}</text>(<title>[^<]*</title>)?", replacement, svg,
                     count=1)
    return svg


def integer_ticks(peak: float, most: int = 8) -> list[int]:
    """Counts are whole numbers: ticks 0, step, 2*step... with a round step."""
    top = max(1, math.ceil(peak))
    step = 1
    for candidate in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 2500, 5000):
        step = candidate
        if top / candidate <= most:
            break
    else:
        step = int(10 ** math.ceil(math.log10(top / most)))
    return list(range(0, top + step, step))


def _attr(text: str) -> str:
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            .replace(">", "&gt;"))


def heat_level(value: object, peak: int) -> int:
    """0..5 shade of a heat-map cell (the number is printed in the cell too)."""
    if not isinstance(value, int) or value <= 0 or peak <= 0:
        return 0
    return min(5, 1 + int(4 * value / peak))
