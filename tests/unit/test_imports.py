"""What a plain ingest process imports: nothing it never uses (each import is CPU on every run).

The modules are read from a fresh interpreter (``sys.modules`` after the imports), not timed.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from processes import json_of_fresh_python


def modules_after(code: str) -> set[str]:
    """The modules a fresh interpreter holds after running ``code``."""
    script = code + "\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))\n"
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "COLUMNS": "120"})
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def test_the_run_does_not_import_httpx_command_line_client():
    loaded = modules_after("import govpress.run")
    assert "httpx" in loaded and "govpress.fetch.client" in loaded  # the probe really imported the fetcher
    # httpx's __init__ imports its CLI (click, rich, pygments) when they are installed; govpress refuses it.
    assert sorted(m for m in loaded if m.split(".")[0] in ("click", "rich", "pygments") or m == "httpx._main") == []


def test_httpx_stays_whole_without_its_command_line_client():
    """httpx works as ever (its fallback ``main`` stub), and its CLI module can still be imported on purpose."""
    loaded = modules_after(
        "import govpress, sys, httpx, httpcore, colorsys  # colorsys: any import after both\n"
        "assert govpress._WithoutHttpxCli not in sys.meta_path, 'the finder left once httpx and httpcore were imported'\n"
        "assert callable(httpx.main) and httpx.AsyncClient and httpx.Request('GET', 'http://127.0.0.1/').url\n"
        "import httpx._main\n"
        "assert httpx._main.main is not None\n"
    )
    assert "httpx._main" in loaded


def test_httpx_imported_before_govpress_is_left_alone():
    loaded = modules_after("import httpx, sys, govpress\nassert govpress._WithoutHttpxCli not in sys.meta_path")
    assert "httpx._main" in loaded


def test_the_run_does_not_import_http2():
    loaded = modules_after("import govpress.run")
    assert "httpcore" in loaded  # the probe really imported the fetcher's transport
    # httpcore imports h2 and hpack (8-12 ms) for its HTTP/2 connections whenever h2 is installed; govpress speaks HTTP/1.1.
    assert sorted(m for m in loaded if m.split(".")[0] in ("h2", "hpack") or m.endswith(".http2")) == []


def test_http2_is_still_there_when_asked_for():
    """A client asking for HTTP/2 gets h2 (httpx imports it then), and so does httpcore's HTTP/2 connection module."""
    loaded = modules_after(
        "import govpress, sys, httpx, httpcore\n"
        "assert 'h2' not in sys.modules\n"
        "client = httpx.AsyncClient(http2=True)\n"
        "from httpcore._async.http2 import AsyncHTTP2Connection\n"
        "from httpcore._sync.http2 import HTTP2Connection\n"
        "assert AsyncHTTP2Connection.__module__ == 'httpcore._async.http2'\n"
    )
    assert {"h2", "h2.connection", "hpack"} <= loaded


def test_the_names_capitals_are_made_at_their_first_use_not_at_import():
    """Every capital of the BMP tested (3-4 ms) when a text's names are first keyed: a run's process seldom does."""
    modules_after(
        "import govpress.run\n"
        "from govpress.dedupe import names\n"
        "assert names._capitalised_bmp.cache_info().currsize == 0\n"
        "assert names._capitalised('Визит в Минск') == [('Визит', True), ('Минск', False)]\n"
        "assert names._capitalised_bmp.cache_info().currsize == 1\n"
    )


def test_the_run_does_not_import_the_page_parsers_html_modules():
    """The run's process needs the titles (a batch's site names) and the listings' tree helpers of
    govpress.parsers.html; its metadata, JSON-LD, links and density modules are the parse workers' (about 10 ms)."""
    loaded = modules_after("import govpress.run")
    assert {"govpress.parsers.html", "govpress.parsers.html.titles"} <= loaded  # the probe imported the package
    assert sorted(loaded & {f"govpress.parsers.html.{m}" for m in ("metadata", "jsonld", "links", "density")}) == []


def test_the_html_package_still_offers_every_name():
    """Each name of ``govpress.parsers.html.__all__`` is there on first use, the same object as in its module."""
    loaded = modules_after(
        "import importlib\n"
        "import govpress.parsers.html as html\n"
        "for name in html.__all__:\n"
        "    value = getattr(html, name)\n"
        "    home = getattr(value, '__module__', '')\n"
        "    assert not home.startswith('govpress.parsers.html.') or getattr(importlib.import_module(home), name) is value, name\n"
        "from govpress.parsers.html import page_metadata, density\n"
        "assert set(html.__all__) <= set(dir(html))\n"
        "try:\n"
        "    html.no_such_name\n"
        "except AttributeError:\n"
        "    pass\n"
        "else:\n"
        "    raise AssertionError('an unknown name')\n"
    )
    assert "govpress.parsers.html.metadata" in loaded


def test_a_listing_walk_of_a_generic_source_does_not_import_the_generic_parser():
    """The run's process reads a generic source's listing pages by its selectors; importing the generic parser only
    to find it has no ``parse_listing`` imported the HTML metadata, JSON-LD, links and density modules (~33 ms)."""
    loaded = modules_after(
        "from govpress.discover import _listing_reader\n"
        "from govpress.registry import Source\n"
        "source = Source(id='s', name='S', country='RU', institution='I', languages=['ru'], kind='listing',\n"
        "                start_urls=['https://example.org/news/'], parser='generic',\n"
        "                listing={'item': 'div.item', 'link': 'a'})\n"
        "assert 'read_listing_page' in _listing_reader(source).__code__.co_names  # the selectors' reader\n"
    )
    assert "govpress.discover" in loaded
    assert "govpress.parsers.generic" not in loaded


def test_reading_a_listing_page_does_not_execute_soupsieve():
    """bs4 imports soupsieve, whose patterns compile at import (~35 ms); a run's listing pages never use it."""
    loaded = modules_after(
        "import govpress.run, sys\n"
        "from govpress.parsers.listings.html import read_listing_page\n"
        "from govpress.parsers.listings.select import select\n"
        "import bs4\n"
        "soup = bs4.BeautifulSoup('<div class=item><a href=/a>A</a></div>', 'html.parser')\n"
        "assert [a['href'] for a in select(soup, 'div.item a')] == ['/a']  # the registry's simple form\n"
        "assert 'bs4.css' in sys.modules and 'soupsieve' in sys.modules\n"
    )
    assert not [m for m in loaded if m.startswith("soupsieve.")]


def test_soupsieve_works_at_its_first_use():
    loaded = modules_after(
        "import govpress, sys, bs4\n"
        "assert govpress._SoupsieveAtFirstUse not in sys.meta_path, 'the finder left once bs4 was imported'\n"
        "soup = bs4.BeautifulSoup('<ul><li>a</li><li>b</li></ul>', 'html.parser')\n"
        "assert [li.text for li in soup.select('li:nth-of-type(2)')] == ['b']  # soupsieve's own\n"
        "import soupsieve\n"
        "assert soupsieve.select_one('li', soup).text == 'a' and type(soupsieve).__name__ == 'module'\n"
    )
    assert "soupsieve.css_parser" in loaded


def test_soupsieve_imported_before_bs4_is_left_alone():
    loaded = modules_after(
        "import govpress, sys, soupsieve, bs4\n"
        "assert govpress._SoupsieveAtFirstUse not in sys.meta_path and type(soupsieve).__name__ == 'module'\n"
    )
    assert "soupsieve.css_parser" in loaded


# In a fresh process: a plain run's imports as the bench runner and `govpress ingest --without-prefect` make them
# (govpress.settings.run_imports); then what the patterns' module read, compiled and whether re.compile is back.
_RUN_PATTERNS = """
import json, re, _sre
import bench.govpress_run
from govpress.parsers import regex_cache as rc
print(json.dumps({"compile": re.compile.__module__, "used": len(rc._used), "read": len(rc._stored or {}),
                  "missing": sum(key not in (rc._stored or {}) for key in rc._used),
                  "differ": sum(_sre.compile(k[0], *rc._arguments(v)) != re.compile(*k) for k, v in rc._used.items())}))
"""


def _run_patterns(folder) -> dict:
    return json_of_fresh_python(_RUN_PATTERNS, folder)


def test_the_runs_imports_take_every_modules_patterns_from_the_file_and_give_re_compile_back(tmp_path):
    """pydantic's, feedparser's, cssselect's, http.cookiejar's... patterns too (30-35 ms of a run's imports), not only
    the parsers' own (about 50): the first process compiles and writes them, the next reads them."""
    first = _run_patterns(tmp_path)
    assert first["compile"] == "re" and first["used"] > 200 and first["read"] == 0 and first["differ"] == 0
    assert len(list(tmp_path.glob("patterns-*.marshal"))) == 1
    second = _run_patterns(tmp_path)
    # Read back; a pattern or two built from a set in the order of this process's string hashing (tokenize's) miss.
    assert second["compile"] == "re" and second["differ"] == 0 and second["missing"] <= 3
    assert abs(second["used"] - first["used"]) <= 3 and second["read"] >= first["used"]


def test_the_fork_servers_patterns_stay_in_the_file_beside_the_runs(tmp_path):
    """The fork server's preload and the run's process share the file: the run's save keeps the fork server's
    patterns (with twice what the run used as the bound, 27 of them were dropped: 3 ms compiled at every start)."""
    from govpress.parsers import regex_cache

    env = {**os.environ, "GOVPRESS_CACHE_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-c", "import govpress.parse_preload"], check=True, env=env, capture_output=True,
                   timeout=180)
    fork_servers = set(regex_cache._read(regex_cache.cache_file(tmp_path)))
    assert len(fork_servers) > 300
    _run_patterns(tmp_path)  # compiles what the fork server did not, and writes the file
    kept = set(regex_cache._read(regex_cache.cache_file(tmp_path)))
    assert fork_servers <= kept and len(kept) > len(fork_servers) + 50


def test_the_registrys_list_defaults_do_not_compile_tokenizes_pattern():
    """pydantic reads each ``default_factory``'s signature; ``list``'s is parsed through ``tokenize``, whose pattern
    (built from a set: another in each process, so no file keeps it) compiled at every run's start (2-3 ms)."""
    modules_after(
        "import govpress.run, tokenize\n"
        "from govpress.registry import load_registry\n"
        "registry = load_registry()\n"
        "assert registry.source and all(s.fallback_urls is not registry.source[0].fallback_urls for s in registry.source[1:])\n"
        "assert tokenize._compile.cache_info().currsize == 0, tokenize._compile.cache_info()\n"
    )


def test_the_commands_registry_imports_read_the_patterns_but_leave_the_file_to_the_runs_imports(tmp_path):
    """``govpress ingest`` imports the registry first (its patterns from the file too); the file is written after the
    plain run's own imports, with everything the process used: a save of the registry's few patterns alone would keep
    fewer of the file's others. Refused here after the registry's import: nothing written."""
    env = {**os.environ, "GOVPRESS_CACHE_DIR": str(tmp_path), "COLUMNS": "120"}
    done = subprocess.run([sys.executable, "-c", "from govpress.cli import app; app()", "ingest", "--without-prefect",
                           "--source", "nope", "--db", str(tmp_path / "g.duckdb")],
                          capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 2 and "nope" in done.stdout + done.stderr
    assert list(tmp_path.glob("patterns-*.marshal")) == []


def test_a_finder_asked_while_bs4_initialises_does_not_execute_the_lazy_soupsieve():
    # While bs4's __init__ ran (soupsieve already a lazy module in sys.modules), a second thread's import could still
    # reach govpress's soupsieve finder (it had been listed when that import began), which read soupsieve's __spec__
    # as an attribute: that executed soupsieve inside find_spec, under Python 3.11's global import lock, while the
    # main thread held bs4's lock and waited for the global one. `govpress ingest` (Prefect's import in a thread,
    # bs4's in the main one) hung for ever. Here the finder is asked as that thread asked it, in one thread.
    loaded = modules_after(
        "import govpress, sys, importlib.abc\n"
        "asked = []\n"
        "class Meanwhile(importlib.abc.MetaPathFinder):\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if 'soupsieve' in sys.modules and govpress._initializing('bs4') and not asked:\n"
        "            asked.append(govpress._SoupsieveAtFirstUse.find_spec('colorsys'))\n"
        "        return None\n"
        "sys.meta_path.insert(0, Meanwhile())\n"
        "import bs4\n"
        "assert type(sys.modules['soupsieve']).__name__ == '_LazyModule', 'soupsieve was executed'\n"
        "assert asked == [None], asked  # asked once, while bs4 initialised\n"
    )
    assert not [m for m in loaded if m.startswith("soupsieve.")]
