"""The local site: a generated multi-publisher government site and the loopback server that serves it.

Used by ``govpress demo`` and by every end-to-end test, so nothing ever touches a live site::

    from govpress.demo.localsite import LocalSiteServer, generate_site, FaultPlan, FaultRule

    manifest = generate_site(tmp_path / "site")
    with LocalSiteServer(tmp_path / "site", mounts={"/shared/": PAGES}) as server:
        server.set_faults(FaultPlan.of(FaultRule(fault="status", status=503, times=2)))
        ...  # fetch server.url("/minfin/feed.atom")
"""

from govpress.demo.localsite.faults import FaultPlan, FaultRule
from govpress.demo.localsite.generator import (
    ORIGIN,
    PublisherInfo,
    ReleaseInfo,
    SiteManifest,
    generate_site,
    load_manifest,
)
from govpress.demo.localsite.server import LocalSiteServer, RequestRecord

__all__ = [
    "ORIGIN",
    "FaultPlan",
    "FaultRule",
    "LocalSiteServer",
    "PublisherInfo",
    "ReleaseInfo",
    "RequestRecord",
    "SiteManifest",
    "generate_site",
    "load_manifest",
]
