"""Application pages (producers: /my/pool ...), the screening queue (staff) and the supporting files."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import AnyUser, FormDict, ProducerUser, StaffUser
from hotpot.files import service as files
from hotpot.hitpool import candidates as service
from hotpot.hitpool.candidate_schemas import ApplyIn, CandidateIn, FileIn, ScreeningIn
from hotpot.hitpool.models import Candidate
from hotpot.responses import stored_file_response
from hotpot.validation import FieldErrors, Id, StaleVersion, parse_form, parse_id
from hotpot.web import conflict, form_version, redirect, render, stale_changes

router = APIRouter(include_in_schema=False)

FIELD_LABELS = {
    "pitch": "申报理由（产品亮点）",
    "target_markets": "目标市场",
    "channels": "销售渠道",
    "sales_wan": "上年销售额（万元）",
    "volume_t": "上年销量（吨）",
    "capacity_t": "年产能（吨/年）",
    "local_share_pct": "本地原料占比（%）",
    "local_share_note": "占比说明",
    "brand_id": "品牌",
}


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")
    return value


def _values(candidate: Candidate, attached: set[int]) -> dict[str, Any]:
    values = {k: _plain(getattr(candidate, k)) for k in FIELD_LABELS}
    values["brand_id"] = str(candidate.brand_id) if candidate.brand_id else ""
    values["certificate_ids"] = [str(i) for i in sorted(attached)]
    values["version"] = candidate.version
    return values


def _application(
    request: Request,
    session,
    user,
    candidate: Candidate,
    *,
    values: dict | None = None,
    errors: dict | None = None,
    failures: list | None = None,
    status_code: int = 200,
) -> Response:
    page = service.application_page(session, user=user, candidate=candidate)
    context = {
        **page.context(),
        "values": values if values is not None else _values(candidate, page.attached_ids),
        "errors": errors or {},
        "failures": failures,
    }
    return render(request, "hitpool/candidates/application.html", context, status_code=status_code)


# --- producers ----------------------------------------------------------------------------------------------------


@router.get("/my/pool")
def my_pool(request: Request, session: SessionDep, user: ProducerUser) -> Response:
    page = service.my_pool(session, user=user)
    return render(request, "hitpool/candidates/my_pool.html", page.context())


@router.get("/my/pool/apply/{batch_id}")
def apply_form(request: Request, session: SessionDep, user: ProducerUser, batch_id: Id) -> Response:
    batch = service.batch_for_producer(session, batch_id=batch_id)
    page = service.apply_page(session, user=user, batch=batch)
    return render(request, "hitpool/candidates/apply.html", {**page.context(), "values": {}, "errors": {}})


@router.post("/my/pool/apply/{batch_id}")
def apply(request: Request, session: SessionDep, user: ProducerUser, batch_id: Id, form: FormDict) -> Response:
    batch = service.batch_for_producer(session, batch_id=batch_id)
    try:
        candidate = service.apply(session, user=user, batch=batch, data=parse_form(ApplyIn, dict(form)))
    except FieldErrors as exc:
        page = service.apply_page(session, user=user, batch=batch)
        context = {**page.context(), "values": dict(form), "errors": exc.errors}
        return render(request, "hitpool/candidates/apply.html", context, status_code=422)
    return redirect(request, f"/my/pool/candidates/{candidate.id}", flash="hit_candidate_applied")


@router.get("/my/pool/candidates/{candidate_id}")
def application(request: Request, session: SessionDep, user: ProducerUser, candidate_id: Id) -> Response:
    candidate = service.for_producer(session, user=user, candidate_id=candidate_id)
    return _application(request, session, user, candidate)


@router.post("/my/pool/candidates/{candidate_id}/edit")
def edit(request: Request, session: SessionDep, user: ProducerUser, candidate_id: Id, form: FormDict) -> Response:
    candidate = service.for_producer(session, user=user, candidate_id=candidate_id)
    data = dict(form)
    version = form_version(data)
    if "certificate_ids" not in data:
        data["certificate_ids"] = []
    try:
        service.edit(session, user=user, candidate=candidate, data=parse_form(CandidateIn, data), version=version)
    except FieldErrors as exc:
        values = {**data, "version": version}
        return _application(request, session, user, candidate, values=values, errors=exc.errors, status_code=422)
    except StaleVersion:
        attached = {c.id for c in service.attached_certificates(session, candidate)}
        changed = stale_changes(data, _values(candidate, attached), FIELD_LABELS)
        back = f"/my/pool/candidates/{candidate.id}"
        return conflict(request, title=candidate.product.name, back_url=back, changes=changed)
    return redirect(request, f"/my/pool/candidates/{candidate.id}", flash="hit_candidate_saved")


@router.post("/my/pool/candidates/{candidate_id}/submit")
def submit(request: Request, session: SessionDep, user: ProducerUser, candidate_id: Id, form: FormDict) -> Response:
    candidate = service.for_producer(session, user=user, candidate_id=candidate_id)
    version = form_version(dict(form))
    try:
        service.submit(session, user=user, candidate=candidate, version=version)
    except service.NotEligible as exc:
        return _application(request, session, user, candidate, failures=exc.failures, status_code=422)
    return redirect(request, f"/my/pool/candidates/{candidate.id}", flash="hit_candidate_submitted")


@router.post("/my/pool/candidates/{candidate_id}/withdraw")
def withdraw(request: Request, session: SessionDep, user: ProducerUser, candidate_id: Id, form: FormDict) -> Response:
    candidate = service.for_producer(session, user=user, candidate_id=candidate_id)
    service.withdraw(session, user=user, candidate=candidate, version=form_version(dict(form)))
    return redirect(request, f"/my/pool/candidates/{candidate.id}", flash="hit_candidate_withdrawn")


@router.post("/my/pool/candidates/{candidate_id}/files")
def add_file(request: Request, session: SessionDep, user: ProducerUser, candidate_id: Id, form: FormDict) -> Response:
    candidate = service.for_producer(session, user=user, candidate_id=candidate_id)
    data = dict(form)
    version = form_version(data)
    uploads = files.read_uploads(data.pop("file", None))
    try:
        label = parse_form(FileIn, {"label": data.get("label", "")})
        service.add_file(
            session, user=user, candidate=candidate, data=label, upload=uploads[0] if uploads else None, version=version
        )
    except FieldErrors as exc:
        errors = {("file_label" if k == "label" else k): v for k, v in exc.errors.items()}
        values = {"file_label": data.get("label", "")}
        return _file_error(request, session, user, candidate, errors, values)
    return redirect(request, f"/my/pool/candidates/{candidate.id}#files", flash="hit_candidate_file_added")


def _file_error(request, session, user, candidate, errors, values) -> Response:
    page = service.application_page(session, user=user, candidate=candidate)
    context = {**page.context(), "values": {**_values(candidate, page.attached_ids), **values}, "errors": errors}
    return render(request, "hitpool/candidates/application.html", {**context, "failures": None}, status_code=422)


@router.post("/my/pool/candidates/{candidate_id}/files/{file_id}/delete")
def remove_file(
    request: Request, session: SessionDep, user: ProducerUser, candidate_id: Id, file_id: Id, form: FormDict
) -> Response:
    candidate = service.for_producer(session, user=user, candidate_id=candidate_id)
    version = parse_id(form.get("version"))
    service.remove_file(session, user=user, candidate=candidate, file_id=file_id, version=version)
    return redirect(request, f"/my/pool/candidates/{candidate.id}#files", flash="hit_candidate_file_removed")


@router.get("/pool/candidates/{candidate_id}/files/{file_id}")
def candidate_file(request: Request, session: SessionDep, user: AnyUser, candidate_id: Id, file_id: Id) -> Response:
    stored = service.stored_file(session, user=user, candidate_id=candidate_id, file_id=file_id)
    return stored_file_response(stored, fallback_name="attachment", request=request)


# --- staff: screening ---------------------------------------------------------------------------------------------


@router.get("/pool/batches/{batch_id}/screening")
def screening(
    request: Request, session: SessionDep, user: StaffUser, batch_id: Id, status: str = "submitted", page: int = 1
) -> Response:
    batch = service.batch_for_staff(session, batch_id=batch_id)
    result = service.screening_page(session, user=user, batch=batch, status=status[:20], page=max(1, min(page, 100000)))
    return render(request, "hitpool/candidates/screening.html", {**result.context(), "errors": {}, "outcome": None})


@router.post("/pool/batches/{batch_id}/screening")
def bulk_pass(request: Request, session: SessionDep, user: StaffUser, batch_id: Id, form: FormDict) -> Response:
    batch = service.batch_for_staff(session, batch_id=batch_id)
    ids = form.get("ids") or []
    ids = ids if isinstance(ids, list) else [ids]
    picks = {}
    for raw in ids:
        cid = parse_id(raw)
        version = parse_id(form.get(f"version_{raw}")) if cid else None
        if cid and version:
            picks[cid] = version
    if not picks:
        result = service.screening_page(session, user=user, batch=batch, status="submitted", page=1)
        errors = {"ids": "请先勾选要通过的申报"}
        context = {**result.context(), "errors": errors, "outcome": None}
        return render(request, "hitpool/candidates/screening.html", context, status_code=422)
    outcome = service.bulk_pass(session, user=user, batch=batch, picks=picks)
    result = service.screening_page(session, user=user, batch=batch, status="submitted", page=1)
    return render(request, "hitpool/candidates/screening.html", {**result.context(), "errors": {}, "outcome": outcome})


@router.post("/pool/candidates/{candidate_id}/screening")
def screen(request: Request, session: SessionDep, user: StaffUser, candidate_id: Id, form: FormDict) -> Response:
    candidate = service.for_staff(session, user=user, candidate_id=candidate_id)
    data = dict(form)
    version = form_version(data)
    back = f"/pool/batches/{candidate.batch_id}/screening"
    try:
        service.screen(session, user=user, candidate=candidate, data=parse_form(ScreeningIn, data), version=version)
    except FieldErrors as exc:
        result = service.screening_page(session, user=user, batch=candidate.batch, status=candidate.status, page=1)
        errors = {f"{k}_{candidate.id}": v for k, v in exc.errors.items()}
        context = {
            **result.context(),
            "errors": errors,
            "outcome": None,
            "reason_values": {candidate.id: data.get("reason", "")},
        }
        return render(request, "hitpool/candidates/screening.html", context, status_code=422)
    flash = {
        "pass": "hit_candidate_screen_passed",
        "return": "hit_candidate_screen_returned",
        "reject": "hit_candidate_screen_rejected",
    }
    return redirect(request, f"{back}?status=submitted", flash=flash[data.get("action", "pass")])
