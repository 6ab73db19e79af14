"""Raw-material bases' declaration: base pages, the bases link, messages, models."""

from __future__ import annotations

from hotpot.bases.models import BaseStatus
from hotpot.domains import EVERYONE, Domain, NavEntry

DOMAIN = Domain(
    name="bases",
    routers=("hotpot.bases.routes:router",),
    api_routers=("hotpot.bases.api:router",),
    nav=(NavEntry("原料基地", "/bases", (EVERYONE,), 32),),
    flash={
        "base_created": ("success", "基地已登记，等待区农业农村委审核"),
        "base_saved": ("success", "基地信息已保存"),
    },
    models=("hotpot.bases.models",),
    search_sources=("hotpot.bases.search:SOURCE",),
    # The status enum, so templates compare with members, not strings.
    template_globals={"BaseStatus": BaseStatus},
)
