"""Reading search parameters from a URL (the page and the API share it) and the API's response shapes."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from hotpot.brands.models import BRAND_LEVELS
from hotpot.certificates.models import CERT_KINDS
from hotpot.enterprises.models import PARK_GROUPS
from hotpot.products.models import STORAGE_SHORT
from hotpot.reference import service as reference
from hotpot.search.engine import MAX_PAGE, MAX_PAGE_SIZE, PAGE_SIZE, SORTS, TYPES, SearchParams, SearchResult
from hotpot.search.models import DOC_KINDS
from hotpot.validation import FieldErrors

SORT_LABELS = {"relevance": "综合排序", "newest": "最新", "price": "价格从低到高", "price_desc": "价格从高到低"}
FACET_LABELS = {
    "kind": "大类",
    "category": "品类",
    "storage": "储存方式",
    "town": "产地镇街",
    "park": "园区组团",
    "cert": "资质认证",
    "brand_level": "品牌级别",
    "verified": "资质核验",
}


def choices(session: Session) -> dict[str, dict[str, str]]:
    """Every filter's allowed values with their Chinese labels."""
    tree = reference.category_tree(session)
    towns = {t.code: t.name for t in reference.towns(session)}
    towns["outside"] = "合川区外"
    return {
        "kind": {k.code: k.name for k in tree},
        "category": {c.code: c.name for k in tree for c in k.children},
        "storage": dict(STORAGE_SHORT),
        "town": towns,
        "park": dict(PARK_GROUPS),
        "cert": {k: v for k, v in CERT_KINDS.items() if k != "other"},
        "brand_level": dict(BRAND_LEVELS),
        "verified": {"yes": "有已核验证书"},
    }


def read_params(session: Session, raw: dict[str, Any], *, strict: bool) -> SearchParams:
    """SearchParams from query parameters. strict (the API) refuses unknown values; the page drops them."""
    errors: dict[str, str] = {}
    allowed = choices(session)

    def pick(name: str, options, default=None):
        value = raw.get(name)
        if value in (None, ""):
            return default
        if value in options:
            return value
        if strict:
            errors[name] = "取值无效，可选：" + "、".join(list(options)[:12])
        return default

    q = (raw.get("q") or "").strip()
    if len(q) > 100:
        if strict:
            errors["q"] = "搜索词不能超过 100 个字符"
        q = q[:100]
    values: dict[str, Any] = {
        "q": q,
        "type": pick("type", TYPES, "product"),
        "sort": pick("sort", SORTS, "relevance"),
    }
    for name in ("kind", "category", "storage", "town", "park", "cert", "brand_level"):
        values[name] = pick(name, allowed[name])
    values["verified"] = str(raw.get("verified") or "").lower() in ("1", "true", "yes", "on")
    for name, default, top in (("page", 1, MAX_PAGE), ("page_size", PAGE_SIZE, MAX_PAGE_SIZE)):
        value = raw.get(name)
        try:
            number = int(value) if value not in (None, "") else default
        except (TypeError, ValueError):
            number = default
            if strict:
                errors[name] = "应为整数"
        if not 1 <= number <= top:
            if strict:
                errors[name] = f"应在 1 到 {top} 之间"
            number = min(max(number, 1), top)
        values[name] = number
    if values["category"] and values["kind"]:
        # A sub-category lies in one kind: keep them consistent.
        parent = next(
            (k.code for k in reference.category_tree(session) for c in k.children if c.code == values["category"]),
            None,
        )
        if parent != values["kind"]:
            values["kind"] = parent
    if errors:
        raise FieldErrors(errors)
    return SearchParams(**values)


def facet_view(session: Session, result: SearchResult) -> list[dict[str, Any]]:
    """Facets with labels, in display order, each value marked when it is the chosen one."""
    allowed = choices(session)
    params = result.params
    out = []
    for name, values in result.facets.items():
        chosen = getattr(params, name)
        if name == "verified":
            chosen = "yes" if params.verified else None
        if name == "category" and params.kind:
            kids = {c.code for k in reference.category_tree(session) if k.code == params.kind for c in k.children}
            values = [(v, n) for v, n in values if v in kids]
        items = [
            {"value": v, "label": allowed[name].get(v, v), "count": n, "chosen": v == chosen}
            for v, n in values
            if v in allowed[name]
        ]
        if chosen and not any(i["chosen"] for i in items):
            items.insert(0, {"value": chosen, "label": allowed[name].get(chosen, chosen), "count": 0, "chosen": True})
        if items:
            out.append({"name": name, "label": FACET_LABELS[name], "items": items, "chosen": chosen})
    return out


def sort_note(session: Session, result: SearchResult) -> str:
    """What a sort other than relevance does with the matches, said on the page (empty under relevance)."""
    params = result.params
    if params.sort == "relevance" or params.type != "product":
        return ""
    parts = []
    if params.sort in ("price", "price_desc"):
        parts.append("按折算单价（元/kg）排序，无法折算的排在后面")
    codes = sorted(result.parsed.codes) if result.parsed else []
    if codes:
        names = choices(session)["category"]
        named = "、".join(names.get(c, c) for c in codes)
        parts.append(f"“{named}”品类的产品排在前面，其他匹配（如品牌或企业名含搜索词）随后")
    return "；".join(parts)


# --- API shapes ----------------------------------------------------------------------------------------------------


class FacetValue(BaseModel):
    value: str
    label: str
    count: int


class SearchHit(BaseModel):
    type: str = Field(description="product / enterprise / base / brand")
    id: int
    url: str
    name: str
    highlight: list[list[int]] = Field(description="名称中匹配部分的 [起, 止) 字符位置")
    score: float
    detail: dict[str, Any] = Field(description="按类型不同：规格、价格、企业、镇街、证书等")


class SearchResponse(BaseModel):
    query: str = Field(description="查询读取后的形式（简体、半角、小写）")
    type: str
    items: list[SearchHit]
    total: int
    page: int
    page_size: int
    facets: dict[str, list[FacetValue]]
    types: dict[str, int] = Field(description="文本查询在各类记录中的命中数（其他类型最多数到 1000）")
    understood: list[str] = Field(description="查询被纠正的部分，如 yachnag → 鸭肠")
    did_you_mean: list[str]


class SuggestItem(BaseModel):
    text: str
    term: str
    source: str
    url: str | None


class SuggestResponse(BaseModel):
    query: str
    items: list[SuggestItem]


HIT_FIELDS = ("type", "id", "url", "name", "highlight", "score", "name_parts")


def api_response(session: Session, result: SearchResult) -> dict[str, Any]:
    """The API's answer as plain data (the shape SearchResponse documents), built without re-validating it."""
    allowed = choices(session)
    return {
        "query": result.parsed.text if result.parsed else result.params.q,
        "type": result.params.type,
        "items": [
            {
                "type": item["type"],
                "id": item["id"],
                "url": item["url"],
                "name": item["name"],
                "highlight": item["highlight"],
                "score": item["score"],
                "detail": {k: v for k, v in item.items() if k not in HIT_FIELDS},
            }
            for item in result.items
        ],
        "total": result.total,
        "page": result.params.page,
        "page_size": result.params.page_size,
        "facets": {
            name: [{"value": v, "label": allowed[name].get(v, v), "count": n} for v, n in values]
            for name, values in result.facets.items()
        },
        "types": {k: int(result.types.get(k, 0)) for k in DOC_KINDS},
        "understood": result.parsed.understood if result.parsed else [],
        "did_you_mean": result.did_you_mean,
    }
