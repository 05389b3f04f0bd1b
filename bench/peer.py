"""The peers' own virtual environment under bench/out/: Scrapy, trafilatura, DuckDB and py-spy, never project dependencies.

Created once by ``uv`` (``uv venv`` then ``uv pip install``) and reused; ``bench/out/`` is ignored
by git. The peer spider (bench/peer_spider.py) runs with this environment's Python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"
VENV = OUT / "peer-venv"
PACKAGES = ("scrapy==2.19.0", "trafilatura", "duckdb==1.5.5", "pyarrow", "py-spy")


def python() -> Path:
    return VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def ensure() -> Path:
    """The peer environment's Python, creating the environment first when it is missing or incomplete."""
    marker = VENV / ".complete"
    if marker.exists() and python().exists():
        return python()
    uv = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
    if VENV.exists():
        shutil.rmtree(VENV)
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run([uv, "venv", "-q", "--python", sys.executable, str(VENV)], check=True)
    subprocess.run([uv, "pip", "install", "-q", "--python", str(python()), *PACKAGES], check=True)
    marker.write_text(" ".join(PACKAGES) + "\n", encoding="utf-8")
    return python()


def versions() -> str:
    """Versions of the peer packages, for the results file."""
    code = "import scrapy, trafilatura, duckdb; print(f'Scrapy {scrapy.__version__}, trafilatura {trafilatura.__version__}, DuckDB {duckdb.__version__}')"
    return subprocess.run([str(python()), "-c", code], capture_output=True, text=True, check=True).stdout.strip()
