"""Incubation: plans start once per accepted product, milestones go open → 待核查 → checked, overdue shows on
both sides, graduation puts the product on the showcase, its badge in the catalogue and search, and the API."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.db import utcnow
from hotpot.files.models import StoredFile
from hotpot.hitpool import incubation, showcase
from hotpot.hitpool.enums import KpiKind, MilestoneStatus, Outcome, PlanStatus
from hotpot.hitpool.models import Decision, Milestone, Plan, ProgressUpdate, Tie
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_enterprise, make_product
from tests.hitpool.builders import make_batch, make_candidate

PDF = b"%PDF-1.4 evidence of sales"


def _audits(db, action: str) -> int:
    return db.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == action))


def _accepted(db, batch, *, final: bool = True, outcome=Outcome.accepted, enterprise=None, product=None):
    candidate = make_candidate(db, batch=batch, enterprise=enterprise, product=product)
    db.add(
        Decision(
            batch_id=batch.id,
            candidate_id=candidate.id,
            outcome=outcome,
            note="同意入库",
            final_at=utcnow() if final else None,
        )
    )
    db.flush()
    return candidate


@pytest.fixture
def scene(db, make_client):
    """A published batch, one incubating plan of `producer`'s product with two milestones, staff logged in."""
    staff = make_user(db, role="reviewer", display_name="培育跟踪员")
    producer = make_user(db, role="producer")
    enterprise = make_enterprise(db, owner=producer, name="重庆合川培育测试食品有限公司")
    product = make_product(db, enterprise=enterprise, name="培育测试毛肚")
    batch = make_batch(db, status="published", published_at=utcnow())
    _accepted(db, batch, enterprise=enterprise, product=product)
    (plan,) = incubation.start_plans(db, batch, staff)
    past = Milestone(
        plan_id=plan.id,
        title="进入 30 家连锁门店",
        due_on=incubation.today() - timedelta(days=3),
        kpi=KpiKind.outlets,
        target_value=30,
        target_unit="家",
    )
    future = Milestone(
        plan_id=plan.id,
        title="年销售额 2000 万元",
        due_on=incubation.today() + timedelta(days=60),
        kpi=KpiKind.sales,
        target_value=2000,
        target_unit="万元",
    )
    db.add_all([past, future])
    db.flush()
    staff_client, producer_client = make_client(), make_client()
    log_in(staff_client, staff.email)
    log_in(producer_client, producer.email)
    return {
        "staff": staff,
        "producer": producer,
        "product": product,
        "enterprise": enterprise,
        "batch": batch,
        "plan": plan,
        "past": past,
        "future": future,
        "staff_client": staff_client,
        "producer_client": producer_client,
    }


def test_start_plans_makes_one_plan_per_final_accepted_candidate_and_is_idempotent(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="published", published_at=utcnow())
    a = _accepted(db, batch)
    b = _accepted(db, batch)
    _accepted(db, batch, outcome=Outcome.not_accepted)
    _accepted(db, batch, final=False)  # a proposal only: not yet a decision
    plans = incubation.start_plans(db, batch, staff)
    assert sorted(p.candidate_id for p in plans) == sorted([a.id, b.id])
    again = incubation.start_plans(db, batch, staff)
    assert again == []
    assert db.scalar(select(func.count()).select_from(Plan).where(Plan.batch_id == batch.id)) == 2
    assert _audits(db, "hit_plan.start") == 2
    plan = plans[0]
    assert plan.status == PlanStatus.incubating
    assert plan.starts_on == incubation.today()
    assert plan.ends_on == incubation.add_months(plan.starts_on, 12)
    assert plan.product_id == a.product_id or plan.product_id == b.product_id


def test_add_months_keeps_the_day_or_the_month_end():
    assert incubation.add_months(date(2026, 3, 15), 12) == date(2027, 3, 15)
    assert incubation.add_months(date(2028, 2, 29), 12) == date(2029, 2, 28)
    assert incubation.add_months(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_overdue_shows_on_both_sides_and_the_list_puts_it_first(db, scene, make_client):
    other_batch = make_batch(db, status="published", published_at=utcnow())
    _accepted(db, other_batch)
    (calm,) = incubation.start_plans(db, other_batch, scene["staff"])
    db.add(Milestone(plan_id=calm.id, title="按期里程碑", due_on=incubation.today() + timedelta(days=5), kpi="other"))
    db.flush()
    assert incubation.is_overdue(scene["past"])
    assert not incubation.is_overdue(scene["future"])

    staff_page = scene["staff_client"].get(f"/pool/plans/{scene['plan'].id}")
    assert staff_page.status_code == 200
    assert "逾期" in staff_page.text
    assert "已过期限 3 天" in staff_page.text
    mine = scene["producer_client"].get(f"/my/pool/plans/{scene['plan'].id}")
    assert mine.status_code == 200
    assert "逾期" in mine.text
    assert "有 1 个里程碑已过完成期限" in mine.text

    listing = scene["staff_client"].get("/pool/plans")
    assert listing.status_code == 200
    text = listing.text
    assert text.index(scene["product"].name) < text.index(calm.candidate.product.name)
    assert "逾期 1 项" in text
    only = scene["staff_client"].get("/pool/plans?overdue=1").text
    assert scene["product"].name in only
    assert calm.candidate.product.name not in only

    # An achieved milestone is never overdue, even past its date.
    scene["past"].status = MilestoneStatus.achieved
    db.flush()
    assert not incubation.is_overdue(scene["past"])


def test_progress_makes_the_milestone_reported_then_staff_check_it(db, scene, make_client):
    plan, m = scene["plan"], scene["past"]
    response = scene["producer_client"].post(
        f"/my/pool/plans/{plan.id}/milestones/{m.id}/progress",
        data={"body": "已进入 32 家连锁门店，附合同。", "value": "32", "version": m.version},
        files={"evidence": ("合同.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303, response.text
    db.refresh(m)
    assert m.status == MilestoneStatus.reported
    update = db.scalars(select(ProgressUpdate).where(ProgressUpdate.milestone_id == m.id)).one()
    assert update.value == Decimal("32")
    assert update.evidence_file_id
    assert _audits(db, "hit_progress.create") == 1

    evidence = f"/pool/plans/{plan.id}/evidence/{update.id}"
    assert scene["producer_client"].get(evidence).status_code == 200
    assert scene["staff_client"].get(evidence).content == PDF
    other = make_client()
    log_in(other, make_user(db, role="producer").email)
    assert other.get(evidence).status_code == 404
    assert "待核查" in scene["staff_client"].get(f"/pool/plans/{plan.id}").text

    checked = scene["staff_client"].post(
        f"/pool/milestones/{m.id}/check", data={"result": "achieved", "note": "已核对合同", "version": m.version}
    )
    assert checked.status_code == 303
    db.refresh(m)
    assert (m.status, m.check_note, m.checked_by_id) == (MilestoneStatus.achieved, "已核对合同", scene["staff"].id)
    again = scene["staff_client"].post(
        f"/pool/milestones/{m.id}/check", data={"result": "missed", "note": "重复核查", "version": m.version}
    )
    assert again.status_code == 409
    page = scene["producer_client"].get(f"/my/pool/plans/{plan.id}").text
    assert "已核对合同" in page
    assert "已达成" in page


def test_bad_progress_reports_every_error_at_once_and_saves_nothing(db, scene):
    plan, m = scene["plan"], scene["future"]
    files_before = db.scalar(select(func.count()).select_from(StoredFile))
    response = scene["producer_client"].post(
        f"/my/pool/plans/{plan.id}/milestones/{m.id}/progress",
        data={"body": "短", "value": "-5", "version": m.version},
        files={"evidence": ("x.exe", b"MZ\x90\x00 not a pdf", "application/octet-stream")},
    )
    assert response.status_code == 422
    assert "至少需要 4 个字符" in response.text
    assert "不能小于 0" in response.text
    assert "文件类型不支持" in response.text
    db.refresh(m)
    assert m.status == MilestoneStatus.open
    assert db.scalar(select(func.count()).select_from(ProgressUpdate)) == 0
    assert db.scalar(select(func.count()).select_from(StoredFile)) == files_before


def test_staff_forms_refuse_bad_input_next_to_the_field(db, scene):
    plan = scene["plan"]
    c = scene["staff_client"]
    r = c.post(
        f"/pool/plans/{plan.id}/milestones",
        data={"title": "", "due_on": "2020-01-01", "kpi": "sales", "target_value": "5"},
    )
    assert r.status_code == 422
    assert "此项为必填项" in r.text
    assert "请同时填写单位" in r.text
    r = c.post(
        f"/pool/plans/{plan.id}/support",
        data={"kind": "funding", "description": "展会", "amount_wan": "-1", "given_on": "x"},
    )
    assert r.status_code == 422
    assert "不能小于 0" in r.text
    assert "请输入正确的日期" in r.text
    r = c.post(
        f"/pool/plans/{plan.id}/graduate",
        data={
            "title": "hit",
            "graduated_on": str(incubation.today()),
            "reason": "",
            "story": "",
            "version": plan.version,
        },
    )
    assert r.status_code == 422
    assert "此项为必填项" in r.text
    db.refresh(plan)
    assert plan.status == PlanStatus.incubating
    ok = c.post(
        f"/pool/plans/{plan.id}/support",
        data={
            "kind": "funding",
            "description": "产品研发补贴",
            "amount_wan": "50",
            "given_on": str(incubation.today()),
        },
    )
    assert ok.status_code == 303
    assert _audits(db, "hit_support.create") == 1
    assert "50.00 万元" in scene["producer_client"].get(f"/my/pool/plans/{plan.id}").text
    added = c.post(
        f"/pool/plans/{plan.id}/milestones",
        data={
            "title": "取得绿色食品认证",
            "due_on": str(incubation.today() + timedelta(days=100)),
            "kpi": "certification",
        },
    )
    assert added.status_code == 303
    assert _audits(db, "hit_milestone.create") == 1


def test_graduation_puts_the_product_on_the_showcase_with_its_badge(db, scene, make_client):
    plan, product = scene["plan"], scene["product"]
    anonymous = make_client()
    assert anonymous.get(f"/showcase/{plan.id}").status_code == 404  # incubating: not on the showcase
    r = scene["staff_client"].post(
        f"/pool/plans/{plan.id}/graduate",
        data={
            "title": "hit",
            "graduated_on": str(incubation.today()),
            "reason": "销售额与门店数均超额完成",
            "story": "合川本地牛肚，传统工艺，一年进入百家火锅门店。",
            "version": plan.version,
        },
    )
    assert r.status_code == 303, r.text
    db.refresh(plan)
    assert plan.status == PlanStatus.graduated
    assert plan.graduated_by_id == scene["staff"].id
    assert _audits(db, "hit_plan.graduate") == 1
    assert showcase.titles_for(db, [product.id, 999999]) == {product.id: "爆品"}

    listing = anonymous.get("/showcase")
    assert listing.status_code == 200
    assert product.name in listing.text
    assert "爆品" in listing.text
    detail = anonymous.get(f"/showcase/{plan.id}")
    assert detail.status_code == 200
    assert "一年进入百家火锅门店" in detail.text
    assert f"/products/{product.id}" in detail.text
    assert "登录后发送询价" in detail.text
    buyer = make_client()
    log_in(buyer, make_user(db, role="buyer").email)
    assert f"/enterprises/{scene['enterprise'].id}/inquire" in buyer.get(f"/showcase/{plan.id}").text

    assert 'class="tag title-badge">爆品' in anonymous.get("/products").text
    assert 'class="tag title-badge">爆品' in anonymous.get(f"/products/{product.id}").text
    db.commit()  # the search index follows committed writes
    search = anonymous.get("/search", params={"q": product.name})
    assert search.status_code == 200
    assert 'class="tag title-badge">爆品' in search.text
    assert "爆品展示" in anonymous.get("/").text

    year = plan.graduated_on.year
    assert product.name in anonymous.get(f"/showcase?year={year}&kind={product.kind_code}").text
    assert product.name not in anonymous.get(f"/showcase?year={year - 1}").text

    api = anonymous.get("/api/v1/showcase")
    assert api.status_code == 200
    body = api.json()
    assert body["total"] == 1
    assert body["page"] == 1
    (item,) = body["items"]
    assert item["title"] == {"code": "hit", "label": "爆品"}
    assert item["product_id"] == product.id
    assert item["enterprise_name"] == scene["enterprise"].name
    assert item["graduated_on"] == str(plan.graduated_on)
    assert item["batch_id"] == scene["batch"].id
    assert anonymous.get("/api/v1/showcase?title=flagship").json()["total"] == 0

    # A graduated plan takes no more checks or progress.
    m = scene["future"]
    assert (
        scene["staff_client"]
        .post(f"/pool/milestones/{m.id}/check", data={"result": "missed", "note": "晚了", "version": m.version})
        .status_code
        == 409
    )


def test_ending_a_plan_needs_a_reason_and_keeps_it_off_the_showcase(db, scene, make_client):
    plan = scene["plan"]
    r = scene["staff_client"].post(f"/pool/plans/{plan.id}/end", data={"reason": "", "version": plan.version})
    assert r.status_code == 422
    r = scene["staff_client"].post(
        f"/pool/plans/{plan.id}/end", data={"reason": "企业主动退出培育", "version": plan.version}
    )
    assert r.status_code == 303
    db.refresh(plan)
    assert plan.status == PlanStatus.ended
    assert plan.graduation_reason == "企业主动退出培育"
    assert make_client().get(f"/showcase/{plan.id}").status_code == 404
    assert "企业主动退出培育" in scene["producer_client"].get(f"/my/pool/plans/{plan.id}").text


def test_a_stale_check_form_is_the_conflict_page(db, scene):
    m = scene["future"]
    version = m.version
    first = scene["staff_client"].post(
        f"/pool/milestones/{m.id}/check", data={"result": "achieved", "note": "达成", "version": version}
    )
    assert first.status_code == 303
    second = scene["staff_client"].post(
        f"/pool/milestones/{m.id}/check", data={"result": "missed", "note": "未达成", "version": version}
    )
    assert second.status_code == 409
    assert "内容已被他人修改" in second.text
    db.refresh(m)
    assert m.check_note == "达成"


def test_a_conflicted_staff_member_sees_nothing_of_the_plan(db, scene, make_client):
    tied = make_user(db, role="reviewer")
    db.add(Tie(user_id=tied.id, enterprise_id=scene["enterprise"].id, reason="亲属在该企业任职"))
    db.flush()
    c = make_client()
    log_in(c, tied.email)
    assert c.get(f"/pool/plans/{scene['plan'].id}").status_code == 404
    assert scene["product"].name not in c.get("/pool/plans").text
    m = scene["past"]
    assert (
        c.post(
            f"/pool/milestones/{m.id}/check", data={"result": "achieved", "note": "x" * 4, "version": m.version}
        ).status_code
        == 404
    )
