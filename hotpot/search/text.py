"""Text → tokens, for documents and for queries, the same way on both sides.

A document's tokens (lexemes of a 'simple' tsvector, built here rather than by PostgreSQL's parser):
- Chinese: every character, every pair of adjacent characters, and jieba's words (with our trade dictionary);
- pinyin of the name-like fields: each syllable, each pair of adjacent syllables joined ("maodu"), the whole
  pinyin of longer words ("huoguodiliao"), and initials of pairs and words ("md", "hgdl");
- Latin letters and digits as they are, and quantities normalised to grams or millilitres ("5斤" → "2500g").
Each lexeme keeps the best weight of the fields it came from: A name, B name pinyin / category and brand,
C their pinyin / enterprise, D description.

A query is read into groups that must all match (AND); each group is an OR of alternatives: the exact Chinese
(its pairs), the same sounds (pinyin pairs: 毛度 finds 毛肚), the trade synonyms, and for Latin input full or
partial pinyin, initials, and the nearest known pinyin when the input is misspelt (yachnag → yachang).
"""

from __future__ import annotations

import bisect
import hashlib
import logging
import re
import threading
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

import jieba
import opencc
from pypinyin import Style, lazy_pinyin, pinyin
from pypinyin.constants import PINYIN_DICT
from pypinyin.style import convert as convert_pinyin
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hotpot.resources import resource_dir

# Bump when the way documents are tokenized changes: `hotpot search status` then asks for a reindex.
ALGORITHM_VERSION = 6  # 6: documents carry a comparable unit price (元/kg)

jieba.setLogLevel(logging.WARNING)
_t2s = opencc.OpenCC("t2s")

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:\.[0-9]+)?")
QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|千克|公斤|g|克|斤|两|ml|毫升|l|升)(?![a-z])")
UNIT_FACTOR = {"kg": 1000, "千克": 1000, "公斤": 1000, "g": 1, "克": 1, "斤": 500, "两": 50}
VOLUME_FACTOR = {"ml": 1, "毫升": 1, "l": 1000, "升": 1000}
VOWELS = set("aeiouv")


def normalize(text: str) -> str:
    """Full-width → half-width, lower case, traditional → simplified."""
    return _t2s.convert(unicodedata.normalize("NFKC", text).lower())


def quantities(text: str) -> list[str]:
    """Normalised quantities in a normalized text: '2.5kg' and '5斤' both give '2500g'."""
    out = []
    for number, unit in QUANTITY.findall(text):
        value = float(number)
        if unit in UNIT_FACTOR:
            out.append(f"{value * UNIT_FACTOR[unit]:g}g")
        else:
            out.append(f"{value * VOLUME_FACTOR[unit]:g}ml")
    return out


# --- pinyin ------------------------------------------------------------------------------------------------------

SYLLABLES: frozenset[str] = frozenset(
    s
    for value in PINYIN_DICT.values()
    for p in value.split(",")
    if (s := convert_pinyin(p, Style.NORMAL, strict=True)) and s.isalpha() and VOWELS & set(s)
)
SYLLABLE_PREFIXES: frozenset[str] = frozenset(s[:i] for s in SYLLABLES for i in range(1, len(s) + 1))
MAX_SYLLABLE = max(map(len, SYLLABLES))


@lru_cache(maxsize=50_000)
def pinyin_of(word: str) -> tuple[str, ...]:
    """Toneless pinyin of each character of a Chinese word (ü as v), chosen in context."""
    return tuple(lazy_pinyin(word, style=Style.NORMAL, errors=lambda chars: list(chars)))


@lru_cache(maxsize=20_000)
def readings(ch: str) -> tuple[str, ...]:
    """Every toneless reading of one character (爪: zhao, zhua), at most three."""
    found = pinyin(ch, style=Style.NORMAL, heteronym=True, errors=lambda chars: list(chars))
    return tuple(dict.fromkeys(r for r in found[0] if r))[:3] if found else (ch,)


def word_readings(word: str) -> list[tuple[str, ...]]:
    """Each character's readings, the one chosen in context first, and at most one other."""
    context = pinyin_of(word)
    return [tuple(dict.fromkeys((c, *readings(ch))))[:2] for ch, c in zip(word, context, strict=False)]


@lru_cache(maxsize=20_000)
def split_pinyin(letters: str) -> tuple[tuple[str, ...], str] | None:
    """Split Latin letters into whole syllables plus at most one unfinished one at the end.

    'huoguodil' → (('huo', 'guo', 'di'), 'l'); 'maodu' → (('mao', 'du'), ''); 'hgdl' → None.
    Fewest pieces win, so 'xian' is one syllable, not xi'an.
    """
    n = len(letters)
    best: dict[int, tuple[int, tuple[str, ...], str] | None] = {n: (0, (), "")}

    def solve(i: int) -> tuple[int, tuple[str, ...], str] | None:
        if i in best:
            return best[i]
        options = []
        for j in range(min(n, i + MAX_SYLLABLE), i, -1):
            piece = letters[i:j]
            if piece in SYLLABLES:
                rest = solve(j)
                if rest is not None:
                    options.append((rest[0] + 1, (piece, *rest[1]), rest[2]))
        if not options and letters[i:] in SYLLABLE_PREFIXES:
            options.append((1, (), letters[i:]))
        best[i] = min(options, key=lambda o: (o[0], o[2] != "")) if options else None
        return best[i]

    result = solve(0)
    return None if result is None else (result[1], result[2])


# --- the dictionary, synonyms and pinyin vocabulary ----------------------------------------------------------------


def dictionary_path():
    return resource_dir("seed_data") / "search_dictionary.txt"


def category_rows() -> list[dict[str, str]]:
    import csv

    with (resource_dir("seed_data") / "product_categories.csv").open(encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["parent_code"]]


def dictionary_words() -> list[tuple[str, int]]:
    words = []
    for line in dictionary_path().read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            parts = line.split()
            words.append((normalize(parts[0]), int(parts[1]) if len(parts) > 1 else 2000))
    return words


@lru_cache(maxsize=1)
def tokenizer_version() -> str:
    """The algorithm version and a digest of the trade dictionary: what the stored index was built with."""
    digest = hashlib.sha256(dictionary_path().read_bytes()).hexdigest()[:8]
    return f"{ALGORITHM_VERSION}-{digest}"


class Vocabulary:
    """The words the query reader knows: jieba with our dictionary, synonym groups, pinyin of known terms."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.jieba = jieba.Tokenizer()
        self.jieba.tmp_dir = None
        self.synonyms: dict[str, tuple[str, ...]] = {}
        self.pinyin_terms: dict[str, str] = {}  # "yachang" → "鸭肠"
        self.initials_terms: dict[str, list[str]] = {}  # "yc" → ["鸭肠", ...]
        self._sorted_keys: list[str] | None = None
        self.version: int | None = None
        self._base_words: set[str] = set()
        self.categories: list[tuple[str, str]] = []  # (code, name) of every sub-category
        self._base_codes: dict[str, set[str]] = {}  # a category's name and usual product names → its code
        self.term_codes: dict[str, set[str]] = {}  # the same, plus every synonym of those

    def ensure_loaded(self) -> None:
        if self._base_words:
            return
        with self.lock:
            if self._base_words:
                return
            self.jieba.initialize()
            words = dictionary_words()
            for word, freq in words:
                self.jieba.add_word(word, freq)
                self._learn(word)
            for row in category_rows():
                code = row["code"]
                self.categories.append((code, normalize(row["name"])))
                for term in [row["name"], *(row["name_variants"] or "").split("|")]:
                    if term:
                        self._base_codes.setdefault(normalize(term), set()).add(code)
            self.term_codes = {t: set(c) for t, c in self._base_codes.items()}
            self._base_words = {w for w, _ in words}

    def _learn(self, term: str) -> None:
        if CJK.fullmatch(term) and len(term) >= 2:
            syl = pinyin_of(term)
            for sound in _sound_variants(term):
                self.pinyin_terms.setdefault("".join(sound), term)
            same = self.initials_terms.setdefault("".join(s[0] for s in syl), [])
            if term not in same:
                same.append(term)
            self._sorted_keys = None

    def codes_for(self, terms: Iterable[str], parts: Iterable[str]) -> set[str]:
        """Categories a query names: by a whole term (毛肚, 牛百叶, 千层毛肚) or a part of a name (底料, 虾)."""
        out: set[str] = set()
        for term in terms:
            out |= self.term_codes.get(term, set())
        for part in parts:
            out |= {code for code, name in self.categories if part in name}
        return out

    def terms_starting(self, letters: str, limit: int = 5) -> list[str]:
        """Known terms whose pinyin starts with these letters (xiah → 虾滑), at most `limit`."""
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.pinyin_terms)
        keys = self._sorted_keys
        out: list[str] = []
        i = bisect.bisect_left(keys, letters)
        while i < len(keys) and keys[i].startswith(letters) and len(out) < limit:
            if self.pinyin_terms[keys[i]] not in out:
                out.append(self.pinyin_terms[keys[i]])
            i += 1
        return out

    def is_known_prefix(self, letters: str) -> bool:
        """Whether some known term's pinyin starts with these letters (then they are not a typo)."""
        if self._sorted_keys is None:
            self._sorted_keys = sorted(self.pinyin_terms)
        keys = self._sorted_keys
        i = bisect.bisect_left(keys, letters)
        return i < len(keys) and keys[i].startswith(letters)

    def set_synonyms(self, groups: Iterable[Iterable[str]], version: int) -> None:
        self.ensure_loaded()
        table: dict[str, set[str]] = {}
        for group in groups:
            terms = [normalize(t) for t in group if t.strip()]
            for t in terms:
                table.setdefault(t, set()).update(x for x in terms if x != t)
        with self.lock:
            for term in table:
                if term not in self._base_words and CJK.fullmatch(term):
                    self.jieba.add_word(term, 2000)
                self._learn(term)
            self.synonyms = {t: tuple(sorted(s)) for t, s in table.items()}
            codes = {t: set(c) for t, c in self._base_codes.items()}
            for term, others in table.items():
                for other in others:
                    codes.setdefault(term, set()).update(self._base_codes.get(other, ()))
            self.term_codes = codes
            self.version = version

    def words(self, run: str) -> list[str]:
        """A query's Chinese run cut into words; single characters in a row stay together (毛度, 黄猴)."""
        self.ensure_loaded()
        out: list[str] = []
        loose = ""
        for w in self.jieba.cut(run, HMM=False):
            if len(w) == 1:
                loose += w
                continue
            if loose:
                out.append(loose)
                loose = ""
            out.append(w)
        if loose:
            out.append(loose)
        return out

    def search_words(self, run: str) -> list[str]:
        self.ensure_loaded()
        return [w for w in self.jieba.cut_for_search(run, HMM=False) if len(w) >= 2]

    def nearest_pinyin(self, letters: str, limit: int = 3) -> list[tuple[str, str]]:
        """Known terms whose pinyin is within a small edit distance (swaps count once): 'yachnag' → 鸭肠."""
        self.ensure_loaded()
        cutoff = 1 if len(letters) <= 5 else 2 if len(letters) <= 10 else 3
        keys = [k for k in self.pinyin_terms if abs(len(k) - len(letters)) <= cutoff]
        found = process.extract(letters, keys, scorer=OSA.distance, score_cutoff=cutoff, limit=limit)
        if not found:
            return []
        closest = min(f[1] for f in found)
        return [(key, self.pinyin_terms[key]) for key, distance, _ in found if distance == closest]


vocabulary = Vocabulary()


# --- documents ---------------------------------------------------------------------------------------------------

WEIGHTS = "ABCD"


def _demote(weight: str) -> str:
    return WEIGHTS[min(3, WEIGHTS.index(weight) + 1)]


@lru_cache(maxsize=100_000)
def _field_lexemes(text: str, with_pinyin: bool) -> tuple[tuple[str, bool], ...]:
    """Lexemes of one field's text, each marked True when it is pinyin (weighted one step lower)."""
    norm = normalize(text)
    out: dict[str, bool] = {}
    for q in quantities(norm):
        out[q] = False
    for run in RUN.findall(norm):
        if not CJK.fullmatch(run):
            out.setdefault(run, False)
            continue
        for i, ch in enumerate(run):
            if with_pinyin:  # single characters only from names: 制 or 料 in a description matches nothing
                out.setdefault(ch, False)
            if i + 1 < len(run):
                out.setdefault(run[i : i + 2], False)
        for w in vocabulary.search_words(run):
            out.setdefault(w, False)
        if with_pinyin:
            syl = word_readings(run)
            for i, here in enumerate(syl):
                for a in here:
                    out.setdefault(a, True)
                    if i + 1 < len(syl):
                        for b in syl[i + 1]:
                            out.setdefault(a + b, True)
                            out.setdefault(a[0] + b[0], True)
            for w in vocabulary.search_words(run):
                if len(w) >= 3:
                    wp = pinyin_of(w)
                    out.setdefault("".join(wp), True)
                    out.setdefault("".join(p[0] for p in wp), True)
    return tuple(out.items())


def document_vectors(fields: Iterable[tuple[str | None, str, bool]], rank_fields: int = 1) -> tuple[str, str]:
    """(match vector, rank vector) as tsvector text, from (text, weight, with_pinyin) fields.

    The match vector holds every lexeme once, without positions or weights: the GIN index answers `@@` from it
    and no query reads it back. The rank vector is the short one ts_rank reads: the lexemes of the first
    `rank_fields` fields (the name), Chinese weighted A and pinyin B. Categories rank through `search_doc.tags`.
    """
    best: dict[str, str] = {}
    ranked: dict[str, str] = {}
    for n, (text, weight, with_pinyin) in enumerate(fields):
        if not text:
            continue
        for lexeme, is_pinyin in _field_lexemes(text, with_pinyin):
            w = _demote(weight) if is_pinyin else weight
            if lexeme not in best or w < best[lexeme]:
                best[lexeme] = w
            if n < rank_fields:
                rw = "B" if is_pinyin else "A"
                if lexeme not in ranked or rw < ranked[lexeme]:
                    ranked[lexeme] = rw
    match = " ".join(quote(lex) for lex in best)
    rank = " ".join(f"{quote(lex)}:1{w}" for lex, w in ranked.items())
    return match, rank


def quote(lexeme: str) -> str:
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


# --- queries -----------------------------------------------------------------------------------------------------


@dataclass
class ParsedQuery:
    text: str  # the normalized query
    match: str  # tsquery text: every group must match
    rank: str  # tsquery text: every alternative OR-ed, so ts_rank scores how much of it a document holds
    codes: set[str] = field(default_factory=set)  # categories the query names: their records rank first
    marks: set[str] = field(default_factory=set)  # Chinese strings to highlight
    sounds: dict[str, bool] = field(default_factory=dict)  # pinyin or initials to highlight by sound → prefix ok
    understood: list[str] = field(default_factory=list)  # "yachnag → 鸭肠": what the reader corrected

    @property
    def empty(self) -> bool:
        return not self.match


def _and(parts: list[str]) -> str:
    parts = [p for p in dict.fromkeys(parts) if p]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " & ".join(parts) + ")"


def _or(parts: list[str]) -> str:
    parts = [p for p in dict.fromkeys(parts) if p]
    if not parts:
        return ""
    return parts[0] if len(parts) == 1 else "(" + " | ".join(parts) + ")"


def _chinese_exact(word: str) -> tuple[str, list[str]]:
    """A Chinese word as pairs that must all be present (a part of a longer word matches too)."""
    if len(word) == 1:
        return quote(word), [quote(word)]
    pairs = [quote(word[i : i + 2]) for i in range(len(word) - 1)]
    leaves = [*pairs]
    expr = _and(pairs)
    if len(word) >= 3:
        leaves.append(quote(word))
        expr = _or([quote(word), expr])
    return expr, leaves


def _pinyin_pairs(syllables: tuple[str, ...], partial: str = "", *, open_end: bool = True) -> tuple[str, list[str]]:
    """Syllables as joined pairs; the last one is a prefix when typed input may be unfinished."""
    seq = [*syllables, partial] if partial else list(syllables)
    if len(seq) == 1:
        only = seq[0]
        leaf = f"{quote(only)}:*" if partial else quote(only)
        return leaf, [leaf]
    leaves = []
    for i in range(len(seq) - 1):
        pair = seq[i] + seq[i + 1]
        last = open_end and i == len(seq) - 2
        leaves.append(f"{quote(pair)}:*" if last else quote(pair))
    return _and(leaves), leaves


def _initials(letters: str) -> tuple[str, list[str]]:
    if len(letters) == 1:
        leaf = f"{quote(letters)}:*"
        return leaf, [leaf]
    whole = f"{quote(letters)}:*" if len(letters) >= 3 else quote(letters)
    if len(letters) == 2:
        return whole, [whole]
    pairs = [quote(letters[i : i + 2]) for i in range(len(letters) - 1)]
    return _or([whole, _and(pairs)]), [whole, *pairs]


def _sound_variants(word: str, limit: int = 4) -> list[tuple[str, ...]]:
    """Readings of a word to try: the one in context, then others of its polyphonic characters (鸭长 → yachang)."""
    variants: list[tuple[str, ...]] = [()]
    for options in word_readings(word):
        variants = [(*v, o) for v in variants for o in options][: limit * 2]
    return variants[:limit]


def parse_query(q: str) -> ParsedQuery:
    voc = vocabulary
    voc.ensure_loaded()
    norm = " ".join(normalize(q).split())[:100]
    groups: list[str] = []
    leaves: list[str] = []
    terms: list[str] = []  # whole terms the query names (their categories rank first)
    parts: list[str] = []  # words typed in Chinese (categories whose name holds one rank first)
    parsed = ParsedQuery(text=norm, match="", rank="")
    spec_tokens = set(quantities(norm))
    for qty in spec_tokens:
        groups.append(quote(qty))
        leaves.append(quote(qty))
    scrubbed = QUANTITY.sub(" ", norm)
    for run in RUN.findall(scrubbed):
        if CJK.fullmatch(run):
            words = voc.words(run)
            word_groups: list[str] = []
            for word in words:
                alts, word_leaves = [], []
                expr, lv = _chinese_exact(word)
                alts.append(expr)
                word_leaves += lv
                parsed.marks.add(word)
                if len(word) >= 2:
                    # Only the reading in context scores; the others (and the synonyms below) only match, so a
                    # ranking reads few leaves.
                    for n, sound in enumerate(_sound_variants(word)):
                        expr, lv = _pinyin_pairs(sound, open_end=False)
                        alts.append(expr)
                        if n == 0:
                            word_leaves += lv
                        parsed.sounds["".join(sound)] = False
                terms.append(word)
                parts.append(word)
                for syn in voc.synonyms.get(word, ()):
                    expr, _ = _chinese_exact(syn)
                    alts.append(expr)
                    terms.append(syn)
                    parsed.marks.add(syn)
                word_groups.append(_or(alts))
                leaves += word_leaves
            if len(words) > 1 and len(run) <= 6:
                # A wrong character can cut a run into words that are not there (金针姑): try its sound whole.
                run_alts = [_and(word_groups)]
                for n, sound in enumerate(_sound_variants(run)):
                    expr, lv = _pinyin_pairs(sound, open_end=False)
                    run_alts.append(expr)
                    if n == 0:
                        leaves += lv
                    parsed.sounds["".join(sound)] = False
                groups.append(_or(run_alts))
            else:
                groups += word_groups
            continue
        # Latin letters and digits: raw prefix, pinyin (whole or unfinished), initials, or the nearest pinyin.
        alts = [f"{quote(run)}:*"]
        run_leaves = [*alts]
        if run.isalpha():
            split = split_pinyin(run)
            if split is not None:
                terms += voc.terms_starting(run)
            if split is not None and (len(split[0]) + bool(split[1])) >= 2:
                expr, lv = _pinyin_pairs(*split)
                alts.append(expr)
                run_leaves += lv
                parsed.sounds[run] = bool(split[1])
            elif split is not None:
                parsed.sounds[run] = bool(split[1])
                if not split[1]:
                    run_leaves.append(quote(run))
            if not VOWELS & set(run):
                expr, lv = _initials(run)
                alts.append(expr)
                run_leaves += lv
                terms += voc.initials_terms.get(run, [])[:5]
                parsed.sounds[run] = True
            elif split is None or (len(run) >= 5 and not voc.is_known_prefix(run)):
                for key, term in voc.nearest_pinyin(run, limit=2):
                    syl = split_pinyin(key)
                    if syl:
                        expr, lv = _pinyin_pairs(*syl)
                        alts.append(expr)
                        run_leaves += lv
                        parsed.sounds[key] = False
                        parsed.marks.add(term)
                        terms.append(term)
                        parsed.understood.append(f"{run} → {term}")
        groups.append(_or(alts))
        leaves += run_leaves
    parsed.match = _and(groups)
    parsed.rank = " | ".join(dict.fromkeys(leaves))
    parsed.codes = voc.codes_for(terms, parts)
    return parsed


# --- highlighting --------------------------------------------------------------------------------------------------


def highlight_spans(name: str, parsed: ParsedQuery) -> list[tuple[int, int]]:
    """Character ranges of `name` that the query matched: by characters or by sound (pinyin or initials)."""
    if not name or parsed.empty:
        return []
    norm = normalize(name)
    if len(norm) != len(name):  # NFKC changed the length: highlight nothing rather than the wrong place
        return []
    hit = [False] * len(norm)
    for mark in parsed.marks:
        start = norm.find(mark)
        while mark and start != -1:
            for i in range(start, start + len(mark)):
                hit[i] = True
            start = norm.find(mark, start + 1)
    if parsed.sounds and not any(hit):
        syl = _char_readings(norm)
        for target, allow_prefix in parsed.sounds.items():
            if len(target) < 2:
                continue
            for use_initials in (False, True):
                for i in range(len(norm)):
                    end = _sound_end(syl, i, target, use_initials, allow_prefix)
                    if end is not None:
                        for k in range(i, end):
                            hit[k] = True
    spans: list[tuple[int, int]] = []
    for i, on in enumerate(hit):
        if on and spans and spans[-1][1] == i:
            spans[-1] = (spans[-1][0], i + 1)
        elif on:
            spans.append((i, i + 1))
    return spans


@lru_cache(maxsize=20_000)
def _char_readings(text: str) -> tuple[tuple[str, ...], ...]:
    """Each character's readings (none for non-Chinese characters)."""
    return tuple(readings(ch) if CJK.fullmatch(ch) else () for ch in text)


def _sound_end(syl, i: int, rest: str, use_initials: bool, allow_prefix: bool) -> int | None:
    """Where the characters from i on, read aloud (or by initials), spell `rest`; None when they do not."""
    if not rest:
        return i
    if i >= len(syl) or not syl[i]:
        return None
    for reading in syl[i]:
        piece = reading[0] if use_initials else reading
        if rest.startswith(piece):
            end = _sound_end(syl, i + 1, rest[len(piece) :], use_initials, allow_prefix)
            if end is not None:
                return end
        elif allow_prefix and piece.startswith(rest):
            return i + 1
    return None


def segments(name: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    """`name` cut into (text, matched) pieces for a template to wrap in <mark>."""
    out: list[tuple[str, bool]] = []
    pos = 0
    for start, end in spans:
        if start > pos:
            out.append((name[pos:start], False))
        out.append((name[start:end], True))
        pos = end
    if pos < len(name):
        out.append((name[pos:], False))
    return out
