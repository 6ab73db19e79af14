"""Pages of the pool's decisions: the ranking (with bulk decisions and XLSX), a candidate's decision, the dossier,
the public notice (公示) and its objections."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import AnyUser, FormDict, PublicUser, StaffUser
from hotpot.hitpool import decisions, exports, ranking
from hotpot.hitpool.enums import Outcome
from hotpot.responses import file_response
from hotpot.validation import FieldErrors, Id, StaleVersion
from hotpot.web import conflict, form_version, redirect, render

router = APIRouter(include_in_schema=False)

RANKING_PAGE = 100
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sort(value: str | None) -> str:
    return value if value in ranking.SORTS else "normalised"


# --- ranking and decisions --------------------------------------------------------------------------------------


@router.get("/pool/batches/{batch_id}/ranking")
def ranking_page(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    batch_id: Id,
    sort: str | None = None,
    page: Annotated[int, Query(ge=1, le=10000)] = 1,
) -> Response:
    batch = decisions.batch_or_404(session, batch_id)
    return _ranking(request, session, user, batch, sort=_sort(sort), page=page)


def _ranking(request, session, user, batch, *, sort, page=1, outcome=None, errors=None, status_code=200) -> Response:
    # The whole ranking is computed (ranks, the quota line); a page shows RANKING_PAGE rows of it, so a batch of
    # 1,000 candidates renders quickly; the quota line is on the first page unless the quota is larger.
    found = ranking.page(session, batch, user, sort=sort, page=page, page_size=RANKING_PAGE)
    rows = found.items
    context = {
        "batch": batch,
        "rows": rows,
        "page": found,
        "sort": sort,
        "quota_after": ranking.quota_line_after(found.items, batch, total=found.total),
        "tie_name": ranking.tie_criterion_name(batch),
        "bulk_on": batch.status == "deciding",
        "outcomes": [(o.value, o.label) for o in Outcome],
        "outcome": outcome,
        "errors": errors or {},
    }
    return render(request, "hitpool/decisions/ranking.html", context, status_code=status_code)


@router.get("/pool/batches/{batch_id}/ranking.xlsx")
def ranking_xlsx(session: SessionDep, user: StaffUser, batch_id: Id, sort: str | None = None) -> Response:
    batch = decisions.batch_or_404(session, batch_id)
    data = exports.ranking_xlsx(session, batch, user, sort=_sort(sort))
    return file_response(data, media_type=XLSX, filename=exports.filename(batch, "排名"), fallback_name="ranking.xlsx")


@router.get("/pool/batches/{batch_id}/decisions.xlsx")
def decisions_xlsx(session: SessionDep, user: StaffUser, batch_id: Id) -> Response:
    batch = decisions.batch_or_404(session, batch_id)
    data = exports.decisions_xlsx(session, batch, user)
    return file_response(
        data, media_type=XLSX, filename=exports.filename(batch, "入库决定"), fallback_name="decisions.xlsx"
    )


@router.post("/pool/batches/{batch_id}/decisions")
def bulk_decisions(request: Request, session: SessionDep, user: StaffUser, batch_id: Id, form: FormDict) -> Response:
    """One outcome and note for the ticked rows; rows that changed meanwhile are reported, the others decided."""
    batch = decisions.batch_or_404(session, batch_id)
    sort = _sort(form.get("sort") if isinstance(form.get("sort"), str) else None)
    try:
        outcome = decisions.decide_many(session, actor=user, batch=batch, form=form)
    except FieldErrors as exc:
        return _ranking(request, session, user, batch, sort=sort, errors=exc.errors, status_code=422)
    return _ranking(request, session, user, batch, sort=sort, outcome=outcome)


@router.post("/pool/candidates/{candidate_id}/decision")
def candidate_decision(
    request: Request, session: SessionDep, user: StaffUser, candidate_id: Id, form: FormDict
) -> Response:
    candidate = decisions.staff_candidate(session, user, candidate_id)
    data = dict(form)
    # 0: the form was shown before there was any decision (a first decision); else the decision's version.
    version = 0 if data.get("version") == "0" and data.pop("version") else form_version(data)
    back = str(data.pop("back", "") or "")
    try:
        decisions.propose(session, actor=user, candidate=candidate, form=data, version=version)
    except FieldErrors as exc:
        panel = decisions.panel(session, candidate, user)
        panel["errors"] = exc.errors
        panel["values"] = {"outcome": data.get("outcome", ""), "note": data.get("note", "")}
        context = {"candidate": candidate, "batch": candidate.batch, "decision_panel": panel}
        return render(request, "hitpool/decisions/decide.html", context, status_code=422)
    except StaleVersion as exc:
        current = exc.current
        return conflict(
            request,
            title=candidate.product.name,
            back_url=f"/pool/candidates/{candidate.id}",
            changes=[("决定", Outcome.label_of(data.get("outcome", "")), _outcome_label(current))],
        )
    target = back if back in ("ranking",) else "candidate"
    url = (
        f"/pool/batches/{candidate.batch_id}/ranking"
        if target == "ranking"
        else f"/pool/candidates/{candidate.id}#decision"
    )
    return redirect(request, url, flash="hit_decision_saved")


def _outcome_label(decision) -> str:
    return Outcome.label_of(decision.outcome) if decision is not None else "—"


@router.get("/pool/candidates/{candidate_id}/dossier")
def dossier(request: Request, session: SessionDep, user: StaffUser, candidate_id: Id) -> Response:
    candidate = decisions.staff_candidate(session, user, candidate_id)
    return render(request, "hitpool/decisions/dossier.html", decisions.dossier(session, candidate, user))


# --- objections (staff) -----------------------------------------------------------------------------------------


@router.get("/pool/batches/{batch_id}/objections")
def objections_page(request: Request, session: SessionDep, user: StaffUser, batch_id: Id) -> Response:
    batch = decisions.batch_or_404(session, batch_id)
    return _objections(request, session, user, batch)


def _objections(request, session, user, batch, *, errors=None, failed=None, values=None, status_code=200) -> Response:
    items = decisions.objections(session, batch, user)
    context = {
        "batch": batch,
        "objections": items,
        "counts": decisions.objection_counts(items),
        "entries": decisions.notice_entries(session, batch),
        "can_handle": batch.status == "notice",
        "outcomes": [(o.value, o.label) for o in Outcome],
        "errors": errors or {},
        "failed": failed,
        "values": values or {},
    }
    return render(request, "hitpool/decisions/objections.html", context, status_code=status_code)


@router.post("/pool/objections/{objection_id}/handle")
def handle_objection(
    request: Request, session: SessionDep, user: StaffUser, objection_id: Id, form: FormDict
) -> Response:
    objection = decisions.staff_objection(session, user, objection_id)
    data = dict(form)
    version = form_version(data)
    try:
        decisions.handle_objection(session, actor=user, objection=objection, form=data, version=version)
    except FieldErrors as exc:
        batch = objection.candidate.batch
        return _objections(
            request, session, user, batch, errors=exc.errors, failed=objection.id, values=data, status_code=422
        )
    return redirect(
        request,
        f"/pool/batches/{objection.batch_id}/objections#objection-{objection.id}",
        flash="hit_objection_handled",
    )


# --- the public notice ------------------------------------------------------------------------------------------


@router.get("/notices/{batch_id}")
def notice_page(request: Request, session: SessionDep, user: PublicUser, batch_id: Id) -> Response:
    batch = decisions.batch_or_404(session, batch_id)
    return _notice(request, session, user, batch)


def _notice(request, session, user, batch, *, errors=None, values=None, status_code=200) -> Response:
    context = decisions.public_notice(session, batch)
    context.update({"errors": errors or {}, "values": values or {}, "viewer": user})
    return render(request, "hitpool/notices/notice.html", context, status_code=status_code)


@router.post("/notices/{batch_id}/objections")
def raise_objection(request: Request, session: SessionDep, user: AnyUser, batch_id: Id, form: FormDict) -> Response:
    from hotpot.files import service as files

    batch = decisions.batch_or_404(session, batch_id)
    decisions.public_notice(session, batch)  # 404 before the notice, like the page
    data = dict(form)
    evidence = files.read_upload(data.pop("evidence", None))
    try:
        decisions.raise_objection(session, user=user, batch=batch, form=data, evidence=evidence)
    except FieldErrors as exc:
        return _notice(request, session, user, batch, errors=exc.errors, values=data, status_code=422)
    return redirect(request, f"/notices/{batch.id}#objection-form", flash="hit_objection_raised")
