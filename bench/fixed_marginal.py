"""A run's fixed and per-page CPU, govpress against the Scrapy peer: where the CPU-per-page ratio can still move.

Run: ``uv run python bench/fixed_marginal.py [--rounds 5]`` (~10 s a round on a quiet machine, once the peers' environment exists). Not part of the test suite.

Both clients run (as ``python -m bench`` runs them: bench/govpress_run.py and bench/peer_spider.py, politeness
lifted) over two generated sites served side by side: a small one (3 releases a source, 12 pages) and the bench's
(170 a source, 653 pages), the order turning every round. From the medians of each client's CPU over all its
processes, fitted as ``fixed + pages * marginal`` through the two sites, it prints:

- the fixed CPU of a run (interpreter, imports, the parse workers' start, the database's first writes, the ends);
- the marginal CPU a page (discovery, fetch, archive, parse, keys, load: what grows with the pages);
- the whole 653-page run's CPU a page, and the ratios of each to the peer's.

``python -m bench``'s CPU ratio is the whole run's; this tells how much of it a cut to a run's fixed part can buy,
and how much only a cut to the per-page work can. Only figures of one run of this script compare.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

from bench import peer, site
from bench.__main__ import peer_config
from bench.bytecode import compile_tree

ROOT = Path(__file__).resolve().parent.parent
SITES = {"small": 3, "bench": 170}
"""Site name -> releases a source of the generated site (four sources)."""


def cpu_of(command: list[str]) -> tuple[float, dict]:
    """CPU seconds of ``command`` and its children (the parse workers: bench/govpress_run.py reaps them), and the
    JSON line it printed last."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        raise SystemExit(f"{command[:3]} failed:\n{done.stderr[-2000:]}")
    lines = done.stdout.strip().splitlines()
    return (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), json.loads(lines[-1]) if lines else {}


def one_run(who: str, registry: Path, pages: int) -> float:
    with tempfile.TemporaryDirectory(prefix="govpress-fixed-") as tmp:
        db = Path(tmp) / "govpress.duckdb"
        if who == "govpress":
            cpu, out = cpu_of([sys.executable, "-m", "bench.govpress_run", "plain", "--registry", str(registry),
                               "--db", str(db)])
            loaded = out.get("counts", {}).get("new")
        else:
            cpu, out = cpu_of([str(peer.python()), str(ROOT / "bench" / "peer_spider.py"), str(peer_config(registry, db))])
            loaded = out.get("pages")
    if loaded != pages:
        raise SystemExit(f"{who} loaded {loaded} of {pages} pages: {out}")
    return cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    peer.ensure()
    compile_tree(ROOT)  # govpress timed as installed, with its bytecode, as the peers are (bench/bytecode.py)
    runs: dict[tuple[str, str], list[float]] = {}
    with tempfile.TemporaryDirectory(prefix="govpress-fixed-sites-") as tmp, ExitStack() as stack:
        registries, pages = {}, {}
        for name, per_source in SITES.items():
            folder = Path(tmp) / name
            pages[name] = site.generated_site(folder, per_source=per_source)
            base = stack.enter_context(site.served(folder))
            registries[name] = Path(tmp) / f"{name}.toml"
            registries[name].write_text(site.registry_text(base), encoding="utf-8")
        for number in range(args.rounds):
            for name in SITES:
                for who in ("govpress", "scrapy") if number % 2 == 0 else ("scrapy", "govpress"):
                    cpu = one_run(who, registries[name], pages[name])
                    runs.setdefault((who, name), []).append(cpu)
                    print(f"  round {number + 1} {who:8s} {name:5s} {pages[name]:4d} pages {cpu:6.3f} CPU-s", flush=True)
    small, big = pages["small"], pages["bench"]
    figures = {}
    for who in ("govpress", "scrapy"):
        cpu_small, cpu_big = statistics.median(runs[(who, "small")]), statistics.median(runs[(who, "bench")])
        marginal = (cpu_big - cpu_small) / (big - small)
        figures[who] = (cpu_small - small * marginal, marginal * 1000, cpu_big / big * 1000)
    print(f"\nmedians of {args.rounds} rounds; a run = fixed + pages x marginal, through the {small}- and {big}-page sites")
    print(f"{'':10s} {'fixed (CPU-s)':>14s} {'marginal (CPU-ms/page)':>23s} {f'whole {big}-page run (CPU-ms/page)':>34s}")
    for who, (fixed, marginal, whole) in figures.items():
        print(f"{who:10s} {fixed:14.3f} {marginal:23.2f} {whole:34.2f}")
    ours, theirs = figures["govpress"], figures["scrapy"]
    print(f"{'ratio':10s} {theirs[0] / ours[0]:13.2f}x {theirs[1] / ours[1]:22.2f}x {theirs[2] / ours[2]:33.2f}x")
    # With no fixed cost at all, the whole run's ratio could reach this much:
    print(f"the whole run's ratio with govpress's fixed part at zero: {theirs[2] / ours[1]:.2f}x; "
          f"the marginal govpress needs for 2x as it stands: {(theirs[2] / 2 - ours[0] * 1000 / big):.2f} CPU-ms/page")


if __name__ == "__main__":
    main()
