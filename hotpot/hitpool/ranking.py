"""The ranking of a batch: weighted totals, per-expert normalised scores, disagreement, tie break, the quota line.

`rank(session, batch, viewer)` reads the candidates the viewer may see and puts beside each the figures of its
current reviews (`batch_figures`): the database works those out in one statement (`_review_figures`), and each
process keeps them under the batch's FiguresStamp, which triggers renew with every change the figures read; Python
orders the rows and draws the quota line. The page, the API, the XLSX and the bench use it.

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
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from cachetools import LRUCache
from sqlalchemy import and_, case, func, null, or_, select, true
from sqlalchemy.orm import Session, aliased

from hotpot.enterprises.models import Enterprise
from hotpot.hitpool import access
from hotpot.hitpool.enums import CandidateStatus, Outcome, Recommendation, TieBreak
from hotpot.hitpool.models import Batch, Candidate, Criterion, Decision, FiguresStamp, Review, ReviewScore
from hotpot.pagination import Page
from hotpot.products.models import Product
from hotpot.reference.models import ProductCategory

SORTS = ("normalised", "raw")
RECOMMENDATIONS = tuple(r.value for r in Recommendation)
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
    review_count: int = 0  # current reviews
    recommendations: dict[str, int] = field(default_factory=dict)
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


def ranked_condition():
    """Which candidates of a batch are ranked: passed screening, or already carrying a decision."""
    decided = aliased(Decision)
    has_decision = select(decided.id).where(decided.candidate_id == Candidate.id).exists()
    return or_(Candidate.status == CandidateStatus.passed, has_decision)


@dataclass(frozen=True, slots=True)
class Figures:
    """What a ranked candidate's current reviews say, rounded to the cent (the same for every viewer)."""

    reviews: int
    mean: Decimal
    normalised: Decimal
    spread: Decimal
    tie: Decimal | None
    recommendations: tuple[tuple[str, int], ...]


# Per process: the figures of recently ranked batches, under (stamp, tie criterion); see FiguresStamp. The same
# kind of cache as the search's results (cachetools, with a lock: the thread pool serves requests in parallel).
CACHE_BATCHES = 32
_CACHE: LRUCache[tuple[uuid.UUID, int | None], dict[int, Figures]] = LRUCache(maxsize=CACHE_BATCHES)
_CACHE_LOCK = threading.Lock()


def _review_figures(batch: Batch, tie_criterion: int | None):
    """Per ranked candidate of the batch, from its current reviews: the count, the exact mean, the spread, the mean
    z (each review on its expert's own scale, see the module's docstring), the recommendations and the tie value;
    with the batch's mean M and standard deviation S on every row. One statement: the database does the 5,000-row
    arithmetic and sends back one short row per candidate."""
    tie = aliased(ReviewScore)
    current = (
        select(
            Review.candidate_id.label("candidate_id"),
            Review.expert_id.label("expert_id"),
            Review.weighted_total.label("total"),
            Review.recommendation.label("recommendation"),
            tie.score.label("tie_score"),
        )
        .select_from(Review)
        .join(Candidate, Candidate.id == Review.candidate_id)
        .outerjoin(tie, and_(tie.review_id == Review.id, tie.criterion_id == (tie_criterion or -1)))
        .where(
            Review.batch_id == batch.id,
            Review.status == "submitted",
            Review.weighted_total.is_not(None),
            ranked_condition(),
        )
        .cte("current_review")
    )
    scale = (
        select(
            current.c.expert_id,
            func.count().label("n"),
            func.avg(current.c.total).label("mean"),
            func.stddev_pop(current.c.total).label("sd"),
        )
        .group_by(current.c.expert_id)
        .cte("expert_scale")
    )
    whole = select(func.avg(current.c.total).label("mean"), func.stddev_pop(current.c.total).label("sd")).cte(
        "batch_scale"
    )
    z = case(
        (and_(scale.c.n >= 2, scale.c.sd > 0), (current.c.total - scale.c.mean) / scale.c.sd),
        (whole.c.sd > 0, (current.c.total - whole.c.mean) / whole.c.sd),
        else_=0,
    )
    recommendations = [
        func.count().filter(current.c.recommendation == value).label(f"rec_{value}") for value in RECOMMENDATIONS
    ]
    return (
        select(
            current.c.candidate_id,
            func.count().label("reviews"),
            func.avg(current.c.total).label("mean"),
            (func.max(current.c.total) - func.min(current.c.total)).label("spread"),
            func.avg(z).label("z"),
            func.avg(current.c.tie_score).label("tie"),
            func.min(whole.c.mean).label("batch_mean"),
            func.min(whole.c.sd).label("batch_sd"),
            *recommendations,
        )
        .select_from(current)
        .join(scale, scale.c.expert_id == current.c.expert_id)
        .join(whole, true())
        .group_by(current.c.candidate_id)
    )


def _work_out(session: Session, batch: Batch, tie_criterion: int | None) -> dict[int, Figures]:
    figures: dict[int, Figures] = {}
    for found in session.execute(_review_figures(batch, tie_criterion)).mappings():
        mean = _q(found["mean"])
        batch_sd = found["batch_sd"] or 0
        figures[found["candidate_id"]] = Figures(
            reviews=found["reviews"],
            mean=mean,
            normalised=_q(found["batch_mean"] + batch_sd * found["z"]) if batch_sd > 0 else mean,
            spread=_q(found["spread"]),
            tie=_q(found["tie"]) if found["tie"] is not None else None,
            recommendations=tuple((v, found[f"rec_{v}"]) for v in RECOMMENDATIONS if found[f"rec_{v}"]),
        )
    return figures


def batch_figures(session: Session, batch: Batch) -> dict[int, Figures]:
    """Candidate id -> Figures for the batch's ranked candidates with a current review.

    Kept per process under the batch's FiguresStamp, read before the figures: a later change renews the stamp in
    its own transaction, so figures are never served under a stamp older than the data they came from (at worst a
    reader that raced a commit gets the newer figures)."""
    tie_id = None
    if batch.tie_break == TieBreak.criterion and batch.tie_criterion_code:
        tie_id = (
            select(Criterion.id)
            .where(Criterion.batch_id == batch.id, Criterion.code == batch.tie_criterion_code)
            .scalar_subquery()
        )
    stamp_of = select(FiguresStamp.stamp).where(FiguresStamp.batch_id == batch.id).scalar_subquery()
    tie_criterion, stamp = session.execute(select(tie_id if tie_id is not None else null(), stamp_of)).one()
    if stamp is None:  # never a current review: nothing to keep
        return _work_out(session, batch, tie_criterion)
    key = (stamp, tie_criterion)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
    if cached is not None:
        return cached
    figures = _work_out(session, batch, tie_criterion)
    with _CACHE_LOCK:
        _CACHE[key] = figures
    return figures


def rank(session: Session, batch: Batch, viewer: Any, *, sort: str = "normalised") -> list[RankRow]:
    """The batch's ranking as viewer may see it (access.visible_candidates), best first by sort."""
    sort = sort if sort in SORTS else "normalised"
    figures = batch_figures(session, batch)
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
    threshold = Decimal(batch.disagreement_threshold)
    expected = batch.experts_per_candidate
    rows: list[RankRow] = []
    for cid, product, enterprise, category, first, did, outcome, note, dversion, final in session.execute(stmt):
        row = RankRow(
            candidate_id=cid,
            product_name=product,
            enterprise_name=enterprise,
            category=category,
            first_submitted_at=first,
            expected_reviews=expected,
            decision_id=did,
            decision_outcome=str(outcome) if outcome else None,
            decision_note=note,
            decision_version=dversion,
            decision_final=final is not None,
        )
        rows.append(row)
        figure = figures.get(cid)
        if figure is None:
            continue
        row.review_count = figure.reviews
        row.recommendations = dict(figure.recommendations)
        row.mean = figure.mean
        row.normalised = figure.normalised
        row.spread = figure.spread
        row.disagreement = figure.reviews >= 2 and figure.spread > threshold
        row.tie_value = figure.tie

    ordered = sorted(rows, key=lambda r: _sort_key(r, sort, batch.tie_break))
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
