"""The tokenizer: normalisation, quantities, pinyin splitting, query reading and highlighting."""

from __future__ import annotations

import pytest

from hotpot.search import text as t


def test_normalize_folds_full_width_case_and_traditional():
    assert t.normalize("ＭａｏＤＵ 千層毛肚 鴨腸") == "maodu 千层毛肚 鸭肠"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("5斤", ["2500g"]), ("2.5kg/袋", ["2500g"]), ("500克", ["500g"]), ("半斤", []), ("5L/桶", ["5000ml"])],
)
def test_quantities_are_normalised_to_grams_or_millilitres(text, expected):
    assert t.quantities(t.normalize(text)) == expected


@pytest.mark.parametrize(
    ("letters", "expected"),
    [
        ("maodu", (("mao", "du"), "")),
        ("huoguodil", (("huo", "guo", "di"), "l")),
        ("maod", (("mao",), "d")),
        ("xian", (("xian",), "")),
        ("hgdl", None),
        ("md", None),
    ],
)
def test_split_pinyin(letters, expected):
    assert t.split_pinyin(letters) == expected


def test_readings_include_every_sound_of_a_polyphonic_character():
    assert {"zhao", "zhua"} <= set(t.readings("爪"))
    assert {"chang", "zhang"} <= set(t.readings("长"))


def test_document_lexemes_carry_chinese_pinyin_initials_and_weights():
    match, rank = t.document_vectors([("千层毛肚", "A", True), ("冷链直发 2.5kg", "D", False)])
    lexemes = dict(item.rsplit(":1", 1) for item in rank.split(" "))
    assert lexemes["'毛肚'"] == "A"  # a pair of characters, and a jieba word
    assert lexemes["'千层毛肚'"] == "A"  # the whole word from the trade dictionary
    assert lexemes["'maodu'"] == "B"  # pinyin ranks below Chinese
    assert lexemes["'md'"] == "B"  # initials of a pair
    assert lexemes["'qcmd'"] == "B"  # initials of a word
    assert "'冷链'" not in lexemes  # only the name ranks
    words = set(match.split(" "))
    assert {"'冷链'", "'2500g'", "'maodu'", "'毛肚'"} <= words
    assert "'lenglian'" not in words  # no pinyin for descriptions


def test_a_query_names_the_categories_it_means():
    t.vocabulary.set_synonyms([["毛肚", "牛百叶"]], version=-2)
    try:
        assert t.parse_query("牛百叶").codes == {"maodu"}
        assert t.parse_query("maod").codes == {"maodu"}
        assert t.parse_query("底料").codes >= {"niuyou-diliao", "qingyou-diliao", "fanqie-diliao", "juntang-diliao"}
        assert t.parse_query("千层毛肚").codes == {"maodu"}
    finally:
        t.vocabulary.version = None


def test_query_reads_each_form():
    assert t.parse_query("maod").match == "'maod':*"
    assert "'huanghou'" in t.parse_query("黄猴").match  # same sound, wrong character
    assert "'yachang'" in t.parse_query("yachnag").match  # swapped letters
    assert t.parse_query("yachnag").understood == ["yachnag → 鸭肠"]
    assert "'hgdl':*" in t.parse_query("hgdl").match  # initials
    assert "'2500g'" in t.parse_query("5斤").match
    assert t.parse_query("   ").empty


def test_query_words_must_all_match():
    parsed = t.parse_query("牛油 火锅底料")
    assert parsed.match.startswith("(")
    assert " & " in parsed.match


def test_synonyms_are_applied_when_a_query_is_read():
    t.vocabulary.set_synonyms([["毛肚", "牛百叶"]], version=-1)
    try:
        assert "'牛百'" in t.parse_query("毛肚").match
        assert "'毛肚'" in t.parse_query("牛百叶").match
    finally:
        t.vocabulary.version = None


@pytest.mark.parametrize(
    ("query", "name", "marked"),
    [
        ("毛肚", "精品毛肚", "毛肚"),
        ("maod", "精品毛肚", "毛肚"),
        ("md", "精品毛肚", "毛肚"),
        ("黄猴", "水发黄喉", "黄喉"),
        ("hgdl", "重庆火锅底料", "火锅底料"),
        ("fengzhua", "卤香凤爪", "凤爪"),
        ("千層毛肚", "千层毛肚", "千层毛肚"),
    ],
)
def test_highlight_marks_what_matched(query, name, marked):
    spans = t.highlight_spans(name, t.parse_query(query))
    assert "".join(name[a:b] for a, b in spans) == marked
    assert (
        t.segments(name, spans)
        == [(name[: name.index(marked)], False), (marked, True)][(0 if name.index(marked) else 1) :]
    )
