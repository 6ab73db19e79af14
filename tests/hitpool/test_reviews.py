"""Independent scoring: the form's rules, others hidden until one's own review is submitted, revisions that keep
the history, conflicts of interest, the disagreement flag and the expert's queue."""

from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import event, func, select

from hotpot.audit.models import AuditEvent
from hotpot.errors import Conflict, InvalidState
from hotpot.hitpool import reviews
from hotpot.hitpool.enums import ReviewStatus
from hotpot.hitpool.models import Review, ReviewScore, Tie
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_enterprise
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert, make_review


@pytest.fixture
def scene(db, make_client):
    staff = make_user(db, role="reviewer", display_name="评审处王老师")
    batch = make_batch(db, status="reviewing", manager=staff)
    enterprise = make_enterprise(db)
    candidate = make_candidate(db, batch=batch, enterprise=enterprise)
    a = make_expert(db, name="李明教授")
    b = make_expert(db, name="张华研究员")
    c = make_expert(db, name="陈静高工")
    for e in (a, b, c):
        assign(db, candidate, e, by=staff)

    def client_for(user):
        cl = make_client()
        log_in(cl, user.email)
        return cl

    return {
        "db": db,
        "staff": staff,
        "batch": batch,
        "candidate": candidate,
        "a": a,
        "b": b,
        "c": c,
        "client_for": client_for,
    }


def full_form(batch, score=8, **extra):
    form = {f"score_{c.id}": str(score) for c in batch.criteria}
    form.update(recommendation="accept", confidence="4", comment="产品特色鲜明，渠道成熟。", action="submit")
    form.update(extra)
    return form


def reviews_of(db, candidate, expert=None):
    db.expire_all()
    stmt = select(Review).where(Review.candidate_id == candidate.id).order_by(Review.id)
    if expert is not None:
        stmt = stmt.where(Review.expert_id == expert.id)
    return list(db.scalars(stmt).unique())


def audit_actions(db, review_ids):
    return [
        e.action
        for e in db.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "hit_review", AuditEvent.entity_id.in_([str(i) for i in review_ids]))
            .order_by(AuditEvent.id)
        )
    ]


# --- the form's rules ----------------------------------------------------------------------------------------------


def test_submit_lists_every_error_at_once_and_saves_nothing(scene):
    db, batch, candidate = scene["db"], scene["batch"], scene["candidate"]
    c1, c2, c3, c4 = batch.criteria[:4]
    form = full_form(batch, recommendation="", confidence="9", comment="")
    form.pop(f"score_{c1.id}")
    form[f"score_{c2.id}"] = "11"
    form[f"score_{c3.id}"] = "7.3"
    form[f"score_{c4.id}"] = "很好"
    response = scene["client_for"](scene["a"].user).post(f"/expert/candidates/{candidate.id}/review", data=form)
    assert response.status_code == 422
    page = response.text
    for message in (
        f"请为“{c1.name}”打分",
        "分数须在 0 到 10 之间",
        "分数以 0.5 分为单位",
        "请输入数字",
        "请选择总体推荐意见",
        "把握程度请选择 1 到 5",
        "请填写总体评审意见",
        "请修改下面标出的 7 处内容后再提交",
    ):
        assert message in page
    assert 'value="很好"' in page  # the input is kept
    assert reviews_of(db, candidate) == []


def test_a_draft_may_be_partial_and_keeps_its_values(scene):
    db, batch, candidate, a = scene["db"], scene["batch"], scene["candidate"], scene["a"]
    c1 = batch.criteria[0]
    client = scene["client_for"](a.user)
    response = client.post(
        f"/expert/candidates/{candidate.id}/review",
        data={"action": "save", f"score_{c1.id}": "7.5", f"note_{c1.id}": "渠道覆盖川渝", "comment": "待补充"},
    )
    assert response.status_code == 303
    (draft,) = reviews_of(db, candidate, a)
    assert (draft.status, draft.weighted_total, draft.submitted_at) == (ReviewStatus.draft, None, None)
    assert [(s.criterion_id, s.score, s.comment) for s in draft.scores] == [(c1.id, Decimal("7.5"), "渠道覆盖川渝")]
    page = client.get(f"/expert/candidates/{candidate.id}").text
    assert 'value="7.5"' in page
    assert "渠道覆盖川渝" in page
    assert f'name="review_id" value="{draft.id}"' in page
    assert audit_actions(db, [draft.id]) == ["hit_review.save"]


def test_submitting_fixes_the_weighted_total(scene):
    db, batch, candidate, a = scene["db"], scene["batch"], scene["candidate"], scene["a"]
    client = scene["client_for"](a.user)
    client.post(f"/expert/candidates/{candidate.id}/review", data={"action": "save", "comment": "先存一下"})
    (draft,) = reviews_of(db, candidate, a)
    form = full_form(batch, score=8, review_id=str(draft.id))
    form[f"score_{batch.criteria[0].id}"] = "10"  # market: weight 25
    response = client.post(f"/expert/candidates/{candidate.id}/review", data=form)
    assert response.status_code == 303
    (review,) = reviews_of(db, candidate, a)
    assert review.id == draft.id
    assert review.status == ReviewStatus.submitted
    assert review.submitted_at is not None
    assert review.weighted_total == Decimal("85.00")  # 25 + 75 * 0.8
    assert audit_actions(db, [review.id]) == ["hit_review.save", "hit_review.submit"]
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "hit_review.submit")).one()
    assert event.after["scores"]["market"] == "10.0"


def test_a_submitted_review_is_never_overwritten(scene):
    db, batch, candidate, a = scene["db"], scene["batch"], scene["candidate"], scene["a"]
    client = scene["client_for"](a.user)
    client.post(f"/expert/candidates/{candidate.id}/review", data={"action": "save"})
    (draft,) = reviews_of(db, candidate, a)
    assert client.post(f"/expert/candidates/{candidate.id}/review", data=full_form(batch, 8, review_id=str(draft.id)))
    again = client.post(f"/expert/candidates/{candidate.id}/review", data=full_form(batch, 2, review_id=str(draft.id)))
    assert again.status_code == 409
    assert "已在另一个窗口提交" in again.text
    # Starting afresh (a second tab's empty form) is refused too.
    fresh = client.post(f"/expert/candidates/{candidate.id}/review", data=full_form(batch, 2))
    assert fresh.status_code == 409
    (review,) = reviews_of(db, candidate, a)
    assert review.weighted_total == Decimal("80.00")
    assert {s.score for s in review.scores} == {Decimal("8.0")}


# --- others' reviews -----------------------------------------------------------------------------------------------


def test_others_are_hidden_until_ones_own_review_is_submitted(scene):
    db, batch, candidate, a, b = scene["db"], scene["batch"], scene["candidate"], scene["a"], scene["b"]
    review_b = make_review(db, candidate=candidate, expert=b, scores=6)
    review_b.comment = "冷链能力一般，需要补充说明"
    db.flush()
    client = scene["client_for"](a.user)
    before = client.get(f"/expert/candidates/{candidate.id}").text
    assert "冷链能力一般" not in before
    assert "您的评审提交后，才能看到其他专家的评分和意见" in before
    assert "60" not in before.split('id="others"')[1].split("</section>")[0]
    assert client.post(f"/expert/candidates/{candidate.id}/review", data=full_form(batch, 8)).status_code == 303
    after = client.get(f"/expert/candidates/{candidate.id}").text
    assert "冷链能力一般" in after
    assert "专家 B" in after  # b was assigned second
    assert "张华研究员" not in after  # other experts read letters, never names
    staff_page = scene["client_for"](scene["staff"]).get(f"/pool/candidates/{candidate.id}").text
    assert "张华研究员" in staff_page
    assert "李明教授" in staff_page
    assert "冷链能力一般" in staff_page


def test_disagreement_is_flagged_past_the_batchs_threshold(scene):
    db, candidate, a, b, c = scene["db"], scene["candidate"], scene["a"], scene["b"], scene["c"]
    make_review(db, candidate=candidate, expert=a, scores=9)
    make_review(db, candidate=candidate, expert=b, scores=5)
    quiet = make_candidate(db, batch=scene["batch"])
    for e, s in ((a, 8), (b, 7), (c, 7.5)):
        assign(db, quiet, e)
        make_review(db, candidate=quiet, expert=e, scores=s)
    figures = reviews.summary_for(db, [candidate.id, quiet.id])
    assert figures[candidate.id].count == 2
    assert figures[candidate.id].totals == [Decimal("90.00"), Decimal("50.00")]
    assert figures[candidate.id].mean == Decimal("70.00")
    assert figures[candidate.id].spread == Decimal("40.00")
    assert figures[candidate.id].disagreement
    assert figures[quiet.id].spread == Decimal("10.00")
    assert not figures[quiet.id].disagreement
    staff = scene["client_for"](scene["staff"])
    assert "专家意见分歧较大" in staff.get(f"/pool/candidates/{candidate.id}").text
    assert "专家意见分歧较大" not in staff.get(f"/pool/candidates/{quiet.id}").text
    # The threshold is the batch's: raised above the spread, the flag goes.
    scene["batch"].disagreement_threshold = Decimal("40")
    db.flush()
    assert not reviews.summary_for(db, [candidate.id])[candidate.id].disagreement


def test_summary_for_a_candidate_without_reviews(scene):
    figures = reviews.summary_for(scene["db"], [scene["candidate"].id])[scene["candidate"].id]
    assert (figures.count, figures.mean, figures.spread, figures.disagreement) == (0, None, None, False)
    assert reviews.summary_for(scene["db"], []) == {}


# --- revisions -----------------------------------------------------------------------------------------------------


def test_a_revision_supersedes_and_both_stay_in_the_history(scene):
    db, batch, candidate, a = scene["db"], scene["batch"], scene["candidate"], scene["a"]
    client = scene["client_for"](a.user)
    url = f"/expert/candidates/{candidate.id}"
    assert client.post(f"{url}/review", data=full_form(batch, 6)).status_code == 303
    refused = client.post(f"{url}/revise", data={"revision_reason": ""})
    assert refused.status_code == 422
    assert "修订原因" in refused.text
    assert len(reviews_of(db, candidate, a)) == 1
    assert client.post(f"{url}/revise", data={"revision_reason": "补看了检测报告"}).status_code == 303
    first, draft = reviews_of(db, candidate, a)
    assert (first.status, draft.status, draft.revision, draft.supersedes_id) == ("submitted", "draft", 2, first.id)
    assert {s.score for s in draft.scores} == {Decimal("6.0")}  # copied
    twice = client.post(f"{url}/revise", data={"revision_reason": "再改一次"})
    assert twice.status_code == 409
    page = client.get(url).text
    assert 'value="6"' in page
    assert "补看了检测报告" in page
    assert client.post(f"{url}/review", data=full_form(batch, 9, review_id=str(draft.id))).status_code == 303
    first, second = reviews_of(db, candidate, a)
    assert (first.status, first.superseded_at is not None, first.weighted_total) == ("superseded", True, Decimal("60"))
    assert {s.score for s in first.scores} == {Decimal("6.0")}  # never overwritten
    assert (second.status, second.weighted_total, second.revision_reason) == (
        "submitted",
        Decimal("90"),
        "补看了检测报告",
    )
    assert audit_actions(db, [first.id, second.id]) == [
        "hit_review.submit",
        "hit_review.revise",
        "hit_review.supersede",
        "hit_review.submit",
    ]
    staff_page = scene["client_for"](scene["staff"]).get(f"/pool/candidates/{candidate.id}").text
    assert "已被修订版取代" in staff_page
    assert "补看了检测报告" in staff_page
    # Only the current revision counts.
    assert reviews.summary_for(db, [candidate.id])[candidate.id].totals == [Decimal("90.00")]


def test_revising_needs_a_submitted_review(scene):
    db, candidate, a = scene["db"], scene["candidate"], scene["a"]
    with pytest.raises(InvalidState):
        reviews.revise(db, user=a.user, candidate=candidate, reason="想改一下")


def test_a_second_tab_cannot_start_a_second_first_review(scene):
    db, candidate, a = scene["db"], scene["candidate"], scene["a"]
    reviews.save(db, user=a.user, candidate=candidate, form={"action": "save"})
    with pytest.raises(Conflict):
        reviews.save(db, user=a.user, candidate=candidate, form={"action": "save", "comment": "另一个窗口"})


def test_nothing_is_written_outside_the_review_window(scene):
    db, batch, candidate, a = scene["db"], scene["batch"], scene["candidate"], scene["a"]
    make_review(db, candidate=candidate, expert=a, scores=7)
    batch.status = "deciding"
    db.flush()
    client = scene["client_for"](a.user)
    url = f"/expert/candidates/{candidate.id}"
    assert client.post(f"{url}/review", data=full_form(batch, 9)).status_code == 409
    assert client.post(f"{url}/revise", data={"revision_reason": "评审已结束还想改"}).status_code == 409
    page = client.get(url).text
    assert "评审只能查看" in page
    assert 'action="/expert/candidates' not in page
    assert len(reviews_of(db, candidate, a)) == 1


# --- conflicts of interest and the queue ---------------------------------------------------------------------------


def test_a_conflicted_expert_gets_404_and_an_empty_queue(scene):
    db, batch, candidate, a = scene["db"], scene["batch"], scene["candidate"], scene["a"]
    db.add(Tie(user_id=a.user_id, enterprise_id=candidate.enterprise_id, reason="曾任企业顾问"))
    db.flush()
    client = scene["client_for"](a.user)
    assert client.get(f"/expert/candidates/{candidate.id}").status_code == 404
    assert client.post(f"/expert/candidates/{candidate.id}/review", data=full_form(batch)).status_code == 404
    assert client.post(f"/pool/candidates/{candidate.id}/posts", data={"body": "我来说两句"}).status_code == 404
    queue = client.get("/expert").text
    assert candidate.product.name not in queue
    assert "目前没有分配给您的评审任务" in queue
    assert reviews.queue(db, user=a.user) == []
    assert reviews_of(db, candidate) == []


def test_a_conflicted_staff_member_gets_404(scene):
    db, candidate = scene["db"], scene["candidate"]
    staff = make_user(db, role="reviewer")
    db.add(Tie(user_id=staff.id, enterprise_id=candidate.enterprise_id, reason="亲属在该企业任职"))
    db.flush()
    client = scene["client_for"](staff)
    assert client.get(f"/pool/candidates/{candidate.id}").status_code == 404
    assert client.post(f"/pool/candidates/{candidate.id}/posts", data={"body": "我来说两句"}).status_code == 404


def test_the_queue_groups_by_batch_with_state_and_progress(scene):
    db, batch, candidate, a = scene["db"], scene["batch"], scene["candidate"], scene["a"]
    second = make_candidate(db, batch=batch)
    third = make_candidate(db, batch=batch)
    revised = make_candidate(db, batch=batch)
    for cand in (second, third, revised):
        assign(db, cand, a)
    make_review(db, candidate=second, expert=a, status="draft")
    make_review(db, candidate=third, expert=a)
    make_review(db, candidate=revised, expert=a)
    draft = reviews.revise(db, user=a.user, candidate=revised, reason="补充评分依据")
    reviews.save(db, user=a.user, candidate=revised, form=full_form(batch, 9, review_id=str(draft.id)))
    past = make_batch(db, status="published")
    past_candidate = make_candidate(db, batch=past)
    assign(db, past_candidate, a)
    make_review(db, candidate=past_candidate, expert=a)
    db.flush()
    batches = reviews.queue(db, user=a.user)
    assert [b.id for b in batches] == [batch.id, past.id]
    states = {r.candidate_id: r.state for r in batches[0].rows}
    assert states == {candidate.id: "todo", second.id: "draft", third.id: "submitted", revised.id: "revised"}
    assert (batches[0].submitted, batches[0].total) == (2, 4)
    assert batches[1].past
    assert not batches[1].editable
    page = scene["client_for"](a.user).get("/expert").text
    for label in ("未开始", "草稿", "已提交", "已修订", "2</strong> / 4", "评审已结束，以下评审只读", "开始评审"):
        assert label in page


def test_the_queue_is_two_queries_for_a_hundred_assignments(scene):
    db, batch, a = scene["db"], scene["batch"], scene["a"]
    for i in range(100):
        cand = make_candidate(db, batch=batch)
        assign(db, cand, a)
        if i % 3 == 0:
            make_review(db, candidate=cand, expert=a)
    db.expire_all()
    statements: list[str] = []

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.get_bind().engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        batches = reviews.queue(db, user=a.user)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert sum(b.total for b in batches) == 101
    # the expert, the ties, the queue (conflicts: two more when the expert belongs to an enterprise)
    assert len(statements) <= 4, statements


def test_unassigned_expert_sees_nothing(scene):
    db, candidate = scene["db"], scene["candidate"]
    outsider = make_expert(db)
    client = scene["client_for"](outsider.user)
    assert client.get(f"/expert/candidates/{candidate.id}").status_code == 404
    assert db.scalar(select(func.count()).select_from(ReviewScore)) == 0


def test_a_second_tab_does_not_overwrite_a_draft_it_did_not_see(scene):
    import re

    db, batch, candidate, a = scene["db"], scene["batch"], scene["candidate"], scene["a"]
    c1 = batch.criteria[0]
    url = f"/expert/candidates/{candidate.id}"
    client = scene["client_for"](a.user)
    client.post(f"{url}/review", data={"action": "save", "comment": "第一稿"})
    page = client.get(url).text
    review_id = re.search(r'name="review_id" value="(\d+)"', page).group(1)
    stamp = re.search(r'name="draft_stamp" value="([^"]+)"', page).group(1)
    tab = {"action": "save", "review_id": review_id, "draft_stamp": stamp}
    assert client.post(f"{url}/review", data={**tab, f"score_{c1.id}": "9", "comment": "第一个窗口"}).status_code == 303
    stale = client.post(f"{url}/review", data={**tab, f"score_{c1.id}": "3", "comment": "第二个窗口"})
    assert stale.status_code == 409
    assert "已在另一个窗口修改过" in stale.text
    (draft,) = reviews_of(db, candidate, a)
    assert draft.comment == "第一个窗口"
    assert [s.score for s in draft.scores] == [Decimal("9.0")]
