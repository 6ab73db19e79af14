"""The rubric's arithmetic: the default criteria of a batch and a review's weighted total (0-100)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hotpot.hitpool.models import Criterion

# The default rubric (weights sum to 100; each scored 0-max). Guidance bands tell an expert what a score means.
DEFAULT_RUBRIC: tuple[dict[str, Any], ...] = (
    {
        "code": "market",
        "name": "市场潜力",
        "weight": 25,
        "max_score": 10,
        "description": "目标市场规模、渠道覆盖与增长空间",
        "guidance": [
            {"min": 8, "max": 10, "text": "全国性市场，渠道成熟，近年销量增长明显"},
            {"min": 5, "max": 7, "text": "区域市场稳定，有一定增长"},
            {"min": 0, "max": 4, "text": "市场局限于本地，增长不明"},
        ],
    },
    {
        "code": "innovation",
        "name": "产品创新",
        "weight": 15,
        "max_score": 10,
        "description": "工艺、配方、包装或食用方式的创新",
        "guidance": [
            {"min": 8, "max": 10, "text": "有自主工艺或专利，明显区别于同类产品"},
            {"min": 5, "max": 7, "text": "有改良，特色较鲜明"},
            {"min": 0, "max": 4, "text": "与同类产品差别不大"},
        ],
    },
    {
        "code": "quality",
        "name": "质量与标准",
        "weight": 20,
        "max_score": 10,
        "description": "执行标准、质量管理体系、抽检记录",
        "guidance": [
            {"min": 8, "max": 10, "text": "执行或参与制定团体/行业标准，有 HACCP 等体系认证，抽检全部合格"},
            {"min": 5, "max": 7, "text": "执行国家标准，质量管理规范"},
            {"min": 0, "max": 4, "text": "质量管理较薄弱"},
        ],
    },
    {
        "code": "brand",
        "name": "品牌影响",
        "weight": 15,
        "max_score": 10,
        "description": "商标、品牌荣誉与市场认知度",
        "guidance": [
            {"min": 8, "max": 10, "text": "注册商标并获市级以上荣誉，或使用区域公用品牌"},
            {"min": 5, "max": 7, "text": "有注册商标，有一定知名度"},
            {"min": 0, "max": 4, "text": "尚无品牌建设"},
        ],
    },
    {
        "code": "capacity",
        "name": "产能与供应稳定",
        "weight": 15,
        "max_score": 10,
        "description": "年产能、供货稳定性与冷链能力",
        "guidance": [
            {"min": 8, "max": 10, "text": "产能充足，可稳定供应大型连锁客户"},
            {"min": 5, "max": 7, "text": "产能可满足现有客户"},
            {"min": 0, "max": 4, "text": "产能或供应不稳定"},
        ],
    },
    {
        "code": "local",
        "name": "本地原料占比",
        "weight": 10,
        "max_score": 10,
        "description": "合川本地原料基地供给的比例",
        "guidance": [
            {"min": 8, "max": 10, "text": "本地原料占比 60% 以上"},
            {"min": 5, "max": 7, "text": "本地原料占比 30%–60%"},
            {"min": 0, "max": 4, "text": "本地原料占比不足 30%"},
        ],
    },
)

CENT = Decimal("0.01")


def default_criteria() -> list[Criterion]:
    """New hit_criterion rows of the default rubric, in order, for a batch's `criteria`."""
    from hotpot.hitpool.models import Criterion  # the models import nothing of this module; keep it that way

    return [
        Criterion(
            position=i,
            code=c["code"],
            name=c["name"],
            description=c["description"],
            weight=c["weight"],
            max_score=c["max_score"],
            guidance=c["guidance"],
        )
        for i, c in enumerate(DEFAULT_RUBRIC, start=1)
    ]


def weighted_total(criteria: Iterable[Any], scores: Mapping[int, Decimal | int | float]) -> Decimal:
    """Sum over criteria of score / max_score * weight, rounded to 0.01: a number from 0 to 100.

    criteria: objects with id, weight, max_score (hit_criterion rows); scores: criterion id -> score. A criterion
    without a score counts 0 (the review form requires every score before submitting)."""
    total = Decimal(0)
    for c in criteria:
        score = Decimal(str(scores.get(c.id, 0)))
        total += score / Decimal(c.max_score) * Decimal(c.weight)
    return total.quantize(CENT, rounding=ROUND_HALF_UP)
