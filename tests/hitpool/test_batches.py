"""The batch service: creating and editing a batch with its rubric (every error at once, nothing half-saved), the
rubric's freeze, the transitions' guard rails, the timeline's steps and the seams' dates."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.errors import InvalidState, NotAllowed
from hotpot.hitpool import batches
from hotpot.hitpool.enums import BatchStatus, ObjectionStatus, Outcome
from hotpot.hitpool.models import Batch, BatchStep, Decision, Objection
from hotpot.hitpool.rubric import DEFAULT_RUBRIC
from hotpot.validation import FieldErrors, StaleVersion
from tests.auth.builders import make_user
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert, make_review


def batch_form(**overrides: Any) -> dict[str, Any]:
    """What the new-batch page posts: the default rubric in its rows, windows from next week on."""
    form: dict[str, Any] = dict(batches.new_values().items())
    form["name"] = "2026年测试一批"
    form["description"] = "面向合川区火锅食材企业"
    rows = batches.rows_of(DEFAULT_RUBRIC)
    form["rows"] = str(len(rows))
    for i, row in enumerate(rows):
        for key in ("name", "code", "weight", "max_score", "description"):
            form[f"c{i}_{key}"] = row[key]
        for j, band in enumerate(row["bands"]):
            for key in ("min", "max", "text"):
                form[f"c{i}_b{j}_{key}"] = band[key]
    form.update(overrides)
    return {k: v for k, v in form.items() if v is not None}


def _count(db, model) -> int:
    return db.scalar(select(func.count()).select_from(model))


def test_create_makes_a_draft_with_its_rubric_step_and_audit_event(db):
    staff = make_user(db, role="reviewer", display_name="王主任")
    batch = batches.create(db, actor=staff, form=batch_form(manager_id=str(staff.id)))
    assert batch.status == BatchStatus.draft
    assert batch.manager_id == staff.id
    assert [c.code for c in batch.criteria] == [c["code"] for c in DEFAULT_RUBRIC]
    assert sum(c.weight for c in batch.criteria) == 100
    assert batch.criteria[0].guidance[0] == {"min": 8, "max": 10, "text": "全国性市场，渠道成熟，近年销量增长明显"}
    assert (batch.require_published_product, batch.require_sc_licence, batch.notice_days) == (True, True, 5)
    steps = db.scalars(select(BatchStep).where(BatchStep.batch_id == batch.id)).all()
    assert [(s.status, s.by_id) for s in steps] == [(BatchStatus.draft, staff.id)]
    events = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "hit_batch")).all()
    assert [e.action for e in events] == ["hit_batch.create"]


def test_unchecked_boxes_mean_no_such_rule_and_codes_are_generated(db):
    staff = make_user(db, role="reviewer")
    form = batch_form(
        require_published_product=None, require_sc_licence=None, min_months_on_platform="6", c0_code="", c5_code=""
    )
    form["c5_name"] = "出口潜力"
    batch = batches.create(db, actor=staff, form=form)
    assert (batch.require_published_product, batch.require_sc_licence, batch.min_months_on_platform) == (
        False,
        False,
        6,
    )
    codes = [c.code for c in batch.criteria]
    assert codes[0] == "market"  # a default criterion's own code, by its name
    assert codes[5] == "c6"
    assert len(set(codes)) == 6


def test_every_error_comes_back_at_once_and_nothing_is_written(db):
    staff = make_user(db, role="reviewer")
    make_batch(db, name="2026年已有批次")
    buyer = make_user(db, role="buyer")
    before = (_count(db, Batch), _count(db, BatchStep), _count(db, AuditEvent))
    form = batch_form(
        name="2026年已有批次",
        quota="0",
        apply_opens_on="2026-03-10",
        apply_closes_on="2026-03-01",
        review_opens_on="2026-02-01",
        review_closes_on="2026-01-01",
        manager_id=str(buyer.id),
        c0_weight="20",  # the sum becomes 95
        c1_max_score="0",
        c2_name="市场潜力",  # the same name as row 0
        c3_b0_min="9",
        c3_b0_max="12",  # beyond the maximum of 10
        c4_b1_min="7",
        c4_b1_max="9",  # overlaps 8-10 of band 0
        c5_b2_min="4",
        c5_b2_max="2",
    )
    with pytest.raises(FieldErrors) as caught:
        batches.create(db, actor=staff, form=form)
    errors = caught.value.errors
    assert errors["name"].startswith("已有同名批次")
    assert errors["quota"] == "不能小于 1"
    assert errors["apply_closes_on"] == "申报截止日期不能早于开始日期"
    assert errors["review_opens_on"] == "评审开始日期不能早于申报截止日期"
    assert errors["review_closes_on"] == "评审结束日期不能早于评审开始日期"
    assert errors["manager_id"].startswith("批次负责人须是在职的工作人员账号")
    assert errors["criteria"] == "各项指标的权重合计须恰好为 100，当前合计为 95"
    assert errors["c1_max_score"] == "不能小于 1"
    assert errors["c2_name"] == "指标名称与上面的指标重复"
    assert errors["c3_b0"] == "分数段须在 0–10 分之间（本指标满分 10）"
    assert errors["c4_b1"].startswith("与 ")
    assert "重叠" in errors["c4_b1"]
    assert errors["c5_b2"] == "分数段的最低分不能大于最高分"
    assert (_count(db, Batch), _count(db, BatchStep), _count(db, AuditEvent)) == before


def test_a_rubric_needs_a_row_and_the_tie_criterion_must_be_one_of_its_codes(db):
    staff = make_user(db, role="reviewer")
    with pytest.raises(FieldErrors) as caught:
        batches.create(db, actor=staff, form={**batch_form(), "rows": "0"})
    assert caught.value.errors["criteria"] == "请至少填写一项评分指标"
    with pytest.raises(FieldErrors) as caught:
        batches.create(db, actor=staff, form=batch_form(tie_criterion_code="nosuch"))
    assert caught.value.errors["tie_criterion_code"].startswith("请选择评分细则中的一项指标")
    batch = batches.create(db, actor=staff, form=batch_form(tie_break="earlier", tie_criterion_code="nosuch"))
    assert batch.tie_criterion_code is None


def test_a_removed_row_is_left_out(db):
    staff = make_user(db, role="reviewer")
    form = batch_form(c5_remove="on", c0_weight="35")  # drop the 10 points of "local", give them to "market"
    batch = batches.create(db, actor=staff, form=form)
    assert [c.code for c in batch.criteria] == ["market", "innovation", "quality", "brand", "capacity"]


def test_update_changes_fields_and_rubric_rows_in_place(db):
    staff = make_user(db, role="reviewer")
    batch = batches.create(db, actor=staff, form=batch_form())
    market_id = batch.criteria[0].id
    form = batch_form(name="2026年第一批（修订）", quota="15", c0_weight="30", c5_weight="5", version=None)
    batches.update(db, actor=staff, batch=batch, form=form, version=batch.version)
    assert (batch.name, batch.quota, batch.version) == ("2026年第一批（修订）", 15, 2)
    assert batch.criteria[0].id == market_id
    assert batch.criteria[0].weight == 30
    event = db.scalars(select(AuditEvent).where(AuditEvent.action == "hit_batch.update")).one()
    assert event.before["criteria"][0]["weight"] == 25
    assert event.after["criteria"][0]["weight"] == 30


def test_a_stale_form_is_refused(db):
    staff = make_user(db, role="reviewer")
    batch = batches.create(db, actor=staff, form=batch_form())
    with pytest.raises(StaleVersion):
        batches.update(db, actor=staff, batch=batch, form=batch_form(), version=batch.version + 1)


def test_the_rubric_freezes_when_reviewing_starts(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="screening")
    make_candidate(db, batch=batch)
    batches.transition(db, batch=batch, name="review", actor=staff, version=batch.version)
    assert batch.rubric_frozen_at is not None
    with pytest.raises(InvalidState) as caught:
        batches.update(
            db, actor=staff, batch=batch, form=batch_form(c0_weight="30", c5_weight="5"), version=batch.version
        )
    assert caught.value.message == batches.FROZEN_MESSAGE
    assert batch.criteria[0].weight == 25
    # The other fields stay editable: the frozen form sends no rubric rows.
    values = {k: v for k, v in batches.values_of(batch).items() if k != "version"}
    batches.update(db, actor=staff, batch=batch, form={**values, "quota": "9"}, version=batch.version)
    assert batch.quota == 9
    assert batch.criteria[0].weight == 25


def test_published_and_archived_batches_are_read_only(db):
    staff = make_user(db, role="reviewer")
    for status in ("published", "archived"):
        batch = make_batch(db, status=status)
        values = {k: v for k, v in batches.values_of(batch).items() if k != "version"}
        with pytest.raises(InvalidState):
            batches.update(db, actor=staff, batch=batch, form={**values, "quota": "9"}, version=batch.version)


def test_screening_waits_for_the_application_window(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="open", apply_opens_on=batches.today() + timedelta(days=3))
    with pytest.raises(InvalidState) as caught:
        batches.transition(db, batch=batch, name="screen", actor=staff, version=batch.version)
    assert "才开始" in caught.value.message
    assert batch.status == BatchStatus.open
    batch.apply_opens_on = batches.today()
    batches.transition(db, batch=batch, name="screen", actor=staff, version=batch.version, note="按期截止")
    assert batch.status == BatchStatus.screening


def test_reviewing_needs_a_passed_candidate(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="screening")
    make_candidate(db, batch=batch, status="submitted")
    with pytest.raises(InvalidState) as caught:
        batches.transition(db, batch=batch, name="review", actor=staff, version=batch.version)
    assert "还没有通过形式审查的申报" in caught.value.message
    assert batch.rubric_frozen_at is None


def test_deciding_with_missing_reviews_warns_but_goes_on(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="reviewing")
    candidate = make_candidate(db, batch=batch)
    done, waiting = make_expert(db), make_expert(db)
    assign(db, candidate, done)
    assign(db, candidate, waiting)
    make_review(db, candidate=candidate, expert=done)
    assert batches.review_progress(db, batch) == (1, 2)
    caution = batches.transition(db, batch=batch, name="decide", actor=staff, version=batch.version)
    assert caution == "还有 1 份评审未提交（已提交 1 / 应提交 2）。"
    assert batch.status == BatchStatus.deciding


def test_notice_sets_the_period_and_publish_waits_for_it_and_for_objections(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="deciding")
    candidate = make_candidate(db, batch=batch)
    with pytest.raises(InvalidState):  # nothing proposed 入库 yet: the batch stays where it was
        batches.transition(db, batch=batch, name="notice", actor=staff, version=batch.version)
    db.refresh(batch)
    assert batch.status == BatchStatus.deciding
    assert batch.notice_starts_on is None
    db.add(Decision(batch_id=batch.id, candidate_id=candidate.id, outcome=Outcome.accepted, note="同意入库"))
    db.flush()
    batches.transition(db, batch=batch, name="notice", actor=staff, version=batch.version)
    assert batch.notice_starts_on is not None
    assert batch.notice_ends_on >= batch.notice_starts_on
    with pytest.raises(InvalidState) as caught:
        batches.transition(db, batch=batch, name="publish", actor=staff, version=batch.version)
    assert "期满后" in caught.value.message
    batch.notice_ends_on = batches.today() - timedelta(days=1)
    objection = Objection(batch_id=batch.id, candidate_id=candidate.id, reasons="销售额与实际不符。")
    db.add(objection)
    db.flush()
    with pytest.raises(InvalidState) as caught:
        batches.transition(db, batch=batch, name="publish", actor=staff, version=batch.version)
    assert caught.value.message == "还有 1 条异议待处理，全部处理后才能正式发布。"
    objection.status = ObjectionStatus.dismissed
    db.flush()
    batches.transition(db, batch=batch, name="publish", actor=staff, version=batch.version)
    assert batch.status == BatchStatus.published
    assert batch.published_at is not None


def test_every_transition_adds_a_step_with_who_and_note(db):
    staff = make_user(db, role="reviewer", display_name="李科长")
    batch = batches.create(db, actor=staff, form=batch_form(apply_opens_on=batches.today().isoformat()))
    batches.transition(db, batch=batch, name="open", actor=staff, version=batch.version, note="经主任会议同意")
    batches.transition(db, batch=batch, name="screen", actor=staff, version=batch.version)
    steps = db.scalars(select(BatchStep).where(BatchStep.batch_id == batch.id).order_by(BatchStep.id)).all()
    assert [(s.status, s.by_id, s.note) for s in steps] == [
        (BatchStatus.draft, staff.id, None),
        (BatchStatus.open, staff.id, "经主任会议同意"),
        (BatchStatus.screening, staff.id, None),
    ]
    line = batches.timeline(db, batch)
    assert [s.state for s in line] == ["done", "done", "current", "todo", "todo", "todo", "todo", "todo"]
    assert line[1].by == "李科长"
    assert line[1].note == "经主任会议同意"
    actions = [e.action for e in db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "hit_batch"))]
    assert actions == ["hit_batch.create", "hit_batch.open", "hit_batch.screen"]


def test_only_staff_move_a_batch_and_only_along_the_workflow(db):
    staff = make_user(db, role="reviewer")
    batch = make_batch(db, status="draft")
    with pytest.raises(NotAllowed):
        batches.transition(db, batch=batch, name="open", actor=make_user(db, role="expert"), version=batch.version)
    with pytest.raises(InvalidState):
        batches.transition(db, batch=batch, name="publish", actor=staff, version=batch.version)
    with pytest.raises(InvalidState):
        batches.transition(db, batch=batch, name="nonsense", actor=staff, version=batch.version)
    with pytest.raises(StaleVersion):
        batches.transition(db, batch=batch, name="open", actor=staff, version=batch.version + 1)
    with pytest.raises(FieldErrors):
        batches.transition(db, batch=batch, name="open", actor=staff, version=batch.version, note="长" * 301)
    with pytest.raises(FieldErrors):
        batches.transition(db, batch=batch, name="open", actor=staff, version=batch.version, note="甲\x00乙")
    assert batch.status == BatchStatus.draft


def test_the_list_counts_candidates_per_state_newest_first(db):
    old = make_batch(db, year=2024, status="published")
    new = make_batch(db, year=2026)
    make_candidate(db, batch=new, status="submitted")
    make_candidate(db, batch=new, status="submitted")
    make_candidate(db, batch=new, status="passed")
    page = batches.list_batches(db, page_size=100)
    ids = [r.batch.id for r in page.items]
    assert ids.index(new.id) < ids.index(old.id)
    row = next(r for r in page.items if r.batch.id == new.id)
    assert (row.counts, row.total) == ({"submitted": 2, "passed": 1}, 3)
    assert [r.batch.id for r in batches.list_batches(db, status="published", year=2024).items] == [old.id]
