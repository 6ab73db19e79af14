"""Incubation pages: the staff's plans (list, one plan with milestones, support, checks, graduation) and the
producer's plan (milestones, progress updates with evidence), and the evidence files."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from hotpot.auth.models import Role
from hotpot.db import SessionDep
from hotpot.deps import FormDict, ListParamsDep, ProducerUser, StaffUser, allow_roles
from hotpot.files import service as files
from hotpot.hitpool import incubation
from hotpot.hitpool.enums import GraduationTitle, KpiKind, MilestoneStatus, PlanStatus, SupportKind
from hotpot.hitpool.incubation_schemas import CheckIn, EndIn, GraduateIn, MilestoneIn, SupportIn
from hotpot.hitpool.models import Milestone, Plan
from hotpot.responses import stored_file_response
from hotpot.validation import FieldErrors, Id, StaleVersion, parse_form
from hotpot.web import conflict, form_version, redirect, render

router = APIRouter(include_in_schema=False)
PlanReader = Annotated[Any, Depends(allow_roles(Role.producer, Role.admin, Role.reviewer))]


def _staff_plan(session: SessionDep, user: StaffUser, plan_id: Id) -> Plan:
    return incubation.staff_plan(session, user=user, plan_id=plan_id)


def _staff_milestone(session: SessionDep, user: StaffUser, milestone_id: Id) -> Milestone:
    return incubation.staff_milestone(session, user=user, milestone_id=milestone_id)


def _producer_plan(session: SessionDep, user: ProducerUser, plan_id: Id) -> Plan:
    return incubation.producer_plan(session, user=user, plan_id=plan_id)


StaffPlan = Annotated[Plan, Depends(_staff_plan)]
StaffMilestone = Annotated[Milestone, Depends(_staff_milestone)]
ProducerPlan = Annotated[Plan, Depends(_producer_plan)]

CHOICES = {
    "kpi_choices": list(KpiKind.labels().items()),
    "support_choices": list(SupportKind.labels().items()),
    "title_choices": list(GraduationTitle.labels().items()),
    "check_choices": [("achieved", MilestoneStatus.achieved.label), ("missed", MilestoneStatus.missed.label)],
}


# --- staff ------------------------------------------------------------------------------------------------------


@router.get("/pool/plans")
def plans(
    request: Request,
    session: SessionDep,
    user: StaffUser,
    params: ListParamsDep,
    batch: Annotated[Id | None, Query()] = None,
    status: Annotated[str | None, Query(max_length=20)] = None,
    overdue: Annotated[str | None, Query(max_length=2)] = None,
) -> Response:
    listing = incubation.plan_list(
        session,
        user=user,
        batch_id=batch,
        status=status or None,
        overdue_only=overdue == "1",
        page=params.page,
        page_size=params.page_size,
    )
    context = {
        "listing": listing,
        "page": listing.page,
        "batch": batch,
        "status": status or "",
        "overdue": overdue == "1",
        "statuses": list(PlanStatus.labels().items()),
        "today": incubation.today(),
    }
    return render(request, "hitpool/incubation/plans.html", context, block="results")


def _staff_page(request, session, plan, *, errors=None, failed=None, values=None, status_code=200) -> Response:
    page = incubation.plan_page(session, plan=plan, with_history=True)
    context = {
        **page.context(),
        **CHOICES,
        "errors": errors or {},
        "failed": failed,
        "values": values or {},
    }
    return render(request, "hitpool/incubation/plan.html", context, status_code=status_code)


@router.get("/pool/plans/{plan_id}")
def plan_detail(request: Request, session: SessionDep, user: StaffUser, plan: StaffPlan) -> Response:
    return _staff_page(request, session, plan)


def _back(plan_id: int, anchor: str = "") -> str:
    return f"/pool/plans/{plan_id}" + (f"#{anchor}" if anchor else "")


@router.post("/pool/plans/{plan_id}/milestones")
def add_milestone(request: Request, session: SessionDep, user: StaffUser, plan: StaffPlan, form: FormDict) -> Response:
    try:
        incubation.add_milestone(session, plan=plan, actor=user, data=parse_form(MilestoneIn, form))
    except FieldErrors as exc:
        return _staff_page(request, session, plan, errors=exc.errors, failed="new", values=form, status_code=422)
    return redirect(request, _back(plan.id, "milestones"), flash="hit_milestone_added")


@router.post("/pool/milestones/{milestone_id}/edit")
def edit_milestone(
    request: Request, session: SessionDep, user: StaffUser, milestone: StaffMilestone, form: FormDict
) -> Response:
    data = dict(form)
    version = form_version(data)
    plan = incubation.plan_of(session, milestone)
    try:
        incubation.edit_milestone(
            session, milestone=milestone, actor=user, data=parse_form(MilestoneIn, data), version=version
        )
    except FieldErrors as exc:
        failed = f"edit-{milestone.id}"
        return _staff_page(request, session, plan, errors=exc.errors, failed=failed, values=data, status_code=422)
    except StaleVersion:
        return _milestone_conflict(request, milestone)
    return redirect(request, _back(plan.id, f"m{milestone.id}"), flash="hit_milestone_saved")


def _milestone_conflict(request, milestone: Milestone) -> Response:
    changes = [
        ("状态", "—", MilestoneStatus.label_of(milestone.status)),
        ("核查意见", "—", milestone.check_note or "—"),
    ]
    return conflict(
        request, title=milestone.title, back_url=_back(milestone.plan_id, f"m{milestone.id}"), changes=changes
    )


@router.post("/pool/milestones/{milestone_id}/check")
def check_milestone(
    request: Request, session: SessionDep, user: StaffUser, milestone: StaffMilestone, form: FormDict
) -> Response:
    data = dict(form)
    version = form_version(data)
    plan = incubation.plan_of(session, milestone)
    try:
        incubation.check_milestone(
            session, milestone=milestone, actor=user, data=parse_form(CheckIn, data), version=version
        )
    except FieldErrors as exc:
        failed = f"check-{milestone.id}"
        return _staff_page(request, session, plan, errors=exc.errors, failed=failed, values=data, status_code=422)
    except StaleVersion:
        return _milestone_conflict(request, milestone)
    return redirect(request, _back(plan.id, f"m{milestone.id}"), flash="hit_milestone_checked")


@router.post("/pool/plans/{plan_id}/support")
def add_support(request: Request, session: SessionDep, user: StaffUser, plan: StaffPlan, form: FormDict) -> Response:
    try:
        incubation.add_support(session, plan=plan, actor=user, data=parse_form(SupportIn, form))
    except FieldErrors as exc:
        return _staff_page(request, session, plan, errors=exc.errors, failed="support", values=form, status_code=422)
    return redirect(request, _back(plan.id, "support"), flash="hit_support_added")


def _plan_conflict(request, plan: Plan) -> Response:
    changes = [("状态", "—", PlanStatus.label_of(plan.status))]
    return conflict(request, title="培育计划", back_url=_back(plan.id), changes=changes)


@router.post("/pool/plans/{plan_id}/graduate")
def graduate(request: Request, session: SessionDep, user: StaffUser, plan: StaffPlan, form: FormDict) -> Response:
    data = dict(form)
    version = form_version(data)
    try:
        incubation.graduate(session, plan=plan, actor=user, data=parse_form(GraduateIn, data), version=version)
    except FieldErrors as exc:
        return _staff_page(request, session, plan, errors=exc.errors, failed="graduate", values=data, status_code=422)
    except StaleVersion:
        return _plan_conflict(request, plan)
    return redirect(request, _back(plan.id), flash="hit_plan_graduated")


@router.post("/pool/plans/{plan_id}/end")
def end_plan(request: Request, session: SessionDep, user: StaffUser, plan: StaffPlan, form: FormDict) -> Response:
    data = dict(form)
    version = form_version(data)
    try:
        incubation.end_plan(session, plan=plan, actor=user, data=parse_form(EndIn, data), version=version)
    except FieldErrors as exc:
        return _staff_page(request, session, plan, errors=exc.errors, failed="end", values=data, status_code=422)
    except StaleVersion:
        return _plan_conflict(request, plan)
    return redirect(request, _back(plan.id), flash="hit_plan_ended")


@router.get("/pool/plans/{plan_id}/evidence/{update_id}")
def evidence(request: Request, session: SessionDep, user: PlanReader, plan_id: Id, update_id: Id) -> Response:
    """A progress update's evidence: the plan's producers and unconflicted staff (404 for anyone else)."""
    stored = incubation.evidence_file(session, user=user, plan_id=plan_id, update_id=update_id)
    return stored_file_response(stored, fallback_name="evidence", request=request)


# --- the producer -----------------------------------------------------------------------------------------------


def _producer_page(request, session, plan, *, errors=None, failed=None, values=None, status_code=200) -> Response:
    page = incubation.plan_page(session, plan=plan)
    context = {**page.context(), "errors": errors or {}, "failed": failed, "values": values or {}}
    return render(request, "hitpool/incubation/my_plan.html", context, status_code=status_code)


@router.get("/my/pool/plans/{plan_id}")
def my_plan(request: Request, session: SessionDep, user: ProducerUser, plan: ProducerPlan) -> Response:
    return _producer_page(request, session, plan)


@router.post("/my/pool/plans/{plan_id}/milestones/{milestone_id}/progress")
def post_progress(
    request: Request, session: SessionDep, user: ProducerUser, plan: ProducerPlan, milestone_id: Id, form: FormDict
) -> Response:
    milestone = incubation.producer_milestone(session, user=user, plan=plan, milestone_id=milestone_id)
    data = {k: v for k, v in form.items() if k != "evidence"}
    version = form_version(data)
    try:
        upload = files.read_upload(form.get("evidence"))
        incubation.post_progress(session, milestone=milestone, user=user, form=data, upload=upload, version=version)
    except FieldErrors as exc:
        failed = f"progress-{milestone.id}"
        return _producer_page(request, session, plan, errors=exc.errors, failed=failed, values=data, status_code=422)
    except StaleVersion:
        changes = [("状态", "—", MilestoneStatus.label_of(milestone.status))]
        back = f"/my/pool/plans/{plan.id}#m{milestone.id}"
        return conflict(request, title=milestone.title, back_url=back, changes=changes)
    return redirect(request, f"/my/pool/plans/{plan.id}#m{milestone.id}", flash="hit_progress_posted")
