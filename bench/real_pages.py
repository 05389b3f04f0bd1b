"""The real saved article pages the parser benchmarks time: one table for bench_parse.py,
bench_extract.py (section 2 and the command on the real pages) and ab_parse.py (``--set articles``).

Paths are under ../shared/pages (``GOVPRESS_SHARED`` overrides the folder; pages are read from
there, never copied into the repository), each with its source's time zone.
"""

from __future__ import annotations

REAL_PAGES: dict[str, str] = {
    "europarl/press-release_20190712IPR56948.html": "Europe/Brussels",
    "europarl/press-release_20201217IPR94207.html": "Europe/Brussels",
    "europarl/press-release_20221014IPR43206.html": "Europe/Brussels",
    "europarl/press-release_20241212IPR25960.html": "Europe/Brussels",
    "europarl/press-release_20250204IPR26689.html": "Europe/Brussels",
    "other_gov/bmjv.de_press_konsum.html": "Europe/Berlin",
    "other_gov/eza.gv.at_press_release_2018-07.html": "Europe/Vienna",
}
"""Path under ../shared/pages -> the source's time zone."""
