"""Lock handling: another PROCESS holding the file makes the store wait (logging why), then load or give up."""

from __future__ import annotations

import logging
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from store_factories import batch, release, table_rows

from govpress.store import LoadCounts, Store, StoreLocked
from govpress.store.connection import MAX_RETRY_DELAY, backoff_delays, describe_lock_holder

HOLDER = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
print("held", flush=True)
sys.stdin.readline()
con.close()
print("released", flush=True)
sys.stdin.readline()
"""


class Holder:
    """A child process holding a read-write connection on the database until told to let go."""

    def __init__(self, path: Path) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path)], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "held"

    def release(self) -> None:
        self.proc.stdin.write("\n")
        self.proc.stdin.flush()
        assert self.proc.stdout.readline().strip() == "released"

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.close()
            self.proc.wait(timeout=20)


@pytest.fixture
def holder(store: Store) -> Iterator[Holder]:
    held = Holder(store.path)
    yield held
    held.stop()


class Recorder(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[str] = []
        self.first = threading.Event()

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())
        self.first.set()


def recording_logger(name: str) -> tuple[logging.Logger, Recorder]:
    logger = logging.getLogger(f"test.store.lock.{name}")
    recorder = Recorder()
    logger.addHandler(recorder)
    logger.propagate = False
    return logger, recorder


def test_load_waits_for_the_lock_logs_why_and_then_loads(store: Store, holder: Holder) -> None:
    logger, recorder = recording_logger("wait")
    waiting = Store(store.path, lock_timeout=60, logger=logger)
    result: dict[str, object] = {}
    worker = threading.Thread(target=lambda: result.update(counts=waiting.load_batch(batch(release("r1")))))
    worker.start()
    assert recorder.first.wait(timeout=30), "the store never reported the lock"
    holder.release()
    worker.join(timeout=60)
    assert result["counts"] == LoadCounts(new=1)
    assert table_rows(store, "SELECT release_id FROM releases") == [("r1",)]
    first = recorder.messages[0]
    assert f"database {store.path} is locked by another process (pid {holder.proc.pid}," in first
    assert "retrying in" in first and first.endswith(" s")


def test_load_gives_up_after_lock_timeout_with_a_clear_error(store: Store, holder: Holder) -> None:
    logger, recorder = recording_logger("timeout")
    impatient = Store(store.path, lock_timeout=0.5, logger=logger)
    with pytest.raises(StoreLocked) as error:
        impatient.load_batch(batch(release("r1")))
    message = str(error.value)
    assert f"database {store.path} is still locked by another process (pid {holder.proc.pid}," in message
    assert "lock_timeout=0.5 s" in message and "snapshot" in message
    assert recorder.messages, "each wait is logged"
    holder.release()
    assert table_rows(store, "SELECT count(*) FROM releases") == [(0,)]


def test_backoff_doubles_with_jitter_and_stays_within_the_timeout() -> None:
    delays = list(backoff_delays(30.0, random.Random(7)))
    assert sum(delays) == pytest.approx(30.0)
    assert all(d <= MAX_RETRY_DELAY for d in delays)
    assert delays[0] < delays[1] < delays[2] < delays[3]
    assert list(backoff_delays(0.0)) == []


def test_lock_holder_is_read_from_duckdbs_message() -> None:
    message = ('IO Error: Could not set lock on file "/d/x.duckdb": Conflicting lock is held in '
               "/usr/bin/python3.11 (PID 6812). See also https://duckdb.org/docs/stable/connect/concurrency")
    assert describe_lock_holder(message) == "pid 6812, /usr/bin/python3.11"
    assert describe_lock_holder("Could not set lock on file") == ""


def test_a_session_let_go_when_idle_waits_for_another_processs_lock_before_attaching_the_file_again(
        store: Store) -> None:
    # While a run idles its session lets the file go (DETACHed from its DuckDB instance); another process may take
    # it then, and the run's next call waits for it as an open waits, then attaches the file again.
    logger, recorder = recording_logger("attach")
    waiting = Store(store.path, lock_timeout=60, logger=logger)
    with waiting.session(idle_close=0.2):
        assert waiting.load_batch(batch(release("r1"))) == LoadCounts(new=1)
        held = None
        deadline = time.monotonic() + 30
        while held is None:  # the holder gets the file once the session let it go
            try:
                held = Holder(store.path)
            except AssertionError:
                assert time.monotonic() < deadline, "the idle session never let the file go"
                time.sleep(0.1)
        try:
            result: dict[str, object] = {}
            worker = threading.Thread(
                target=lambda: result.update(counts=waiting.load_batch(batch(release("r2", "Another text.")))))
            worker.start()
            assert recorder.first.wait(timeout=30), "the store never reported the lock"
            held.release()
            worker.join(timeout=60)
        finally:
            held.stop()
        assert result["counts"] == LoadCounts(new=1)
        assert waiting.connections_opened == 2
    assert f"database {store.path} is locked by another process (pid {held.proc.pid}," in recorder.messages[0]
    assert table_rows(store, "SELECT release_id FROM releases ORDER BY 1") == [("r1",), ("r2",)]


def test_a_session_let_go_when_idle_gives_up_after_lock_timeout_and_attaches_at_a_later_call(store: Store) -> None:
    logger, _ = recording_logger("attach-timeout")
    impatient = Store(store.path, lock_timeout=0.5, logger=logger)
    with impatient.session(idle_close=0.2):
        impatient.frontier("s")
        deadline = time.monotonic() + 30
        while True:
            try:
                held = Holder(store.path)
                break
            except AssertionError:
                assert time.monotonic() < deadline, "the idle session never let the file go"
                time.sleep(0.1)
        try:
            with pytest.raises(StoreLocked, match="lock_timeout=0.5 s"):
                impatient.load_batch(batch(release("r1")))
            held.release()
        finally:
            held.stop()
        assert impatient.load_batch(batch(release("r1"))) == LoadCounts(new=1)
    assert table_rows(store, "SELECT release_id FROM releases") == [("r1",)]
