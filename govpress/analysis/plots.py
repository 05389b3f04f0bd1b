"""The report's charts as inline SVG, drawn with matplotlib.

Why matplotlib SVG rather than Vega-Lite: the report must open with no network and stay one
file. Vega-Lite needs its JavaScript runtime (~800 KB) inlined into every report and a browser
to draw anything; matplotlib writes finished vector graphics that any browser, e-mail client or
file viewer shows, with no script to run (nothing to audit for requests), and it is the
library Python analysts already use. Text stays text (``svg.fonttype = 'none'``): searchable,
small, drawn in the reader's sans-serif font. Each figure gets its own id salt so that the
clip-path ids of several SVGs in one page never collide.

Every data mark (a bar, a heatmap mesh) carries an id starting with ``mark-`` so tests (and
curious readers of the source) can tell data from axes.

Figures are made with ``matplotlib.figure.Figure`` directly (no pyplot state), so drawing is
safe in a flow's worker thread.
"""

from __future__ import annotations

import io


import matplotlib
from matplotlib.figure import Figure

from govpress.analysis.sections import ChangesOverTime, Coverage, HourGrid, SyndicationPair, WeeklySeries

UNIQUE, COPIES, EDITS, GONE = "#1f5f8b", "#f0a04b", "#6a4c93", "#c0392b"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COLUMNS = 3


def to_svg(fig: Figure, name: str) -> str:
    """The figure as an ``<svg>`` element (no XML prolog), ids salted with ``name``."""
    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": name, "font.family": "sans-serif"}):
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None, "Creator": None})
    text = buffer.getvalue()
    return text[text.index("<svg"):]


def _mark(artists, name: str, start: int = 0) -> int:
    for n, artist in enumerate(artists, start=start):
        artist.set_gid(f"mark-{name}-{n}")
    return start + len(artists)


def _grid(n: int, width: float = 4.2, height: float = 2.2) -> tuple[Figure, list]:
    rows = (n + COLUMNS - 1) // COLUMNS
    cols = min(n, COLUMNS)
    fig = Figure(figsize=(width * cols, height * rows), layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False).ravel().tolist()
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def weekly(series: list[WeeklySeries]) -> str:
    """Small multiples: one panel per source, stacked weekly bars of unique releases and copies."""
    fig, axes = _grid(len(series))
    n = 0
    for ax, s in zip(axes, series):
        unique = ax.bar(s.weeks, s.unique, width=6, color=UNIQUE, label="unique")
        copies = ax.bar(s.weeks, s.copies, width=6, bottom=s.unique, color=COPIES, label="copies")
        n = _mark(list(unique) + list(copies), "weekly", n)
        ax.set_title(f"{s.source_id}  ({sum(s.unique)} unique, {sum(s.copies)} copies)", fontsize=9)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(matplotlib.dates.AutoDateLocator(minticks=2, maxticks=5, interval_multiples=False))
        ax.xaxis.set_major_formatter(matplotlib.dates.DateFormatter("%Y-%m-%d"))
        ax.yaxis.get_major_locator().set_params(integer=True)
    axes[0].legend(fontsize=7, loc="upper left")
    return to_svg(fig, "weekly")


def hours(grids: list[HourGrid]) -> str:
    """One heatmap per source: weekday by hour of publication in the source's zone."""
    fig, axes = _grid(len(grids), width=4.2, height=2.0)
    for n, (ax, grid) in enumerate(zip(axes, grids)):
        mesh = ax.pcolormesh(range(25), range(8), grid.counts, cmap="Blues", vmin=0, edgecolors="white", linewidth=0.3)
        mesh.set_gid(f"mark-hours-{n}")
        ax.set_title(f"{grid.source_id}  ({grid.timezone}, {grid.timed} releases)", fontsize=9)
        ax.set_yticks([i + 0.5 for i in range(7)], WEEKDAYS, fontsize=7)
        ax.set_xticks([0, 6, 12, 18, 24], ["0h", "6h", "12h", "18h", "24h"], fontsize=7)
        ax.invert_yaxis()
    return to_svg(fig, "hours")


def changes(data: ChangesOverTime) -> str:
    """Weekly edits (new versions) and withdrawals (pages found gone), side by side."""
    fig = Figure(figsize=(10, 2.8), layout="constrained")
    ax = fig.subplots()
    edits = ax.bar([d.toordinal() - 1.5 for d in data.weeks], data.edits, width=3, color=EDITS, label="edits (new versions)")
    gone = ax.bar([d.toordinal() + 1.5 for d in data.weeks], data.withdrawals, width=3, color=GONE,
                  label="withdrawals (pages gone)")
    _mark(list(edits) + list(gone), "changes")
    ticks = data.weeks[:: max(1, len(data.weeks) // 8)]
    ax.set_xticks([d.toordinal() for d in ticks], [d.isoformat() for d in ticks], fontsize=7)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.set_ylabel("per week", fontsize=8)
    ax.legend(fontsize=7)
    return to_svg(fig, "changes")


def syndication(pairs: list[SyndicationPair]) -> str:
    """Who copies whom: a matrix of copies, copier sources down, first publishers across."""
    copiers = sorted({p.copier for p in pairs})
    publishers = sorted({p.publisher for p in pairs})
    matrix = [[0] * len(publishers) for _ in copiers]
    for p in pairs:
        matrix[copiers.index(p.copier)][publishers.index(p.publisher)] = p.copies
    fig = Figure(figsize=(2.5 + 1.1 * len(publishers), 1.2 + 0.45 * len(copiers)), layout="constrained")
    ax = fig.subplots()
    mesh = ax.pcolormesh(range(len(publishers) + 1), range(len(copiers) + 1), matrix, cmap="Oranges", vmin=0,
                         edgecolors="white", linewidth=1)
    mesh.set_gid("mark-syndication-0")
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                ax.text(j + 0.5, i + 0.5, str(value), ha="center", va="center", fontsize=8)
    ax.set_xticks([j + 0.5 for j in range(len(publishers))], publishers, fontsize=7, rotation=30, ha="right")
    ax.set_yticks([i + 0.5 for i in range(len(copiers))], copiers, fontsize=7)
    ax.set_xlabel("first publisher", fontsize=8)
    ax.set_ylabel("copied by", fontsize=8)
    ax.invert_yaxis()
    return to_svg(fig, "syndication")


def coverage(groups: list[Coverage]) -> str:
    """Per source group, the share of its stories available in each language."""
    fig, axes = _grid(len(groups), width=3.4, height=2.2)
    n = 0
    for ax, group in zip(axes, groups):
        languages = sorted(group.by_language)
        shares = [group.by_language[lang] / group.stories for lang in languages]
        bars = ax.bar(languages, shares, color=UNIQUE)
        n = _mark(list(bars), "coverage", n)
        for bar, lang in zip(bars, languages):
            ax.text(bar.get_x() + bar.get_width() / 2, bar.get_height(), f"{group.by_language[lang]}", ha="center",
                    va="bottom", fontsize=7)
        ax.set_ylim(0, 1.15)
        ax.set_title(f"{group.group}  ({group.stories} stories)", fontsize=9)
        ax.tick_params(labelsize=7)
    return to_svg(fig, "coverage")


