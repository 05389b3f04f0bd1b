"""govpress: a clean, deduplicated, searchable record of what governments publish.

The library lives here, with no Prefect inside: the registry, discovery, planning, fetching
(``govpress.fetch``), the archive, deduplication (``govpress.dedupe``), the DuckDB store
(``govpress.store``), one run end to end (``govpress.run``), the command line and the demo.
The pure parsers are ``govpress.parsers`` and the Prefect flows ``govpress.flows``.
"""

import sys as _sys
from pathlib import Path as _Path

# In a checkout, parsers/ and flows/ sit beside govpress/ (the layout of the design card);
# the wheel installs them inside it, so that it adds one top-level name to an environment.
# Either way they are imported as govpress.parsers and govpress.flows.
_checkout = _Path(__file__).resolve().parent.parent
if not (_Path(__file__).resolve().parent / "parsers").is_dir() and (_checkout / "parsers" / "__init__.py").is_file():
    __path__.append(str(_checkout))  # type: ignore[name-defined]  # noqa: F821


class _WithoutHttpxCli:
    """Keeps httpx's own command line client (``httpx._main``) and HTTP/2 (``h2``) out of the import of httpx.

    ``import httpx`` imports ``httpx._main`` whenever click, rich and pygments are installed (they are:
    typer and rich are govpress's), so every process that fetched paid for them: 40-60 ms of CPU per
    run (``python -X importtime``), for ``httpx.main``, which govpress never calls. While httpx's
    ``__init__`` runs, its ``from ._main import main`` is refused here; httpx catches that ImportError
    and defines a stub ``main`` (its own fallback without the CLI extras). The finder leaves
    ``sys.meta_path`` once httpx and httpcore are imported, so an explicit ``import httpx._main`` afterwards
    works as ever.

    Likewise ``h2`` while httpcore's ``__init__`` runs: httpcore imports its HTTP/2 connection classes
    (and with them h2 and hpack, 8-12 ms of CPU) whenever h2 is installed, and binds stubs when the
    import fails. Its connections import ``.http2`` again where HTTP/2 is negotiated, and httpx imports
    h2 when a client asks for ``http2=True``: both find it then. govpress's clients speak HTTP/1.1.
    Tested in tests/unit/test_imports.py.
    """

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> None:
        if name == "h2" and _initializing("httpcore"):
            raise ImportError("h2 is imported where HTTP/2 is used, not with httpcore")
        if name == "httpx._main" and _initializing("httpx"):
            raise ImportError("httpx's command line client is not imported by govpress")
        if _imported("httpx") and _imported("httpcore"):  # both done: leave (httpx imports httpcore lazily)
            _sys.meta_path[:] = [finder for finder in _sys.meta_path if finder is not cls]
        return None


def _imported(module: str) -> bool:
    return module in _sys.modules and not _initializing(module)


def _initializing(module: str) -> bool:
    """Whether ``module``'s ``__init__`` is running (it is in sys.modules, its spec marked as initialising).

    The spec is read from the module's namespace, not as its attribute: soupsieve here is a lazy module
    (``importlib.util.LazyLoader``), which executes itself when any attribute is read. Read from a finder,
    that ran soupsieve's whole import inside another import's ``find_spec``, which Python 3.11 calls
    holding the global import lock: a thread importing Prefect did so while the main thread was
    importing bs4, and each waited for the other for ever (a `govpress ingest` hung in `python -m bench`).
    """
    found = _sys.modules.get(module)
    try:
        namespace = object.__getattribute__(found, "__dict__")
    except AttributeError:  # None, or an object without a namespace standing in for a module
        return False
    spec = namespace.get("__spec__") if isinstance(namespace, dict) else None
    return bool(getattr(spec, "_initializing", False))


if "httpx" not in _sys.modules:
    _sys.meta_path.insert(0, _WithoutHttpxCli)


class _SoupsieveAtFirstUse:
    """soupsieve, as BeautifulSoup's ``bs4.css`` imports it, executed at its first use instead of with bs4.

    ``import bs4`` imports soupsieve (``bs4/css.py``: ``import soupsieve``, only bound there), and soupsieve's
    module-level patterns compile at import: ~35 of bs4's ~45 ms of CPU (``python -X importtime``: its
    ``css_parser``). A run's process imports bs4 only for an HTML listing page whose selectors are not of the registry's
    simple form (those are read on lxml's tree, parsers/listings/lxml_select.py), and even then runs no CSS
    selector through soupsieve (parsers/listings/select.py matches them itself; the page parsers select with
    lxml), so the import was pure cost (bench/results.md, "perf-main17"). While ``bs4.css``
    initialises, its ``import soupsieve`` gets ``importlib.util.LazyLoader``'s module: an ordinary module the
    moment any of its attributes is read (``Tag.select`` and ``Tag.css`` read them). The finder leaves
    ``sys.meta_path`` once bs4 is imported, or once soupsieve is (imported on its own, it is left alone).
    Tested in tests/unit/test_imports.py.
    """

    @classmethod
    def find_spec(cls, name: str, path: object = None, target: object = None) -> object:
        if name == "soupsieve" and _initializing("bs4.css"):
            cls._leave()
            from importlib.util import LazyLoader, find_spec

            spec = find_spec(name)
            if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
                return spec
            spec.loader = LazyLoader(spec.loader)
            return spec
        if _imported("bs4") or _imported("soupsieve"):
            cls._leave()
        return None

    @classmethod
    def _leave(cls) -> None:
        _sys.meta_path[:] = [finder for finder in _sys.meta_path if finder is not cls]


if "bs4" not in _sys.modules and "soupsieve" not in _sys.modules:
    _sys.meta_path.insert(0, _SoupsieveAtFirstUse)
