"""The registry refuses bad input at load, with one line naming the file, the entry and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from govpress.registry import RegistryError, check_cron, load_registry

ENTRY = """
[[source]]
id = "{id}"
name = "Ministry"
country = "RU"
institution = "Ministry"
languages = ["ru"]
kind = "{kind}"
start_urls = [{start}]
{extra}
"""


def registry(tmp_path: Path, *entries: dict) -> Path:
    path = tmp_path / "sources.toml"
    text = ""
    for e in entries:
        text += ENTRY.format(id=e.get("id", "ministry_ru"), kind=e.get("kind", "feed"),
                             start=e.get("start", '"https://minfin.example.gov/rss"'), extra=e.get("extra", ""))
    path.write_text(text, encoding="utf-8")
    return path


def refused(path: Path) -> str:
    with pytest.raises(RegistryError) as info:
        load_registry(path)
    message = str(info.value)
    assert "\n" not in message and str(path) in message
    return message


def test_the_project_registry_loads():
    assert load_registry().source


def test_a_missing_file_a_folder_and_bad_toml_are_one_line_each(tmp_path: Path):
    assert "no such registry file" in refused(tmp_path / "nope.toml")
    assert "is a folder" in refused(tmp_path)
    bad = tmp_path / "bad.toml"
    bad.write_text("[[source]\nid = 1", encoding="utf-8")
    assert "not valid TOML" in refused(bad)


def test_an_unknown_kind_names_the_entry_and_field(tmp_path: Path):
    message = refused(registry(tmp_path, {"kind": "rss"}))
    assert "source[0] (ministry_ru).kind" in message


def test_duplicate_ids_are_refused(tmp_path: Path):
    assert "duplicate source id 'ministry_ru'" in refused(registry(tmp_path, {}, {}))


@pytest.mark.parametrize("cron", ["61 25 * * *", "0 * * *", "every hour", "0 0 32 * *"])
def test_an_invalid_cadence_is_refused_at_load(tmp_path: Path, cron: str):
    message = refused(registry(tmp_path, {"extra": f'cadence = "{cron}"'}))
    assert "cadence" in message and "cron" in message


@pytest.mark.parametrize("cron", ["*/30 * * * *", "0 7 * * 1-5", "@hourly", "15  6 * * *"])
def test_valid_cadences_pass(cron: str):
    assert check_cron(cron) == cron


@pytest.mark.parametrize("value", ["notanip", "127.0.0.1/33", "localhost"])
def test_allow_addresses_must_be_addresses_or_networks(tmp_path: Path, value: str):
    assert "not an IP address or CIDR" in refused(registry(tmp_path, {"extra": f'allow_addresses = ["{value}"]'}))


def test_allowed_hosts_are_bare_host_names(tmp_path: Path):
    assert "not a host name" in refused(registry(tmp_path, {"extra": 'allowed_hosts = ["https://minfin.example.gov/"]'}))


@pytest.mark.parametrize("url", ['"file:///etc/passwd"', '"ftp://minfin.example.gov/rss"', '"/etc/passwd"', '"https:///rss"'])
def test_web_sources_take_only_http_urls(tmp_path: Path, url: str):
    assert "not an http(s) URL" in refused(registry(tmp_path, {"start": url}))


def test_files_sources_take_paths_not_web_urls(tmp_path: Path):
    assert load_registry(registry(tmp_path, {"kind": "files", "start": '"docs/*.txt"'})).source[0].kind == "files"
    assert "folders, paths or globs" in refused(registry(tmp_path, {"kind": "files", "start": '"https://x.gov/a.txt"'}))


@pytest.mark.parametrize("agent", ["\u0080", "bot\r\nX-Injected: 1", "", "  ", "бот/1.0"])
def test_a_user_agent_that_is_not_an_http_header_value_is_refused_at_load(tmp_path, agent):
    """Found by the registry fuzz: httpx raised UnicodeEncodeError on the first request."""
    import json

    path = tmp_path / "sources.toml"
    path.write_text(f"user_agent = {json.dumps(agent)}\n", encoding="utf-8")
    with pytest.raises(RegistryError, match="printable ASCII"):
        load_registry(path)
    path.write_text('[[source]]\nid = "a"\nname = "A"\ncountry = "RU"\ninstitution = "I"\nlanguages = ["ru"]\n'
                    f'kind = "feed"\nstart_urls = ["https://a.example/feed"]\nuser_agent = {json.dumps(agent)}\n',
                    encoding="utf-8")
    with pytest.raises(RegistryError, match="printable ASCII"):
        load_registry(path)


def test_a_sources_hosts_follow_its_lists_when_they_change() -> None:
    """``Source.hosts()`` is asked before every request and remembered per list of hosts and URLs: a source whose lists
    change (a registry reloaded, a test) gets the new answer, and a caller changing the set it got changes nothing."""
    from tests.unit.fetch.conftest import make_source

    source = make_source(start_urls=["https://News.Example.gov/a", "https://old.example.gov/"])
    assert source.hosts() == {"news.example.gov", "old.example.gov"}
    source.hosts().add("evil.example.com")
    assert source.hosts() == {"news.example.gov", "old.example.gov"}
    source.start_urls = ["https://news.example.gov/b"]
    assert source.hosts() == {"news.example.gov"}
    source.allowed_hosts = ["Cdn.Example.gov"]
    assert source.hosts() == {"cdn.example.gov"}
