"""The search index: one row per public record, the suggestion keys, the editable synonym groups."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, Numeric, String, Text, UniqueConstraint, func, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from hotpot.db import Base, Versioned

DOC_KINDS = {"product": "产品", "enterprise": "企业", "base": "基地", "brand": "品牌"}


class SearchDoc(Base):
    """A public product, enterprise, base or brand as the search sees it.

    `tsv` and `rank_tsv` hold the tokens computed in Python (hotpot.search.text); the filter columns and `display`
    are copied from the record and its enterprise so a search reads this table alone. Rows are written in the same
    transaction as the record (hotpot.search.indexer), and exist only while the record is public.
    """

    __tablename__ = "search_doc"
    __table_args__ = (
        UniqueConstraint("kind", "ref_id"),
        # One GIN index per type of record: a search reads only the type it shows.
        *(
            Index(f"ix_search_doc_tsv_{kind}", "tsv", postgresql_using="gin", postgresql_where=text(f"kind = '{kind}'"))
            for kind in ("product", "enterprise", "base", "brand")
        ),
        Index(None, "enterprise_id"),
        Index(None, "kind", "category_code"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(10))
    ref_id: Mapped[int]
    enterprise_id: Mapped[int | None] = mapped_column(ForeignKey("enterprise.id", ondelete="CASCADE"))
    # Every lexeme, for the GIN index (matching); and the short weighted one ts_rank reads (ranking).
    tsv: Mapped[Any] = mapped_column(TSVECTOR)
    rank_tsv: Mapped[Any] = mapped_column(TSVECTOR)
    # The product categories the record is of (a product's own, an enterprise's products'): a query that names
    # one of them ranks these records first.
    tags: Mapped[list[str]] = mapped_column(ARRAY(String(40)), server_default="{}")
    category_code: Mapped[str | None] = mapped_column(String(40))
    kind_code: Mapped[str | None] = mapped_column(String(40))
    town_code: Mapped[str | None] = mapped_column(String(20))
    park_group: Mapped[str | None] = mapped_column(String(10))
    storage: Mapped[str | None] = mapped_column(String(10))
    cert_kinds: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    brand_levels: Mapped[list[str]] = mapped_column(ARRAY(String(20)), server_default="{}")
    price_min: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    price_max: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    # The price in 元/kg where the unit and specification allow it (hotpot.search.unitprice): the price sort's key.
    unit_price_min: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    unit_price_max: Mapped[Decimal | None] = mapped_column(Numeric(12, 2))
    listed_at: Mapped[datetime | None]
    # A small static quality score (certificates, photos, completeness) that breaks ties between equal ranks.
    boost: Mapped[float] = mapped_column(server_default="0")
    display: Mapped[dict] = mapped_column(JSONB)


class SearchTerm(Base):
    """One key a suggestion is found by: the term itself, its suffixes, its pinyin and initials."""

    __tablename__ = "search_term"
    __table_args__ = (
        # Covering: a suggestion reads the first keys of a prefix in the index's order without the table.
        Index(
            "ix_search_term_key",
            "key",
            postgresql_ops={"key": "text_pattern_ops"},
            postgresql_include=["term", "source", "ref_id", "weight"],
        ),
        Index(None, "source", "ref_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(120))
    term: Mapped[str] = mapped_column(String(100))
    # category / synonym / enterprise / brand: where the term came from (and what a click on it opens).
    source: Mapped[str] = mapped_column(String(12))
    ref_id: Mapped[int | None]
    weight: Mapped[int] = mapped_column(server_default="0")


class SynonymGroup(Versioned, Base):
    """Words the trade uses for the same thing (毛肚 = 牛百叶 = 千层肚), applied when a query is read."""

    __tablename__ = "search_synonym_group"
    # What the audit log records of a group (hotpot/changes.py); terms copied, so a later edit cannot alter it.
    audit_entity = "synonym_group"
    audit_fields = (("terms", lambda g: list(g.terms)), "note")

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[list[str]] = mapped_column(ARRAY(String(30)))
    note: Mapped[str | None] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(server_default=func.now(), onupdate=func.now())
    version: Mapped[int] = mapped_column(default=1, server_default="1")


class SearchState(Base):
    """A single row: which tokenizer built the index, and counters that tell caches when to drop results."""

    __tablename__ = "search_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    tokenizer_version: Mapped[str | None] = mapped_column(String(40))
    # Bumped in the transaction of every write that changes search_doc: cached results older than it are stale.
    data_version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    # Bumped when synonyms or the dictionary change: each process reloads its vocabulary.
    vocab_version: Mapped[int] = mapped_column(BigInteger, server_default="0")
    reindexed_at: Mapped[datetime | None]
    note: Mapped[str | None] = mapped_column(Text)


class NoiseWord(Base):
    """A word buyers write around what they want (急要, 询价): the query reader drops it before matching.

    The admins' own, on top of seed_data/search_noise_words.txt (which needs no table: it ships with the code).
    """

    __tablename__ = "search_noise_word"
    audit_entity = "search_noise_word"
    audit_fields = ("word",)

    id: Mapped[int] = mapped_column(primary_key=True)
    word: Mapped[str] = mapped_column(String(20), unique=True)
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
