"""The product taxonomy and demo enterprise-name seed files are well formed (plain CSV checks, no database)."""

from __future__ import annotations

import csv
import re
from collections import Counter
from pathlib import Path

SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"

CATEGORY_COLUMNS = [
    "code",
    "parent_code",
    "name",
    "position",
    "storage",
    "shelf_life_days",
    "sc_food_class",
    "unit",
    "price_min",
    "price_max",
    "specs",
    "standards",
    "name_variants",
    "synonyms",
    "name_en",
    "name_en_variants",
]
# The English trade name and its alternatives: Latin letters, digits, spaces and a little punctuation.
ENGLISH = re.compile(r"[A-Za-z0-9][A-Za-z0-9 '&,.()/-]*")
KINDS = [
    ("shuifa", "水发类"),
    ("shuichan", "水产类"),
    ("rou", "肉类"),
    ("zhiwudanbai", "植物蛋白类"),
    ("shucai", "蔬菜类"),
    ("tiaoweiliao", "火锅调味料"),
]
MUST_INCLUDE = [
    "毛肚",
    "鸭肠",
    "黄喉",
    "午餐肉",
    "肥牛卷",
    "虾滑",
    "鱼豆腐",
    "腐竹",
    "魔芋制品",
    "宽粉",
    "牛油火锅底料",
    "清油火锅底料",
    "蘸料",
]
STORAGES = {"frozen", "chilled", "ambient"}
UNITS = {"元/kg", "元/箱", "元/袋", "元/件"}
ENTERPRISE_KINDS = {code for code, _ in KINDS} | {"cold_chain", "base"}


def _read(name: str) -> tuple[list[str], list[dict[str, str]]]:
    with (SEED_DIR / name).open(encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def _split(value: str) -> list[str]:
    return [part for part in value.split("|") if part] if value else []


def _categories() -> tuple[list[dict[str, str]], list[dict[str, str]]]:
    header, rows = _read("product_categories.csv")
    assert header == CATEGORY_COLUMNS
    level1 = [row for row in rows if not row["parent_code"]]
    level2 = [row for row in rows if row["parent_code"]]
    return level1, level2


def test_level1_rows_are_the_six_kinds_in_order() -> None:
    level1, _ = _categories()
    assert [(row["code"], row["name"]) for row in level1] == KINDS
    assert [int(row["position"]) for row in level1] == list(range(1, len(KINDS) + 1))
    for row in level1:
        assert all(not row[column] for column in CATEGORY_COLUMNS[4:-2]), row["code"]


def test_codes_are_unique_slugs_and_parents_are_kinds() -> None:
    level1, level2 = _categories()
    codes = [row["code"] for row in level1 + level2]
    assert len(codes) == len(set(codes))
    for code in codes:
        assert re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", code), code
    kind_codes = {row["code"] for row in level1}
    assert len(level2) >= 40
    for row in level2:
        assert row["parent_code"] in kind_codes, row["code"]


def test_each_kind_has_enough_children_in_position_order() -> None:
    _, level2 = _categories()
    counts = Counter(row["parent_code"] for row in level2)
    for code, _name in KINDS:
        assert counts[code] >= 5, code
        positions = [int(row["position"]) for row in level2 if row["parent_code"] == code]
        assert positions == list(range(1, len(positions) + 1)), code


def test_level2_facts_are_valid() -> None:
    _, level2 = _categories()
    names = [row["name"] for row in level2]
    assert len(names) == len(set(names))
    for row in level2:
        code = row["code"]
        assert row["storage"] in STORAGES, code
        assert row["shelf_life_days"].isdigit(), code
        assert int(row["shelf_life_days"]) > 0, code
        sc_class = row["sc_food_class"]
        assert len(sc_class) == 2, code
        assert sc_class.isdigit(), code
        assert 1 <= int(sc_class) <= 31, code
        assert row["unit"] in UNITS, code
        price_min, price_max = float(row["price_min"]), float(row["price_max"])
        assert 0 < price_min <= price_max, code
        specs = _split(row["specs"])
        assert 2 <= len(specs) <= 4, code
        assert all("/" in spec for spec in specs), code
        assert 1 <= len(_split(row["standards"])) <= 3, code
        assert 3 <= len(_split(row["name_variants"])) <= 6, code


def test_must_include_names_and_synonyms() -> None:
    _, level2 = _categories()
    by_name = {row["name"]: row for row in level2}
    missing = [name for name in MUST_INCLUDE if name not in by_name]
    assert not missing
    maodu_synonyms = _split(by_name["毛肚"]["synonyms"])
    assert "牛百叶" in maodu_synonyms
    assert "千层肚" in maodu_synonyms


def test_every_kind_and_category_has_an_english_trade_name_with_alternatives() -> None:
    level1, level2 = _categories()
    names = [row["name_en"] for row in level1 + level2]
    assert len({n.lower() for n in names}) == len(names)
    for row in level1 + level2:
        alternatives = _split(row["name_en_variants"])
        assert ENGLISH.fullmatch(row["name_en"]), row["code"]
        assert len(row["name_en"]) <= 60, row["code"]
        assert 1 <= len(alternatives) <= 6, row["code"]
        assert len(row["name_en_variants"]) <= 300, row["code"]
        assert all(ENGLISH.fullmatch(a) for a in alternatives), row["code"]
        assert row["name_en"].lower() not in {a.lower() for a in alternatives}, row["code"]
    by_name = {row["name"]: row for row in level2}
    assert by_name["毛肚"]["name_en"] == "Beef omasum"
    assert {"beef tripe", "tripe"} <= set(_split(by_name["毛肚"]["name_en_variants"]))
    assert "konnyaku" in _split(by_name["魔芋制品"]["name_en_variants"])
    assert "yellow throat" in _split(by_name["黄喉"]["name_en_variants"])


def test_demo_enterprise_names() -> None:
    header, rows = _read("demo_enterprise_names.csv")
    assert header == ["trade_name", "kind"]
    names = [row["trade_name"] for row in rows]
    assert len(set(names)) >= 120
    assert len(names) == len(set(names))
    assert all(2 <= len(name) <= 4 for name in names)
    assert {row["kind"] for row in rows} <= ENTERPRISE_KINDS
    counts = Counter(row["kind"] for row in rows)
    assert all(counts[kind] > 0 for kind in ENTERPRISE_KINDS)
