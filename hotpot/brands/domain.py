"""Brands' declaration: brand pages, the brands link, messages, models."""

from __future__ import annotations

from hotpot.domains import EVERYONE, Domain, NavEntry

DOMAIN = Domain(
    name="brands",
    routers=("hotpot.brands.routes:router",),
    api_routers=("hotpot.brands.api:router",),
    nav=(NavEntry("品牌", "/brands", (EVERYONE,), 33),),
    flash={
        "brand_saved": ("success", "品牌信息已保存"),
        "licence_granted": ("success", "已授权该企业使用此品牌"),
        "licence_revoked": ("success", "已撤销该企业的品牌使用授权"),
    },
    models=("hotpot.brands.models",),
    search_sources=("hotpot.brands.search:SOURCE",),
)
