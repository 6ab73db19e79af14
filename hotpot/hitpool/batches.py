"""爆品 batches: the pool's list, creating and editing a batch with its rubric, the overview and the transitions.

`transition` is the one place a batch changes state: the guard rails, `workflow.apply`, the timeline's step, the
rubric's freeze on "review", and the seams to the decisions area on "notice" and "publish".
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from hotpot import changes, workflow
from hotpot.auth.models import Role, User
from hotpot.db import savepoint, utcnow
from hotpot.errors import InvalidState
from hotpot.hitpool import decisions
from hotpot.hitpool.access import STAFF_ROLES
from hotpot.hitpool.batch_schemas import BandIn, BatchIn, CriterionIn
from hotpot.hitpool.dates import today
from hotpot.hitpool.enums import BATCH_STEPS, BatchStatus, CandidateStatus, ObjectionStatus, ReviewStatus, TieBreak
from hotpot.hitpool.models import Assignment, Batch, BatchStep, Candidate, Criterion, Objection, Review
from hotpot.hitpool.rubric import DEFAULT_RUBRIC
from hotpot.pagination import Page, paginate
from hotpot.validation import NUL_MESSAGE, FieldErrors, check_version, errors_from_validation, has_nul

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Slots of guidance bands per criterion in the editor (the default rubric uses three).
BAND_SLOTS = 4
MAX_CRITERIA = 20
READ_ONLY = frozenset({BatchStatus.published, BatchStatus.archived})
FROZEN_MESSAGE = "专家评审已开始，评分细则已冻结，不能再修改指标、权重或分数段。"
DEFAULT_CODES = {c["name"]: c["code"] for c in DEFAULT_RUBRIC}
SCALAR_FIELDS = tuple(BatchIn.model_fields)
CHECKBOXES = ("require_published_product", "require_sc_licence")


# --- the list ---------------------------------------------------------------------------------------------------


@dataclass
class BatchRow:
    """A batch with its candidates counted per state (the list, the API)."""

    batch: Batch
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def candidate_counts(session: Session, batch_ids: list[int]) -> dict[int, dict[str, int]]:
    """batch id -> candidate state -> how many (states without candidates are left out)."""
    out: dict[int, dict[str, int]] = {i: {} for i in batch_ids}
    if not batch_ids:
        return out
    rows = session.execute(
        select(Candidate.batch_id, Candidate.status, func.count())
        .where(Candidate.batch_id.in_(batch_ids))
        .group_by(Candidate.batch_id, Candidate.status)
    )
    for batch_id, status, n in rows:
        out[batch_id][str(status)] = n
    return out


def list_batches(
    session: Session, *, status: str | None = None, year: int | None = None, page: int = 1, page_size: int = 20
) -> Page[BatchRow]:
    """The batches, newest first, each with its counts per candidate state."""
    stmt: Select = select(Batch)
    if status:
        stmt = stmt.where(Batch.status == BatchStatus(status))
    if year:
        stmt = stmt.where(Batch.year == year)
    stmt = stmt.order_by(Batch.year.desc(), Batch.apply_opens_on.desc(), Batch.id.desc())
    found = paginate(session, stmt, page=page, page_size=page_size)
    counts = candidate_counts(session, [b.id for b in found.items])
    found.items = [BatchRow(b, counts[b.id]) for b in found.items]
    return found


def home(session: Session, *, status: str | None, year: int | None, page: int, page_size: int) -> dict[str, Any]:
    """What the pool's home shows: a page of batches, the filters' choices and the count of batches per state."""
    return {
        "page": list_batches(session, status=status, year=year, page=page, page_size=page_size),
        "filters": {"status": status or "", "year": str(year or "")},
        "statuses": list(BatchStatus.labels().items()),
        "status_counts": status_counts(session),
        "years": years(session),
        "candidate_states": [(s.value, s.label) for s in CandidateStatus],
    }


def years(session: Session) -> list[int]:
    """The years batches exist for (the list's filter), newest first."""
    return list(session.scalars(select(Batch.year).distinct().order_by(Batch.year.desc())))


def status_counts(session: Session) -> dict[str, int]:
    return {str(s): n for s, n in session.execute(select(Batch.status, func.count()).group_by(Batch.status))}


def staff_choices(session: Session) -> list[tuple[str, str]]:
    """(id, label) of the active staff accounts a batch manager is picked from, by name."""
    users = session.scalars(
        select(User).where(User.role.in_(STAFF_ROLES), User.is_active.is_(True)).order_by(User.display_name, User.id)
    )
    role = {Role.admin.value: "管理员", Role.reviewer.value: "审核人员"}
    return [(str(u.id), f"{u.display_name}（{u.organization or role.get(u.role, '')}）") for u in users]


# --- the form: rows of the rubric editor --------------------------------------------------------------------------


def blank_band() -> dict[str, Any]:
    return {"min": "", "max": "", "text": ""}


def blank_row() -> dict[str, Any]:
    return {"name": "", "code": "", "weight": "", "max_score": "10", "description": "", "bands": _padded([])}


def _padded(bands: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bands = list(bands)[:BAND_SLOTS]
    return bands + [blank_band() for _ in range(BAND_SLOTS - len(bands))]


def rows_of(criteria: Any) -> list[dict[str, Any]]:
    """Editor rows of a rubric (hit_criterion rows or DEFAULT_RUBRIC's dicts)."""

    def get(c: Any, key: str) -> Any:
        return c[key] if isinstance(c, dict) else getattr(c, key)

    return [
        {
            "name": get(c, "name"),
            "code": get(c, "code"),
            "weight": str(get(c, "weight")),
            "max_score": str(get(c, "max_score")),
            "description": get(c, "description") or "",
            "bands": _padded([{k: str(b.get(k, "")) for k in ("min", "max", "text")} for b in get(c, "guidance")]),
        }
        for c in criteria
    ]


def _text(value: Any) -> str:
    if isinstance(value, list):  # a repeated field: the first one counts
        value = value[0] if value else ""
    return value.strip() if isinstance(value, str) else ""


def rows_from_form(form: dict[str, Any], *, add: int = 0) -> list[dict[str, Any]]:
    """The editor's rows as submitted (a row ticked "删除" is dropped), plus `add` blank rows."""
    count = _row_count(form)
    rows = []
    for i in range(count):
        if _text(form.get(f"c{i}_remove")):
            continue
        rows.append(
            {
                "name": _text(form.get(f"c{i}_name")),
                "code": _text(form.get(f"c{i}_code")),
                "weight": _text(form.get(f"c{i}_weight")),
                "max_score": _text(form.get(f"c{i}_max_score")),
                "description": _text(form.get(f"c{i}_description")),
                "bands": [
                    {k: _text(form.get(f"c{i}_b{j}_{k}")) for k in ("min", "max", "text")} for j in range(BAND_SLOTS)
                ],
                "source": i,
            }
        )
    rows.extend(blank_row() for _ in range(add))
    return rows[: MAX_CRITERIA + 1]


def _row_count(form: dict[str, Any]) -> int:
    raw = _text(form.get("rows"))
    n = int(raw) if raw.isascii() and raw.isdigit() else 0
    return min(n, MAX_CRITERIA + 1)


def has_rubric(form: dict[str, Any]) -> bool:
    return "rows" in form


def tie_choices(batch: Batch | None, rows: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(code, name) of the criteria the tie break may compare: the frozen rubric, else the editor's rows."""
    if batch is not None and is_frozen(batch):
        return [(c.code, c.name) for c in batch.criteria]
    return [
        (r["code"] or DEFAULT_CODES.get(r["name"], ""), r["name"] or r["code"])
        for r in rows
        if r["code"] or r["name"] in DEFAULT_CODES
    ]


def weight_sum(rows: list[dict[str, Any]]) -> int:
    """The sum of the weights typed so far (the editor shows it next to the rule "exactly 100")."""
    return sum(int(r["weight"]) for r in rows if r["weight"].isascii() and r["weight"].isdigit())


def values_of(batch: Batch) -> dict[str, Any]:
    """The form's values for an existing batch."""
    values: dict[str, Any] = {}
    for key in SCALAR_FIELDS:
        v = getattr(batch, key)
        if key in CHECKBOXES:
            values[key] = "on" if v else ""
        elif v is None:
            values[key] = ""
        elif isinstance(v, date):
            values[key] = v.isoformat()
        elif key == "disagreement_threshold":
            values[key] = f"{Decimal(str(v)).normalize():f}"
        else:
            values[key] = str(v)
    values["version"] = batch.version
    return values


def new_values() -> dict[str, Any]:
    """The form's values for a new batch: defaults and windows from next week on."""
    start = today() + timedelta(days=7)
    return {
        "year": str(start.year),
        "name": "",
        "apply_opens_on": start.isoformat(),
        "apply_closes_on": (start + timedelta(days=30)).isoformat(),
        "review_opens_on": (start + timedelta(days=37)).isoformat(),
        "review_closes_on": (start + timedelta(days=60)).isoformat(),
        "quota": "12",
        "experts_per_candidate": "3",
        "disagreement_threshold": "20",
        "tie_break": TieBreak.criterion.value,
        "tie_criterion_code": DEFAULT_RUBRIC[0]["code"],
        "require_published_product": "on",
        "require_sc_licence": "on",
        "notice_days": "5",
    }


# --- validation ---------------------------------------------------------------------------------------------------


@dataclass
class ParsedCriterion:
    name: str
    code: str
    weight: int
    max_score: int
    description: str | None
    guidance: list[dict[str, Any]]

    def key(self) -> tuple:
        return (self.code, self.name, self.weight, self.max_score, self.description, self.guidance)


def _parse_rubric(rows: list[dict[str, Any]], errors: dict[str, str]) -> list[ParsedCriterion]:
    """The rubric's rows as criteria; every problem goes into errors under the field it concerns."""
    out: list[ParsedCriterion] = []
    names: dict[str, int] = {}
    codes: set[str] = set()
    filled = [(n, r) for n, r in enumerate(rows) if _filled(r)]
    if not filled:
        errors["criteria"] = "请至少填写一项评分指标"
        return out
    if len(filled) > MAX_CRITERIA:
        errors["criteria"] = f"评分指标最多 {MAX_CRITERIA} 项"
        return out
    for n, row in filled:
        prefix = f"c{n}_"
        data = {k: row[k] for k in ("name", "code", "weight", "max_score", "description") if row[k] != ""}
        try:
            c = CriterionIn.model_validate(data)
        except ValidationError as exc:  # its messages in Chinese, under this row's fields
            for key, message in errors_from_validation(exc).items():
                errors[prefix + key] = message
            c = None
        if c is not None and c.name in names:
            errors[prefix + "name"] = "指标名称与上面的指标重复"
        if c is not None:
            names[c.name] = n
        code = (c.code if c else row["code"]) or ""
        if c is not None and c.code and c.code in codes:
            errors[prefix + "code"] = "指标代码与上面的指标重复"
        max_score = c.max_score if c is not None else None
        guidance = _parse_bands(row, prefix, max_score, errors)
        if c is not None:
            if code:
                codes.add(code)
            out.append(ParsedCriterion(c.name, code, c.weight, c.max_score, c.description, guidance))
    # Codes left blank are generated: the default rubric's own codes by name, else c1, c2 ...
    for pos, c in enumerate(out, start=1):
        if not c.code:
            candidate = DEFAULT_CODES.get(c.name) or f"c{pos}"
            while candidate in codes:
                candidate = f"c{pos}_{len(codes)}"
            c.code = candidate
            codes.add(candidate)
    total = weight_sum([r for _, r in filled])
    if "criteria" not in errors and total != 100:
        errors["criteria"] = f"各项指标的权重合计须恰好为 100，当前合计为 {total}"
    return out


def _filled(row: dict[str, Any]) -> bool:
    return any(row[k] for k in ("name", "code", "weight", "description")) or any(
        b[k] for b in row["bands"] for k in ("min", "max", "text")
    )


def _parse_bands(row: dict[str, Any], prefix: str, max_score: int | None, errors: dict[str, str]) -> list[dict]:
    bands: list[tuple[int, dict[str, Any]]] = []
    for j, raw in enumerate(row["bands"]):
        if not any(raw.values()):
            continue
        key = f"{prefix}b{j}"
        data = {k: v for k, v in raw.items() if v != ""}
        try:
            b = BandIn.model_validate(data)
        except ValidationError as exc:
            found = errors_from_validation(exc)
            label = {"min": "最低分", "max": "最高分", "text": "说明"}
            errors[key] = "；".join(f"{label.get(k, k)}{m}" for k, m in found.items())
            continue
        if b.min > b.max:
            errors[key] = "分数段的最低分不能大于最高分"
        elif max_score is not None and b.max > max_score:
            errors[key] = f"分数段须在 0–{max_score} 分之间（本指标满分 {max_score}）"
        else:
            bands.append((j, {"min": b.min, "max": b.max, "text": b.text}))
    ordered = sorted(bands, key=lambda jb: jb[1]["min"])
    for (i, prev), (j, band) in itertools.pairwise(ordered):
        if band["min"] <= prev["max"]:  # flagged on the lower line of the two (the one typed later)
            other = prev if j > i else band
            errors[f"{prefix}b{max(i, j)}"] = f"与 {other['min']}–{other['max']} 分的分数段重叠"
    return [b for _, b in sorted(ordered, key=lambda jb: -jb[1]["max"])]


def _parse(session: Session, form: dict[str, Any], batch: Batch | None) -> tuple[BatchIn, list | None]:
    """The form's batch fields and rubric (None: the rubric was not submitted), or FieldErrors with every error."""
    errors: dict[str, str] = {}
    data = {k: _text(form[k]) for k in SCALAR_FIELDS if k in form and _text(form[k]) != ""}
    data.setdefault("require_published_product", False)
    data.setdefault("require_sc_licence", False)
    parsed: BatchIn | None = None
    try:
        parsed = BatchIn.model_validate(data)
        values = parsed.model_dump()
    except ValidationError as exc:
        errors.update(errors_from_validation(exc))
        values = _valid_fields(data)
    criteria = _parse_rubric(rows_from_form(form), errors) if has_rubric(form) else None
    _check_batch(session, values, batch, criteria, errors)
    if errors or parsed is None:
        raise FieldErrors(errors)
    return parsed, criteria


def _valid_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The fields that are valid on their own, when the form as a whole is not (the cross-checks still run)."""
    out: dict[str, Any] = {}
    for name, info in BatchIn.model_fields.items():
        if name not in data:
            out[name] = None if info.is_required() else info.get_default()
            continue
        try:
            out[name] = TypeAdapter(Annotated[info.annotation, info]).validate_python(data[name])
        except ValidationError:
            out[name] = None
    return out


def _check_batch(session: Session, v: dict[str, Any], batch: Batch | None, criteria: list | None, errors: dict) -> None:
    """The rules across fields and against the database (each only when its fields are valid themselves)."""

    invalid = set(errors)  # fields refused on their own: no cross-check on them

    def both(a: str, b: str) -> bool:
        return v.get(a) is not None and v.get(b) is not None and not {a, b} & invalid

    if both("apply_opens_on", "apply_closes_on") and v["apply_closes_on"] < v["apply_opens_on"]:
        errors["apply_closes_on"] = "申报截止日期不能早于开始日期"
    if both("apply_closes_on", "review_opens_on") and v["review_opens_on"] < v["apply_closes_on"]:
        errors["review_opens_on"] = "评审开始日期不能早于申报截止日期"
    if both("review_opens_on", "review_closes_on") and v["review_closes_on"] < v["review_opens_on"]:
        errors["review_closes_on"] = "评审结束日期不能早于评审开始日期"
    if v.get("name") and "name" not in invalid:
        same = select(Batch.id).where(Batch.name == v["name"])
        if batch is not None:
            same = same.where(Batch.id != batch.id)
        if session.scalar(same) is not None:
            errors["name"] = "已有同名批次，请换一个名称（如 2026年第二批）"
    if v.get("manager_id") is not None:
        manager = session.get(User, v["manager_id"])
        if manager is None or manager.role not in STAFF_ROLES or not manager.is_active:
            errors["manager_id"] = "批次负责人须是在职的工作人员账号（管理员或审核人员）"
    if v.get("tie_break") == TieBreak.criterion and "tie_criterion_code" not in invalid:
        rubric = criteria if criteria is not None else (batch.criteria if batch is not None else [])
        codes = [c.code for c in rubric]
        if not v.get("tie_criterion_code"):
            errors["tie_criterion_code"] = "按指标得分排序时，请选择用于比较的指标"
        elif codes and v["tie_criterion_code"] not in codes:
            errors["tie_criterion_code"] = "请选择评分细则中的一项指标（填写指标代码）"


def _rubric_snapshot(criteria: Any) -> list[dict[str, Any]]:
    return [
        {"code": c.code, "name": c.name, "weight": c.weight, "max_score": c.max_score, "guidance": c.guidance}
        for c in criteria
    ]


def _apply_fields(batch: Batch, b: BatchIn) -> None:
    for key in SCALAR_FIELDS:
        setattr(batch, key, getattr(b, key))
    if b.tie_break != TieBreak.criterion:
        batch.tie_criterion_code = None


def _sync_criteria(batch: Batch, criteria: list[ParsedCriterion]) -> None:
    """Make the batch's rubric rows the given criteria, updating rows in place by code (the code is unique)."""
    by_code = {c.code: c for c in batch.criteria}
    kept = []
    for pos, p in enumerate(criteria, start=1):
        row = by_code.pop(p.code, None) or Criterion(code=p.code)
        row.position = pos
        row.name = p.name
        row.weight = p.weight
        row.max_score = p.max_score
        row.description = p.description
        row.guidance = p.guidance
        kept.append(row)
    batch.criteria[:] = kept


# --- create and edit ----------------------------------------------------------------------------------------------


def create(session: Session, *, actor: Any, form: dict[str, Any]) -> Batch:
    """A new batch (draft) with its rubric, from the form; FieldErrors lists every problem at once."""
    parsed, criteria = _parse(session, form, None)
    if criteria is None:
        raise FieldErrors({"criteria": "请至少填写一项评分指标"})
    batch = Batch(created_by_id=getattr(actor, "id", None), status=BatchStatus.draft)
    _apply_fields(batch, parsed)
    _sync_criteria(batch, criteria)
    changes.created(session, batch, actor=actor, action="hit_batch.create")
    session.add(BatchStep(batch_id=batch.id, status=BatchStatus.draft, by_id=getattr(actor, "id", None)))
    session.flush()
    return batch


def is_read_only(batch: Batch) -> bool:
    return batch.status in READ_ONLY


def is_frozen(batch: Batch) -> bool:
    return batch.rubric_frozen_at is not None


def update(session: Session, *, actor: Any, batch: Batch, form: dict[str, Any], version: int) -> Batch:
    """Save the edit form: refused for a published batch, and for a rubric change once reviewing started."""
    check_version(batch, version)
    if is_read_only(batch):
        raise InvalidState(f"批次已{batch.status_label}，不能再修改。")
    parsed, criteria = _parse(session, form, batch)
    if criteria is not None and is_frozen(batch):
        if [c.key() for c in criteria] != [
            (c.code, c.name, c.weight, c.max_score, c.description, c.guidance) for c in batch.criteria
        ]:
            raise InvalidState(FROZEN_MESSAGE)
        criteria = None
    with changes.tracked(
        session, batch, actor=actor, action="hit_batch.update", version=version, bump_first=True
    ) as ch:
        ch.before = {**ch.before, "criteria": _rubric_snapshot(batch.criteria)}
        _apply_fields(batch, parsed)
        if criteria is not None:
            _sync_criteria(batch, criteria)
        ch.after = {**changes.snapshot(batch), "criteria": _rubric_snapshot(batch.criteria)}
    return batch


# --- transitions --------------------------------------------------------------------------------------------------


def passed_count(session: Session, batch: Batch) -> int:
    return session.scalar(
        select(func.count()).where(Candidate.batch_id == batch.id, Candidate.status == CandidateStatus.passed)
    )


def review_progress(session: Session, batch: Batch) -> tuple[int, int]:
    """(submitted, expected): the active assignments of passed candidates, and those with a current review."""
    active = (
        select(Assignment.candidate_id, Assignment.expert_id)
        .join(Candidate, Candidate.id == Assignment.candidate_id)
        .where(
            Assignment.batch_id == batch.id,
            Assignment.ended_at.is_(None),
            Candidate.status == CandidateStatus.passed,
        )
        .subquery()
    )
    expected = session.scalar(select(func.count()).select_from(active)) or 0
    submitted = (
        session.scalar(
            select(func.count())
            .select_from(active)
            .join(
                Review,
                and_(
                    Review.candidate_id == active.c.candidate_id,
                    Review.expert_id == active.c.expert_id,
                    Review.status == ReviewStatus.submitted,
                ),
            )
        )
        or 0
    )
    return submitted, expected


def pending_objections(session: Session, batch: Batch) -> int:
    return session.scalar(
        select(func.count()).where(Objection.batch_id == batch.id, Objection.status == ObjectionStatus.pending)
    )


def guard(session: Session, batch: Batch, name: str) -> str | None:
    """Why the transition `name` may not be made now (a Chinese sentence), or None."""
    now = today()
    if name == "screen" and now < batch.apply_opens_on:
        return f"申报窗口 {_day(batch.apply_opens_on)} 才开始，开始之前不能截止申报。"
    if name == "review" and passed_count(session, batch) == 0:
        return "还没有通过形式审查的申报，不能开始专家评审。请先在“形式审查”中处理申报材料。"
    if name == "publish":
        if batch.notice_ends_on is None:
            return "公示期尚未设定，不能正式发布。"
        if batch.notice_ends_on >= now:
            return f"公示期至 {_day(batch.notice_ends_on)} 结束，期满后（次日起）才能正式发布。"
        pending = pending_objections(session, batch)
        if pending:
            return f"还有 {pending} 条异议待处理，全部处理后才能正式发布。"
    return None


def warning(session: Session, batch: Batch, name: str) -> str | None:
    """What the viewer should know before making the transition (it is allowed all the same)."""
    if name == "decide":
        submitted, expected = review_progress(session, batch)
        if submitted < expected:
            return f"还有 {expected - submitted} 份评审未提交（已提交 {submitted} / 应提交 {expected}）。"
    return None


def _day(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def transition(
    session: Session, *, batch: Batch, name: str, actor: Any, version: int, note: str | None = None
) -> str | None:
    """Move the batch by `name` (guard rails, workflow, timeline step, freeze, seams); returns a warning if any."""
    note = (note or "").strip() or None
    if note is not None and has_nul(note):
        raise FieldErrors({"note": NUL_MESSAGE})
    if note is not None and len(note) > 300:
        raise FieldErrors({"note": "说明不能超过 300 个字"})
    check_version(batch, version)
    workflow.of(batch).check(batch, name, actor=actor)
    refusal = guard(session, batch, name)
    if refusal:
        raise InvalidState(refusal)
    caution = warning(session, batch, name)
    # One savepoint for the move and its hooks: a hook that refuses (no proposed 入库 for a notice, objections
    # pending at publication) leaves the batch where it was, even when the page answering the refusal commits.
    with savepoint(session):
        workflow.apply(session, batch, name, actor=actor, reason=note, version=version)
        now = utcnow()
        if name == "review":
            batch.rubric_frozen_at = now
        if name == "publish":
            batch.published_at = now
        step = BatchStep(batch_id=batch.id, status=batch.status, at=now, by_id=getattr(actor, "id", None), note=note)
        session.add(step)
        session.flush()
        if name == "notice":
            decisions.on_notice(session, batch, actor)
        if name == "publish":
            decisions.on_publish(session, batch, actor)
    return caution


# --- the overview -------------------------------------------------------------------------------------------------


@dataclass
class Step:
    status: BatchStatus
    state: str  # done / current / todo
    at: datetime | None = None
    by: str | None = None
    note: str | None = None

    @property
    def label(self) -> str:
        return self.status.label


@dataclass
class Action:
    name: str
    label: str
    style: str
    blocked: str | None
    warning: str | None
    confirm: str


CONFIRM = {
    "open": "开放后生产企业即可提交申报。确定开放申报吗？",
    "screen": "截止后企业不能再提交新的申报。确定截止申报、开始形式审查吗？",
    "review": "开始评审后评分细则将冻结，不能再修改。确定开始专家评审吗？",
    "decide": "结束评审后专家不能再提交评分。确定进入拟定结果阶段吗？",
    "notice": "拟入库名单将在公示页面公开。确定发布公示吗？",
    "publish": "发布后决定成为正式记录，不能再更改，并通知申报企业。确定正式发布吗？",
    "archive": "归档后批次只能查看。确定归档吗？",
}


def timeline(session: Session, batch: Batch) -> list[Step]:
    """The eight states: done, current or to come, each with who moved the batch there and when."""
    steps = list(
        session.scalars(select(BatchStep).where(BatchStep.batch_id == batch.id).order_by(BatchStep.at, BatchStep.id))
    )
    last = {s.status: s for s in steps}
    current = BATCH_STEPS.index(batch.status)
    out = []
    for i, status in enumerate(BATCH_STEPS):
        state = "done" if i < current else "current" if i == current else "todo"
        s = last.get(status) if state != "todo" else None
        by = (s.by.display_name if s.by else None) if s else None
        out.append(Step(status, state, s.at if s else None, by, s.note if s else None))
    return out


def actions(session: Session, batch: Batch, viewer: Any) -> list[Action]:
    """The transitions the viewer may press, each with what would stop it and what to know first."""
    out = []
    for t in workflow.allowed(batch, viewer):
        caution = warning(session, batch, t.name)
        confirm = CONFIRM.get(t.name, "确定吗？")
        if caution:
            confirm = f"{caution}{confirm}"
        out.append(Action(t.name, t.label, t.style, guard(session, batch, t.name), caution, confirm))
    return out


def overview(session: Session, batch: Batch, viewer: Any) -> dict[str, Any]:
    """What the batch page shows: counts per candidate state, review progress, timeline, buttons."""
    counts = candidate_counts(session, [batch.id])[batch.id]
    reviewing = BATCH_STEPS.index(batch.status) >= BATCH_STEPS.index(BatchStatus.reviewing)
    return {
        "batch": batch,
        "counts": [(s.value, s.label, counts.get(s.value, 0)) for s in CandidateStatus],
        "total": sum(counts.values()),
        "progress": review_progress(session, batch) if reviewing else None,
        "pending_objections": pending_objections(session, batch) if batch.status == BatchStatus.notice else 0,
        "timeline": timeline(session, batch),
        "actions": actions(session, batch, viewer),
        "manager": batch.manager,
        "read_only": is_read_only(batch),
    }
