"""The public pages' declaration: home and static information, and the home link."""

from __future__ import annotations

from hotpot.domains import EVERYONE, Domain, NavEntry

DOMAIN = Domain(
    name="pages",
    routers=("hotpot.pages.routes:router",),
    nav=(NavEntry("首页", "/", (EVERYONE,), 0),),
)
