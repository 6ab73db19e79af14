"""Search pages: results with facets, suggestions as you type, and the admins' synonym list."""

from __future__ import annotations

from dataclasses import replace

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import Response

from hotpot.certificates.models import CERT_KINDS
from hotpot.db import SessionDep
from hotpot.deps import AdminUser, FormDict, PublicUser, nul_means_no_match
from hotpot.hitpool import showcase
from hotpot.search import engine, schemas, service, understand
from hotpot.search.models import DOC_KINDS, SynonymGroup
from hotpot.validation import FieldErrors, Id, StaleVersion
from hotpot.web import conflict, form_version, redirect, render, stale_changes

router = APIRouter(include_in_schema=False)

# Shown when a search finds nothing, and on the empty search page.
POPULAR = ("毛肚", "鸭肠", "黄喉", "牛油火锅底料", "虾滑", "午餐肉", "宽粉", "花椒", "干辣椒", "魔芋")


@router.get("/search")
@nul_means_no_match
def search_page(request: Request, session: SessionDep, user: PublicUser) -> Response:
    params = schemas.read_params(session, dict(request.query_params), strict=False)
    result = service.search(session, params)
    if "type" not in request.query_params and not result.total and any(result.types.values()):
        # No product matches but an enterprise, base or brand does (a supplier's name): show that tab instead.
        best = max(result.types, key=lambda k: result.types[k])
        params = replace(params, type=best)
        result = service.search(session, params)
    context = {
        "params": params,
        "result": result,
        "facets": schemas.facet_view(session, result),
        "sort_note": schemas.sort_note(session, result),
        "chips": schemas.chips(result),
        "relaxed_note": schemas.relaxed_note(result),
        "sorts": schemas.SORT_LABELS,
        "types": DOC_KINDS,
        "popular": POPULAR,
        "popular_categories": service.popular_categories(session) if not result.items else [],
        "cert_labels": CERT_KINDS,
        "tab_cap": engine.TAB_COUNT_CAP,
        # hitpool: the 爆品 / 拳头产品 badge of graduated products on this page (one query)
        "hit_titles": showcase.titles_for(session, [it["id"] for it in result.items if it.get("type") == "product"]),
    }
    return render(request, "search/results.html", context, block="results", target="search-results")


@router.get("/search/suggest")
@nul_means_no_match
def suggest_fragment(request: Request, session: SessionDep, user: PublicUser, q: str = "") -> Response:
    items = service.suggest(session, q[:60]) if q.strip() else []
    return render(request, "search/suggest.html", {"items": items, "q": q})


# --- admin: synonyms and the index's state -------------------------------------------------------------------------


@router.get("/admin/search")
def admin_search(request: Request, session: SessionDep, user: AdminUser) -> Response:
    return _admin_page(request, session, values={}, errors={})


def _admin_page(request, session, *, values, errors, status_code=200, noise_values=None, noise_errors=None):
    context = {
        "noise_words": service.noise_words(session),
        "seed_noise_words": understand.seed_noise_words(),
        "noise_values": noise_values or {},
        "noise_errors": noise_errors or {},
        "groups": service.synonym_groups(session),
        "status": service.status(session),
        "values": values,
        "errors": errors,
        "types": DOC_KINDS,
    }
    return render(request, "search/admin.html", context, status_code=status_code)


@router.post("/admin/search/synonyms")
def add_synonyms(request: Request, session: SessionDep, user: AdminUser, form: FormDict) -> Response:
    try:
        service.add_group(session, user=user, raw_terms=form.get("terms", ""), note=form.get("note"))
    except FieldErrors as exc:
        return _admin_page(request, session, values=form, errors=exc.errors, status_code=422)
    return redirect(request, "/admin/search", flash="synonyms_saved")


def _group_or_404(session, group_id: Id) -> SynonymGroup:
    group = service.synonym_group(session, group_id=group_id)
    if group is None:
        raise HTTPException(404)
    return group


@router.get("/admin/search/synonyms/{group_id}/edit")
def edit_synonyms_form(request: Request, session: SessionDep, user: AdminUser, group_id: Id) -> Response:
    group = _group_or_404(session, group_id)
    values = {"terms": "，".join(group.terms), "note": group.note or "", "version": group.version}
    return render(request, "search/synonym_form.html", {"group": group, "values": values, "errors": {}})


@router.post("/admin/search/synonyms/{group_id}")
def edit_synonyms(request: Request, session: SessionDep, user: AdminUser, group_id: Id, form: FormDict) -> Response:
    group = _group_or_404(session, group_id)
    try:
        service.edit_group(
            session,
            user=user,
            group=group,
            raw_terms=form.get("terms", ""),
            note=form.get("note"),
            version=form_version(form),
        )
    except FieldErrors as exc:
        context = {"group": group, "values": form, "errors": exc.errors}
        return render(request, "search/synonym_form.html", context, status_code=422)
    except StaleVersion as exc:
        if exc.current is None:  # deleted by another admin while this one edited it
            title = form.get("terms") or "同义词组"
            return conflict(request, title=title, back_url="/admin/search", changes=[("状态", "—", "已删除")])
        changes = stale_changes(
            {"terms": form.get("terms"), "note": form.get("note")},
            {"terms": "，".join(exc.current.terms), "note": exc.current.note},
            {"terms": "同义词", "note": "说明"},
        )
        return conflict(
            request, title="同义词组已被他人修改", back_url=f"/admin/search/synonyms/{group_id}/edit", changes=changes
        )
    return redirect(request, "/admin/search", flash="synonyms_saved")


@router.post("/admin/search/synonyms/{group_id}/delete")
def delete_synonyms(request: Request, session: SessionDep, user: AdminUser, group_id: Id, form: FormDict) -> Response:
    group = _group_or_404(session, group_id)
    try:
        service.delete_group(session, user=user, group=group, version=form_version(form))
    except StaleVersion:
        return conflict(request, title="同义词组已被他人修改", back_url="/admin/search", changes=[])
    return redirect(request, "/admin/search", flash="synonyms_deleted")


@router.post("/admin/search/noise")
def add_noise_word(request: Request, session: SessionDep, user: AdminUser, form: FormDict) -> Response:
    try:
        service.add_noise_word(session, user=user, word=form.get("word", ""))
    except FieldErrors as exc:
        return _admin_page(
            request, session, values={}, errors={}, noise_values=form, noise_errors=exc.errors, status_code=422
        )
    return redirect(request, "/admin/search", flash="noise_saved")


@router.post("/admin/search/noise/{word_id}/delete")
def delete_noise_word(request: Request, session: SessionDep, user: AdminUser, word_id: Id, form: FormDict) -> Response:
    service.delete_noise_word(session, user=user, word_id=word_id)
    return redirect(request, "/admin/search", flash="noise_deleted")
