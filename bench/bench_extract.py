"""``govpress extract --manifest`` against trafilatura, and the generic parser against trafilatura, in one run.

Run: ``uv run python bench/bench_extract.py [--copies N] [--rounds N]``. Not part of the test suite.

1. The command as a user runs it (``govpress extract --manifest``: process start, site-name
   learning, the process pool, JSON out) over the development set's pages (tests/fixtures/
   extraction, the real ones read from ../shared) repeated ``--copies`` times, against
   ``trafilatura.bare_extraction(with_metadata=True)`` over the same pages in this process
   (no start-up cost counted for it).
   Then the same command over the real saved article pages alone (a small set, where the
   process start weighs most).
2. ``generic.parse`` against ``trafilatura.extract`` (default options) on the real saved
   article pages in ../shared/pages, one core each, median of ``--rounds``.

Both comparisons alternate the two sides round by round (the machine is shared: its speed drifts
within a run) and print the median of the rounds' ratios. Prints pages/s and the ratios
(targets: at least 3x for both).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))  # real_pages.py beside this script, also when it is not run as one
from real_pages import REAL_PAGES  # noqa: E402  the real saved pages: one table for the parser benchmarks
SHARED = Path(os.environ.get("GOVPRESS_SHARED", ROOT.parent / "shared"))
DEV_SET = ROOT / "tests" / "fixtures" / "extraction" / "manifest.jsonl"


def dev_entries() -> list[dict]:
    entries = []
    for line in DEV_SET.read_text(encoding="utf-8").splitlines():
        if line.strip():
            entry = json.loads(line)
            path = (DEV_SET.parent / entry["file"]).resolve()
            if path.exists():
                entries.append(entry | {"file": str(path)})
    return entries


def real_entries() -> list[dict]:
    """The real saved article pages alone (a small set: the command's start-up cost weighs most here)."""
    return [{"file": str(SHARED / "pages" / name), "url": "https://example.org/" + name, "timezone": zone}
            for name, zone in REAL_PAGES.items() if (SHARED / "pages" / name).exists()]


def bench_command(copies: int, rounds: int, entries: list[dict] | None = None, label: str = "") -> None:
    import trafilatura

    entries = entries if entries is not None else dev_entries() * copies
    if not entries:
        print(f"extract --manifest{label}: no pages")
        return
    pages = [(Path(e["file"]).read_bytes(), e.get("url")) for e in entries]
    with tempfile.TemporaryDirectory() as tmp:
        manifest = Path(tmp) / "manifest.jsonl"
        manifest.write_text("".join(json.dumps(e, ensure_ascii=False) + "\n" for e in entries), encoding="utf-8")

        cpu: list[tuple[float, float]] = []  # (ours, theirs) CPU seconds per round: what the load cannot inflate

        def ours() -> float:
            start = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run([sys.executable, "-m", "govpress.cli", "extract", "--manifest", str(manifest)],
                                  cwd=ROOT, capture_output=True, text=True, check=False)
            elapsed = time.perf_counter() - start
            after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the command and its pool's workers
            cpu.append(((after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime), 0.0))
            records = [json.loads(line) for line in done.stdout.splitlines() if line.strip()]
            assert len(records) == len(entries), done.stderr[-2000:]
            return elapsed

        def theirs() -> float:
            start, started = time.perf_counter(), time.process_time()
            for body, url in pages:
                trafilatura.bare_extraction(body, url=url, with_metadata=True)
            cpu[-1] = (cpu[-1][0], time.process_time() - started)
            return time.perf_counter() - start

        # trafilatura warmed up first (its first call loads its own data): otherwise the first round
        # counts that against it. Alternated rounds: a machine shared with other work changes speed
        # within a run, and each round's ratio compares the two sides under the same load.
        trafilatura.bare_extraction(pages[0][0], url=pages[0][1], with_metadata=True)
        times = [(ours(), theirs()) for _ in range(rounds)]
    a = statistics.median(t for t, _ in times)
    b = statistics.median(t for _, t in times)
    ratios = [t / o for o, t in times]
    size = sum(len(p) for p, _ in pages) / len(pages) / 1024
    print(f"extract --manifest{label} over {len(entries)} pages (mean {size:.0f} KB, {os.cpu_count()} cores, process start "
          f"included), {rounds} alternated rounds, load average {os.getloadavg()[0]:.1f}")
    print(f"  govpress extract --manifest           {len(entries) / a:8.1f} pages/s  (median {a:.1f} s)")
    print(f"  trafilatura bare_extraction+metadata  {len(entries) / b:8.1f} pages/s  (median {b:.1f} s)")
    print(f"  ratio                                 {statistics.median(ratios):8.1f}x  (median of rounds "
          f"{', '.join(f'{r:.1f}' for r in ratios)}; target >= 3x)")
    cpu_ratios = [t / o for o, t in cpu if o > 0]
    print(f"  CPU seconds, all processes: govpress {statistics.median(o for o, _ in cpu):.1f}, trafilatura "
          f"{statistics.median(t for _, t in cpu):.1f}; ratio {statistics.median(cpu_ratios):.1f}x (rounds "
          f"{', '.join(f'{r:.1f}' for r in cpu_ratios)}; the pool's workers count, so this is the work, not the wait)")


def bench_parser(rounds: int) -> None:
    import trafilatura

    from govpress.parsers import generic
    from govpress.parsers.release import ParseContext

    pages = [((SHARED / "pages" / name).read_bytes(), ParseContext(timezone=zone), name)
             for name, zone in REAL_PAGES.items() if (SHARED / "pages" / name).exists()]
    if not pages:
        print(f"no saved pages under {SHARED / 'pages'}: parser comparison skipped")
        return

    def ours() -> float:
        start = time.perf_counter()
        for body, ctx, name in pages:
            generic.parse(body, "https://example.org/" + name, ctx)
        return time.perf_counter() - start

    def theirs() -> float:
        start = time.perf_counter()
        for body, _, name in pages:
            trafilatura.extract(body, url="https://example.org/" + name)
        return time.perf_counter() - start

    ours(), theirs()  # warm-up: imports, language model, regex compilation
    generic.counters.clear()
    times = [(ours(), theirs()) for _ in range(rounds)]  # alternated: both sides under the same load
    consulted = generic.counters["trafilatura_consulted"]
    a, b = statistics.median(t for t, _ in times), statistics.median(t for _, t in times)
    ratios = sorted(t / o for o, t in times)
    size = sum(len(p[0]) for p in pages) / len(pages) / 1024
    print(f"generic parser on the {len(pages)} real saved pages (mean {size:.0f} KB), one core, median of {rounds}")
    print(f"  govpress generic.parse   {len(pages) / a:8.1f} pages/s")
    print(f"  trafilatura.extract      {len(pages) / b:8.1f} pages/s")
    print(f"  ratio                    {statistics.median(ratios):8.1f}x  (median of the rounds' ratios, "
          f"{ratios[0]:.1f}-{ratios[-1]:.1f}; target >= 3x)")
    print(f"  trafilatura consulted by the generic parser on {consulted} of {len(pages) * rounds} parses")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=10, help="times the development set is repeated (default 10)")
    parser.add_argument("--rounds", type=int, default=5, help="alternated rounds of the parser comparison (default 5)")
    parser.add_argument("--command-rounds", type=int, default=3, help="alternated rounds of the command comparison (default 3)")
    args = parser.parse_args()
    print(f"load average at the start: {' '.join(f'{v:.1f}' for v in os.getloadavg())} (the machine is shared: ratios "
          "compare both sides under the same load)")
    bench_command(args.copies, args.command_rounds)
    # The same command on the real pages alone: on a handful of pages the process start dominates.
    bench_command(1, args.command_rounds, real_entries(), label=" (the real saved pages only)")
    bench_parser(args.rounds)


if __name__ == "__main__":
    main()
