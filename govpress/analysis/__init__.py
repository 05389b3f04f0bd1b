"""The analyst's side: the HTML report with plots, search from the command line, exports.

No Prefect here (flows/report_flow.py publishes the report after scheduled runs):

- :mod:`govpress.analysis.sections` reads each report section out of DuckDB (plain dataclasses);
- :mod:`govpress.analysis.terms` finds the distinctive terms of each source;
- :mod:`govpress.analysis.plots` draws them as SVG (matplotlib, no JavaScript);
- :mod:`govpress.analysis.report` assembles one self-contained HTML file;
- :mod:`govpress.analysis.export` writes tables and views as Parquet or CSV, and archived bodies as WARC;
- :mod:`govpress.analysis.fileserver` serves the report on loopback beside ``govpress serve``;
- :mod:`govpress.analysis.commands` holds the ``report``, ``search`` and ``export`` commands.
"""
