"""A command-line run that starts before its Prefect flow run exists, and that the flow then takes over.

``govpress ingest`` and ``backfill`` spend seconds before their flow's body starts: importing
Prefect, starting the temporary API (or reaching a running server), creating the flow run. The
command line therefore starts the run itself first (:meth:`Prestart.begin`, in the event loop the
flow will run in) and the flow **adopts** it (:func:`claim`, :meth:`Prestart.adopt`) instead of
starting it again:

- right away: the writer queue's place (govpress/writer_queue.py: the same first-come-first-served
  queue as the flow's writer slot, so no second writer opens the file), the store opened and
  migrated, the registry, each source's discovery and the fetching and parsing of what it plans;
- held back until the flow adopts the run (:func:`govpress.run.run_lifecycle`'s ``opening``): every
  write. The ``runs`` row (with the flow run's id), the sources, the plan parts discovery persists
  (kept in order: :class:`govpress.pipeline.HeldWrites`) and every batch's load wait; the flow's
  writer slot takes over the queue place (no second wait: flows/writer_limit.py);
- once adopted: each stage call (a source's discovery, each batch, the source's verdict) goes
  through the flow's Prefect task as before, in the flow run's context; a task whose stage began
  early awaits that call instead of running the stage again (``RunContext.early``), and a retry runs
  it afresh. A source's walk that ended before the adoption does not wait for its task: the walk's
  end launches the source's last batch, so the run goes on fetching, and the discover task adopts the
  ended walk once the flow exists (before the source's verdict). The task runs, their names and states and the run's artifacts are those of a flow run
  without a prestart; the tables are those of ``--without-prefect``.

What the run logs before it is adopted (a source's failed discovery, a host's circuit opening) is kept
from the begin, before Prefect's log handler exists (:class:`EarlyRecords`, at most
:data:`MAX_EARLY_RECORDS`), and sent to the flow run's log at the adoption. What it holds in memory
meanwhile is bounded: :data:`govpress.pipeline.HELD_BATCHES` batches' rows.

A flow run started any other way (the UI, a deployment, ``govpress serve``) finds no prestart and
runs as it always did. A prestart whose flow never starts (the temporary API does not answer, the
command fails first) is cancelled by :meth:`Prestart.close`: it wrote nothing (no ``runs`` row, no
rows of its work; fetched bodies may stay in the archive, which is content-addressed). A killed
command leaves what a killed run leaves: at most its archived bodies before the row existed, and
after it a ``running`` row the next run marks ``crashed``.

No Prefect here: the flow hands its side in an :class:`Adoption` (flows/tasks.py builds it).
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import os
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from govpress.pipeline import PartQueue, RunContext, SourceOutcome, discover_source, process_batch, run_source
from govpress.plan import RunParams
from govpress.registry import Source
from govpress.run import Announcement, RunResult, registry_at, run_ingest
from govpress.storage import DuckLake, store_option
from govpress.writer_queue import Ticket, WriterQueue

log = logging.getLogger("govpress.prestart")

MAX_EARLY_RECORDS = 2_000
"""Log records of a prestart kept for the flow run's log until it adopts the run (a bound, not a target)."""
KEPT = "govpress_prestart_kept"
"""Set on a record :class:`EarlyRecords` kept: the flow's log handler leaves it to the replay at the adoption."""


@dataclass(frozen=True, slots=True)
class Adoption:
    """What the flow hands the run it takes over, built inside the flow run (its context is the flow run's)."""

    parameters: dict[str, Any]
    """What the ``runs`` row records (the flow run's id among them)."""
    context: contextvars.Context
    """The flow run's context: the stage calls run in copies of it, as if the flow's body had made them."""
    discover: Callable[..., Awaitable[Any]]
    """``(ctx, source, parts)``: the discovery as the flow calls it (its Prefect task)."""
    batch: Callable[..., Awaitable[Any]]
    """``(ctx, source, items, number)``: a batch as the flow calls it (its Prefect task)."""
    verdict: Callable[[RunContext, Source, SourceOutcome], Awaitable[SourceOutcome]]
    """The source's verdict task once its stages are done."""
    log: Callable[[logging.LogRecord], None] | None = None
    """Sends a record to the flow run's log (flows/run_log.py), called in a copy of ``context``: what the run
    logged before the adoption goes there then. None: those records are dropped."""
    announcement: Announcement | None = None
    """What the run sends once finished, beside its snapshot (the flow's artifacts): sent in a copy of ``context``."""


class EarlyRecords(logging.Handler):
    """On the ``govpress`` logger from a prestart's begin: keeps its records until its flow adopts it.

    The command begins the run before Prefect is imported, so before the flows' import attaches the
    handler that sends the library's records to the flow run's log (flows/run_log.py): a source whose
    discovery failed in the first second warned where nobody would read it. This handler is
    Prefect-free and there from the begin; :meth:`Prestart.adopt` sends what it kept to the flow
    run's log (records of other code, and of a prestart already adopted, pass by).
    """

    def emit(self, record: logging.LogRecord) -> None:
        prestart = CURRENT.get()
        if prestart is not None:
            prestart.keep(record)


def keep_records() -> EarlyRecords:
    """Attach :class:`EarlyRecords` to the ``govpress`` logger once per process (idempotent); returns it."""
    logger = logging.getLogger("govpress")
    for handler in logger.handlers:
        if isinstance(handler, EarlyRecords):
            return handler
    handler = EarlyRecords(level=logging.INFO)  # the level flows/run_log.py sends at
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


CURRENT: contextvars.ContextVar[Prestart | None] = contextvars.ContextVar("govpress_prestart", default=None)
"""The prestart whose code is running (its coroutines and their worker threads): where its log records go."""

_waiting: Prestart | None = None
"""The prestart of this process no flow has claimed yet."""


def queue_folder() -> Path:
    """The writer queue of this Prefect home (the same folder as flows/writer_limit.py's)."""
    return Path(os.environ["PREFECT_HOME"]) / "govpress-writer-queue"


class Prestart:
    """One run begun by the command line ahead of its flow (see the module's docstring)."""

    def __init__(self, *, flow: str, db: Any, sources_file: Path | str | None, source_ids: list[str] | None,
                 params: RunParams, hold_parsing: bool = False) -> None:
        self.flow = flow
        self.db = store_option(db)
        self.sources_file = str(sources_file) if sources_file else None
        self.source_ids = list(source_ids) if source_ids else None
        self.params = params
        self.ticket: Ticket | None = None
        self.reaped: list[dict[str, Any] | None] = []
        """Descriptions of dead writers' tickets this prestart reaped: their Prefect leases are released by the flow."""
        self.adoption: Adoption | None = None
        self._adopted = asyncio.Event()
        self.parse_gate = asyncio.Event()
        """Set: the batches parse. ``hold_parsing`` (a temporary API starting beside the run): set by
        :meth:`parse_now` once the server answered, or at the adoption at the latest."""
        if not hold_parsing:
            self.parse_gate.set()
        self._records: list[logging.LogRecord] = []
        self._records_lock = threading.Lock()  # records come from worker threads too
        self.task: asyncio.Task[RunResult] | None = None

    def matches(self, *, flow: str, db: Any, sources_file: Path | str | None, source_ids: list[str] | None,
                params: RunParams) -> bool:
        """Whether a flow with these arguments is the run this prestart began."""
        return (flow == self.flow and str(store_option(db)) == str(self.db)
                and (str(sources_file) if sources_file else None) == self.sources_file
                and (list(source_ids) if source_ids else None) == self.source_ids and params == self.params)

    # -- the command line's side ------------------------------------------------------------------

    def begin(self) -> Prestart:
        """Start the run in the running event loop (the flow's); the flow finds it with :func:`claim`."""
        global _waiting
        if not isinstance(self.db, DuckLake):  # a lake takes many writers: no queue (flows/ingest.py)
            self.ticket = WriterQueue(queue_folder()).join(label=f"process {os.getpid()} (govpress {self.flow}, starting)")
        keep_records()
        context = contextvars.copy_context()
        context.run(CURRENT.set, self)
        self.task = asyncio.get_running_loop().create_task(self._run(), context=context)
        _waiting = self
        return self

    async def close(self) -> None:
        """After the command's flow: a run no flow adopted is cancelled (it wrote nothing); the queue place is left."""
        global _waiting
        if _waiting is self:
            _waiting = None
        try:
            if self.task is not None and not self.task.done():
                self.task.cancel()
                await asyncio.gather(self.task, return_exceptions=True)
            elif self.task is not None and not self.task.cancelled():
                self.task.exception()  # retrieved: a prestart that failed on its own reported it through its flow
        finally:
            if self.ticket is not None:
                self.ticket.leave()

    def parse_now(self) -> None:
        """The temporary API answered: the batches may parse (they fetched and archived meanwhile)."""
        self.parse_gate.set()

    # -- the flow's side --------------------------------------------------------------------------

    async def adopt(self, adoption: Adoption) -> RunResult:
        """Take the run over: its row is written with ``adoption.parameters``, its stages go on as the flow's tasks."""
        with self._records_lock:
            self.adoption = adoption
            records, self._records = self._records, []
        if adoption.log is not None:
            for record in records:  # what the run logged before its flow existed, in the flow run's log
                adoption.context.copy().run(adoption.log, record)
        self._adopted.set()
        self.parse_gate.set()
        assert self.task is not None
        return await self.task

    def keep(self, record: logging.LogRecord) -> None:
        """A log record of this run before its adoption (:class:`EarlyRecords`): kept for the flow run's log."""
        with self._records_lock:
            if self.adoption is None and len(self._records) < MAX_EARLY_RECORDS:
                record.msg, record.args = record.getMessage(), None  # as it reads now, not at the adoption
                record.__dict__[KEPT] = True
                self._records.append(record)

    def deliver(self, record: logging.LogRecord, emit: Callable[[logging.LogRecord], None]) -> None:
        """A log record of this run for the flow run's log (flows/run_log.py): sent there once adopted; before,
        :meth:`keep` has it (and :meth:`adopt` sends it)."""
        if self.adoption is not None and not getattr(record, KEPT, False):
            self.adoption.context.copy().run(emit, record)

    # -- the run ----------------------------------------------------------------------------------

    async def _run(self) -> RunResult:
        if self.ticket is not None:  # another writer first: wait in the queue as the flow's slot would
            await self.ticket.queue.wait_turn(self.ticket, on_dead=self.reaped.append)
        registry, path = registry_at(self.sources_file)
        return await run_ingest(registry, registry.select(self.source_ids), db=self.db, params=self.params,
                                base_dir=path.resolve().parent, flow=self.flow, source_runner=self._source,
                                opening=self._opening, parse_gate=self.parse_gate,
                                announcement=Announcement(read=self._read, send=self._send))

    async def _opening(self) -> dict[str, Any]:
        await self._adopted.wait()
        assert self.adoption is not None
        return self.adoption.parameters

    def _read(self, store: Any, result: RunResult) -> Any:
        """The adopting flow's announcement's read (the run ended, so it was adopted); None without one."""
        announcement = self.adoption.announcement if self.adoption is not None else None
        return announcement.read(store, result) if announcement is not None else None

    async def _send(self, result: RunResult, read: Any) -> None:
        """The adopting flow's announcement sent as its body would (in its flow run's context)."""
        announcement = self.adoption.announcement if self.adoption is not None else None
        if announcement is not None:
            await self._in_flow(announcement.send, result, read)

    async def _in_flow(self, call: Callable[..., Awaitable[Any]], *args: Any) -> Any:
        """``call(*args)`` in the flow run's context (a copy), once the flow adopted the run."""
        await self._adopted.wait()
        assert self.adoption is not None
        return await asyncio.get_running_loop().create_task(call(*args), context=self.adoption.context.copy())

    async def _source(self, ctx: RunContext, source: Source) -> SourceOutcome:
        walked: list[asyncio.Future[Any]] = []
        try:
            outcome = await run_source(ctx, source, discover_fn=self._stage("discover", discover_source, walked),
                                       batch_fn=self._stage("batch", process_batch))
            for flow_call in walked:  # the flow's discover task of a walk that ended before the adoption
                try:
                    await flow_call
                except Exception as exc:  # as run_source records a discovery that failed
                    log.exception("%s failed", source.id)
                    outcome.status, outcome.message = "failed", f"{type(exc).__name__}: {exc}"
        finally:
            for flow_call in walked:
                flow_call.cancel()
            await asyncio.gather(*walked, return_exceptions=True)
        return await self._in_flow(lambda *a: self.adoption.verdict(*a), ctx, source, outcome)

    async def _ended_first(self, early: asyncio.Future[Any]) -> bool:
        """Wait for ``early`` or the adoption, whichever comes first; True when ``early`` succeeded before the adoption."""
        if self._adopted.is_set():
            return False
        adopted = asyncio.ensure_future(self._adopted.wait())
        try:
            await asyncio.wait({early, adopted}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            adopted.cancel()
        return (early.done() and not early.cancelled() and early.exception() is None
                and not self._adopted.is_set())

    def _stage(self, which: str, plain: Callable[..., Awaitable[Any]], walked: list[asyncio.Future[Any]] | None = None):
        """A stage call that starts at once and is handed to the flow's task for it once adopted.

        A source's walk that ends before the adoption returns at once (``walked`` then holds the flow's discover
        task call, which adopts the finished walk once the flow exists; :meth:`_source` awaits it before the
        verdict). Its batches get going: the last part of a walk is launched only when the walk returns, and a
        walk that waited for the flow stopped the run's fetching until then (bench/results.md, "perf-prefect18").
        """

        async def call(ctx: RunContext, source: Source, *args: Any) -> Any:
            key = (source.id, which if which == "discover" else args[-1])
            early = asyncio.ensure_future(plain(ctx, source, *args))
            ctx.early[key] = early
            flow_call = (lambda *a: self.adoption.discover(*a)) if which == "discover" else (
                lambda *a: self.adoption.batch(*a))
            later = False  # the flow's call left to adopt the ended walk (it takes ``early`` from ctx.early then)
            try:
                if walked is not None and await self._ended_first(early):
                    # Handed a queue of its own: should the task's first attempt fail after taking the walk, a walk
                    # run again cannot block on the batches' queue, whose reader is done by then.
                    pending = asyncio.ensure_future(self._in_flow(flow_call, ctx, source, PartQueue()))
                    pending.add_done_callback(lambda _: ctx.early.pop(key, None))
                    walked.append(pending)
                    later = True
                    return early.result()
                return await self._in_flow(flow_call, ctx, source, *args)
            finally:
                if not later:
                    ctx.early.pop(key, None)
                    if not early.done():  # cancelled, or the task failed before it took the call: stop it
                        early.cancel()
                    # Its end retrieved either way: a call that ended with the run's stop (govpress/stops.py) while the
                    # flow's task failed first was logged by asyncio as "never retrieved", traceback and all.
                    await asyncio.gather(early, return_exceptions=True)

        return call


def take_early(ctx: RunContext, key: tuple[str, str | int]) -> asyncio.Future | None:
    """The stage call a prestart began for ``key`` (a task's first attempt adopts it; a retry finds none)."""
    return ctx.early.pop(key, None)


async def claim(*, flow: str, db: Any, sources_file: Path | str | None, source_ids: list[str] | None,
                params: RunParams) -> Prestart | None:
    """The prestarted run a flow with these arguments takes over, or None (then the flow runs as always).

    A prestart that does not match is cancelled here, before the flow joins the writer queue behind it.
    """
    global _waiting
    prestart, _waiting = _waiting, None
    if prestart is None or prestart.task is None or prestart.task.get_loop() is not asyncio.get_running_loop():
        return None  # not begun in this flow's event loop: its command closes it
    if prestart.matches(flow=flow, db=db, sources_file=sources_file, source_ids=source_ids, params=params):
        return prestart
    await prestart.close()
    return None


def current() -> Prestart | None:
    return CURRENT.get()


__all__ = ["Adoption", "Prestart", "claim", "current", "take_early"]
