"""Staff pages of 爆品 batches: the pool's home (the batches), the batch form with its rubric editor, the overview
with its timeline, and the transition buttons."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, StaffUser, visible
from hotpot.errors import InvalidState
from hotpot.hitpool import batches
from hotpot.hitpool.enums import BatchStatus, TieBreak
from hotpot.hitpool.models import Batch
from hotpot.validation import FieldErrors, StaleVersion
from hotpot.web import conflict, form_version, redirect, render, stale_changes

router = APIRouter(include_in_schema=False)

StaffBatch = visible(Batch, param="batch_id", user=StaffUser)

FIELD_LABELS = {
    "name": "批次名称",
    "description": "批次说明",
    "year": "年度",
    "apply_opens_on": "申报开始",
    "apply_closes_on": "申报截止",
    "review_opens_on": "评审开始",
    "review_closes_on": "评审结束",
    "quota": "入库名额",
    "experts_per_candidate": "每项申报的评审专家数",
    "disagreement_threshold": "分歧提示阈值",
    "tie_break": "同分排序",
    "tie_criterion_code": "同分比较指标",
    "require_published_product": "产品须已发布",
    "require_sc_licence": "须有有效的 SC 生产许可证",
    "min_months_on_platform": "入驻平台最短月数",
    "notice_days": "公示期（工作日）",
    "manager_id": "批次负责人",
}


@router.get("/pool")
def pool_home(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    params: ListParamsDep,
    status: Annotated[str | None, Query(max_length=12)] = None,
    year: Annotated[str | None, Query(max_length=4)] = None,
) -> Response:
    status = status if status in BatchStatus.labels() else None
    year_value = int(year) if year and year.isascii() and year.isdigit() else None
    context = batches.home(session, status=status, year=year_value, page=params.page, page_size=params.page_size)
    return render(request, "hitpool/batches/list.html", context, block="results")


def _form(request, session, *, values, errors, rows, batch=None, status_code=200) -> Response:
    context = {
        "batch": batch,
        "values": values,
        "errors": errors,
        "rows": rows,
        "weight_sum": batches.weight_sum(rows),
        "band_slots": batches.BAND_SLOTS,
        "staff": batches.staff_choices(session),
        "tie_breaks": [(t.value, t.label) for t in TieBreak],
        "tie_choices": batches.tie_choices(batch, rows),
        "frozen": batch is not None and batches.is_frozen(batch),
        "read_only": batch is not None and batches.is_read_only(batch),
    }
    return render(request, "hitpool/batches/form.html", context, status_code=status_code)


@router.get("/pool/batches/new")
def new_batch_form(request: Request, session: SessionDep, user: StaffUser) -> Response:
    rows = batches.rows_of(batches.DEFAULT_RUBRIC)
    return _form(request, session, values=batches.new_values(), errors={}, rows=rows)


@router.post("/pool/batches/new")
def create_batch(request: Request, session: SessionDep, user: StaffUser, form: FormDict) -> Response:
    if "add_row" in form:
        return _form(request, session, values=form, errors={}, rows=batches.rows_from_form(form, add=1))
    try:
        batch = batches.create(session, actor=user, form=form)
    except FieldErrors as exc:
        rows = batches.rows_from_form(form)
        return _form(request, session, values=form, errors=exc.errors, rows=rows, status_code=422)
    return redirect(request, f"/pool/batches/{batch.id}", flash="batch_created")


@router.get("/pool/batches/{batch_id}")
def batch_overview(request: Request, session: SessionDep, user: StaffUser, batch: StaffBatch) -> Response:
    return render(request, "hitpool/batches/overview.html", batches.overview(session, batch, user))


@router.get("/pool/batches/{batch_id}/edit")
def edit_batch_form(request: Request, session: SessionDep, user: StaffUser, batch: StaffBatch) -> Response:
    rows = batches.rows_of(batch.criteria)
    return _form(request, session, values=batches.values_of(batch), errors={}, rows=rows, batch=batch)


@router.post("/pool/batches/{batch_id}/edit")
def edit_batch(request: Request, session: SessionDep, user: StaffUser, batch: StaffBatch, form: FormDict) -> Response:
    data = dict(form)
    version = form_version(data)
    values = {**data, "version": version}
    rows = batches.rows_from_form(data) if batches.has_rubric(data) else batches.rows_of(batch.criteria)
    if "add_row" in data:
        return _form(request, session, values=values, errors={}, rows=batches.rows_from_form(data, add=1), batch=batch)
    try:
        batches.update(session, actor=user, batch=batch, form=data, version=version)
    except FieldErrors as exc:
        return _form(request, session, values=values, errors=exc.errors, rows=rows, batch=batch, status_code=422)
    except InvalidState as exc:
        errors = {"__all__": exc.message}
        return _form(request, session, values=values, errors=errors, rows=rows, batch=batch, status_code=409)
    except StaleVersion:
        changes = stale_changes(data, batches.values_of(batch), FIELD_LABELS)
        return conflict(request, title=batch.name, back_url=f"/pool/batches/{batch.id}/edit", changes=changes)
    return redirect(request, f"/pool/batches/{batch.id}", flash="batch_saved")


@router.post("/pool/batches/{batch_id}/transition")
def transition_batch(
    request: Request, session: SessionDep, user: StaffUser, batch: StaffBatch, form: FormDict
) -> Response:
    data = dict(form)
    version = form_version(data)
    name = data.get("name") if isinstance(data.get("name"), str) else ""
    note = data.get("note") if isinstance(data.get("note"), str) else None
    try:
        caution = batches.transition(session, batch=batch, name=name, actor=user, version=version, note=note)
    except (InvalidState, FieldErrors) as exc:
        invalid = isinstance(exc, InvalidState)
        message = exc.message if invalid else next(iter(exc.errors.values()))
        context = {**batches.overview(session, batch, user), "error": message, "note": note or ""}
        return render(request, "hitpool/batches/overview.html", context, status_code=409 if invalid else 422)
    flash = "batch_moved_with_missing_reviews" if caution else f"batch_{name}"
    return redirect(request, f"/pool/batches/{batch.id}", flash=flash)
