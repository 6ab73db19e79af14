"""The assignment pages of a batch: the matrix, the draw (随机抽取) and its record, adding and moving assignments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import FormDict, StaffUser, visible
from hotpot.hitpool import assignment as service
from hotpot.hitpool.expert_schemas import AssignmentAddIn, AssignmentMoveIn, DrawIn
from hotpot.hitpool.models import Assignment, Batch, Draw
from hotpot.validation import FieldErrors, parse_form
from hotpot.web import redirect, render

router = APIRouter(tags=["爆品培育"], include_in_schema=False)

StaffBatch = visible(Batch, param="batch_id", user=StaffUser)
StaffAssignment = visible(Assignment, param="assignment_id", user=StaffUser)
StaffDraw = visible(Draw, param="draw_id", user=StaffUser)


def _matrix_page(request, session, user, batch, *, page=1, errors=None, values=None, status_code=200) -> Response:
    lacking = request.query_params.get("lacking") == "1"
    m = service.matrix(session, batch, user, page=page, lacking=lacking)
    context = {
        "batch": batch,
        "m": m,
        "errors": errors or {},
        "values": values or {},
        "choices_experts": service.assignable_experts(session) if m.can_assign else [],
        "choices_candidates": service.assignable_candidates(session, batch, user) if m.can_assign else [],
        "view": request.query_params.get("view") if request.query_params.get("view") in ("matrix", "list") else "list",
        "lacking": lacking,
    }
    return render(request, "hitpool/assignment/matrix.html", context, status_code=status_code)


@router.get("/pool/batches/{batch_id}/assignments")
def assignments(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    batch: StaffBatch,
    page: Annotated[int, Query(ge=1, le=100000)] = 1,
) -> Response:
    return _matrix_page(request, session, user, batch, page=page)


@router.post("/pool/batches/{batch_id}/draw")
def run_draw(request: Request, session: SessionDep, user: StaffUser, batch: StaffBatch, form: FormDict) -> Response:
    service.require_manager(batch, user)
    try:
        data = parse_form(DrawIn, form)
    except FieldErrors as exc:
        return _matrix_page(request, session, user, batch, errors=exc.errors, values=form, status_code=422)
    outcome = service.draw(session, batch, user, seed=data.seed)
    if outcome.draw is None:
        return redirect(request, f"/pool/batches/{batch.id}/assignments", flash="draw_nothing")
    flash = "draw_short" if outcome.shortfall else "draw_done"
    return redirect(request, f"/pool/draws/{outcome.draw.id}", flash=flash)


@router.post("/pool/batches/{batch_id}/assignments")
def add_assignment(
    request: Request, session: SessionDep, user: StaffUser, batch: StaffBatch, form: FormDict
) -> Response:
    service.require_manager(batch, user)
    try:
        service.add_from_form(session, batch, actor=user, data=parse_form(AssignmentAddIn, form))
    except FieldErrors as exc:
        return _matrix_page(request, session, user, batch, errors=exc.errors, values=form, status_code=422)
    return redirect(request, f"/pool/batches/{batch.id}/assignments", flash="assignment_added")


@router.post("/pool/assignments/{assignment_id}/move")
def move_assignment(
    request: Request, session: SessionDep, user: StaffUser, assignment: StaffAssignment, form: FormDict
) -> Response:
    batch = service.batch_of(session, assignment)
    service.require_manager(batch, user)
    try:
        service.move_from_form(session, assignment, actor=user, data=parse_form(AssignmentMoveIn, form))
    except FieldErrors as exc:
        errors = {f"move_{assignment.id}_{k}": v for k, v in exc.errors.items()}
        values = {f"move_{assignment.id}_{k}": v for k, v in form.items()}
        return _matrix_page(request, session, user, batch, errors=errors, values=values, status_code=422)
    return redirect(request, f"/pool/batches/{batch.id}/assignments", flash="assignment_moved")


@router.get("/pool/draws/{draw_id}")
def draw_page(request: Request, session: SessionDep, user: StaffUser, draw: StaffDraw) -> Response:
    view = service.draw_view(session, draw, user)
    return render(request, "hitpool/assignment/draw.html", {"v": view, "batch": view.batch})
