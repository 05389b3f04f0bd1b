"""``govpress demo``: the whole pipeline offline, on a local site server, into a DuckDB file.

The server on 127.0.0.1 (a free port) serves the project's generated multi-source site, the
constructed per-site fixtures, and — when they are present beside the checkout — the real saved
pages (../shared/pages) and the seed document (../shared/seed). They are served from where they
are, never copied. The demo registry is rendered from TOML templates with the server's address
and run through the same ``ingest`` flow the real sources use.
"""

from __future__ import annotations

from collections.abc import Callable

import asyncio
import re
import time
import tomllib
from pathlib import Path

from rich.console import Console

from govpress.console import print_last_run
from govpress.demo import SITES_DIR as FIXTURE_SITES
from govpress.settings import DEFAULT_DB, SHARED_DIR
from govpress.storage import data_folder, store_option

TEMPLATES = (
    Path(__file__).resolve().parent / "localsite" / "demo_generated.toml",
    Path(__file__).resolve().parent / "localsite" / "demo_sources.toml",
)

QUERIES = (
    ("Releases per source and language",
     "SELECT source_id, language, count(*) AS releases, min(published_at)::DATE AS first, max(published_at)::DATE AS last "
     "FROM releases GROUP BY ALL ORDER BY releases DESC"),
    ("The newest releases with their language versions",
     "SELECT r.published_at, r.source_id, r.language, left(r.title, 60) AS title, "
     "list(t.language ORDER BY t.language) AS translations FROM releases r "
     "LEFT JOIN release_links l ON l.release_id = r.release_id AND l.kind = 'translation' "
     "LEFT JOIN releases t ON t.release_id = l.other_id GROUP BY ALL ORDER BY r.published_at DESC NULLS LAST LIMIT 10"),
    ("Full-text search (Russian stemming): 'визит премьер-министра'",
     "SELECT * FROM search_releases('визит премьер-министра') LIMIT 5"),
)


def render_registry(base_url: str, *, pages: Path | None, seed: Path | None, site: Path | None = None) -> str:
    """The demo registry: templates with {base}/{seed}/{site} filled in; entries needing absent folders are dropped."""
    header = 'user_agent = "govpress-demo/0.1 (offline demo on 127.0.0.1)"\n\n'
    chunks = []
    for template in TEMPLATES:
        if not template.exists():
            continue
        text = template.read_text(encoding="utf-8")
        # Split into [[source]] blocks so that blocks needing a missing folder can be dropped whole.
        for block in re.split(r"(?m)^(?=\[\[source\]\])", text):
            if not block.lstrip().startswith("[[source]]"):
                continue
            if "{base}/shared/" in block and pages is None:
                continue
            if "{seed}" in block and seed is None:
                continue
            if "{site}" in block and site is None:
                continue
            if "{base}/fixtures/sites/" in block and not FIXTURE_SITES.is_dir():
                continue
            chunks.append(block.replace("{base}", base_url).replace("{seed}", str(seed) if seed else "")
                          .replace("{site}", str(Path(site).resolve()) if site else ""))
    rendered = header + "\n".join(chunks)
    tomllib.loads(rendered)  # fail here, clearly, rather than inside the flow
    return rendered


def _existing(folder: Path | None, default: str) -> Path | None:
    """``folder``, or ``default`` under the shared folder (../shared beside a checkout), if it is there."""
    folder = folder or (SHARED_DIR / default if SHARED_DIR else None)
    return folder.resolve() if folder is not None and folder.is_dir() else None


def start_server(root: Path, *, pages: Path | None, seed: Path | None, port: int = 0):
    from govpress.demo.localsite.server import LocalSiteServer

    mounts = {}
    if pages:
        mounts["/shared/"] = pages
    if seed:
        mounts["/seed/"] = seed
    if FIXTURE_SITES.is_dir():
        mounts["/fixtures/sites/"] = FIXTURE_SITES
    return LocalSiteServer(root, port=port, mounts=mounts)


def prepare_site(site_dir: Path, **generator_options):
    from govpress.demo.localsite.generator import generate_site

    return generate_site(site_dir, **generator_options)


def run_demo(*, db: Path, pages: Path | None = None, seed: Path | None = None, refetch: bool = False,
             console: Console | None = None, site_dir: Path | None = None, generator_options: dict | None = None,
             port: int = 0) -> int:
    """Serve, ingest, report. Returns the process exit code (0 when every source succeeded)."""
    from govpress.flows.temporary_api import started_early

    with started_early():  # Prefect's API starts while the site is generated and served
        return _run_demo(db=db, pages=pages, seed=seed, refetch=refetch, console=console, site_dir=site_dir,
                         generator_options=generator_options, port=port)


def _run_demo(*, db: Path, pages: Path | None, seed: Path | None, refetch: bool, console: Console | None,
              site_dir: Path | None, generator_options: dict | None, port: int) -> int:
    from govpress.flows.ingest import ingest

    console = console or Console()
    pages = _existing(pages, "pages")
    seed = _existing(seed, "seed")
    db = store_option(db)
    folder = data_folder(db)  # the DuckDB file's folder, or beside a lake's data folder
    folder.mkdir(parents=True, exist_ok=True)
    site_dir = site_dir or folder / "demo-site"
    started = time.monotonic()
    manifest = prepare_site(site_dir, **(generator_options or {}))
    console.print(f"Generated site: {site_dir} ({len(manifest.releases())} release pages)")
    if pages is None:
        console.print("[yellow]No saved real pages found (../shared/pages): the demo runs on the generated site alone.[/yellow]")
    with start_server(site_dir, pages=pages, seed=seed, port=port) as server:
        registry_path = folder / "demo-sources.toml"
        registry_path.write_text(render_registry(server.base_url, pages=pages, seed=seed, site=site_dir), encoding="utf-8")
        console.print(f"Local site server: {server.base_url}  registry: {registry_path}")
        from govpress.flows.temporary_api import prefect_api

        with prefect_api(log=lambda line: console.print(line, markup=False, highlight=False)):
            console.print("Running the ingest flow ...")
            state = asyncio.run(ingest(db=str(db), sources_file=str(registry_path), refetch=refetch, return_state=True))
    print_last_run(db, "ingest", console, after=f" in {time.monotonic() - started:.1f} s; database: {db}")
    console.print("\nTry these (read-only):")
    for title, query in QUERIES:
        db_option = "" if db == DEFAULT_DB else f" --db {db}"
        console.print(f"\n[bold]{title}[/bold]\n  uv run govpress sql{db_option} \"{query}\"", soft_wrap=True)
    return 0 if state.is_completed() else 1


def serve_forever(*, port: int, root: Path | None, console: Console) -> None:
    """``govpress site serve``: the demo site for poking at by hand (curl, a browser, `sources check`)."""
    import tempfile

    pages = _existing(None, "pages")
    seed = _existing(None, "seed")
    with tempfile.TemporaryDirectory(prefix="govpress-site-") as tmp:
        site = root or Path(tmp)
        if root is None:
            prepare_site(site)
        with start_server(site, pages=pages, seed=seed, port=port) as server:
            registry_path = site / "demo-sources.toml"
            registry_path.write_text(render_registry(server.base_url, pages=pages, seed=seed, site=site), encoding="utf-8")
            console.print(f"Serving {site} at {server.base_url} (registry for it: {registry_path}); Ctrl-C stops.")
            try:
                while True:
                    time.sleep(3600)
            except KeyboardInterrupt:
                pass
