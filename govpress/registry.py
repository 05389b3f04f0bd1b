"""The source registry: ``sources.toml`` read into typed, validated :class:`Source` objects.

Every field is documented here and in the header of ``sources.toml``. A source is one
language edition of one publisher's channel (``kremlin_ru`` and ``kremlin_en`` are two
sources of one ``group``); their releases are linked as translations.
"""

from __future__ import annotations

import functools
import ipaddress
import os
import re
import string
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from govpress.errors import ConfigError


def default_sources_file() -> Path:
    """``$GOVPRESS_SOURCES``, else the checkout's ``sources.toml``, else the copy the wheel ships."""
    if "GOVPRESS_SOURCES" in os.environ:
        return Path(os.environ["GOVPRESS_SOURCES"])
    beside = Path(__file__).resolve().parent.parent / "sources.toml"
    return beside if beside.is_file() else Path(__file__).resolve().parent / "sources.toml"


DEFAULT_SOURCES_FILE = default_sources_file()


class RegistryError(ConfigError, ValueError):
    """A registry file that cannot be used: missing, not TOML, or an entry that does not validate.

    Its message is one line per problem, naming the file and the entry; the CLI prints it as is.
    """


CRON_ALIASES = {"@hourly": "0 * * * *", "@daily": "0 0 * * *", "@midnight": "0 0 * * *", "@weekly": "0 0 * * 0",
                "@monthly": "0 0 1 * *", "@yearly": "0 0 1 1 *", "@annually": "0 0 1 1 *"}
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def check_cron(expression: str) -> str:
    """A five-field cron expression (or an @alias), checked now rather than when a deployment is served."""
    from cronsim import CronSim, CronSimError

    plain = CRON_ALIASES.get(expression.strip(), expression)
    try:
        CronSim(" ".join(plain.split()), datetime(2024, 1, 1))
    except (CronSimError, ValueError) as exc:
        raise ValueError(f"cadence {expression!r} is not a valid five-field cron expression ({exc})") from None
    return expression

_HEADER_VALUE = re.compile(r"^[\x20-\x7e]+$")


def check_user_agent(value: str | None) -> str | None:
    """A User-Agent is an HTTP header value: printable ASCII, not empty (httpx cannot send anything else)."""
    if value is not None and (not value.strip() or not _HEADER_VALUE.match(value)):
        raise ValueError(f"user_agent {value[:60]!r} must be printable ASCII (an HTTP header value)")
    return value


Kind = Literal["feed", "sitemap", "listing", "json", "files"]


def _template_fields(template: str) -> list[str]:
    """Field names of a ``str.format`` template; ValueError when it is not a valid template."""
    return [name for _, name, _, _ in string.Formatter().parse(template) if name is not None]


def _check_template(template: str | None, allowed: set[str] | None, what: str) -> str | None:
    """Templates take plain named fields only ({page}, {id}): no indexing, attributes or positions."""
    if template is None:
        return None
    try:
        names = _template_fields(template)
    except ValueError as exc:
        raise ValueError(f"{what} {template!r} is not a valid template: {exc}") from None
    for name in names:
        if not name.isidentifier():
            raise ValueError(f"{what} {template!r}: use plain named fields like {{id}}, not {{{name}}}")
        if allowed is not None and name not in allowed:
            raise ValueError(f"{what} {template!r}: only {', '.join('{%s}' % a for a in sorted(allowed))} may appear")
    return template


def _no_entries() -> list:
    """A new empty list: the ``default_factory`` of the registry's list fields.

    Not ``list`` itself: pydantic asks each factory's signature (does it take the validated data?), and a builtin's
    is parsed from its text form through ``tokenize``, whose large pattern compiled at the first call: 2-3 ms of
    every run's imports, and a pattern the machine's file of compiled patterns cannot keep (it is built from a set,
    in the order of each process's string hashing). A Python function's signature is read from its code.
    """
    return []


class ListingSelectors(BaseModel):
    """CSS selectors for an HTML listing page (``kind = "listing"`` or a listing fallback)."""

    model_config = ConfigDict(extra="forbid")

    item: str = Field(description="One release block on the listing page.")
    link: str = Field("a[href]", description="The release link inside an item (its href).")
    title: str | None = Field(None, description="Title inside an item; default: the link text.")
    date: str | None = Field(None, description="Date inside an item (a `datetime` attribute or text).")
    next: str | None = Field(None, description="The next-page link on the listing page.")
    page_url: str | None = Field(
        None, description="Page URL template with {page} (1-based) when there is no next link."
    )

    @field_validator("page_url")
    @classmethod
    def _page_template(cls, value: str | None) -> str | None:
        return _check_template(value, {"page"}, "listing.page_url")


class JsonListing(BaseModel):
    """Where the release ids and URLs live in a JSON listing (``kind = "json"``)."""

    model_config = ConfigDict(extra="forbid")

    items: str = Field("list", description="Dotted path to the array of items.")
    url: str = Field(description="URL template for a release, with {field} placeholders from the item.")
    date: str | None = Field(None, description="Item field holding the publication date.")
    title: str | None = Field(None, description="Item field holding the title.")
    page_url: str | None = Field(
        None, description="URL template of the next listing page: {page} (1-based) and/or {start} (0-based item offset)."
    )
    page_size: int = Field(50, ge=1, le=10_000, description="Items per page, for {start} offsets (e.g. GOV.UK's start=).")

    @field_validator("page_url")
    @classmethod
    def _page_template(cls, value: str | None) -> str | None:
        return _check_template(value, {"page", "start"}, "json_listing.page_url")

    @field_validator("url")
    @classmethod
    def _url_template(cls, value: str) -> str:
        return _check_template(value, None, "json_listing.url")


@functools.lru_cache(maxsize=1024)
def _hosts_of(allowed_hosts: tuple[str, ...], urls: tuple[str, ...]) -> frozenset[str]:
    """:meth:`Source.hosts` of these lists (a pure function)."""
    if allowed_hosts:
        return frozenset(h.lower() for h in allowed_hosts)
    return frozenset(urlsplit(u).hostname.lower() for u in urls if urlsplit(u).hostname)


class Source(BaseModel):
    """One language edition of one publisher's channel."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=r"^[a-z0-9_]+$", description="Stable id, used in the database and on the CLI.")
    name: str = Field(description="Human name shown in summaries.")
    country: str = Field(pattern=r"^[A-Z]{2}$|^EU$|^UN$", description="ISO 3166-1 alpha-2 (EU/UN for those bodies).")
    institution: str = Field(description="The publishing institution.")
    languages: list[str] = Field(min_length=1, description="ISO 639-1 codes; the first is the edition's language.")
    group: str | None = Field(None, description="Sources sharing a group are language editions of one site.")
    kind: Kind = Field(description="Discovery channel: feed, sitemap, listing, json or files.")
    start_urls: list[str] = Field(min_length=1, description="Where discovery starts (feeds, sitemaps, listings; paths or globs for files).")
    parser: str = Field("generic", description="Parser module name (see `parsers`).")
    timezone: str = Field("UTC", description="IANA zone for naive times on the site.")
    cadence: str = Field("0 * * * *", description="Cron expression for the scheduled ingest.")
    rate_limit: float = Field(1.0, gt=0, le=100, description="Requests per second per host.")
    concurrency: int = Field(2, ge=1, le=32, description="Parallel requests per host.")
    allowed_hosts: list[str] = Field(default_factory=_no_entries, description="Hosts the source may fetch from; default: the start URLs' hosts.")
    allow_addresses: list[str] = Field(
        default_factory=_no_entries,
        description="Loopback/private addresses or networks (e.g. 127.0.0.1) this source may reach. "
        "Empty for real sources: only public addresses are contacted. The local demo and tests set it.",
    )
    ignore_robots: bool = Field(False, description="Skip robots.txt. Only with the site's written permission.")
    max_crawl_delay: float = Field(
        60.0, gt=0, le=86_400,
        description="The longest robots.txt Crawl-delay honoured, in seconds. A site asking for more is given up for "
        "the run (its pages wait for a later run), so a scheduled run never waits hours on one host; raise it to "
        "honour a longer delay.",
    )
    user_agent: str | None = Field(None, description="Overrides the project User-Agent.")
    feed_full_text: bool = Field(False, description="Feed entries carry the full release; pages need not be fetched.")
    max_pages: int = Field(20, ge=1, le=100_000, description="Discovery pages to walk at most per run.")
    max_items: int = Field(
        2_000, ge=1, le=1_000_000,
        description="Pages fetched at most per run (resumed, new, changed, rechecks); what is left waits for the next "
        "runs, so a feed of 100,000 entries cannot queue them all at once.",
    )
    recheck_budget: int = Field(
        20, ge=0, le=100_000,
        description="Requests a run may spend on this source's checks that no listing asked for: releases due for "
        "a recheck by age and releases that fell off a listing; the rest wait for the next runs (govpress/recheck.py).",
    )
    listing: ListingSelectors | None = Field(None, description="Selectors when kind is listing (or fallback_urls are listings).")
    json_listing: JsonListing | None = Field(None, description="Item mapping when kind is json.")
    fallback_urls: list[str] = Field(default_factory=_no_entries, description="Listing pages used when the feed is missing or empty.")
    translation_key_pattern: str | None = Field(
        None,
        description="Regex on the release URL whose first group identifies a release across language editions "
        "(e.g. '/news/(\\d+)'); the key becomes '<group or id>:<match>'. Site parsers may set keys themselves.",
    )
    enabled: bool = Field(True, description="Disabled sources are kept in the registry but not run.")

    @field_validator("user_agent")
    @classmethod
    def _user_agent(cls, value: str | None) -> str | None:
        return check_user_agent(value)

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
        return value

    @field_validator("cadence")
    @classmethod
    def _cron(cls, value: str) -> str:
        return check_cron(value)

    @field_validator("allow_addresses")
    @classmethod
    def _networks(cls, values: list[str]) -> list[str]:
        for value in values:
            try:
                ipaddress.ip_network(value, strict=False)
            except ValueError:
                raise ValueError(f"allow_addresses entry {value!r} is not an IP address or CIDR network") from None
        return values

    @field_validator("allowed_hosts")
    @classmethod
    def _hostnames(cls, values: list[str]) -> list[str]:
        for value in values:
            if not _HOSTNAME.match(value.lower().rstrip(".")):
                raise ValueError(f"allowed_hosts entry {value!r} is not a host name (no scheme, port or path)")
        return values

    @model_validator(mode="after")
    def _kind_needs_its_settings(self) -> "Source":
        if self.kind == "listing" and self.listing is None:
            raise ValueError(f"source {self.id}: kind 'listing' needs a [source.listing] table of selectors")
        if self.kind == "json" and self.json_listing is None:
            raise ValueError(f"source {self.id}: kind 'json' needs a [source.json_listing] table")
        if self.fallback_urls and self.listing is None:
            raise ValueError(f"source {self.id}: fallback_urls need [source.listing] selectors")
        # Only `files` sources read the local disk (paths or globs); every other URL is fetched over http(s).
        web_urls = self.fallback_urls + ([] if self.kind == "files" else self.start_urls)
        for url in web_urls:
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"source {self.id}: {url!r} is not an http(s) URL with a host")
        if self.kind == "files":
            for entry in self.start_urls:
                if urlsplit(entry).scheme not in ("", "file"):
                    raise ValueError(f"source {self.id}: a files source lists folders, paths or globs, not {entry!r}")
        return self

    @property
    def language(self) -> str:
        return self.languages[0]

    def hosts(self) -> set[str]:
        """Hosts this source may contact (asked before every request: the answer is remembered per list of hosts and
        URLs)."""
        return set(_hosts_of(tuple(self.allowed_hosts), tuple(self.start_urls + self.fallback_urls)))


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    user_agent: str = "govpress/0.1 (+https://github.com/govpress/govpress; press-release archiver)"
    source: list[Source] = Field(default_factory=_no_entries)

    @field_validator("user_agent")
    @classmethod
    def _user_agent(cls, value: str) -> str:
        return check_user_agent(value)

    @model_validator(mode="after")
    def _unique_ids(self) -> "Registry":
        seen: set[str] = set()
        for s in self.source:
            if s.id in seen:
                raise ValueError(f"duplicate source id {s.id!r}")
            seen.add(s.id)
        return self

    def get(self, source_id: str) -> Source:
        for s in self.source:
            if s.id == source_id:
                return s
        raise KeyError(f"no source {source_id!r}; known: {', '.join(s.id for s in self.source)}")

    def select(self, ids: list[str] | None) -> list[Source]:
        """The named sources (all enabled ones when ``ids`` is empty); unknown names raise KeyError."""
        if not ids:
            return [s for s in self.source if s.enabled]
        return [self.get(i) for i in ids]


def _where(data: dict, loc: tuple) -> str:
    """``source[3] (kremlin_ru).cadence`` for a pydantic error location."""
    parts: list[str] = []
    for i, key in enumerate(loc):
        if isinstance(key, int) and parts:
            entry = data
            for k in loc[: i + 1]:
                entry = entry[k] if isinstance(entry, (dict, list)) and (isinstance(k, int) or k in entry) else None
            label = entry.get("id") if isinstance(entry, dict) else None
            parts[-1] += f"[{key}]" + (f" ({label})" if label else "")
        else:
            parts.append(str(key))
    return ".".join(parts)


def load_registry(path: Path | str | None = None) -> Registry:
    """Read and validate a registry file; a :class:`RegistryError` names the file, the entry and the field."""
    path = Path(path) if path else DEFAULT_SOURCES_FILE
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError:
        raise RegistryError(f"{path}: no such registry file") from None
    except IsADirectoryError:
        raise RegistryError(f"{path}: is a folder, not a registry file") from None
    except OSError as exc:
        raise RegistryError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise RegistryError(f"{path}: not valid TOML: {exc}") from None
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        problems = []
        for error in exc.errors(include_url=False):
            where = _where(data, tuple(error["loc"]))
            message = error["msg"].removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
        raise RegistryError(f"{path}: " + "; ".join(problems)) from None
