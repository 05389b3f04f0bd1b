"""Processes seen through Linux ``/proc``: what the tests of stopping, killing and reaping servers and workers check.

A module of its own (not conftest.py) so that test files can import it by a unique name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path


def children_of(pid: int) -> list[int]:
    """Live processes whose parent is ``pid`` (a run's temporary Prefect API, its parse workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                after_name = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(after_name[1]) == pid and after_name[0] not in ("Z", "X"):
                found.append(int(entry.name))
    return found


def descendants_of(pid: int) -> list[int]:
    """Live processes under ``pid`` at any depth (a run's fork server and the parse workers it forked)."""
    found, parents = [], [pid]
    while parents:
        children = [child for parent in parents for child in children_of(parent)]
        found += children
        parents = children
    return found


def alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, waiting to be reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def json_of_fresh_python(code: str, cache_dir: Path, timeout: float = 120) -> dict:
    """The last line ``code`` prints, as JSON, from a fresh interpreter whose govpress cache folder is ``cache_dir``
    (what the start-up caches' tests compare between a first and a second process)."""
    env = {**os.environ, "GOVPRESS_CACHE_DIR": str(cache_dir)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout, env=env)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])
