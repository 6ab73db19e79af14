"""Search use cases: searching and suggesting (engine), the synonym list, the index's state and rebuild."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.auth.models import User
from hotpot.errors import NotFound
from hotpot.resources import resource_dir
from hotpot.search import engine, indexer, understand
from hotpot.search import text as tokens
from hotpot.search.engine import SearchParams, SearchResult, Suggestion
from hotpot.search.engine import search as run_search
from hotpot.search.engine import suggest as run_suggest
from hotpot.search.models import NoiseWord, SearchDoc, SearchState, SynonymGroup
from hotpot.search.terms import rebuild_dictionary_terms
from hotpot.validation import NUL_MESSAGE, FieldErrors, check_version, has_nul


def search(
    session: Session, params: SearchParams, *, versions: tuple[int, int] | None = None, keep: bool = True
) -> SearchResult:
    if "\x00" in params.q:  # a NUL byte matches nothing (and PostgreSQL cannot take one)
        return SearchResult(params, None, 0, [], {}, {})
    return run_search(session, params, versions=versions, keep=keep)


def suggest(session: Session, q: str, *, limit: int = 8) -> list[Suggestion]:
    if "\x00" in q:
        return []
    return run_suggest(session, q, limit=limit)


POPULAR_CATEGORIES = text(
    "SELECT d.category_code, c.name, count(*) FROM search_doc d"
    " JOIN product_category c ON c.code = d.category_code WHERE d.kind = 'product'"
    " GROUP BY 1, 2 ORDER BY 3 DESC, 1 LIMIT 12"
)


def popular_categories(session: Session) -> list[tuple[str, str, int]]:
    """(code, name, public products) of the twelve largest categories, for a search that found nothing.

    Counting every product is not for each empty search: the answer is cached with the index's version.
    """
    versions = engine.state(session)
    found = engine.cached("popular-categories", (), versions)
    if found is None:
        found = [(code, name, n) for code, name, n in session.execute(POPULAR_CATEGORIES)]
        engine.remember("popular-categories", (), versions, found)
    return found


# --- state -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class IndexStatus:
    stored_version: str | None
    current_version: str
    reindexed_at: datetime | None
    documents: dict[str, int]

    @property
    def needs_reindex(self) -> bool:
        return self.stored_version != self.current_version


def status(session: Session) -> IndexStatus:
    row = session.get(SearchState, 1)
    counts = {k: n for k, n in session.execute(select(SearchDoc.kind, func.count()).group_by(SearchDoc.kind))}  # noqa: C416
    return IndexStatus(
        stored_version=row.tokenizer_version if row else None,
        current_version=tokens.tokenizer_version(),
        reindexed_at=row.reindexed_at if row else None,
        documents=counts,
    )


def rebuild(session: Session, *, progress=None) -> dict[str, int]:
    """Build every document and suggestion key again (hotpot search reindex)."""
    return indexer.rebuild(session, progress=progress)


def reindex(session: Session, kind: str, ids) -> int:
    """Bring these records' documents in step after a bulk write the session did not see (see indexer.reindex)."""
    return indexer.reindex(session, kind, ids)


# --- synonyms ----------------------------------------------------------------------------------------------------

MAX_TERMS = 12


def synonym_groups(session: Session) -> list[SynonymGroup]:
    return list(session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)))


def synonym_group(session: Session, *, group_id: int) -> SynonymGroup | None:
    """The synonym group with this id, or None."""
    return session.get(SynonymGroup, group_id)


def load_seed_synonyms(session: Session) -> int:
    """Add the groups of seed_data/search_synonyms.csv whose first term the list lacks (admins' edits stay)."""
    known = {t for g in session.scalars(select(SynonymGroup.terms)) for t in g}
    added = 0
    with (resource_dir("seed_data") / "search_synonyms.csv").open(encoding="utf-8") as f:
        for row in csv.DictReader(f):
            terms = [t.strip() for t in row["terms"].split("|") if t.strip()]
            if terms and terms[0] not in known:
                session.add(SynonymGroup(terms=terms, note=row.get("note") or None))
                known.update(terms)
                added += 1
    if added:
        _vocabulary_changed(session)
    return added


def parse_terms(raw: str) -> list[str]:
    """Terms separated by commas, 、, ＝, = or spaces; normalised, each once, in the order given."""
    for sep in "，,、＝=|；;\n":
        raw = raw.replace(sep, " ")
    return list(dict.fromkeys(tokens.normalize(t) for t in raw.split() if t.strip()))


def _validate(session: Session, terms: list[str], note: str | None, *, exclude_id: int | None) -> None:
    errors: dict[str, str] = {}
    if len(terms) < 2:
        errors["terms"] = "请至少填写两个词，用逗号或空格分开"
    elif len(terms) > MAX_TERMS:
        errors["terms"] = f"一组最多 {MAX_TERMS} 个词"
    bad = [t for t in terms if len(t) > 30 or not t.isalnum()]
    if bad and "terms" not in errors:
        errors["terms"] = "每个词不超过 30 个字，只含中文、字母或数字：" + "、".join(bad[:3])
    if note and len(note) > 200:
        errors["note"] = "说明不超过 200 个字"
    elif has_nul(note):
        errors["note"] = NUL_MESSAGE
    taken = {
        t: g.id
        for g in session.scalars(select(SynonymGroup).where(SynonymGroup.id != (exclude_id or 0)))
        for t in g.terms
    }
    clash = [t for t in terms if t in taken]
    if clash and "terms" not in errors:
        errors["terms"] = "这些词已在其他同义词组中：" + "、".join(clash[:5])
    if errors:
        raise FieldErrors(errors)


def _vocabulary_changed(session: Session) -> None:
    session.flush()
    session.execute(
        text(
            "UPDATE search_state SET vocab_version = nextval('search_version_seq'),"
            " data_version = nextval('search_version_seq')"
        )
    )
    rebuild_dictionary_terms(session)


def add_group(session: Session, *, user: User, raw_terms: str, note: str | None) -> SynonymGroup:
    terms = parse_terms(raw_terms)
    note = (note or "").strip() or None
    _validate(session, terms, note, exclude_id=None)
    group = changes.created(session, SynonymGroup(terms=terms, note=note), actor=user, action="search.synonyms.add")
    _vocabulary_changed(session)
    return group


def edit_group(
    session: Session, *, user: User, group: SynonymGroup, raw_terms: str, note: str | None, version: int | None
) -> SynonymGroup:
    check_version(group, version)
    terms = parse_terms(raw_terms)
    note = (note or "").strip() or None
    _validate(session, terms, note, exclude_id=group.id)
    with changes.tracked(session, group, actor=user, action="search.synonyms.edit"):
        group.terms = terms
        group.note = note
    _vocabulary_changed(session)
    return group


def delete_group(session: Session, *, user: User, group: SynonymGroup, version: int | None) -> None:
    changes.deleted(session, group, actor=user, action="search.synonyms.delete", version=version)
    _vocabulary_changed(session)


# --- noise words -------------------------------------------------------------------------------------------------


def noise_words(session: Session) -> list[NoiseWord]:
    """The admins' own noise words, newest first (the seed list is understand.seed_noise_words())."""
    return list(session.scalars(select(NoiseWord).order_by(NoiseWord.id.desc())))


def add_noise_word(session: Session, *, user: User, word: str) -> NoiseWord:
    """A word the query reader drops from now on (求购, 询价 ...); a product or category name is refused."""
    word = tokens.normalize((word or "").strip())
    error = None
    if not word:
        error = "请填写一个词"
    elif len(word) > 20 or not word.isalnum():
        error = "一个词，不超过 20 个字，只含中文、字母或数字"
    elif word in understand.reader().ingredients:
        error = f"“{word}”是品类或食材名称，不能作为无意义词"
    elif word in understand.seed_noise_words() or session.scalar(select(NoiseWord.id).where(NoiseWord.word == word)):
        error = f"“{word}”已在无意义词表中"
    if error:
        raise FieldErrors({"word": error})
    record = changes.created(session, NoiseWord(word=word), actor=user, action="search.noise.add")
    _vocabulary_changed(session)
    return record


def delete_noise_word(session: Session, *, user: User, word_id: int) -> None:
    record = session.get(NoiseWord, word_id)
    if record is None:
        raise NotFound()
    changes.deleted(session, record, actor=user, action="search.noise.delete")
    _vocabulary_changed(session)
