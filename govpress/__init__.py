"""govpress: a clean, deduplicated, searchable record of what governments publish.

The library lives here, with no Prefect inside: the registry, discovery, planning, fetching
(``govpress.fetch``), the archive, deduplication (``govpress.dedupe``), the DuckDB store
(``govpress.store``), one run end to end (``govpress.run``), the command line and the demo.
The pure parsers are ``govpress.parsers`` and the Prefect flows ``govpress.flows``.
"""

from pathlib import Path as _Path

# In a checkout, parsers/ and flows/ sit beside govpress/ (the layout of the design card);
# the wheel installs them inside it, so that it adds one top-level name to an environment.
# Either way they are imported as govpress.parsers and govpress.flows.
_checkout = _Path(__file__).resolve().parent.parent
if not (_Path(__file__).resolve().parent / "parsers").is_dir() and (_checkout / "parsers" / "__init__.py").is_file():
    __path__.append(str(_checkout))  # type: ignore[name-defined]  # noqa: F821
