"""The generated site for the benchmarks: written once, served by its own process, with a registry for it.

The server runs in a separate process (``python -m govpress.demo.localsite serve``) so that
neither govpress nor the Scrapy peer pays for serving pages in its own CPU time; both fetch
from the same server. :func:`unthrottled` lifts the per-host politeness of the demo registry
(100 requests/s, 8 at a time): the end-to-end figures compare the clients, not the rate limit.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from govpress.registry import Registry

# The site's generator and the demo registry are imported where used: bench/govpress_run.py imports
# this module for load() and unthrottled(), and the timed run should pay only for what govpress imports.

CONCURRENCY = 16
"""Requests in flight per host for both clients (Scrapy's CONCURRENT_REQUESTS_PER_DOMAIN)."""
UNTHROTTLED_RATE = 1e9
"""Request starts a second per host in the bench's runs: a token every nanosecond, so no request waits for one, as
the Scrapy peer runs (DOWNLOAD_DELAY = 0). At 10,000 a second with the bucket's burst of 1 the requests queued
behind each other's tenth of a millisecond, which cost govpress's event loop 25-55 ms of CPU a 653-page run that
the peer does not pay (bench/results.md, perf-fetch23). The registry caps a source at 100 a second; the bench
lifts it past the cap on purpose (``model_copy`` does not validate)."""


def generated_site(folder: Path, per_source: int = 170) -> int:
    """Write the generated site (four editions: feed, sitemap, two listings) once; returns its release pages (web only)."""
    manifest_file = folder / "site.json"
    # Written once per version of the generator: a site left by an older one may lack channels the
    # demo registry now reads (it is regenerated, not served stale).
    import hashlib
    import shutil

    from govpress.demo.localsite import generate_site, generator

    stamp = hashlib.sha256(Path(generator.__file__).read_bytes() + str(per_source).encode()).hexdigest()[:16]
    stamp_file = folder / ".generator"
    if not manifest_file.exists() or not stamp_file.exists() or stamp_file.read_text() != stamp:
        shutil.rmtree(folder, ignore_errors=True)
        generate_site(folder, per_source=per_source)
        stamp_file.write_text(stamp)
    from govpress.demo.localsite.generator import load_manifest

    # The documents are files on disk (a ``files`` source), not pages of the site: not counted.
    return sum(1 for r in load_manifest(folder).releases() if r.publisher != "docs")


@contextmanager
def served(folder: Path) -> Iterator[str]:
    """Serve ``folder`` from a child process on a free loopback port; yields the base URL."""
    proc = subprocess.Popen([sys.executable, "-m", "govpress.demo.localsite", "serve", "--root", str(folder),
                             "--shared", ""], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    try:
        line = proc.stdout.readline()
        match = re.search(r" at (http://\S+?)/?$", line.strip())
        if not match:
            raise RuntimeError(f"the site server did not start: {line!r}")
        yield match.group(1)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def registry_text(base_url: str) -> str:
    """The demo registry of the generated site (no ``files`` source), as TOML."""
    from govpress.demo.reliability import DEMO_TEMPLATE

    text = DEMO_TEMPLATE.read_text(encoding="utf-8").replace("{base}", base_url).replace("{seed}", "/nonexistent")
    blocks = re.split(r"(?m)^(?=\[\[source\]\])", text)
    kept = [b for b in blocks if not b.lstrip().startswith("[[source]]") or 'kind = "files"' not in b]
    return "".join(kept)


def unthrottled(registry: Registry) -> Registry:
    """The same sources with politeness lifted: no rate limit to speak of, CONCURRENCY requests in flight."""
    sources = [s.model_copy(update={"rate_limit": UNTHROTTLED_RATE, "concurrency": CONCURRENCY}) for s in registry.source]
    return registry.model_copy(update={"source": sources})


def load(path: Path) -> Registry:
    return Registry.model_validate(tomllib.loads(path.read_text(encoding="utf-8")))
