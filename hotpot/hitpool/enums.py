"""The 爆品 pool's states, kinds and workflows (declared once; services move records with hotpot.workflow.apply)."""

from __future__ import annotations

from hotpot.workflow import LabeledEnum, Transition, Workflow, roles

STAFF = roles("admin", "reviewer")


class BatchStatus(LabeledEnum):
    draft = "draft", "草稿"
    open = "open", "申报中"
    screening = "screening", "形式审查"
    reviewing = "reviewing", "专家评审"
    deciding = "deciding", "拟定结果"
    notice = "notice", "公示中"
    published = "published", "已发布"
    archived = "archived", "已归档"


# The order a batch goes through (its timeline); archived is the end.
BATCH_STEPS: tuple[BatchStatus, ...] = tuple(BatchStatus)

BATCH_WORKFLOW = Workflow(
    entity="hit_batch",
    states=BatchStatus,
    transitions=(
        Transition("open", source={"draft"}, target="open", label="开放申报", roles=STAFF),
        Transition("screen", source={"open"}, target="screening", label="截止申报，开始形式审查", roles=STAFF),
        # The rubric freezes here (the service sets rubric_frozen_at in the same change).
        Transition("review", source={"screening"}, target="reviewing", label="开始专家评审", roles=STAFF),
        Transition("decide", source={"reviewing"}, target="deciding", label="结束评审，拟定结果", roles=STAFF),
        Transition("notice", source={"deciding"}, target="notice", label="发布公示", roles=STAFF),
        Transition("publish", source={"notice"}, target="published", label="公示期满，正式发布", roles=STAFF),
        Transition("archive", source={"published"}, target="archived", label="归档", roles=STAFF, style="ghost"),
    ),
)


class CandidateStatus(LabeledEnum):
    draft = "draft", "草稿"
    submitted = "submitted", "已提交"
    returned = "returned", "退回修改"
    passed = "passed", "形式审查通过"
    ineligible = "ineligible", "不符合申报条件"
    withdrawn = "withdrawn", "已撤回"


# Applications that hold their product: a product can be in one open batch at a time.
ACTIVE_CANDIDATE = frozenset({"draft", "submitted", "returned", "passed"})

CANDIDATE_WORKFLOW = Workflow(
    entity="hit_candidate",
    states=CandidateStatus,
    state_field="status",
    reason_field="screening_reason",
    changed_at_field="status_changed_at",
    changed_by_field="status_changed_by_id",
    transitions=(
        # Submitting is checked by the service first (window, eligibility), then moved here.
        Transition(
            "submit", source={"draft", "returned"}, target="submitted", label="提交申报", roles=roles("producer")
        ),
        Transition(
            "withdraw",
            source={"draft", "submitted", "returned"},
            target="withdrawn",
            label="撤回申报",
            roles=roles("producer"),
            style="danger",
        ),
        Transition("pass", source={"submitted"}, target="passed", label="形式审查通过", roles=STAFF),
        Transition(
            "return",
            source={"submitted"},
            target="returned",
            label="退回修改",
            roles=STAFF,
            reason_required=True,
            reason_message="请写明需要企业补正的内容（至少 4 个字）",
            style="ghost",
        ),
        Transition(
            "reject",
            source={"submitted", "returned"},
            target="ineligible",
            label="不符合条件",
            roles=STAFF,
            reason_required=True,
            reason_message="请写明不符合的申报条件（至少 4 个字）",
            style="danger",
        ),
    ),
)


class Recommendation(LabeledEnum):
    strong_accept = "strong_accept", "强烈推荐入库"
    accept = "accept", "推荐入库"
    borderline = "borderline", "可入库可不入库"
    reject = "reject", "不推荐"


class ReviewStatus(LabeledEnum):
    draft = "draft", "草稿"
    submitted = "submitted", "已提交"
    superseded = "superseded", "已被修订版取代"


class Outcome(LabeledEnum):
    accepted = "accepted", "入库"
    not_accepted = "not_accepted", "不入库"
    revise = "revise", "修改后再申报"


class ObjectionStatus(LabeledEnum):
    pending = "pending", "待处理"
    upheld = "upheld", "异议成立"
    dismissed = "dismissed", "异议不成立"


class AssignmentSource(LabeledEnum):
    draw = "draw", "随机抽取"
    manual = "manual", "人工指派"


class Expertise(LabeledEnum):
    """An expert's fields: the six product kinds (codes of product_category's level 1), then the disciplines."""

    shuifa = "shuifa", "水发类"
    shuichan = "shuichan", "水产类"
    rou = "rou", "肉类"
    zhiwudanbai = "zhiwudanbai", "植物蛋白类"
    shucai = "shucai", "蔬菜类"
    tiaoweiliao = "tiaoweiliao", "火锅调味料"
    quality = "quality", "质量安全"
    marketing = "marketing", "市场营销"
    finance = "finance", "财务金融"
    brand = "brand", "品牌策划"
    supply = "supply", "供应链与物流"
    technology = "technology", "食品工艺"


PRODUCT_KINDS = frozenset({"shuifa", "shuichan", "rou", "zhiwudanbai", "shucai", "tiaoweiliao"})


class PlanStatus(LabeledEnum):
    incubating = "incubating", "培育中"
    graduated = "graduated", "已认定"
    ended = "ended", "终止培育"


class GraduationTitle(LabeledEnum):
    hit = "hit", "爆品"
    flagship = "flagship", "拳头产品"


class KpiKind(LabeledEnum):
    sales = "sales", "销售额"
    outlets = "outlets", "销售网点"
    certification = "certification", "认证"
    brand = "brand", "品牌注册"
    export = "export", "出口"
    other = "other", "其他"


class MilestoneStatus(LabeledEnum):
    open = "open", "进行中"
    reported = "reported", "待核查"
    achieved = "achieved", "已达成"
    missed = "missed", "未达成"


class SupportKind(LabeledEnum):
    funding = "funding", "资金扶持"
    exhibition = "exhibition", "展会推介"
    testing = "testing", "检验检测"
    training = "training", "培训指导"
    other = "other", "其他"


class TieBreak(LabeledEnum):
    """How equal totals are ordered: by a criterion's score (the criterion named in hit_batch.tie_criterion) or by
    who submitted first."""

    criterion = "criterion", "按指定指标得分高者优先"
    earlier = "earlier", "按提交申报时间先者优先"
