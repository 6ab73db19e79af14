"""The expert pool: who creates experts (an admin or a batch manager, never a plain reviewer), the pool list, edits
with version checks, (de)activation, the expert's own profile, and declared ties ending assignments."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.auth.models import User
from hotpot.errors import NotAllowed, NotFound
from hotpot.hitpool import access
from hotpot.hitpool import experts as service
from hotpot.hitpool.expert_schemas import ExpertCreateIn, TieIn
from hotpot.hitpool.models import Assignment, Expert, Tie
from hotpot.validation import FieldErrors
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_enterprise
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert


def _form(**over):
    form = {
        "name": "李建华",
        "email": "lijianhua@expert.example",
        "organization": "重庆市农业科学院",
        "title": "研究员",
        "fields": ["shuifa", "quality"],
        "bio": "长期从事水发产品加工工艺研究。",
    }
    form.update(over)
    return form


def _logged_in(make_client, user):
    client = make_client()
    log_in(client, user.email)
    client.get("/pool/experts")  # the CSRF cookie
    return client


def test_an_admin_creates_an_expert_with_an_account_and_a_one_time_password(db, make_client):
    admin = make_user(db, role="admin")
    client = _logged_in(make_client, admin)
    response = client.post("/pool/experts/new", data=_form())
    assert response.status_code == 201, response.text
    assert "一次性密码" in response.text
    user = db.scalars(select(User).where(User.email == "lijianhua@expert.example")).one()
    assert user.role == "expert"
    assert user.must_change_password
    expert = db.scalars(select(Expert).where(Expert.user_id == user.id)).one()
    assert expert.fields == ["shuifa", "quality"]
    assert expert.is_active
    assert expert.created_by_id == admin.id
    actions = set(db.scalars(select(AuditEvent.action).where(AuditEvent.actor_id == admin.id)))
    assert {"user.create", "expert.create"} <= actions


def test_a_batch_manager_creates_an_expert_and_a_plain_reviewer_may_not(db, make_client):
    manager = make_user(db, role="reviewer")
    make_batch(db, status="open", manager=manager)
    plain = make_user(db, role="reviewer")
    expert, password = service.create_expert(db, actor=manager, data=ExpertCreateIn(**_form()))
    assert password
    assert expert.user.role == "expert"
    with pytest.raises(NotAllowed):
        service.create_expert(db, actor=plain, data=ExpertCreateIn(**_form(email="other@expert.example")))
    client = _logged_in(make_client, plain)
    assert client.get("/pool/experts/new").status_code == 403
    assert client.post("/pool/experts/new", data=_form(email="third@expert.example")).status_code == 403
    assert db.scalar(select(func.count()).select_from(User).where(User.email == "third@expert.example")) == 0
    # the plain reviewer still reads the pool, without the buttons
    page = client.get("/pool/experts")
    assert page.status_code == 200
    assert "李建华" in page.text
    assert "新增专家" not in page.text


def test_the_manager_of_an_archived_batch_only_is_not_a_manager(db):
    manager = make_user(db, role="reviewer")
    make_batch(db, status="archived", manager=manager)
    assert not access.can_manage_experts(db, manager)


def test_bad_input_is_refused_next_to_each_field_in_one_round_and_nothing_is_saved(db, make_client):
    admin = make_user(db, role="admin")
    client = _logged_in(make_client, admin)
    response = client.post(
        "/pool/experts/new", data={"name": "李", "email": "not-an-email", "organization": "", "fields": ["bogus"]}
    )
    assert response.status_code == 422
    for message in ("至少需要 2 个字符", "邮箱格式不正确", "此项为必填项", "请选择有效的专业领域"):
        assert message in response.text
    none = client.post("/pool/experts/new", data=_form(fields=[]))
    assert none.status_code == 422
    assert "请至少选择一个专业领域" in none.text
    assert db.scalar(select(func.count()).select_from(Expert)) == 0
    taken = client.post("/pool/experts/new", data=_form(email=admin.email))
    assert taken.status_code == 422
    assert "该邮箱已注册" in taken.text
    assert db.scalar(select(func.count()).select_from(Expert)) == 0


def test_edit_and_deactivate_check_the_version(db, make_client):
    admin = make_user(db, role="admin")
    expert = make_expert(db, name="张专家")
    client = _logged_in(make_client, admin)
    form = _form(name="张新名", version=str(expert.version))
    del form["email"]
    assert client.post(f"/pool/experts/{expert.id}/edit", data=form).status_code == 303
    db.refresh(expert)
    assert expert.name == "张新名"
    assert expert.version == 2
    stale = client.post(f"/pool/experts/{expert.id}/edit", data={**form, "name": "过期表单"})
    assert stale.status_code == 409
    off = client.post(f"/pool/experts/{expert.id}/active", data={"active": "0", "version": "2"})
    assert off.status_code == 303
    db.refresh(expert)
    assert not expert.is_active
    assert client.post(f"/pool/experts/{expert.id}/active", data={"active": "1", "version": "2"}).status_code == 409
    actions = list(db.scalars(select(AuditEvent.action).where(AuditEvent.entity_type == "expert")))
    assert "expert.update" in actions
    assert "expert.deactivate" in actions


def test_the_pool_lists_fields_loads_and_ties_and_filters(db, make_client):
    reviewer = make_user(db, role="reviewer")
    busy = make_expert(db, name="忙碌专家", fields=("rou",))
    make_expert(db, name="空闲专家", fields=("marketing",), active=False)
    batch = make_batch(db, status="reviewing")
    for _ in range(2):
        assign(db, make_candidate(db, batch=batch), busy)
    db.add(Tie(user_id=busy.user_id, enterprise_id=make_enterprise(db).id, reason="亲属任职"))
    db.flush()
    page = service.list_experts(db)
    rows = {r.expert.name: r for r in page.items}
    assert rows["忙碌专家"].load == 2
    assert rows["忙碌专家"].ties == 1
    assert rows["忙碌专家"].field_labels == ["肉类"]
    assert [r.expert.name for r in service.list_experts(db, field="marketing").items] == ["空闲专家"]
    assert [r.expert.name for r in service.list_experts(db, active=True).items] == ["忙碌专家"]
    client = _logged_in(make_client, reviewer)
    html = client.get("/pool/experts?field=rou").text
    assert "忙碌专家" in html
    assert "空闲专家" not in html
    assert "肉类" in html


def test_an_expert_edits_their_own_profile(db, make_client):
    expert = make_expert(db, fields=("shuifa",))
    client = make_client()
    log_in(client, expert.user.email)
    page = client.get("/expert/profile")
    assert page.status_code == 200
    assert "我的专家信息" in page.text
    data = {"organization": "西南大学食品学院", "title": "教授", "fields": ["shucai", "technology"], "version": "1"}
    assert client.post("/expert/profile", data=data).status_code == 303
    db.refresh(expert)
    assert expert.organization == "西南大学食品学院"
    assert expert.fields == ["shucai", "technology"]
    bad = client.post("/expert/profile", data={"organization": "", "version": "2"})
    assert bad.status_code == 422
    assert "请至少选择一个专业领域" in bad.text
    assert "此项为必填项" in bad.text
    # the name is staff's to change
    refused = client.post("/expert/profile", data={**data, "name": "改名", "version": "2"})
    assert refused.status_code == 422
    db.refresh(expert)
    assert expert.name != "改名"


def test_a_declared_tie_ends_the_experts_assignments_on_that_enterprise(db, make_client):
    manager = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing", manager=manager)
    enterprise = make_enterprise(db, name="重庆关联火锅食品有限公司")
    cand = make_candidate(db, batch=batch, enterprise=enterprise)
    other = make_candidate(db, batch=batch)
    expert = make_expert(db)
    tied = assign(db, cand, expert)
    kept = assign(db, other, expert)
    client = make_client()
    log_in(client, expert.user.email)
    search = client.get("/expert/ties?q=关联火锅")
    assert search.status_code == 200
    assert "重庆关联火锅食品有限公司" in search.text
    response = client.post("/expert/ties", data={"enterprise_id": str(enterprise.id), "reason": "曾任技术顾问"})
    assert response.status_code == 303
    db.refresh(tied)
    db.refresh(kept)
    assert tied.ended_at is not None
    assert tied.end_reason == "申报回避"
    assert tied.ended_by_id == expert.user_id
    assert kept.ended_at is None
    access.forget(db)
    assert not access.can_review(db, expert.user, cand)
    assert access.can_review(db, expert.user, other)
    again = client.post("/expert/ties", data={"enterprise_id": str(enterprise.id), "reason": "再次声明"})
    assert again.status_code == 422
    assert "您已声明过与该企业的关联" in again.text
    # the manager sees the candidate needs a replacement
    from hotpot.hitpool import assignment

    row = next(r for r in assignment.matrix(db, batch, manager).rows if r.candidate.id == cand.id)
    assert row.missing == batch.experts_per_candidate
    assert any(a.end_reason == "申报回避" for a in row.ended)


def test_ties_are_ones_own(db, make_client):
    staff = make_user(db, role="reviewer")
    enterprise = make_enterprise(db)
    outcome = service.declare_tie(db, user=staff, data=TieIn(enterprise_id=enterprise.id, reason="亲属在该企业任职"))
    assert outcome.ended == []
    assert [t.enterprise_id for t in service.ties_of(db, staff)] == [enterprise.id]
    other = make_user(db, role="reviewer")
    with pytest.raises(NotFound):
        service.remove_tie(db, user=other, tie=outcome.tie)
    client = make_client()
    log_in(client, other.email)
    client.get("/pool/ties")
    assert client.post(f"/pool/ties/{outcome.tie.id}/delete").status_code == 404
    assert db.get(Tie, outcome.tie.id) is not None
    mine = make_client()
    log_in(mine, staff.email)
    mine.get("/pool/ties")
    assert mine.post(f"/pool/ties/{outcome.tie.id}/delete").status_code == 303
    assert db.scalar(select(func.count()).select_from(Tie).where(Tie.user_id == staff.id)) == 0
    with pytest.raises(FieldErrors):
        service.declare_tie(
            db, user=staff, data=TieIn(enterprise_id=make_enterprise(db, status="pending").id, reason="ab")
        )


def test_a_deactivated_expert_keeps_assignments_but_is_not_drawn(db):
    admin = make_user(db, role="admin")
    expert = make_expert(db)
    batch = make_batch(db, status="reviewing")
    a = assign(db, make_candidate(db, batch=batch), expert)
    service.set_active(db, actor=admin, expert=expert, active=False, version=expert.version)
    db.refresh(a)
    assert a.ended_at is None
    assert db.scalar(select(func.count()).select_from(Assignment).where(Assignment.ended_at.is_(None))) == 1
