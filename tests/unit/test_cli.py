"""Every documented CLI behaviour: extract, sql, sources, ingest without network, reparse."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from govpress.cli import app
from factories import free_port

runner = CliRunner()


def test_extract_prints_one_json_object_per_file_with_the_documented_fields(seed_path: Path):
    result = runner.invoke(app, ["extract", str(seed_path), "--url", "https://example.gov/seed"])
    assert result.exit_code == 0, result.output
    [line] = result.stdout.strip().splitlines()
    record = json.loads(line)
    assert set(record) >= {"file", "url", "title", "subtitle", "lead", "published_at", "language", "body_text", "parser"}
    assert record["title"] == "Расширение межрегионального взаимодействия"
    assert record["url"] == "https://example.gov/seed" and record["language"] == "ru"
    assert record["parser"].startswith("document/")


def test_extract_manifest_and_a_failing_page(tmp_path: Path, seed_path: Path):
    (tmp_path / "bad.html").write_bytes(b"\x00\x01 not a page")
    manifest = tmp_path / "pages.jsonl"
    manifest.write_text(json.dumps({"file": str(seed_path), "url": "https://example.gov/a"}) + "\n"
                        + json.dumps({"file": "bad.html", "url": "https://example.gov/b"}) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["extract", "--manifest", str(manifest)])
    records = [json.loads(line) for line in result.stdout.strip().splitlines()]
    assert [r["url"] for r in records] == ["https://example.gov/a", "https://example.gov/b"]
    assert "error" in records[1] and "error" not in records[0]
    assert result.exit_code == 1  # a page that did not parse makes the exit code say so


def test_extract_with_a_registry_source_uses_its_parser_and_zone(pages_dir: Path):
    page = pages_dir / "europarl" / "press-release_20190712IPR56948.html"
    result = runner.invoke(app, ["extract", "--source", "europarl_press_en", str(page),
                                 "--url", "https://www.europarl.europa.eu/news/en/press-room/20190712IPR56948/x"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["parser"].startswith("europarl/") and record["published_at"].endswith("+02:00")


@pytest.fixture
def small_db(tmp_path: Path) -> Path:
    db = tmp_path / "g.duckdb"
    from govpress.store import Store

    Store(db).migrate()
    return db


def test_sql_runs_read_only_and_formats(small_db: Path):
    result = runner.invoke(app, ["sql", "SELECT 1 AS one, 'a' AS letter", "--db", str(small_db), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout) == {"one": 1, "letter": "a"}
    result = runner.invoke(app, ["sql", "SELECT count(*) AS n FROM releases", "--db", str(small_db), "--format", "csv"])
    assert result.stdout.splitlines() == ["n", "0"]
    result = runner.invoke(app, ["sql", "DELETE FROM releases", "--db", str(small_db)])
    assert result.exit_code == 2 and "read-only" in result.output.lower()


@pytest.mark.parametrize("statement", [
    "COPY (SELECT 'x') TO '{db}' (FORMAT csv)",
    "COPY (SELECT 'x') TO '{dir}/elsewhere.csv' (FORMAT csv)",
    "EXPORT DATABASE '{dir}/export'",
    "ATTACH '{dir}/new.duckdb' AS other",
    "ATTACH '{db}' AS again (READ_ONLY false)",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SET enable_external_access = true",
    "LOAD '{dir}/evil.duckdb_extension'",
])
def test_sql_cannot_write_or_read_files(small_db: Path, statement: str):
    before = small_db.read_bytes()
    query = statement.format(db=small_db, dir=small_db.parent)
    result = runner.invoke(app, ["sql", query, "--db", str(small_db)])
    assert result.exit_code == 2, result.output
    assert small_db.read_bytes() == before
    assert sorted(p.name for p in small_db.parent.iterdir()) == [small_db.name]


def test_sql_writes_only_into_the_folder_allowed(small_db: Path, tmp_path_factory):
    out = tmp_path_factory.mktemp("exports")
    query = f"COPY (SELECT 1 AS one) TO '{out}/one.csv' (FORMAT csv)"
    result = runner.invoke(app, ["sql", query, "--db", str(small_db), "--allow-writes", str(out)])
    assert result.exit_code == 0, result.output
    assert (out / "one.csv").read_text().split() == ["one", "1"]
    result = runner.invoke(app, ["sql", f"COPY (SELECT 1) TO '{small_db}' (FORMAT csv)", "--db", str(small_db),
                                 "--allow-writes", str(out)])
    assert result.exit_code == 2
    result = runner.invoke(app, ["sql", "SELECT 1", "--db", str(small_db), "--allow-writes", str(small_db.parent)])
    assert result.exit_code != 0 and "data folder" in result.output


def test_sql_may_start_with_a_comment(small_db: Path):
    result = runner.invoke(app, ["sql", "-- releases per source\nSELECT 42 AS n", "--db", str(small_db), "--format", "csv"])
    assert result.exit_code == 0, result.output
    assert result.stdout.split() == ["n", "42"]


def test_sql_on_a_missing_database_says_what_to_do(tmp_path: Path):
    result = runner.invoke(app, ["sql", "SELECT 1", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code != 0 and "govpress demo" in result.output


def test_sources_lists_the_registry():
    result = runner.invoke(app, ["sources"])
    assert result.exit_code == 0
    for source_id in ("kremlin_ru", "kremlin_en", "belta_de", "president_az_az", "govuk_news", "europarl_press_en"):
        assert source_id in result.stdout


def offline_registry(tmp_path: Path) -> Path:
    port = free_port()  # nothing listens here: this is what "no network" looks like
    path = tmp_path / "sources.toml"
    path.write_text(f'''
[[source]]
id = "offline_feed"
name = "Offline feed"
country = "RU"
institution = "Nobody"
languages = ["ru"]
kind = "feed"
start_urls = ["http://127.0.0.1:{port}/feed"]
allow_addresses = ["127.0.0.1"]

[[source]]
id = "offline_listing"
name = "Offline listing"
country = "BY"
institution = "Nobody"
languages = ["be"]
kind = "listing"
start_urls = ["http://127.0.0.1:{port}/news/"]
allow_addresses = ["127.0.0.1"]
[source.listing]
item = "div.item"
''', encoding="utf-8")
    return path


@pytest.mark.e2e
def test_ingest_without_network_fails_per_source_and_touches_nothing_loaded(tmp_path: Path, prefect_api):
    db = tmp_path / "g.duckdb"
    registry = offline_registry(tmp_path)
    result = runner.invoke(app, ["ingest", "--sources-file", str(registry), "--db", str(db), "--max-pages", "1"])
    assert result.exit_code == 1
    assert "offline_feed" in result.stdout and "offline_listing" in result.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        status, message = con.execute("SELECT status, message FROM runs").fetchone()
        releases = con.execute("SELECT count(*) FROM releases").fetchone()[0]
    finally:
        con.close()
    assert status == "failed" and "offline_feed" in message and "offline_listing" in message
    assert releases == 0


def test_ingest_rejects_an_unknown_source_before_running(tmp_path: Path):
    result = runner.invoke(app, ["ingest", "--source", "nope", "--db", str(tmp_path / "g.duckdb")])
    assert result.exit_code == 2 and "nope" in result.output


# --- what the command line imports, and the options it shows -------------------------------------

HEAVY = ("duckdb", "prefect", "httpx", "pyarrow", "numpy", "lxml", "trafilatura", "govpress.fetch", "govpress.store",
         "govpress.pipeline", "govpress.flows", "govpress.demo", "govpress.parsers")


def modules_after(*argv: list[str]) -> set[str]:
    """The modules a fresh interpreter holds after importing govpress.cli and running ``govpress ARGV`` for each."""
    script = (
        "import json, sys\n"
        "from govpress.cli import app\n"
        f"for argv in {list(argv)!r}:\n"
        "    try:\n"
        "        app(argv, prog_name='govpress')\n"
        "    except SystemExit:\n"
        "        pass\n"
        "print(json.dumps(sorted(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_help_imports_nothing_heavy():
    helps = [["--help"], *([name, "--help"] for name in ("ingest", "demo", "reparse", "extract", "eval", "sql", "serve")),
             ["sources", "--help"], ["site", "serve", "--help"], ["reliability", "faults", "--help"]]
    loaded = modules_after(*helps)
    assert "typer" in loaded and "govpress.cli" in loaded  # the probe really ran the command line
    assert sorted(m for m in loaded if m.startswith(HEAVY)) == []


def test_serve_shows_every_serve_option():
    import typer.main

    from govpress.flows.serve import ServeOptions

    command = typer.main.get_command(app).commands["serve"]
    options = {name.lstrip("-").replace("-", "_") for p in command.params for name in p.opts}
    # schedules="paused"/"off" are --pause-schedules/--no-schedules; every other field is its own option.
    expected = set(ServeOptions.__dataclass_fields__) - {"schedules"} | {"pause_schedules", "no_schedules"}
    assert options == expected
    result = runner.invoke(app, ["serve", "--help"], env={"COLUMNS": "200"})
    assert all(f"--{name.replace('_', '-')}" in result.output for name in expected)


def test_serve_refuses_contradicting_schedule_options():
    result = runner.invoke(app, ["serve", "--no-schedules", "--pause-schedules"])
    assert result.exit_code == 2 and "exclude each other" in result.output


def test_reliability_faults_refuses_an_unknown_fault_before_running_any():
    result = runner.invoke(app, ["reliability", "faults", "--only", "no_such_fault"])
    assert result.exit_code == 2 and "status_429" in result.output  # the known ones are listed


def test_shared_host_limits_need_prefect(tmp_path) -> None:
    """The shared limits live in Prefect's API: asked for without Prefect, the command says so and runs nothing."""
    db = tmp_path / "never.duckdb"
    result = runner.invoke(app, ["ingest", "--without-prefect", "--shared-host-limits", "--db", str(db)])
    assert result.exit_code == 2
    assert "drop --without-prefect" in result.output
    assert not db.exists()


def test_backfill_takes_the_shared_host_limits_and_refuses_a_reversed_range_before_running(tmp_path) -> None:
    db = tmp_path / "never.duckdb"
    result = runner.invoke(app, ["backfill", "--source", "kremlin_ru", "--since", "2024-02-01", "--until", "2024-01-01",
                                 "--shared-host-limits", "--db", str(db)])
    assert result.exit_code == 2
    assert "is after --until" in result.output
    assert not db.exists()


@pytest.mark.parametrize("argv", [["ingest"], ["backfill", "--source", "kremlin_ru", "--since", "2024-01-01",
                                               "--until", "2024-01-02"], ["demo"]])
def test_the_temporary_api_is_spawned_before_the_runs_own_imports(tmp_path, argv):
    """Its start (2 s and more) is the longest wait of a Prefect call: it begins before the command imports the
    run's modules (the plan, the store), not after (0.25-0.5 s later); and before DuckDB's import, whose threads
    would rule out forking the server from the command (flows/temporary_api.py; ``demo`` checked its database first)."""
    script = (
        "import contextlib, json, sys\n"
        "import govpress.flows.temporary_api as temporary_api\n"
        "@contextlib.contextmanager\n"
        "def started_early(**kwargs):\n"
        "    print(json.dumps(sorted(m for m in ('govpress.plan', 'govpress.store', 'duckdb') if m in sys.modules)), flush=True)\n"
        "    raise SystemExit(0)\n"
        "    yield\n"
        "temporary_api.started_early = started_early\n"
        "from govpress.cli import app\n"
        f"app({argv + ['--db', str(tmp_path / 'never.duckdb')]!r}, prog_name='govpress')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []  # spawned while neither was imported yet
    assert not (tmp_path / "never.duckdb").exists()
