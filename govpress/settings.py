"""Project-wide settings, and the Prefect environment set inside the project (not in the user's shell).

Importing this module before Prefect makes every entry point (CLI, tests, deployments)
run Prefect offline with a govpress-owned home; values already in the environment win.

Where state goes: in a checkout, Prefect's home is ``.prefect/`` of the checkout (the README's
quick start); installed from a wheel, it is ``$GOVPRESS_HOME/prefect`` (default
``~/.govpress/prefect``). Nothing is ever written beside the installed code.
"""

from __future__ import annotations

import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import NoReturn

_PACKAGE_DIR = Path(__file__).resolve().parent


def checkout_root() -> Path | None:
    """The source checkout this code runs from, or None when it is installed (site-packages)."""
    root = _PACKAGE_DIR.parent
    if (root / "pyproject.toml").is_file() and (root / "parsers" / "__init__.py").is_file():
        return root
    return None


CHECKOUT = checkout_root()
GOVPRESS_HOME = Path(os.environ.get("GOVPRESS_HOME", Path.home() / ".govpress"))


def _prefect_home() -> Path:
    return CHECKOUT / ".prefect" if CHECKOUT is not None else GOVPRESS_HOME / "prefect"


PREFECT_DEFAULTS = {
    # Offline machines: no telemetry calls that log errors, and a slow first start is fine.
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "PREFECT_HOME": str(_prefect_home()),
    "PREFECT_UI_ENABLED": "true",
    # The server's SQLite database is written by every running flow's logs and states; on a busy
    # two-core machine a write waited past the default 10 s and the API answered 503, which the
    # UI's custom-run form shows as a failed submit (the Python client retries 503s, the UI not).
    "PREFECT_SERVER_DATABASE_TIMEOUT": "60",
}

for _key, _value in PREFECT_DEFAULTS.items():
    os.environ.setdefault(_key, _value)

if os.environ["PREFECT_HOME"] == PREFECT_DEFAULTS["PREFECT_HOME"]:
    # Prefect creates its home folder but not the folders above it: a new user without
    # ~/.govpress would otherwise see "unable to open database file" from the first run.
    try:
        Path(PREFECT_DEFAULTS["PREFECT_HOME"]).mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # a read-only home: Prefect's own error names the folder

BLAS_THREADS = {"OPENBLAS_NUM_THREADS": "1"}
"""The environment :func:`one_blas_thread` gives a govpress process, unless the variable is set already."""


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity on Linux, else the machine's count): what the parse
    workers and the temporary API's fork rule count, so that a container limited to fewer cores is read as such."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def one_blas_thread() -> None:
    """Before NumPy's import: OpenBLAS starts no thread pool (a no-op once NumPy is imported).

    NumPy's OpenBLAS starts one thread per core when it is imported: 70-80 ms of CPU for the import
    against about 40 ms on one thread in a run's process, 120-140 against 50 in the parse workers' fork
    server (measured on the 2-core build machine), paid at every run's start. govpress never asks
    OpenBLAS for anything big enough to split: its one product is a page's language scores (a page's
    features by the model's languages, parsers/language.py), and near-duplicates are linked with NumPy's
    integer operations, which OpenBLAS does not run; the parse workers are one per core already.
    Called here, so every entry point that imports the settings first (the CLI, the flows) has it,
    and by the fork server's preload; a value the environment sets is kept.
    """
    if "numpy" in sys.modules:
        return
    for name, value in BLAS_THREADS.items():
        os.environ.setdefault(name, value)


one_blas_thread()


@contextmanager
def paused_gc(code: str | None = "prefect") -> Iterator[None]:
    """Around a burst of imports (a run's modules, Prefect's client and flows, or its server): no cyclic collector,
    then frozen; and with ``code`` (Prefect's imports, the default: the callers without one), the code that
    dataclasses and typing generate meanwhile taken from the machine's file of ``code``'s role, written after when
    it lacked some (:func:`govpress.code_cache.every_code`: Prefect's client and flows compiled ~900 dataclass
    methods and ~2,400 forward references while importing, its server ~740 and ~3,900, 0.2 CPU-s together;
    bench/results.md, perf-fixed19). A plain run's imports and the fork server's preload read their own files
    (:func:`run_imports`, govpress.parse_preload) and pass ``None``.

    Importing builds long-lived objects (modules, classes, pydantic models and schemas), and the collector
    kept walking them: 0.64-0.75 s of a 4.4 s import of Prefect's flows and 1.2-1.5 s of a 6.6-9.5 s import
    of its server went to 412 and 681 collections (``gc.callbacks``, load 8); a plain run's own imports
    (``govpress.run``, ~57,000 objects) 35-45 ms of about 0.35 s in 153 collections, and as much in the parse
    workers' fork server. Afterwards ``gc.freeze()`` moves what the imports made out of the collector's
    sight, so the run's own collections do not walk the modules either (what the imports left unreachable
    stays with them: 7,531 of 262,079 objects after Prefect's flows' imports, about 1,100 of 60,000 after
    ``govpress.run``'s). In a fork server the frozen objects are also left untouched by the forked
    children's collections (fewer pages copied on write). A collector that was off stays off.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        if code is None:
            yield
        else:
            from govpress import code_cache

            with code_cache.every_code(code):
                yield
            code_cache.save(code)
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


@contextmanager
def run_imports(save: bool = True, parse_server: bool = False) -> Iterator[None]:
    """Around a plain run's imports (``govpress ingest --without-prefect``, ``bench.govpress_run``): :func:`paused_gc`,
    and every module's ``re.compile`` of a text pattern read from the machine's file of compiled patterns, as the
    parse workers' fork server has it (:func:`govpress.parsers.regex_cache.every_pattern`); the file is written
    after when it lacked patterns that cost more than ``regex_cache.SAVE_AFTER`` to compile (a first run, an upgrade).

    Why: the run's process compiled about 240 patterns while importing, 30-35 ms of CPU of its ~0.4 s of imports
    (feedparser's dates, cssselect, pydantic's ``inspect.signature`` through ``tokenize``, ``http.cookiejar``,
    the listing and blocked-page modules, ...: bench/results.md, perf-main18). The patterns made from the file
    are those ``re.compile`` makes (tests/unit/parsers/test_regex_cache.py); ``re.compile`` is given back at the
    end, and anything else (``re.match`` of a string, patterns compiled later in the run) is left alone.
    Importing the patterns' module imports ``govpress.parsers`` (the run imports it anyway): its own few patterns
    (about 1 ms) are compiled the ordinary way. ``save=False`` for a first part of the imports that more follow
    (the CLI's registry before the run): the file is written once, after the last, with all the process used (a
    save of a part's few patterns would keep fewer of the file's other patterns: up to four times its own).

    Likewise the code that ``dataclasses`` and ``typing`` generate (:func:`govpress.code_cache.every_code`): the
    run's process compiled ~500 dataclass methods and ~800 forward references while importing, 35-55 ms of CPU
    (bench/results.md, perf-fixed19); the code objects come from the machine's file of them, written after as the
    patterns' is.

    With ``parse_server`` (a plain run: the bench's runner and ``govpress ingest --without-prefect``), the modules
    the parse workers' fork server needs too are imported first and the fork server is forked from this process
    then, before DuckDB and the rest (:func:`govpress.parse_workers.fork_server_early`): it starts with them
    imported instead of a fresh interpreter importing them again (~0.1-0.2 CPU-s of every run that parses in
    workers; bench/results.md, perf-fixed20).
    """
    with paused_gc(code=None):
        from govpress import code_cache
        from govpress.parsers import regex_cache

        if parse_server:
            with regex_cache.every_pattern(), code_cache.every_code("run"):
                from govpress.parse_workers import fork_server_early, import_shared_modules

                import_shared_modules()
            fork_server_early()  # between the windows: the fork server gets re.compile and dataclasses' own
        with regex_cache.every_pattern(), code_cache.every_code("run"):
            yield
        if save:
            regex_cache.save()
            code_cache.save("run")


def end_process(code: int = 0) -> NoReturn:
    """End this process with ``code`` now that its work is done: the ``atexit`` handlers run and the standard
    streams are flushed, as at any exit, and the interpreter's teardown is left out (``os._exit``).

    Why: after a run the teardown freed the process's ~600 modules and its heap object by object, and ran
    the last collections: 35-45 ms of CPU and 40-100 ms of wall between a run's last line and its exit
    (653-page run, bench/results.md, perf-fixed13), where the kernel takes the memory back at once. Nothing
    of govpress waits for the teardown: the store's session is closed by then (and DuckDB's WAL is on disk at
    every commit), log handlers are flushed by ``logging``'s own ``atexit`` handler, and Python never
    promised ``__del__`` methods at exit. A thread still at work (not a daemon) gets the normal exit, which
    waits for it first.
    """
    import atexit
    import threading

    main = threading.main_thread()
    if threading.current_thread() is not main or any(
            t is not main and t.is_alive() and not t.daemon for t in threading.enumerate()):
        sys.exit(code)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):  # closed, a broken pipe, or None (no console)
            pass
    os._exit(code)


DEFAULT_DB = Path(os.environ.get("GOVPRESS_DB", "data/govpress.duckdb"))


def _shared_dir() -> Path | None:
    if "GOVPRESS_SHARED" in os.environ:
        return Path(os.environ["GOVPRESS_SHARED"])
    return CHECKOUT.parent / "shared" if CHECKOUT is not None else None


SHARED_DIR = _shared_dir()
"""The real saved pages and the seed (../shared beside a checkout); None for an installed wheel."""
