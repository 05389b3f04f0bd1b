"""Discovery: from a source's feeds, sitemaps, listing pages, JSON indexes or local files to release links.

The page readers (``read_feed``, ``read_sitemap``, ``read_listing_page``, ``read_json_listing``) are pure;
``discover`` walks the pages through an injected ``fetch`` function, so it is tested without a network.

Paging stops when a page brings nothing new (every link already held), when its items are all older than
``since``, when there is no next page, or at ``max_pages``. A feed that is missing, empty or blocked falls
back to the source's listing pages.
"""

from __future__ import annotations

import copy
import glob
import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING

import feedparser
from bs4 import BeautifulSoup
from lxml import etree

from govpress.registry import JsonListing, ListingSelectors, Source
from govpress.urls import identity, resolve
from govpress.parsers import Listing, ListingItem, ParseContext, get_parser
from govpress.parsers.dates import parse_date, parse_iso

if TYPE_CHECKING:
    from govpress.fetch.client import FetchResult

FetchFn = Callable[[str, str], Awaitable["FetchResult"]]
"""``await fetch(url, purpose)`` -> FetchResult; the pipeline binds it to the run's Fetcher and source."""


class DiscoveryError(ValueError):
    """A discovery page could not be read (not a feed, hostile XML, broken JSON)."""


@dataclass(slots=True)
class Discovery:
    """What discovery found for one source in one run."""

    items: list[ListingItem] = field(default_factory=list)
    pages: list["FetchResult"] = field(default_factory=list)
    complete: bool = False
    """The items are everything the source lists (a full sitemap or file set)."""
    blocked: str | None = None
    not_modified: bool = False
    """The first discovery page answered 304: nothing new since the last run."""
    errors: list[str] = field(default_factory=list)
    channel: str = ""
    """Which channel produced the items (feed, listing fallback, ...), for the run summary."""
    listed: set[str] = field(default_factory=set)
    """Identities (govpress.urls.identity) of every item seen, before the date-range filter (for removal checks)."""


# --- hostile XML -------------------------------------------------------------------------------

_DTD = re.compile(rb"<!DOCTYPE[^>\[]*\[", re.I)
_ENTITY = re.compile(rb"<!ENTITY", re.I)
_SAFE_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, recover=True)


def check_xml(body: bytes) -> None:
    """Refuse XML that declares entities (billion laughs, external entities) before any parser sees it."""
    head = body[:65536]
    if _ENTITY.search(head) or _DTD.search(head):
        raise DiscoveryError("XML declares a DTD with entities: refused (entity expansion / external entity attack)")


# --- readers (pure) ----------------------------------------------------------------------------


def _entry_date(entry: dict, key: str, tz: str) -> datetime | None:
    raw = dict.get(entry, key)  # bypass feedparser's deprecated updated->published mapping
    if not raw:
        return None
    parsed = parse_iso(raw, tz=tz) or parse_date(raw, tz=tz)
    return parsed.value if parsed else None


def _split_entries(body: bytes) -> list[bytes]:
    """Each Atom entry / RSS item as a standalone one-entry feed document (for full-text feeds)."""
    root = etree.fromstring(body, parser=_SAFE_PARSER)
    if root is None:
        return []
    atom = "{http://www.w3.org/2005/Atom}"
    if root.tag == f"{atom}feed":
        entries = root.findall(f"{atom}entry")
        shell = copy.deepcopy(root)
        for child in list(shell):
            if child.tag == f"{atom}entry" or child.tag == f"{atom}link":
                shell.remove(child)
        out = []
        for entry in entries:
            doc = copy.deepcopy(shell)
            doc.append(copy.deepcopy(entry))
            out.append(etree.tostring(doc, xml_declaration=True, encoding="utf-8"))
        return out
    channel = root.find("channel")
    if channel is None:
        return []
    items = channel.findall("item")
    shell = copy.deepcopy(root)
    shell_channel = shell.find("channel")
    for child in list(shell_channel):
        if child.tag == "item":
            shell_channel.remove(child)
    out = []
    for item in items:
        doc = copy.deepcopy(shell)
        doc.find("channel").append(copy.deepcopy(item))
        out.append(etree.tostring(doc, xml_declaration=True, encoding="utf-8"))
    return out


def read_feed(body: bytes, url: str, *, tz: str = "UTC", full_text: bool = False) -> Listing:
    """Items of an RSS/Atom feed (newest first as published) and its rel=next page."""
    check_xml(body)
    try:
        parsed = feedparser.parse(body)
    except (ValueError, UnicodeError, LookupError) as exc:  # e.g. a surrogate character reference (&#xD800;)
        raise DiscoveryError(f"not a readable feed: {type(exc).__name__}: {exc}") from exc
    if parsed.bozo and not parsed.entries:
        raise DiscoveryError(f"not a readable feed: {parsed.get('bozo_exception')}")
    try:
        entries = _split_entries(body) if full_text else []
    except (etree.XMLSyntaxError, ValueError):
        entries = []  # feedparser read what lxml cannot: fetch the pages instead of using the entries
    if full_text and len(entries) != len(parsed.entries):
        entries = []  # cannot align entries safely: fall back to fetching the pages
    items = []
    for i, entry in enumerate(parsed.entries):
        link = entry.get("link")
        if not link:
            continue
        items.append(
            ListingItem(
                url=resolve(url, link),
                title=entry.get("title"),
                published_at=_entry_date(entry, "published", tz) or _entry_date(entry, "updated", tz),
                updated_at=_entry_date(entry, "updated", tz),
                entry=entries[i] if entries else None,
            )
        )
    next_url = next(
        (resolve(url, link["href"]) for link in parsed.feed.get("links", []) if link.get("rel") == "next"), None
    )
    return Listing(items=items, next_url=next_url)


_SM = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def read_sitemap(body: bytes, url: str, *, tz: str = "UTC") -> tuple[Listing, list[str]]:
    """A sitemap's URLs with ``lastmod`` (complete listing), and the child sitemaps of a sitemap index."""
    check_xml(body)
    try:
        root = etree.fromstring(body, parser=_SAFE_PARSER)
    except etree.XMLSyntaxError as exc:
        raise DiscoveryError(f"not a readable sitemap: {exc}") from exc
    if root is None:
        raise DiscoveryError("empty sitemap document")
    try:
        tag = etree.QName(root).localname
    except ValueError as exc:
        raise DiscoveryError(f"not a sitemap: {exc}") from exc
    if tag == "sitemapindex":
        children = [resolve(url, loc.text) for loc in root.iter(f"{_SM}loc", "loc") if loc.text]
        return Listing(), children
    if tag != "urlset":
        raise DiscoveryError(f"not a sitemap (root element <{tag}>)")
    items = []
    for node in root:
        if not isinstance(node.tag, str) or etree.QName(node).localname != "url":
            continue
        loc = node.findtext(f"{_SM}loc") or node.findtext("loc")
        if not loc:
            continue
        lastmod = node.findtext(f"{_SM}lastmod") or node.findtext("lastmod")
        when = (parse_iso(lastmod.strip(), tz=tz) or parse_date(lastmod, tz=tz)) if lastmod else None
        items.append(ListingItem(url=resolve(url, loc.strip()), updated_at=when.value if when else None))
    return Listing(items=items, complete=True), []


def _item_date(node, selector: str | None, ctx: ParseContext) -> datetime | None:
    if not selector:
        return None
    el = node.select_one(selector)
    if el is None:
        return None
    for raw in (el.get("datetime"), el.get("data-datetime"), el.get("content"), el.get_text(" ", strip=True)):
        if raw:
            parsed = parse_iso(raw, tz=ctx.timezone) or parse_date(raw, tz=ctx.timezone, reference=ctx.fetched_at)
            if parsed:
                return parsed.value
    return None


def read_listing_page(
    body: bytes, url: str, selectors: ListingSelectors, ctx: ParseContext, *, page: int = 1
) -> Listing:
    """Release links of one HTML listing page, by the source's CSS selectors."""
    from govpress.parsers.charset import decode

    text, _ = decode(body, ctx.content_type)
    soup = BeautifulSoup(text, "lxml")
    items = []
    for node in soup.select(selectors.item):
        link = node if node.name == "a" and node.get("href") else node.select_one(selectors.link)
        if link is None or not link.get("href"):
            continue
        title_el = node.select_one(selectors.title) if selectors.title else link
        items.append(
            ListingItem(
                url=resolve(url, link["href"]),
                title=title_el.get_text(" ", strip=True) if title_el else None,
                published_at=_item_date(node, selectors.date, ctx),
            )
        )
    next_url = None
    if selectors.next:
        nxt = soup.select_one(selectors.next)
        if nxt is not None and nxt.get("href"):
            next_url = resolve(url, nxt["href"])
    elif selectors.page_url and items:
        try:
            next_url = resolve(url, selectors.page_url.format(page=page + 1))
        except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
            raise DiscoveryError(f"listing.page_url {selectors.page_url!r} cannot be filled with a page number: {exc}") from exc
    return Listing(items=items, next_url=next_url)


def _dig(data, dotted: str):
    for part in dotted.split(".") if dotted else []:
        if isinstance(data, dict):
            data = data.get(part)
        elif isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        else:
            return None
    return data


def read_json_listing(body: bytes, url: str, spec: JsonListing, ctx: ParseContext, *, page: int = 1) -> Listing:
    """Release links of a JSON index page; item fields fill the source's URL template."""
    try:
        data = json.loads(body)
    except ValueError as exc:
        raise DiscoveryError(f"not JSON: {exc}") from exc
    raw_items = _dig(data, spec.items)
    if not isinstance(raw_items, list):
        raise DiscoveryError(f"JSON listing has no array at {spec.items!r}")
    items = []
    for raw in raw_items:
        if not isinstance(raw, dict):
            continue
        try:
            link = spec.url.format(**{k: v for k, v in raw.items() if isinstance(v, (str, int, float))})
        except (KeyError, IndexError, ValueError, AttributeError, TypeError):
            continue  # this item lacks a field the template needs
        when = None
        if spec.date and raw.get(spec.date):
            value = str(raw[spec.date])
            parsed = parse_iso(value, tz=ctx.timezone) or parse_date(value, tz=ctx.timezone, reference=ctx.fetched_at)
            when = parsed.value if parsed else None
        title = raw.get(spec.title) if spec.title else None
        items.append(ListingItem(url=resolve(url, link), title=title if isinstance(title, str) else None, published_at=when))
    try:
        next_url = (resolve(url, spec.page_url.format(page=page + 1, start=page * spec.page_size))
                    if spec.page_url and items else None)
    except (KeyError, IndexError, ValueError, AttributeError, TypeError) as exc:
        raise DiscoveryError(f"json_listing.page_url {spec.page_url!r} cannot be filled with a page number: {exc}") from exc
    return Listing(items=items, next_url=next_url)


FILE_SUFFIXES = (".html", ".htm", ".txt", ".md", ".markdown")


def files_root(pattern: str, base_dir: Path) -> Path:
    """The folder a ``files`` source is confined to: the pattern's part before any glob character."""
    path = Path(pattern).expanduser()
    if not path.is_absolute():
        path = base_dir / path
    parts = []
    for part in path.parts:
        if any(ch in part for ch in "*?["):
            break
        parts.append(part)
    root = Path(*parts)
    return (root if root.is_dir() else root.parent).resolve()


def list_files(source: Source, base_dir: Path) -> Listing:
    """Documents of a ``files`` source: every .html/.txt/.md under its folders or globs, never outside them.

    Symlinks that resolve outside the source's folder and paths with ``..`` are skipped.
    """
    items: list[ListingItem] = []
    for pattern in source.start_urls:
        if ".." in Path(pattern).parts:
            raise DiscoveryError(f"files pattern {pattern!r} climbs out of its folder ('..' is not allowed)")
        root = files_root(pattern, base_dir)
        full = Path(pattern).expanduser()
        full = full if full.is_absolute() else base_dir / full
        candidates = [full / "**" / "*"] if full.is_dir() else [full]
        for cand in candidates:
            for name in sorted(glob.glob(str(cand), recursive=True)):
                path = Path(name)
                if not path.is_file() or path.suffix.lower() not in FILE_SUFFIXES:
                    continue
                resolved = path.resolve()
                if not resolved.is_relative_to(root):
                    continue  # a symlink escaping the folder
                items.append(ListingItem(url=resolved.as_uri()))
    seen: set[str] = set()
    unique = [i for i in items if not (i.url in seen or seen.add(i.url))]
    return Listing(items=unique, complete=True)


# --- the walk ----------------------------------------------------------------------------------


def in_range(item: ListingItem, since: date | None, until: date | None) -> bool:
    """Undated items are kept: the page itself decides after fetching."""
    if item.published_at is None:
        return True
    day = item.published_at.date()
    return (since is None or day >= since) and (until is None or day <= until)


def _older_than(items: list[ListingItem], since: date | None) -> bool:
    dated = [i for i in items if i.published_at is not None]
    return bool(since and dated and all(i.published_at.date() < since for i in dated))


async def _walk(
    source: Source,
    first_urls: list[str],
    read: Callable[[bytes, str, ParseContext, int], Listing],
    fetch: FetchFn,
    result: Discovery,
    *,
    purpose: str,
    since: date | None,
    max_pages: int,
    known: set[str],
    stop_at_known: bool,
    fetched_at: datetime,
) -> bool:
    """Walk paginated pages from each first URL; True when at least one page was read."""
    any_read = False
    for start in first_urls:
        url: str | None = start
        page = 1
        visited: set[str] = set()
        while url and page <= max_pages and url not in visited:
            visited.add(url)
            fetched = await fetch(url, purpose)
            result.pages.append(fetched)
            if fetched.outcome == "blocked":
                result.blocked = fetched.error or f"{url} answered with a challenge/forbidden page"
                return any_read
            if fetched.outcome == "not_modified":
                result.not_modified = True
                any_read = True
                break  # this page is as it was on the last run: nothing newer behind it
            if not fetched.ok or fetched.body is None:
                result.errors.append(f"{url}: {fetched.outcome} {fetched.error or fetched.status or ''}".strip())
                break
            ctx = ParseContext(
                source_id=source.id, timezone=source.timezone, languages=tuple(source.languages),
                fetched_at=fetched_at, content_type=fetched.content_type,
            )
            try:
                listing = read(fetched.body, fetched.final_url or url, ctx, page)
            except DiscoveryError as exc:
                result.errors.append(f"{url}: {exc}")
                break
            any_read = True
            fresh = [i for i in listing.items if identity(i.url) not in known]
            result.items.extend(listing.items)
            if stop_at_known and listing.items and not fresh:
                break  # everything on this page is already held: older pages are too
            if _older_than(listing.items, since):
                break
            url, page = listing.next_url, page + 1
    return any_read


def _listing_reader(source: Source) -> Callable[[bytes, str, ParseContext, int], Listing]:
    module = get_parser(source.parser)
    if hasattr(module, "parse_listing"):
        return lambda body, url, ctx, page: module.parse_listing(body, url, ctx)
    if source.listing is None:
        raise DiscoveryError(f"source {source.id}: no listing selectors and parser {source.parser} reads no listings")
    return lambda body, url, ctx, page: read_listing_page(body, url, source.listing, ctx, page=page)


async def discover(
    source: Source,
    fetch: FetchFn,
    *,
    since: date | None = None,
    until: date | None = None,
    max_pages: int | None = None,
    known: set[str] = frozenset(),
    stop_at_known: bool = True,
    base_dir: Path = Path("."),
    now: datetime | None = None,
) -> Discovery:
    """Find the source's release links, newest first, within ``since``..``until`` (inclusive)."""
    now = now or datetime.now(timezone.utc)
    pages = max_pages or source.max_pages
    result = Discovery(channel=source.kind)
    walk = dict(since=since, max_pages=pages, known=known, stop_at_known=stop_at_known, fetched_at=now)

    if source.kind == "files":
        result.items = list_files(source, base_dir).items
        result.complete = True
    elif source.kind == "feed":
        read = lambda body, url, ctx, page: read_feed(body, url, tz=source.timezone, full_text=source.feed_full_text)  # noqa: E731
        await _walk(source, source.start_urls, read, fetch, result, purpose="feed", **walk)
        if not result.items and not result.not_modified and source.fallback_urls:
            reason = result.blocked or "; ".join(result.errors) or "feed is empty"
            result.blocked = None
            result.channel = f"listing (feed fallback: {reason})"
            await _walk(source, source.fallback_urls, _listing_reader(source), fetch, result, purpose="listing", **walk)
    elif source.kind == "sitemap":
        queue = list(source.start_urls)
        read_any = False
        unread = 0
        for _ in range(pages):
            if not queue:
                break
            url = queue.pop(0)
            fetched = await fetch(url, "sitemap")
            result.pages.append(fetched)
            if fetched.outcome == "blocked":
                result.blocked = fetched.error or f"{url} answered with a challenge page"
                break
            if fetched.outcome == "not_modified":
                result.not_modified = True
                if fetched.body is None:
                    unread += 1
                    continue  # unchanged, and no stored copy: it proves nothing about removals
                # unchanged: the stored copy (the pipeline attaches it) lists the same URLs
            elif not fetched.ok or fetched.body is None:
                result.errors.append(f"{url}: {fetched.outcome} {fetched.error or fetched.status or ''}".strip())
                continue
            try:
                listing, children = read_sitemap(fetched.body, fetched.final_url or url, tz=source.timezone)
            except DiscoveryError as exc:
                result.errors.append(f"{url}: {exc}")
                continue
            read_any = True
            queue.extend(children)
            result.items.extend(listing.items)
        # Only a sitemap read whole, with no failed child, may be trusted to show what disappeared.
        result.complete = read_any and not queue and not unread and not result.errors and not result.blocked
    elif source.kind == "listing":
        await _walk(source, source.start_urls, _listing_reader(source), fetch, result, purpose="listing", **walk)
    elif source.kind == "json":
        spec = source.json_listing
        read = lambda body, url, ctx, page: read_json_listing(body, url, spec, ctx, page=page)  # noqa: E731
        await _walk(source, source.start_urls, read, fetch, result, purpose="listing", **walk)
    else:  # pragma: no cover - the registry model forbids other kinds
        raise DiscoveryError(f"unknown kind {source.kind}")

    # Newest first, one item per canonical URL, within the date range.
    unique = []
    for item in result.items:
        key = identity(item.url)
        if key in result.listed:
            continue
        result.listed.add(key)
        if in_range(item, since, until):
            unique.append(item)
    result.items = unique
    return result
