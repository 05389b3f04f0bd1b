"""The parse workers: the same records as parsing in-process, errors as values, a dead worker costs only its pages."""

from __future__ import annotations

import asyncio
import os
import signal
from dataclasses import replace
from pathlib import Path

import pytest

from govpress.parse_workers import ParseJob, ParsePool, run_job
from govpress.parsers import ParseContext, ParseError
from processes import alive, children_of

SITES = Path(__file__).resolve().parents[2] / "govpress" / "demo" / "sites"


def page_jobs() -> list[ParseJob]:
    pages = sorted(SITES.rglob("*.html"))[:6]
    assert pages, f"no constructed pages under {SITES}"
    context = ParseContext(source_id="test", timezone="Europe/Moscow", languages=("ru",))
    return [ParseJob(body=p.read_bytes(), url=f"https://example.org/{p.name}", context=context, parser="generic")
            for p in pages]


def same(a, b) -> bool:
    if isinstance(a, ParseError) or isinstance(b, ParseError):
        return type(a) is type(b) and str(a) == str(b)
    return (a.release.as_json() == b.release.as_json() and a.keys.content_hash == b.keys.content_hash
            and a.keys.minhash.tolist() == b.keys.minhash.tolist())


@pytest.fixture
def pool():
    with ParsePool(workers=2, min_pages=1) as pool:
        yield pool


def test_workers_parse_what_this_process_parses(pool: ParsePool) -> None:
    jobs = page_jobs() + [ParseJob(body=b"", url="https://example.org/empty", context=ParseContext(), parser="generic")]
    inline = [run_job(job) for job in jobs]
    assert isinstance(inline[-1], ParseError)  # an empty page does not parse: the error comes back as a value
    async def in_workers():
        return await asyncio.gather(*(pool.parse(job) for job in jobs))
    assert pool.started is False
    pool.start()
    assert all(same(a, b) for a, b in zip(asyncio.run(in_workers()), inline, strict=True))
    assert all(same(a, b) for a, b in zip(pool.map(jobs, chunk=3), inline, strict=True))


def test_the_workers_do_not_run_the_parents_main_module_again(tmp_path: Path) -> None:
    """multiprocessing re-runs the parent's main module in each worker it starts (``__mp_main__``), with all that
    module imports (the store, DuckDB, Arrow for ``govpress.cli``): the parse workers need none of it."""
    import subprocess
    import sys

    marker = tmp_path / "reruns"
    (tmp_path / "mainmod.py").write_text(
        "import os, sys\n"
        "from govpress.parse_workers import ParsePool\n"
        "if __name__ == '__mp_main__':\n"
        f"    open({str(marker)!r}, 'a').write('rerun\\n')\n"
        "if __name__ == '__main__':\n"
        "    with ParsePool(workers=2, min_pages=1) as pool:\n"
        "        executor = pool.start()\n"
        "        print(sorted({executor.submit(os.getpid).result() for _ in range(8)}))\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    for command in ([sys.executable, "-m", "mainmod"], [sys.executable, str(tmp_path / "mainmod.py")]):
        done = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True, timeout=120, env=env)
        assert done.returncode == 0, done.stderr
        assert not marker.exists(), f"{command}: {marker.read_text()!r}"


def test_workers_of_a_main_module_run_by_name_start_without_a_warning(tmp_path: Path) -> None:
    """``python -m govpress.cli`` once made runpy warn in every worker: the fork server had imported the
    main module by its name, and multiprocessing re-ran it in the worker as ``__mp_main__``."""
    import subprocess
    import sys

    # In a package, as govpress.cli is: runpy warns when the package's import left the module loaded.
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "pkg" / "runbyname.py").write_text(
        "import os\n"
        "from govpress.parse_workers import ParsePool\n"
        "if __name__ == '__main__':\n"
        "    with ParsePool(workers=1, min_pages=1) as pool:\n"
        "        print(pool.start().submit(os.getpid).result())\n", encoding="utf-8")
    import os

    # On the path of every process (as an installed govpress.cli is), so the fork server can import it.
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, "-m", "pkg.runbyname"], cwd=tmp_path, capture_output=True, text=True,
                          timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    assert "RuntimeWarning" not in done.stderr, done.stderr


def test_a_small_run_parses_in_a_thread_without_starting_workers() -> None:
    with ParsePool(workers=2, min_pages=10) as pool:
        pool.want(3)
        results = list(pool.map(page_jobs()[:3]))
        assert pool.started is False and len(results) == 3
        pool.want(10)
        assert pool.started is True


def test_a_worker_that_dies_fails_its_pages_and_the_pool_starts_afresh(pool: ParsePool) -> None:
    job = page_jobs()[0]
    executor = pool.start()
    worker = executor.submit(os.getpid).result()
    os.kill(worker, signal.SIGKILL)
    # The dead worker breaks the executor once its manager notices (at once, or after a page the
    # other worker still parsed): from then the page in flight becomes a parse failure.
    for _ in range(200):
        result = asyncio.run(pool.parse(job))
        if isinstance(result, ParseError):
            break
    assert isinstance(result, ParseError) and "worker process died" in str(result)
    assert pool.restarts == 1 and pool.started is False
    pool.start()
    assert same(asyncio.run(pool.parse(job)), run_job(job))


def test_a_page_whose_text_the_store_already_holds_skips_its_signature_and_names() -> None:
    job, keyed = next((job, done) for job in page_jobs() if not isinstance(done := run_job(job), ParseError))
    assert keyed.keys.minhash is not None and keyed.keys.names is not None
    same_text = run_job(replace(job, stored_hash=keyed.keys.content_hash))
    assert same_text.release.as_json() == keyed.release.as_json()
    assert same_text.keys.content_hash == keyed.keys.content_hash
    assert same_text.keys.minhash is None and same_text.keys.names is None  # a reparse only touches this release
    other_text = run_job(replace(job, stored_hash="0" * 32))
    assert other_text.keys.minhash.tolist() == keyed.keys.minhash.tolist() and other_text.keys.names == keyed.keys.names


def test_a_chunk_is_parsed_first_then_keyed_with_the_records_of_a_page_at_a_time(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_jobs`` parses every page of its chunk before it keys the first release (each step's caches stay warm from
    page to page) and gives :func:`run_job`'s records, in order: errors, pages whose text the store holds, the rest."""
    import numpy as np

    import govpress.parse_workers as workers

    jobs = page_jobs()
    hashed = run_job(jobs[1])
    assert not isinstance(hashed, ParseError)
    chunk = [jobs[0], ParseJob(body=b"", url="https://example.org/empty", context=ParseContext(), parser="generic"),
             replace(jobs[1], stored_hash=hashed.keys.content_hash), replace(jobs[2], stored_hash="0" * 32), *jobs[3:]]
    expected = [run_job(job) for job in chunk]

    def same_record(a, b) -> bool:
        if isinstance(a, ParseError) or isinstance(b, ParseError):
            return type(a) is type(b) and str(a) == str(b)
        ka, kb = a.keys, b.keys
        return (a.release.as_json() == b.release.as_json() and (ka.content_hash, ka.names, ka.text_hash)
                == (kb.content_hash, kb.names, kb.text_hash) and (ka.minhash is None) == (kb.minhash is None)
                and (ka.minhash is None or np.array_equal(ka.minhash, kb.minhash)))

    steps: list[str] = []
    parse_only, texts_keys = workers.parse_only, workers.texts_keys
    monkeypatch.setattr(workers, "parse_only", lambda job: steps.append("parse") or parse_only(job))
    monkeypatch.setattr(workers, "texts_keys",
                        lambda releases: steps.extend(["keys"] * len(releases)) or texts_keys(releases))
    got = workers.run_jobs(chunk)
    assert all(same_record(a, b) for a, b in zip(got, expected, strict=True))
    assert isinstance(got[1], ParseError) and got[2].keys.minhash is None and got[3].keys.minhash is not None
    keyed = sum(not isinstance(page, ParseError) and page.keys.minhash is not None for page in expected)
    assert keyed >= 2 and steps == ["parse"] * len(chunk) + ["keys"] * keyed  # errors and the stored text: no keys


def _page_with_translations() -> ParseJob:
    """A Russian release whose page names its English and Russian versions (hreflang): its translations are the
    versions in languages other than the detected one."""
    words = ("Министр иностранных дел встретился в Москве с делегацией Европейского союза и обсудил вопросы "
             "сотрудничества в области энергетики, торговли и безопасности").split()
    paragraphs = "".join(f"<p>{' '.join(words[i:] + words[:i])}.</p>" for i in range(8))
    page = ("<html lang='ru'><head><title>Встреча министра</title>"
            "<link rel='alternate' hreflang='en' href='https://example.org/en/meeting'>"
            "<link rel='alternate' hreflang='ru' href='https://example.org/ru/meeting'></head><body><article>"
            "<h1>Встреча министра с делегацией</h1><time datetime='2024-03-12T10:00:00+03:00'>12 марта 2024</time>"
            f"{paragraphs}</article></body></html>")
    return ParseJob(body=page.encode(), url="https://example.org/ru/meeting-1", parser="generic",
                    context=ParseContext(source_id="test", timezone="Europe/Moscow", languages=("ru",)))


def test_a_chunk_s_languages_are_detected_after_all_of_its_parses_with_the_same_records(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """``run_jobs`` detects the languages of its chunk's pages after every page's parse (the detector's tables stay
    in the caches from one detection to the next), and each release gets :func:`run_job`'s language and translations."""
    import govpress.parse_workers as workers
    from govpress.parsers import generic

    chunk = [_page_with_translations(), *page_jobs(),
             ParseJob(body=b"", url="https://example.org/empty", context=ParseContext(), parser="generic")]
    expected = [run_job(job) for job in chunk]
    assert expected[0].release.language == "ru" and expected[0].release.translations == {
        "en": "https://example.org/en/meeting"}
    steps: list[str] = []
    parse_only, detect = workers.parse_only, generic.detect_language
    monkeypatch.setattr(workers, "parse_only", lambda job: steps.append("parse") or parse_only(job))
    monkeypatch.setattr(generic, "detect_language", lambda *args, **kw: steps.append("language") or detect(*args, **kw))
    got = workers.run_jobs(chunk)
    assert all(same(a, b) for a, b in zip(got, expected, strict=True))
    assert [page.release.language for page in got if not isinstance(page, ParseError)].count("ru") >= 2
    detected = sum(not isinstance(page, ParseError) for page in expected)
    assert detected >= 3 and steps == ["parse"] * len(chunk) + ["language"] * detected
    steps.clear()
    assert same(run_job(chunk[0]), expected[0]) and steps == ["parse", "language"]  # one page: as it always was


def test_a_detection_that_crashes_fails_its_page_alone_as_a_crashed_parse(monkeypatch: pytest.MonkeyPatch) -> None:
    """A held detection that raises fails its own page with the parser's error, as it did within the parse."""
    import govpress.parse_workers as workers
    from govpress.parsers import generic

    chunk = page_jobs()
    detect = generic.detect_language
    calls = []

    def detect_or_crash(*args, **kw):  # the second detection (a page's between others) crashes
        calls.append(args)
        if len(calls) == 2:
            raise ValueError("no model")
        return detect(*args, **kw)

    monkeypatch.setattr(generic, "detect_language", detect_or_crash)
    got = workers.run_jobs(chunk)
    calls.clear()
    expected = [run_job(job) for job in chunk]
    crashed = [page for page in got if isinstance(page, ParseError) and "model" in str(page)]
    assert len(crashed) == 1 and str(crashed[0]) == "generic parser failed: ValueError: no model" and len(calls) == 3
    assert all(same(a, b) for a, b in zip(got, expected, strict=True))


def test_the_workers_send_the_exact_text_hash_of_the_text_they_send() -> None:
    from govpress.dedupe.versions import text_hash

    job, keyed = next((job, done) for job in page_jobs() if not isinstance(done := run_job(job), ParseError))
    assert keyed.keys.text_hash == text_hash(keyed.release)  # the load stores it as it is
    same_text = run_job(replace(job, stored_hash=keyed.keys.content_hash))
    assert same_text.keys.text_hash == keyed.keys.text_hash  # a reparse compares it with the stored one


def test_the_workers_import_no_store_and_no_registry() -> None:
    """What the fork server imports is what each worker pays for: DuckDB and Arrow are the loader's, not the parser's."""
    import subprocess
    import sys

    code = ("import sys, govpress.parse_workers; "
            "print(sorted(m for m in ('duckdb', 'pyarrow', 'govpress.store', 'govpress.registry', 'asyncio') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_asking_for_the_workers_while_they_start_never_waits_for_their_start(monkeypatch) -> None:
    """A batch's launch calls ``want`` in the run's event loop: a start under way (which holds the pool's lock
    until the fork server imported the parsers) must not stop the loop for that long."""
    import threading

    pool = ParsePool(workers=1, min_pages=1)
    in_start, finish = threading.Event(), threading.Event()

    def slow_start():  # as ParsePool.start: the lock held until the workers answered
        with pool._lock:
            in_start.set()
            finish.wait(30)

    monkeypatch.setattr(pool, "start", slow_start)
    try:
        pool.start_soon()
        assert in_start.wait(10)
        asking = threading.Thread(target=pool.want, args=(100,), daemon=True)
        asking.start()
        asking.join(10)
        assert not asking.is_alive(), "want() waited for the workers' start"
        assert pool.started and not pool.ready
    finally:
        finish.set()
    pool._starting.join(10) if pool._starting is not None else None


def test_a_run_on_a_new_database_starts_the_workers_before_its_migration(tmp_path: Path, monkeypatch) -> None:
    """A new database is a backfill: the workers (the fork server's import of the parsers) start beside the
    migration and answer before the first page arrives; a run on a database that exists starts them on demand."""
    from govpress.run import run_lifecycle
    from govpress.store import Store

    calls: list[str] = []
    monkeypatch.setattr(ParsePool, "start_soon", lambda self: calls.append("workers"))
    migrate = Store.migrate
    monkeypatch.setattr(Store, "migrate", lambda self: (calls.append("migrate"), migrate(self))[1])

    async def nothing(run) -> list:
        return []

    db = tmp_path / "g.duckdb"
    asyncio.run(run_lifecycle(db, flow="test", parameters={}, sources=[], work=nothing, publish_results=False))
    assert calls == ["workers", "migrate"]
    calls.clear()
    asyncio.run(run_lifecycle(db, flow="test", parameters={}, sources=[], work=nothing, publish_results=False))
    assert calls == ["migrate"]
    calls.clear()
    # Parsing held (a prestarted run beside its starting temporary API): the workers wait with it.
    asyncio.run(run_lifecycle(tmp_path / "other.duckdb", flow="test", parameters={}, sources=[], work=nothing,
                              publish_results=False, parsing_held=True))
    assert calls == ["migrate"]


def test_the_fork_server_pays_once_for_what_each_worker_paid_on_its_first_pages() -> None:
    """trafilatura and dedupe's modules were imported by each worker on its first pages; the fork server's
    sample page brings them in once, and leaves the parser's counters as they were. NumPy's ``numpy.ma``
    (20-25 ms, once imported by ``np.unique`` in the signatures) is no longer asked for by anything."""
    import subprocess
    import sys

    from govpress.parse_workers import SAMPLE_PAGE

    sample = run_job(ParseJob(body=SAMPLE_PAGE, url="https://example.org/news/1", parser="generic",
                              context=ParseContext(source_id="t", timezone="Europe/Moscow", languages=("ru",))))
    assert not isinstance(sample, ParseError) and len(sample.keys.minhash) and sample.keys.names is not None
    code = ("import sys, govpress.parse_preload; from govpress.parsers.generic import counters; "
            "print([m in sys.modules for m in ('trafilatura', 'govpress.dedupe.neardup', 'govpress.dedupe.names', "
            "'numpy.ma')], dict(counters))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[True, True, True, False] {}"


@pytest.mark.parametrize(("held", "expected"), [(None, False), (False, False), (True, True)])
def test_an_ingest_holds_its_early_workers_only_while_its_parsing_is_held(tmp_path: Path, monkeypatch, held,
                                                                          expected) -> None:
    """A prestarted run beside a running server parses at once (its gate is open), so it starts its workers early too;
    beside a starting temporary API its gate is closed and the workers wait with the parsing."""
    import govpress.run as run_module
    from govpress.plan import RunParams

    seen: list[bool] = []

    async def lifecycle(db, **kwargs):
        seen.append(kwargs["parsing_held"])

    monkeypatch.setattr(run_module, "run_lifecycle", lifecycle)

    async def ingest() -> None:
        gate = None
        if held is not None:
            gate = asyncio.Event()
            if not held:
                gate.set()
        await run_module.run_ingest(None, [], db=tmp_path / "g.duckdb", params=RunParams(), base_dir=tmp_path,
                                    parse_gate=gate)

    asyncio.run(ingest())
    assert seen == [expected]


def test_a_killed_runs_fork_server_and_workers_go_with_it(tmp_path: Path) -> None:
    """SIGKILL (the OOM killer, a crash test) once left the fork server, its workers and the resource tracker running
    for good: the workers held the write ends of the fork server's "alive" pipe and of their own call queue."""
    run, workers = start_two_workers(tmp_path, "from govpress.parse_workers import ParsePool\n",
                                     "pool = ParsePool(workers=2, min_pages=1)\n"
                                     "executor = pool.start()\n"
                                     "while not pool.ready:\n"
                                     "    time.sleep(0.01)\n")
    try:
        processes = children_of(run.pid) + workers  # the resource tracker, the fork server; the workers are its children
        assert len(processes) >= 3
    finally:
        run.kill()
        run.wait()
    assert gone_within(processes, 30)


@pytest.mark.parametrize("killed", ["the run", "the run and its fork server"])
def test_a_worker_starting_when_its_run_is_killed_goes_too(tmp_path: Path, killed: str) -> None:
    """A run killed while its workers were starting left one for good (a crash test found it minutes later, waiting
    for work in ``Queue.get`` and holding the resource tracker open): the worker read its parent after the fork
    server had gone. Here the workers' start (the pool's initializer, :func:`start_worker`) waits for a file, the
    run (and its fork server) are killed, then the file lets the workers start: each must see it has no run."""
    gate = tmp_path / "go"
    (tmp_path / "gated.py").write_text(
        "import os, time\n"
        "from govpress.parse_workers import start_worker\n"
        "def start():\n"
        f"    for _ in range(600):\n"
        f"        if os.path.exists({str(gate)!r}):\n"
        "            break\n"
        "        time.sleep(0.05)\n"
        "    start_worker()\n", encoding="utf-8")
    run, workers = start_two_workers(
        tmp_path, "from concurrent.futures import ProcessPoolExecutor\nfrom govpress.parse_workers import _context\n"
                  "import gated\n",
        "executor = ProcessPoolExecutor(max_workers=2, mp_context=_context(), initializer=gated.start)\n"
        "for _ in range(2):\n"
        "    executor.submit(int)\n")
    try:
        processes = children_of(run.pid) + workers
        fork_servers = {parent_of(pid) for pid in workers}
        assert len(fork_servers) == 1 and fork_servers <= set(processes)
    finally:
        run.kill()
        run.wait()
    if killed == "the run and its fork server":
        os.kill(fork_servers.pop(), signal.SIGKILL)
    gate.touch()
    assert gone_within(processes, 30)


def start_two_workers(tmp_path: Path, imports: str, start: str):
    """A process (its script in ``tmp_path``, importable modules beside it) that starts a pool's two workers by
    ``start`` and waits to be killed; returns it and the workers' pids (its ``executor._processes``)."""
    import subprocess
    import sys
    import textwrap

    (tmp_path / "startpool.py").write_text(
        "import time\n" + imports + "if __name__ == '__main__':\n"
        + textwrap.indent(start + "print(sorted(executor._processes), flush=True)\ntime.sleep(120)\n", "    "),
        encoding="utf-8")
    run = subprocess.Popen([sys.executable, str(tmp_path / "startpool.py")], stdout=subprocess.PIPE, text=True,
                           stderr=subprocess.DEVNULL, cwd=tmp_path)
    try:
        workers = eval(run.stdout.readline())  # noqa: S307 - our own child's list of pids
        assert len(workers) == 2, workers
    except BaseException:
        run.kill()
        run.wait()
        raise
    return run, workers


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def gone_within(pids: list[int], seconds: float) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while any(alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in pids if alive(pid)]
    for pid in left:  # this test's own leftovers are not left to the next tests
        os.kill(pid, signal.SIGKILL)
    return not left


def test_the_fork_server_starts_numpy_without_a_blas_thread_pool() -> None:
    """OpenBLAS's thread pool (one thread per core) made NumPy's import in the fork server 2-3x the CPU; the
    workers, one per core, never use it. Set before NumPy's import, kept when the run's environment sets it."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    code = ("import os, sys, govpress.parse_preload; print(os.environ.get('OPENBLAS_NUM_THREADS'), 'numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip() == "1 True"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**env, "OPENBLAS_NUM_THREADS": "2"})
    assert done.stdout.strip() == "2 True"
    # Too late once NumPy is imported: the process's environment is left as it is.
    late = ("import os, numpy; from govpress.settings import one_blas_thread; one_blas_thread(); "
            "print(os.environ.get('OPENBLAS_NUM_THREADS'))")
    done = subprocess.run([sys.executable, "-c", late], capture_output=True, text=True, check=True, env=env)
    assert done.stdout.strip() == "None"


def test_every_entry_point_starts_numpy_without_a_blas_thread_pool() -> None:
    """The run's own process pays OpenBLAS's thread start too (30-40 ms of CPU): the settings, which the CLI
    and the flows import first, set one thread; a value the environment sets is kept."""
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != "OPENBLAS_NUM_THREADS"}
    for first in ("govpress.settings", "govpress.cli", "flows.ingest"):
        code = f"import os, {first}, numpy; print(os.environ.get('OPENBLAS_NUM_THREADS'))"
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
        assert done.stdout.strip() == "1", first
    code = "import os, govpress.settings; print(os.environ.get('OPENBLAS_NUM_THREADS'))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          env={**env, "OPENBLAS_NUM_THREADS": "4"})
    assert done.stdout.strip() == "4"


def test_the_workers_import_feedparser_only_for_a_feed_document() -> None:
    """feedparser (20-40 ms to import) is for feed documents alone: the fork server's warm-up leaves it out."""
    import subprocess
    import sys

    code = "import sys, govpress.parse_preload; print('feedparser' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_a_job_says_the_fetcher_found_no_block_only_for_the_fetchers_own_ok_body(tmp_path: Path) -> None:
    # ParseContext.no_block_found (the parsers skip the blocked-page rules the fetcher already ran on the bytes):
    # carried from the fetch's result, never for a body put in afterwards (an archived copy after a 304) nor for
    # bytes that did not come over HTTP.
    from govpress.archive import Archive
    from govpress.pipeline import _replace_body, local_result, parse_job
    from factories import make_source

    source = make_source()
    fetched = replace(local_result("https://gov.example/a", "new", b"<html></html>", "text/html", Archive(tmp_path)),
                      no_block_found=True)
    now = fetched.started_at
    assert parse_job(source, fetched, now).context.no_block_found
    assert not parse_job(source, replace(fetched, outcome="not_modified"), now).context.no_block_found
    assert not parse_job(source, _replace_body(fetched, b"<html>stored</html>", "k"), now).context.no_block_found
    assert not parse_job(source, local_result("file:///a.html", "file", b"<html></html>", "text/html", Archive(tmp_path)),
                         now).context.no_block_found


def _field_values(value):
    """A dataclass's fields as (name, value), recursively, arrays as (dtype, shape, values)."""
    import dataclasses

    import numpy as np

    if dataclasses.is_dataclass(value):
        return (type(value).__name__, [(f.name, _field_values(getattr(value, f.name))) for f in dataclasses.fields(value)])
    if isinstance(value, np.ndarray):
        return ("ndarray", value.dtype.str, value.shape, value.tolist())
    return (type(value).__name__, value)


@pytest.mark.parametrize("kind", ["signed", "empty", "unsigned", "other"])
def test_jobs_and_results_cross_the_process_boundary_whole(kind: str) -> None:
    """Jobs, contexts, releases and results pickle by their own reductions (perf-parse20): every field comes back
    equal and of its type, the signature as a uint64 array of the same values (an empty one, none, or one of
    another dtype, which pickles as NumPy's own)."""
    import pickle
    from datetime import datetime, timezone
    from multiprocessing.reduction import ForkingPickler

    import numpy as np

    from govpress.dedupe.keys import TextKeys
    from govpress.parse_workers import SAMPLE_PAGE, Parsed

    context = ParseContext(source_id="s", timezone="Europe/Moscow", languages=("ru", "en"),
                           fetched_at=datetime(2026, 12, 1, tzinfo=timezone.utc), content_type="text/html; charset=utf-8",
                           site_names=("Ministry",), no_block_found=True)
    job = ParseJob(body=SAMPLE_PAGE, url="https://example.org/a", context=context, parser="generic", stored_hash="abc")
    back = pickle.loads(ForkingPickler.dumps(job))
    assert back == job and _field_values(back) == _field_values(job)
    assert pickle.loads(ForkingPickler.dumps(replace(job, stored_hash=None))) == replace(job, stored_hash=None)

    parsed = run_job(replace(job, stored_hash=None))
    assert isinstance(parsed, Parsed)
    release = replace(parsed.release, tags=["a", "b"], translations={"en": "https://example.org/en/a"}, kind="news",
                      place="Minsk", translation_key="k:1")
    signature = {"signed": parsed.keys.minhash, "empty": np.zeros(0, dtype=np.uint64), "unsigned": None,
                 "other": np.arange(4, dtype=np.int64)}[kind]
    result = Parsed(release=release, keys=TextKeys(content_hash="h", minhash=signature, names={"k": "Name"}, text_hash="t"))
    back = pickle.loads(ForkingPickler.dumps(result))
    assert _field_values(back) == _field_values(result)
    if signature is not None:
        assert back.keys.minhash.dtype == signature.dtype



def test_the_pool_is_ready_only_when_every_worker_has_answered(monkeypatch: pytest.MonkeyPatch) -> None:
    """A process pool hands a task to an idle worker rather than start another: when the thread submitting the
    first tasks was held up until the first worker had answered (a busy machine), that worker took the second
    task too and the pool called itself ready with one worker of two (a fresh-clone CI failure). Here the hold-up
    is made certain: the first submit returns only once its task is done."""
    import time
    from concurrent.futures import ProcessPoolExecutor, wait

    submit = ProcessPoolExecutor.submit
    held = []

    def held_up(self, fn, *args, **kwargs):
        future = submit(self, fn, *args, **kwargs)
        if not held:
            held.append(future)
            wait([future], timeout=60)
        return future

    monkeypatch.setattr(ProcessPoolExecutor, "submit", held_up)
    pool = ParsePool(workers=2, min_pages=1)
    try:
        executor = pool.start()
        deadline = time.monotonic() + 60
        while not pool.ready and time.monotonic() < deadline:
            time.sleep(0.01)
        assert pool.ready
        assert len(executor._processes) == 2  # noqa: SLF001 - the pool's own workers, as the test above counts them
    finally:
        pool.close()
