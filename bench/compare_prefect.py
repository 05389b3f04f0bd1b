"""Prefect's share of a demo-sized ``govpress ingest``, for two code bases alternating in one run (issue 14).

``uv run python bench/compare_prefect.py --other /tmp/prefect4-main [--rounds 2]`` serves the generated
site (bench/site.py), then per round runs, for this checkout and the other one (a ``git archive`` of
another commit, importing its own ``govpress``: the command runs in its folder), in alternating
order: ``govpress ingest --without-prefect``, ``govpress ingest`` against a server already running
(started as ``python -m bench`` starts it, before the call), and ``govpress ingest`` starting its
temporary API. Every call gets a fresh database; both code bases share one ``PREFECT_HOME`` (migrated
by a first call that is not counted). Prints each call's wall and CPU seconds with the load average,
then the medians and Prefect's share (1 - plain / Prefect) per code base, also against the median of both
code bases' plain runs (the same code when only Prefect's files differ: a steadier baseline).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from bench import site
from bench.__main__ import loadavg, timed

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("plain", "running", "temporary")


def call(root: Path, kind: str, registry: Path, db: Path, env: dict) -> tuple[float, float]:
    command = [sys.executable, "-m", "govpress.cli", "ingest", "--sources-file", str(registry), "--db", str(db)]
    run = timed(command + (["--without-prefect"] if kind == "plain" else []), env=env, cwd=root)
    return run.wall, run.cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--other", type=Path, required=True, help="the other code base (e.g. main via git archive)")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--site", type=Path, default=ROOT / "bench" / "out" / "site", help="the generated site's folder")
    args = parser.parse_args()
    from govpress.flows.serve import stop_process, wait_healthy
    from govpress.flows.temporary_api import free_port

    bases = {"this": ROOT, "other": args.other.resolve()}
    times: dict[tuple[str, str], list[tuple[float, float]]] = {}
    site.generated_site(args.site)  # written once per version of the generator
    with tempfile.TemporaryDirectory(prefix="govpress-prefect-share-") as tmp, site.served(args.site) as base:
        work = Path(tmp)
        registry = work / "demo-sources.toml"
        registry.write_text(site.registry_text(base), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env["PREFECT_HOME"] = str(work / "prefect-home")
        call(ROOT, "temporary", registry, work / "warm" / "g.duckdb", env)  # migrates the shared home; not counted
        for number in range(args.rounds):
            port = free_port()
            server = subprocess.Popen([sys.executable, "-m", "govpress.flows.temporary_api", str(port)], env=env, cwd=ROOT,
                                      stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            try:
                url = f"http://127.0.0.1:{port}/api"
                wait_healthy(url, server, timeout=180)
                order = list(bases) if number % 2 == 0 else list(reversed(bases))
                for kind in KINDS:
                    for name in order:
                        kind_env = {**env, "PREFECT_API_URL": url} if kind == "running" else env
                        db = work / f"{name}-{kind}-{number}" / "g.duckdb"
                        wall, cpu = call(bases[name], kind, registry, db, kind_env)
                        times.setdefault((name, kind), []).append((wall, cpu))
                        print(f"round {number + 1} {name:5s} {kind:9s} {wall:6.1f} s wall {cpu:6.1f} s CPU  (load {loadavg()})",
                              flush=True)
            finally:
                stop_process(server)
    # When only Prefect's files differ, both plain paths are the same code: their pooled median is the
    # steadier baseline (on a loaded machine one code base's plain median alone moved by 20%).
    pooled = statistics.median(w for name in bases for w, _ in times[(name, "plain")])
    for name in bases:
        plain = statistics.median(w for w, _ in times[(name, "plain")])
        for kind in KINDS:
            wall = statistics.median(w for w, _ in times[(name, kind)])
            cpu = statistics.median(c for _, c in times[(name, kind)])
            share = "" if kind == "plain" else (f"  Prefect's share {1 - plain / wall:.0%} "
                                                f"(against both plain runs' median {pooled:.1f} s: {1 - pooled / wall:.0%})")
            print(f"{name:5s} {kind:9s} median {wall:6.1f} s wall {cpu:6.1f} s CPU{share}")


if __name__ == "__main__":
    main()
