"""The failures an operator can meet, one type per class, each with a one-line message and an exit code.

The library raises these (the store translates DuckDB's and the file system's errors into them);
the command line (govpress/cli.py) prints ``error: <one line>`` and exits with the class's code;
``govpress --debug COMMAND`` (or ``GOVPRESS_DEBUG=1``) prints the traceback as well.

====  =====================  =================================================================
exit  class                  when
====  =====================  =================================================================
2     ConfigError            the registry (missing, not TOML, an invalid entry) or an option
3     DatabaseError          the ``--db`` file cannot be used: a folder, not a DuckDB file, a
                             DuckDB file of something else, written by a newer govpress, or in
                             a folder that cannot be written
4     StoreBusy              another process kept the database locked (an analyst's session)
5     DiskFull               a write failed: no space left (or a file-size limit)
6     PrefectUnavailable     Prefect's API did not start or stopped answering
70    (anything else)        a bug: one line saying so; ``--debug`` shows where
====  =====================  =================================================================

Nothing is lost on any of these: every batch loads in one transaction, so a failed write leaves
the file as it was before that batch, and the next run resumes from the frontier.
"""

from __future__ import annotations

import errno

INTERNAL_ERROR_EXIT = 70
"""Exit code of an unexpected exception (BSD sysexits' EX_SOFTWARE)."""


class GovpressError(Exception):
    """An expected failure: its message is one line an operator can act on."""

    exit_code = 1

    def line(self) -> str:
        """The message on one line (a multi-line message is joined with '; ')."""
        text = " ".join(part.strip() for part in str(self).splitlines() if part.strip())
        return text or type(self).__name__


class ConfigError(GovpressError):
    """The registry or an option cannot be used."""

    exit_code = 2


class DatabaseError(GovpressError):
    """The DuckDB file given by ``--db`` cannot be used as a govpress database."""

    exit_code = 3


class NotADatabase(DatabaseError):
    """The path is a folder, or a file that is not a DuckDB database."""


class DatabaseNotWritable(DatabaseError):
    """The database (or its folder) cannot be created or written: permissions, a read-only file system."""


class ForeignDatabase(DatabaseError):
    """A DuckDB file holding someone else's tables (no govpress schema_version)."""


class StoreBusy(GovpressError):
    """Another process held the database's lock for longer than the store waits."""

    exit_code = 4


class DiskFull(GovpressError):
    """A write failed for lack of space (ENOSPC) or over a file-size limit (EFBIG)."""

    exit_code = 5


class PrefectUnavailable(GovpressError):
    """Prefect's API could not be started or stopped answering during a run."""

    exit_code = 6


DISK_FULL_ERRNOS = frozenset({errno.ENOSPC, errno.EFBIG, errno.EDQUOT})
DISK_FULL_TEXTS = ("No space left on device", "File too large", "Disk quota exceeded")


def chain(error: BaseException) -> list[BaseException]:
    """The error, then its causes and contexts (each once), outermost first."""
    seen: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and all(current is not s for s in seen):
        seen.append(current)
        current = current.__cause__ or current.__context__
    return seen


def disk_full_reason(error: BaseException) -> str | None:
    """The text of the disk-full failure somewhere in ``error``'s chain, or None.

    DuckDB reports a failed write inside its own message ("Failed to commit: Could not write
    file ...: No space left on device"), so the text is what is matched; an OSError's errno too.
    """
    for item in chain(error):
        if isinstance(item, OSError) and item.errno in DISK_FULL_ERRNOS:
            return f"{item.strerror or item}" + (f": {item.filename}" if item.filename else "")
        text = str(item)
        if any(marker in text for marker in DISK_FULL_TEXTS):
            return text.removeprefix("TransactionContext Error: ").removeprefix("IO Error: ")
    return None


def known_error(error: BaseException) -> GovpressError | None:
    """The :class:`GovpressError` that ``error`` is or carries (disk-full errors included), or None."""
    for item in chain(error):
        if isinstance(item, GovpressError):
            return item
    if (reason := disk_full_reason(error)) is not None:
        return DiskFull(f"disk full: {reason}. Free some space and run again; nothing loaded before is lost.")
    return None


__all__ = [
    "ConfigError", "DatabaseError", "DatabaseNotWritable", "DiskFull", "ForeignDatabase", "GovpressError",
    "INTERNAL_ERROR_EXIT", "NotADatabase", "PrefectUnavailable", "StoreBusy", "chain", "disk_full_reason",
    "known_error",
]
