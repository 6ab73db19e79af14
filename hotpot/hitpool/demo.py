"""The 爆品 pool's demo data: an expert pool with ties, two published batches of last year (screening, a recorded
draw, reviews with revisions and disagreement, discussion, decisions, a public notice with objections, incubation
with milestones, support and 12 graduated products) and an open batch of this year with applications.

Written straight through the ORM models (the pool's services are the pages' business; this only sets a scene that
looks lived in), deterministic (its own seeded random generator; dates follow the real today), idempotent (nothing
happens when a demo batch exists) and fast. Every name is fictional and marked 演示.
"""

from __future__ import annotations

import csv
import hashlib
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotpot.audit.models import AuditEvent
from hotpot.auth.models import User
from hotpot.certificates.models import Certificate
from hotpot.enterprises.models import Enterprise, EnterpriseStatus
from hotpot.hitpool import assignment as draw_rule
from hotpot.hitpool import candidates as candidate_service
from hotpot.hitpool import dates
from hotpot.hitpool.enums import (
    AssignmentSource,
    BatchStatus,
    CandidateStatus,
    GraduationTitle,
    KpiKind,
    MilestoneStatus,
    ObjectionStatus,
    Outcome,
    PlanStatus,
    Recommendation,
    ReviewStatus,
    SupportKind,
)
from hotpot.hitpool.models import (
    Assignment,
    Batch,
    BatchStep,
    Candidate,
    CandidateCertificate,
    Decision,
    Draw,
    Expert,
    Milestone,
    Objection,
    Plan,
    Post,
    ProgressUpdate,
    Review,
    ReviewScore,
    Support,
    Tie,
)
from hotpot.hitpool.rubric import default_criteria, weighted_total
from hotpot.products.models import Product
from hotpot.resources import resource_dir

SEED = 20261201
NO_LOGIN = "!demo-account-without-password"  # not an Argon2 hash: nobody can log in with it (as hotpot.demo)
DEMO_EXPERT = "expert@hotpot.example"
SHANGHAI_OFFSET = timedelta(hours=8)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class PastPlan:
    """The shape of a past batch: its windows (month, day of last year), quota, size and how many graduate."""

    name: str
    apply: tuple[tuple[int, int], tuple[int, int]]
    review: tuple[tuple[int, int], tuple[int, int]]
    notice_start: tuple[int, int]
    published: tuple[int, int]
    quota: int
    candidates: int
    graduate: int
    description: str


PAST = (
    PastPlan(
        name="第一批",
        apply=((3, 1), (4, 15)),
        review=((4, 25), (5, 31)),
        notice_start=(6, 9),
        published=(6, 16),
        quota=10,
        candidates=24,
        graduate=8,
        description="面向合川区火锅食材生产企业征集重点培育产品，入库产品享受展会推介、检验检测和资金扶持。（演示数据）",
    ),
    PastPlan(
        name="第二批",
        apply=((8, 15), (9, 30)),
        review=((10, 10), (11, 15)),
        notice_start=(11, 24),
        published=(12, 1),
        quota=10,
        candidates=26,
        graduate=4,
        description="第二批重点征集火锅调味料、植物蛋白类和本地原料占比高的产品。（演示数据）",
    ),
)

PITCH = {
    "shuifa": "采用低温水发工艺，不添加甲醛、双氧水，口感脆嫩，供应川渝连锁火锅门店，复购率高。",
    "shuichan": "合川本地稻田鱼与冷水鱼，现捞现宰，-35℃ 速冻锁鲜，适合火锅门店标准化出品。",
    "rou": "精选本地生猪与肉牛，冷链分割，规格统一，已进入多家全国火锅连锁的供应名录。",
    "zhiwudanbai": "本地非转基因黄豆，传统石磨工艺结合自动化生产线，腐竹、豆皮耐煮不烂。",
    "shucai": "合川魔芋、莲藕等本地蔬菜基地直供，清洗分拣标准化，保鲜期长，门店免处理。",
    "tiaoweiliao": "合川本地辣椒、花椒为主料，牛油炒制工艺稳定，麻辣层次分明，适合餐饮与零售双渠道。",
}
MARKETS = ("川渝地区火锅门店", "华东、华南连锁火锅", "全国商超与社区团购", "东南亚华人餐饮市场", "成渝高校食堂与团餐")
CHANNELS = ("连锁火锅门店直供", "经销商分销", "电商平台旗舰店", "商超与便利店", "团餐与中央厨房")
REVIEW_COMMENTS = (
    "产品特色明显，本地原料占比高，建议入库重点培育。",
    "质量体系较完善，但品牌建设仍较薄弱，建议加强商标与宣传。",
    "市场渠道以本地为主，外埠拓展计划需要更具体的数据支撑。",
    "产能充足，供应稳定，已服务多家连锁品牌，具备做大做强的基础。",
    "申报材料完整，销售数据可信，创新性一般。",
    "工艺有改进，但与同类产品差异不大，建议明确核心卖点。",
)
CRITERION_COMMENTS = {
    "market": ("近三年销售额增长较快，外埠客户占比提升。", "渠道集中在主城，市场拓展空间有待验证。"),
    "innovation": ("低温工艺有自主改进，已申请实用新型专利。", "包装规格有创新，适合小火锅单人份。"),
    "quality": ("有 HACCP 体系认证，近两年抽检全部合格。", "执行国家标准，建议参与团体标准制定。"),
    "brand": ("使用“合川火锅食材”区域公用品牌，认知度较高。", "已注册商标，但品牌推广投入较少。"),
    "capacity": ("年产能可满足大型连锁客户需求。", "旺季产能偏紧，建议提前规划扩产。"),
    "local": ("主要原料来自合川本地标准化基地。", "本地原料占比偏低，建议与本地基地签订订单。"),
}
DECISION_NOTES = {
    Outcome.accepted: "经专家评审、公示无异议，同意入库培育。请按培育计划推进各项指标，按季度报送进展。",
    Outcome.revise: "产品具备一定基础，建议补充近一年销售数据和第三方检测报告，完善品牌建设方案后在下一批次再申报。",
    Outcome.not_accepted: "本批次综合得分未进入入库名额，建议加强本地原料基地建设和产品创新，欢迎今后继续申报。",
}
MILESTONES = (
    ("年销售额达到 {v} 万元", KpiKind.sales, "万元"),
    ("新增连锁门店或经销网点 {v} 个", KpiKind.outlets, "个"),
    ("取得绿色食品认证", KpiKind.certification, None),
    ("注册产品商标并完成包装升级", KpiKind.brand, None),
    ("实现出口或外贸订单 {v} 万元", KpiKind.export, "万元"),
)
SUPPORTS = (
    (SupportKind.funding, "区级火锅食材产业发展专项资金扶持", (20, 30, 50)),
    (SupportKind.exhibition, "组织参加中国（重庆）火锅食材博览会，安排特装展位", (3, 5)),
    (SupportKind.testing, "委托第三方机构开展产品全项检测，费用由专项资金承担", (1, 2)),
    (SupportKind.training, "参加食品安全管理与品牌营销专题培训", (None,)),
    (SupportKind.exhibition, "推荐参加成渝地区双城经济圈农产品产销对接会", (None, 2)),
)


@dataclass
class Maker:
    """A verified demo enterprise with published products: what an application needs."""

    enterprise: Enterprise
    owner: User | None
    products: list[Product]
    certificates: list[Certificate] = field(default_factory=list)


def _csv(name: str) -> list[dict[str, str]]:
    with (resource_dir("seed_data") / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def _at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """A moment of a day in Asia/Shanghai, as UTC (what timestamptz columns hold)."""
    return datetime.combine(day, time(hour, minute), tzinfo=UTC) - SHANGHAI_OFFSET


def load(session: Session) -> bool:
    """Build the pool's demo data unless a demo batch exists already; True when it was built now."""
    if session.scalar(select(func.count()).select_from(Batch).where(Batch.is_demo)):
        return False
    if session.scalar(select(func.count()).select_from(Enterprise).where(Enterprise.is_demo)) == 0:
        return False  # nothing to apply with: the registry's demo data comes first (hotpot.demo.load_demo)
    PoolDemo(session).build()
    return True


class PoolDemo:
    def __init__(self, session: Session):
        self.session = session
        self.rng = random.Random(SEED)
        self.today = dates.today()  # the real date in Hechuan
        self.year = self.today.year - 1  # the past batches' year
        users = {
            u.email: u
            for u in session.scalars(
                select(User).where(
                    User.email.in_(
                        (
                            "admin@hotpot.example",
                            "reviewer@hotpot.example",
                            "producer@hotpot.example",
                            "buyer@hotpot.example",
                        )
                    )
                )
            )
        }
        self.admin = users.get("admin@hotpot.example")
        self.reviewer = users.get("reviewer@hotpot.example") or self.admin
        self.producer = users.get("producer@hotpot.example")
        self.buyer = users.get("buyer@hotpot.example")
        self.used_products: set[int] = set()
        self.events: list[AuditEvent] = []
        self.experts: list[Expert] = []
        self.harshness: dict[int, float] = {}

    # --- build -----------------------------------------------------------------------------------------------

    def build(self) -> None:
        self.experts = self._experts()
        makers = self._makers()
        own = next((m for m in makers if self.producer and m.enterprise.id == self.producer.enterprise_id), None)
        others = [m for m in makers if m is not own]
        picks = [self.rng.sample(others, min(len(others), shape.candidates - (1 if own else 0))) for shape in PAST]
        self._ties(*picks)
        for n, shape in enumerate(PAST):
            self._past_batch(shape, picks[n], own, second=n == 1)
        self._open_batch(others, own)
        self.session.add_all(self.events)
        self.session.flush()

    def _experts(self) -> list[Expert]:
        existing = {
            u.email: u for u in self.session.scalars(select(User).where(User.email.like("expert%@hotpot.example")))
        }
        experts = []
        for row in _csv("demo_pool_experts.csv"):
            user = existing.get(row["email"])
            if user is None:
                user = User(
                    email=row["email"],
                    display_name=row["name"],
                    organization=row["organization"],
                    role="expert",
                    password_hash=NO_LOGIN,
                    is_demo=True,
                )
                self.session.add(user)
                self.session.flush()
            expert = Expert(
                user_id=user.id,
                name=row["name"],
                organization=row["organization"],
                title=row["title"],
                fields=row["fields"].split("|"),
                bio=row["bio"],
                is_active=row["active"] == "yes",
                created_by_id=self.admin.id if self.admin else None,
                is_demo=True,
            )
            self.session.add(expert)
            experts.append(expert)
        self.session.flush()
        for e in experts:
            self.harshness[e.id] = self.rng.gauss(0, 0.5)
        # One harsh expert (the per-expert normalisation of the ranking exists for them) and one lenient one.
        self.harshness[experts[5].id] = -1.6
        self.harshness[experts[7].id] = 0.9
        return experts

    def _makers(self) -> list[Maker]:
        enterprises = self.session.scalars(
            select(Enterprise)
            .where(Enterprise.is_demo, Enterprise.status == EnterpriseStatus.verified)
            .order_by(Enterprise.id)
        ).all()
        products: dict[int, list[Product]] = {}
        for p in self.session.scalars(
            select(Product).where(Product.is_demo, Product.is_public).order_by(Product.enterprise_id, Product.id)
        ):
            products.setdefault(p.enterprise_id, []).append(p)
        certs: dict[int, list[Certificate]] = {}
        for c in self.session.scalars(
            select(Certificate)
            .where(Certificate.is_demo, Certificate.verification == "verified")
            .order_by(Certificate.id)
        ):
            if c.valid_until is None or c.valid_until >= self.today:
                certs.setdefault(c.enterprise_id, []).append(c)
        owners = {
            u.enterprise_id: u
            for u in self.session.scalars(
                select(User).where(User.enterprise_id.is_not(None), User.role == "producer").order_by(User.id.desc())
            )
        }
        return [
            Maker(e, owners.get(e.id), products[e.id], certs.get(e.id, [])) for e in enterprises if products.get(e.id)
        ]

    def _ties(self, first: list[Maker], second: list[Maker]) -> None:
        """Ties declared before the first batch to enterprises that apply in either, so both draws must avoid them:
        experts', and one staff member's (the demo reviewer, who then sees nothing of that candidate's reviews)."""
        declared = _at(date(self.year, 2, 20))
        reasons = [
            (self.experts[2].user, first[1], "2024 年曾为该企业提供质量管理体系咨询服务"),
            (self.experts[7].user, first[3], "本人亲属在该企业担任销售负责人"),
            (self.experts[4].user, first[5], "本人持有该企业少量股份"),
            (self.experts[0].user, first[7], "曾受聘为该企业技术顾问（2023 年）"),
            (self.experts[3].user, second[2], "曾为该企业制定品牌营销方案（有偿咨询）"),
            (self.experts[8].user, second[4], "本人在该企业兼任技术顾问"),
        ]
        if self.reviewer is not None:
            reasons.append((self.reviewer, second[6], "本人配偶在该企业任职，申请回避"))
        seen: set[tuple[int, int]] = set()
        for user, maker, reason in reasons:
            if (user.id, maker.enterprise.id) in seen:
                continue
            seen.add((user.id, maker.enterprise.id))
            self.session.add(
                Tie(user_id=user.id, enterprise_id=maker.enterprise.id, reason=reason, declared_at=declared)
            )
        self.session.flush()

    def _conflicts(self) -> dict[int, set[int]]:
        """user id -> enterprises declared (the demo's people have no enterprise or licence of their own)."""
        out: dict[int, set[int]] = {}
        for t in self.session.scalars(select(Tie)):
            out.setdefault(t.user_id, set()).add(t.enterprise_id)
        return out

    # --- a batch ----------------------------------------------------------------------------------------------

    def _batch(self, name: str, **values: Any) -> Batch:
        batch = Batch(
            name=name,
            manager_id=self.reviewer.id if self.reviewer else None,
            created_by_id=self.reviewer.id if self.reviewer else None,
            experts_per_candidate=3,
            tie_criterion_code="market",
            is_demo=True,
            **values,
        )
        batch.criteria.extend(default_criteria())
        self.session.add(batch)
        self.session.flush()
        return batch

    def _steps(self, batch: Batch, moments: list[tuple[BatchStatus, datetime]]) -> None:
        by = self.reviewer.id if self.reviewer else None
        previous: str | None = None
        for status, at in moments:
            self.session.add(BatchStep(batch_id=batch.id, status=status, at=at, by_id=by))
            if previous is not None:
                self._event(
                    at,
                    self.reviewer,
                    f"hit_batch.{_TRANSITION[status]}",
                    "hit_batch",
                    batch.id,
                    {"status": previous},
                    {"status": str(status)},
                )
            previous = str(status)
        batch.status_changed_at, batch.status_changed_by_id = moments[-1][1], by
        batch.created_at = moments[0][1]
        batch.updated_at = moments[-1][1]
        batch.version = len(moments)

    def _event(self, at, actor, action, entity, entity_id, before, after) -> None:
        self.events.append(
            AuditEvent(
                occurred_at=at,
                actor_id=actor.id if actor else None,
                actor_label=actor.email if actor else "system",
                action=action,
                entity_type=entity,
                entity_id=str(entity_id),
                before=before,
                after=after,
            )
        )

    def _candidate(self, batch: Batch, maker: Maker, product: Product, status: CandidateStatus, **values) -> Candidate:
        self.used_products.add(product.id)
        share = Decimal(self.rng.choice((35, 45, 55, 60, 70, 80, 90)))
        computed, _ = candidate_service.local_share(self.session, product)
        sales = Decimal(self.rng.choice((380, 650, 920, 1500, 2300, 3600, 5200, 8800)))
        candidate = Candidate(
            batch=batch,
            product=product,
            enterprise=maker.enterprise,
            pitch=f"{product.name}：{PITCH.get(product.kind_code, PITCH['shucai'])}（演示数据）",
            target_markets="、".join(self.rng.sample(MARKETS, 2)),
            channels="、".join(self.rng.sample(CHANNELS, 2)),
            sales_wan=sales,
            volume_t=(sales / Decimal(self.rng.choice((2, 3, 4)))).quantize(Decimal("1")),
            capacity_t=(sales / Decimal(self.rng.choice((1, 2)))).quantize(Decimal("1")) + 200,
            # The share from the product's registered sources (as the application form computes it); where the
            # product names none, the producer's own figure with the note the form asks for.
            local_share_computed=computed,
            local_share_pct=computed if computed is not None else share,
            local_share_note=None if computed is not None else "原料主要向本地合作社收购，收购合同见附件（演示数据）",
            brand_id=product.brand_id,
            status=status,
            created_by_id=maker.owner.id if maker.owner else None,
            is_demo=True,
            **values,
        )
        candidate.certificates = [
            CandidateCertificate(certificate_id=c.id)
            for c in maker.certificates
            if c.product_id is None or c.product_id == product.id
        ]
        self.session.add(candidate)
        return candidate

    def _product(self, maker: Maker, index: int | None = None) -> Product:
        free = [p for p in maker.products if p.id not in self.used_products] or maker.products
        return free[index % len(free)] if index is not None else self.rng.choice(free)

    # --- the past batches -------------------------------------------------------------------------------------

    def _past_batch(self, shape: PastPlan, picked: list[Maker], own: Maker | None, *, second: bool) -> Batch:
        y = self.year
        d = lambda md: date(y, *md)  # noqa: E731 - a short local helper
        published = _at(d(shape.published), 15)
        notice_start = d(shape.notice_start)
        batch = self._batch(
            f"{y}年{shape.name}",
            description=shape.description,
            year=y,
            apply_opens_on=d(shape.apply[0]),
            apply_closes_on=d(shape.apply[1]),
            review_opens_on=d(shape.review[0]),
            review_closes_on=d(shape.review[1]),
            quota=shape.quota,
            notice_days=5,
            notice_starts_on=notice_start,
            notice_ends_on=notice_start + timedelta(days=4),
            status=BatchStatus.published,
            rubric_frozen_at=_at(d(shape.review[0]), 9),
            published_at=published,
        )
        self._steps(
            batch,
            [
                (BatchStatus.draft, _at(d(shape.apply[0]) - timedelta(days=14), 9)),
                (BatchStatus.open, _at(d(shape.apply[0]), 9)),
                (BatchStatus.screening, _at(d(shape.apply[1]) + timedelta(days=1), 9)),
                (BatchStatus.reviewing, _at(d(shape.review[0]), 9)),
                (BatchStatus.deciding, _at(d(shape.review[1]) + timedelta(days=1), 9)),
                (BatchStatus.notice, _at(notice_start, 9)),
                (BatchStatus.published, published),
            ],
        )
        makers = list(picked)
        if own is not None:
            makers.insert(len(makers) // 3, own)
        apply_days = (d(shape.apply[1]) - d(shape.apply[0])).days
        candidates: list[Candidate] = []
        quality: dict[int, float] = {}
        special = {2: CandidateStatus.ineligible, 9: CandidateStatus.ineligible, 14: CandidateStatus.withdrawn}
        for i, maker in enumerate(makers):
            mine = maker is own
            status = CandidateStatus.passed if mine else special.get(i, CandidateStatus.passed)
            if second and status == CandidateStatus.withdrawn:
                status = CandidateStatus.passed
            submitted = _at(d(shape.apply[0]) + timedelta(days=self.rng.randint(3, apply_days)), 9 + i % 8, i % 60)
            values: dict[str, Any] = {
                "submitted_at": submitted,
                "first_submitted_at": submitted,
                "status_changed_at": submitted + timedelta(days=self.rng.randint(8, 16)),
                "status_changed_by_id": self.reviewer.id if self.reviewer else None,
            }
            if status == CandidateStatus.ineligible:
                values["screening_reason"] = "食品生产许可证（SC）已过期，不符合“持有有效食品生产许可证”的申报条件"
                values["eligibility"] = [
                    {
                        "rule": "sc_licence",
                        "message": "SC 食品生产许可证已过期。请上传换发的新证并等待核验后再申报。",
                        "fix_url": "/my/certificates/new",
                        "fix_label": "登记新的 SC 证书",
                    }
                ]
            elif status == CandidateStatus.withdrawn:
                values["status_changed_by_id"] = maker.owner.id if maker.owner else None
            candidate = self._candidate(batch, maker, self._product(maker, 0 if mine else None), status, **values)
            candidate.created_at = submitted - timedelta(days=2)
            candidate.updated_at = values["status_changed_at"]
            candidates.append(candidate)
        self.session.flush()
        # Two were returned for a fix during screening, resubmitted and passed: their history shows it.
        passed = [c for c in candidates if c.status == CandidateStatus.passed]
        for c in passed[4:6]:
            owner = next((m.owner for m in makers if m.enterprise.id == c.enterprise_id), None)
            returned = c.first_submitted_at + timedelta(days=3)
            resubmitted = returned + timedelta(days=2)
            c.submitted_at = resubmitted
            c.version = 4
            reason = "请补充近一年销售发票汇总及产品第三方检测报告"
            self._event(
                returned,
                self.reviewer,
                "hit_candidate.return",
                "hit_candidate",
                c.id,
                {"status": "submitted"},
                {"status": "returned", "screening_reason": reason},
            )
            self._event(
                resubmitted,
                owner,
                "hit_candidate.submit",
                "hit_candidate",
                c.id,
                {"status": "returned"},
                {"status": "submitted"},
            )
            self._event(
                c.status_changed_at,
                self.reviewer,
                "hit_candidate.pass",
                "hit_candidate",
                c.id,
                {"status": "submitted"},
                {"status": "passed"},
            )
        for c in passed:
            quality[c.id] = self.rng.uniform(4.8, 8.9)
            if own is not None and c.enterprise_id == own.enterprise.id:
                quality[c.id] = 6.6 if second else 8.7
        assignments = self._draw(batch, passed, _at(d(shape.review[0]), 10))
        if second:
            self._move_one(batch, assignments, _at(d(shape.review[0]) + timedelta(days=3), 11))
        totals = self._reviews(batch, passed, assignments, quality, d(shape.review[0]), d(shape.review[1]))
        decisions = self._decisions(batch, passed, totals, own, second=second)
        self._objections(batch, decisions, upheld=second)
        self._plans(batch, decisions, shape, own)
        return batch

    def _draw(self, batch: Batch, candidates: list[Candidate], at: datetime) -> dict[int, list[Assignment]]:
        """A recorded seeded draw: per candidate, 3 unconflicted active experts, matching fields first, loads
        balanced. The inputs have the shape of the pool's draw (hotpot.hitpool.assignment.draw_inputs)."""
        seed = hashlib.sha256(f"{batch.name}:{SEED}".encode()).hexdigest()[:16]
        conflicts = self._conflicts()
        active = [e for e in self.experts if e.is_active]
        ordered = sorted(candidates, key=lambda c: c.id)
        inputs = {
            "per_candidate": batch.experts_per_candidate,
            "candidates": [{"id": c.id, "kind": c.product.kind_code, "assigned": []} for c in ordered],
            "experts": [{"id": e.id, "fields": list(e.fields), "load": 0} for e in active],
            "excluded": [
                [c.id, e.id] for c in ordered for e in active if c.enterprise_id in conflicts.get(e.user_id, set())
            ],
            "removed": [],
        }
        result = draw_rule.compute(inputs, seed)
        draw = Draw(
            batch_id=batch.id,
            seed=seed,
            algorithm=draw_rule.ALGORITHM,
            inputs=inputs,
            result=result,
            created_by_id=self.reviewer.id if self.reviewer else None,
            created_at=at,
        )
        self.session.add(draw)
        self.session.flush()
        out: dict[int, list[Assignment]] = {}
        for cid, eid in result:
            a = Assignment(
                batch_id=batch.id,
                candidate_id=cid,
                expert_id=eid,
                source=AssignmentSource.draw,
                draw_id=draw.id,
                created_by_id=draw.created_by_id,
                created_at=at,
            )
            self.session.add(a)
            out.setdefault(cid, []).append(a)
        self.session.flush()
        self._event(
            at,
            self.reviewer,
            "hit_batch.draw",
            "hit_batch",
            batch.id,
            None,
            {"draw": draw.id, "seed": seed, "assignments": len(result)},
        )
        return out

    def _move_one(self, batch: Batch, assignments: dict[int, list[Assignment]], at: datetime) -> None:
        """The manager moved one assignment (the expert was travelling): the old one ends, a manual one starts."""
        conflicts = self._conflicts()
        by_id = {e.id: e for e in self.experts}
        for cid, items in sorted(assignments.items()):
            old = items[-1]
            taken = {a.expert_id for a in items}
            candidate = self.session.get(Candidate, cid)
            spare = [
                e
                for e in self.experts
                if e.is_active
                and e.id not in taken
                and e.user.email != DEMO_EXPERT
                and candidate.enterprise_id not in conflicts.get(e.user_id, set())
            ]
            if not spare or by_id[old.expert_id].user.email == DEMO_EXPERT:
                continue
            reason = "原指派专家评审期间出差，无法按时评审，改派同领域专家"
            old.ended_at, old.ended_by_id, old.end_reason = at, self.reviewer.id if self.reviewer else None, reason
            new = Assignment(
                batch_id=batch.id,
                candidate_id=cid,
                expert_id=spare[0].id,
                source=AssignmentSource.manual,
                reason=reason,
                created_by_id=self.reviewer.id if self.reviewer else None,
                created_at=at,
            )
            self.session.add(new)
            items[-1] = new
            self.session.flush()
            self._event(
                at,
                self.reviewer,
                "hit_assignment.move",
                "hit_assignment",
                old.id,
                {"expert_id": old.expert_id},
                {"expert_id": new.expert_id, "reason": reason},
            )
            return

    def _scores(self, batch: Batch, q: float, harsh: float) -> dict[int, Decimal]:
        out = {}
        for c in batch.criteria:
            raw = q + harsh + self.rng.gauss(0, 0.7)
            out[c.id] = Decimal(max(1, min(c.max_score, round(raw))))
        return out

    def _reviews(
        self,
        batch: Batch,
        candidates: list[Candidate],
        assignments: dict[int, list[Assignment]],
        quality: dict[int, float],
        opens: date,
        closes: date,
    ) -> dict[int, list[Decimal]]:
        """Submitted reviews for every assignment; disagreement on a few candidates (the demo expert is on at
        least one of them), a revision after the discussion on a few."""
        demo_expert = next(e for e in self.experts if e.user.email == DEMO_EXPERT)
        mine = [c for c in candidates if any(a.expert_id == demo_expert.id for a in assignments.get(c.id, []))]
        others = [c for c in candidates if c not in mine]
        disputed = mine[:1] + others[2:4]
        revised = {mine[0].id} if mine else set()
        revised |= {c.id for c in others[6:8]}
        # The outlying review of a disputed candidate: never the demo expert's (whose page shows the spread).
        outlier = {
            c.id: next((k for k, a in enumerate(assignments.get(c.id, [])) if a.expert_id != demo_expert.id), 0)
            for c in disputed
        }
        days = max(1, (closes - opens).days - 6)
        current: dict[int, list[Review]] = {}
        high: dict[int, bool] = {}
        for c in candidates:
            for k, a in enumerate(assignments.get(c.id, [])):
                q = quality[c.id]
                if c in disputed and k == outlier.get(c.id):
                    high[c.id] = q <= 6
                    q = q + 3.4 if high[c.id] else q - 3.4
                scores = self._scores(batch, q, self.harshness[a.expert_id])
                created = _at(opens + timedelta(days=self.rng.randint(1, days)), 9 + k * 3, self.rng.randint(0, 59))
                submitted = created + timedelta(hours=self.rng.randint(1, 20))
                review = self._review(batch, c, a, scores, created, submitted, status=ReviewStatus.submitted)
                current.setdefault(c.id, []).append(review)
        self.session.flush()
        # The discussion follows the last submission; the revisions follow the discussion.
        talked = {c.id: max(r.submitted_at for r in current[c.id]) + timedelta(days=1) for c in candidates}
        self._posts(disputed, assignments, talked, outlier, high)
        for c in candidates:
            if c.id not in revised:
                continue
            for k, old in enumerate(current[c.id]):
                reviser = old.expert_id == demo_expert.id if (mine and c is mine[0]) else k == 2
                if not reviser:
                    continue
                at = talked[c.id] + timedelta(days=1, hours=2)
                old.status, old.superseded_at = ReviewStatus.superseded, at
                self.session.flush()  # one current review per expert and candidate (a partial unique index)
                scores = {
                    sc.criterion_id: min(Decimal(10), sc.score + (1 if i % 2 == 0 else 0))
                    for i, sc in enumerate(sorted(old.scores, key=lambda sc: sc.criterion_id))
                }
                a = next(a for a in assignments[c.id] if a.expert_id == old.expert_id)
                current[c.id][k] = self._review(
                    batch, c, a, scores, at - timedelta(hours=1), at, status=ReviewStatus.submitted, revision_of=old
                )
        return {cid: [r.weighted_total for r in reviews] for cid, reviews in current.items()}

    def _review(self, batch, candidate, assignment, scores, created, submitted, *, status, revision_of=None) -> Review:
        total = weighted_total(batch.criteria, scores)
        recommendation = (
            Recommendation.strong_accept
            if total >= 82
            else Recommendation.accept
            if total >= 68
            else Recommendation.borderline
            if total >= 55
            else Recommendation.reject
        )
        review = Review(
            batch_id=batch.id,
            candidate_id=candidate.id,
            expert_id=assignment.expert_id,
            revision=revision_of.revision + 1 if revision_of else 1,
            supersedes_id=revision_of.id if revision_of else None,
            status=status,
            recommendation=recommendation,
            confidence=self.rng.randint(3, 5),
            comment=self.rng.choice(REVIEW_COMMENTS) + "（演示数据）",
            revision_reason="参加讨论后，根据企业补充的销售数据调整了市场潜力和品牌影响评分" if revision_of else None,
            weighted_total=total,
            submitted_at=submitted,
            created_at=created,
            updated_at=submitted,
        )
        review.scores = [
            ReviewScore(
                criterion_id=c.id,
                score=scores[c.id],
                comment=self.rng.choice(CRITERION_COMMENTS[c.code]) if self.rng.random() < 0.3 else None,
            )
            for c in batch.criteria
        ]
        self.session.add(review)
        self.session.flush()
        self._event(
            submitted,
            self._expert_user(assignment.expert_id),
            "hit_review.submit",
            "hit_review",
            review.id,
            None,
            {"status": "submitted", "weighted_total": str(total), "revision": review.revision},
        )
        return review

    def _expert_user(self, expert_id: int) -> User:
        return next(e.user for e in self.experts if e.id == expert_id)

    def _posts(self, disputed: list[Candidate], assignments, talked, outlier, high) -> None:
        """A thread on each disputed candidate: staff ask, the outlying expert and the others explain."""
        for c in disputed:
            people = [self._expert_user(a.expert_id) for a in assignments.get(c.id, [])]
            if len(people) < 3:
                continue
            odd = people[outlier[c.id]]
            rest = [u for u in people if u is not odd]
            generous = "企业近两年外埠销售增长明显，已进入两家全国连锁的供应名录，我给了较高的市场潜力分。"
            careful = "我关注到其产能在旺季偏紧，且本地原料占比数据缺少佐证材料，所以打分偏保守。"
            thread = [
                (self.reviewer, "三位专家的加权总分相差超过 20 分，请各位专家说明主要评分依据，特别是市场潜力一项。"),
                (odd, generous if high[c.id] else careful),
                (rest[0], careful if high[c.id] else generous),
                (rest[1], "同意加强对本地原料占比的核实，建议在公示前请企业补充基地订单合同。"),
                (self.reviewer, "已请企业补充基地订单合同，材料已上传到申报附件，请各位专家查阅后确认是否调整评分。"),
            ]
            day = (talked[c.id] + SHANGHAI_OFFSET).date()
            for k, (author, body) in enumerate(thread):
                if author is None:
                    continue
                self.session.add(
                    Post(candidate_id=c.id, author_id=author.id, body=body, created_at=_at(day, 9 + k * 2, 11 * k))
                )
        self.session.flush()

    def _decisions(self, batch: Batch, candidates, totals, own: Maker | None, *, second: bool) -> list[Decision]:
        ranked = sorted(candidates, key=lambda c: (-(sum(totals[c.id]) / len(totals[c.id])), c.id))
        decided = _at(batch.review_closes_on + timedelta(days=3), 14)
        out = []
        for place, c in enumerate(ranked, start=1):
            outcome = (
                Outcome.accepted
                if place <= batch.quota
                else Outcome.revise
                if place <= batch.quota + 4
                else Outcome.not_accepted
            )
            is_own = own is not None and c.enterprise_id == own.enterprise.id
            if is_own:
                outcome = Outcome.revise if second else Outcome.accepted
            decision = Decision(
                batch_id=batch.id,
                candidate=c,
                outcome=outcome,
                note=DECISION_NOTES[outcome],
                rank=place,
                decided_by_id=self.reviewer.id if self.reviewer else None,
                final_at=batch.published_at,
                # The demo producer has not opened its latest decision yet: the bell shows it.
                producer_read_at=None if (is_own and second) else batch.published_at + timedelta(days=1, hours=2),
                created_at=decided,
                updated_at=batch.published_at,
                version=2,
            )
            self.session.add(decision)
            out.append(decision)
        self.session.flush()
        for dcs in out:
            self._event(
                decided,
                self.reviewer,
                "hit_decision.propose",
                "hit_decision",
                dcs.id,
                None,
                {"outcome": str(dcs.outcome), "rank": dcs.rank},
            )
        return out

    def _objections(self, batch: Batch, decisions: list[Decision], *, upheld: bool) -> None:
        """One objection per past batch: dismissed in the first, upheld (the decision changes) in the second."""
        own_id = self.producer.enterprise_id if self.producer else None
        accepted = [d for d in decisions if d.outcome == Outcome.accepted and d.candidate.enterprise_id != own_id]
        target = accepted[3] if upheld else accepted[1]
        raised = _at(batch.notice_starts_on + timedelta(days=1), 16)
        handled = _at(batch.notice_starts_on + timedelta(days=3), 11)
        raiser = self.buyer or self.admin
        if upheld:
            reasons = (
                "该产品申报的本地原料占比为 60% 以上，但据了解其主要原料来自外省，申报数据与实际不符。（演示数据）"
            )
            handling = "经现场核查原料采购台账，本地原料占比约 25%，与申报数据不符，异议成立，改为不入库。"
            status = ObjectionStatus.upheld
        else:
            reasons = "听说该企业去年有一批次产品抽检不合格，是否还符合入库条件？（演示数据）"
            handling = "经核查，抽检不合格批次为 2023 年，企业已整改并复检合格，近两年抽检全部合格，异议不成立。"
            status = ObjectionStatus.dismissed
        objection = Objection(
            batch_id=batch.id,
            candidate_id=target.candidate_id,
            raised_by_id=raiser.id if raiser else None,
            reasons=reasons,
            status=status,
            handling_reason=handling,
            new_outcome=Outcome.not_accepted if upheld else None,
            handled_by_id=self.reviewer.id if self.reviewer else None,
            handled_at=handled,
            created_at=raised,
            version=2,
        )
        self.session.add(objection)
        if upheld:
            target.outcome = Outcome.not_accepted
            target.note = "公示期间收到异议，经核查本地原料占比与申报不符，改为不入库。欢迎整改后再申报。"
            target.version = 3
        self.session.flush()
        self._event(
            handled,
            self.reviewer,
            f"hit_objection.{'uphold' if upheld else 'dismiss'}",
            "hit_objection",
            objection.id,
            {"status": "pending"},
            {"status": str(status), "handling_reason": handling},
        )

    # --- incubation -------------------------------------------------------------------------------------------

    def _plans(self, batch: Batch, decisions: list[Decision], shape: PastPlan, own: Maker | None) -> None:
        own_id = own.enterprise.id if own else None
        accepted = [d for d in decisions if d.outcome == Outcome.accepted]
        starts = batch.published_at.date() + timedelta(days=14)
        graduating = [d for d in accepted if d.candidate.enterprise_id != own_id][: shape.graduate]
        ended = [d for d in accepted if d not in graduating and d.candidate.enterprise_id != own_id][:1]
        for n, d in enumerate(accepted):
            c = d.candidate
            plan = Plan(
                batch_id=batch.id,
                candidate=c,
                product_id=c.product_id,
                enterprise_id=c.enterprise_id,
                status=PlanStatus.incubating,
                starts_on=starts,
                ends_on=starts + timedelta(days=730),
                is_demo=True,
                created_at=batch.published_at,
            )
            self.session.add(plan)
            self.session.flush()
            graduates = d in graduating
            if graduates:
                self._graduate(plan, c, n)
            elif d in ended and batch.name.endswith("第一批"):
                plan.status = PlanStatus.ended
                plan.graduation_reason = "企业主动申请终止培育：生产线搬迁，两年内无法达到产能指标。"
                plan.graduated_on = min(self.today, starts + timedelta(days=300))
            # Incubating plans: every other one has a milestone past its date and not reported (overdue), the demo
            # producer's always; the others' is reported and waits for the committee's check.
            overdue = c.enterprise_id == own_id or n % 2 == 1
            self._milestones(plan, c, graduated=graduates, overdue=overdue)
            self._supports(plan, n)

    def _graduate(self, plan: Plan, c: Candidate, n: int) -> None:
        earliest = plan.starts_on + timedelta(days=120)
        span = max(1, (self.today - timedelta(days=7) - earliest).days)
        plan.status = PlanStatus.graduated
        plan.title = GraduationTitle.hit if n % 3 != 2 else GraduationTitle.flagship
        plan.graduated_on = earliest + timedelta(days=self.rng.randint(0, span))
        plan.graduated_by_id = self.reviewer.id if self.reviewer else None
        grown = self.rng.choice((38, 52, 67, 85, 120))
        plan.graduation_reason = f"培育期内各项指标全部达成，年销售额较入库前增长 {grown}%，进入全国性连锁渠道。"
        e = c.enterprise
        plan.story = (
            f"{c.product.name}来自{e.short_name or e.name}。入库培育以来，企业按照培育计划改进工艺、升级包装，"
            f"依托合川本地原料基地稳定供货，年销售额增长 {grown}%，产品进入川渝及华东多家连锁火锅门店，"
            f"成为合川火锅食材的{GraduationTitle.label_of(plan.title)}。（演示数据）"
        )

    def _milestones(self, plan: Plan, c: Candidate, *, graduated: bool, overdue: bool) -> None:
        owner_id = c.created_by_id
        picks = self.rng.sample(range(len(MILESTONES)), 4)
        sales = c.sales_wan or Decimal(800)
        end = plan.graduated_on if graduated else None
        for k, idx in enumerate(sorted(picks)):
            title, kpi, unit = MILESTONES[idx]
            target = {
                KpiKind.sales: (sales * Decimal("1.4")).quantize(Decimal("1")),
                KpiKind.outlets: Decimal(self.rng.choice((30, 50, 80, 120))),
                KpiKind.export: Decimal(self.rng.choice((50, 100, 200))),
            }.get(kpi)
            if graduated:
                due = plan.starts_on + timedelta(days=60 + k * max(20, ((end - plan.starts_on).days - 60) // 4))
            elif plan.status == PlanStatus.ended:
                due = plan.starts_on + timedelta(days=90 * (k + 1))
            else:
                # Incubating: two done, one around now (reported, or overdue), one ahead.
                offsets = (-220, -120, -self.rng.choice((12, 25, 40)), self.rng.choice((60, 120, 200)))
                due = max(plan.starts_on + timedelta(days=30 * (k + 1)), self.today + timedelta(days=offsets[k]))
            milestone = Milestone(
                plan_id=plan.id,
                title=title.format(v=target.normalize() if target is not None else ""),
                due_on=due,
                kpi=kpi,
                target_value=target,
                target_unit=unit,
                status=MilestoneStatus.open,
                version=1,
            )
            self.session.add(milestone)
            self.session.flush()
            if graduated or (due < self.today - timedelta(days=60)):
                status = MilestoneStatus.achieved
                if plan.status == PlanStatus.ended and k >= 1:
                    status = MilestoneStatus.missed
                self._progress(milestone, owner_id, target, due - timedelta(days=5), reached=status)
                milestone.status = status
                milestone.checked_by_id = self.reviewer.id if self.reviewer else None
                milestone.checked_at = _at(due + timedelta(days=2), 15)
                milestone.check_note = (
                    "核查销售台账和发票，指标达成。"
                    if status == MilestoneStatus.achieved
                    else "到期未达成，企业已说明原因。"
                )
                milestone.version = 3
            elif due < self.today and plan.status == PlanStatus.incubating and not overdue:
                self._progress(milestone, owner_id, target, due - timedelta(days=3), reached=MilestoneStatus.reported)
                milestone.status = MilestoneStatus.reported
                milestone.version = 2
            # else: open; past its due date it shows as overdue on both sides.

    def _progress(self, milestone: Milestone, author_id, target, day: date, *, reached) -> None:
        value = None
        if target is not None:
            value = (target * Decimal(str(self.rng.uniform(1.0, 1.2)))).quantize(CENT, rounding=ROUND_HALF_UP)
            if reached == MilestoneStatus.missed:
                value = (target * Decimal("0.6")).quantize(CENT)
        body = {
            KpiKind.sales: "本期销售额已达到目标，附销售台账和增值税发票汇总。",
            KpiKind.outlets: "新增连锁门店和经销网点，附合作协议清单。",
            KpiKind.certification: "已取得证书，附证书扫描件编号。",
            KpiKind.brand: "商标已获注册，新包装已上市。",
            KpiKind.export: "已完成首批出口报关，附报关单号。",
        }.get(milestone.kpi, "已按计划完成。")
        if reached == MilestoneStatus.missed:
            body = "受生产线搬迁影响，本期未能完成目标。"
        self.session.add(
            ProgressUpdate(
                milestone_id=milestone.id,
                author_id=author_id,
                body=body + "（演示数据）",
                value=value,
                created_at=_at(day, 16),
            )
        )

    def _supports(self, plan: Plan, n: int) -> None:
        for k in range(1 + n % 3):
            kind, text, amounts = SUPPORTS[(n + k) % len(SUPPORTS)]
            amount = self.rng.choice(amounts)
            self.session.add(
                Support(
                    plan_id=plan.id,
                    kind=kind,
                    description=text,
                    amount_wan=Decimal(amount) if amount is not None else None,
                    given_on=min(self.today, plan.starts_on + timedelta(days=30 + 70 * k)),
                    recorded_by_id=self.reviewer.id if self.reviewer else None,
                    created_at=_at(min(self.today, plan.starts_on + timedelta(days=31 + 70 * k)), 10),
                )
            )

    # --- the open batch ---------------------------------------------------------------------------------------

    def _open_batch(self, others: list[Maker], own: Maker | None) -> Batch:
        t = self.today
        batch = self._batch(
            f"{t.year}年第一批",
            description="征集具备培育成爆品潜力的火锅食材产品，本批次入库名额 10 个，欢迎符合条件的企业申报。（演示）",
            year=t.year,
            apply_opens_on=t - timedelta(days=20),
            apply_closes_on=t + timedelta(days=25),
            review_opens_on=t + timedelta(days=30),
            review_closes_on=t + timedelta(days=60),
            quota=10,
            notice_days=5,
            status=BatchStatus.open,
        )
        self._steps(
            batch,
            [(BatchStatus.draft, _at(t - timedelta(days=30), 9)), (BatchStatus.open, _at(t - timedelta(days=20), 9))],
        )
        picked = self.rng.sample(others, min(len(others), 7))
        plan = [
            CandidateStatus.draft,
            CandidateStatus.submitted,
            CandidateStatus.submitted,
            CandidateStatus.returned,
            CandidateStatus.submitted,
            CandidateStatus.draft,
            CandidateStatus.submitted,
        ]
        for i, (maker, status) in enumerate(zip(picked, plan, strict=False)):
            submitted = _at(t - timedelta(days=15 - i), 10 + i)
            values: dict[str, Any] = {}
            if status != CandidateStatus.draft:
                values = {"submitted_at": submitted, "first_submitted_at": submitted}
            if status == CandidateStatus.returned:
                values["screening_reason"] = (
                    "请补充近一年的销售发票汇总或审计报告，并上传产品第三方检测报告（加盖公章）。"
                )
                values["status_changed_at"] = submitted + timedelta(days=2)
                values["status_changed_by_id"] = self.reviewer.id if self.reviewer else None
            c = self._candidate(batch, maker, self._product(maker), status, **values)
            c.created_at = submitted - timedelta(days=1)
        if own is not None:
            # The demo producer's application: a draft it can still edit and submit.
            c = self._candidate(batch, own, self._product(own, 0), CandidateStatus.draft)
            c.created_at = _at(t - timedelta(days=3), 15)
        self.session.flush()
        return batch


_TRANSITION = {
    BatchStatus.open: "open",
    BatchStatus.screening: "screen",
    BatchStatus.reviewing: "review",
    BatchStatus.deciding: "decide",
    BatchStatus.notice: "notice",
    BatchStatus.published: "publish",
    BatchStatus.archived: "archive",
}


def walk_ids(session: Session) -> dict[str, int]:
    """Example ids for the browser's page walk (tests/browser/test_every_page.py): see the names."""
    batches = {b.name: b for b in session.scalars(select(Batch).where(Batch.is_demo).order_by(Batch.id))}
    open_batch = next(b for b in batches.values() if b.status == BatchStatus.open)
    past = [b for b in batches.values() if b.status == BatchStatus.published]
    second = past[-1]
    expert_user = session.scalars(select(User).where(User.email == DEMO_EXPERT)).one()
    expert = session.scalars(select(Expert).where(Expert.user_id == expert_user.id)).one()
    reviewer = session.scalars(select(User).where(User.email == "reviewer@hotpot.example")).one()
    producer = session.scalars(select(User).where(User.email == "producer@hotpot.example")).one()
    tied = select(Tie.enterprise_id).where(Tie.user_id == reviewer.id)
    # The demo expert's reviewed candidate of the second batch with the most discussion, the reviewer not tied.
    posts = select(func.count()).select_from(Post).where(Post.candidate_id == Candidate.id).scalar_subquery()
    candidate = session.scalars(
        select(Candidate)
        .join(Review, Review.candidate_id == Candidate.id)
        .where(
            Candidate.batch_id == second.id,
            Review.expert_id == expert.id,
            Review.status == ReviewStatus.submitted,
            Candidate.enterprise_id.not_in(tied),
        )
        .order_by(posts.desc(), Candidate.id)
    ).first()
    mine = session.scalars(
        select(Candidate).where(Candidate.batch_id == open_batch.id, Candidate.enterprise_id == producer.enterprise_id)
    ).one()
    draw = session.scalars(select(Draw).where(Draw.batch_id == second.id).order_by(Draw.id)).first()
    plan = session.scalars(
        select(Plan)
        .where(Plan.enterprise_id == producer.enterprise_id, Plan.status == PlanStatus.incubating)
        .order_by(Plan.id)
    ).first()
    graduated = session.scalars(
        select(Plan)
        .where(Plan.status == PlanStatus.graduated, Plan.is_demo)
        .order_by(Plan.graduated_on.desc(), Plan.id)
    ).first()
    other_expert = session.scalars(select(Expert).where(Expert.id != expert.id).order_by(Expert.id)).first()
    return {
        "hit_batch": open_batch.id,
        "hit_past_batch": second.id,
        "hit_candidate": candidate.id,
        "hit_my_candidate": mine.id,
        "hit_expert": other_expert.id,
        "hit_draw": draw.id,
        "hit_plan": plan.id,
        "hit_graduated_plan": graduated.id,
    }
