"""The query reader alone (hotpot/search/understand.py): median and p95 per query, target under 1 ms.

Over every query of the relevance table and a generated mix of sentences (noise, places, storage words,
certificates, brand levels, quantities, pinyin, in random order, with and without spaces). No database: the
reader is pure Python once its vocabulary is built (the build is timed apart). Run: .venv/bin/python -m bench.understand
"""

from __future__ import annotations

import csv
import random
import statistics
import time

from hotpot.resources import resource_dir
from hotpot.search import text as tokens
from hotpot.search import understand as reader

TARGET_MS = 1.0

PIECES = {
    "noise": ["我要", "采购", "求购", "哪里有", "卖", "的", "供应商", "厂家", "批发", "多少钱", "想买", "企业"],
    "storage": ["冷冻", "速冻", "冻品", "冰鲜", "冷藏", "鲜品", "常温", "干货", "sudong", "lengcang"],
    "place": ["双槐镇", "双槐", "龙市镇", "草街街道", "南溪组团", "南溪", "shuanghuai", "双怀镇", "渭沱"],
    "cert": ["有机", "绿色", "HACCP", "SC", "有SC的", "绿色食品", "ISO22000", "重庆老字号", "youji"],
    "brand": ["区域公用品牌", "集群品牌", "区域品牌"],
    "quantity": ["500斤", "5kg", "200斤", "10公斤", "1吨"],
    "ingredient": [
        "毛肚", "鸭肠", "黄喉", "鹅肠", "虾仁", "虾滑", "木耳", "宽粉", "腐竹", "脑花", "底料", "鲜毛肚", "冻豆腐",
        "干辣椒", "maodu", "yachang", "xiaren", "牛油火锅底料", "耗儿鱼", "鱼丸", "千层毛肚", "hgdl",
    ],
}  # fmt: skip


def generated(n: int, seed: int = 11) -> list[str]:
    rnd = random.Random(seed)
    out = []
    for _ in range(n):
        parts = [rnd.choice(PIECES["ingredient"])]
        for kind in ("noise", "storage", "place", "cert", "brand", "quantity", "noise"):
            if rnd.random() < 0.4:
                parts.insert(rnd.randrange(len(parts) + 1), rnd.choice(PIECES[kind]))
        out.append((" " if rnd.random() < 0.5 else "").join(parts))
    return out


def relevance_queries() -> list[str]:
    from tests.search.test_relevance import RELEVANCE

    return [q for q, _ in RELEVANCE]


def measure(queries: list[str], repeat: int = 5) -> list[float]:
    """Per-query times in ms: the best of `repeat` runs of each (the reader keeps no per-query cache)."""
    times = []
    for q in queries:
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            reader.understand(q)
            best = min(best, time.perf_counter() - start)
        times.append(best * 1000)
    return times


def report(name: str, times: list[float]) -> None:
    times = sorted(times)
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"{name:<22} {len(times):>5} queries  median {statistics.median(times):.3f} ms  p95 {p95:.3f} ms"
        f"  max {times[-1]:.3f} ms  target < {TARGET_MS:g} ms: {'ok' if p95 < TARGET_MS else 'MISSED'}"
    )


def main() -> None:
    with (resource_dir("seed_data") / "search_synonyms.csv").open(encoding="utf-8") as f:
        tokens.vocabulary.set_synonyms([r["terms"].split("|") for r in csv.DictReader(f)], 1)
    start = time.perf_counter()
    reader.reader()
    print(f"vocabulary build (once per vocabulary version): {(time.perf_counter() - start) * 1000:.0f} ms")
    reader.understand("预热 warm up")
    report("relevance table", measure(relevance_queries()))
    report("generated mix", measure(generated(2000)))


if __name__ == "__main__":
    main()
