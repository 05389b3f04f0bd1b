"""The two commands at the top of README.md work as written; CI runs the second one verbatim."""

from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[2]


def top_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```bash\n(.*?)```", readme, flags=re.S).group(1)
    return [line.strip() for line in block.splitlines() if line.strip()]


def test_the_readme_opens_with_exactly_two_commands_run_and_test():
    run, test = top_commands()
    assert run.endswith("uv run govpress demo")
    assert test.endswith("uv run pytest")


def test_ci_runs_the_readme_test_command_verbatim():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    _, test = top_commands()
    pattern = re.search(r"grep -m1 -E '(.*?)' README.md", ci).group(1)
    assert re.match(pattern, test), "the .ci/run pattern no longer finds the README's test command"


@pytest.mark.e2e
@pytest.mark.slow
@pytest.mark.heavy  # a minute or more; tests/e2e/test_demo_runs.py runs the same demo in the default suite
def test_the_main_command_runs_the_demo_as_written(tmp_path: Path):
    run, _ = top_commands()
    db = tmp_path / "govpress.duckdb"
    # A user's shell: the system python3 (with pip), not this test run's virtualenv.
    venv_bin = str(Path(os.sys.executable).parent)
    path = os.pathsep.join(p for p in os.environ.get("PATH", "").split(os.pathsep) if p != venv_bin)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env.update(PATH=path, GOVPRESS_DB=str(db))
    done = subprocess.run(run, shell=True, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "Try these" in done.stdout and "search_releases" in done.stdout
    con = duckdb.connect(str(db), read_only=True)
    try:
        generated = con.execute("SELECT count(*) FROM releases WHERE source_id LIKE 'demo_%'").fetchone()[0]
    finally:
        con.close()
    assert generated >= 300
