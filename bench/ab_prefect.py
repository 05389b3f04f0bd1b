"""Alternating A/B of Prefect's share between code trees: ``govpress ingest`` plain, with its temporary API, and with a
running server, timed in wall and in CPU of the whole process tree (issue 14).

Each round runs, per tree (the trees' order turns round every round), ``python -m govpress.cli ingest`` on the
demo registry of the generated site (bench/site.py, 653 release pages; or ``--registry``) into a fresh database:

- ``plain``: ``--without-prefect``;
- ``temporary``: the command starts its own temporary API (flows/temporary_api.py);
- ``running``: against a server of that tree started (``python -m govpress.flows.temporary_api PORT``, as
  ``python -m bench`` starts it) and healthy before the call, ``PREFECT_API_URL`` set.

CPU is the process tree's: this script makes itself the children's subreaper (Linux ``PR_SET_CHILD_SUBREAPER``), so
the temporary server the command asks to stop and does not wait for, and anything else it leaves, is reparented here
and reaped, its CPU counted (``python -m bench`` and bench/compare_prefect.py do not count it). For ``running``, the
server's own CPU during the call is printed apart (from /proc). All trees share one ``PREFECT_HOME`` (migrated by a
first, uncounted call). Prints every call with the load average, then per tree and kind the medians of wall, tree
CPU and (running) server CPU, and Prefect's added wall and share against that tree's plain calls (per round, then the
median). Only figures of one run of this script compare.

    git -C /work/main archive main | tar -x -C /tmp/before
    uv run python bench/ab_prefect.py --tree before=/tmp/before --tree now=. --rounds 6
"""

from __future__ import annotations

import argparse
import ctypes
import os
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench import site
from bench.__main__ import loadavg
from bench.probe_writer_lease import children_of
from bench.bytecode import compile_tree

ROOT = Path(__file__).resolve().parent.parent
KINDS = ("plain", "temporary", "running")
PR_SET_CHILD_SUBREAPER = 36


def become_subreaper() -> None:
    """Orphans of our descendants come to us (Linux), so their CPU is counted when they are reaped."""
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "prctl(PR_SET_CHILD_SUBREAPER)")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def own_children(keep: set[int]) -> list[int]:
    """Our live children (orphans reparented here included) but ``keep``."""
    return [pid for pid in children_of(os.getpid()) if pid not in keep]


def reap_all(keep: set[int], timeout: float = 30.0) -> None:
    """Wait for every child but ``keep`` (a temporary server stops 0.2-0.3 s after the command asked it to).

    Polled, never a blocking ``waitpid``: an orphan that does not end (a govpress bug worth seeing) would
    otherwise hang the benchmark. Those still alive at the deadline are named and killed, so the next
    call's CPU is not theirs."""
    deadline = time.monotonic() + timeout
    while pids := own_children(keep):
        for pid in pids:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                pass
        if time.monotonic() > deadline:
            for pid in own_children(keep):
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                except OSError:
                    command = "?"
                print(f"  still running {timeout:.0f} s after the call, killed: {pid} {command[:160]}", flush=True)
                try:
                    os.kill(pid, signal.SIGKILL)
                    os.waitpid(pid, 0)
                except (ProcessLookupError, ChildProcessError):
                    pass
            break
        time.sleep(0.02)


def process_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def call(tree: Path, kind: str, registry: Path, db: Path, env: dict, keep: set[int]) -> tuple[float, float]:
    """Wall seconds to the command's exit and CPU seconds of its whole tree (reaped after it)."""
    command = [sys.executable, "-m", "govpress.cli", "ingest", "--sources-file", str(registry), "--db", str(db)]
    if kind == "plain":
        command.append("--without-prefect")
    cpu, started = children_cpu(), time.perf_counter()
    done = subprocess.run(command, cwd=tree, env={**env, "PYTHONPATH": str(tree)}, capture_output=True, text=True)
    wall = time.perf_counter() - started
    reap_all(keep)
    if done.returncode != 0:
        raise SystemExit(f"{tree} {kind} failed ({done.returncode}):\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}")
    return wall, children_cpu() - cpu


def running_call(tree: Path, registry: Path, db: Path, env: dict, keep: set[int]) -> tuple[float, float, float]:
    """A call against a server of ``tree`` started before it; also the server's CPU during the call."""
    from govpress.flows.serve import wait_healthy
    from govpress.flows.temporary_api import free_port

    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "govpress.flows.temporary_api", str(port)], cwd=tree,
                              env={**env, "PYTHONPATH": str(tree)}, stdin=subprocess.PIPE,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        url = f"http://127.0.0.1:{port}/api"
        wait_healthy(url, server, timeout=180)
        time.sleep(1.0)  # its lifespan's first services' work, as a server running for a while has done it
        before = process_cpu(server.pid)
        wall, cpu = call(tree, "running", registry, db, {**env, "PREFECT_API_URL": url}, keep | {server.pid})
        return wall, cpu, process_cpu(server.pid) - before
    finally:
        server.stdin.close()
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tree", action="append", required=True, metavar="NAME=PATH",
                        help="a copy of govpress to run (repeatable; two or more)")
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--kind", action="append", choices=KINDS, help="what to time (repeatable; default all three)")
    parser.add_argument("--registry", type=Path, help="a registry to use instead of serving the generated site's")
    args = parser.parse_args()
    trees = {name: Path(path).resolve() for name, path in (t.split("=", 1) for t in args.tree)}
    kinds = [k for k in KINDS if k in (args.kind or KINDS)]
    if "plain" not in kinds:
        kinds.insert(0, "plain")  # the share is against it
    become_subreaper()
    for tree in trees.values():
        compile_tree(tree)  # as installed (bench/bytecode.py)
    results: dict[tuple[str, str], list[tuple[float, float, float]]] = {(n, k): [] for n in trees for k in kinds}
    with tempfile.TemporaryDirectory(prefix="govpress-ab-prefect-") as folder:
        work = Path(folder)
        env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
        env["PREFECT_HOME"] = str(work / "prefect-home")
        if args.registry is None:
            site.generated_site(ROOT / "bench" / "out" / "site")  # written once per version of the generator
        with (site.served(ROOT / "bench" / "out" / "site") if args.registry is None else _given(args.registry)) as base:
            if args.registry is None:
                registry = work / "sources.toml"
                registry.write_text(site.registry_text(base), encoding="utf-8")
            else:
                registry = args.registry.resolve()
            # The site's server is a child of this script too: never reaped (nor killed) as a call's leftover.
            serving = set(own_children(set()))
            first = next(iter(trees.values()))
            call(first, "temporary", registry, work / "warm" / "g.duckdb", env, serving)  # migrates the home; not counted
            names = list(trees)
            for number in range(args.rounds):
                for kind in kinds:
                    for name in names if number % 2 == 0 else names[::-1]:
                        db = work / f"{name}-{kind}-{number}" / "g.duckdb"
                        if kind == "running":
                            wall, cpu, server = running_call(trees[name], registry, db, env, serving)
                        else:
                            (wall, cpu), server = call(trees[name], kind, registry, db, env, serving), 0.0
                        results[(name, kind)].append((wall, cpu, server))
                        extra = f" + server {server:5.2f} CPU-s" if kind == "running" else ""
                        print(f"round {number + 1} {name:8s} {kind:9s} {wall:6.2f} s  tree {cpu:6.2f} CPU-s{extra}  "
                              f"(load {loadavg()})", flush=True)
            summary(trees, kinds, results)  # before the work folder's removal (minutes on a busy disk)


def summary(trees: dict[str, Path], kinds: list[str], results: dict[tuple[str, str], list[tuple[float, float, float]]]) -> None:
    print()
    for name in trees:
        plain = results[(name, "plain")]
        for kind in kinds:
            rows = results[(name, kind)]
            wall = statistics.median(r[0] for r in rows)
            cpu = statistics.median(r[1] for r in rows)
            line = f"{name:8s} {kind:9s} median {wall:6.2f} s  tree {cpu:6.2f} CPU-s"
            if kind == "running":
                line += f" + server {statistics.median(r[2] for r in rows):5.2f} CPU-s"
            if kind != "plain":
                added = statistics.median(r[0] - p[0] for r, p in zip(rows, plain))
                added_cpu = statistics.median(r[1] + r[2] - p[1] for r, p in zip(rows, plain))
                share = statistics.median(1 - p[0] / r[0] for r, p in zip(rows, plain))
                line += f"  added {added:+.2f} s, {added_cpu:+.2f} CPU-s; share {share:.1%}"
            print(line, flush=True)
    first, *others = trees
    for other in others:
        for kind in kinds[1:]:
            walls = [o[0] - f[0] for o, f in zip(results[(other, kind)], results[(first, kind)])]
            cpus = [o[1] + o[2] - f[1] - f[2] for o, f in zip(results[(other, kind)], results[(first, kind)])]
            print(f"{other} against {first}, {kind}: wall per round {' '.join(f'{w:+.2f}' for w in walls)} (lower in "
                  f"{sum(w < 0 for w in walls)} of {len(walls)}); CPU {' '.join(f'{c:+.2f}' for c in cpus)} (lower in "
                  f"{sum(c < 0 for c in cpus)} of {len(cpus)})", flush=True)


class _given:
    """A registry given on the command line: nothing to serve."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __enter__(self) -> str:
        return str(self.path)

    def __exit__(self, *exc) -> None:
        return None


if __name__ == "__main__":
    main()
