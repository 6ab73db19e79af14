"""The registry of search sources: what each domain feeds to search, declared in the domain's own `search.py`.

A domain that owns a kind of document (products, enterprises, bases, brands) declares its loader (the SQL that
reads the rows of some public records) and its builder (a row into a search_doc row); any domain whose records
appear in documents (certificates, photos, licences) declares which writes of its models touch which documents.
The indexer (hotpot.search.indexer) knows only this registry, never a domain's models.

A write touches *keys*: a document kind and an id ("product", 7) or a wider key and an id (ENTERPRISE_ALL, 3)
that the sources turn into documents through their `reaches` queries (an enterprise's products, bases, brands).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

Keys = Iterable[tuple[str, int | str | None]]  # (kind or wider key, id; a reference code for TOWN, ...)

# The wider keys, and what they mean; a source that shows such records answers them in `reaches`.
# Everything that shows the enterprise: its own document, its products', bases' and brands' (its name, town and
# status are in all of them).
ENTERPRISE_ALL = "enterprise-all"
# The enterprise's products (its licences and enterprise-wide certificates are in their documents).
ENTERPRISE_PRODUCTS = "enterprise-products"
# The brand's products (its name and level are in their documents).
BRAND_PRODUCTS = "brand-products"
# Reference names, by code (text, not an id): whatever shows the town's, the category's or the chain link's name.
TOWN = "town"
CATEGORY = "category"
CHAIN_LINK = "chain-link"

# The sources are declared by the domains (`search_sources=` in their hotpot/*/domain.py, collected by
# hotpot.domains), so search imports no domain. The order is irrelevant (kinds carry their position).


@dataclass(frozen=True)
class DocumentKind:
    """One kind of search_doc row, declared by the domain whose records it shows."""

    name: str
    # SELECT the rows of the public records, with `{where}` where the id filter goes (`true` for all of them).
    rows: str
    # The column `{where}` filters on, e.g. "p.id".
    id_column: str
    # A row of `rows` -> the search_doc row (built with `document`).
    build: Callable[[dict[str, Any]], dict[str, Any]]
    # Its place in a full rebuild and in its counts.
    position: int
    # SQL taking :ids (int[]) and giving (key, id) rows: what else a bulk write of these records touches (see
    # indexer.reindex); the ORM writes say the same in `Source.touches`.
    related: str | None = None
    # When set, the documents' names are suggestion keys (search_term, source = the kind), weighted by this.
    term_weight: Callable[[dict[str, Any]], int] | None = None
    # What else is kept with the documents, given the session and the search_doc rows just written.
    after_write: Callable[[Session, list[dict[str, Any]]], None] | None = None


@dataclass(frozen=True)
class Source:
    """What one domain contributes to search."""

    name: str
    kinds: tuple[DocumentKind, ...] = ()
    # model class -> the keys a flushed (new, changed or deleted) instance touches.
    touches: Mapping[type, Callable[[Any], Keys]] = field(default_factory=dict)
    # wider key -> SQL taking :ids (int[], or text[] for the reference keys) and giving the (kind, id) of this
    # domain's documents it reaches.
    reaches: Mapping[str, str] = field(default_factory=dict)


# search_doc is search's own table: a document that is there but whose record left the public set (suspended
# enterprise, withdrawn product) is found by it, so that it can be dropped.
SEARCH = Source(
    name="search",
    reaches={ENTERPRISE_ALL: "SELECT kind, ref_id FROM search_doc WHERE enterprise_id = ANY(:ids)"},
)


def document(kind: str, r: dict[str, Any], vectors: tuple[str, str], **columns: Any) -> dict[str, Any]:
    """A search_doc row: the record's own columns over the defaults every kind shares."""
    tsv, rank = vectors
    row: dict[str, Any] = {
        "kind": kind,
        "ref_id": r["id"],
        "enterprise_id": r.get("enterprise_id"),
        "tsv": tsv,
        "rank_tsv": rank,
        "tags": [],
        "category_code": None,
        "kind_code": None,
        "town_code": r.get("town_code"),
        "park_group": r.get("park_group"),
        "storage": None,
        "cert_kinds": [],
        "brand_levels": [],
        "price_min": None,
        "price_max": None,
        "unit_price_min": None,
        "unit_price_max": None,
        "listed_at": r["listed_at"],
        "boost": 0.0,
    }
    row.update(columns)
    return row


class Registry:
    """The sources merged: kinds in rebuild order, the touch rules by model, the reach queries by wider key."""

    def __init__(self, sources: Iterable[Source]) -> None:
        self.sources: list[Source] = []
        self.kinds: dict[str, DocumentKind] = {}
        self._touches: dict[type, list[Callable[[Any], Keys]]] = {}
        self._reaches: dict[str, list[str]] = {}
        for source in sources:
            self.add(source)

    def add(self, source: Source) -> None:
        if any(s.name == source.name for s in self.sources):
            return
        for kind in source.kinds:
            if kind.name in self.kinds:
                raise ValueError(f"search document kind {kind.name!r} is declared twice")
        self.sources.append(source)
        kinds = [*self.kinds.values(), *source.kinds]
        self.kinds = {k.name: k for k in sorted(kinds, key=lambda k: k.position)}
        for model, rule in source.touches.items():
            self._touches.setdefault(model, []).append(rule)
        for key, sql in source.reaches.items():
            self._reaches.setdefault(key, []).append(sql)

    def keys_for(self, obj: Any) -> Iterator[tuple[str, int | str | None]]:
        """The keys a flushed object touches (by its class or a base class); nothing for other models."""
        for cls in type(obj).__mro__:
            for rule in self._touches.get(cls, ()):
                yield from rule(obj)

    def reaches(self, key: str) -> list[str]:
        """The queries that turn a wider key into documents; a key nobody declared is a programming error."""
        try:
            return self._reaches[key]
        except KeyError:
            raise KeyError(f"no search source declares the key {key!r}") from None

    def knows(self, key: str) -> bool:
        return key in self.kinds or key in self._reaches


_registry: Registry | None = None


def registry() -> Registry:
    """The registry of every source (loaded on first use)."""
    global _registry
    if _registry is None:
        from hotpot.domains import search_sources

        _registry = Registry([SEARCH, *search_sources()])
    return _registry


def register(source: Source) -> None:
    """Add a domain's source (a test's or a plug-in's; the domains declare theirs in domain.py)."""
    registry().add(source)
