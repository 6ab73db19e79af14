"""Applications: apply (one unfinished batch per product), edit (registry certificates and brand, local share with a
note), submit (window, eligibility: nothing changes when a rule fails), withdraw, files, screening and the bell."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.db import utcnow
from hotpot.errors import InvalidState, NotAllowed, NotFound
from hotpot.hitpool import candidates as service
from hotpot.hitpool.candidate_schemas import ApplyIn, CandidateIn, FileIn, ScreeningIn
from hotpot.hitpool.models import Candidate, CandidateCertificate, Decision
from hotpot.validation import FieldErrors, StaleVersion
from tests.auth.builders import log_in, make_user
from tests.bases.builders import make_base
from tests.brands.builders import make_brand_with_licence
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise, make_product, owner_of
from tests.hitpool.builders import make_batch, make_candidate

PDF = b"%PDF-1.4 test report"


@pytest.fixture
def world(db):
    enterprise = make_enterprise(db)
    owner = owner_of(db, enterprise)
    cert = make_certificate(db, enterprise=enterprise)
    product = make_product(db, enterprise=enterprise)
    batch = make_batch(db)
    staff = make_user(db, role="reviewer")
    return {"enterprise": enterprise, "owner": owner, "cert": cert, "product": product, "batch": batch, "staff": staff}


def _apply(db, w, batch=None, product=None) -> Candidate:
    return service.apply(
        db, user=w["owner"], batch=batch or w["batch"], data=ApplyIn(product_id=(product or w["product"]).id)
    )


def _complete(db, w, candidate, **overrides) -> Candidate:
    values = {
        "pitch": "千层毛肚，合川本地牛源，脆嫩爽口。",
        "target_markets": "川渝",
        "channels": "连锁火锅",
        "sales_wan": "1200.5",
        "volume_t": "800",
        "capacity_t": "1500",
        "certificate_ids": [str(w["cert"].id)],
    }
    values.update(overrides)
    return service.edit(db, user=w["owner"], candidate=candidate, data=CandidateIn(**values), version=candidate.version)


def _events(db, action: str) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def test_apply_creates_a_draft_with_the_valid_certificates_attached(db, world):
    candidate = _apply(db, world)
    assert candidate.status == "draft"
    assert candidate.enterprise_id == world["enterprise"].id
    attached = db.scalars(
        select(CandidateCertificate.certificate_id).where(CandidateCertificate.candidate_id == candidate.id)
    )
    assert list(attached) == [world["cert"].id]
    assert _events(db, "hit_candidate.create") == 1


def test_apply_needs_a_verified_enterprise(db):
    enterprise = make_enterprise(db, status="pending")
    product = make_product(db, enterprise=enterprise)
    with pytest.raises(NotAllowed):
        service.apply(db, user=owner_of(db, enterprise), batch=make_batch(db), data=ApplyIn(product_id=product.id))


def test_apply_refuses_another_enterprises_product(db, world):
    other = make_product(db)
    with pytest.raises(FieldErrors) as exc:
        service.apply(db, user=world["owner"], batch=world["batch"], data=ApplyIn(product_id=other.id))
    assert exc.value.errors == {"product_id": "请选择本企业的产品"}


def test_a_product_is_in_one_unfinished_batch_at_a_time(db, world):
    _apply(db, world)
    second = make_batch(db)
    with pytest.raises(FieldErrors) as exc:
        _apply(db, world, batch=second)
    assert world["batch"].name in exc.value.errors["product_id"]
    with pytest.raises(FieldErrors) as exc:
        _apply(db, world)
    assert "同一批次不能重复申报" in exc.value.errors["product_id"]


def test_a_published_batch_or_a_withdrawn_application_frees_the_product(db, world):
    old = make_batch(db, status="published")
    make_candidate(db, batch=old, product=world["product"], status="passed")
    candidate = _apply(db, world)
    service.withdraw(db, user=world["owner"], candidate=candidate, version=candidate.version)
    assert _apply(db, world, batch=make_batch(db)).status == "draft"


def test_apply_refuses_a_batch_that_does_not_take_applications(db, world):
    for batch in (
        make_batch(db, status="screening"),
        make_batch(
            db, apply_opens_on=date.today() + timedelta(days=2), apply_closes_on=date.today() + timedelta(days=5)
        ),
    ):
        with pytest.raises(InvalidState):
            _apply(db, world, batch=batch)


def test_edit_saves_figures_certificates_and_brand_with_one_event(db, world):
    brand, _ = make_brand_with_licence(db, licensee=world["enterprise"])
    candidate = _apply(db, world)
    version = candidate.version
    _complete(db, world, candidate, brand_id=str(brand.id), certificate_ids=[])
    db.expire_all()
    assert candidate.version == version + 1
    assert candidate.sales_wan == Decimal("1200.50")
    assert candidate.brand_id == brand.id
    assert service.attached_certificates(db, candidate) == []
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "hit_candidate.update")).one()
    assert event.before["certificates"] == [world["cert"].id]
    assert event.after["certificates"] == []


def test_edit_refuses_a_foreign_brand_and_certificate_and_saves_nothing(db, world):
    candidate = _apply(db, world)
    foreign_cert = make_certificate(db)
    foreign_brand, _ = make_brand_with_licence(db)
    with pytest.raises(FieldErrors) as exc:
        _complete(db, world, candidate, brand_id=str(foreign_brand.id), certificate_ids=[str(foreign_cert.id)])
    assert set(exc.value.errors) == {"brand_id", "certificate_ids"}
    db.expire_all()
    assert candidate.pitch is None
    assert candidate.version == 1


def test_local_share_is_computed_from_hechuan_sources_and_a_different_number_needs_a_note(db, world):
    from hotpot.bases import service as base_service
    from hotpot.bases.schemas import SourceIn

    base = make_base(db, enterprise=world["enterprise"])
    base_service.set_sources(
        db, user=world["owner"], product=world["product"], items=[SourceIn(base_id=base.id, share_pct=Decimal("45"))]
    )
    candidate = _apply(db, world)
    assert candidate.local_share_computed == Decimal("45")
    assert candidate.local_share_pct == Decimal("45")
    with pytest.raises(FieldErrors) as exc:
        _complete(db, world, candidate, local_share_pct="70")
    assert "系统计算值为 45%" in exc.value.errors["local_share_note"]
    _complete(db, world, candidate, local_share_pct="70", local_share_note="另有合同收购的本地农户原料")
    assert candidate.local_share_pct == Decimal("70")
    summary = service.summary(db, candidate)
    assert summary["computed_share"] == Decimal("45")
    assert summary["share_differs"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("sales_wan", "1e20", "数值过大"),
        ("sales_wan", "-1", "不能小于"),
        ("volume_t", "abc", "请输入数字"),
        ("capacity_t", "NaN", "请输入数字"),
        ("local_share_pct", "101", "不能大于"),
        ("pitch", "x" * 2001, "不能超过"),
    ],
)
def test_bad_figures_get_field_errors(db, world, field, value, message):
    from hotpot.validation import parse_form

    with pytest.raises(FieldErrors) as exc:
        parse_form(CandidateIn, {field: value})
    assert message in exc.value.errors[field]


def test_full_width_digits_count():
    data = CandidateIn(sales_wan="１，２００")
    assert data.sales_wan == Decimal("1200")


def test_a_stale_form_is_refused(db, world):
    candidate = _apply(db, world)
    _complete(db, world, candidate)
    with pytest.raises(StaleVersion):
        service.edit(db, user=world["owner"], candidate=candidate, data=CandidateIn(pitch="旧表单"), version=1)


def test_submit_lists_every_failure_and_changes_nothing(db, world):
    candidate = _apply(db, world)
    with pytest.raises(service.NotEligible) as exc:
        service.submit(db, user=world["owner"], candidate=candidate, version=candidate.version)
    assert [f.rule for f in exc.value.failures] == [
        "field:pitch",
        "field:sales_wan",
        "field:volume_t",
        "field:capacity_t",
    ]
    db.expire_all()
    assert candidate.status == "draft"
    assert candidate.submitted_at is None
    assert candidate.version == 1


def test_submit_then_return_then_resubmit_keeps_the_first_submission_time(db, world):
    candidate = _apply(db, world)
    _complete(db, world, candidate)
    service.submit(db, user=world["owner"], candidate=candidate, version=candidate.version)
    assert candidate.status == "submitted"
    assert candidate.first_submitted_at is not None
    first = candidate.first_submitted_at
    service.screen(
        db,
        user=world["staff"],
        candidate=candidate,
        data=ScreeningIn(action="return", reason="请补充检测报告"),
        version=candidate.version,
    )
    assert candidate.status == "returned"
    assert candidate.screening_reason == "请补充检测报告"
    assert service.unread_count(db, world["owner"]) == 1
    service.submit(db, user=world["owner"], candidate=candidate, version=candidate.version)
    assert candidate.status == "submitted"
    assert candidate.first_submitted_at == first
    assert service.unread_count(db, world["owner"]) == 0
    assert _events(db, "hit_candidate.submit") == 2
    assert _events(db, "hit_candidate.return") == 1


def test_submit_after_the_window_closed_is_refused(db, world):
    candidate = _apply(db, world)
    _complete(db, world, candidate)
    world["batch"].apply_closes_on = date.today() - timedelta(days=1)
    world["batch"].apply_opens_on = date.today() - timedelta(days=20)
    db.flush()
    with pytest.raises(InvalidState) as exc:
        service.submit(db, user=world["owner"], candidate=candidate, version=candidate.version)
    assert "截止" in exc.value.message


def test_screening_needs_a_reason_to_return_or_reject_and_an_open_batch(db, world):
    candidate = make_candidate(db, batch=world["batch"], product=world["product"], status="submitted")
    for action in ("return", "reject"):
        with pytest.raises(FieldErrors) as exc:
            service.screen(
                db, user=world["staff"], candidate=candidate, data=ScreeningIn(action=action), version=candidate.version
            )
        assert "至少 4 个字" in exc.value.errors["reason"]
    service.screen(
        db, user=world["staff"], candidate=candidate, data=ScreeningIn(action="pass"), version=candidate.version
    )
    assert candidate.status == "passed"
    late = make_candidate(db, batch=make_batch(db, status="reviewing"), status="submitted")
    with pytest.raises(InvalidState):
        service.screen(db, user=world["staff"], candidate=late, data=ScreeningIn(action="pass"), version=late.version)


def test_bulk_pass_skips_changed_and_decided_applications(db, world):
    a = make_candidate(db, batch=world["batch"], status="submitted")
    b = make_candidate(db, batch=world["batch"], status="submitted")
    c = make_candidate(db, batch=world["batch"], status="returned")
    result = service.bulk_pass(
        db, user=world["staff"], batch=world["batch"], picks={a.id: a.version, b.id: 99, c.id: c.version}
    )
    assert result.done == [a.product.name]
    assert result.stale == [b.product.name]
    assert [name for name, _ in result.refused] == [c.product.name]
    assert a.status == "passed"
    assert b.status == "submitted"


def test_the_screening_queue_counts_per_state_and_hides_conflicted_candidates(db, world):
    from hotpot.hitpool.models import Tie

    tied = make_candidate(db, batch=world["batch"], status="submitted")
    make_candidate(db, batch=world["batch"], status="submitted")
    make_candidate(db, batch=world["batch"], status="returned")
    page = service.screening_page(db, user=world["staff"], batch=world["batch"], status="submitted", page=1)
    assert {s: n for s, _, n in page.tabs}["submitted"] == 2
    assert page.page.total == 2
    conflicted = make_user(db, role="reviewer")
    db.add(Tie(user_id=conflicted.id, enterprise_id=tied.enterprise_id, reason="亲属任职"))
    db.flush()
    page = service.screening_page(db, user=conflicted, batch=world["batch"], status="submitted", page=1)
    assert [i.candidate.id for i in page.items] != []
    assert tied.id not in [i.candidate.id for i in page.items]
    with pytest.raises(NotFound):
        service.for_staff(db, user=conflicted, candidate_id=tied.id)


def test_files_are_checked_labelled_and_removed(db, world):
    candidate = _apply(db, world)
    row = service.add_file(
        db,
        user=world["owner"],
        candidate=candidate,
        data=FileIn(label="检测报告"),
        upload=(PDF, "报告.pdf"),
        version=candidate.version,
    )
    assert [f.label for f in candidate.files] == ["检测报告"]
    with pytest.raises(FieldErrors) as exc:
        service.add_file(
            db,
            user=world["owner"],
            candidate=candidate,
            data=FileIn(label="脚本"),
            upload=(b"#!/bin/sh", "x.sh"),
            version=candidate.version,
        )
    assert "文件类型不支持" in exc.value.errors["file"]
    service.remove_file(db, user=world["owner"], candidate=candidate, file_id=row.id, version=candidate.version)
    assert candidate.files == []
    assert _events(db, "hit_candidate.file_add") == 1
    assert _events(db, "hit_candidate.file_remove") == 1


def test_the_bell_counts_unread_final_decisions_and_the_page_marks_them_read(db, world):
    candidate = make_candidate(db, batch=make_batch(db, status="published"), product=world["product"])
    db.add(
        Decision(
            batch_id=candidate.batch_id,
            candidate_id=candidate.id,
            outcome="accepted",
            note="同意入库",
            final_at=utcnow(),
        )
    )
    db.flush()
    assert service.unread_count(db, world["owner"]) == 1
    assert service.unread_count(db, world["staff"]) == 0
    page = service.application_page(db, user=world["owner"], candidate=candidate)
    assert page.decision is not None
    assert page.decision.note == "同意入库"
    assert service.unread_count(db, world["owner"]) == 0


# --- over HTTP ----------------------------------------------------------------------------------------------------


def test_the_producer_applies_fills_and_submits_in_the_browser(db, make_client, world):
    client = make_client()
    log_in(client, world["owner"].email)
    page = client.get("/my/pool")
    assert page.status_code == 200
    assert world["batch"].name in page.text
    assert "市场潜力" in page.text
    response = client.post(f"/my/pool/apply/{world['batch'].id}", data={"product_id": str(world["product"].id)})
    assert response.status_code == 303
    url = response.headers["location"]
    candidate = db.scalars(select(Candidate).where(Candidate.product_id == world["product"].id)).one()
    failed = client.post(f"{url}/submit", data={"version": str(candidate.version)})
    assert failed.status_code == 422
    assert "请填写申报理由" in failed.text
    assert f"{url}#field-pitch" in failed.text
    bad = client.post(
        f"{url}/edit", data={"version": str(candidate.version), "sales_wan": "99999999999999999", "pitch": "好"}
    )
    assert bad.status_code == 422
    assert "数值过大" in bad.text
    assert ">好</textarea>" in bad.text
    db.expire_all()
    assert candidate.pitch is None
    form = {
        "version": str(candidate.version),
        "pitch": "千层毛肚，合川本地牛源。",
        "sales_wan": "1200",
        "volume_t": "800",
        "capacity_t": "1500",
        "certificate_ids": str(world["cert"].id),
    }
    assert client.post(f"{url}/edit", data=form).status_code == 303
    stale = client.post(f"{url}/edit", data=form)
    assert stale.status_code == 409
    db.expire_all()
    assert client.post(f"{url}/submit", data={"version": str(candidate.version)}).status_code == 303
    db.expire_all()
    assert candidate.status == "submitted"
    assert "等待工作人员形式审查" in client.get("/my/pool").text


def test_another_producer_gets_a_404_for_the_application_and_its_files(db, make_client, world):
    candidate = _apply(db, world)
    row = service.add_file(
        db,
        user=world["owner"],
        candidate=candidate,
        data=FileIn(label="检测报告"),
        upload=(PDF, "报告.pdf"),
        version=candidate.version,
    )
    other = make_client()
    log_in(other, owner_of(db, make_enterprise(db)).email)
    assert other.get(f"/my/pool/candidates/{candidate.id}").status_code == 404
    assert other.get(f"/pool/candidates/{candidate.id}/files/{row.id}").status_code == 404
    own = make_client()
    log_in(own, world["owner"].email)
    response = own.get(f"/pool/candidates/{candidate.id}/files/{row.id}")
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["content-disposition"].startswith("attachment")


def test_staff_screen_in_the_queue(db, make_client, world):
    candidate = make_candidate(db, batch=world["batch"], product=world["product"], status="submitted")
    client = make_client()
    log_in(client, world["staff"].email)
    page = client.get(f"/pool/batches/{world['batch'].id}/screening")
    assert page.status_code == 200
    assert world["product"].name in page.text
    assert "资格复核" in page.text
    missing = client.post(
        f"/pool/candidates/{candidate.id}/screening", data={"version": str(candidate.version), "action": "return"}
    )
    assert missing.status_code == 422
    assert "请写明需要企业补正的内容" in missing.text
    done = client.post(
        f"/pool/candidates/{candidate.id}/screening",
        data={"version": str(candidate.version), "action": "return", "reason": "请补充检测报告"},
    )
    assert done.status_code == 303
    db.expire_all()
    assert candidate.status == "returned"
    owner = make_client()
    log_in(owner, world["owner"].email)
    mine = owner.get(f"/my/pool/candidates/{candidate.id}")
    assert "请补充检测报告" in mine.text
    assert "重新提交申报" in mine.text
    assert 'class="bell"' in owner.get("/my/pool").text


def test_an_accepted_application_links_to_its_incubation_plan(db, make_client):
    from hotpot.hitpool.enums import Outcome, PlanStatus
    from hotpot.hitpool.models import Plan

    owner = make_user(db, role="producer")
    enterprise = make_enterprise(db, owner=owner)
    batch = make_batch(db, status="published")
    candidate = make_candidate(db, batch=batch, enterprise=enterprise)
    db.add(Decision(batch_id=batch.id, candidate_id=candidate.id, outcome=Outcome.accepted, final_at=utcnow()))
    plan = Plan(
        batch_id=batch.id,
        candidate_id=candidate.id,
        product_id=candidate.product_id,
        enterprise_id=enterprise.id,
        status=PlanStatus.incubating,
        starts_on=date.today(),
    )
    db.add(plan)
    db.flush()
    client = make_client()
    log_in(client, owner.email)
    assert f'href="/my/pool/plans/{plan.id}"' in client.get("/my/pool").text
