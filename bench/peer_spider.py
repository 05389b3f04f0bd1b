"""The peer: a Scrapy spider doing what govpress does on the generated site, minus what Scrapy has no part for.

Runs in the peer virtual environment (bench/peer.py creates it under bench/out/), never in the
project's: ``peer-python bench/peer_spider.py CONFIG.json``. It imports nothing of govpress.

For each source of the config it discovers release links the way the registry says (Atom/RSS
feed pages followed by ``rel=next``, a sitemap index and its children, HTML listing pages by the
registry's CSS selectors and ``next`` link), fetches every release page, extracts it with
``trafilatura.bare_extraction`` (title, date, text, language) and loads the records into DuckDB
from Arrow in batches of 200 (the pipeline's batch size for the DuckDB file). It does not archive bodies, detect
languages itself, deduplicate, link near duplicates or build a search index: govpress does all
of these in the figures it is compared with.

Settings: CONCURRENT_REQUESTS and CONCURRENT_REQUESTS_PER_DOMAIN from the config (16, as govpress
gets), no download delay, no AutoThrottle, robots.txt obeyed (govpress reads it too).
Prints one JSON line: pages, requests, wall seconds.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import duckdb
import pyarrow as pa
import scrapy
import trafilatura
from scrapy.crawler import CrawlerProcess

BATCH = 200
SCHEMA = pa.schema([("url", pa.string()), ("source_id", pa.string()), ("title", pa.string()),
                    ("published", pa.string()), ("language", pa.string()), ("body_text", pa.string())])


class DuckDBPipeline:
    """Release records into DuckDB, BATCH at a time, each batch one INSERT from Arrow."""

    def open_spider(self, spider: "ReleaseSpider") -> None:
        self.con = duckdb.connect(spider.config["db"])
        self.con.execute("CREATE TABLE IF NOT EXISTS releases (url VARCHAR PRIMARY KEY, source_id VARCHAR, "
                         "title VARCHAR, published VARCHAR, language VARCHAR, body_text VARCHAR)")
        self.pending: list[dict] = []
        self.loaded = 0

    def process_item(self, item: dict, spider: "ReleaseSpider") -> dict:
        self.pending.append(item)
        if len(self.pending) >= BATCH:
            self.flush()
        return item

    def flush(self) -> None:
        if not self.pending:
            return
        table = pa.Table.from_pylist(self.pending, schema=SCHEMA)
        self.con.register("batch", table)
        self.con.execute("INSERT OR IGNORE INTO releases SELECT * FROM batch")
        self.con.unregister("batch")
        self.loaded += len(self.pending)
        self.pending = []

    def close_spider(self, spider: "ReleaseSpider") -> None:
        self.flush()
        spider.loaded = self.loaded
        self.con.close()


class ReleaseSpider(scrapy.Spider):
    name = "releases"

    def __init__(self, config: dict, **kwargs) -> None:
        super().__init__(**kwargs)
        self.config = config
        self.loaded = 0

    async def start(self):
        for source in self.config["sources"]:
            for url in source["start_urls"]:
                yield scrapy.Request(url, callback=self.discover, cb_kwargs={"source": source})

    def discover(self, response, source: dict):
        kind = source["kind"]
        if kind == "feed":
            response.selector.remove_namespaces()
            links = response.xpath("//entry/link[not(@rel) or @rel='alternate']/@href").getall() \
                or response.xpath("//item/link/text()").getall()
            following = response.xpath("//link[@rel='next']/@href").getall()
        elif kind == "sitemap":
            response.selector.remove_namespaces()
            locs = response.xpath("//loc/text()").getall()
            if response.xpath("/sitemapindex"):
                links, following = [], locs
            else:
                links, following = locs, []
        elif kind == "json":  # items at a dotted path, release URLs and next pages from templates
            spec, page = source["json_listing"], response.meta.get("page", 1)
            items = json.loads(response.text)
            for part in spec.get("items", "list").split("."):
                items = items[part]
            links = [spec["url"].format(**item) for item in items]
            following = []
            if items and spec.get("page_url"):
                following = [spec["page_url"].format(page=page + 1, start=page * spec.get("page_size", 50))]
        else:
            listing = source["listing"]
            links = [item.css(listing["link"]).attrib.get("href") for item in response.css(listing["item"])]
            following = response.css(listing["next"]).xpath("@href").getall() if listing.get("next") else []
        for link in links:
            if link:
                yield response.follow(link.strip(), callback=self.release, cb_kwargs={"source": source})
        for link in following:
            yield response.follow(link.strip(), callback=self.discover, cb_kwargs={"source": source},
                                  meta={"page": response.meta.get("page", 1) + 1})

    def release(self, response, source: dict):
        record = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
        if record is None:
            return
        data = record.as_dict() if hasattr(record, "as_dict") else dict(record)
        yield {"url": response.url, "source_id": source["id"], "title": data.get("title"),
               "published": data.get("date"), "language": data.get("language"), "body_text": data.get("text")}


def main() -> None:
    config = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    settings = {
        "CONCURRENT_REQUESTS": config["concurrency"],
        "CONCURRENT_REQUESTS_PER_DOMAIN": config["concurrency"],
        "DOWNLOAD_DELAY": 0,
        "AUTOTHROTTLE_ENABLED": False,
        "ROBOTSTXT_OBEY": True,
        "LOG_LEVEL": "WARNING",
        "TELNETCONSOLE_ENABLED": False,
        "USER_AGENT": "govpress-bench-peer/1.0",
        "ITEM_PIPELINES": {f"{__name__}.DuckDBPipeline": 100},
    }
    started = time.perf_counter()
    process = CrawlerProcess(settings)
    crawler = process.create_crawler(ReleaseSpider)
    process.crawl(crawler, config=config)
    process.start()
    stats = crawler.stats.get_stats()
    print(json.dumps({"wall": time.perf_counter() - started, "pages": crawler.spider.loaded,
                      "requests": stats.get("downloader/request_count", 0)}))


if __name__ == "__main__":
    main()
