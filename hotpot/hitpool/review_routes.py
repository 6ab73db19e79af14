"""Review pages of the 爆品 pool: the expert's queue and review form, revisions, the staff candidate page and the
candidate's discussion. Who may see a candidate is hotpot.hitpool.access (a conflicted person gets a 404)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import object_session

from hotpot.auth.models import Role, User
from hotpot.db import SessionDep
from hotpot.deps import FormDict, StaffUser, allow_roles, visible
from hotpot.hitpool import access, candidates, decisions, discussion, reviews
from hotpot.hitpool.models import Candidate
from hotpot.hitpool.review_schemas import PostIn, RevisionIn
from hotpot.validation import FieldErrors, parse_form
from hotpot.web import redirect, render

router = APIRouter(include_in_schema=False)

ExpertUser = Annotated[User, Depends(allow_roles(Role.expert))]
DiscussantUser = Annotated[User, Depends(allow_roles(Role.admin, Role.reviewer, Role.expert))]


def _reviewer_of(user: Any, candidate: Candidate) -> bool:
    return access.can_review(object_session(candidate), user, candidate)


def _sees_reviews(user: Any, candidate: Candidate) -> bool:
    return access.can_see_reviews(object_session(candidate), user, candidate)


ReviewedCandidate = visible(Candidate, _reviewer_of, param="candidate_id", user=ExpertUser)
StaffCandidate = visible(Candidate, _sees_reviews, param="candidate_id", user=StaffUser)
DiscussedCandidate = visible(Candidate, _sees_reviews, param="candidate_id", user=DiscussantUser)


@router.get("/expert")
def expert_queue(request: Request, session: SessionDep, user: ExpertUser) -> Response:
    expert = access.expert_of(session, user)
    return render(
        request,
        "hitpool/reviews/queue.html",
        {"batches": reviews.queue(session, user=user), "expert": expert},
    )


def _expert_page(
    request: Request,
    session,
    user,
    candidate: Candidate,
    *,
    errors: dict[str, str] | None = None,
    values: dict[str, Any] | None = None,
    revise_errors: dict[str, str] | None = None,
    revise_values: dict[str, Any] | None = None,
    post_errors: dict[str, str] | None = None,
    post_values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    page = reviews.expert_page(session, user=user, candidate=candidate)
    return render(
        request,
        "hitpool/reviews/expert_candidate.html",
        {
            "candidate": candidate,
            "page": page,
            "summary": candidates.summary(session, candidate),
            "thread": discussion.thread(session, user=user, candidate=candidate),
            "errors": errors or {},
            "values": page.values if values is None else values,
            "revise_errors": revise_errors or {},
            "revise_values": revise_values or {},
            "post_errors": post_errors or {},
            "post_values": post_values or {},
            "post_action": f"/pool/candidates/{candidate.id}/posts",
        },
        status_code=status_code,
    )


@router.get("/expert/candidates/{candidate_id}")
def expert_candidate(request: Request, session: SessionDep, user: ExpertUser, candidate: ReviewedCandidate) -> Response:
    return _expert_page(request, session, user, candidate)


@router.post("/expert/candidates/{candidate_id}/review")
def save_review(
    request: Request, session: SessionDep, user: ExpertUser, candidate: ReviewedCandidate, form: FormDict
) -> Response:
    try:
        review = reviews.save(session, user=user, candidate=candidate, form=form)
    except FieldErrors as exc:
        return _expert_page(request, session, user, candidate, errors=exc.errors, values=form, status_code=422)
    flash = "review_submitted" if review.status == "submitted" else "review_saved"
    anchor = "#others" if review.status == "submitted" else "#review-form"
    return redirect(request, f"/expert/candidates/{candidate.id}{anchor}", flash=flash)


@router.post("/expert/candidates/{candidate_id}/revise")
def revise_review(
    request: Request, session: SessionDep, user: ExpertUser, candidate: ReviewedCandidate, form: FormDict
) -> Response:
    try:
        data = parse_form(RevisionIn, form)
        reviews.revise(session, user=user, candidate=candidate, reason=data.revision_reason)
    except FieldErrors as exc:
        errors = {"revision_reason": exc.errors.get("revision_reason") or next(iter(exc.errors.values()))}
        return _expert_page(
            request, session, user, candidate, revise_errors=errors, revise_values=form, status_code=422
        )
    return redirect(request, f"/expert/candidates/{candidate.id}#review-form", flash="review_revision_opened")


def _staff_page(
    request: Request,
    session,
    user,
    candidate: Candidate,
    *,
    post_errors: dict[str, str] | None = None,
    post_values: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "hitpool/reviews/staff_candidate.html",
        {
            "candidate": candidate,
            "batch": candidate.batch,
            "page": reviews.staff_page(session, user=user, candidate=candidate),
            "summary": candidates.summary(session, candidate),
            "decision_panel": decisions.panel(session, candidate, user),
            "thread": discussion.thread(session, user=user, candidate=candidate),
            "post_errors": post_errors or {},
            "post_values": post_values or {},
            "post_action": f"/pool/candidates/{candidate.id}/posts",
        },
        status_code=status_code,
    )


@router.get("/pool/candidates/{candidate_id}")
def staff_candidate(request: Request, session: SessionDep, user: StaffUser, candidate: StaffCandidate) -> Response:
    return _staff_page(request, session, user, candidate)


@router.post("/pool/candidates/{candidate_id}/posts")
def add_post(
    request: Request, session: SessionDep, user: DiscussantUser, candidate: DiscussedCandidate, form: FormDict
) -> Response:
    staff = access.is_staff(user)
    try:
        discussion.add(session, user=user, candidate=candidate, data=parse_form(PostIn, form))
    except FieldErrors as exc:
        if staff:
            return _staff_page(
                request, session, user, candidate, post_errors=exc.errors, post_values=form, status_code=422
            )
        return _expert_page(
            request, session, user, candidate, post_errors=exc.errors, post_values=form, status_code=422
        )
    base = "/pool/candidates" if staff else "/expert/candidates"
    return redirect(request, f"{base}/{candidate.id}#discussion", flash="post_added")
