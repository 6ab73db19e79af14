"""Independent scoring of the 爆品 pool: the expert's queue and review form, revisions that supersede (never
overwrite) a submitted review, the staff view of every review, and the spread / disagreement figures.

Rules kept here (the pages and the ranking only read them):

- A review is scored against the batch's rubric (frozen while reviewing): each criterion 0..max in steps of 0.5.
  A draft may be partial; submitting needs every score, a recommendation, a confidence and an overall comment, and
  fixes the weighted total (hotpot.hitpool.rubric.weighted_total).
- Writing happens only while the batch is reviewing.
- A submitted review is never changed: a revision is a new draft row (revision + 1, supersedes_id, scores copied,
  a reason); when it is submitted the old one becomes superseded in the same transaction. The partial unique
  indexes of hit_review keep one current and one draft per expert and candidate.
- Two submits of the same draft (two tabs): the draft row is locked (SELECT ... FOR UPDATE WHERE status = 'draft'),
  so the second waits for the first, then finds no draft and gets a Conflict. A first review sent from two tabs at
  once is refused by the unique (candidate, expert, revision) constraint. Never a silent overwrite.
- An expert sees the others' reviews (as 专家 A/B/C) only once their own is submitted; staff see names.
"""

from __future__ import annotations

import string
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from hotpot import changes
from hotpot.audit import service as audit
from hotpot.db import utcnow
from hotpot.enterprises.models import Enterprise
from hotpot.errors import Conflict, InvalidState, NotFound
from hotpot.hitpool import access
from hotpot.hitpool.enums import BatchStatus, Recommendation, ReviewStatus
from hotpot.hitpool.models import Assignment, Batch, Candidate, Criterion, Expert, Review, ReviewScore
from hotpot.hitpool.review_schemas import ReviewInput, parse_review
from hotpot.hitpool.rubric import weighted_total
from hotpot.products.models import Product
from hotpot.validation import FieldErrors

HIDDEN = "您的评审提交后，才能看到其他专家的评分和意见。"
CLOSED = "本批次当前不在专家评审阶段，评审不能修改。"
TWICE = "这份评审已在另一个窗口提交（或已被修订），本次提交没有保存。请刷新页面查看最新内容。"
STARTED = "您已在另一个窗口开始了这份评审，本次内容没有保存。请刷新页面后继续填写。"
EDITED = "这份草稿已在另一个窗口修改过，本次内容没有保存（以免覆盖那边的修改）。请刷新页面后再改。"

# The queue's states of one assignment, in the order the queue lists them.
QUEUE_STATES = {
    "todo": "未开始",
    "draft": "草稿",
    "submitted": "已提交",
    "revised": "已修订",
}
_BATCH_ORDER = {BatchStatus.reviewing: 0, BatchStatus.screening: 1, BatchStatus.open: 1, BatchStatus.draft: 1}


# --- the expert's queue ------------------------------------------------------------------------------------------


@dataclass
class QueueRow:
    candidate_id: int
    product_name: str
    enterprise_name: str
    state: str  # a key of QUEUE_STATES
    revising: bool  # a revision draft is open next to the submitted review
    weighted_total: Decimal | None
    submitted_at: datetime | None

    @property
    def state_label(self) -> str:
        return QUEUE_STATES[self.state]


@dataclass
class QueueBatch:
    id: int
    name: str
    status: BatchStatus
    review_closes_on: date
    rows: list[QueueRow] = field(default_factory=list)

    @property
    def status_label(self) -> str:
        return BatchStatus.label_of(self.status)

    @property
    def editable(self) -> bool:
        return self.status == BatchStatus.reviewing

    @property
    def past(self) -> bool:
        return _BATCH_ORDER.get(self.status, 2) == 2

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.rows if r.state in ("submitted", "revised"))

    @property
    def total(self) -> int:
        return len(self.rows)


def queue(session: Session, *, user: Any) -> list[QueueBatch]:
    """The expert's active assignments grouped by batch (reviewing first, then upcoming, then past), without the
    candidates they are conflicted with. Two queries whatever the number of assignments."""
    expert = access.expert_of(session, user)
    if expert is None or not expert.is_active:
        return []
    mine = (
        select(
            Review.candidate_id.label("candidate_id"),
            func.max(Review.revision).filter(Review.status == ReviewStatus.submitted).label("current_revision"),
            func.bool_or(Review.status == ReviewStatus.draft).label("has_draft"),
            func.max(Review.weighted_total).filter(Review.status == ReviewStatus.submitted).label("total"),
            func.max(Review.submitted_at).filter(Review.status == ReviewStatus.submitted).label("submitted_at"),
        )
        .where(Review.expert_id == expert.id)
        .group_by(Review.candidate_id)
        .subquery()
    )
    stmt = (
        select(
            Candidate.id,
            Product.name,
            Enterprise.name,
            Batch.id,
            Batch.name,
            Batch.status,
            Batch.review_closes_on,
            mine.c.current_revision,
            mine.c.has_draft,
            mine.c.total,
            mine.c.submitted_at,
        )
        .select_from(Assignment)
        .join(Candidate, Candidate.id == Assignment.candidate_id)
        .join(Product, Product.id == Candidate.product_id)
        .join(Enterprise, Enterprise.id == Candidate.enterprise_id)
        .join(Batch, Batch.id == Candidate.batch_id)
        .outerjoin(mine, mine.c.candidate_id == Candidate.id)
        .where(Assignment.expert_id == expert.id, Assignment.ended_at.is_(None))
    )
    conflicts = access.conflicted_enterprise_ids(session, user)
    if conflicts:
        stmt = stmt.where(Candidate.enterprise_id.not_in(conflicts))
    batches: dict[int, QueueBatch] = {}
    for cid, product, enterprise, bid, bname, bstatus, closes, rev, draft, total, at in session.execute(stmt):
        state = _queue_state(rev, bool(draft))
        batch = batches.setdefault(bid, QueueBatch(id=bid, name=bname, status=bstatus, review_closes_on=closes))
        batch.rows.append(
            QueueRow(
                candidate_id=cid,
                product_name=product,
                enterprise_name=enterprise,
                state=state,
                revising=bool(draft) and rev is not None,
                weighted_total=total,
                submitted_at=at,
            )
        )
    order = list(QUEUE_STATES)
    for b in batches.values():
        b.rows.sort(key=lambda r: (order.index(r.state), r.product_name, r.candidate_id))
    return sorted(
        batches.values(),
        key=lambda b: (_BATCH_ORDER.get(b.status, 2), -b.review_closes_on.toordinal(), b.id),
    )


def _queue_state(current_revision: int | None, has_draft: bool) -> str:
    if current_revision is None:
        return "draft" if has_draft else "todo"
    return "revised" if current_revision > 1 else "submitted"


# --- what a page shows of reviews --------------------------------------------------------------------------------


@dataclass
class ScoreLine:
    criterion: Criterion
    score: Decimal | None
    note: str | None


@dataclass
class ReviewView:
    """One review as a page shows it; `who` is the expert's name (staff) or 专家 A/B/C (other experts)."""

    review: Review
    who: str
    organization: str | None
    lines: list[ScoreLine]

    @property
    def recommendation_label(self) -> str:
        r = self.review.recommendation
        return Recommendation.label_of(r) if r else "—"

    @property
    def status_label(self) -> str:
        return ReviewStatus.label_of(self.review.status)

    def score_of(self, criterion_id: int) -> Decimal | None:
        return next((line.score for line in self.lines if line.criterion.id == criterion_id), None)


@dataclass
class Figures:
    """The spread of a candidate's current weighted totals and whether it passes the batch's threshold."""

    count: int
    totals: list[Decimal]
    mean: Decimal | None
    spread: Decimal | None
    threshold: Decimal
    disagreement: bool


def _figures(totals: list[Decimal], threshold: Decimal) -> Figures:
    totals = [Decimal(t) for t in totals if t is not None]
    if not totals:
        return Figures(0, [], None, None, Decimal(threshold), False)
    mean = (sum(totals) / len(totals)).quantize(Decimal("0.01"))
    spread = max(totals) - min(totals)
    return Figures(len(totals), sorted(totals, reverse=True), mean, spread, Decimal(threshold), spread > threshold)


def summary_for(session: Session, candidate_ids: list[int] | set[int] | tuple[int, ...]) -> dict[int, Figures]:
    """Per candidate id: its current (submitted) reviews' count, weighted totals (highest first), mean, spread
    (max - min) and disagreement (spread > the batch's disagreement_threshold), as `Figures` dataclasses.

    One query for any number of candidates. A candidate without a current review has count 0, mean and spread
    None, disagreement False. It applies no access rule: the caller (the ranking) has already narrowed the ids
    with hotpot.hitpool.access.visible_candidates."""
    ids = list(candidate_ids)
    if not ids:
        return {}
    thresholds = dict(
        session.execute(
            select(Candidate.id, Batch.disagreement_threshold)
            .join(Batch, Batch.id == Candidate.batch_id)
            .where(Candidate.id.in_(ids))
        ).all()
    )
    totals: dict[int, list[Decimal]] = defaultdict(list)
    for cid, total in session.execute(
        select(Review.candidate_id, Review.weighted_total).where(
            Review.candidate_id.in_(ids), Review.status == ReviewStatus.submitted
        )
    ):
        totals[cid].append(total)
    return {cid: _figures(totals.get(cid, []), threshold) for cid, threshold in thresholds.items()}


def expert_letters(session: Session, candidate: Candidate) -> dict[int, str]:
    """expert id -> 专家 A, 专家 B ...: stable for a candidate (the order experts were assigned to it)."""
    ids: list[int] = []
    for eid in session.scalars(
        select(Assignment.expert_id).where(Assignment.candidate_id == candidate.id).order_by(Assignment.id)
    ):
        if eid not in ids:
            ids.append(eid)
    for eid in session.scalars(select(Review.expert_id).where(Review.candidate_id == candidate.id).order_by(Review.id)):
        if eid not in ids:
            ids.append(eid)
    return {eid: f"专家 {_letter(i)}" for i, eid in enumerate(ids)}


def _letter(i: int) -> str:
    letters = string.ascii_uppercase
    return letters[i] if i < len(letters) else f"{letters[i % 26]}{i // 26 + 1}"


def _reviews(session: Session, candidate: Candidate) -> list[Review]:
    return list(
        session.scalars(
            select(Review)
            .where(Review.candidate_id == candidate.id)
            .order_by(Review.expert_id, Review.revision)
            .execution_options(populate_existing=True)
        ).unique()
    )


def _scores(session: Session, reviews: list[Review]) -> dict[int, dict[int, ReviewScore]]:
    by_review: dict[int, dict[int, ReviewScore]] = defaultdict(dict)
    ids = [r.id for r in reviews]
    if ids:
        for s in session.scalars(select(ReviewScore).where(ReviewScore.review_id.in_(ids))):
            by_review[s.review_id][s.criterion_id] = s
    return by_review


def _view(review: Review, who: str, criteria: list[Criterion], scores: dict[int, ReviewScore]) -> ReviewView:
    lines = [
        ScoreLine(c, scores[c.id].score if c.id in scores else None, scores[c.id].comment if c.id in scores else None)
        for c in criteria
    ]
    return ReviewView(review=review, who=who, organization=review.expert.organization, lines=lines)


@dataclass
class ExpertPage:
    """The expert's review page: the rubric, their own revisions, the form's values, the others once submitted."""

    batch: Batch
    criteria: list[Criterion]
    expert: Expert
    current: ReviewView | None  # my submitted review
    draft: Review | None  # my draft (the first one, or a revision)
    history: list[ReviewView]  # my revisions, newest first
    others: list[ReviewView]  # the other experts' current reviews (empty until mine is submitted)
    values: dict[str, Any]  # the form's values (the draft's, or a revision's copy)
    figures: Figures | None  # spread and disagreement of the current totals, once mine is submitted

    @property
    def editable(self) -> bool:
        return self.batch.status == BatchStatus.reviewing

    @property
    def submitted(self) -> bool:
        return self.current is not None

    @property
    def recommendation_choices(self) -> list[tuple[str, str, None]]:
        return [(m.value, m.label, None) for m in Recommendation]

    @property
    def show_form(self) -> bool:
        return self.editable and (self.draft is not None or self.current is None)


def expert_page(session: Session, *, user: Any, candidate: Candidate) -> ExpertPage:
    """What /expert/candidates/{id} shows to an assigned, unconflicted expert (the route checked can_review)."""
    expert = access.expert_of(session, user)
    if expert is None:
        raise NotFound()
    batch = candidate.batch
    criteria = list(batch.criteria)
    reviews = _reviews(session, candidate)
    scores = _scores(session, reviews)
    letters = expert_letters(session, candidate)
    mine = [r for r in reviews if r.expert_id == expert.id]
    current = next((r for r in mine if r.status == ReviewStatus.submitted), None)
    draft = next((r for r in mine if r.status == ReviewStatus.draft), None)
    history = [
        _view(r, "您", criteria, scores.get(r.id, {}))
        for r in sorted(mine, key=lambda r: -r.revision)
        if r is not draft
    ]
    others: list[ReviewView] = []
    figures = None
    if current is not None:
        others = [
            _view(r, letters.get(r.expert_id, "专家"), criteria, scores.get(r.id, {}))
            for r in reviews
            if r.expert_id != expert.id and r.status == ReviewStatus.submitted
        ]
        others.sort(key=lambda v: v.who)
        figures = _figures(
            [r.weighted_total for r in reviews if r.status == ReviewStatus.submitted], batch.disagreement_threshold
        )
    return ExpertPage(
        batch=batch,
        criteria=criteria,
        expert=expert,
        current=_view(current, "您", criteria, scores.get(current.id, {})) if current else None,
        draft=draft,
        history=history,
        others=others,
        values=form_values(draft, scores.get(draft.id, {}) if draft else {}),
        figures=figures,
    )


def stamp_of(review: Review) -> str:
    """What the form carries of the draft it was loaded from: its last change."""
    return review.updated_at.isoformat()


def form_values(review: Review | None, scores: dict[int, ReviewScore]) -> dict[str, Any]:
    """The review form's field values for a stored draft (empty for a first visit)."""
    if review is None:
        return {}
    values: dict[str, Any] = {
        "review_id": str(review.id),
        "draft_stamp": stamp_of(review),
        "recommendation": review.recommendation.value if review.recommendation else "",
        "confidence": str(review.confidence) if review.confidence else "",
        "comment": review.comment or "",
    }
    for cid, s in scores.items():
        values[f"score_{cid}"] = _plain(s.score)
        values[f"note_{cid}"] = s.comment or ""
    return values


def _plain(score: Decimal) -> str:
    text = format(score.normalize(), "f")
    return text


@dataclass
class ReviewerLine:
    """An expert on the staff page: assigned now or not, and their current review (or where it stands)."""

    expert: Expert
    who: str
    letter: str
    assigned: bool
    current: ReviewView | None
    has_draft: bool

    @property
    def state_label(self) -> str:
        if self.current is not None:
            return "已修订" if self.current.review.revision > 1 else "已提交"
        return "草稿" if self.has_draft else "未开始"


@dataclass
class StaffPage:
    batch: Batch
    criteria: list[Criterion]
    reviewers: list[ReviewerLine]
    current: list[ReviewView]  # every current review, by expert
    history: list[ReviewView]  # every submitted or superseded revision, newest first
    figures: Figures
    criterion_means: dict[int, Decimal | None]


def staff_page(session: Session, *, user: Any, candidate: Candidate) -> StaffPage:
    """What /pool/candidates/{id} shows of the reviews to unconflicted staff (the route checked can_see_reviews)."""
    batch = candidate.batch
    criteria = list(batch.criteria)
    reviews = _reviews(session, candidate)
    scores = _scores(session, reviews)
    letters = expert_letters(session, candidate)
    assigned = set(
        session.scalars(
            select(Assignment.expert_id).where(Assignment.candidate_id == candidate.id, Assignment.ended_at.is_(None))
        )
    )
    experts = {e.id: e for e in session.scalars(select(Expert).where(Expert.id.in_(list(letters) or [0])))}

    def name(eid: int) -> str:
        e = experts.get(eid)
        return e.name if e else letters.get(eid, "专家")

    current = [
        _view(r, name(r.expert_id), criteria, scores.get(r.id, {}))
        for r in reviews
        if r.status == ReviewStatus.submitted
    ]
    by_expert = {v.review.expert_id: v for v in current}
    drafts = {r.expert_id for r in reviews if r.status == ReviewStatus.draft}
    reviewers = [
        ReviewerLine(
            expert=experts[eid],
            who=name(eid),
            letter=letter,
            assigned=eid in assigned,
            current=by_expert.get(eid),
            has_draft=eid in drafts,
        )
        for eid, letter in letters.items()
        if eid in experts and (eid in assigned or eid in by_expert)
    ]
    history = [
        _view(r, name(r.expert_id), criteria, scores.get(r.id, {}))
        for r in sorted(reviews, key=lambda r: r.submitted_at or r.created_at, reverse=True)
        if r.status != ReviewStatus.draft
    ]
    means: dict[int, Decimal | None] = {}
    for c in criteria:
        values = [v.score_of(c.id) for v in current if v.score_of(c.id) is not None]
        means[c.id] = (sum(values) / len(values)).quantize(Decimal("0.1")) if values else None
    return StaffPage(
        batch=batch,
        criteria=criteria,
        reviewers=reviewers,
        current=current,
        history=history,
        figures=_figures([v.review.weighted_total for v in current], batch.disagreement_threshold),
        criterion_means=means,
    )


def has_submitted(session: Session, *, expert: Expert | None, candidate: Candidate) -> bool:
    """Whether the expert has a current (submitted) review of the candidate."""
    if expert is None:
        return False
    return (
        session.scalar(
            select(func.count())
            .select_from(Review)
            .where(
                Review.candidate_id == candidate.id,
                Review.expert_id == expert.id,
                Review.status == ReviewStatus.submitted,
            )
        )
        > 0
    )


# --- writing -----------------------------------------------------------------------------------------------------


def _writable(session: Session, user: Any, candidate: Candidate) -> Expert:
    if not access.can_review(session, user, candidate):
        raise NotFound()
    if candidate.batch.status != BatchStatus.reviewing:
        raise InvalidState(CLOSED)
    return access.expert_of(session, user)


def _audit_scores(review: Review, criteria: list[Criterion]) -> dict[str, str]:
    codes = {c.id: c.code for c in criteria}
    return {codes.get(s.criterion_id, str(s.criterion_id)): str(s.score) for s in review.scores}


def _apply_input(review: Review, data: ReviewInput, criteria: list[Criterion]) -> None:
    review.recommendation = data.recommendation
    review.confidence = data.confidence
    review.comment = data.comment
    existing = {s.criterion_id: s for s in review.scores}
    kept: list[ReviewScore] = []
    for c in criteria:
        if c.id not in data.scores:
            continue
        row = existing.get(c.id) or ReviewScore(criterion_id=c.id)
        row.score = data.scores[c.id]
        row.comment = data.notes.get(c.id)
        kept.append(row)
    review.scores = kept


def _locked_draft(session: Session, *, expert: Expert, candidate: Candidate, review_id: int) -> Review | None:
    return session.scalars(
        select(Review)
        .where(
            Review.id == review_id,
            Review.expert_id == expert.id,
            Review.candidate_id == candidate.id,
            Review.status == ReviewStatus.draft,
        )
        .with_for_update(of=Review)
        .execution_options(populate_existing=True)
    ).first()


def save(session: Session, *, user: Any, candidate: Candidate, form: dict[str, Any]) -> Review:
    """Save the review form as a draft (action save) or submit it (action submit); see the module's docstring.

    Raises FieldErrors (every error of the form), InvalidState (batch not reviewing), Conflict (the draft was
    submitted meanwhile, from another tab)."""
    expert = _writable(session, user, candidate)
    criteria = list(candidate.batch.criteria)
    data = parse_review(form, criteria)
    now = utcnow()
    if data.review_id is None:
        if session.scalar(
            select(func.count())
            .select_from(Review)
            .where(Review.candidate_id == candidate.id, Review.expert_id == expert.id)
        ):
            raise Conflict(STARTED)
        review = Review(
            batch_id=candidate.batch_id,
            candidate_id=candidate.id,
            expert_id=expert.id,
            revision=1,
            status=ReviewStatus.draft,
        )
        _apply_input(review, data, criteria)
        if data.submitting:
            review.status = ReviewStatus.submitted
            review.submitted_at = now
            review.weighted_total = weighted_total(criteria, data.scores)
        try:
            with session.begin_nested():
                session.add(review)
                session.flush()
        except IntegrityError as exc:
            raise Conflict(STARTED) from exc
        audit.record(
            session,
            actor=user,
            action="hit_review.submit" if data.submitting else "hit_review.save",
            entity_type="hit_review",
            entity_id=review.id,
            after={**changes.snapshot(review), "scores": _audit_scores(review, criteria)},
        )
        return review

    review = _locked_draft(session, expert=expert, candidate=candidate, review_id=data.review_id)
    if review is None:
        raise Conflict(TWICE)
    if data.stamp is not None and data.stamp != stamp_of(review):
        raise Conflict(EDITED)
    if data.submitting and review.supersedes_id is not None:
        _supersede(session, user=user, review_id=review.supersedes_id, now=now)
    with changes.tracked(
        session, review, actor=user, action="hit_review.submit" if data.submitting else "hit_review.save"
    ) as change:
        change.before = {**change.before, "scores": _audit_scores(review, criteria)}
        _apply_input(review, data, criteria)
        review.updated_at = now  # the draft's stamp moves even when only its scores changed
        if data.submitting:
            review.status = ReviewStatus.submitted
            review.submitted_at = now
            review.weighted_total = weighted_total(criteria, data.scores)
        change.after = {**changes.snapshot(review), "scores": _audit_scores(review, criteria)}
    return review


def _supersede(session: Session, *, user: Any, review_id: int, now: datetime) -> None:
    """The old current review gives way to its submitted revision (flushed first: one current review at a time)."""
    old = session.scalars(
        select(Review)
        .where(Review.id == review_id, Review.status == ReviewStatus.submitted)
        .with_for_update(of=Review)
        .execution_options(populate_existing=True)
    ).first()
    if old is None:
        raise Conflict(TWICE)
    with changes.tracked(session, old, actor=user, action="hit_review.supersede"):
        old.status = ReviewStatus.superseded
        old.superseded_at = now


def revise(session: Session, *, user: Any, candidate: Candidate, reason: str) -> Review:
    """Open a revision of the expert's submitted review: a new draft (revision + 1) with the scores copied and the
    reason kept; the submitted one stays current until the revision is submitted."""
    expert = _writable(session, user, candidate)
    reason = (reason or "").strip()
    if not 4 <= len(reason) <= 300:
        raise FieldErrors({"revision_reason": "请写明修订原因（4–300 个字），它会保留在评审历史中"})
    current = session.scalars(
        select(Review)
        .where(
            Review.candidate_id == candidate.id,
            Review.expert_id == expert.id,
            Review.status == ReviewStatus.submitted,
        )
        .with_for_update(of=Review)
        .execution_options(populate_existing=True)
    ).first()
    if current is None:
        raise InvalidState("您还没有提交这份评审，直接填写并提交即可，无需修订。")
    if session.scalar(
        select(func.count())
        .select_from(Review)
        .where(
            Review.candidate_id == candidate.id,
            Review.expert_id == expert.id,
            Review.status == ReviewStatus.draft,
        )
    ):
        raise Conflict("这份评审已有一份修订草稿，请在页面上继续编辑它。")
    draft = Review(
        batch_id=candidate.batch_id,
        candidate_id=candidate.id,
        expert_id=expert.id,
        revision=current.revision + 1,
        supersedes_id=current.id,
        status=ReviewStatus.draft,
        recommendation=current.recommendation,
        confidence=current.confidence,
        comment=current.comment,
        revision_reason=reason,
    )
    draft.scores = [ReviewScore(criterion_id=s.criterion_id, score=s.score, comment=s.comment) for s in current.scores]
    try:
        with session.begin_nested():
            session.add(draft)
            session.flush()
    except IntegrityError as exc:
        raise Conflict("这份评审已有一份修订草稿，请刷新页面后继续编辑。") from exc
    criteria = list(candidate.batch.criteria)
    audit.record(
        session,
        actor=user,
        action="hit_review.revise",
        entity_type="hit_review",
        entity_id=draft.id,
        after={**changes.snapshot(draft), "scores": _audit_scores(draft, criteria), "revision_reason": reason},
    )
    return draft
