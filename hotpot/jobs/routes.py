"""/admin/jobs: the background jobs for admins (queued, running, done, failed), starting one, retrying one."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import AdminUser, FormDict, ListParamsDep
from hotpot.jobs import service
from hotpot.validation import Id
from hotpot.web import redirect, render

router = APIRouter(prefix="/admin/jobs", tags=["管理"], include_in_schema=False)

STATUS_CHOICES = [(s, service.STATUS_LABELS[s]) for s in service.STATUS_FILTERS]


@router.get("")
def jobs_page(
    request: Request,
    session: SessionDep,
    admin: AdminUser,
    params: ListParamsDep,
    status: Annotated[str | None, Query(max_length=20)] = None,
) -> Response:
    status = status if status in service.STATUS_LABELS else None
    view = service.overview(session, status=status, page=params.page, page_size=params.page_size)
    context = {"view": view, "status": status or "", "status_choices": STATUS_CHOICES}
    return render(request, "admin/jobs.html", context, block="job_table")


@router.post("/run")
def start_job(request: Request, session: SessionDep, admin: AdminUser, form: FormDict) -> Response:
    service.enqueue(session, name=str(form.get("name") or ""), actor=admin)
    return redirect(request, "/admin/jobs", flash="job_queued")


@router.post("/{job_id}/retry")
def retry_job(request: Request, session: SessionDep, admin: AdminUser, job_id: Id, form: FormDict) -> Response:
    service.retry(session, job_id=job_id, actor=admin)
    return redirect(request, "/admin/jobs", flash="job_retried")
