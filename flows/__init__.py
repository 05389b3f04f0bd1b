"""govpress.flows: Prefect only. Each flow is parameters -> one library call (govpress/run.py) -> artifacts.

ingest.py (``ingest``, ``reparse``), operations.py (``backfill``, ``publish``), tasks.py (one
discovery task per source, one task per batch), artifacts.py (the run's table, report and end
state), parameters.py (the typed form fields), writer_limit.py (one DuckDB writer at a time),
serve.py (the UI and every deployment in one process). The stages themselves live in govpress/.
"""
