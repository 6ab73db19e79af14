"""The candidate's discussion: who may post and when, the body's length, and how authors are named to whom."""

from __future__ import annotations

from sqlalchemy import select

from hotpot.audit.models import AuditEvent
from hotpot.hitpool.models import Post
from tests.auth.builders import log_in, make_user
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert, make_review


def _scene(db, make_client):
    staff = make_user(db, role="reviewer", display_name="评审处王老师")
    batch = make_batch(db, status="reviewing", manager=staff)
    candidate = make_candidate(db, batch=batch)
    a = make_expert(db, name="李明教授")
    b = make_expert(db, name="张华研究员")
    assign(db, candidate, a)
    assign(db, candidate, b)

    def client_for(user):
        c = make_client()
        log_in(c, user.email)
        return c

    return staff, batch, candidate, a, b, client_for


def _posts(db, candidate):
    db.expire_all()
    return list(db.scalars(select(Post).where(Post.candidate_id == candidate.id).order_by(Post.id)))


def test_an_expert_joins_the_discussion_only_after_submitting(db, make_client):
    _staff, _batch, candidate, a, b, client_for = _scene(db, make_client)
    make_review(db, candidate=candidate, expert=b)
    db.add(Post(candidate_id=candidate.id, author_id=b.user_id, body="B 的看法：冷链短板明显"))
    db.flush()
    client = client_for(a.user)
    page = client.get(f"/expert/candidates/{candidate.id}").text
    assert "提交您自己的评审后，才能参与讨论" in page
    assert "冷链短板明显" not in page  # the thread would show the others' views
    refused = client.post(f"/pool/candidates/{candidate.id}/posts", data={"body": "我还没评就想说"})
    assert refused.status_code == 409
    assert len(_posts(db, candidate)) == 1
    make_review(db, candidate=candidate, expert=a)
    page = client.get(f"/expert/candidates/{candidate.id}").text
    assert "冷链短板明显" in page
    assert "专家 B" in page
    assert "张华研究员" not in page
    response = client.post(f"/pool/candidates/{candidate.id}/posts", data={"body": "同意，建议企业补充冷链合同"})
    assert response.status_code == 303
    assert response.headers["location"] == f"/expert/candidates/{candidate.id}#discussion"
    posts = _posts(db, candidate)
    assert [p.body for p in posts][-1] == "同意，建议企业补充冷链合同"
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "hit_post.create")).one()
    assert event.entity_id == str(posts[-1].id)


def test_the_body_is_two_to_two_thousand_characters(db, make_client):
    staff, _batch, candidate, _a, _b, client_for = _scene(db, make_client)
    client = client_for(staff)
    for body, message in (("好", "至少需要 2 个字符"), ("长" * 2001, "不能超过 2000 个字符"), ("  ", "此项为必填项")):
        response = client.post(f"/pool/candidates/{candidate.id}/posts", data={"body": body})
        assert response.status_code == 422
        assert message in response.text
    assert _posts(db, candidate) == []
    assert client.post(f"/pool/candidates/{candidate.id}/posts", data={"body": "长" * 2000}).status_code == 303


def test_staff_read_names_and_experts_read_letters(db, make_client):
    staff, _batch, candidate, a, b, client_for = _scene(db, make_client)
    make_review(db, candidate=candidate, expert=a)
    make_review(db, candidate=candidate, expert=b)
    client_for(staff).post(f"/pool/candidates/{candidate.id}/posts", data={"body": "请两位专家说明分差原因"})
    client_for(b.user).post(f"/pool/candidates/{candidate.id}/posts", data={"body": "我给的市场分偏低"})
    staff_page = client_for(staff).get(f"/pool/candidates/{candidate.id}").text
    assert "张华研究员" in staff_page
    assert "我给的市场分偏低" in staff_page
    expert_page = client_for(a.user).get(f"/expert/candidates/{candidate.id}").text
    assert "评审处王老师（工作人员）" in expert_page
    assert "专家 B" in expert_page
    assert "张华研究员" not in expert_page


def test_the_discussion_closes_with_the_batch(db, make_client):
    staff, batch, candidate, _a, _b, client_for = _scene(db, make_client)
    db.add(Post(candidate_id=candidate.id, author_id=staff.id, body="评审阶段的记录"))
    batch.status = "published"
    db.flush()
    client = client_for(staff)
    page = client.get(f"/pool/candidates/{candidate.id}").text
    assert "评审阶段的记录" in page
    assert "讨论已结束" in page
    assert client.post(f"/pool/candidates/{candidate.id}/posts", data={"body": "还想补一句"}).status_code == 409
    assert len(_posts(db, candidate)) == 1


def test_other_people_cannot_post(db, make_client):
    _staff, batch, candidate, _a, _b, client_for = _scene(db, make_client)
    outsider = make_expert(db)
    other = make_candidate(db, batch=batch)
    assign(db, other, outsider)
    make_review(db, candidate=other, expert=outsider)
    assert (
        client_for(outsider.user)
        .post(f"/pool/candidates/{candidate.id}/posts", data={"body": "我没被分配"})
        .status_code
        == 404
    )
    assert (
        client_for(make_user(db, role="buyer"))
        .post(f"/pool/candidates/{candidate.id}/posts", data={"body": "采购商路过"})
        .status_code
        == 403
    )
    assert _posts(db, candidate) == []
