"""Hostile registries: ``govpress sources`` and ``govpress ingest`` (CliRunner) never print a traceback.

Hypothesis draws whole TOML documents (random text, and a valid registry cut, spliced and
sprinkled with hostile bytes) and registries built field by field, every field drawn from valid
values, near misses and wrong types (huge numbers, NaN, nested tables, control characters, bad
crons, zones, CIDRs, schemes, regexes, templates). Whatever comes, the command ends with its
table (exit 0), failed sources (exit 1), or one ``error:`` line (exit 2): never a traceback.

No packet leaves the machine: every URL the strategies write names a loopback address (a port
nobody listens on), and a document that could still name another host, or a local-files source
outside its own folder, is set aside (``assume``) before ``ingest`` sees it. The ingest runs
without Prefect (``--without-prefect``: the same registry handling, in a fraction of the time).
Examples: 25 per test with a fixed seed; ``GOVPRESS_FUZZ_EXAMPLES=500`` runs a long fresh search.
"""

from __future__ import annotations

import ipaddress
import json
import math
import os
import re
import tomllib
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from govpress.cli import app
from factories import free_port

LONG_RUN = "GOVPRESS_FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("GOVPRESS_FUZZ_EXAMPLES", "25"))
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=not LONG_RUN, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])
runner = CliRunner()
DEAD_PORT = free_port()  # nothing listens here: every fetch is refused at once, on loopback


# --- a TOML writer for the drawn values (tomllib reads, nothing in the standard library writes) -----


def toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # JSON string escapes are TOML basic-string escapes (lone surrogates: bad TOML)
    if isinstance(value, list):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{json.dumps(k)} = {toml_value(v)}" for k, v in value.items()) + "}"
    raise TypeError(value)


def toml_document(top: dict, sources: list[dict]) -> str:
    lines = [f"{json.dumps(k)} = {toml_value(v)}" for k, v in top.items()]
    for source in sources:
        lines.append("\n[[source]]")
        lines += [f"{json.dumps(k)} = {toml_value(v)}" for k, v in source.items()]
    return "\n".join(lines) + "\n"


# --- the strategies ----------------------------------------------------------------------------------

LOOPBACK = ["127.0.0.1", "127.0.0.2", "[::1]"]
hostile_text = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40) | st.sampled_from(
    ["", " ", "\x00", "\u202e", "é" * 300, "a" * 5000, "{id}", "{page}{start}", "((", "[a-", "*/", "..", "../..",
     "file:///etc/passwd", "javascript:alert(1)", "http://", "http://:80/", "ftp://127.0.0.1/x"])
loopback_url = st.builds(lambda host, port, path: f"http://{host}:{port}/{path}", st.sampled_from(LOOPBACK),
                         st.sampled_from([DEAD_PORT, 0, 65535, 99999]), st.text("abc/?=&%.", max_size=12))
wrong_type = st.one_of(st.integers(min_value=-2**70, max_value=2**70), st.floats(allow_nan=True),
                       st.booleans(), st.lists(st.integers(), max_size=3), st.dictionaries(st.text("ab", max_size=2),
                                                                                     st.integers(), max_size=2))


def field(valid, near=hostile_text):
    """A field's value: mostly valid, often a near miss, sometimes the wrong type."""
    return st.one_of(valid, valid, near, wrong_type)


FIELDS = {
    "id": field(st.from_regex(r"\A[a-z0-9_]{1,12}\Z")),
    "name": field(st.text(max_size=30)),
    "country": field(st.sampled_from(["RU", "BY", "AZ", "EU", "UN", "GB"]), st.sampled_from(["ru", "XXX", ""])),
    "institution": field(st.text(max_size=30)),
    "languages": field(st.lists(st.sampled_from(["ru", "en", "az", "be", "de"]), min_size=1, max_size=3),
                       st.lists(hostile_text, max_size=3)),
    "group": field(st.text("abc", max_size=5)),
    "kind": field(st.sampled_from(["feed", "sitemap", "listing", "json"]), st.sampled_from(["files", "rss", ""])),
    "start_urls": field(st.lists(loopback_url, min_size=1, max_size=2), st.lists(hostile_text, max_size=2)),
    "fallback_urls": field(st.lists(loopback_url, max_size=2)),
    "parser": field(st.sampled_from(["generic", "kremlin", "belta", "govuk"]), st.sampled_from(["nope", "../x"])),
    "timezone": field(st.sampled_from(["UTC", "Europe/Moscow", "Asia/Baku"]), st.sampled_from(["Mars/Base", "+03"])),
    "cadence": field(st.sampled_from(["*/30 * * * *", "@daily", "0 6 * * 1-5"]),
                     st.sampled_from(["61 25 * * *", "* * *", "@never", ""])),
    "rate_limit": field(st.floats(min_value=0.01, max_value=100), st.sampled_from([0, -1, 1e300, float("nan")])),
    "concurrency": field(st.integers(1, 32), st.sampled_from([0, 33, -5, 2**63])),
    "allowed_hosts": field(st.lists(st.sampled_from(["127.0.0.1", "127.0.0.2", "::1"]), max_size=2),
                           st.lists(hostile_text, max_size=2)),
    "allow_addresses": field(st.lists(st.sampled_from(["127.0.0.1", "127.0.0.0/8", "::1"]), max_size=2),
                             st.lists(st.sampled_from(["notanip", "10.0.0.0/33", "::/200", ""]), max_size=2)),
    "ignore_robots": field(st.booleans()),
    "user_agent": field(st.text(max_size=20)),
    "feed_full_text": field(st.booleans()),
    "max_pages": field(st.integers(1, 3), st.sampled_from([0, -1, 10**9])),
    "max_items": field(st.integers(1, 50), st.sampled_from([0, -1, 10**12])),
    "translation_key_pattern": field(st.sampled_from([r"/news/(\d+)", r"(\d+)"]), st.sampled_from(["((", "[", ""])),
    "enabled": field(st.booleans()),
    "listing": field(st.fixed_dictionaries({"item": st.sampled_from(["div.item", "li"])},
                                           optional={"next": st.sampled_from(["a.next", "::!"]),
                                                     "page_url": hostile_text}),
                     st.dictionaries(st.sampled_from(["item", "link", "bogus"]), hostile_text, max_size=3)),
    "json_listing": field(st.fixed_dictionaries({"url": st.sampled_from(["http://127.0.0.1:9/{id}", "{missing}"])},
                                                optional={"page_url": hostile_text, "page_size": wrong_type}),
                          st.dictionaries(st.sampled_from(["url", "items", "bogus"]), hostile_text, max_size=3)),
    "surprise": hostile_text,
}
REQUIRED = ("id", "name", "country", "institution", "languages", "kind", "start_urls")


@st.composite
def source_entry(draw) -> dict:
    """A source: the required fields usually present, any others at random, some unknown keys."""
    entry = {}
    for name, strategy in FIELDS.items():
        keep = draw(st.floats(0, 1)) < (0.92 if name in REQUIRED else 0.3)
        if keep:
            entry[name] = draw(strategy)
    return entry


registries = st.builds(
    toml_document,
    st.fixed_dictionaries({}, optional={"user_agent": field(st.text(max_size=20)), "stray": wrong_type}),
    st.lists(source_entry(), max_size=3),
)

VALID = f"""user_agent = "govpress-fuzz/1.0"

[[source]]
id = "fuzz_feed"
name = "Fuzz"
country = "RU"
institution = "Nobody"
languages = ["ru"]
kind = "feed"
start_urls = ["http://127.0.0.1:{DEAD_PORT}/feed"]
allow_addresses = ["127.0.0.1"]
cadence = "*/30 * * * *"
"""


@st.composite
def mangled_documents(draw) -> str:
    """The valid registry with cuts, insertions and duplications, or random text."""
    text = VALID
    for _ in range(draw(st.integers(1, 4))):
        at = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["cut", "insert", "duplicate", "drop_line"]))
        if how == "cut":
            text = text[:at] + text[at + draw(st.integers(1, 30)):]
        elif how == "insert":
            text = text[:at] + draw(st.sampled_from(["[", "]", "\"", "=", "\n", "\x00", "[[source]]\n", "\ufeff",
                                                      "id = 2\n", "'''", "\\u"])) + text[at:]
        elif how == "duplicate":
            text = text + text[at:]
        else:
            lines = text.splitlines(keepends=True)
            if lines:
                del lines[draw(st.integers(0, len(lines) - 1))]
            text = "".join(lines)
    return text


documents = st.one_of(registries, mangled_documents(), st.text(max_size=200))


# --- keeping every packet on this machine ------------------------------------------------------------


def strings_in(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [s for v in value for s in strings_in(v)]
    if isinstance(value, dict):
        return [s for k, v in value.items() for s in [k, *strings_in(v)]]
    return []


def stays_local(text: str) -> bool:
    """True when every URL-like string of the document names a loopback address and no files source exists."""
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, UnicodeDecodeError, ValueError):
        return True  # refused before anything runs
    for source in data.get("source", []) if isinstance(data.get("source"), list) else []:
        if isinstance(source, dict) and source.get("kind") == "files":
            return False
    for value in strings_in(data):
        for match in re.finditer(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"']*", value):
            try:
                host = urlsplit(match.group(0)).hostname
            except ValueError:
                continue
            if host is None:
                continue
            try:
                if not ipaddress.ip_address(host).is_loopback:
                    return False
            except ValueError:
                return False  # a name: it would be resolved
    return True


# --- the tests -----------------------------------------------------------------------------------


def assert_no_traceback(result, allowed: set[int]) -> None:
    output = result.output
    assert "Traceback" not in output, output[-2000:]
    assert result.exit_code in allowed, (result.exit_code, output[-2000:])
    if result.exception is not None:
        assert isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 2:
        errors = [line for line in output.splitlines() if line.startswith("error: ")]
        assert len(errors) == 1 or "Usage:" in output, output[-2000:]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz-registry")


@FUZZ
@given(document=documents)
def test_sources_never_prints_a_traceback(workdir, document):
    path = workdir / "sources.toml"
    path.write_text(document, encoding="utf-8", errors="surrogatepass")
    result = runner.invoke(app, ["sources", "--sources-file", str(path)], env={"COLUMNS": "200"})
    assert_no_traceback(result, {0, 2})


@FUZZ
@given(document=documents)
def test_ingest_never_prints_a_traceback(workdir, document):
    assume(stays_local(document))
    path = workdir / "sources.toml"
    path.write_text(document, encoding="utf-8", errors="surrogatepass")
    result = runner.invoke(app, ["ingest", "--without-prefect", "--sources-file", str(path),
                                 "--db", str(workdir / "g.duckdb"), "--max-pages", "1"], env={"COLUMNS": "200"})
    assert_no_traceback(result, {0, 1, 2})


def test_the_strategies_reach_valid_registries_and_ingest_them(workdir):
    """The fuzz is not only refusals: a valid drawn registry runs (its sources fail: nobody listens)."""
    path = workdir / "valid.toml"
    path.write_text(VALID, encoding="utf-8")
    result = runner.invoke(app, ["ingest", "--without-prefect", "--sources-file", str(path),
                                 "--db", str(workdir / "valid.duckdb"), "--max-pages", "1"], env={"COLUMNS": "200"})
    assert result.exit_code == 1 and "fuzz_feed" in result.output and "Traceback" not in result.output
    assert stays_local(VALID) and not stays_local(VALID.replace("127.0.0.1:", "example.org:"))
