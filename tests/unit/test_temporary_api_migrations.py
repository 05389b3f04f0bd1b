"""A temporary API's start skips Alembic's upgrade of a database that is at the head already (flows/temporary_api.py,
issue 14), and runs it whenever that is not certain; the command imports what the flow's first call needs while it
loads the flow (govpress/cli.py), with or without a temporary API.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from govpress.flows import temporary_api
from govpress.flows.temporary_api import database_at, migrated_already, migration_head, sqlite_file


def script(folder: Path, revision: str, down: str) -> None:
    (folder / f"2026_01_01_{revision}_step.py").write_text(
        f'"""a step"""\nrevision = "{revision}"\ndown_revision = {down}\nbranch_labels = None\n', encoding="utf-8")


def database(path: Path, *versions: str) -> Path:
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.executemany("INSERT INTO alembic_version VALUES (?)", [(v,) for v in versions])
    con.commit()
    con.close()
    return path


def test_the_head_is_the_revision_no_other_comes_down_from(tmp_path):
    script(tmp_path, "aaa111", "None")
    script(tmp_path, "ccc333", '"bbb222"')  # sorts after the head by name: the chain decides, not the names
    script(tmp_path, "bbb222", '"aaa111"')
    assert migration_head(tmp_path) == "ccc333"
    script(tmp_path, "ddd444", '("ccc333", "aaa111")')  # a merge comes down from both
    assert migration_head(tmp_path) == "ddd444"
    script(tmp_path, "eee555", '"ccc333"')  # two heads: not certain which
    assert migration_head(tmp_path) is None


def test_prefects_own_sqlite_migrations_have_one_head():
    from prefect.server import database as server_database

    versions = Path(server_database.__file__).parent / "_migrations" / "versions" / "sqlite"
    head = migration_head(versions)
    assert head is not None
    assert any(head in p.read_text(encoding="utf-8") for p in versions.glob("*.py"))


def test_the_database_revision_is_read_from_its_file(tmp_path):
    assert database_at(tmp_path / "none.db") is None
    assert database_at(database(tmp_path / "one.db", "abc123")) == "abc123"
    assert database_at(database(tmp_path / "two.db", "abc123", "def456")) is None  # branches: not certain
    (tmp_path / "bad.db").write_text("not a database", encoding="utf-8")
    assert database_at(tmp_path / "bad.db") is None


def test_only_a_sqlite_file_url_names_a_file():
    assert sqlite_file("sqlite+aiosqlite:////home/u/.prefect/prefect.db") == Path("/home/u/.prefect/prefect.db")
    assert sqlite_file("sqlite+aiosqlite:///:memory:") is None
    assert sqlite_file("postgresql+asyncpg://u:p@host/db") is None


def test_migrated_already_compares_the_servers_database_with_the_head(tmp_path):
    from prefect.server import database as server_database
    from prefect.settings import PREFECT_API_DATABASE_CONNECTION_URL, temporary_settings

    head = migration_head(Path(server_database.__file__).parent / "_migrations" / "versions" / "sqlite")
    cases = {"at-head.db": (head,), "behind.db": ("0000000000",)}
    for name, versions in cases.items():
        database(tmp_path / name, *versions)
    expected = {"at-head.db": True, "behind.db": False, "missing.db": False}
    for name, answer in expected.items():
        with temporary_settings(updates={PREFECT_API_DATABASE_CONNECTION_URL: f"sqlite+aiosqlite:///{tmp_path / name}"}):
            assert migrated_already() is answer, name
    with temporary_settings(updates={PREFECT_API_DATABASE_CONNECTION_URL: "postgresql+asyncpg://u:p@127.0.0.1:1/db"}):
        assert migrated_already() is False


@pytest.mark.parametrize("at_head", [True, False])
def test_the_server_runs_the_upgrade_only_when_not_at_head(monkeypatch, at_head):
    import uvicorn
    from prefect.settings import PREFECT_API_DATABASE_MIGRATE_ON_START

    seen = []
    monkeypatch.setattr(temporary_api, "watch_parent", lambda stream=None: None)
    monkeypatch.setattr(temporary_api, "serving_app", lambda: (object(), None))
    monkeypatch.setattr(temporary_api, "migrated_already", lambda: at_head)
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.append(PREFECT_API_DATABASE_MIGRATE_ON_START.value()))
    temporary_api.serve(0)
    assert seen == [not at_head]  # what the app's lifespan reads when uvicorn starts it


def test_the_temporary_server_leaves_py_key_values_type_checks_off():
    assert temporary_api.server_environment()["PY_KEY_VALUE_DISABLE_BEARTYPE"] == "true"


def test_the_command_imports_what_the_first_flow_call_needs_while_it_loads_the_flow(tmp_path):
    """With a running server (nothing to wait for) the flow's first call no longer imports fastapi's encoder and the
    engines: the loading thread did, before the flow was called."""
    script_text = (
        "import json, sys\n"
        "import govpress.cli as cli\n"
        "from govpress.flows.temporary_api import FLOW_START_IMPORTS\n"
        "class State:\n"
        "    def is_failed(self): return False\n"
        "    def is_completed(self): return True\n"
        "async def start(flow):\n"
        "    print(json.dumps([m for m in FLOW_START_IMPORTS if m not in sys.modules]), flush=True)\n"
        "    return State()\n"
        "cli._run_flow(start, load=lambda: None)\n"
    )
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api"}  # configured: no temporary API, no wait
    done = subprocess.run([sys.executable, "-c", script_text], capture_output=True, text=True, timeout=180, env=env,
                          cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
