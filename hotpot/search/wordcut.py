"""jieba's word cutter with its dictionary in a marisa trie: the same cuts in a fraction of the memory (issue 12).

jieba keeps its dictionary as a dict of every word and every prefix of a word (498,000 strings with an int each,
some 75 MB of a serving process). `CompactTokenizer.compact()` moves it into a `marisa_trie.Trie` of the words
with a count (350,000 words in a few MB, marisa-trie being the well-kept library made for static string sets) and
an array of their counts; a prefix is then "in the dictionary" when some word starts with it, as jieba's prefix
entries said. The DAG of a sentence reads every word that starts at a position in one call
(`Trie.prefixes`) instead of one dict lookup per longer fragment. Words added afterwards (synonyms an admin adds)
go to a small dict beside the trie, prefixes included, the way jieba adds them. What jieba reads of its
dictionary (`in`, `[]`, `.get`) answers as before, so every cut is the same (tests/search/test_wordcut.py).
"""

from __future__ import annotations

from array import array
from math import log

import jieba
import marisa_trie


class Frequencies:
    """What jieba reads of its FREQ dict, over a trie of the counted words and a dict of words added later."""

    __slots__ = ("counts", "extra", "extra_prefixes", "trie")

    def __init__(self, table: dict[str, int]) -> None:
        words = [w for w, n in table.items() if n]
        self.trie = marisa_trie.Trie(words)
        self.counts = array("Q", bytes(8 * len(self.trie)))
        for word in words:
            self.counts[self.trie[word]] = table[word]
        self.extra: dict[str, int] = {}
        self.extra_prefixes: set[str] = set()  # every prefix of an added word, the word too

    def count(self, word: str) -> int | None:
        """The word's count; None when it is not a word (a prefix of one or nothing)."""
        if self.extra:
            found = self.extra.get(word)
            if found is not None:
                return found
        i = self.trie.get(word)
        return self.counts[i] if i is not None else None

    def get(self, key: str, default: int | None = None) -> int | None:
        found = self.count(key)
        if found is not None:
            return found
        # jieba kept every prefix of a word with the count 0.
        return 0 if key in self else default

    def __getitem__(self, key: str) -> int:
        found = self.get(key)
        if found is None:
            raise KeyError(key)
        return found

    def __contains__(self, key: str) -> bool:
        return key in self.extra_prefixes or next(self.trie.iterkeys(key), None) is not None

    def __setitem__(self, key: str, value: int) -> None:
        self.extra[key] = value
        self.extra_prefixes.update(key[: j + 1] for j in range(len(key)))

    def __len__(self) -> int:
        return len(self.trie) + len(self.extra)


class CompactTokenizer(jieba.Tokenizer):
    def compact(self) -> None:
        """Move the dictionary (with the words added so far) into the trie; call once, after initialize()."""
        self.check_initialized()
        if not isinstance(self.FREQ, Frequencies):
            self.FREQ = Frequencies(self.FREQ)

    def calc(self, sentence: str, DAG: dict[int, list[int]], route: dict[int, tuple[float, int]]) -> None:  # noqa: N803
        """jieba's calc (the most likely route through the DAG), reading a word's count without the prefix test that
        `get` makes for a miss (a miss counts 1 here either way)."""
        freq = self.FREQ
        if not isinstance(freq, Frequencies):
            return super().calc(sentence, DAG, route)
        count = freq.count
        n = len(sentence)
        route[n] = (0, 0)
        logtotal = log(self.total)
        for idx in range(n - 1, -1, -1):
            route[idx] = max((log(count(sentence[idx : x + 1]) or 1) - logtotal + route[x + 1][0], x) for x in DAG[idx])
        return None

    def get_DAG(self, sentence: str) -> dict[int, list[int]]:  # noqa: N802 - jieba's name
        freq = self.FREQ
        if not isinstance(freq, Frequencies):
            return super().get_DAG(sentence)
        prefixes, extra, extended = freq.trie.prefixes, freq.extra, freq.extra_prefixes
        dag: dict[int, list[int]] = {}
        n = len(sentence)
        for k in range(n):
            ends = [k + len(w) - 1 for w in prefixes(sentence[k:])]
            if extra:
                i, frag = k, sentence[k]
                while i < n and frag in extended:
                    if extra.get(frag) and i not in ends:
                        ends.append(i)
                    i += 1
                    frag = sentence[k : i + 1]
                ends.sort()
            dag[k] = ends or [k]
        return dag
