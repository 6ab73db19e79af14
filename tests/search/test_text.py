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


# --- english: English names, stemming, mixed short forms, homophones of synonyms -----------------------------------


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("omasums", "omasum"),
        ("omasum", "omasum"),
        ("tripes", "tripe"),
        ("mushrooms", "mushroom"),
        ("chillies", "chilli"),
        ("potatoes", "potato"),
        ("ox", "ox"),  # under three letters: as it is
    ],
)
def test_english_plurals_fold_to_the_singular(word, expected):
    assert t.stem(word) == expected


def test_plural_and_singular_share_a_stem_where_the_stem_is_not_a_word():
    assert t.stem("noodles") == t.stem("noodle")
    assert t.stem("dumplings") == t.stem("dumpling")
    assert t.stem("sausages") == t.stem("sausage")


def test_english_keys_hold_words_stems_and_joined_neighbours_within_a_phrase():
    keys = t.english_keys(t.normalize("Hot pot seasonings|Fish balls"))
    assert {"hot", "pot", "hotpot", "seasonings", "season", "potseasonings", "fish", "balls", "ball"} <= keys
    assert "seasoningsfish" not in keys  # "|" ends a phrase


def test_a_document_carries_english_words_stemmed_and_joined():
    match, rank = t.document_vectors([("千层毛肚", "A", True), ("Beef omasums", "A", False)], rank_fields=2)
    words = set(match.split(" "))
    assert {"'beef'", "'omasums'", "'omasum'", "'beefomasums'"} <= words
    assert "'omasum':1A" in rank.split(" ")


def _with_seed_synonyms():
    import csv

    from hotpot.resources import resource_dir

    with (resource_dir("seed_data") / "search_synonyms.csv").open(encoding="utf-8") as f:
        groups = [row["terms"].split("|") for row in csv.DictReader(f)]
    t.vocabulary.set_synonyms(groups, version=-3)


@pytest.fixture
def seed_synonyms():
    _with_seed_synonyms()
    yield
    t.vocabulary.version = None


def test_an_english_query_matches_stems_and_names_its_category(seed_synonyms):
    parsed = t.parse_query("Pork Brains")
    assert "'brain'" in parsed.match  # the stem of brains
    assert parsed.codes == {"zhu-naohua"}
    assert "猪脑花" in parsed.marks  # the results mark the Chinese name
    assert parsed.understood == ["pork brains → 猪脑花"]
    assert t.parse_query("beef omasum").codes == {"maodu"}
    assert t.parse_query("konnyaku").codes == {"moyu"}
    assert t.parse_query("hot pot seasoning").codes == {
        "niuyou-diliao",
        "qingyou-diliao",
        "fanqie-diliao",
        "juntang-diliao",
    }


def test_two_english_words_match_written_as_one_and_one_as_two(seed_synonyms):
    assert "'hotpot'" in t.parse_query("hot pot base").match
    assert t.parse_query("hotpot seasoning").codes == t.parse_query("hot pot seasoning").codes
    assert "hotpot" in t.english_keys("hot pot soup base")


def test_an_english_word_is_not_taken_for_misspelt_pinyin(seed_synonyms):
    assert t.parse_query("beef").understood == []  # many categories: nothing to say
    assert t.parse_query("enoki").understood == ["enoki → 金针菇"]
    assert t.parse_query("kelp").understood == ["kelp → 海带"]


@pytest.mark.parametrize(
    ("letters", "pieces"),
    [
        ("xhua", (("x", False), ("hua", True))),
        ("hgdliao", (("h", False), ("g", False), ("d", False), ("liao", True))),
        ("mdu", (("m", False), ("du", True))),
        ("zhmd", None),  # initials only: not a mixed form
    ],
)
def test_mixed_readings_of_initials_and_syllables(letters, pieces):
    readings = t.mixed_readings(letters)
    if pieces is None:
        assert readings == ()
    else:
        assert pieces in readings
    assert all(not all(whole for _, whole in r) for r in readings)  # syllables only: that is pinyin
    assert (("mao", True), ("du", True)) not in t.mixed_readings("maodu")


@pytest.mark.parametrize(
    ("query", "term"),
    [("hgdliao", "火锅底料"), ("xhua", "虾滑"), ("mdu", "毛肚"), ("ychang", "鸭肠"), ("huoguodl", "火锅底料")],
)
def test_a_mixed_short_form_reads_as_the_term_it_spells(seed_synonyms, query, term):
    parsed = t.parse_query(query)
    assert f"{query} → {term}" in parsed.understood
    assert term in parsed.marks
    spans = t.highlight_spans(f"精品{term}", parsed)
    assert "".join(f"精品{term}"[a:b] for a, b in spans) == term


def test_the_existing_pinyin_forms_are_read_as_before(seed_synonyms):
    for q in ("maodu", "maod", "yach", "huoguodil", "hgdl", "md", "jinzhen"):
        assert t.parse_query(q).understood == [], q
    assert t.parse_query("yachnag").understood == ["yachnag → 鸭肠"]  # still the typo path
    assert t.parse_query("maod").match == "'maod':*"


@pytest.mark.parametrize(
    ("query", "synonym", "code"),
    [
        ("鸡抓", "凤爪", "fengzhua"),  # 抓 for 爪 inside the synonym 鸡爪
        ("血汪", "鸭血", "ya-xue"),  # 汪 for 旺 inside 血旺
        ("牛白叶", "毛肚", "maodu"),  # 白 for 百 inside 牛百叶
        ("苕分", "红薯粉", "hongshu-fen"),  # 分 for 粉 inside 苕粉
        ("千层堵", "毛肚", "maodu"),  # 堵 for 肚, cut by jieba into 千层 + 堵
    ],
)
def test_a_homophone_inside_a_synonym_brings_the_synonym_group(seed_synonyms, query, synonym, code):
    parsed = t.parse_query(query)
    assert f"'{synonym}'" in parsed.match or all(f"'{synonym[i : i + 2]}'" in parsed.match for i in range(2))
    assert code in parsed.codes
    assert synonym in parsed.marks


def test_whole_pinyin_of_a_synonym_brings_its_group(seed_synonyms):
    parsed = t.parse_query("jizhua")
    assert "'凤爪'" in parsed.match
    assert parsed.codes == {"fengzhua"}


def test_a_known_word_is_not_widened_by_its_sound(seed_synonyms):
    # 鸭肠 is a term itself: it brings its own synonyms, not those of another term that sounds the same.
    assert t.vocabulary.sounds_like("鸭肠") == []
    assert t.vocabulary.sounds_like("鸡抓")[0][0] == "鸡爪"
