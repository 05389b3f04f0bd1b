"""The checkout's bytecode, compiled before anything is timed.

The peers run from a virtual environment whose packages uv installed with their bytecode. govpress
runs from its checkout (an editable install), and where ``PYTHONDONTWRITEBYTECODE`` is set, as in
the build machine's sessions, nothing ever writes bytecode for it: every timed process compiled the
sources of govpress and the parsers again (the run's process, the parse workers' fork server, the
reparse): compiling all of them takes about 0.16 CPU-s. An installed wheel has its bytecode (uv's
``compile-bytecode``), so the benchmarks compile the checkout's once, first, and time the code as
installed. ``__pycache__`` is ignored by git.
"""

from __future__ import annotations

import compileall
import re
from pathlib import Path

PACKAGES = ("govpress", "parsers", "flows", "bench")
_NOT_OURS = re.compile(r"[/\\]bench[/\\]out[/\\]")
"""bench/out holds the peers' virtual environment and the generated site: not compiled here."""


def compile_tree(root: Path) -> None:
    """Write the bytecode of the packages under ``root`` (those not up to date)."""
    for name in PACKAGES:
        if (root / name).is_dir():
            compileall.compile_dir(root / name, quiet=1, rx=_NOT_OURS)
