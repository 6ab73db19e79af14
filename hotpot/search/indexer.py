"""Keeping search_doc and search_term equal to the public records, inside the writing transaction.

Every session the indexer is installed on (`install(factory)`: the app's and the CLI's factories) remembers which
records a flush touched; before it commits, their documents are rebuilt from the database as it now stands: a
record that is public gets its row written, one that is not (withdrawn, suspended, deleted) loses it. What a
document holds and which writes touch it is declared by the domains (hotpot.search.sources).

A bulk Core statement (`session.execute(update(Product)...)`, an `INSERT ... SELECT`, COPY) passes no ORM object
through the session, so nothing is tracked: the writer calls `reindex(session, kind, ids)` after it, in the same
transaction. `rebuild(session)` builds everything again, in batches (`hotpot search reindex`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, event, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.types import Integer, String

from hotpot.search import sources
from hotpot.search import text as tokens
from hotpot.search.terms import insert_terms, rebuild_dictionary_terms, term_rows

PENDING = "search_pending"


def _ids_param(stmt: str, *, codes: bool = False):
    """stmt with :ids bound as an array of record ids (or of reference codes: a town's, a category's)."""
    return text(stmt).bindparams(bindparam("ids", type_=ARRAY(String if codes else Integer)))


def _load(session: Session, kind: sources.DocumentKind, ids: list[int] | None) -> Iterator[dict[str, Any]]:
    if ids is None:
        stmt = text(kind.rows.format(where="true"))
        params: dict[str, Any] = {}
    else:
        stmt = _ids_param(kind.rows.format(where=f"{kind.id_column} = ANY(:ids)"))
        params = {"ids": ids}
    result = session.execute(stmt.execution_options(yield_per=2000), params)
    for row in result.mappings():
        yield dict(row)


UPSERT = text(
    """
    INSERT INTO search_doc (kind, ref_id, enterprise_id, tsv, rank_tsv, tags, category_code, kind_code, town_code,
                            park_group, storage, cert_kinds, brand_levels, price_min, price_max, unit_price_min,
                            unit_price_max, listed_at, boost, display)
    VALUES (:kind, :ref_id, :enterprise_id, CAST(:tsv AS tsvector), CAST(:rank_tsv AS tsvector), :tags,
            :category_code, :kind_code, :town_code, :park_group, :storage, :cert_kinds, :brand_levels, :price_min,
            :price_max, :unit_price_min, :unit_price_max, :listed_at, :boost, :display)
    ON CONFLICT (kind, ref_id) DO UPDATE SET
        enterprise_id = EXCLUDED.enterprise_id, tsv = EXCLUDED.tsv, rank_tsv = EXCLUDED.rank_tsv,
        tags = EXCLUDED.tags, category_code = EXCLUDED.category_code,
        kind_code = EXCLUDED.kind_code, town_code = EXCLUDED.town_code, park_group = EXCLUDED.park_group,
        storage = EXCLUDED.storage, cert_kinds = EXCLUDED.cert_kinds, brand_levels = EXCLUDED.brand_levels,
        price_min = EXCLUDED.price_min, price_max = EXCLUDED.price_max, unit_price_min = EXCLUDED.unit_price_min,
        unit_price_max = EXCLUDED.unit_price_max, listed_at = EXCLUDED.listed_at,
        boost = EXCLUDED.boost, display = EXCLUDED.display
    """
).bindparams(
    bindparam("tags", type_=ARRAY(String)),
    bindparam("cert_kinds", type_=ARRAY(String)),
    bindparam("brand_levels", type_=ARRAY(String)),
    bindparam("display", type_=JSONB),
)


def _write(session: Session, kind: sources.DocumentKind, docs: list[dict[str, Any]]) -> None:
    if not docs:
        return
    session.execute(UPSERT, docs)
    if kind.after_write is not None:
        kind.after_write(session, docs)
    if kind.term_weight is not None:
        weight = kind.term_weight
        rows = [row for d in docs for row in term_rows(d["display"]["name"], kind.name, d["ref_id"], weight=weight(d))]
        insert_terms(session, rows)


def refresh(session: Session, keys: dict[str, set[int]]) -> int:
    """Rebuild the documents of these records (kind → ids) from the database as this transaction sees it."""
    changed = 0
    for kind in sources.registry().kinds.values():
        ids = sorted(keys.get(kind.name, ()))
        if not ids:
            continue
        docs = [kind.build(r) for r in _load(session, kind, ids)]
        session.execute(
            _ids_param("DELETE FROM search_doc WHERE kind = :kind AND ref_id = ANY(:ids)"),
            {"kind": kind.name, "ids": ids},
        )
        if kind.term_weight is not None:
            session.execute(
                _ids_param("DELETE FROM search_term WHERE source = :kind AND ref_id = ANY(:ids)"),
                {"kind": kind.name, "ids": ids},
            )
        _write(session, kind, docs)
        changed += len(ids)
    if changed:
        session.execute(text("UPDATE search_state SET data_version = nextval('search_version_seq')"))
    return changed


def reindex(session: Session, kind: str, ids: Iterable[int | str]) -> int:
    """Bring search in step after a bulk write of these records that the session did not see; returns documents.

    `kind` is a document kind ("product", "enterprise", "base", "brand") or a wider key of hotpot.search.sources
    (`ENTERPRISE_PRODUCTS` after a bulk write of enterprise certificates, `TOWN` with town codes after reference
    names changed); `ids` are the records written (inserted, updated or deleted), or the codes. Their documents
    are rebuilt, and those that show them too (a product's enterprise lists its categories), as an ORM write of
    the same records would have. Call it in the writing transaction, after the bulk statement: the documents are
    as public as the records when it commits.
    """
    registry = sources.registry()
    if not registry.knows(kind):
        raise ValueError(f"search has no documents or key called {kind!r}")
    spec = registry.kinds.get(kind)
    ids = list(ids)
    codes = spec is None and any(isinstance(i, str) for i in ids)
    ids = sorted(set(ids)) if codes else sorted({int(i) for i in ids})
    if not ids:
        return 0
    session.flush()
    raw: set[tuple[str, Any]] = {(kind, i) for i in ids}
    if spec is not None and spec.related:
        raw.update((key, ref) for key, ref in session.execute(_ids_param(spec.related), {"ids": ids}))
    return refresh(session, _expand(session, raw))


@dataclass
class RebuildProgress:
    kind: str
    done: int
    total: int


ReindexProgress = RebuildProgress  # its name before the full rebuild was called `rebuild`


def rebuild(session: Session, *, batch: int = 2000, progress: Callable[[RebuildProgress], None] | None = None) -> dict:
    """Rebuild every document and suggestion key; record the tokenizer version that built them."""
    session.execute(text("DELETE FROM search_doc"))
    session.execute(text("DELETE FROM search_term"))
    counts: dict[str, int] = {}
    for kind in sources.registry().kinds.values():
        count_sql = f"SELECT count(*) FROM ({kind.rows.format(where='true')}) AS x"  # noqa: S608 - constants only
        total = session.scalar(text(count_sql)) or 0
        done = 0
        chunk: list[dict[str, Any]] = []
        for row in _load(session, kind, None):
            chunk.append(kind.build(row))
            if len(chunk) >= batch:
                _write(session, kind, chunk)
                done += len(chunk)
                chunk = []
                if progress:
                    progress(RebuildProgress(kind.name, done, total))
        _write(session, kind, chunk)
        done += len(chunk)
        if progress:
            progress(RebuildProgress(kind.name, done, total))
        counts[kind.name] = done
    counts["terms"] = rebuild_dictionary_terms(session)
    session.execute(
        text(
            "UPDATE search_state SET tokenizer_version = :v, data_version = nextval('search_version_seq'),"
            " vocab_version = nextval('search_version_seq'), reindexed_at = :now"
        ),
        {"v": tokens.tokenizer_version(), "now": datetime.now(UTC)},
    )
    session.execute(text("ANALYZE search_doc"))
    return counts


# --- tracking writes in a session ----------------------------------------------------------------------------------


def _expand(session: Session, raw: set[tuple[str, Any]]) -> dict[str, set[int]]:
    """Turn tracked keys into documents: a wider key (an enterprise's change) reaches its products, bases, brands."""
    registry = sources.registry()
    keys: dict[str, set[int]] = {k: set() for k in registry.kinds}
    wider: dict[str, set[Any]] = {}  # a reach query -> the ids (or codes) it is asked for
    for key, ref in raw:
        if ref is None:
            continue
        if key in keys:
            keys[key].add(ref)
        else:
            for sql in registry.reaches(key):
                wider.setdefault(sql, set()).add(ref)
    for sql, refs in wider.items():
        codes = any(isinstance(ref, str) for ref in refs)
        for kind, ref in session.execute(_ids_param(sql, codes=codes), {"ids": sorted(refs)}):
            keys[kind].add(ref)
    return keys


def _before_commit(session: Session) -> None:
    if session.info.get("search_disabled"):
        return
    session.flush()
    raw = session.info.pop(PENDING, set())
    if not raw:
        return
    refresh(session, _expand(session, raw))
    session.info.pop(PENDING, None)


def install(target):
    """Keep search in step with the sessions of target: a sessionmaker (the app's, the CLI's), a Session subclass
    or one session. Sessions made otherwise (a bare `Session(engine)`) are not indexed. Returns target."""
    session_class = isinstance(target, type) and issubclass(target, Session)
    if not (session_class or isinstance(target, (sessionmaker, Session))):
        raise TypeError(f"the indexer listens on a sessionmaker, a Session subclass or a session, not {target!r}")
    sources.registry()  # a broken source fails now, not in some request's commit
    if not event.contains(target, "after_flush", _after_flush):
        event.listen(target, "after_flush", _after_flush)
        event.listen(target, "before_commit", _before_commit)
        event.listen(target, "after_soft_rollback", _after_soft_rollback)
    return target


def installed(target) -> bool:
    """Whether the sessions of target are indexed."""
    return event.contains(target, "after_flush", _after_flush)


def _after_flush(session: Session, flush_context) -> None:
    # After the flush every new object has its id; deleted ones still carry theirs.
    pending: set = session.info.setdefault(PENDING, set())
    keys_for = sources.registry().keys_for
    for obj in (*session.new, *session.dirty, *session.deleted):
        pending.update(keys_for(obj))


def _after_soft_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(PENDING, None)
