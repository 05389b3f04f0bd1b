"""The wheel works outside the checkout: built, installed into a fresh virtualenv in a temp folder, run from another.

``uv build --wheel``, then ``uv venv`` + ``uv pip install --offline`` (the project's locked
dependencies from uv's cache, then the wheel), then from a temp folder: ``govpress demo`` (every
demo source, the same releases as a demo run from the checkout in the same conditions: no
../shared pages for either), ``govpress serve --help`` and ``govpress extract`` on a constructed
page shipped in the wheel. Nothing may be written inside the virtualenv after the install.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from govpress.demo.run import render_registry
from testpaths import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.heavy]

KREMLIN_PAGE = "kremlin/ru/events/president/transcripts/75238.html"
KREMLIN_URL = "http://kremlin.ru/events/president/transcripts/75238"
SERVE_OPTIONS = ("--sources-file", "--db", "--no-schedules", "--pause-schedules", "--host", "--port", "--no-server",
                 "--limit")


def run(command: list[str], *, cwd: Path, env: dict[str, str], timeout: float = 300) -> subprocess.CompletedProcess:
    done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)
    assert done.returncode == 0, f"{' '.join(command)} -> {done.returncode}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done


def tree_state(root: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``root`` with its size and modification time, bytecode caches aside.

    Python (and beartype, for the modules it instruments) may add ``__pycache__`` files on import
    unless PYTHONDONTWRITEBYTECODE is set; they are the interpreter's, not a govpress write.
    """
    return {str(p.relative_to(root)): (p.lstat().st_size, p.lstat().st_mtime_ns) for p in root.rglob("*")
            if "__pycache__" not in p.parts}


def clean_env(tmp: Path, name: str) -> dict[str, str]:
    """A user's environment: no Prefect settings or database of this test run, no ../shared, a home of its own."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("PREFECT_", "GOVPRESS_", "VIRTUAL_ENV", "UV_")) and k not in ("DO_NOT_TRACK", "PYTHONPATH")}
    env.pop("PYTHONDONTWRITEBYTECODE", None)  # as most users have it: Python may write bytecode caches
    env.update(GOVPRESS_HOME=str(tmp / f"home-{name}"), GOVPRESS_SHARED=str(tmp / "no-shared-pages"),
               COLUMNS="200", HOME=str(tmp / f"home-{name}"))
    return env


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtualenv outside the checkout with the wheel installed; returns its folder."""
    uv = shutil.which("uv")
    if uv is None:
        pytest.skip("uv is not on PATH (python3 -m pip install uv)")
    tmp = tmp_path_factory.mktemp("wheel")
    assert not tmp.resolve().is_relative_to(ROOT.resolve())
    env = {**os.environ, "UV_NO_PROGRESS": "1"}
    env.pop("VIRTUAL_ENV", None)
    run([uv, "build", "--wheel", "--out-dir", str(tmp / "dist")], cwd=ROOT, env=env)
    [wheel] = (tmp / "dist").glob("govpress-*.whl")
    # The locked dependencies, by exact URL and hash: installable from uv's cache with no network.
    run([uv, "export", "--offline", "--format", "pylock.toml", "--no-dev", "--no-emit-project", "--quiet",
         "--output-file", str(tmp / "pylock.toml")], cwd=ROOT, env=env)
    venv = tmp / "venv"
    run([uv, "venv", "--quiet", "--python", sys.executable, str(venv)], cwd=tmp, env=env)
    python = str(venv / "bin" / "python")
    run([uv, "pip", "install", "--offline", "--quiet", "--compile-bytecode", "--python", python,
         "-r", str(tmp / "pylock.toml")], cwd=tmp, env=env)
    run([uv, "pip", "install", "--offline", "--quiet", "--compile-bytecode", "--no-deps", "--python", python,
         str(wheel)], cwd=tmp, env=env)
    return venv


def release_counts(db: Path) -> tuple[set[str], dict[str, int]]:
    """(source ids in ``sources``, releases per source) of a demo database."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        sources = {row[0] for row in con.execute("SELECT source_id FROM sources").fetchall()}
        counts = dict(con.execute("SELECT source_id, count(*) FROM releases GROUP BY 1").fetchall())
    finally:
        con.close()
    return sources, counts


def test_the_wheel_runs_the_demo_serve_help_and_extract_outside_the_checkout(installed: Path, tmp_path: Path):
    govpress = str(installed / "bin" / "govpress")
    before = tree_state(installed)
    wheel_cwd, checkout_cwd = tmp_path / "wheel-run", tmp_path / "checkout-run"
    wheel_cwd.mkdir()
    checkout_cwd.mkdir()
    wheel_env = clean_env(tmp_path, "wheel")
    checkout_env = {**clean_env(tmp_path, "checkout"), "PREFECT_HOME": str(tmp_path / "checkout-prefect")}

    # The same demo from the wheel and from the checkout, side by side (each with its own Prefect API).
    demos = {
        "wheel": subprocess.Popen([govpress, "demo", "--db", str(wheel_cwd / "g.duckdb")], cwd=wheel_cwd,
                                  env=wheel_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True),
        "checkout": subprocess.Popen([sys.executable, "-m", "govpress.cli", "demo", "--db", str(checkout_cwd / "g.duckdb")],
                                     cwd=checkout_cwd, env=checkout_env, stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, text=True),
    }
    outputs = {name: process.communicate(timeout=420)[0] for name, process in demos.items()}
    for name, process in demos.items():
        assert process.returncode == 0, f"{name} demo failed:\n{outputs[name][-4000:]}"

    expected = {block.split('id = "', 1)[1].split('"', 1)[0]
                for block in render_registry("http://127.0.0.1:1", pages=None, seed=None, site=Path("site")).split("[[source]]")[1:]}
    wheel_sources, wheel_counts = release_counts(wheel_cwd / "g.duckdb")
    checkout_sources, checkout_counts = release_counts(checkout_cwd / "g.duckdb")
    assert wheel_sources == checkout_sources == expected
    assert len(expected) >= 15 and set(wheel_counts) == expected  # the constructed per-site pages were served
    assert wheel_counts == checkout_counts
    assert (tmp_path / "home-wheel" / "prefect").is_dir()  # Prefect's state went to GOVPRESS_HOME

    serve_help = run([govpress, "serve", "--help"], cwd=wheel_cwd, env=wheel_env).stdout
    assert [option for option in SERVE_OPTIONS if option not in serve_help] == []

    site_packages_page = run([str(installed / "bin" / "python"), "-c",
                              "from govpress.demo import SITES_DIR; print(SITES_DIR)"], cwd=wheel_cwd,
                             env=wheel_env).stdout.strip()
    page = Path(site_packages_page) / KREMLIN_PAGE
    assert page.is_relative_to(installed)
    extract = ["extract", "--source", "kremlin_ru", "--url", KREMLIN_URL]
    from_wheel = json.loads(run([govpress, *extract, str(page)], cwd=wheel_cwd, env=wheel_env).stdout)
    from_checkout = json.loads(run([sys.executable, "-m", "govpress.cli", *extract,
                                    str(ROOT / "govpress" / "demo" / "sites" / KREMLIN_PAGE)],
                                   cwd=checkout_cwd, env=checkout_env).stdout)
    assert from_wheel["title"] and from_wheel["parser"].startswith("kremlin/")
    assert {k: v for k, v in from_wheel.items() if k != "file"} == {k: v for k, v in from_checkout.items() if k != "file"}

    after = tree_state(installed)
    assert sorted(set(after) ^ set(before)) == []  # no file created or removed inside the virtualenv
    assert sorted(name for name in before if before[name] != after[name]) == []  # none changed
