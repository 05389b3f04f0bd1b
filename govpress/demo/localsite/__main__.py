"""Command line for the local site: ``python -m govpress.demo.localsite serve|generate``.

``serve`` generates the site into a temporary folder (or serves ``--root``), mounts the saved
real pages and the seed folder from ../shared when present, and serves until Ctrl-C.
``generate OUT`` only writes the site.
"""

from __future__ import annotations

import argparse
import signal
import sys
import tempfile
import threading
from pathlib import Path

from govpress.demo.localsite.faults import FaultPlan
from govpress.demo.localsite.generator import generate_site, load_manifest
from govpress.demo.localsite.server import LocalSiteServer
from govpress.settings import SHARED_DIR


def _shared_mounts(shared: Path) -> dict[str, Path]:
    """``/shared/`` -> shared/pages and ``/seed/`` -> shared/seed, for whichever exist."""
    mounts = {}
    if (shared / "pages").is_dir():
        mounts["/shared/"] = shared / "pages"
    if (shared / "seed").is_dir():
        mounts["/seed/"] = shared / "seed"
    return mounts


def _serve(args: argparse.Namespace) -> int:
    with tempfile.TemporaryDirectory(prefix="govpress-site-") as tmp:
        root = Path(args.root) if args.root else Path(tmp) / "site"
        if not args.root:
            generate_site(root, seed=args.seed, per_source=args.per_source)
        elif not (root / "site.json").exists():
            print(f"note: {root} has no site.json; serving it as plain files", file=sys.stderr)
        plan = FaultPlan.from_file(Path(args.faults)) if args.faults else None
        server = LocalSiteServer(root, mounts=_shared_mounts(Path(args.shared)) if args.shared else {}, host=args.host, port=args.port,
                                 faults=plan)
        with server:
            print(f"serving {root} at {server.base_url}/", flush=True)
            if (root / "site.json").exists():
                for name, publisher in load_manifest(root).publishers.items():
                    start = publisher.feed or publisher.sitemap or publisher.listing or publisher.json_index or publisher.files
                    print(f"  {name:<10} {len(publisher.releases):>4} releases  {server.url(start)}", flush=True)
            for prefix, folder in server.mounts.items():
                print(f"  {prefix:<10} -> {folder}", flush=True)
            print("Ctrl-C to stop", flush=True)
            stopped = threading.Event()
            signal.signal(signal.SIGTERM, lambda *_: stopped.set())
            try:
                stopped.wait()
            except KeyboardInterrupt:
                pass
    return 0


def _generate(args: argparse.Namespace) -> int:
    changes = dict(change.split("=", 1) for change in args.change or ())
    manifest = generate_site(Path(args.out), seed=args.seed, per_source=args.per_source,
                             edited=args.edited or (), removed=args.removed or (), changes=changes)
    print(f"wrote {len(manifest.releases())} releases to {args.out}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m govpress.demo.localsite", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="generate (or take --root) and serve until Ctrl-C")
    serve.add_argument("--root", help="serve this folder instead of generating a site")
    serve.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    serve.add_argument("--host", default="127.0.0.1", help="loopback address to bind")
    serve.add_argument("--shared", default=str(SHARED_DIR) if SHARED_DIR else None, help="the shared folder (pages/, seed/)")
    serve.add_argument("--faults", help="a JSON fault plan to apply")
    gen = sub.add_parser("generate", help="write the generated site to OUT")
    gen.add_argument("out")
    gen.add_argument("--edited", nargs="*", help="release ids whose text changes")
    gen.add_argument("--removed", nargs="*", help="release ids whose pages are deleted")
    gen.add_argument("--change", nargs="*", metavar="ID=KIND",
                     help="release changes: retitle, body, typography, silent, gone404, gone410, redirect, soft404")
    for p in (serve, gen):
        p.add_argument("--seed", type=int, default=2024)
        p.add_argument("--per-source", type=int, default=170)
    args = parser.parse_args(argv)
    return _serve(args) if args.command == "serve" else _generate(args)


if __name__ == "__main__":
    sys.exit(main())
