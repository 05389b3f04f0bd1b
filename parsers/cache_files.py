"""Digest-checked marshal files in govpress's cache folder (the compiled patterns of :mod:`regex_cache`, the generated
code of ``govpress.code_cache``): a file is read whole or not at all, and rewritten atomically.

Both caches only ever save time: a missing, damaged or foreign file reads as empty, and a file that cannot be
written is the caller's to ignore.
"""

from __future__ import annotations

import hashlib
import marshal
import os
from pathlib import Path

_DIGEST = 32
"""Bytes of the SHA-256 digest of the payload that opens each file."""


def read_entries(path: Path | None) -> dict:
    """The file's dict; ``{}`` when there is no path or file, or its digest, its marshal data or its type is wrong."""
    if path is None:
        return {}
    try:
        raw = path.read_bytes()
        digest, payload = raw[:_DIGEST], raw[_DIGEST:]
        if hashlib.sha256(payload).digest() != digest:
            return {}
        entries = marshal.loads(payload)
    except (OSError, EOFError, ValueError, TypeError):
        return {}
    return entries if isinstance(entries, dict) else {}


def write_merged(path: Path, used: dict, stored: dict, keep: int = 4) -> None:
    """Write ``used``, then ``stored``'s other entries until the file holds ``keep`` times as many as ``used`` (two
    checkouts on one machine share a file without growing it for ever), atomically (a reader never sees half a file).
    Raises what the disk raises."""
    import tempfile

    entries = dict(used)
    for key, value in stored.items():
        if len(entries) >= keep * len(used):
            break
        entries.setdefault(key, value)
    payload = marshal.dumps(entries)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=path.name + ".", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(hashlib.sha256(payload).digest() + payload)
        os.replace(staging, path)
    finally:
        if os.path.exists(staging):
            os.unlink(staging)
