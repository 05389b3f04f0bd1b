"""One govpress run as the benchmarks time it, in its own process: ``python -m bench.govpress_run MODE ...``.

Modes:

- ``plain``: ``run_ingest`` without Prefect, as ``govpress ingest --without-prefect`` runs it, over
  the registry with politeness lifted (bench/site.py: the figures compare clients, not rate limits);
- ``reparse``: ``reparse_sources`` over the database's archive (no network), as the reparse flow runs it.

Prints one JSON line: wall seconds, pages, the run's counts and how often the store opened the file.
The parent measures CPU from outside (its children's rusage): for that the parse workers' fork
server is stopped and reaped here before exit, so their CPU is counted too.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import multiprocessing.forkserver
import resource
import time
from pathlib import Path

from govpress.settings import run_imports  # first, as the CLI imports it: the process's environment, OpenBLAS on one thread

with run_imports(parse_server=True):  # as `govpress ingest --without-prefect` imports the run (govpress/cli.py)
    from bench.site import load, unthrottled
    from govpress.plan import RunParams
    from govpress.run import reparse_sources, run_ingest


def stop_fork_server() -> None:
    """Reap the parse workers' fork server (and through it the workers) so the parent's rusage sees their CPU."""
    server = multiprocessing.forkserver._forkserver
    if getattr(server, "_forkserver_pid", None):
        server._stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("mode", choices=["plain", "reparse"])
    parser.add_argument("--registry", type=Path, required=True)
    parser.add_argument("--db", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    if args.mode == "plain":
        registry = unthrottled(load(args.registry))
        result = asyncio.run(run_ingest(registry, registry.source, db=args.db, params=RunParams(),
                                        base_dir=args.registry.parent, flow="bench"))
    else:
        result = asyncio.run(reparse_sources(db=args.db, sources_file=args.registry))
    wall = time.perf_counter() - started
    stop_fork_server()
    own = resource.getrusage(resource.RUSAGE_SELF)
    workers = resource.getrusage(resource.RUSAGE_CHILDREN)
    bad = [(o.source_id, o.status, o.message) for o in result.outcomes if o.status != "ok"]
    print(json.dumps({"wall": wall, "counts": result.counts, "bad": bad,
                      "cpu_main": own.ru_utime + own.ru_stime, "cpu_workers": workers.ru_utime + workers.ru_stime,
                      "pages": sum(o.fetched + o.not_modified for o in result.outcomes)}))


if __name__ == "__main__":
    from govpress.settings import end_process

    main()
    end_process(0)  # as `govpress ingest` ends (govpress/cli.py)
