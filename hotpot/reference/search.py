"""What reference data feeds to search: town, category and chain-link names are shown in the documents."""

from __future__ import annotations

from collections.abc import Iterator

from hotpot.reference.models import ChainLink, ProductCategory, Town
from hotpot.search import sources


def _town(town: Town) -> Iterator[tuple[str, str]]:
    yield (sources.TOWN, town.code)


def _category(category: ProductCategory) -> Iterator[tuple[str, str]]:
    yield (sources.CATEGORY, category.code)


def _chain_link(link: ChainLink) -> Iterator[tuple[str, str]]:
    yield (sources.CHAIN_LINK, link.code)


# Which documents show them is said by the documents' owners (their `reaches`).
SOURCE = sources.Source(name="reference", touches={Town: _town, ProductCategory: _category, ChainLink: _chain_link})
