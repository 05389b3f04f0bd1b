"""The library's log records in the flow run's log: what an operator sees on the run page of the UI.

govpress/ never imports Prefect; it logs to ``govpress.*`` loggers (lock waits on the database,
Retry-After waits, a host's circuit opening, coverage decisions). :func:`install` attaches one
handler to the ``govpress`` logger that sends a record to the Prefect API when it is emitted
inside a flow or task run (worker threads included: ``asyncio.to_thread`` carries the run's
context), and drops it silently elsewhere (the CLI without Prefect, tests). Prefect's own
``PREFECT_LOGGING_EXTRA_LOGGERS`` does the same but only when set before Prefect starts in every
process; a work pool's worker would not have it. A run the command line prestarted
(govpress/prestart.py) logs outside the flow run's context: its records go to the flow run's log
once the flow adopted it; those from before (kept by the prestart from its begin, before this
module was imported) are sent then, through :func:`send`.
"""

from __future__ import annotations

import logging

from prefect.context import FlowRunContext, TaskRunContext
from prefect.logging.handlers import APILogHandler

LIBRARY_LOGGER = "govpress"


class RunLogHandler(APILogHandler):
    """Prefect's API log handler, for records emitted inside a run only."""

    def emit(self, record: logging.LogRecord) -> None:
        if FlowRunContext.get() is None and TaskRunContext.get() is None:
            from govpress.prestart import current

            prestart = current()  # a run the command line began before its flow: the flow run's log all the same
            if prestart is not None:
                prestart.deliver(record, lambda r: APILogHandler.emit(self, r))
            return
        super().emit(record)


def send(record: logging.LogRecord) -> None:
    """``record`` to the log of the flow run whose context this is (a prestart's early records, at its adoption)."""
    APILogHandler.emit(install(), record)


def install(level: int = logging.INFO) -> RunLogHandler:
    """Attach the handler to the ``govpress`` logger once per process (idempotent); returns it."""
    logger = logging.getLogger(LIBRARY_LOGGER)
    for handler in logger.handlers:
        if isinstance(handler, RunLogHandler):
            return handler
    handler = RunLogHandler(level=level)
    handler.setFormatter(logging.Formatter("%(message)s"))  # the UI shows the logger's name beside it
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > level:
        logger.setLevel(level)
    return handler
