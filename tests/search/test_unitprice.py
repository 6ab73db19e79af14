"""The comparable unit price (元/kg) the price sort orders by."""

from __future__ import annotations

from decimal import Decimal

import pytest

from hotpot.search.unitprice import label, package_weights, per_kg


@pytest.mark.parametrize(
    ("price", "unit", "spec", "expected"),
    [
        ("48", "元/kg", "500g/袋×20袋/箱", "48.00"),  # per kg: as it is, whatever the spec
        ("48", "元/kg", "散装", "48.00"),
        ("24", "元/斤", "", "48.00"),  # 1 斤 = 500 g
        ("480", "元/箱", "500g/袋×20袋/箱", "48.00"),  # 箱 = 20 × 500 g
        ("480", "元/箱", "500g×20袋/箱", "48.00"),  # the brief's way of writing it
        ("480", "元/箱", "５００ｇ×２０袋／箱", "48.00"),  # full-width figures and letters
        ("480", "元/箱", "500克*20袋/箱", "48.00"),
        ("24", "元/袋", "500g/袋×20袋/箱", "48.00"),  # the inner package
        ("24", "元/袋", "500g×20袋/箱", "48.00"),
        ("200", "元/箱", "2.5kg/卷×4卷/箱", "20.00"),
        ("200", "元/箱", "20kg/箱", "10.00"),
        ("400", "元/箱", "10kg/桶×2桶/箱", "20.00"),
        ("300", "元/件", "10kg/袋×2袋/件", "15.00"),
        ("100", "元/袋", "25kg/袋", "4.00"),
        ("30000", "元/吨", "", "30.00"),
        ("240", "元/箱", "340g/罐×24罐/箱", "29.41"),
        ("100", "元/箱", "1公斤/袋×10袋/箱", "10.00"),
        ("10", "元/袋", "5斤/袋", "4.00"),
    ],
)
def test_unit_price_per_kg(price, unit, spec, expected):
    assert per_kg(Decimal(price), unit, spec) == Decimal(expected)


@pytest.mark.parametrize(
    ("unit", "spec"),
    [
        ("元/件", "5L/桶×4桶/件"),  # a volume: not comparable with a weight
        ("元/桶", "20L/桶"),
        ("元/箱", "500g/袋"),  # the 箱 is not weighed
        ("元/箱", "500g"),
        ("元/箱", "按需定制"),
        ("元/箱", ""),
        ("元/箱", None),
        ("元/箱", "500g/盒×20袋/箱"),  # contradicts itself
        ("元/箱", "0g/袋×20袋/箱"),
        ("元/件", "500g/袋 或 1kg/袋"),
        (None, "500g/袋×20袋/箱"),
        ("美元/kg", ""),
    ],
)
def test_no_unit_price_when_the_spec_does_not_weigh_the_unit(unit, spec):
    assert per_kg(Decimal("100"), unit, spec) is None


def test_no_price_no_unit_price():
    assert per_kg(None, "元/kg", "500g") is None


def test_package_weights_name_every_level():
    assert package_weights("250g/盒×40盒/箱") == {"盒": Decimal(250), "箱": Decimal(10000)}


def test_label_rounds_to_a_tenth():
    assert label(Decimal("29.41"), Decimal("35.00")) == "折合约 29.4–35 元/kg"
    assert label(Decimal("20.00"), Decimal("20.00")) == "折合约 20 元/kg"
    assert label(None, None) == ""
