"""A first-come-first-served queue of writers in a folder, whose places die with their processes.

Each writer takes a ticket: a number from a counter (so tickets follow arrival order) and two
files, ``<n>.lock``, on which the writer holds an exclusive ``flock`` for its whole life, and
``<n>.json``, what it is (pid, host, label, since when, and later what it holds). A writer's turn
comes when no lower ticket is alive. A ticket is alive while its lock is held: the kernel drops
the lock the moment the process ends, however it ends (SIGKILL included), so a dead writer's
place frees at once, with no timeout to wait out and no pid that could have been reused.

A waiter that finds a dead ticket below its own claims it (by taking its lock), hands its
description to ``on_dead`` (the Prefect writer slot releases the dead writer's lease there:
flows/writer_limit.py) and removes it. A ticket appears under its final name only once locked
(created under a temporary name, locked, then renamed), so a waiter never mistakes a ticket
being created for a dead one. POSIX only (``fcntl``): the machines govpress runs on.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from govpress.stops import raise_if_requested

POLL_SECONDS = 0.25
TICKET_DIGITS = 12


@dataclass(frozen=True, slots=True)
class Waiting:
    """What a waiter is waiting for, handed to ``on_wait`` about every ``log_every`` seconds."""

    waited: float
    ahead: int
    """Live tickets before this one."""
    holder: dict[str, Any] | None
    """The description of the first live ticket (the current writer, usually); None when unreadable."""


@dataclass(slots=True)
class Ticket:
    """One place in the queue; hold it with :meth:`WriterQueue.join`, give it back with :meth:`leave`."""

    queue: "WriterQueue"
    number: int
    fd: int
    info: dict[str, Any] = field(default_factory=dict)
    left: bool = False

    @property
    def name(self) -> str:
        return f"{self.number:0{TICKET_DIGITS}d}"

    def update(self, **changes: Any) -> None:
        """Change what the ticket says (e.g. ``state="holding"``, a lease id), atomically."""
        self.info.update(changes)
        self.queue._write_info(self.name, self.info)

    def leave(self) -> None:
        """Give the place back: its description first (so nobody reaps it as dead), then its lock."""
        if self.left:
            return
        self.left = True
        for suffix in (".json", ".lock"):
            try:
                (self.queue.folder / f"{self.name}{suffix}").unlink()
            except FileNotFoundError:
                pass
        os.close(self.fd)  # the kernel releases the flock


class WriterQueue:
    """The writers of one folder, served in arrival order."""

    def __init__(self, folder: Path | str) -> None:
        self.folder = Path(folder)

    # -- joining and leaving ------------------------------------------------------------------

    def join(self, **info: Any) -> Ticket:
        """Take the next ticket, described by ``info`` (plus pid, host and since)."""
        self.folder.mkdir(parents=True, exist_ok=True)
        number = self._next_number()
        name = f"{number:0{TICKET_DIGITS}d}"
        description = {"pid": os.getpid(), "host": socket.gethostname(),
                       "since": datetime.now(timezone.utc).isoformat(timespec="seconds"), "state": "waiting", **info}
        self._write_info(name, description)
        temp = self.folder / f".{name}.{os.getpid()}.lock"
        fd = os.open(temp, os.O_RDWR | os.O_CREAT, 0o644)
        fcntl.flock(fd, fcntl.LOCK_EX)  # uncontended: the file is ours alone until renamed
        os.replace(temp, self.folder / f"{name}.lock")
        return Ticket(queue=self, number=number, fd=fd, info=description)

    def _next_number(self) -> int:
        counter = self.folder / "counter"
        fd = os.open(self.folder / "counter.lock", os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                number = int(counter.read_text().strip() or 0) + 1
            except (FileNotFoundError, ValueError):
                number = 1 + max((n for n, _ in self._tickets()), default=0)
            temp = counter.with_name(f".counter.{os.getpid()}")
            temp.write_text(str(number))
            os.replace(temp, counter)
            return number
        finally:
            os.close(fd)

    def _write_info(self, name: str, info: dict[str, Any]) -> None:
        temp = self.folder / f".{name}.{os.getpid()}.json"
        temp.write_text(json.dumps(info, default=str))
        os.replace(temp, self.folder / f"{name}.json")

    # -- who is where ---------------------------------------------------------------------------

    def _tickets(self) -> list[tuple[int, Path]]:
        found = []
        for path in self.folder.glob("*.lock"):
            if path.stem.isdigit():
                found.append((int(path.stem), path))
        return sorted(found)

    def read_info(self, number: int) -> dict[str, Any] | None:
        try:
            return json.loads((self.folder / f"{number:0{TICKET_DIGITS}d}.json").read_text())
        except (FileNotFoundError, ValueError):
            return None

    def _alive_or_reap(self, number: int, path: Path, on_dead: Callable[[dict[str, Any] | None], None]) -> bool:
        """True when ticket ``number`` is held by a live process; a dead one is claimed, reported and removed."""
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            return False  # it left meanwhile
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            # Its owner is gone (or leaving: then its description is already gone and there is nothing to undo).
            info = self.read_info(number)
            on_dead(info)
            for suffix in (".json", ".lock"):
                try:
                    (self.folder / f"{number:0{TICKET_DIGITS}d}{suffix}").unlink()
                except FileNotFoundError:
                    pass
            return False
        finally:
            os.close(fd)

    def ahead_of(self, ticket: Ticket, on_dead: Callable[[dict[str, Any] | None], None]) -> list[int]:
        """The live tickets before ``ticket`` (dead ones met on the way are reaped)."""
        return [number for number, path in self._tickets()
                if number < ticket.number and self._alive_or_reap(number, path, on_dead)]

    # -- waiting --------------------------------------------------------------------------------

    async def wait_turn(
        self,
        ticket: Ticket,
        *,
        on_wait: Callable[[Waiting], None] = lambda waiting: None,
        on_dead: Callable[[dict[str, Any] | None], None] = lambda info: None,
        timeout: float | None = None,
        log_every: float = 10.0,
        poll: float = POLL_SECONDS,
    ) -> float:
        """Wait until no live ticket is before ``ticket``; returns the seconds waited.

        ``on_wait`` is called after ``log_every`` seconds of waiting and every ``log_every`` seconds
        after; ``timeout`` raises ``TimeoutError`` (the ticket is left, so the queue moves on).
        """
        started = time.monotonic()
        next_report = started + log_every
        while True:
            ahead = await asyncio.to_thread(self.ahead_of, ticket, on_dead)
            now = time.monotonic()
            if not ahead:
                return now - started
            if timeout is not None and now - started >= timeout:
                ticket.leave()
                raise TimeoutError(f"waited {now - started:.0f} s for the writer queue; "
                                   f"{len(ahead)} writer(s) still ahead")
            if now >= next_report:
                on_wait(Waiting(waited=now - started, ahead=len(ahead), holder=self.read_info(ahead[0])))
                next_report = now + log_every
            raise_if_requested()  # a stop asked for while waiting (govpress/stops.py)
            await asyncio.sleep(poll)


__all__ = ["Ticket", "Waiting", "WriterQueue"]
