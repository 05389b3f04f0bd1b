"""The demo: the local site server and generator (localsite/), the constructed per-site pages
(sites/, package data), the demo run and the fault-injection table (reliability)."""

from pathlib import Path

SITES_DIR = Path(__file__).resolve().parent / "sites"
"""Constructed pages in the format of each real source, served by the demo at /fixtures/sites/."""
