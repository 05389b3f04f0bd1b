"""A stop asked for while a flow runs, raised by the run at its next safe point instead of wherever it was.

Prefect's engine answers SIGTERM during a flow by raising its ``TerminationSignal`` from the signal handler,
that is wherever the main thread happens to be. Once that was inside an async task's engine before its task run
existed, whose crash handling then failed with ``ValueError: Task run is not set``: the signal was lost, the
source counted as failed and the rest of the run went on (fresh-clone CI, 2026-12-06). The command's handler
(govpress/cli.py ``StopsSeen``) therefore only notes the stop here; the run raises it before its next fetch and
before its next load (:func:`raise_if_requested`), in govpress's own code, where the engines handle it as they
handle any crash. The library stays free of Prefect: the command hands in what to raise.
"""

from __future__ import annotations

from collections.abc import Callable

_pending: Callable[[], BaseException] | None = None


def request(make_error: Callable[[], BaseException]) -> None:
    """Ask the run to stop: ``make_error()`` is raised at its next safe point (and at every one after)."""
    global _pending
    _pending = make_error


def clear() -> None:
    global _pending
    _pending = None


def raise_if_requested() -> None:
    """Raise the requested stop, if any (called before each fetch and each load)."""
    if _pending is not None:
        raise _pending()
