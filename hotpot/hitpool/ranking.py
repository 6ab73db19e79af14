"""The ranking of a batch: weighted totals, per-expert normalised scores, disagreement, tie break, the quota line.

`rank(session, batch, viewer)` reads two queries (the candidates the viewer may see, and every current review of
the batch) and does the arithmetic in one pass in Python; the page, the API, the XLSX and the bench use it.

The normalised score (so that one harsh expert does not sink a candidate):

- M, S: the mean and the (population) standard deviation of every current weighted total in the batch;
- for expert e with n_e >= 2 current reviews in the batch and standard deviation s_e > 0 (mean m_e):
  z(e, c) = (t(e, c) - m_e) / s_e, the review's place among that expert's own totals;
- a review whose expert has a single review or s_e = 0 has no scale of its own: it keeps its raw total,
  z(e, c) = (t(e, c) - M) / S, which maps back to exactly t(e, c);
- normalised(c) = M + S * mean over c's reviews of z(e, c), i.e. the average z mapped back onto the 0-100
  scale of the batch; with S = 0 (or a single review in the batch) it is the raw mean.

Every current review of the batch counts in M, S, m_e and s_e, including those of candidates a conflicted viewer
does not see, so every viewer reads the same numbers; the rows (and their rank) are only the visible ones.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from hotpot.enterprises.models import Enterprise
from hotpot.hitpool import access
from hotpot.hitpool.enums import CandidateStatus, Outcome, Recommendation, TieBreak
from hotpot.hitpool.models import Batch, Candidate, Criterion, Decision, Review, ReviewScore
from hotpot.pagination import Page
from hotpot.products.models import Product
from hotpot.reference.models import ProductCategory

SORTS = ("normalised", "raw")
CENT = Decimal("0.01")


@dataclass
class RankRow:
    """One candidate's line of the ranking."""

    candidate_id: int
    product_name: str
    enterprise_name: str
    category: str | None
    first_submitted_at: datetime | None
    expected_reviews: int
    totals: dict[int, Decimal] = field(default_factory=dict)  # expert id -> weighted total
    recommendations: dict[str, int] = field(default_factory=dict)
    tie_scores: list[Decimal] = field(default_factory=list)
    mean: Decimal | None = None
    normalised: Decimal | None = None
    spread: Decimal | None = None
    disagreement: bool = False
    tie_value: Decimal | None = None
    rank: int | None = None
    above_quota: bool = False
    decision_id: int | None = None
    decision_outcome: str | None = None
    decision_note: str | None = None
    decision_version: int | None = None
    decision_final: bool = False

    @property
    def review_count(self) -> int:
        return len(self.totals)

    @property
    def outcome_label(self) -> str | None:
        return Outcome.label_of(self.decision_outcome) if self.decision_outcome else None

    def score(self, sort: str) -> Decimal | None:
        return self.raw if sort == "raw" else self.normalised

    @property
    def raw(self) -> Decimal | None:
        return self.mean

    def recommendation_summary(self) -> list[tuple[str, int]]:
        return [(r.label, self.recommendations[r.value]) for r in Recommendation if self.recommendations.get(r.value)]


def _q(value: float | Decimal) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def _mean_sd(values: list[float]) -> tuple[float, float]:
    n = len(values)
    mean = sum(values) / n
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / n)


def ranked_condition():
    """Which candidates of a batch are ranked: passed screening, or already carrying a decision."""
    decided = aliased(Decision)
    has_decision = select(decided.id).where(decided.candidate_id == Candidate.id).exists()
    return or_(Candidate.status == CandidateStatus.passed, has_decision)


def rank(session: Session, batch: Batch, viewer: Any, *, sort: str = "normalised") -> list[RankRow]:
    """The batch's ranking as viewer may see it (access.visible_candidates), best first by sort."""
    sort = sort if sort in SORTS else "normalised"
    stmt = (
        select(
            Candidate.id,
            Product.name,
            Enterprise.name,
            ProductCategory.name,
            Candidate.first_submitted_at,
            Decision.id,
            Decision.outcome,
            Decision.note,
            Decision.version,
            Decision.final_at,
        )
        .select_from(Candidate)
        .join(Product, Product.id == Candidate.product_id)
        .join(Enterprise, Enterprise.id == Candidate.enterprise_id)
        .join(ProductCategory, ProductCategory.code == Product.category_code)
        .outerjoin(Decision, Decision.candidate_id == Candidate.id)
        .where(Candidate.batch_id == batch.id, ranked_condition())
    )
    stmt = access.visible_candidates(session, viewer, stmt)
    rows: dict[int, RankRow] = {}
    for cid, product, enterprise, category, first, did, outcome, note, dversion, final in session.execute(stmt):
        rows[cid] = RankRow(
            candidate_id=cid,
            product_name=product,
            enterprise_name=enterprise,
            category=category,
            first_submitted_at=first,
            expected_reviews=batch.experts_per_candidate,
            decision_id=did,
            decision_outcome=str(outcome) if outcome else None,
            decision_note=note,
            decision_version=dversion,
            decision_final=final is not None,
        )

    # Every current review of the batch's ranked candidates, with its score on the tie criterion (if any).
    tie_criterion = None
    if batch.tie_break == TieBreak.criterion and batch.tie_criterion_code:
        tie_criterion = session.scalar(
            select(Criterion.id).where(Criterion.batch_id == batch.id, Criterion.code == batch.tie_criterion_code)
        )
    reviews = (
        select(Review.candidate_id, Review.expert_id, Review.weighted_total, Review.recommendation, ReviewScore.score)
        .select_from(Review)
        .join(Candidate, Candidate.id == Review.candidate_id)
        .outerjoin(
            ReviewScore,
            and_(ReviewScore.review_id == Review.id, ReviewScore.criterion_id == (tie_criterion or -1)),
        )
        .where(
            Review.batch_id == batch.id,
            Review.status == "submitted",
            Review.weighted_total.is_not(None),
            ranked_condition(),
        )
    )
    all_totals: list[float] = []
    by_expert: dict[int, list[float]] = defaultdict(list)
    found: list[tuple[int, int, float]] = []
    for cid, eid, total, recommendation, tie_score in session.execute(reviews):
        value = float(total)
        all_totals.append(value)
        by_expert[eid].append(value)
        found.append((cid, eid, value))
        row = rows.get(cid)
        if row is None:
            continue  # hidden from this viewer; still part of the batch's and the expert's scale
        row.totals[eid] = Decimal(total)
        if recommendation:
            key = str(recommendation)
            row.recommendations[key] = row.recommendations.get(key, 0) + 1
        if tie_score is not None:
            row.tie_scores.append(Decimal(tie_score))

    batch_mean, batch_sd = _mean_sd(all_totals) if all_totals else (0.0, 0.0)
    scale = {eid: _mean_sd(v) for eid, v in by_expert.items()}
    zs: dict[int, list[float]] = defaultdict(list)
    for cid, eid, value in found:
        if cid not in rows:
            continue
        mean_e, sd_e = scale[eid]
        if len(by_expert[eid]) >= 2 and sd_e > 0:
            zs[cid].append((value - mean_e) / sd_e)
        elif batch_sd > 0:
            zs[cid].append((value - batch_mean) / batch_sd)
        else:
            zs[cid].append(0.0)

    threshold = Decimal(batch.disagreement_threshold)
    for row in rows.values():
        if not row.totals:
            continue
        values = list(row.totals.values())
        row.mean = _q(sum(values) / len(values))
        z = sum(zs[row.candidate_id]) / len(zs[row.candidate_id])
        row.normalised = _q(batch_mean + batch_sd * z) if batch_sd > 0 else row.mean
        row.spread = _q(max(values) - min(values))
        row.disagreement = len(values) >= 2 and row.spread > threshold
        if row.tie_scores:
            row.tie_value = _q(sum(row.tie_scores) / len(row.tie_scores))

    ordered = sorted(rows.values(), key=lambda r: _sort_key(r, sort, batch.tie_break))
    for place, row in enumerate(ordered, start=1):
        row.rank = place
        row.above_quota = row.score(sort) is not None and place <= batch.quota
    return ordered


def _sort_key(row: RankRow, sort: str, tie_break: str) -> tuple:
    score = row.score(sort)
    unscored = score is None
    if str(tie_break) == TieBreak.earlier:
        # Earlier first: a candidate never submitted (cannot be ranked anyway) goes last.
        tie = row.first_submitted_at.timestamp() if row.first_submitted_at else math.inf
    else:
        tie = -(row.tie_value if row.tie_value is not None else Decimal(-1))
    return (unscored, -(score or 0), tie, row.candidate_id)


def tie_criterion_name(batch: Batch) -> str | None:
    """The name of the criterion that breaks ties (the batch's rubric is loaded with it)."""
    return next((c.name for c in batch.criteria if c.code == batch.tie_criterion_code), None)


def quota_line_after(rows: list[RankRow], batch: Batch, *, total: int | None = None) -> int | None:
    """The rank after which the quota line is drawn (the last row inside the quota, when rows follow it among the
    total); None when every row is inside the quota or no row of these is."""
    total = len(rows) if total is None else total
    above = [r for r in rows if r.above_quota]
    if not above or above[-1].rank >= total:
        return None
    return above[-1].rank


def page(session: Session, batch: Batch, viewer: Any, *, sort: str, page: int, page_size: int) -> Page[RankRow]:
    """One page of the ranking (the API's list shape)."""
    rows = rank(session, batch, viewer, sort=sort)
    start = (max(1, page) - 1) * page_size
    return Page(items=rows[start : start + page_size], total=len(rows), page=max(1, page), page_size=page_size)
