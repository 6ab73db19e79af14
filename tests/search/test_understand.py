"""The query reader: attributes in any position, in pinyin, with noise around them; ingredient names stay whole."""

from __future__ import annotations

import csv

import pytest

from hotpot.resources import resource_dir
from hotpot.search import text as tokens
from hotpot.search import understand as reader
from hotpot.search.understand import understand


@pytest.fixture(autouse=True)
def _seed_synonyms():
    """The synonyms of seed_data (what a fresh install has), without a database: the reader is pure Python."""
    with (resource_dir("seed_data") / "search_synonyms.csv").open(encoding="utf-8") as f:
        groups = [row["terms"].split("|") for row in csv.DictReader(f)]
    tokens.vocabulary.set_synonyms(groups, -1)
    reader.set_noise_words([])
    yield
    reader.set_noise_words([])


def read(q: str) -> tuple[str, dict[str, str]]:
    u = understand(q)
    return u.text_query, {c.kind: c.value for c in u.conditions}


SHUANGHUAI = "500117126"
LONGSHI_TOWN = "500117121"
CAOJIE = "500117005"


@pytest.mark.parametrize(
    ("query", "text", "conditions"),
    [
        # storage words before, after, glued, spaced
        ("速冻虾仁", "虾仁", {"storage": "frozen"}),
        ("虾仁 速冻", "虾仁", {"storage": "frozen"}),
        ("虾仁速冻", "虾仁", {"storage": "frozen"}),
        ("冻品 鱼丸", "鱼丸", {"storage": "frozen"}),
        ("冰鲜 鹅肠", "鹅肠", {"storage": "chilled"}),
        ("鲜品毛肚", "毛肚", {"storage": "chilled"}),
        ("冷藏黄喉", "黄喉", {"storage": "chilled"}),
        ("干货 木耳", "木耳", {"storage": "ambient"}),
        ("常温底料", "底料", {"storage": "ambient"}),
        # pinyin, spaced or run together
        ("xiaren sudong", "xiaren", {"storage": "frozen"}),
        ("sudongxiaren", "xiaren", {"storage": "frozen"}),
        ("lengcang yachang", "yachang", {"storage": "chilled"}),
        ("youji muer", "muer", {"cert": "organic"}),
        # towns: full, short, pinyin, a typo; park groups
        ("双槐镇脑花", "脑花", {"town": SHUANGHUAI}),
        ("双槐 脑花", "脑花", {"town": SHUANGHUAI}),
        ("脑花 双槐", "脑花", {"town": SHUANGHUAI}),
        ("shuanghuai naohua", "naohua", {"town": SHUANGHUAI}),
        ("双怀镇脑花", "脑花", {"town": SHUANGHUAI}),  # one wrong character (怀 sounds like 槐)
        ("草接街道黄喉", "黄喉", {"town": CAOJIE}),
        ("shuanghaui maodu", "maodu", {"town": SHUANGHUAI}),  # one slip in the pinyin
        ("龙市镇 毛肚", "毛肚", {"town": LONGSHI_TOWN}),
        ("南溪组团 底料", "底料", {"park": "nanxi"}),
        ("南溪底料", "底料", {"park": "nanxi"}),
        ("龙市组团鸭肠", "鸭肠", {"park": "longshi"}),
        # certificates and their short forms
        ("有机 木耳", "木耳", {"cert": "organic"}),
        ("HACCP 鱼丸", "鱼丸", {"cert": "haccp"}),
        ("绿色 宽粉", "宽粉", {"cert": "green_food"}),
        ("绿色食品宽粉", "宽粉", {"cert": "green_food"}),
        ("有SC的腐竹", "腐竹", {"cert": "sc"}),
        ("iso 22000 毛肚", "毛肚", {"cert": "iso22000"}),
        ("重庆老字号 底料", "底料", {"cert": "cq_time_honored"}),
        # brand levels
        ("区域公用品牌 毛肚", "毛肚", {"brand_level": "regional_public"}),
        ("集群品牌鸭肠", "鸭肠", {"brand_level": "cluster"}),
        # sentences with noise, quantities
        ("我要采购宽粉", "宽粉", {}),
        ("哪里有卖黄喉的", "黄喉", {}),
        ("做火锅底料的企业", "火锅底料", {}),
        ("黄喉供应商", "黄喉", {}),
        ("耗儿鱼多少钱", "耗儿鱼", {}),
        ("求购500斤毛肚", "毛肚", {"quantity": "250000g"}),
        ("5kg 牛油火锅底料", "牛油火锅底料", {"quantity": "5000g"}),
        # several at once
        ("求购双槐镇冷冻有机毛肚", "毛肚", {"town": SHUANGHUAI, "storage": "frozen", "cert": "organic"}),
        ("我想买南溪组团的冰鲜鸭肠200斤", "鸭肠", {"park": "nanxi", "storage": "chilled", "quantity": "100000g"}),
    ],
)
def test_conditions_are_read_in_any_position(query, text, conditions):
    assert read(query) == (text, conditions)


@pytest.mark.parametrize(
    "query",
    ["鲜毛肚", "冻豆腐", "干辣椒", "鲜鸭肠", "冻虾仁", "干黑木耳", "渝合毛肚老火锅", "带鱼"],
)
def test_an_ingredient_name_holding_an_attribute_word_stays_the_ingredient(query):
    """鲜, 冻 and 干 inside a name are not storage words; a noise character never cuts a known word."""
    u = understand(query)
    assert u.text_query == tokens.normalize(query)
    assert not [c for c in u.conditions if c.kind == "storage"]


def test_an_attribute_followed_by_an_ingredient_inside_a_dictionary_word_is_still_read():
    # 冰鲜鸭肠 and 冷冻猪脑花 are in the trade dictionary, but each is a storage word plus an ingredient.
    assert read("冰鲜鸭肠") == ("鸭肠", {"storage": "chilled"})
    assert read("冷冻猪脑花") == ("猪脑花", {"storage": "frozen"})


def test_a_bare_short_place_name_is_searched_as_text():
    """钓鱼城 and 云门 are also enterprises' and brands' names: alone they stay text; with 镇/街道 they are places."""
    assert read("钓鱼城") == ("钓鱼城", {})
    assert read("shuanghuai") == ("shuanghuai", {})
    assert read("双槐镇") == ("", {"town": SHUANGHUAI})
    assert read("钓鱼城街道") == ("", {"town": "500117002"})


def test_a_typo_that_is_as_close_to_two_towns_is_not_guessed():
    # 双X镇 with a character that sounds like neither 槐 nor 凤 is one edit from both 双槐镇 and 双凤镇.
    assert read("双木镇 毛肚")[1] == {}


def test_only_noise_is_searched_as_typed():
    assert read("我要") == ("我要", {})


def test_two_words_for_one_condition_give_one_condition_and_a_second_value_does_not_override():
    u = understand("冷冻 速冻 毛肚")
    assert [(c.kind, c.value, c.words) for c in u.conditions] == [("storage", "frozen", ("冷冻", "速冻"))]
    u = understand("冷冻 冷藏 毛肚")
    assert [(c.kind, c.value) for c in u.conditions] == [("storage", "frozen")]
    assert u.text_query == "毛肚"


def test_removing_a_condition_keeps_the_rest_of_the_query():
    u = understand("求购 双槐镇冷冻毛肚 500斤")
    by_kind = {c.kind: c for c in u.conditions}
    assert u.without(by_kind["town"]) == "求购 冷冻毛肚 500斤"
    assert u.without(by_kind["storage"]) == "求购 双槐镇 毛肚 500斤"
    assert u.without(by_kind["quantity"]) == "求购 双槐镇冷冻毛肚"


def test_labels_are_chinese():
    u = understand("sudong shuanghuaizhen haccp maodu")
    assert [c.label for c in u.conditions] == ["冷冻", "双槐镇", "HACCP 体系认证"]


def test_admins_noise_words_are_dropped_and_never_an_ingredient():
    assert read("急要 毛肚") == ("急要 毛肚", {})
    reader.set_noise_words(["急要", "毛肚"])
    assert read("急要 毛肚") == ("毛肚", {})  # 毛肚 is a category name: never noise
