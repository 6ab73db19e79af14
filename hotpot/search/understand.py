"""Reading a buyer's query before matching: attributes become filters, noise words go, the rest is the text query.

`understand("求购500斤双槐镇冷冻毛肚")` gives the text query `毛肚` and the conditions 冷冻 (storage), 双槐镇 (town)
and 500斤 (a quantity: shown, never a filter). It recognises, in any position, with or without spaces, in Chinese
and in pinyin:

- storage words (冷冻/速冻/冻品 → frozen, 冷藏/冰鲜/鲜品 → chilled, 常温/干货 → ambient);
- towns by full name (双槐镇), short name (双槐) and pinyin (shuanghuai), and a full name with one wrong character
  (双怀镇) when only one town is that close; park groups (南溪组团, 南溪);
- certificate kinds with their short forms (有机, 绿色, HACCP, SC, 有SC的, 地理标志 ...), brand levels (区域公用品牌);
- quantities (500斤, 5kg), which rank a matching specification first but never filter;
- noise words (我要, 采购, 哪里有, 的, 供应商, 多少钱 ..., seed_data/search_noise_words.txt plus the admins' list).

Two rules keep ingredient names whole: the longest known word wins over an attribute word inside it (冷冻猪脑花
stays one word unless what follows the attribute is itself an ingredient: 冰鲜鸭肠 → 冰鲜 + 鸭肠), and noise never
cuts a known word (带鱼 keeps its 带). A short town name is a place only where it stands apart (a space, another
condition or an ingredient name next to it: 双槐 脑花, 双槐脑花); glued to other text (云门老火锅) it is a trade name
and stays text, and a query that is nothing but a short town name (钓鱼城) is searched as text too, since
enterprises and brands carry those names. Pure Python: the vocabularies are built once per vocabulary version.
"""

from __future__ import annotations

import csv
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from rapidfuzz import process
from rapidfuzz.distance import OSA

from hotpot.brands.models import BRAND_LEVELS
from hotpot.certificates.models import CERT_KINDS
from hotpot.enterprises.models import PARK_GROUPS
from hotpot.products.models import STORAGE_SHORT
from hotpot.resources import resource_dir
from hotpot.search import text as tokens

# The kinds of condition, weakest first: relaxing a query that finds nothing drops them in this order. A brand
# level is rarely what a buyer insists on; a park group is a wider place than a town, and both matter less than
# a certificate the buyer asked for; the storage is a property of the product itself (a frozen 毛肚 is another
# article than a chilled one), so it goes last. A quantity never filters, so it is never dropped.
FILTER_KINDS = ("brand_level", "park", "town", "cert", "storage")
KINDS = (*FILTER_KINDS, "quantity", "spelling")
KIND_LABELS = {
    "storage": "储存方式",
    "town": "产地镇街",
    "park": "园区组团",
    "cert": "资质认证",
    "brand_level": "品牌级别",
    "quantity": "数量",
    "spelling": "纠错",
}

STORAGE_WORDS = {
    "frozen": ("冷冻", "速冻", "冻品", "急冻", "冷冻品", "速冻品"),
    "chilled": ("冷藏", "冰鲜", "鲜品", "保鲜", "冷鲜"),
    "ambient": ("常温", "干货", "常温保存", "干品"),
}
CERT_WORDS = {
    "sc": ("sc", "sc认证", "sc证", "食品生产许可", "食品生产许可证", "生产许可", "生产许可证", "qs"),
    "green_food": ("绿色", "绿色食品", "绿标", "绿色认证"),
    "organic": ("有机", "有机产品", "有机食品", "有机认证"),
    "agri_gi": ("地理标志", "农产品地理标志", "地标产品", "国家地理标志"),
    "gi_product": ("地理标志保护产品",),
    "haccp": ("haccp", "haccp认证"),
    "iso22000": ("iso22000", "iso 22000"),
    "china_time_honored": ("中华老字号",),
    "cq_time_honored": ("重庆老字号",),
    "export_record": ("出口备案", "出口食品生产企业备案", "出口食品备案"),
}
BRAND_WORDS = {
    "regional_public": ("区域公用品牌", "区域品牌", "公用品牌", "区域公共品牌"),
    "cluster": ("集群品牌", "产业集群品牌"),
    "enterprise": ("企业品牌",),
    "product": ("产品品牌",),
}
PARK_WORDS = {"nanxi": ("南溪组团", "南溪"), "longshi": ("龙市组团",), "wuzun": ("五尊组团", "五尊")}
# Short names of a town that are also everyday words are left out (none so far); a full name always counts.
TOWN_SUFFIXES = ("街道", "镇")
LATIN = re.compile(r"[a-z]+[0-9]*|[0-9]+(?:\.[0-9]+)?")


@dataclass(frozen=True)
class Condition:
    kind: str  # one of KINDS
    value: str  # the filter's value (frozen, 500117126, organic ...) or, for a quantity, grams or millilitres
    label: str  # what the chip says, in Chinese
    words: tuple[str, ...]  # the words of the query it came from

    @property
    def is_filter(self) -> bool:
        return self.kind in FILTER_KINDS

    @property
    def strength(self) -> int:
        """Its place in FILTER_KINDS: the lowest is dropped first when a query is relaxed."""
        return FILTER_KINDS.index(self.kind) if self.kind in FILTER_KINDS else len(FILTER_KINDS)


@dataclass(frozen=True)
class Understanding:
    query: str  # the normalized query
    text_query: str  # what is left to match as text
    conditions: tuple[Condition, ...] = ()
    noise: tuple[str, ...] = ()
    # Where each condition's words sit in `query`: (start, end, index into conditions).
    spans: tuple[tuple[int, int, int], ...] = field(default=(), repr=False)

    @property
    def filters(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.is_filter)

    @property
    def quantities(self) -> tuple[Condition, ...]:
        return tuple(c for c in self.conditions if c.kind == "quantity")

    def without(self, condition: Condition) -> str:
        """The query with this condition's words taken out and everything else kept (a chip's × link)."""
        index = self.conditions.index(condition)
        chars = list(self.query)
        for start, end, i in self.spans:
            if i == index:
                chars[start:end] = [" "] * (end - start)
        return " ".join("".join(chars).split())


# --- the vocabulary -------------------------------------------------------------------------------------------------


@dataclass
class _Phrase:
    kind: str  # a condition kind, or "noise"
    value: str
    label: str
    short_town: bool = False  # a town or park's short name: a place only where it stands apart


def _towns() -> list[tuple[str, str]]:
    with (resource_dir("seed_data") / "towns.csv").open(encoding="utf-8") as f:
        return [(row["code"], row["name"]) for row in csv.DictReader(f)]


def _short(name: str) -> tuple[str, str]:
    for suffix in TOWN_SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)], suffix
    return name, ""


def seed_noise_words() -> list[str]:
    path = resource_dir("seed_data") / "search_noise_words.txt"
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            out.append(tokens.normalize(line))
    return out


def _pinyin(phrase: str) -> str:
    return "".join(tokens.pinyin_of(phrase)) if tokens.CJK.fullmatch(phrase) else ""


class Reader:
    """The phrase tables of one vocabulary version (the trade dictionary, synonyms and the noise list)."""

    def __init__(self, extra_noise: Iterable[str] = ()) -> None:
        voc = tokens.vocabulary
        voc.ensure_loaded()
        self.chinese: dict[str, _Phrase] = {}
        self.latin: dict[str, _Phrase] = {}
        self.towns: dict[str, tuple[str, str, str]] = {}  # short name → (code, full name, suffix)

        def add(words: Iterable[str], phrase: _Phrase, *, with_pinyin: bool = True) -> None:
            for word in words:
                word = tokens.normalize(word)
                if tokens.CJK.search(word):
                    self.chinese.setdefault(word, phrase)
                    sound = _pinyin(word)
                    if with_pinyin and len(sound) >= 4:
                        self.latin.setdefault(sound, phrase)
                else:
                    self.latin.setdefault(word.replace(" ", ""), phrase)

        for value, words in STORAGE_WORDS.items():
            add(words, _Phrase("storage", value, STORAGE_SHORT[value]))
        for value, words in CERT_WORDS.items():
            add(words, _Phrase("cert", value, CERT_KINDS[value]))
        for value, words in BRAND_WORDS.items():
            add(words, _Phrase("brand_level", value, BRAND_LEVELS[value]))
        for value, words in PARK_WORDS.items():
            full, *short = words
            add([full], _Phrase("park", value, PARK_GROUPS[value]))
            add(short, _Phrase("park", value, PARK_GROUPS[value], short_town=True))
        for code, name in _towns():
            short, suffix = _short(name)
            self.towns[short] = (code, name, suffix)
            add([name], _Phrase("town", code, name))
            if short != name:
                add([short], _Phrase("town", code, name, short_town=True))
        self.town_sounds = {
            _pinyin(short): short for short in self.towns if len(_pinyin(short)) >= 6 and _pinyin(short)
        }

        # Known words: the trade dictionary, category names and their variants, synonyms. They protect the
        # attribute or noise words inside them; ingredient names also mark where a short town name stands apart.
        attribute = set(self.chinese)
        self.ingredients = {t for t in voc.term_codes if len(t) >= 2 and t not in attribute}
        known = {w for w, _ in tokens.dictionary_words()} | set(voc.synonyms) | self.ingredients
        # A noise word that names an ingredient (an admin's slip: 毛肚) is never dropped; one that is only a word of
        # the trade dictionary (批发) is noise.
        noise = {tokens.normalize(w) for w in [*seed_noise_words(), *extra_noise] if w.strip()}
        self.noise = {w for w in noise if w not in self.ingredients and w not in attribute}
        self.known = {w for w in known if len(w) >= 2 and w not in attribute and w not in self.noise}
        for word in sorted(self.noise):
            self.chinese.setdefault(word, _Phrase("noise", word, word))
            sound = _pinyin(word)
            if len(word) >= 2 and len(sound) >= 5 and sound not in voc.pinyin_terms:
                self.latin.setdefault(sound, _Phrase("noise", word, word))
        self.max_len = max(map(len, [*self.chinese, *self.known]))
        # What may stand next to a short place name for it to count as a place: a part of an ingredient's name
        # (脑花, 底料, 火锅 ...), not any word (老火锅 is a brand's tail, 云门老火锅).
        self.ingredient_parts = {
            term[i:j] for term in self.ingredients for i in range(len(term)) for j in range(i + 2, len(term) + 1)
        }
        self.latin_prefixes = sorted((k for k in self.latin if len(k) >= 4), key=len, reverse=True)

    # --- reading ---------------------------------------------------------------------------------------------------

    def understand(self, q: str) -> Understanding:
        norm = " ".join(tokens.normalize(q).split())[:100]
        found: list[tuple[int, int, _Phrase, str]] = []  # (start, end, phrase, the words as typed)
        taken = [False] * len(norm)

        def claim(start: int, end: int, phrase: _Phrase) -> None:
            found.append((start, end, phrase, norm[start:end]))
            for i in range(start, end):
                taken[i] = True

        for m in tokens.QUANTITY.finditer(norm):
            claim(m.start(), m.end(), _Phrase("quantity", tokens.quantities(m.group())[0], m.group().replace(" ", "")))
        for m in re.finditer(r"iso\s*22000", norm):
            if not any(taken[m.start() : m.end()]):
                claim(m.start(), m.end(), _Phrase("cert", "iso22000", CERT_KINDS["iso22000"]))
        for m in tokens.CJK.finditer(norm):
            for start, end, phrase in self._chinese(m.group()):
                if not any(taken[m.start() + start : m.start() + end]):
                    claim(m.start() + start, m.start() + end, phrase)
        for m in LATIN.finditer(norm):
            if any(taken[m.start() : m.end()]):
                continue
            for start, end, phrase in self._latin(m.group()):
                claim(m.start() + start, m.start() + end, phrase)
        found.sort(key=lambda f: f[0])

        rest = list(norm)
        for start, end, _, _ in found:
            rest[start:end] = [" "] * (end - start)
        text_query = " ".join("".join(rest).split())
        places = [f for f in found if f[2].kind in ("town", "park")]
        if not text_query and places and all(f[2].short_town for f in places) and len(places) == len(found):
            # Nothing but a short place name (钓鱼城, 云门): as likely an enterprise's or brand's name, so text.
            return Understanding(norm, norm)

        conditions: list[Condition] = []
        spans: list[tuple[int, int, int]] = []
        noise: list[str] = []
        for start, end, phrase, typed in found:
            if phrase.kind == "noise":
                noise.append(typed)
                continue
            same = next((i for i, c in enumerate(conditions) if c.kind == phrase.kind), None)
            if same is not None and phrase.kind != "quantity":
                if conditions[same].value == phrase.value:  # 冷冻 速冻: one condition, two words
                    c = conditions[same]
                    conditions[same] = Condition(c.kind, c.value, c.label, (*c.words, typed))
                    spans.append((start, end, same))
                else:  # a second town or storage: a filter has one value, the first one typed wins
                    noise.append(typed)
                continue
            conditions.append(Condition(phrase.kind, phrase.value, phrase.label, (typed,)))
            spans.append((start, end, len(conditions) - 1))
        if not text_query and not conditions:
            return Understanding(norm, norm, noise=tuple(noise))  # only noise (我要): search it as typed
        return Understanding(norm, text_query, tuple(conditions), tuple(noise), tuple(spans))

    def _chinese(self, run: str) -> list[tuple[int, int, _Phrase]]:
        """Conditions and noise words in one run of Chinese characters, as (start, end, phrase)."""
        n = len(run)
        words: list[tuple[int, int]] = []  # known words (dictionary, synonyms, categories)
        candidates: list[tuple[int, int, _Phrase]] = []
        for i in range(n):
            for j in range(i + 1, min(n, i + self.max_len) + 1):
                piece = run[i:j]
                if piece in self.chinese:
                    candidates.append((i, j, self.chinese[piece]))
                if j - i >= 2 and piece in self.known:
                    words.append((i, j))
        candidates += self._town_typos(run)

        def inside_known(i: int, j: int, phrase: _Phrase) -> bool:
            for a, b in words:
                if phrase.kind == "noise" and a < j and i < b:
                    return True  # noise never cuts a known word, even partly (带 of 带鱼)
                if a <= i and j <= b and (b - a) > (j - i):
                    # 冰鲜鸭肠 is 冰鲜 + an ingredient; 冷冻猪脑花 too; a word that is more than that stays whole.
                    left, right = run[a:i], run[j:b]
                    if not (left or right) or not (self._is_word(left) and self._is_word(right)):
                        return True
            return False

        kept = [c for c in candidates if not inside_known(*c)]
        # Longest first, then conditions before noise, then leftmost.
        kept.sort(key=lambda c: (-(c[1] - c[0]), c[2].kind == "noise", c[0]))
        chosen: list[tuple[int, int, _Phrase]] = []
        used = [False] * n
        for i, j, phrase in kept:
            if any(used[i:j]):
                continue
            chosen.append((i, j, phrase))
            for k in range(i, j):
                used[k] = True
        chosen.sort(key=lambda c: c[0])
        # A short place name glued to other text is a trade name (云门老火锅): keep it only where it stands apart.
        out = []
        for i, j, phrase in chosen:
            if phrase.short_town and not (self._apart(run, i, j, chosen, left=True) and self._apart(run, i, j, chosen)):
                continue
            out.append((i, j, phrase))
        return out

    def _is_word(self, piece: str) -> bool:
        return not piece or piece in self.ingredients or piece in self.known

    def _apart(self, run: str, i: int, j: int, chosen, *, left: bool = False) -> bool:
        edge = i if left else j
        if edge in (0, len(run)):
            return True
        if any((b == i) if left else (a == j) for a, b, _ in chosen):
            return True  # next to another condition or a noise word
        if left:
            return any(run[i - k : i] in self.ingredient_parts for k in range(2, min(i, self.max_len) + 1))
        return any(run[j : j + k] in self.ingredient_parts for k in range(2, min(len(run) - j, self.max_len) + 1))

    def _town_typos(self, run: str) -> list[tuple[int, int, _Phrase]]:
        """A full town name with one wrong character (双怀镇 → 双槐镇), when exactly one town is that close."""
        out = []
        for suffix in TOWN_SUFFIXES:
            at = run.find(suffix)
            while at != -1:
                for size in (2, 3):
                    start = at - size
                    if start < 0:
                        continue
                    piece = run[start:at]
                    close = [
                        short
                        for short, (_, _, s) in self.towns.items()
                        if s == suffix
                        and len(short) == size
                        and sum(a != b for a, b in zip(short, piece, strict=True)) == 1
                    ]
                    if len(close) > 1:  # 双怀镇 is one character from 双槐镇 and 双凤镇: the sound decides
                        close = [short for short in close if _pinyin(short) == _pinyin(piece)]
                    if len(close) == 1 and piece not in self.towns:
                        code, name, _ = self.towns[close[0]]
                        out.append((start, at + len(suffix), _Phrase("town", code, name)))
                at = run.find(suffix, at + 1)
        return out

    def _latin(self, run: str) -> list[tuple[int, int, _Phrase]]:
        """A Latin run that is a condition's pinyin or code (sudong, shuanghuai, haccp), or starts or ends with one."""
        voc = tokens.vocabulary
        if run in self.latin:
            term = voc.pinyin_terms.get(run)
            if term is None or term in self.chinese:
                return [(0, len(run), self.latin[run])]
            return []  # the pinyin of a known word (youji is also 油鸡 in the dictionary? then text)
        if not run.isalpha():
            return []
        for key in self.latin_prefixes:
            if len(key) >= len(run):
                continue
            if run.startswith(key) and _whole_pinyin(run[len(key) :]):
                return [(0, len(key), self.latin[key])]
            if run.endswith(key) and _whole_pinyin(run[: -len(key)]):
                return [(len(run) - len(key), len(run), self.latin[key])]
        if len(run) >= 8 and not voc.is_known_prefix(run):
            # shuanghaui → shuanghuai: one slip in a long town pinyin that is no known word's pinyin.
            found = process.extract(run, list(self.town_sounds), scorer=OSA.distance, score_cutoff=1, limit=2)
            if len(found) == 1:
                short = self.town_sounds[found[0][0]]
                code, name, _ = self.towns[short]
                return [(0, len(run), _Phrase("town", code, name))]
        return []


@lru_cache(maxsize=4096)
def _whole_pinyin(letters: str) -> bool:
    split = tokens.split_pinyin(letters)
    return bool(split) and not split[1] and len(split[0]) >= 1


_lock = threading.Lock()
_reader: Reader | None = None
_reader_key: tuple | None = None
_extra_noise: tuple[str, ...] = ()


def set_noise_words(words: Iterable[str]) -> None:
    """The admins' own noise words (on top of the seed list); the next query rebuilds the reader."""
    global _extra_noise
    _extra_noise = tuple(sorted({tokens.normalize(w) for w in words if w.strip()}))


def reader() -> Reader:
    """The reader of the current vocabulary (synonyms and noise words), built once per version."""
    global _reader, _reader_key
    key = (tokens.vocabulary.version, _extra_noise)
    if _reader is None or _reader_key != key:
        with _lock:
            if _reader is None or _reader_key != key:
                _reader = Reader(_extra_noise)
                _reader_key = key
    return _reader


def understand(q: str) -> Understanding:
    """What a query asks for: its conditions, its noise and the text left to match."""
    return reader().understand(q)
