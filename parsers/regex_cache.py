"""The parsers' largest regular expressions, compiled once per machine instead of once per process.

Python compiles a pattern in Python code (``re._parser`` and ``re._compiler``), and the parsers' date,
not-found and text-chrome patterns are large multilingual alternations matched case-insensitively: about
40 ms of CPU at every import of the parsers, paid by the parse workers' fork server at every run's start
(a sixth of it) and by every process that parses. What that compilation produces is a list of integers
(the regex engine's code) and a few group tables, from which ``_sre.compile`` makes the pattern at once.
:func:`compiled` keeps those in a file in the cache folder (:func:`govpress.parsers.langid_cache.cache_folder`),
named after the interpreter's exact version, its regex engine's ``MAGIC`` and code size and its Unicode
version, so another Python never reads them; :func:`save` writes what a process compiled (the parse workers'
fork server calls it after its warm-up).

The pattern made from the file is the pattern ``re.compile`` makes: the same code, flags and groups
(``re.Pattern`` compares them: tests/unit/parsers/test_regex_cache.py compares every cached pattern). A file
that does not read back whole (its digest is checked), an entry the engine refuses, or an interpreter without
these internals falls back to ``re.compile``: the cache only ever saves time.
"""

from __future__ import annotations

import hashlib
import re
import sys
import threading
import time
from array import array
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from govpress.parsers.cache_files import read_entries, write_merged

_FORMAT = "sre-code-2"
SAVE_AFTER = 0.005
"""CPU seconds of patterns compiled afresh (not in the file) above which :func:`save` rewrites the file. Below it,
what was missing costs less than writing the file would: a few patterns are built in another order in each process
(from a set of strings, whose order follows the process's string hashing: ``tokenize``'s), and miss every time."""
SAVE_AFTER_PATTERNS = 12
"""Patterns compiled afresh from which :func:`save` rewrites the file whatever their CPU: more than the few that miss
in every process (3 at most). A run's process misses ~54 the fork server does not hold, ~5 ms of compiling, so CPU
alone (``SAVE_AFTER``) sometimes left them unwritten and every later run compiled them again."""
_TYPECODE = "I"
"""The regex engine's code unit (``_sre.CODESIZE`` bytes: 4, an unsigned int here; part of the file's name)."""
_lock = threading.Lock()
_stored: dict[tuple[str, int], tuple] | None = None
"""(pattern, flags) -> the arguments of ``_sre.compile`` after the pattern, as read from the file."""
_used: dict[tuple[str, int], tuple] = {}
"""What this process compiled or read, for :func:`save`."""
_missed = False
_missed_cpu = 0.0
_missed_count = 0


def _engine_key() -> str | None:
    try:
        import _sre
        import unicodedata

        if array(_TYPECODE).itemsize != _sre.CODESIZE:
            return None
        return f"{sys.version}|{sys.implementation.name}|{_sre.MAGIC}|{_sre.CODESIZE}|{unicodedata.unidata_version}|{_FORMAT}"
    except (ImportError, AttributeError):
        return None


def cache_file(folder: Path | None = None) -> Path | None:
    """This interpreter's file of compiled patterns (None where the regex engine's internals are not there)."""
    key = _engine_key()
    if key is None:
        return None
    if folder is None:
        from govpress.parsers.langid_cache import cache_folder

        folder = cache_folder()
    return folder / f"patterns-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"


def _read(path: Path | None) -> dict[tuple[str, int], tuple]:
    return read_entries(path)


def _entries() -> dict[tuple[str, int], tuple]:
    global _stored
    if _stored is None:
        with _lock:
            if _stored is None:
                try:
                    _stored = _read(cache_file())
                except Exception:  # noqa: BLE001 - no home folder, say: no cache
                    _stored = {}
    return _stored


def _parts(pattern: str, flags: int) -> tuple:
    """What ``re._compiler.compile`` hands ``_sre.compile`` after the pattern (the same steps, Python 3.11-3.13)."""
    from re import _compiler, _parser

    parsed = _parser.parse(pattern, flags)
    code = _compiler._code(parsed, flags)
    groupindex = dict(parsed.state.groupdict)
    indexgroup = [None] * parsed.state.groups
    for name, index in groupindex.items():
        indexgroup[index] = name
    return (int(flags | parsed.state.flags), [int(op) for op in code], int(parsed.state.groups - 1),
            {str(name): int(index) for name, index in groupindex.items()}, tuple(indexgroup))


def _stored_form(parts: tuple) -> tuple:
    """The code as the bytes of an unsigned array (marshal reads them at once; a list of ints is 3x slower to load)."""
    flags, code, groups, groupindex, indexgroup = parts
    return flags, array(_TYPECODE, code).tobytes(), groups, groupindex, indexgroup


def _arguments(stored: tuple) -> tuple:
    flags, code, groups, groupindex, indexgroup = stored
    values = array(_TYPECODE)
    values.frombytes(code)
    return flags, values.tolist(), groups, groupindex, indexgroup


def compiled(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """``re.compile(pattern, flags)``, from this machine's file of compiled patterns when it holds it."""
    global _missed, _missed_count, _missed_cpu
    flags = int(flags)
    if flags & re.DEBUG or not isinstance(pattern, str):
        return re.compile(pattern, flags)
    key = (pattern, flags)
    try:
        import _sre

        stored = _entries().get(key)
        if stored is not None:
            try:
                made = _sre.compile(pattern, *_arguments(stored))
            except Exception:  # noqa: BLE001 - an entry the engine refuses: compile it afresh
                pass
            else:
                _used[key] = stored
                return made
        started = time.process_time()
        parts = _parts(pattern, flags)
        made = _sre.compile(pattern, *parts)
        stored = _stored_form(parts)
    except Exception:  # noqa: BLE001 - no such internals here (another interpreter): the ordinary way
        return re.compile(pattern, flags)
    _used[key] = stored
    _missed = True
    _missed_count += 1
    _missed_cpu += time.process_time() - started
    return made


@contextmanager
def every_pattern() -> Iterator[None]:
    """While it lasts, ``re.compile`` of a text pattern anywhere (other libraries' module-level patterns) is :func:`compiled`.

    For a process that imports what it will use at once, in one thread, and writes the file after
    (:func:`save`): the parse workers' fork server, whose imports of trafilatura, htmldate, courlan, urllib3
    and lxml's helpers compile another 30 ms of patterns. ``re.search`` and the like are left alone.
    """
    original = re.compile

    def compile_any(pattern, flags=0):
        if isinstance(pattern, str):
            return compiled(pattern, flags)
        return original(pattern, flags)

    re.compile = compile_any
    try:
        yield
    finally:
        re.compile = original


def save(folder: Path | None = None) -> None:
    """Write the patterns this process compiled or read, when those not in the file yet cost :data:`SAVE_AFTER`
    to compile or number :data:`SAVE_AFTER_PATTERNS` (atomically, in place of the file; errors ignored).

    The file's other patterns are kept beside them, up to three times as many as this process used: two versions
    of the code on one machine (a checkout beside an installed copy) then share the file instead of rewriting it
    in turn, and so do two kinds of process that use different patterns (the parse workers' fork server, about 420,
    and a run's own process, about 250 of which 150 are the fork server's: :func:`govpress.settings.run_imports`;
    with twice, the run's process dropped 27 of the fork server's patterns, 3 ms of compiling at every run's
    start that the fork server, missing less than :data:`SAVE_AFTER`, never wrote back); and it never grows past
    four times what one process uses.
    """
    global _missed, _missed_count, _missed_cpu
    if (_missed_cpu < SAVE_AFTER and _missed_count < SAVE_AFTER_PATTERNS) or not _used:
        return
    try:
        path = cache_file(folder)
        if path is None:
            return
        write_merged(path, _used, _read(path))
        _missed, _missed_count, _missed_cpu = False, 0, 0.0
    except Exception:  # noqa: BLE001 - a read-only or full disk: no cache, same patterns
        return
