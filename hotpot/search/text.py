"""Text → tokens, for documents and for queries, the same way on both sides.

A document's tokens (lexemes of a 'simple' tsvector, built here rather than by PostgreSQL's parser):
- Chinese: every character, every pair of adjacent characters, and jieba's words (with our trade dictionary);
- pinyin of the name-like fields: each syllable, each pair of adjacent syllables joined ("maodu"), the whole
  pinyin of longer words ("huoguodiliao"), and initials of pairs and words ("md", "hgdl");
- Latin letters and digits as they are, English words also stemmed ("omasums" → "omasum", "noodles" → "noodl") and
  adjacent ones joined ("hot pot" → "hotpot"), and quantities normalised to grams or millilitres ("5斤" → "2500g").
Each lexeme keeps the best weight of the fields it came from: A name, B name pinyin / category and brand,
C their pinyin / enterprise, D description.

A query is read into groups that must all match (AND); each group is an OR of alternatives: the exact Chinese
(its pairs), the same sounds (pinyin pairs: 毛度 finds 毛肚), the trade synonyms, and for Latin input full or
partial pinyin, initials, initials mixed with syllables (hgdliao, xhua → 火锅底料, 虾滑), and the nearest known
pinyin when the input is misspelt (yachnag → yachang). A word that sounds like a known term (鸡抓 → 鸡爪) also
brings that term's synonyms (凤爪). English words match stemmed, and English trade names of the taxonomy
(seed_data/product_categories.csv: "pork brain", "konjac") name their categories like Chinese ones.
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
import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import OSA

from hotpot.resources import resource_dir
from hotpot.search.pinyin_tables import PINYIN_DICT, Style, convert_pinyin, lazy_pinyin, pinyin
from hotpot.search.wordcut import CompactTokenizer

# Bump when the way documents are tokenized changes: `hotpot search status` then asks for a reindex.
ALGORITHM_VERSION = 7  # 7: English names of products and categories, stemmed; 6: comparable unit price (元/kg)

jieba.setLogLevel(logging.WARNING)
_t2s = opencc.OpenCC("t2s")

CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+|[a-z0-9]+(?:\.[0-9]+)?")
QUANTITY = re.compile(r"(\d+(?:\.\d+)?)\s*(kg|千克|公斤|g|克|斤|两|ml|毫升|l|升)(?![a-z])")
UNIT_FACTOR = {"kg": 1000, "千克": 1000, "公斤": 1000, "g": 1, "克": 1, "斤": 500, "两": 50}
VOLUME_FACTOR = {"ml": 1, "毫升": 1, "l": 1000, "升": 1000}
VOWELS = set("aeiouv")
LATIN_WORD = re.compile(r"[a-z]+")
# What separates English phrases: anything but letters, digits, spaces, hyphens and apostrophes ("|", 、, Chinese).
PHRASE_BREAK = re.compile(r"[^a-z0-9\s'-]+")


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


# --- English ---------------------------------------------------------------------------------------------------

# Snowball's English (Porter 2) stemmer, pure Python, no dependencies: plurals and inflections fold the same way on
# both sides (omasums → omasum, chillies → chilli, noodles and noodle → noodl). Its objects keep state: one lock.
_stemmer = snowballstemmer.stemmer("english")
_stem_lock = threading.Lock()


@lru_cache(maxsize=50_000)
def stem(word: str) -> str:
    """The English stem of one lower-case word; words under three letters stay as they are."""
    if len(word) < 3:
        return word
    with _stem_lock:
        return _stemmer.stemWord(word)


def english_keys(text: str) -> set[str]:
    """Lexemes of English text: each word, its stem, and adjacent words of a phrase joined (hot pot → hotpot)."""
    out: set[str] = set()
    for phrase in PHRASE_BREAK.split(text):
        words = [w for w in LATIN_WORD.findall(phrase) if len(w) >= 2]
        for i, w in enumerate(words):
            out.add(w)
            out.add(stem(w))
            if i + 1 < len(words):
                joined = w + words[i + 1]
                out.add(joined)
                out.add(stem(joined))
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


# Initials a buyer types for a syllable in a mixed form (hgdliao, xhua): the consonant letter, or zh / ch / sh.
INITIAL_LETTERS = frozenset("bpmfdtnlgkhjqxrzcsyw")
MAX_MIXED_READINGS = 32


@lru_cache(maxsize=20_000)
def mixed_readings(letters: str) -> tuple[tuple[tuple[str, bool], ...], ...]:
    """Ways to read Latin letters as initials and syllables mixed, each piece (letters, is_whole_syllable).

    'hgdliao' → ((h, F), (g, F), (d, F), (liao, T)); 'xhua' → ((x, F), (hua, T)), ... Only readings with at least
    one initial and one whole syllable: all syllables is pinyin, all initials is initials. A piece that is not a
    whole syllable matches a syllable it starts (x → xia; an unfinished last syllable too: hgdli → li(ao)).
    """
    n = len(letters)
    out: list[tuple[tuple[str, bool], ...]] = []

    def walk(i: int, pieces: tuple[tuple[str, bool], ...]) -> None:
        if len(out) >= MAX_MIXED_READINGS:
            return
        if i == n:
            if any(whole for _, whole in pieces) and not all(whole for _, whole in pieces):
                out.append(pieces)
            return
        for j in range(min(n, i + MAX_SYLLABLE), i + 1, -1):
            piece = letters[i:j]
            if piece in SYLLABLES:
                walk(j, (*pieces, (piece, True)))
            elif j == n and piece in SYLLABLE_PREFIXES:
                walk(j, (*pieces, (piece, False)))
        if letters[i : i + 2] in ("zh", "ch", "sh"):
            walk(i + 2, (*pieces, (letters[i : i + 2], False)))
        if letters[i] in INITIAL_LETTERS:
            walk(i + 1, (*pieces, (letters[i], False)))
        elif letters[i] in SYLLABLES:  # a, e, o
            walk(i + 1, (*pieces, (letters[i], True)))

    if letters.isalpha() and n <= 24:
        walk(0, ())
    return tuple(out)


def _reads_as(sound: tuple[str, ...], pieces: tuple[tuple[str, bool], ...]) -> bool:
    return len(sound) == len(pieces) and all(
        syl == piece if whole else syl.startswith(piece) for syl, (piece, whole) in zip(sound, pieces, strict=True)
    )


# --- the dictionary, synonyms and pinyin vocabulary ----------------------------------------------------------------


def dictionary_path():
    return resource_dir("seed_data") / "search_dictionary.txt"


def category_rows() -> list[dict[str, str]]:
    return [r for r in taxonomy_rows() if r["parent_code"]]


def taxonomy_rows() -> list[dict[str, str]]:
    """Every row of the taxonomy: the six kinds and their sub-categories."""
    import csv

    with (resource_dir("seed_data") / "product_categories.csv").open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


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
        self.jieba = CompactTokenizer()
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
        # English trade names of the taxonomy: each name's lexemes with the sub-categories it names (a kind's
        # name names all of its own), every English word known, and what to highlight for a category.
        self.english_names: list[tuple[frozenset[str], tuple[str, ...]]] = []
        self.english_words: set[str] = set()
        self.category_marks: dict[str, tuple[str, ...]] = {}

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
            self.jieba.compact()  # the dictionary with our words into a trie (hotpot/search/wordcut.py)
            for row in category_rows():
                code = row["code"]
                self.categories.append((code, normalize(row["name"])))
                for term in [row["name"], *(row["name_variants"] or "").split("|")]:
                    if term:
                        self._base_codes.setdefault(normalize(term), set()).add(code)
            self.term_codes = {t: set(c) for t, c in self._base_codes.items()}
            self._load_english()
            self._base_words = {w for w, _ in words}

    def _load_english(self) -> None:
        rows = taxonomy_rows()
        children: dict[str, list[str]] = {}
        for row in rows:
            if row["parent_code"]:
                children.setdefault(row["parent_code"], []).append(row["code"])
                marks = [row["name"], *(row.get("synonyms") or "").split("|"), *row["name_variants"].split("|")]
                self.category_marks[row["code"]] = tuple(normalize(m) for m in marks if m)
        for row in rows:
            codes = tuple(children.get(row["code"], [row["code"]]))
            for name in [row.get("name_en") or "", *(row.get("name_en_variants") or "").split("|")]:
                keys = english_keys(normalize(name))
                if keys:
                    self.english_names.append((frozenset(keys), codes))
                    self.english_words |= keys

    def is_english(self, word: str) -> bool:
        """Whether a Latin word is one of the taxonomy's English words (then it is not read as pinyin)."""
        return word in self.english_words or stem(word) in self.english_words

    def english_codes(self, stems: Iterable[str]) -> set[str]:
        """Sub-categories one of whose English names holds every one of these stems ("pork brain" → 猪脑花)."""
        wanted = set(stems)
        if not wanted:
            return set()
        return {code for keys, codes in self.english_names if wanted <= keys for code in codes}

    def sounds_like(self, word: str) -> list[tuple[str, tuple[str, ...]]]:
        """Known terms (synonyms included) that a word not known itself sounds like: 鸡抓 → 鸡爪, 血汪 → 血旺."""
        if word in self.synonyms or word in self._base_words:
            return []
        out: list[tuple[str, tuple[str, ...]]] = []
        for sound in _sound_variants(word):
            term = self.pinyin_terms.get("".join(sound))
            if term and term != word and term not in (t for t, _ in out):
                out.append((term, sound))
        return out

    def mixed_terms(self, letters: str, limit: int = 3) -> list[tuple[str, tuple[str, ...]]]:
        """Known terms that initials mixed with syllables spell: 'hgdliao' → 火锅底料, 'xhua' → 虾滑."""
        out: list[tuple[str, tuple[str, ...]]] = []
        for pieces in mixed_readings(letters):
            key = "".join(piece[0] for piece, _ in pieces)
            for term in self.initials_terms.get(key, ()):
                if len(out) >= limit:
                    return out
                for sound in _sound_variants(term):
                    if _reads_as(sound, pieces) and term not in (t for t, _ in out):
                        out.append((term, sound))
                        break
        return out

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
    if LATIN_WORD.search(norm):
        for key in sorted(english_keys(norm)):
            out.setdefault(key, False)
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
    english: list[str] = []  # words of the taxonomy's English names, as typed
    previous: tuple[str, int] | None = None  # the Latin word before this one, when its group is the last
    for found in RUN.finditer(scrubbed):
        run = found.group()
        if CJK.fullmatch(run):
            previous = None
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
                if len(word) >= 2:
                    for term, _ in voc.sounds_like(word):
                        alts += _known_term(term, parsed, terms)
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
                for term, _ in voc.sounds_like(run):  # 千层堵 → 千层肚, and so 毛肚
                    run_alts += _known_term(term, parsed, terms)
                groups.append(_or(run_alts))
            else:
                groups += word_groups
            continue
        # Latin letters and digits: raw prefix and English stem, pinyin (whole or unfinished), initials, initials
        # mixed with syllables, or the nearest pinyin.
        alts = [f"{quote(run)}:*"]
        run_leaves = [*alts]
        if run.isalpha() and stem(run) != run:  # omasums → omasum, noodles → noodl
            alts.append(quote(stem(run)))
            run_leaves.append(quote(stem(run)))
        if run.isalpha() and voc.is_english(run):
            english.append(run)  # a word of the English names: not guessed at as pinyin (beef is not 北非)
        elif run.isalpha():
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
            elif split is None and (mixed := voc.mixed_terms(run)):
                for term, sound in mixed:  # hgdliao → 火锅底料
                    expr, lv = _pinyin_pairs(sound, open_end=False)
                    alts += [expr, *_known_term(term, parsed, terms)]
                    run_leaves += lv
                    parsed.sounds["".join(sound)] = False
                    parsed.understood.append(f"{run} → {term}")
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
            if split is not None and not split[1] and (known := voc.pinyin_terms.get(run)):
                alts += _known_term(known, parsed, terms)  # jizhua → 鸡爪, and so 凤爪
        groups.append(_or(alts))
        leaves += run_leaves
        gap = scrubbed[previous[1] : found.start()] if previous else ""
        if previous and run.isalpha() and not gap.strip(" -'"):
            # Two words in a row also match written as one, and one as two: hot pot = hotpot.
            joined = quote(previous[0] + run)
            second, first = groups.pop(), groups.pop()
            groups.append(_or([_and([first, second]), joined]))
            leaves.append(joined)
            previous = None
        else:
            previous = (run, found.end()) if run.isalpha() and len(run) >= 2 else None
    parsed.match = _and(groups)
    parsed.rank = " | ".join(dict.fromkeys(leaves))
    parsed.codes = voc.codes_for(terms, parts)
    named = voc.english_codes(stem(w) for w in english)
    if named:
        # English names its categories like a Chinese term does, and the results mark their Chinese names.
        parsed.codes |= named
        for code in sorted(named):
            parsed.marks.update(voc.category_marks.get(code, ()))
        if len(named) <= 3:
            chinese = "、".join(voc.category_marks[c][0] for c in sorted(named) if c in voc.category_marks)
            parsed.understood.append(f"{' '.join(english)} → {chinese}")
    return parsed


def _known_term(term: str, parsed: ParsedQuery, terms: list[str]) -> list[str]:
    """A known term the query sounds like or spells: its characters and its synonyms' match too (鸡爪 → 凤爪)."""
    alts = []
    for word in (term, *vocabulary.synonyms.get(term, ())):
        expr, _ = _chinese_exact(word)
        alts.append(expr)
        terms.append(word)
        parsed.marks.add(word)
    return alts


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
