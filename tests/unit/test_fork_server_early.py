"""A plain run forks the parse workers' fork server from its own process, within its imports, instead of spawning a
fresh interpreter that imports the same modules again (govpress.parse_workers.fork_server_early, adopted by the
pool's start; govpress.settings.run_imports(parse_server=True)).

Each case runs in a fresh interpreter: the fork is taken only in a process with one thread, which pytest's is not
guaranteed to be, and it leaves a child behind until its process ends.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from govpress.parse_workers import SHARED_MODULES


def run(code: str, cwd: Path) -> subprocess.CompletedProcess:
    (cwd / "probe.py").write_text(textwrap.dedent(code), encoding="utf-8")
    return subprocess.run([sys.executable, str(cwd / "probe.py")], capture_output=True, text=True, timeout=180, cwd=cwd)


def test_a_plain_runs_fork_server_is_forked_from_its_process_and_parses_as_a_spawned_one(tmp_path: Path) -> None:
    """The pool adopts the early child: its parent is the run's process, it runs the run's own command line (no new
    interpreter), it has not imported DuckDB or the store (forked before them), and its workers parse a page to
    the same release and keys as this process."""
    (tmp_path / "inworker.py").write_text(textwrap.dedent("""
        import os, sys
        def facts():
            return os.getppid(), sorted(m for m in ("duckdb", "pyarrow", "govpress.store", "govpress.parse_preload")
                                        if m in sys.modules)
    """), encoding="utf-8")
    done = run("""
        import os, sys
        from govpress.settings import run_imports
        with run_imports(parse_server=True):
            import duckdb  # the run's own imports come after the fork
            from govpress import parse_workers
            from govpress.parse_workers import ParseJob, ParsePool, SAMPLE_PAGE, run_job
            from govpress.parsers import ParseContext
        early = parse_workers._early[0]
        import inworker
        if __name__ == "__main__":
            from multiprocessing import forkserver
            job = ParseJob(body=SAMPLE_PAGE, url="https://example.org/news/1", parser="generic",
                           context=ParseContext(source_id="t", timezone="Europe/Moscow", languages=("ru",)))
            with ParsePool(workers=1, min_pages=1) as pool:
                executor = pool.start()
                server = forkserver._forkserver._forkserver_pid
                worker_parent, worker_modules = executor.submit(inworker.facts).result(timeout=120)
                there = executor.submit(run_job, job).result(timeout=120)
                with open(f"/proc/{server}/stat") as stat:
                    server_parent = int(stat.read().rsplit(")", 1)[1].split()[1])
                with open(f"/proc/{server}/cmdline", "rb") as a, open("/proc/self/cmdline", "rb") as b:
                    same_command = a.read() == b.read()
            print(server == early, server_parent == os.getpid(), worker_parent == server, same_command)
            print(worker_modules)
            here = run_job(job)
            print(there.release.as_json() == here.release.as_json(), there.keys.content_hash == here.keys.content_hash,
                  there.keys.minhash.tolist() == here.keys.minhash.tolist(), there.keys.text_hash == here.keys.text_hash)
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "True True True True"
    assert lines[1] == "['govpress.parse_preload']"
    assert lines[2] == "True True True True"


def test_an_early_fork_server_never_adopted_goes_with_its_process(tmp_path: Path) -> None:
    """A run that never starts the pool (a quiet rerun) leaves the child waiting; it ends when the run's process ends,
    whether that exits or is killed, and writes nothing (no output twice, no traceback)."""
    for end in ("exit", "kill"):
        probe = run(f"""
            import os, signal, sys, time
            print("before the fork", end="")  # buffered: written once, by this process
            from govpress.settings import run_imports
            with run_imports(parse_server=True):
                from govpress import parse_workers
            print(" pid", parse_workers._early[0], flush=True)
            if {end!r} == "kill":
                os.kill(os.getpid(), signal.SIGKILL)
        """, tmp_path)
        assert probe.stdout.startswith("before the fork pid "), probe.stdout
        assert probe.stdout.count("before the fork") == 1
        child = int(probe.stdout.split()[-1])
        assert gone_within(child, 30), end
        assert "Traceback" not in probe.stderr


def test_no_early_fork_while_another_thread_runs(tmp_path: Path) -> None:
    """Forking a process with a second thread (DuckDB's, an event loop's executor, Prefect's) is not safe: then
    nothing is forked early and the pool spawns its fork server as before."""
    done = run("""
        import threading, time
        threading.Thread(target=time.sleep, args=(5,), daemon=True).start()
        from govpress.settings import run_imports
        with run_imports(parse_server=True):
            from govpress import parse_workers
        print(parse_workers._early)
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "None"


def test_the_shared_modules_are_the_runs_own_imports() -> None:
    """Importing them before the fork costs the run's process nothing: the bench's runner and the command's plain
    run import each of them anyway (only their order changes)."""
    for imports in ("import bench.site, govpress.plan, govpress.run",
                    "import asyncio, govpress.cli, govpress.registry, govpress.plan, govpress.run"):
        code = (f"import sys\n{imports}\nfrom govpress.parse_workers import SHARED_MODULES\n"
                "print([name for name in SHARED_MODULES if name not in sys.modules])")
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
        assert done.stdout.strip() == "[]", imports
    assert "duckdb" not in SHARED_MODULES and "govpress.store" not in SHARED_MODULES


def gone_within(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] if Path(f"/proc/{pid}").exists() else "X"
        if state == "Z":  # ended, waiting for its new parent to reap it
            return True
        time.sleep(0.1)
    os.kill(pid, signal.SIGKILL)  # not left to the next tests
    return False


@pytest.mark.parametrize("afresh", [True, False])
def test_the_forked_fork_server_saves_none_of_the_runs_code_into_its_own_file(tmp_path: Path, afresh: bool) -> None:
    """The fork server forked from the run's imports inherits the code they compiled; its preload's save
    (``code_cache.save("parse")``) writes the fork server's own file, so it starts from nothing of the run's."""
    done = run(f"""
        from pathlib import Path
        from govpress import code_cache
        code_cache.code_of("x_f20 = 1  # made by the run", "exec")  # compiled here: a miss to save
        code_cache._missed_cpu = 1.0  # as after a first run's imports (over SAVE_AFTER)
        if {afresh!r}:
            code_cache.start_afresh()
        code_cache.save("parse", Path({str(tmp_path)!r}))
        print(sorted(p.name for p in Path({str(tmp_path)!r}).glob("code-*")))
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    assert (done.stdout.strip() == "[]") is afresh  # without start_afresh the run's code is written


def test_the_fork_server_leaves_what_the_run_had_at_the_fork_to_the_collector_of_no_process(tmp_path: Path) -> None:
    """What the run's process held when the fork server was forked is frozen in the fork server at once, as the run
    freezes it after its imports: the collector, paused through the run's imports, had left all of it in its youngest
    generation, and the fork server's first collection walked every object, writing each one's header (a copy of
    each page it touched: ~1,150 of the fork server's ~6,900 page faults in a 653-page run). Seen here by a cycle of
    garbage made before the fork, whose finalizer says which process collected it: none (not the fork server)."""
    done = run(f"""
        import gc, os
        gc.disable()  # as the run's process has it around its imports (settings.paused_gc)

        class Garbage:
            def __del__(self):
                with open(os.path.join({str(tmp_path)!r}, f"collected-by-{{os.getpid()}}"), "w"):
                    pass

        garbage = Garbage()
        garbage.cycle = garbage  # only the collector frees it
        del garbage
        from govpress.settings import run_imports
        with run_imports(parse_server=True):
            from govpress import parse_workers
            from govpress.parse_workers import ParsePool
        server = parse_workers._early[0]
        if __name__ == "__main__":
            import time
            with ParsePool(workers=1, min_pages=1) as pool:
                pool.start().submit(int).result(timeout=120)  # the fork server has preloaded and forked a worker
                time.sleep(0.5)
            print(server, os.getpid())
    """, tmp_path)
    assert done.returncode == 0, done.stderr
    server, _ = done.stdout.split()
    collected = sorted(p.name for p in tmp_path.glob("collected-by-*"))
    assert f"collected-by-{server}" not in collected, collected
