"""Parsing in worker processes beside the async fetcher: a :class:`ParseJob` in, a :class:`Parsed` (or its ParseError) out.

Parsers are pure (bytes + URL + context -> Release), so a run hands them to a process pool and
the second core parses while the event loop fetches and the loader writes. Measured on the
generated site (bench/): parsing was 42% of a run's CPU in one thread beside the event loop.
The workers also compute what dedupe needs of the text (the content hash and the MinHash
signature), which was most of a fresh load's CPU.

The pool starts only when a run has enough pages to repay it (:data:`MIN_POOL_PAGES`; starting
the fork server, which imports the parsers, costs about 0.2-0.25 s of CPU): a quiet scheduled run parses
a handful of pages in a thread and never starts a process. A run on a new database (a backfill)
starts it at once, beside the migration (govpress/run.py), so that the workers answer before the
first page is fetched. Workers are started with
``forkserver`` (``spawn`` where there is none): forking a process that runs an event loop, an
HTTP client and DuckDB threads is not safe; a plain run forks its fork server from its own process
early instead, within its imports, while it has one thread (:func:`fork_server_early`), so the fork
server has the modules both use without importing them again. A worker that dies (a parser that crashes the
interpreter, the kernel's OOM killer) fails the pages it held as parse failures, which stay in
the frontier for the next run, and the pool is started afresh for the next pages.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass

from govpress.dedupe.keys import TextKeys, content_hash, text_keys, texts_keys
from govpress.dedupe.versions import text_hash
from govpress.parsers import ParseContext, ParseError, Release, available_parsers, get_parser, parse
from govpress.settings import usable_cores

log = logging.getLogger("govpress.parse_workers")

MIN_POOL_PAGES = 24
"""A run (or batch) with fewer pages to parse than this parses them in a thread, with no pool."""


@dataclass(frozen=True, slots=True)
class ParseJob:
    """Everything one parse needs, and nothing that cannot cross a process boundary."""

    body: bytes
    url: str
    context: ParseContext
    parser: str
    stored_hash: str | None = None
    """The content hash the store holds for this page's release (a reparse knows it). A parse that
    gives the same text needs no MinHash signature or names: the load only touches the release."""

    def __reduce__(self) -> tuple[type[ParseJob], tuple]:
        # Each job is pickled in the run's process and unpickled in a worker: one call of the class with the
        # fields, not dataclasses' __getstate__/__setstate__ (a Python loop over fields() on each side).
        return ParseJob, (self.body, self.url, self.context, self.parser, self.stored_hash)


@dataclass(frozen=True, slots=True)
class Parsed:
    """A parsed page with the keys dedupe needs of its text, computed in the worker (hashing is half a load's CPU)."""

    release: Release
    keys: TextKeys

    def __reduce__(self) -> tuple[object, tuple]:
        """Pickled by the worker, unpickled by the run's process for every page: the keys' fields flat and the
        MinHash signature as its bytes. NumPy's own pickling of a 128-value array (its reconstruct call, the
        dtype's state, its buffer) and dataclasses' per-field state of the frozen ``Parsed`` and ``TextKeys``
        cost about half of a result's pickling and a third of its unpickling (bench/results.md, perf-parse20)."""
        keys = self.keys
        signature = keys.minhash
        if signature is not None and _plain_signature(signature):
            signature = signature.tobytes()
            return _parsed_packed, (self.release, keys.content_hash, signature, keys.names, keys.text_hash)
        return _parsed, (self.release, keys.content_hash, signature, keys.names, keys.text_hash)


def _plain_signature(signature: object) -> bool:
    """A one-dimensional, contiguous array of native uint64 (every signature :mod:`govpress.dedupe.neardup` makes)."""
    import numpy as np

    if type(signature) is not np.ndarray or signature.ndim != 1 or not signature.flags.c_contiguous:
        return False
    dtype = signature.dtype
    return dtype.kind == "u" and dtype.itemsize == 8 and dtype.isnative


def _parsed(release: Release, content_hash: str, signature: object, names: dict[str, str] | None,
            text_hash: str | None) -> Parsed:
    return Parsed(release=release, keys=TextKeys(content_hash=content_hash, minhash=signature, names=names,
                                                 text_hash=text_hash))


def _parsed_packed(release: Release, content_hash: str, signature: bytes, names: dict[str, str] | None,
                   text_hash: str | None) -> Parsed:
    """:func:`_parsed` of a signature sent as bytes: a read-only uint64 array over them (nothing writes to a
    signature: the load reads it into Arrow and the band matrix)."""
    import numpy as np

    return _parsed(release, content_hash, np.frombuffer(signature, dtype=np.uint64), names, text_hash)


def parse_only(job: ParseJob) -> Release | ParseError:
    """Parse one page; returns the ParseError instead of raising it."""
    try:
        return parse(job.body, job.url, job.context, parser=job.parser)
    except ParseError as exc:
        return exc


def run_job(job: ParseJob) -> Parsed | ParseError:
    """Parse one page and key its text; the ParseError is returned, not raised (it crosses the process boundary as a value)."""
    return _keyed(job, parse_only(job))


def _keyed(job: ParseJob, release: Release | ParseError) -> Parsed | ParseError:
    """:func:`run_job`'s result for a page parsed into ``release``: the release with its dedupe keys (or the error)."""
    stored = _stored(job, release)
    return stored if stored is not None else Parsed(release=release, keys=text_keys(release))  # type: ignore[arg-type]


def _stored(job: ParseJob, release: Release | ParseError) -> Parsed | ParseError | None:
    """:func:`run_job`'s result for a page parsed into ``release`` when it needs no signature or names (an error, or a
    text the store holds already), else None."""
    if isinstance(release, ParseError):
        return release
    if job.stored_hash is not None and (same := content_hash(release)) == job.stored_hash:
        # Most pages of a reparse: the signature and names (a quarter of a page's CPU) would go unused.
        return Parsed(release=release, keys=TextKeys(content_hash=same, minhash=None, text_hash=text_hash(release)))
    return None


def run_jobs(jobs: Sequence[ParseJob]) -> list[Parsed | ParseError]:
    """A chunk of jobs in one round trip (the run's batches and reparse send chunks: fewer, larger messages):
    :func:`run_job` of each, in order.

    Every page of the chunk is parsed first, then every release keyed: each step's working set stays in the CPU's
    caches from one page to the next (the parser's trees, patterns and language tables; the keys' word hashes,
    name keys and NumPy blocks), where a page's parse evicted what its keys use and its keys what the next parse
    uses. A worker's keys took 288 us a page between the parses and 162 us together, the parses 1,360 and 1,228
    (653 generated pages in chunks of 24; bench/results.md, perf-worker27); the keys are made a step at a time
    likewise (:func:`govpress.dedupe.keys.texts_keys`), and so are the pages' languages: the parser holds each
    page's detection (:func:`govpress.parsers.language.detect_later`, no later step of its parse reads it)
    and the chunk's are run after its parses (:func:`_parsed_then_detected`). The records are the same: the parse
    and the keys of a page read nothing of another page's.
    """
    releases = _parsed_then_detected(jobs)
    done = [_stored(job, release) for job, release in zip(jobs, releases, strict=True)]
    fresh = [release for release, result in zip(releases, done) if result is None]
    keyed = iter(texts_keys(fresh))  # type: ignore[arg-type]  (a release: no error among them)
    return [Parsed(release=release, keys=next(keyed)) if result is None else result  # type: ignore[arg-type]
            for release, result in zip(releases, done)]


def _parsed_then_detected(jobs: Sequence[ParseJob]) -> list[Release | ParseError]:
    """:func:`parse_only` of each job with the languages detected after every page's parse (held, then run in order).
    A detection that fails fails its page with its own error, whatever its parse's later steps gave: it stopped the
    page's parse before them.

    The detector's tables (the tokenizer's moves and the n-gram scores, tens of MB read at random) stay in the CPU's
    caches from one page's detection to the next: ``run_jobs`` over 653 generated pages in chunks of 22 took
    ~10% less CPU (bench/results.md, perf-stage28)."""
    from govpress.parsers.language import detections_held  # the parsers' module: imported by a worker only

    releases: list[Release | ParseError] = []
    ends: list[int] = []
    with detections_held() as held:
        for job in jobs:
            releases.append(parse_only(job))
            ends.append(len(held))
    start = 0
    for index, (job, end) in enumerate(zip(jobs, ends)):
        try:
            for detection in held[start:end]:
                detection()
        except ParseError as exc:
            releases[index] = exc
        except Exception as exc:  # as parse() reports a parser's bug: the page fails, the run goes on
            error = ParseError(f"{job.parser} parser crashed: {type(exc).__name__}: {exc}")
            error.__cause__ = exc
            releases[index] = error
        start = end
    return releases


_HELD = 0.02
"""Seconds a worker's first task keeps it busy (:func:`_hold_a_moment`)."""
_ASKS = 5
"""Rounds of first tasks :func:`_ask_every_worker` sends at most before it calls the pool ready anyway."""


def _hold_a_moment() -> int:
    """Each worker's first task: its pid, after a moment, so that the worker is still busy when the next first
    task is submitted (a process pool hands a task to an idle worker rather than start another one)."""
    time.sleep(_HELD)
    return os.getpid()


def _ask_every_worker(executor: ProcessPoolExecutor, workers: int, ready: threading.Event) -> None:
    """Start a pool's ``workers`` workers (a process pool starts them on demand) and set ``ready`` once that many
    distinct workers have answered.

    One task per worker is sent; when they come back from fewer workers (one had already answered and gone idle
    before the next task was submitted: the submitting thread held up on a busy machine), another round is sent
    from a thread of its own, at most :data:`_ASKS` rounds. Before, the pool called itself ready with one worker
    of two, once in two fresh-clone CI runs.
    """
    pids: set[int] = set()
    state = {"waiting": 0, "rounds": 0}
    counting = threading.Lock()  # not the pool's lock: a future already done calls back at once

    def ask() -> None:
        with counting:
            state["waiting"], state["rounds"] = workers, state["rounds"] + 1
        try:
            futures = [executor.submit(_hold_a_moment) for _ in range(workers)]
        except RuntimeError:  # the pool was shut down meanwhile: nobody waits for it
            ready.set()
            return
        for future in futures:
            future.add_done_callback(answered)

    def answered(future: Future) -> None:
        with counting:
            if not future.cancelled() and future.exception() is None:
                pids.add(future.result())
            state["waiting"] -= 1
            if state["waiting"]:
                return
            if len(pids) >= workers or state["rounds"] >= _ASKS or future.cancelled() or future.exception() is not None:
                ready.set()
                return
        # Never submit from here: this is the pool's own manager thread.
        threading.Thread(target=ask, name="govpress-pool-ask", daemon=True).start()

    ask()


def warm_worker() -> None:
    """Import every parser and load the language model once per worker, before the first page arrives."""
    for name in available_parsers():
        get_parser(name)
    from govpress.parsers.language import _get_identifier

    _get_identifier()


_SAMPLE_WORDS = ("Министр иностранных дел встретился в Москве с делегацией Европейского союза и обсудил вопросы "
                 "сотрудничества в области энергетики, торговли и безопасности").split()
SAMPLE_PAGE = ("<html><head><title>Встреча министра</title></head><body><article><h1>Встреча министра с делегацией</h1>"
               "<time datetime='2024-03-12T10:00:00+03:00'>12 марта 2024</time>"
               + "".join(f"<p>{' '.join(_SAMPLE_WORDS[i:] + _SAMPLE_WORDS[:i])}.</p>" for i in range(12))
               + "</article></body></html>").encode()
"""A page for :func:`warm_server` to parse and key: the first page a process parses pays for imports and compiled patterns."""


def warm_server() -> None:
    """What the fork server does before it forks a worker (govpress.parse_preload): :func:`warm_worker`, then
    what each worker otherwise paid on its first pages (about 0.1 s of CPU each): trafilatura's import (asked
    only for doubtful pages, but on some page of nearly every run), dedupe's modules and NumPy's lazy
    imports of the signatures, the regular expressions compiled on first use, by one sample page parsed
    and keyed. The parser's counters are left as they were."""
    from govpress.parsers.generic import counters

    warm_worker()
    import trafilatura  # noqa: F401

    before = dict(counters)
    run_job(ParseJob(body=SAMPLE_PAGE, url="https://example.org/news/1", parser="generic",
                     context=ParseContext(source_id="warm-up", timezone="Europe/Moscow", languages=("ru",))))
    counters.clear()
    counters.update(before)


def preloaded() -> None:
    """The end of the fork server's preload (govpress.parse_preload): the patterns it compiled are written for the
    next run when the machine's file lacked them (:func:`govpress.parsers.regex_cache.save`; errors ignored), and so is
    the code dataclasses and typing generated (:func:`govpress.code_cache.save`)."""
    from govpress import code_cache
    from govpress.parsers import regex_cache

    regex_cache.save()
    code_cache.save("parse")


def end_fork_server_at_once() -> None:
    """In the fork server (its preload, govpress.parse_preload): when it stops, it ends without the interpreter's
    teardown. No-op in any other process.

    The fork server stops when the run's process has gone or closed its end (the bench reaps it to count
    the workers' CPU: ``bench.govpress_run.stop_fork_server``); then its teardown freed the parsers, the
    language model and NumPy object by object: 20-45 ms of wall before the reaping parent went on. It writes
    nothing and holds no file: its workers are forked children that end with ``os._exit`` already
    (multiprocessing's fork server), and its socket is closed by its own loop before the interpreter ends.
    Its exit status is never read (0, as its normal stop). Registered last, the handler runs first: the
    other ``atexit`` handlers (multiprocessing's, which has no child process to end in the fork server,
    and ``logging``'s, with no handler here) are left out with the teardown.
    """
    import atexit

    if _in_fork_server():
        atexit.register(_end_now)


_fork_server_pid: int | None = None
"""The fork server's pid, noted by its preload (:func:`note_fork_server`) and inherited by every worker it forks."""


def note_fork_server() -> None:
    """In the fork server (its preload, govpress.parse_preload): note its pid for the workers it forks, so that a
    worker starting after the server has gone sees it (:func:`_leave_with_the_run`). No-op in any other process."""
    global _fork_server_pid
    if _in_fork_server():
        _fork_server_pid = os.getpid()


def _in_fork_server() -> bool:
    """This import runs within multiprocessing's fork server (its preload)."""
    from multiprocessing import forkserver

    frame = sys._getframe(1)
    while frame is not None and frame.f_code is not forkserver.main.__code__:
        frame = frame.f_back
    return frame is not None


def _end_now() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    os._exit(0)


def start_worker() -> None:
    """Each worker's start (the pool's initializer): it goes when the run's process goes; then :func:`warm_worker`
    (a no-op after the fork server's preload; with ``spawn``, the parsers' import)."""
    _leave_with_the_run()
    warm_worker()


def _leave_with_the_run() -> None:
    """A worker of the fork server ends when the run's process ends, however it ends (SIGKILL, the OOM killer).

    The fork server exits when its "alive" pipe reads EOF, that is when the process that started it is
    gone; but each child it forks receives a copy of that pipe's write end (to start fork-server
    children of its own, which a parse worker never does), and a worker waiting for its next page never
    sees EOF on its call queue either (it holds that queue's write end too): a killed run left its fork
    server, its workers and its resource tracker running for good. The worker first asks the kernel for
    SIGKILL when the fork server (its parent, whose one thread forks it) exits, then closes its copy, so
    that the run's own end is the last one, then checks that its parent is still the fork server: a run
    killed while its workers started had the server exit on this very close (or earlier, killed too), and
    a worker that read its parent after that (init) waited in ``Queue.get`` for good (a crash test found one
    minutes later, holding the resource tracker open). No-op outside a fork server's child (``spawn``: the
    parent's starting thread may end long before the run does); without ``prctl`` only the pipe is closed.
    """
    from multiprocessing import forkserver

    server = forkserver._forkserver
    alive = getattr(server, "_forkserver_alive_fd", None)
    if alive is None:
        return
    # Read while this worker still holds the pipe: the server cannot have stopped for its EOF yet.
    parent = _fork_server_pid or os.getppid()
    asked = sys.platform.startswith("linux") and _ask_to_die_with_parent()
    server._forkserver_alive_fd = None
    os.close(alive)
    if asked and os.getppid() != parent:  # the fork server went before the signal was asked for
        os._exit(1)


def _ask_to_die_with_parent() -> bool:
    """Linux's PR_SET_PDEATHSIG: SIGKILL when the parent exits. False where it cannot be asked for."""
    try:
        import ctypes
        import signal

        return ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL) == 0
    except (OSError, AttributeError):
        return False


def default_workers() -> int:
    """One worker per core the process may use."""
    return usable_cores()


def serve_without_main() -> None:
    """In the fork server: the workers it forks from here on do not re-run the parent's main module.

    multiprocessing re-runs the parent's main module in every worker it starts (as ``__mp_main__``,
    for functions pickled by reference to it), which imports whatever that module imports:
    ``bench.govpress_run`` or ``govpress.cli`` bring the store, DuckDB, Arrow, httpx (0.6-0.8 s of CPU
    per worker; 0.2 s once in the fork server, when it imported them for its workers). The parse
    workers run only this module's functions, pickled by reference to it, so nothing of the main
    module is needed. The re-run happens in the forked child (``spawn.prepare``), from the fork
    server's copy of :mod:`multiprocessing.spawn`: skipping it there touches no other process. A
    function of the parent's ``__main__`` sent to a pool of this fork server would not be found.
    """
    from multiprocessing import spawn

    for name in ("_fixup_main_from_name", "_fixup_main_from_path"):
        if hasattr(spawn, name):
            setattr(spawn, name, _no_main)


def _no_main(_: str) -> None:
    return None


PRELOAD = "govpress.parse_preload"
"""The module the fork server imports before it forks a worker: every parser, the language model, a sample page."""

SHARED_MODULES = ("numpy", "govpress.parse_workers", "govpress.dedupe.neardup", "govpress.parsers.dates",
                  "govpress.parsers.language", "govpress.parsers.blocked", "govpress.parsers.charset",
                  "govpress.parsers.html.blocks", "govpress.parsers.html.titles", "govpress.parsers.html.tree",
                  "lxml.etree", "lxml.cssselect", "charset_normalizer", "brotli", "certifi", "email.message",
                  "email.parser", "urllib.request", "http.client", "importlib.metadata", "zoneinfo", "decimal", "csv",
                  "mimetypes", "zipfile", "hmac")
"""What a plain run's process imports anyway and the parse workers' fork server needs too (its preload imports them
otherwise): :func:`govpress.settings.run_imports` imports them first when it forks the fork server early
(:func:`fork_server_early`), so the fork server has them without importing them again. The run imports each of
them itself (tests/unit/test_fork_server_early.py); one that is not installed (brotli is optional) is left out."""

_early: tuple[int, object, int, int] | None = None
"""The fork server forked early and not adopted yet: its pid, its address, the write ends of its "alive" and "go" pipes."""


def fork_server_early() -> None:
    """In a plain run's process, within its imports (:func:`govpress.settings.run_imports`, after
    :data:`SHARED_MODULES`): fork the parse workers' fork server now, from this process, instead of the fresh
    interpreter multiprocessing spawns when the pool starts, which imported those modules again.

    The fresh interpreter cost about 0.25 CPU-s (its start and the preload; 927 M instructions), the forked one
    about a third of that (the preload's remaining imports, trafilatura's, the language model and the sample
    page: ~330 M) on a 12-page run (bench/results.md, perf-fixed20). The child does nothing until a pool
    adopts it (:func:`_context`, :func:`_adopt_early_server`): then it imports the rest of the preload
    (:data:`PRELOAD`) inside ``multiprocessing.forkserver.main``, multiprocessing's own fork server loop,
    over the listener and the "alive" pipe made here, exactly as a spawned one. A run that never starts the pool
    (a quiet rerun) leaves it waiting until this process ends (the "go" pipe's EOF): a fork, and the pages this
    process then writes copied once (~3,500 minor faults in a 12-page rerun).

    Forked only on Linux (where the fork server is the start method), only once, and only while this process
    has one thread: before DuckDB's import (which starts one), any event loop, executor or Prefect's threads;
    otherwise nothing happens here and the pool spawns its fork server as before. The child ignores SIGINT
    while it waits (a terminal's Ctrl-C reaches the whole process group; the run's process handles it) and gives
    it back to Python's handler before the preload, as a spawned fork server has it.
    """
    global _early
    if _early is not None or not sys.platform.startswith("linux"):
        return
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return
    from multiprocessing import connection, forkserver, util

    if (forkserver._forkserver._forkserver_pid is not None or threading.active_count() != 1
            or threading.current_thread() is not threading.main_thread()):
        return
    try:
        if len(os.listdir("/proc/self/task")) != 1:  # a library's own thread (DuckDB's, OpenBLAS's pool)
            return
    except OSError:
        return
    import signal
    import socket

    listener = socket.socket(socket.AF_UNIX)
    address = connection.arbitrary_address("AF_UNIX")
    listener.bind(address)
    if not util.is_abstract_socket_namespace(address):
        os.chmod(address, 0o600)
    listener.listen()
    alive_r, alive_w = os.pipe()
    go_r, go_w = os.pipe()
    for stream in (sys.stdout, sys.stderr):  # nothing buffered before the fork is written twice
        try:
            stream.flush()
        except (OSError, ValueError, AttributeError):
            pass
    interrupt = signal.signal(signal.SIGINT, signal.SIG_IGN)  # from the fork on: the child's wait is not interrupted
    pid = os.fork()
    if pid == 0:
        try:
            os.close(alive_w)
            os.close(go_w)
            listener_fd = listener.detach()
            go = os.read(go_r, 1)
            os.close(go_r)
            if go == b"g":
                import gc

                signal.signal(signal.SIGINT, signal.default_int_handler)
                from govpress import code_cache

                # What the run had imported by the fork is frozen here, as the run's process freezes it after its imports
                # (settings.paused_gc): the collector was paused meanwhile, so all of it sat in the youngest generation,
                # and this process's first collection walked every object and wrote its header, copying each page.
                gc.freeze()
                gc.enable()  # the run's imports pause the collector; the preload pauses it again, then freezes
                code_cache.start_afresh()
                forkserver.main(listener_fd, alive_r, [PRELOAD])
        except (SystemExit, KeyboardInterrupt):  # the run has gone (the pipes' EOF) or was interrupted
            pass
        except BaseException:  # noqa: BLE001 - reported, then this process ends as a spawned fork server would
            sys.excepthook(*sys.exc_info())
        finally:
            os._exit(0)  # never back into the run's imports
    signal.signal(signal.SIGINT, interrupt)
    listener.close()
    os.close(alive_r)
    os.close(go_r)
    _early = (pid, address, alive_w, go_w)


def import_shared_modules() -> None:
    """Import :data:`SHARED_MODULES` (within the run's imports, before :func:`fork_server_early`)."""
    import importlib

    for name in SHARED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:  # an optional one (brotli): the run does without it too
            pass


def _adopt_early_server() -> None:
    """Hand the fork server forked by :func:`fork_server_early` to multiprocessing (as if its ``ensure_running``
    had spawned it) and let it preload; a no-op without one, or when multiprocessing runs one already."""
    global _early
    if _early is None:
        return
    from multiprocessing import forkserver

    server = forkserver._forkserver
    with server._lock:  # two pools starting at once: one adopts it
        if _early is None:
            return
        pid, address, alive_w, go_w = _early
        _early = None
        adopted = False
        if server._forkserver_pid is None:
            try:
                adopted = os.write(go_w, b"g") == 1
            except OSError:  # it has gone: multiprocessing spawns one
                pass
        if adopted:
            server._forkserver_address = address
            server._forkserver_alive_fd = alive_w
            server._forkserver_pid = pid
        else:
            os.close(alive_w)
        os.close(go_w)


def _context() -> multiprocessing.context.BaseContext:
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    # The fork server imports the parsers and loads the language model once; workers fork from it
    # warm (without it each worker spent about 1.4 s of CPU starting, measured with spawn), and do not
    # re-run the parent's main module (serve_without_main).
    context.set_forkserver_preload([PRELOAD])
    _adopt_early_server()
    return context


class ParsePool:
    """A lazily started process pool for one run; parses in a thread until :meth:`start` (or a big batch) starts it."""

    def __init__(self, workers: int | None = None, *, min_pages: int = MIN_POOL_PAGES) -> None:
        self.workers = workers or default_workers()
        self.min_pages = min_pages
        self._executor: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()
        self._starting: threading.Thread | None = None
        self._ready = threading.Event()
        """Set once every worker of the current executor has answered (the fork server has imported the parsers)."""
        self._closed = False
        self.restarts = 0

    @property
    def started(self) -> bool:
        """The workers are running or being started."""
        return self._executor is not None or self._starting is not None

    @property
    def ready(self) -> bool:
        """Every worker has answered: pages sent now are parsed at once."""
        return self._executor is not None and self._ready.is_set()

    def start(self) -> Executor:
        """Start the workers (once) and have each import the parsers in the background.

        Blocks until the fork server has imported the parsers (seconds on a busy machine): call
        :meth:`start_soon` to have that happen in a thread.
        """
        with self._lock:
            if self._executor is None:
                ready = self._ready = threading.Event()
                self._executor = ProcessPoolExecutor(max_workers=self.workers, mp_context=_context(),
                                                     initializer=start_worker)
                _ask_every_worker(self._executor, self.workers, ready)
            return self._executor

    def start_soon(self) -> None:
        """Start the workers in a thread (once): the caller goes on, parsing pages itself meanwhile (:meth:`map`).

        Never waits: a start under way holds the lock until the fork server has imported the parsers
        (about a second), and the caller is the run's event loop (a batch's launch, govpress/pipeline.py),
        which stood still for that long when this took the lock first.
        """
        if self._executor is not None or self._starting is not None or self._closed:
            return
        with self._lock:
            if self._executor is not None or self._starting is not None or self._closed:
                return
            self._starting = threading.Thread(target=self._start_in_thread, name="govpress-parse-pool-start", daemon=True)
            self._starting.start()

    def _start_in_thread(self) -> None:
        try:
            self.start()
        except Exception:  # noqa: BLE001 - pages go on being parsed in this process
            log.exception("the parse workers did not start; pages are parsed in this process")
        finally:
            with self._lock:
                self._starting = None

    def want(self, pages: int) -> None:
        """Start the pool ahead of time when ``pages`` pages are coming (the start overlaps their fetching)."""
        if pages >= self.min_pages:
            self.start_soon()

    def _broken(self, executor: Executor) -> None:
        with self._lock:
            if self._executor is executor:
                self._executor = None
                self.restarts += 1
        executor.shutdown(wait=False, cancel_futures=True)

    async def parse(self, job: ParseJob) -> Parsed | ParseError:
        """Parse one page in a worker (or in a thread while the workers are not started or still starting)."""
        import asyncio  # here: the fork server imports this module, and its workers run no event loop

        executor = self._executor
        if executor is None or self._starting is not None:  # submitting now would wait for the start, in the event loop
            return await asyncio.to_thread(run_job, job)
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, run_job, job)
        except BrokenProcessPool as exc:
            self._broken(executor)
            log.error("a parse worker died while parsing %s; the page is kept for the next run", job.url)
            return ParseError(f"the parse worker process died ({exc})")

    async def parse_many(self, jobs: Sequence[ParseJob]) -> list[Parsed | ParseError]:
        """Parse a chunk of pages in one round trip to a worker, in their order (as :meth:`parse` does one).

        Each round trip costs the run's process about 0.35 ms of CPU whatever it carries (the executor's
        threads, pickling, the event loop's wake-up): a batch sent by chunks of 8-16 pages costs 0.07-0.11 ms
        a page instead (bench/results.md, perf-fetch8).
        """
        import asyncio

        executor = self._executor
        if executor is None or self._starting is not None:
            return await asyncio.to_thread(run_jobs, jobs)
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, run_jobs, jobs)
        except BrokenProcessPool as exc:
            self._broken(executor)
            log.error("a parse worker died while parsing %d pages (%s ...); they are kept for the next run",
                      len(jobs), jobs[0].url if jobs else "")
            return [ParseError(f"the parse worker process died ({exc})") for _ in jobs]

    def map(self, jobs: Iterable[ParseJob], *, chunk: int = 8) -> Iterator[Parsed | ParseError]:
        """Parse ``jobs`` in order, from a plain thread (reparse); chunks of ``chunk`` pages per round trip.

        When the workers are ready the chunks are sent at once, before the caller reads a result:
        reparse asks for the next batch's pages and loads the last batch while the workers parse.
        """
        jobs = list(jobs)
        if len(jobs) < self.min_pages and self._executor is None:
            return map(run_job, jobs)
        self.start_soon()
        if self.ready:
            return self._results(self._submit(jobs, chunk))
        return self._map_while_starting(jobs, chunk)

    def _map_while_starting(self, jobs: list[ParseJob], chunk: int) -> Iterator[Parsed | ParseError]:
        # Until the workers answer (the fork server imports the parsers: seconds on a busy machine),
        # this thread parses from the front of the list itself: that start is no longer idle time.
        done = 0
        while done < len(jobs) and not self.ready and (self._starting is not None or self._executor is not None):
            yield run_job(jobs[done])
            done += 1
        if done < len(jobs):
            yield from self._results(self._submit(jobs[done:], chunk))

    def _submit(self, jobs: list[ParseJob], chunk: int) -> tuple[Executor, list[tuple[list[ParseJob], Future]]]:
        executor = self.start()
        chunks = [jobs[i:i + chunk] for i in range(0, len(jobs), chunk)]
        return executor, [(part, executor.submit(run_jobs, part)) for part in chunks]

    def _results(self, submitted: tuple[Executor, list[tuple[list[ParseJob], Future]]]) -> Iterator[Parsed | ParseError]:
        executor, futures = submitted
        for part, future in futures:
            try:
                yield from future.result()
            except BrokenProcessPool as exc:
                self._broken(executor)
                log.error("a parse worker died; %d pages are recorded as failures", len(part))
                yield from (ParseError(f"the parse worker process died ({exc})") for _ in part)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            starting = self._starting
        if starting is not None:
            starting.join()  # a start in progress finishes before its executor is shut down
        with self._lock:
            executor, self._executor = self._executor, None
        if executor is not None:
            executor.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> "ParsePool":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
