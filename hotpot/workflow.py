"""Workflows as data: the states of a record with a lifecycle, the transitions between them, and one `apply`.

A core module (it imports no domain). A domain declares its workflow once, next to its status enum::

    class BaseStatus(LabeledEnum):
        pending = "pending", "待审核"
        verified = "verified", "已认证"
        rejected = "rejected", "已退回"

    BASE_WORKFLOW = Workflow(
        entity="base",
        states=BaseStatus,
        transitions=(
            Transition("verify", source={"pending", "rejected"}, target="verified", label="核验通过",
                       roles=STAFF, blocked="该基地已认证"),
            Transition("reject", source=BaseStatus, target="rejected", label="退回", roles=STAFF,
                       reason_required=True, style="danger"),
        ),
    )

    class RawBase(...):
        workflow = BASE_WORKFLOW

and a use case moves a record with `workflow.apply(session, base, "verify", actor=user, reason=..., version=...)`:
the form's version is checked first (a stale form shows the conflict page, not a decision on a state the person
never saw), then who may (`NotAllowed`), then whether the transition leaves the current state (`InvalidState`, in
Chinese, naming the state), then the reason (`FieldErrors` on `reason`), and only then the record changes inside
`hotpot.changes.tracked`: status, reason, when and (if the model has the column) who, plus the transition's own
`effect`, with a version bump and one audit event named by the transition's `action` (e.g. "base.verify").

A page shows only the buttons its viewer may press: `workflow.allowed(record, actor)`.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from sqlalchemy import Enum as SAEnum
from sqlalchemy.orm import Session

from hotpot.db import utcnow
from hotpot.errors import InvalidState, NotAllowed
from hotpot.validation import FieldErrors, check_version

# A refusal must say why: the person it concerns reads the reason next to the record.
MIN_REASON = 4


class LabeledEnum(StrEnum):
    """A status enum whose members carry their Chinese label: `pending = "pending", "待审核"`.

    The member is the string stored in the database (unchanged from the plain strings used before); `.label` is what
    people read. `labels()` gives the {value: label} table the forms, tabs and audit log use."""

    label: str

    def __new__(cls, value: str, label: str = "") -> LabeledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        return {m.value: m.label for m in cls}

    @classmethod
    def label_of(cls, value: object) -> str:
        """The label of a stored value; an unknown value reads as itself rather than failing a page."""
        try:
            return cls(value).label
        except ValueError:
            return str(value)


Predicate = Callable[[Any, Any], bool]  # (actor, record) -> may this actor make this transition on this record?


@dataclass(frozen=True)
class Transition:
    """One move of a workflow: from which states, to which state, who may, what is asked and what is recorded."""

    name: str
    source: Collection[str]
    target: str
    label: str  # the Chinese label of the button
    roles: Collection[str] = ()  # who may, by role; empty with no `may`: anyone the route let in
    may: Predicate | None = None  # who may, by rule (an assigned expert, the record's owner ...); both must agree
    reason_required: bool = False
    reason_message: str | None = None  # the FieldErrors message when the reason is missing
    action: str | None = None  # the audit action; default "<entity>.<name>"
    blocked: str | None = None  # the InvalidState message from another state; default names the current state
    style: str = "primary"  # how its button looks: primary / danger / ghost
    effect: Callable[[Any, Any], None] | None = None  # (record, actor): more changes, recorded with the move

    def __post_init__(self) -> None:
        # Enum classes and sets are both welcome as `source`; keep plain strings, frozen.
        object.__setattr__(self, "source", frozenset(str(s) for s in self.source))
        object.__setattr__(self, "roles", frozenset(str(r) for r in self.roles))

    def leaves(self, state: object) -> bool:
        return str(state) in self.source

    def permits(self, actor: Any, record: Any) -> bool:
        """May actor make this move on record (whatever its state)?"""
        if self.roles and (actor is None or str(getattr(actor, "role", "")) not in self.roles):
            return False
        return self.may is None or bool(self.may(actor, record))


@dataclass(frozen=True)
class Workflow:
    """The states of one kind of record and its transitions, plus which columns hold the state and its why/when/who.

    Column names default to the usual `status`, `status_reason`, `status_changed_at`, `status_changed_by_id`; a
    column the model does not have is skipped (a base records no "who"; its audit event does)."""

    entity: str
    states: type[LabeledEnum]
    transitions: tuple[Transition, ...]
    state_field: str = "status"
    reason_field: str | None = "status_reason"
    changed_at_field: str | None = "status_changed_at"
    changed_by_field: str | None = "status_changed_by_id"
    reason_message: str = "请填写原因（至少 4 个字），对方会看到这段说明"
    _by_name: dict[str, Transition] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        names = [t.name for t in self.transitions]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.entity}: transition names must be unique: {names}")
        known = {s.value for s in self.states}
        for t in self.transitions:
            unknown = (set(t.source) | {t.target}) - known
            if unknown:
                raise ValueError(f"{self.entity}.{t.name}: unknown states {sorted(unknown)}")
        object.__setattr__(self, "_by_name", {t.name: t for t in self.transitions})

    def __getitem__(self, name: str) -> Transition:
        return self._by_name[name]

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._by_name)

    def state_of(self, record: Any) -> str:
        return str(getattr(record, self.state_field))

    def state_label(self, record: Any) -> str:
        return self.states.label_of(self.state_of(record))

    def allowed(self, record: Any, actor: Any) -> list[Transition]:
        """The moves actor may make on record now, in declaration order (the buttons a page shows)."""
        state = self.state_of(record)
        return [t for t in self.transitions if t.leaves(state) and t.permits(actor, record)]

    def check(self, record: Any, transition: Transition | str, *, actor: Any, reason: str | None = None) -> Transition:
        """Refuse what apply would refuse, changing nothing: NotAllowed, InvalidState, FieldErrors on reason."""
        t = self._resolve(transition)
        if not t.permits(actor, record):
            raise NotAllowed(f"您的账号不能执行“{t.label}”。")
        if not t.leaves(self.state_of(record)):
            raise InvalidState(t.blocked or f"当前状态为“{self.state_label(record)}”，不能执行此操作")
        if t.reason_required and len((reason or "").strip()) < MIN_REASON:
            raise FieldErrors({"reason": t.reason_message or self.reason_message})
        return t

    def apply(
        self,
        session: Session,
        record: Any,
        transition: Transition | str,
        *,
        actor: Any,
        reason: str | None = None,
        version: int | None = None,
    ) -> Any:
        """Move record by transition (see the module's docstring for the order of the checks); returns record."""
        # Imported here: the change tracker writes the audit log, whose labels import the domains' models, and
        # those declare their workflows with this module.
        from hotpot import changes

        check_version(record, version)
        t = self.check(record, transition, actor=actor, reason=reason)
        with changes.tracked(session, record, actor=actor, action=t.action or f"{self.entity}.{t.name}"):
            setattr(record, self.state_field, self.states(t.target))
            _set_if_column(record, self.reason_field, (reason or "").strip() or None)
            _set_if_column(record, self.changed_at_field, utcnow())
            _set_if_column(record, self.changed_by_field, getattr(actor, "id", None))
            if t.effect is not None:
                t.effect(record, actor)
        return record

    def _resolve(self, transition: Transition | str) -> Transition:
        if isinstance(transition, Transition):
            if self._by_name.get(transition.name) is not transition:
                raise ValueError(f"{transition.name} is not a transition of the {self.entity} workflow")
            return transition
        found = self._by_name.get(transition)
        if found is None:
            raise InvalidState("没有这个操作，请刷新页面后重试。")
        return found


def _set_if_column(record: Any, name: str | None, value: Any) -> None:
    if name and hasattr(type(record), name):
        setattr(record, name, value)


def of(record: Any) -> Workflow:
    """The workflow a record's model declares (`workflow = ...` on the class)."""
    flow = getattr(type(record), "workflow", None)
    if not isinstance(flow, Workflow):
        raise TypeError(f"{type(record).__name__} declares no workflow")
    return flow


def apply(
    session: Session,
    record: Any,
    transition: Transition | str,
    *,
    actor: Any,
    reason: str | None = None,
    version: int | None = None,
) -> Any:
    """Move record along its model's workflow (Workflow.apply)."""
    return of(record).apply(session, record, transition, actor=actor, reason=reason, version=version)


def allowed(record: Any, actor: Any) -> list[Transition]:
    """The transitions actor may make on record now (its model's workflow)."""
    return of(record).allowed(record, actor)


def roles(*names: str) -> frozenset[str]:
    """A role set from role enums or strings: roles(Role.admin, Role.reviewer)."""
    return frozenset(str(n) for n in names)


def state_type(states: type[LabeledEnum], length: int, *, column: str = "status") -> SAEnum:
    """The column type of a status: VARCHAR(length) holding the enum's values (the same strings as before), loaded
    as enum members. A value the enum does not know is refused in Python before it reaches the database, and by the
    table's CHECK constraint `ck_<table>_<column>_known` (a bulk UPDATE or a hand-written SQL fix) in it."""
    return SAEnum(
        states,
        native_enum=False,
        create_constraint=True,
        name=f"{column}_known",
        length=length,
        values_callable=lambda enum: [m.value for m in enum],
        validate_strings=True,
    )
