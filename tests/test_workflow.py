"""The state-machine helper (hotpot/workflow.py): a workflow is data, and apply checks before it changes anything.

The 爆品 pool's batches, candidates and assignments come next; a batch-like workflow declared here, on a plain
object, shows the helper carries them without a new table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import pytest
from sqlalchemy import select

from hotpot import workflow
from hotpot.audit.models import AuditEvent
from hotpot.enterprises.models import ENTERPRISE_WORKFLOW, EnterpriseStatus
from hotpot.errors import InvalidState, NotAllowed
from hotpot.validation import FieldErrors, StaleVersion
from hotpot.workflow import LabeledEnum, Transition, Workflow
from tests.auth.builders import make_user
from tests.enterprises.builders import make_enterprise


class BatchState(LabeledEnum):
    draft = "draft", "草稿"
    open = "open", "征集中"
    screening = "screening", "形式审查"
    reviewing = "reviewing", "专家评审"
    deciding = "deciding", "待决定"
    notice = "notice", "公示中"
    published = "published", "已发布"
    archived = "archived", "已归档"


ADMIN = workflow.roles("admin")
COMMITTEE = workflow.roles("admin", "reviewer")

BATCH = Workflow(
    entity="hit_batch",
    states=BatchState,
    transitions=(
        Transition("open", source={"draft"}, target="open", label="开放申报", roles=ADMIN),
        Transition("close", source={"open"}, target="screening", label="截止申报", roles=COMMITTEE),
        Transition("screened", source={"screening"}, target="reviewing", label="形式审查完成", roles=COMMITTEE),
        Transition("scored", source={"reviewing"}, target="deciding", label="评审完成", roles=COMMITTEE),
        Transition("announce", source={"deciding"}, target="notice", label="公示", roles=COMMITTEE),
        # An objection upheld during the public notice sends the batch back to the decision, with the why.
        Transition(
            "objection",
            source={"notice"},
            target="deciding",
            label="异议成立",
            roles=COMMITTEE,
            reason_required=True,
            style="danger",
        ),
        Transition("publish", source={"notice"}, target="published", label="发布结果", roles=ADMIN),
        Transition("archive", source=BatchState, target="archived", label="归档", roles=ADMIN, style="ghost"),
    ),
)


@dataclass
class Batch:
    """A stand-in for the coming hit_batch table: what the helper and the change tracker need of a record."""

    id: int
    status: str = "draft"
    status_reason: str | None = None
    status_changed_at: datetime | None = None
    status_changed_by_id: int | None = None
    version: int = 1
    title: str = "2027 年第一批"

    audit_entity = "hit_batch"
    audit_fields = ("title", "status", "status_reason")
    workflow = BATCH


@dataclass
class Person:
    id: int
    role: str


admin, reviewer, producer = Person(1, "admin"), Person(2, "reviewer"), Person(3, "producer")


def test_a_batch_walks_its_whole_life_and_each_move_is_one_audit_event(db):
    actor = make_user(db, role="admin")
    batch = Batch(id=990001)
    path = ["open", "close", "screened", "scored", "announce", "objection", "announce", "publish", "archive"]
    why = "公示期收到实名异议，核实成立"
    for name in path:
        workflow.apply(db, batch, name, actor=actor, reason=why if name == "objection" else None)
    assert batch.status == BatchState.archived
    assert isinstance(batch.status, BatchState)
    assert batch.status_changed_by_id == actor.id
    assert batch.status_changed_at is not None
    events = list(
        db.scalars(
            select(AuditEvent)
            .where(AuditEvent.entity_type == "hit_batch", AuditEvent.entity_id == "990001")
            .order_by(AuditEvent.id)
        )
    )
    assert [e.action for e in events] == [f"hit_batch.{name}" for name in path]
    assert events[0].before["status"] == "draft"
    assert events[0].after["status"] == "open"
    objection = events[path.index("objection")]
    assert (objection.before["status"], objection.after["status"]) == ("notice", "deciding")
    assert objection.after["status_reason"] == why
    # a reason belongs to the move that needed it: the next move clears it
    assert events[path.index("objection") + 1].after["status_reason"] is None


def test_a_move_from_the_wrong_state_is_refused_in_chinese_and_changes_nothing(db):
    batch = Batch(id=990002, status="open")
    with pytest.raises(InvalidState) as refused:
        workflow.apply(db, batch, "publish", actor=admin)
    assert refused.value.message == "当前状态为“征集中”，不能执行此操作"
    assert refused.value.status == 409
    assert batch.status == "open"
    assert batch.status_changed_at is None


def test_who_may_is_checked_before_the_state(db):
    batch = Batch(id=990003, status="draft")
    with pytest.raises(NotAllowed) as refused:
        workflow.apply(db, batch, "open", actor=reviewer)
    assert "开放申报" in refused.value.message
    with pytest.raises(NotAllowed):
        workflow.apply(db, batch, "open", actor=None)
    # a producer learns nothing about the state of a batch it may not move
    with pytest.raises(NotAllowed):
        workflow.apply(db, Batch(id=990004, status="published"), "open", actor=producer)
    assert batch.status == "draft"


def test_a_required_reason_is_a_field_error_on_reason(db):
    batch = Batch(id=990005, status="notice")
    for reason in (None, "", "   ", "太短"):
        with pytest.raises(FieldErrors) as refused:
            workflow.apply(db, batch, "objection", actor=reviewer, reason=reason)
        assert set(refused.value.errors) == {"reason"}
        assert "原因" in refused.value.errors["reason"]
    assert batch.status == "notice"


def test_a_stale_form_is_refused_before_any_other_check(db):
    batch = Batch(id=990006, status="notice", version=3)
    with pytest.raises(StaleVersion):
        # a stale tab: wrong state and no reason too, but the person first needs to see what changed
        workflow.apply(db, batch, "open", actor=producer, version=2)
    assert batch.status == "notice"


def test_an_unknown_transition_name_is_an_invalid_state_not_a_crash(db):
    with pytest.raises(InvalidState):
        workflow.apply(db, Batch(id=990007), "explode", actor=admin)


def test_allowed_lists_only_the_buttons_this_person_may_press_now():
    notice = Batch(id=1, status="notice")
    assert [t.name for t in workflow.allowed(notice, admin)] == ["objection", "publish", "archive"]
    assert [t.name for t in workflow.allowed(notice, reviewer)] == ["objection"]
    assert workflow.allowed(notice, producer) == []
    assert [t.label for t in workflow.allowed(Batch(id=1), admin)] == ["开放申报", "归档"]


def test_a_rule_can_depend_on_the_record_as_well_as_the_role():
    """An assignment: only the expert it was drawn for may submit its scores."""

    class AssignmentState(LabeledEnum):
        drawn = "drawn", "已抽取"
        submitted = "submitted", "已提交"

    assignment_flow = Workflow(
        entity="hit_assignment",
        states=AssignmentState,
        transitions=(
            Transition(
                "submit",
                source={"drawn"},
                target="submitted",
                label="提交评分",
                roles={"reviewer"},
                may=lambda actor, record: actor.id == record.expert_id,
            ),
        ),
        changed_by_field=None,
    )

    @dataclass
    class Assignment:
        expert_id: int
        status: str = "drawn"

    mine, theirs = Assignment(expert_id=reviewer.id), Assignment(expert_id=99)
    assert [t.name for t in assignment_flow.allowed(mine, reviewer)] == ["submit"]
    assert assignment_flow.allowed(theirs, reviewer) == []
    with pytest.raises(NotAllowed):
        assignment_flow.check(theirs, "submit", actor=reviewer)
    assert assignment_flow.check(mine, "submit", actor=reviewer).target == "submitted"


def test_declarations_are_checked_when_they_are_made():
    with pytest.raises(ValueError, match="unknown states"):
        Workflow(
            entity="x",
            states=BatchState,
            transitions=(Transition("go", source={"draft"}, target="nowhere", label="走"),),
        )
    with pytest.raises(ValueError, match="unique"):
        Workflow(
            entity="x",
            states=BatchState,
            transitions=(
                Transition("go", source={"draft"}, target="open", label="走"),
                Transition("go", source={"open"}, target="draft", label="回"),
            ),
        )


def test_labels_come_from_the_enum():
    assert EnterpriseStatus.verified.label == "已认证"
    assert EnterpriseStatus.labels()["suspended"] == "已暂停"
    assert EnterpriseStatus.verified == "verified"  # the database keeps the same strings
    assert BatchState.label_of("notice") == "公示中"
    assert BatchState.label_of("gone") == "gone"


def test_the_enterprise_workflow_on_a_real_record(db):
    enterprise = make_enterprise(db, status="pending")
    staff = make_user(db, role="reviewer")
    owner = make_user(db, role="producer")
    assert [t.name for t in ENTERPRISE_WORKFLOW.allowed(enterprise, staff)] == ["verify", "reject"]
    assert ENTERPRISE_WORKFLOW.allowed(enterprise, owner) == []
    version = enterprise.version
    workflow.apply(db, enterprise, "verify", actor=staff, version=version)
    db.refresh(enterprise)
    assert enterprise.status is EnterpriseStatus.verified  # loaded from the database as the enum member
    assert enterprise.version == version + 1
    assert enterprise.status_changed_by_id == staff.id
    assert [t.name for t in workflow.allowed(enterprise, staff)] == ["suspend"]
    with pytest.raises(InvalidState):
        workflow.apply(db, enterprise, "reinstate", actor=staff)


@pytest.mark.parametrize(
    ("table", "column"),
    [("enterprise", "status"), ("base", "status"), ("certificate", "verification"), ("product", "status")],
)
def test_the_database_refuses_a_status_its_enum_does_not_know(db, table, column):
    """A bulk UPDATE or a hand-written fix cannot store a typo: the CHECK of migration 7b3f9e2a6c15."""
    from sqlalchemy import text
    from sqlalchemy.exc import IntegrityError

    from tests.bases.builders import make_base
    from tests.certificates.builders import make_certificate
    from tests.enterprises.builders import make_product

    record = {"enterprise": make_enterprise, "base": make_base, "certificate": make_certificate}.get(
        table, make_product
    )(db)
    with pytest.raises(IntegrityError, match=f"ck_{table}_{column}_known"), db.begin_nested():
        db.execute(text(f"UPDATE {table} SET {column} = 'verifyed' WHERE id = :id"), {"id": record.id})
    db.expire_all()
