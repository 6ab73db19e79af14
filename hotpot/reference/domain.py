"""Reference data's declaration: towns, chain links, categories and food classes (tables only)."""

from __future__ import annotations

from hotpot.domains import Domain

DOMAIN = Domain(
    name="reference",
    models=("hotpot.reference.models",),
    search_sources=("hotpot.reference.search:SOURCE",),
)
