"""The search's compact word tables cut and read every text as the libraries' own tables do (issue 12's memory):
jieba's dictionary in a trie (hotpot/search/wordcut.py) and pypinyin's phrase table with shared readings
(hotpot/search/pinyin_tables.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import jieba
import pytest

from hotpot.resources import resource_dir
from hotpot.search import text as tokens
from hotpot.search.pinyin_tables import Style, lazy_pinyin, pinyin
from hotpot.search.wordcut import CompactTokenizer, Frequencies
from tests.search.test_relevance import RELEVANCE

ADDED_LATER = ["毛肚王", "鸭肠子火锅", "千层毛肚", "合川新词"]


def _texts() -> list[str]:
    texts = [q for q, _ in RELEVANCE]
    for path in sorted(resource_dir("seed_data").glob("*.csv")):
        texts += [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts.append("重庆合川区毛肚王火锅底料有限公司生产的冷冻千层毛肚、鸭肠子火锅和合川新词，求购500斤毛肚")
    return texts


@pytest.fixture(scope="module")
def cutters() -> tuple[jieba.Tokenizer, CompactTokenizer]:
    plain, compact = jieba.Tokenizer(), CompactTokenizer()
    for cutter in (plain, compact):
        cutter.tmp_dir = None
        cutter.initialize()
        for word, freq in tokens.dictionary_words():
            cutter.add_word(word, freq)
    compact.compact()
    for cutter in (plain, compact):  # after the trie: the way synonyms are added (Vocabulary.set_synonyms)
        for word in ADDED_LATER:
            cutter.add_word(word, 2000)
    return plain, compact


def test_the_trie_holds_the_dictionary(cutters):
    plain, compact = cutters
    assert isinstance(compact.FREQ, Frequencies)
    for key in ["毛肚", "火锅底料", "火锅底", "毛肚王", "毛肚王x", "合川新", "不是词语的字串", "x"]:
        assert (key in compact.FREQ) == (key in plain.FREQ), key
        assert compact.FREQ.get(key) == plain.FREQ.get(key), key


def test_every_text_is_cut_the_same(cutters):
    plain, compact = cutters
    texts = _texts()
    assert len(texts) > 400
    for text in texts:
        assert list(compact.cut(text, HMM=False)) == list(plain.cut(text, HMM=False)), text
        assert list(compact.cut_for_search(text, HMM=False)) == list(plain.cut_for_search(text, HMM=False)), text
    # The words added after the trie are cut as words.
    assert "毛肚王" in compact.lcut("合川毛肚王火锅", HMM=False)


def test_the_platform_cuts_with_the_trie():
    tokens.vocabulary.ensure_loaded()
    assert isinstance(tokens.vocabulary.jieba.FREQ, Frequencies)


def test_pinyin_reads_as_with_pypinyins_own_tables():
    texts = [t for t in _texts() if tokens.CJK.search(t)]
    script = (
        "import json, sys\n"
        "from pypinyin import Style, lazy_pinyin, pinyin\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps([[lazy_pinyin(t), pinyin(t, style=Style.NORMAL, heteronym=True)] for t in texts]))\n"
    )
    # A process of its own: there pypinyin loads its phrase table itself (nothing of ours is imported).
    out = subprocess.run(
        [sys.executable, "-c", script], input=json.dumps(texts), capture_output=True, text=True, check=True
    )
    theirs = json.loads(out.stdout)
    ours = [[lazy_pinyin(t), pinyin(t, style=Style.NORMAL, heteronym=True)] for t in texts]
    assert ours == theirs
    assert lazy_pinyin("重庆长江银行行长") == ["chong", "qing", "chang", "jiang", "yin", "hang", "hang", "zhang"]
