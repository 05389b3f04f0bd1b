"""The code dataclasses and typing generate while modules import, from the machine's file (govpress/code_cache.py)."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import typing

import pytest

from govpress import code_cache
from govpress.settings import paused_gc
from processes import json_of_fresh_python

_CLASS = '''
from __future__ import annotations
import dataclasses, typing

@dataclasses.dataclass(frozen=True, order=True)
class Point:
    x: int
    y: "list[int]" = dataclasses.field(default_factory=list)
    label: typing.Optional[str] = None

    def total(self) -> int:
        return self.x + sum(self.y)
'''


def _point() -> type:
    namespace: dict = {"__name__": __name__}
    exec(_CLASS, namespace)  # noqa: S102 - the test's own class, as a module defines it
    return namespace["Point"]


def _methods(cls: type) -> dict[str, object]:
    return {name: getattr(cls, name).__code__ for name in ("__init__", "__repr__", "__eq__", "__lt__", "__hash__",
                                                            "__setattr__", "__delattr__")}


@pytest.fixture
def fresh(monkeypatch, tmp_path):
    """The module's state as in a new process, its files in ``tmp_path``."""
    monkeypatch.setenv("GOVPRESS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(code_cache, "_stored", {})
    monkeypatch.setattr(code_cache, "_used", {})
    monkeypatch.setattr(code_cache, "_read_roles", set())
    monkeypatch.setattr(code_cache, "_missed_cpu", 0.0)
    return tmp_path


def test_dataclasses_methods_and_forward_references_are_the_code_compile_makes(fresh):
    plain = _point()
    with code_cache.every_code("run"):
        first = _point()
        again = _point()  # the same texts: compiled once in the process
        forward = typing.ForwardRef("dict[str, list[int]]")
        with pytest.raises(SyntaxError):
            typing.ForwardRef("1 +")
    assert _methods(first) == _methods(plain) == _methods(again)
    # typing compiles it with typing's own future flags (none), not this module's ``annotations``
    assert forward.__forward_code__ == compile("dict[str, list[int]]", "<string>", "eval", dont_inherit=True)
    assert forward.__forward_code__ == typing.ForwardRef("dict[str, list[int]]").__forward_code__
    assert first(1, [2, 3]) == first(1, [2, 3]) != first(1) and first(1, [2, 3]).total() == 6
    assert hash(first(1, (2,))) == hash(plain(1, (2,)))
    assert repr(first(1)) == "Point(x=1, y=[], label=None)" and first(1) < first(2)
    with pytest.raises(dataclasses.FrozenInstanceError):
        first(1).x = 2
    assert len(code_cache._used) >= 8 and all(code_cache._used[key] is code for key, code in code_cache._used.items())
    assert "exec" not in vars(dataclasses) and "compile" not in vars(typing)  # given back


def test_the_saved_code_is_read_back_by_the_next_process_and_not_compiled_again(fresh, monkeypatch):
    with code_cache.every_code("run"):
        _point()
    code_cache._missed_cpu = 1.0  # as after a first process's imports
    code_cache.save("run")
    written = list(fresh.glob("code-run-*.marshal"))
    assert len(written) == 1
    used = dict(code_cache._used)

    monkeypatch.setattr(code_cache, "_stored", {})
    monkeypatch.setattr(code_cache, "_used", {})
    monkeypatch.setattr(code_cache, "_read_roles", set())
    monkeypatch.setattr(code_cache, "_missed_cpu", 0.0)
    compiled = []
    real = compile
    monkeypatch.setattr("builtins.compile", lambda *a, **k: compiled.append(a[0]) or real(*a, **k))
    with code_cache.every_code("run"):
        made = _point()
    assert compiled == [] and code_cache._missed_cpu == 0.0
    assert code_cache._used.keys() == used.keys() and all(code_cache._used[k] == used[k] for k in used)
    assert _methods(made) == _methods(_point())


def test_a_namedtuples_new_is_the_code_eval_makes_and_read_back_by_the_next_process(fresh, monkeypatch):
    """``collections.namedtuple`` ``eval``\\ s a ``lambda`` text for each class's ``__new__``: within the window its code
    comes from the file, and is the code the builtin ``eval`` of the text compiles."""
    import collections

    plain = collections.namedtuple("Pair", "left right", defaults=(0,))
    with code_cache.every_code("run"):
        made = collections.namedtuple("Pair", "left right", defaults=(0,))
    assert made.__new__.__code__ == plain.__new__.__code__
    assert made(1) == (1, 0) and made(1, right=2).right == 2 and repr(made(1, 2)) == "Pair(left=1, right=2)"
    assert made.__new__.__defaults__ == (0,) and made.__new__.__name__ == "__new__"
    key = ("lambda _cls, left, right: _tuple_new(_cls, (left, right))", "eval")
    assert key in code_cache._used and "eval" not in vars(collections)
    code_cache._missed_cpu = 1.0
    code_cache.save("run")

    monkeypatch.setattr(code_cache, "_stored", {})
    monkeypatch.setattr(code_cache, "_used", {})
    monkeypatch.setattr(code_cache, "_read_roles", set())
    monkeypatch.setattr(code_cache, "_missed_cpu", 0.0)
    with code_cache.every_code("run"):
        again = collections.namedtuple("Pair", "left right")
    assert code_cache._missed_cpu == 0.0 and again.__new__.__code__ in code_cache._stored[key].co_consts
    assert again.__new__.__code__ == plain.__new__.__code__


def test_eval_without_a_namespace_uses_the_callers_as_the_builtin_does(fresh):
    outer = 5
    with code_cache.every_code("run"):
        assert code_cache._eval("outer + 1") == 6
        assert code_cache._eval("x * 2", {"x": 4}) == 8


def test_a_damaged_file_is_not_read(fresh):
    path = code_cache.cache_file("run")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"\0" * 40)
    with code_cache.every_code("run"):
        made = _point()
    assert code_cache._stored == {} and _methods(made) == _methods(_point())


def test_entered_again_or_from_another_thread_the_last_to_leave_gives_both_back(fresh):
    import threading

    inside = threading.Event()
    leave = threading.Event()

    def other() -> None:
        with code_cache.every_code("prefect"):
            inside.set()
            leave.wait(10)

    thread = threading.Thread(target=other)
    with code_cache.every_code("run"):
        thread.start()
        inside.wait(10)
    assert vars(dataclasses)["exec"] is code_cache._exec  # the other thread is still inside
    leave.set()
    thread.join()
    assert "exec" not in vars(dataclasses) and "compile" not in vars(typing)
    import collections

    assert "eval" not in vars(collections)


def test_prefects_imports_write_their_own_file(fresh):
    """``paused_gc()`` (Prefect's client, flows and server imports): the prefect role's file, written when it lacked code."""
    with paused_gc():
        _point()
        code_cache._missed_cpu += 1.0
    assert [path.name.split("-")[1] for path in fresh.glob("code-*.marshal")] == ["prefect"]
    assert "exec" not in vars(dataclasses)


# In a fresh process: a plain run's imports as the bench runner and `govpress ingest --without-prefect` make them
# (govpress.settings.run_imports); then what the code cache read, compiled and whether any code differs.
_RUN_CODE = """
import json
import bench.govpress_run
from govpress import code_cache as cc
print(json.dumps({"used": len(cc._used), "missing": sum(key not in cc._stored for key in cc._used),
                  "differ": sum(code != compile(key[0], "<string>", key[1], dont_inherit=True)
                                for key, code in cc._used.items())}))
"""


def _run_code(folder) -> dict:
    return json_of_fresh_python(_RUN_CODE, folder)


def test_the_runs_imports_read_dataclasses_code_from_the_file_written_by_the_first(tmp_path):
    """About 700 texts (35-55 ms of a run's ~0.4 CPU-s of imports): the first process compiles and writes them, the
    next reads every one of them, and each is the code ``compile`` makes."""
    first = _run_code(tmp_path)
    assert first["used"] > 500 and first["missing"] == first["used"] and first["differ"] == 0
    second = _run_code(tmp_path)
    assert second["used"] == first["used"] and second["missing"] == 0 and second["differ"] == 0


_CHECKED_THEN_CLASSES = """
import dataclasses, json, sys
from govpress.cli import app
try:
    app(["ingest", "--without-prefect", "--sources-file", sys.argv[1], "--db", sys.argv[2]])
except SystemExit as exc:
    code = exc.code
from govpress import code_cache
def nested(code):  # the text's module code -> __create_fn__ -> the method
    for const in code.co_consts:
        if hasattr(const, "co_code"):
            yield const
            yield from nested(const)
made = {id(inner) for code in code_cache._used.values() for inner in nested(code)}
store = [cls for name, module in sorted(sys.modules.items()) if name.startswith("govpress.store")
         for cls in vars(module).values()
         if isinstance(cls, type) and dataclasses.is_dataclass(cls) and cls.__module__ == name and "__init__" in vars(cls)]
print(json.dumps({"code": code, "store": len(store), "outside": [c.__qualname__ for c in store if id(c.__init__.__code__) not in made]}))
"""


def test_the_commands_plain_run_makes_the_stores_dataclasses_inside_its_imports_window(tmp_path):
    """``govpress ingest --without-prefect`` checks its ``--db`` after the run's imports (govpress/cli.py): the store's
    modules (DuckDB's, Arrow's and its own dataclasses) were imported by that check, before the window, and compiled
    their code afresh every time. A folder as ``--db`` fails the check (exit 3) after the imports."""
    from govpress.registry import default_sources_file

    env = {**os.environ, "GOVPRESS_CACHE_DIR": str(tmp_path / "cache"), "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-c", _CHECKED_THEN_CLASSES, str(default_sources_file()), str(tmp_path)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["code"] == 3 and seen["store"] >= 5 and seen["outside"] == []
