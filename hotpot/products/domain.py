"""Products' declaration: catalogue and producer pages, the catalogue link, messages, models."""

from __future__ import annotations

from hotpot.domains import EVERYONE, Domain, NavEntry
from hotpot.products.models import ProductStatus

DOMAIN = Domain(
    name="products",
    routers=("hotpot.products.routes:router",),
    api_routers=("hotpot.products.api:router",),
    nav=(NavEntry("产品目录", "/products", (EVERYONE,), 30),),
    flash={
        "product_created": ("success", "产品已保存为草稿，确认无误后请点击“发布”"),
        "product_saved": ("success", "产品信息已保存"),
        "product_published": ("success", "产品已发布"),
        "product_withdrawn": ("success", "产品已下架"),
        "sources_saved": ("success", "原料来源已保存"),
    },
    models=("hotpot.products.models", "hotpot.products.photos"),
    search_sources=("hotpot.products.search:SOURCE",),
    # The status enum, so templates compare with members, not strings.
    template_globals={"ProductStatus": ProductStatus},
)
