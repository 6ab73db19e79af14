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
from hotpot.search.understand import KIND_LABELS
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
    values["strict"] = str(raw.get("strict") or "").lower() in ("1", "true", "yes", "on")
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
    """Facets with labels, in display order, each value marked when it is the chosen one.

    A facet chosen by a word of the query (冷冻 in 冷冻毛肚) carries `q`, the query without that word: its links
    replace the query with it, so clearing or changing the facet does not leave the word to choose it again.
    """
    allowed = choices(session)
    params = result.params
    from_words = {c.kind: c for c in result.applied}
    out = []
    for name, values in result.facets.items():
        chosen = result.filters.get(name) if result.filters else getattr(params, name)
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
            q = result.understanding.without(from_words[name]) if name in from_words else params.q
            out.append({"name": name, "label": FACET_LABELS[name], "items": items, "chosen": chosen, "q": q})
    return out


def chips(result: SearchResult) -> list[dict[str, Any]]:
    """What the reader understood, as chips: each with the query that removes it (the rest of the query kept)."""
    u = result.understanding
    if u is None:
        return []
    dropped = set(result.relaxed)
    applied = set(result.applied)
    out = []
    for c in u.conditions:
        state = "dropped" if c in dropped else "applied" if c in applied or c.kind == "quantity" else "idle"
        out.append(
            {
                "kind": c.kind,
                "kind_label": KIND_LABELS[c.kind],
                "label": c.label,
                "words": c.words,
                "state": state,
                "q": u.without(c),
            }
        )
    return out


def _quoted(words) -> str:
    """“有机”和“木耳”; “双槐镇”、“冷冻”和“木耳”."""
    quoted = [f"“{w}”" for w in words]
    return "和".join(["、".join(quoted[:-1]), quoted[-1]] if len(quoted) > 1 else quoted)


def relaxed_note(result: SearchResult) -> str:
    """What a relaxed search dropped, said on top of its results (empty when nothing was relaxed)."""
    if not result.was_relaxed or result.understanding is None:
        return ""
    u = result.understanding
    noun = DOC_KINDS[result.params.type]
    kept = [c.words[0] for c in u.conditions if c in result.applied]
    if result.any_word:
        note = f"没有同时包含{_quoted(result.any_word)}的{noun}，以下为包含其中任一词"
        if kept:
            note += f"且满足{_quoted(kept)}"
        note += "的结果"
        if result.relaxed:
            note += f"（已放宽{_quoted(c.words[0] for c in result.relaxed)}）"
        return note
    wanted = [c.words[0] for c in u.conditions if c in result.applied or c in result.relaxed]
    if u.text_query:
        kept.append(u.text_query)
        wanted.append(u.text_query)
    note = f"没有同时满足{_quoted(wanted)}的{noun}"
    return note + (f"，以下为满足{_quoted(kept)}的结果" if kept else "")


def understood_items(result: SearchResult) -> list[dict[str, Any]]:
    """The API's `understood`: each recognised condition, and each spelling the reader corrected."""
    items = [
        {"kind": c.kind, "value": c.value, "label": c.label, "words": list(c.words)}
        for c in (result.understanding.conditions if result.understanding else ())
    ]
    for fix in result.parsed.understood if result.parsed else []:
        typed, _, term = fix.partition(" → ")
        items.append({"kind": "spelling", "value": term, "label": fix, "words": [typed]})
    return items


def relaxed_item(result: SearchResult) -> dict[str, Any] | None:
    if not result.was_relaxed:
        return None
    return {
        "dropped": [
            {"kind": c.kind, "value": c.value, "label": c.label, "words": list(c.words)} for c in result.relaxed
        ],
        "any_word": list(result.any_word),
        "note": relaxed_note(result),
    }


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


class UnderstoodItem(BaseModel):
    kind: str = Field(description="storage / town / park / cert / brand_level / quantity / spelling")
    value: str = Field(
        description="筛选值（如 frozen、500117126、organic），数量为克或毫升（250000g），纠错为纠正后的词"
    )
    label: str = Field(description="中文说明，如 冷冻、双槐镇、有机产品、500斤")
    words: list[str] = Field(description="查询中对应的原词")


class Relaxed(BaseModel):
    dropped: list[UnderstoodItem] = Field(description="因同时满足时无结果而放宽的条件（最弱的先放宽）")
    any_word: list[str] = Field(description="不再要求同时包含、只需包含其一的词")
    note: str = Field(description="页面顶部的说明")


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
    understood: list[UnderstoodItem] = Field(
        description="查询中识别出的条件（储存方式、镇街、园区、证书、品牌级别、数量）和纠正的拼写，如 yachnag → 鸭肠"
    )
    relaxed: Relaxed | None = Field(description="严格查询无结果时放宽了什么；未放宽为 null")
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
        "understood": understood_items(result),
        "relaxed": relaxed_item(result),
        "did_you_mean": result.did_you_mean,
    }
