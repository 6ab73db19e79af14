"""A comparable unit price (元/kg) from a product's price, price unit and specification, for sorting by price.

A price per kg is taken as it is; a price per 斤, g or 吨 is converted; a price per package (箱, 袋, 件, 桶 ...) is
divided by the package's weight when the specification says it: "500g/袋×20袋/箱" and "500g×20袋/箱" both give
箱 = 10 kg and 袋 = 0.5 kg, "20kg/箱" gives 箱 = 20 kg. Anything else (a volume such as "5L/桶", a package the
specification does not weigh, a specification in words) has no comparable price: None, sorted after the others.
Quantities are read the way the search reads them (hotpot.search.text: 5斤 = 2500g, 1公斤 = 1000g).
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from hotpot.search.text import UNIT_FACTOR, normalize

# Grams in one of each weight a price can be given per (元/kg, 元/斤 ...).
PRICE_WEIGHTS = {**UNIT_FACTOR, "吨": 1_000_000, "t": 1_000_000}
MASS = "|".join(sorted(map(re.escape, UNIT_FACTOR), key=len, reverse=True))
PACK = r"[\u4e00-\u9fff]{1,2}"
NUMBER = r"\d+(?:\.\d+)?"
# "500g", "500g/袋", "2.5 kg / 卷"
FIRST = re.compile(rf"({NUMBER})\s*({MASS})\s*(?:/\s*({PACK}))?")
# "20袋/箱", "4卷/箱", "24罐", "10"
NEXT = re.compile(rf"({NUMBER})\s*({PACK})?\s*(?:/\s*({PACK}))?")
TIMES = re.compile(r"\s*[×x*]\s*")
CENT = Decimal("0.01")


def package_weights(spec: str | None) -> dict[str, Decimal]:
    """Grams in each package a specification names ({'袋': 500, '箱': 10000}); {} when it cannot be read."""
    if not spec:
        return {}
    parts = TIMES.split(normalize(spec).strip())
    first = FIRST.fullmatch(parts[0].strip())
    if first is None:
        return {}
    number, unit, pack = first.groups()
    weight = Decimal(number) * UNIT_FACTOR[unit]
    out: dict[str, Decimal] = {}
    if pack:
        out[pack] = weight
    for part in parts[1:]:
        step = NEXT.fullmatch(part.strip())
        if step is None:
            return {}
        count, inner, outer = step.groups()
        # "500g×20袋/箱": the 20 are 袋 of what came before; "500g/盒×20袋" contradicts itself.
        if inner and ((pack and inner != pack) or out.setdefault(inner, weight) != weight):
            return {}
        weight *= Decimal(count)
        pack = outer
        if outer and out.setdefault(outer, weight) != weight:
            return {}
    if weight <= 0:
        return {}
    return out


def per_kg(price: Decimal | None, unit: str | None, spec: str | None) -> Decimal | None:
    """The price in 元/kg, or None when the unit and specification give no weight to divide by."""
    if price is None or not unit:
        return None
    currency, _, per = normalize(unit).replace(" ", "").partition("/")
    if currency != "元" or not per:
        return None
    grams = PRICE_WEIGHTS.get(per)
    if grams is None:
        grams = package_weights(spec).get(per)
    if not grams:
        return None
    return (Decimal(price) * 1000 / Decimal(grams)).quantize(CENT, rounding=ROUND_HALF_UP)


def label(low: Decimal | None, high: Decimal | None) -> str:
    """'约 12.5–18 元/kg' for a hit whose price is given per package (empty when there is no unit price)."""
    if low is None:
        return ""

    def fmt(v: Decimal) -> str:
        return format(v.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize(), "f")

    if high is not None and high != low:
        return f"折合约 {fmt(low)}–{fmt(high)} 元/kg"
    return f"折合约 {fmt(low)} 元/kg"
