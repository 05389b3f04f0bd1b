"""The code that ``dataclasses``, ``typing`` and ``collections.namedtuple`` generate while modules import, compiled once per machine instead of once per process.

Every ``@dataclass`` writes the source of its ``__init__``, ``__repr__``, ``__eq__``... and ``exec``\\ s it, and every
string annotation that ``typing`` or pydantic resolves becomes a ``ForwardRef``, which compiles its text: a plain
run's process compiled 537 such functions (492 different texts) and 828 forward references (240 different) while it
imported, 35-55 ms of its ~0.4 CPU-s of imports, and the parse workers' fork server another 82 and 67 (~8 ms)
(bench/results.md, perf-fixed19). Within :func:`every_code`, ``dataclasses``' ``exec`` of a text and ``typing``'s
``compile`` of one get the code object from this machine's file (or compile it once per process), then run it as
before: a code object compiled from the same text with the same flags is the same code (``exec`` of a text compiles
it as ``compile(text, "<string>", "exec")`` with the caller's future flags, and neither module has any). The file is
named after the interpreter's exact version and its bytecode's magic number, so another Python never reads it, and
after the kind of process that writes it (the run's process and the fork server use different classes); its digest
is checked, and a file that does not read back whole is not used: the cache only ever saves time.

``collections.namedtuple`` likewise ``eval``\\ s the text of each class's ``__new__`` (a ``lambda``; ``collections`` has no
future flags either): 18-39 a plain run's process (perf-fixed24).
"""

from __future__ import annotations

import builtins
import hashlib
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import CodeType
from typing import Any

from govpress.parsers.cache_files import read_entries, write_merged

_FORMAT = "code-1"
SAVE_AFTER = 0.001
"""CPU seconds of code compiled afresh (not in the file) above which :func:`save` rewrites the file. Low: the texts are
the same in every process (no miss recurs once written), and the fork server's whole set costs only ~3-4 ms."""
_lock = threading.RLock()
_read_roles: set[str] = set()
_stored: dict[tuple[str, str], CodeType] = {}
"""(source, mode) -> code, as read from the files of the roles read so far."""
_used: dict[tuple[str, str], CodeType] = {}
"""What this process compiled or read (also the in-process memo: one text is compiled once)."""
_missed_cpu = 0.0
_depth = 0


def _after_fork_in_child() -> None:
    """A process forked while another thread held the lock (Prefect's server is forked from the command) gets its own."""
    global _lock
    _lock = threading.RLock()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_after_fork_in_child)


def cache_file(role: str, folder: Path | None = None) -> Path:
    """This interpreter's file of compiled code for one kind of process (``run``, ``parse``, ``prefect``), at its
    optimisation level (``-O`` drops asserts from what it compiles)."""
    from importlib.util import MAGIC_NUMBER

    if folder is None:
        from govpress.parsers.langid_cache import cache_folder

        folder = cache_folder()
    key = f"{sys.version}|{sys.implementation.cache_tag}|{MAGIC_NUMBER.hex()}|{sys.flags.optimize}|{_FORMAT}"
    return folder / f"code-{role}-{hashlib.sha256(key.encode()).hexdigest()[:16]}.marshal"


def _read(path: Path) -> dict[tuple[str, str], CodeType]:
    return {key: code for key, code in read_entries(path).items() if isinstance(code, CodeType)}


def code_of(source: str, mode: str) -> CodeType:
    """``compile(source, "<string>", mode)`` without inherited future flags, from the machine's file when it holds it."""
    global _missed_cpu
    key = (source, mode)
    code = _used.get(key)
    if code is not None:
        return code
    code = _stored.get(key)
    if code is None:
        started = time.process_time()
        code = compile(source, "<string>", mode, dont_inherit=True)
        _missed_cpu += time.process_time() - started
    _used[key] = code
    return code


def start_afresh() -> None:
    """In a process forked from another (the parse workers' fork server forked by a plain run,
    :func:`govpress.parse_workers.fork_server_early`): what the parent used and missed is not this process's to
    save into its own role's file (the run's code would go into the fork server's file)."""
    global _used, _missed_cpu
    with _lock:
        _used = {}
        _missed_cpu = 0.0


def _compiled(source: Any, globals: dict | None, locals: Any, mode: str) -> tuple[Any, dict, Any]:
    """What the builtin ``exec``/``eval`` (``mode``) is to run: a text given its globals (as ``dataclasses`` and
    ``collections.namedtuple`` always call them) as code from :func:`code_of`; else the source as it is, in the
    namespaces of the hook's caller when none were given, as the builtin would take them."""
    if isinstance(source, str) and isinstance(globals, dict):
        return code_of(source, mode), globals, locals
    if globals is None:
        caller = sys._getframe(2)
        globals = caller.f_globals
        locals = caller.f_locals if locals is None else locals
    return source, globals, locals


def _exec(source: Any, globals: dict | None = None, locals: Any = None, /) -> None:
    """``exec`` as ``dataclasses`` calls it (a text, its globals and a namespace), the text's code from :func:`code_of`."""
    builtins.exec(*_compiled(source, globals, locals, "exec"))


def _eval(source: Any, globals: dict | None = None, locals: Any = None, /) -> Any:
    """``eval`` as ``collections.namedtuple`` calls it (a text and its namespace), the text's code from :func:`code_of`."""
    return builtins.eval(*_compiled(source, globals, locals, "eval"))


def _compile(source: Any, filename: Any, mode: str, flags: int = 0, dont_inherit: bool = False,
             optimize: int = -1, **rest: Any) -> Any:
    """``compile`` as ``typing.ForwardRef`` calls it (a text, ``"<string>"``, ``"eval"``), from :func:`code_of`."""
    if isinstance(source, str) and filename == "<string>" and flags == 0 and optimize == -1 and not rest:
        return code_of(source, mode)
    return builtins.compile(source, filename, mode, flags, True, optimize, **rest)  # typing has no future flags


@contextmanager
def every_code(role: str) -> Iterator[None]:
    """While it lasts, ``dataclasses``' ``exec`` of generated methods, ``typing``'s ``compile`` of forward references and
    ``collections.namedtuple``'s ``eval`` of its ``__new__`` take their code from :func:`code_of`, the file of ``role`` read first (``run``: a plain run's imports, ``parse``:
    the fork server's preload, ``prefect``: Prefect's client, flows and server). For a burst of imports, followed by
    :func:`save`; it may be entered again or from another thread meanwhile (the last to leave gives them back)."""
    global _depth
    import collections
    import dataclasses
    import typing

    if role not in _read_roles:  # read outside the lock (a fork meanwhile must not find it held); twice is harmless
        try:
            entries = _read(cache_file(role))
        except Exception:  # noqa: BLE001 - no home folder, say: no cache
            entries = {}
        with _lock:
            _read_roles.add(role)
            for key, code in entries.items():
                _stored.setdefault(key, code)
    with _lock:
        if _depth == 0:
            dataclasses.exec = _exec  # type: ignore[attr-defined]  # module globals come before builtins
            typing.compile = _compile  # type: ignore[attr-defined]
            collections.eval = _eval  # type: ignore[attr-defined]
        _depth += 1
    try:
        yield
    finally:
        with _lock:
            _depth -= 1
            if _depth == 0:
                del dataclasses.exec  # type: ignore[attr-defined]
                del typing.compile  # type: ignore[attr-defined]
                del collections.eval  # type: ignore[attr-defined]


def save(role: str, folder: Path | None = None) -> None:
    """Write the code this process compiled or read into ``role``'s file, when what was not in the file cost :data:`SAVE_AFTER` to
    compile (a first run, an upgrade); the file's other entries are kept up to four times as many as this process
    used (two checkouts on one machine share it without growing it for ever). Atomic; errors ignored."""
    global _missed_cpu
    if _missed_cpu < SAVE_AFTER or not _used:
        return
    try:
        path = cache_file(role, folder)
        write_merged(path, _used, _read(path))
        _missed_cpu = 0.0
    except Exception:  # noqa: BLE001 - a read-only or full disk: no cache, same code
        return
