"""Charts drawn on the server as SVG: no script, no inline style (the CSP forbids both).

Geometry travels as SVG attributes, colours as the classes in admin.css (`.chart .bar`,
`.line`, `.point`, `.axis`, series `.s0`…`.s5`). Every chart has a title and a description
for screen readers, and the same numbers as a plain table in a <details> under it, which is
also what reads best on a small phone. Bar charts are mirrored on right-to-left pages: bars
grow from the right and labels start there; a line chart keeps time running left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 400
PAD = 3  # between the edge (and the axis) and what is drawn
SERIES = 6  # colours in admin.css; further series reuse them


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # 0..1 of the longest possible bar; None: nothing to draw
    text: str  # what is written at the end of the bar and in the table


@dataclass(frozen=True)
class Group:
    label: str
    bars: tuple[Bar, ...]  # one per series, in the order of the series


@dataclass(frozen=True)
class Line:
    label: str
    values: tuple[float | None, ...]  # one per point on the x axis, 0..1; None: no value
    texts: tuple[str, ...]


def _fmt(number: float) -> str:
    return f"{number:.1f}".rstrip("0").rstrip(".")


def _x(rtl: bool, x: float, width: float = 0) -> str:
    """An x position (of a box `width` wide) on a left-to-right chart, mirrored for rtl."""
    x += PAD
    return _fmt(WIDTH - x - width if rtl else x)


def _open(chart_id: str, title: str, description: str, height: float, rtl: bool) -> list[str]:
    chart_id = escape(chart_id)
    return [
        f'<svg viewBox="0 0 {WIDTH} {_fmt(height)}" role="img" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" '
        f'direction="{"rtl" if rtl else "ltr"}" xmlns="http://www.w3.org/2000/svg">',
        f'<title id="{chart_id}-title">{escape(title)}</title>',
        f'<desc id="{chart_id}-desc">{escape(description)}</desc>',
    ]


def _figure(chart_id: str, title: str, svg: list[str], table: str, t: Callable) -> Markup:
    return Markup(
        f'<figure class="chart" id="{escape(chart_id)}">'
        f"<figcaption>{escape(title)}</figcaption>"
        + "".join(svg)
        + "</svg>"
        + f"<details><summary>{escape(t('results.chart.numbers'))}</summary>"
        + f'<div class="table-wrap">{table}</div></details></figure>'
    )


def _table(head: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    cells = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    body = "".join(
        "<tr>"
        + f'<th scope="row">{escape(row[0])}</th>'
        + "".join(f"<td>{escape(c)}</td>" for c in row[1:])
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{cells}</tr></thead><tbody>{body}</tbody></table>"


def _bar(
    y: float, height: float, bar: Bar, series: int | None, rtl: bool, room: float, note: str = ""
) -> str:
    """One bar with its number (and `note`, the series' name) written just past its end."""
    css = "bar" if series is None else f"bar s{series % SERIES}"
    length = max(0.0, min(1.0, bar.value or 0.0)) * room
    parts = []
    if bar.value is not None:
        parts.append(
            f'<rect class="{css}" x="{_x(rtl, 0, length)}" y="{_fmt(y)}" '
            f'width="{_fmt(max(length, 1.0))}" height="{_fmt(height)}">'
            f"<title>{escape(bar.label)}: {escape(bar.text)}</title></rect>"
        )
    parts.append(
        f'<text x="{_x(rtl, length + 4)}" y="{_fmt(y + height - 2)}" text-anchor="start">'
        f"{escape(bar.text + note)}</text>"
    )
    return "".join(parts)


def bar_chart(
    chart_id: str,
    title: str,
    bars: Sequence[Bar],
    t: Callable,
    rtl: bool = False,
    head: tuple[str, str] = ("", ""),
) -> Markup:
    """Horizontal bars, each under its label (long labels stay readable on a phone)."""
    room = WIDTH - PAD - 90  # space for the number past the longest bar
    svg = _open(chart_id, title, _describe(bars), 8 + 36 * len(bars), rtl)
    for index, bar in enumerate(bars):
        top = 4 + index * 36
        svg.append(
            f'<text x="{_x(rtl, 0)}" y="{_fmt(top + 11)}" text-anchor="start">'
            f"{escape(_short(bar.label))}</text>"
        )
        svg.append(_bar(top + 15, 14, bar, None, rtl, room))
    svg.append(_axis(rtl, 4 + 36 * len(bars)))
    table = _table(head, [(bar.label, bar.text) for bar in bars])
    return _figure(chart_id, title, svg, table, t)


def grouped_bar_chart(
    chart_id: str,
    title: str,
    groups: Sequence[Group],
    series: Sequence[str],
    t: Callable,
    rtl: bool = False,
    corner: str = "",
) -> Markup:
    """Per group (an answer, a dimension) one bar per series (a bucket of a breakdown)."""
    room = WIDTH - PAD - 150  # the number and the series name follow each bar
    per_group = 18 + 14 * len(series)
    svg = _open(chart_id, title, _describe_groups(groups, series), 8 + per_group * len(groups), rtl)
    for index, group in enumerate(groups):
        top = 4 + index * per_group
        svg.append(
            f'<text x="{_x(rtl, 0)}" y="{_fmt(top + 11)}" text-anchor="start" class="group">'
            f"{escape(_short(group.label))}</text>"
        )
        for number, bar in enumerate(group.bars):
            note = f" · {_short(series[number], 20)}"
            svg.append(_bar(top + 15 + number * 14, 11, bar, number, rtl, room, note))
    svg.append(_axis(rtl, 4 + per_group * len(groups)))
    rows = [(group.label, *(bar.text for bar in group.bars)) for group in groups]
    return _figure(chart_id, title, svg, _table((corner, *series), rows), t)


def line_chart(
    chart_id: str,
    title: str,
    points: Sequence[str],
    lines: Sequence[Line],
    t: Callable,
    rtl: bool = False,
    corner: str = "",
) -> Markup:
    """Values 0..1 over time (the waves, in plan order), one line per series."""
    left, right, top, bottom, height = 44, 36, 10, 30, 200
    inner_w, inner_h = WIDTH - left - right, height - top - bottom
    step = inner_w / max(1, len(points) - 1)

    def at(index: int, value: float) -> tuple[str, str]:
        x = left + (index * step if len(points) > 1 else inner_w / 2)
        return _fmt(x), _fmt(top + inner_h * (1 - max(0.0, min(1.0, value))))

    svg = _open(chart_id, title, _describe_lines(points, lines), height, False)
    for tick in (0, 0.25, 0.5, 0.75, 1):
        _, y = at(0, tick)
        svg.append(f'<line class="axis grid" x1="{left}" x2="{WIDTH - right}" y1="{y}" y2="{y}"/>')
        svg.append(f'<text x="{left - 4}" y="{y}" text-anchor="end" dy="4">{tick:.2f}</text>')
    for index, name in enumerate(points):
        x, _ = at(index, 0)
        svg.append(
            f'<text x="{x}" y="{height - 10}" text-anchor="middle">{escape(_short(name, 14))}</text>'
        )
    for number, line in enumerate(lines):
        css = f"s{number % SERIES}"
        run: list[str] = []
        for index, value in enumerate((*line.values, None)):
            if value is not None:
                run.append(",".join(at(index, value)))
                continue
            if len(run) > 1:
                svg.append(f'<polyline class="line {css}" points="{" ".join(run)}"/>')
            run = []
        for index, value in enumerate(line.values):
            if value is not None:
                x, y = at(index, value)
                svg.append(
                    f'<circle class="point {css}" cx="{x}" cy="{y}" r="3.5">'
                    f"<title>{escape(line.label)}, {escape(points[index])}: "
                    f"{escape(line.texts[index])}</title></circle>"
                )
    rows = [(line.label, *line.texts) for line in lines]
    return _figure(chart_id, title, svg, _table((corner, *points), rows), t)


def legend(series: Sequence[str], line: bool = False) -> Markup:
    """The series' colours (and dashes, for lines) named in HTML, so they follow the page's
    direction; the bars also carry their series' name, so colour is never the only clue."""
    kind = "swatch line" if line else "swatch"
    items = "".join(
        f'<li><span class="{kind} s{index % SERIES}" aria-hidden="true"></span>{escape(name)}</li>'
        for index, name in enumerate(series)
    )
    return Markup(f'<ul class="legend">{items}</ul>')


def _axis(rtl: bool, bottom: float) -> str:
    x = _x(rtl, -1)
    return f'<line class="axis" x1="{x}" x2="{x}" y1="2" y2="{_fmt(bottom)}"/>'


def _short(text: str, limit: int = 56) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _describe(bars: Sequence[Bar]) -> str:
    return "; ".join(f"{bar.label}: {bar.text}" for bar in bars)


def _describe_groups(groups: Sequence[Group], series: Sequence[str]) -> str:
    return "; ".join(
        f"{group.label}: "
        + ", ".join(f"{name} {bar.text}" for name, bar in zip(series, group.bars, strict=False))
        for group in groups
    )


def _describe_lines(points: Sequence[str], lines: Sequence[Line]) -> str:
    return "; ".join(
        f"{line.label}: "
        + ", ".join(f"{p} {text}" for p, text in zip(points, line.texts, strict=False))
        for line in lines
    )
