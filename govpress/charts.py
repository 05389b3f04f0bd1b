"""Small SVG charts for the run report: releases per day (or week, or month) per source, as one picture.

Pure string building (no plotting library): the report embeds the picture as a data URI, so it
shows in the Prefect UI's markdown artifact without a file server. Rows share one scale, so a
busy source and a quiet one compare at a glance; long ranges are binned to keep about
:data:`MAX_BARS` bars per row.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import date, timedelta
from xml.sax.saxutils import escape

MAX_BARS = 120
WIDTH = 760
LABEL_WIDTH = 190
TOTAL_WIDTH = 60
ROW_HEIGHT = 30
TOP = 28
BOTTOM = 26
BAR_COLOUR = "#2563eb"
EMPTY_COLOUR = "#e5e7eb"


@dataclass(frozen=True, slots=True)
class Bins:
    """How a range of days is cut into bars: ``days`` per bar (1, 7 or 30) from ``first`` to ``last``."""

    first: date
    last: date
    days: int

    @property
    def unit(self) -> str:
        return {1: "day", 7: "week"}.get(self.days, "30 days")

    def count(self) -> int:
        return ((self.last - self.first).days // self.days) + 1

    def index(self, day: date) -> int:
        return (day - self.first).days // self.days

    def start(self, i: int) -> date:
        return self.first + timedelta(days=i * self.days)


def bins_for(first: date, last: date) -> Bins:
    """Days per bar for the range: a day while that keeps to ~MAX_BARS bars, else a week, else 30 days."""
    if last < first:
        raise ValueError(f"chart range runs backwards: {first} > {last}")
    span = (last - first).days + 1
    for days in (1, 7, 30):
        if span <= MAX_BARS * days:
            return Bins(first, last, days)
    return Bins(first, last, 30)


def binned(daily: dict[date, int], bins: Bins) -> list[int]:
    """Counts per bar; days outside the range are ignored."""
    values = [0] * bins.count()
    for day, n in daily.items():
        if bins.first <= day <= bins.last:
            values[bins.index(day)] += n
    return values


def releases_chart(series: dict[str, dict[date, int]], first: date, last: date) -> str:
    """An SVG (text) with one row of bars per source over ``first``..``last`` and each row's total."""
    bins = bins_for(first, last)
    rows = {name: binned(days, bins) for name, days in sorted(series.items())}
    top = max((v for values in rows.values() for v in values), default=0)
    plot = WIDTH - LABEL_WIDTH - TOTAL_WIDTH
    slot = plot / bins.count()
    bar = max(slot * 0.8, 0.5)
    height = TOP + ROW_HEIGHT * max(len(rows), 1) + BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" viewBox="0 0 {WIDTH} {height}" '
        'font-family="sans-serif" font-size="12">',
        f'<title>Releases per {bins.unit}, {first} .. {last}</title>',
        '<rect width="100%" height="100%" fill="white"/>',
        f'<text x="4" y="16" font-weight="bold">Releases per {bins.unit}, {first} .. {last}'
        f' (tallest bar: {top})</text>',
        f'<text x="{WIDTH - 4}" y="16" text-anchor="end" fill="#555">total</text>',
    ]
    for r, (name, values) in enumerate(rows.items()):
        y = TOP + r * ROW_HEIGHT
        base = y + ROW_HEIGHT - 6
        out.append(f'<text x="4" y="{base - 4}">{escape(name)}</text>')
        out.append(f'<line x1="{LABEL_WIDTH}" y1="{base}" x2="{LABEL_WIDTH + plot:.1f}" y2="{base}" stroke="{EMPTY_COLOUR}"/>')
        for i, value in enumerate(values):
            if not value:
                continue
            h = max((ROW_HEIGHT - 10) * value / top, 1.5)
            x = LABEL_WIDTH + i * slot
            out.append(f'<rect x="{x:.1f}" y="{base - h:.1f}" width="{bar:.1f}" height="{h:.1f}" fill="{BAR_COLOUR}">'
                       f'<title>{escape(name)} {bins.start(i)}: {value}</title></rect>')
        out.append(f'<text x="{WIDTH - 4}" y="{base - 4}" text-anchor="end">{sum(values)}</text>')
    if not rows:
        out.append(f'<text x="{LABEL_WIDTH}" y="{TOP + 18}" fill="#555">no sources</text>')
    axis = height - 8
    out.append(f'<text x="{LABEL_WIDTH}" y="{axis}" fill="#555">{first}</text>')
    out.append(f'<text x="{LABEL_WIDTH + plot:.1f}" y="{axis}" text-anchor="end" fill="#555">{last}</text>')
    out.append("</svg>")
    return "\n".join(out)


def data_uri(svg: str) -> str:
    """The SVG as a ``data:`` URI (base64, so markdown never mistakes its characters for syntax)."""
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")
