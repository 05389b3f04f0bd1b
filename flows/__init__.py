"""govpress flows: the Prefect flows (ingest.py, operations.py) and the plain stages they conduct.

Stages: registry.py (sources.toml), discover.py, plan.py, fetch.py (+ netguard, politeness,
blocking), archive.py, pipeline.py (one source end to end), dedupe.py, store/ (DuckDB), run.py
(one whole run without Prefect). The command line is cli.py; the local site server localsite/.
"""
