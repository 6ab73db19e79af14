"""The 爆品 pool's declaration: its page and API routers, navigation, messages, models, badges and template names."""

from __future__ import annotations

from hotpot.domains import EVERYONE, Domain, NavEntry
from hotpot.hitpool import enums

DOMAIN = Domain(
    name="hitpool",
    routers=(
        "hotpot.hitpool.batch_routes:router",
        "hotpot.hitpool.candidate_routes:router",
        "hotpot.hitpool.expert_routes:router",
        "hotpot.hitpool.assignment_routes:router",
        "hotpot.hitpool.review_routes:router",
        "hotpot.hitpool.decision_routes:router",
        "hotpot.hitpool.incubation_routes:router",
        "hotpot.hitpool.showcase_routes:router",
    ),
    api_routers=(
        "hotpot.hitpool.batch_api:router",
        "hotpot.hitpool.decision_api:router",
        "hotpot.hitpool.showcase_api:router",
    ),
    nav=(
        NavEntry("爆品培育", "/pool", ("admin", "reviewer"), 45),
        NavEntry("爆品申报", "/my/pool", ("producer",), 25),
        NavEntry("评审任务", "/expert", ("expert",), 10),
        NavEntry("爆品展示", "/showcase", (EVERYONE,), 36),
    ),
    flash={
        # batches
        # candidates
        # experts
        # assignment
        # reviews
        # decisions
        # incubation
        "hit_milestone_added": ("success", "已新增里程碑。"),
        "hit_milestone_saved": ("success", "里程碑已保存。"),
        "hit_milestone_checked": ("success", "已记录核查结果。"),
        "hit_support_added": ("success", "已登记扶持。"),
        "hit_plan_graduated": ("success", "已完成认定，产品已进入爆品展示。"),
        "hit_plan_ended": ("success", "培育计划已终止。"),
        "hit_progress_posted": ("success", "进展已提交，等待区农业农村委核查。"),
    },
    models=("hotpot.hitpool.models",),
    badges={"hitpool": "hotpot.hitpool.candidates:unread_count"},
    template_globals={
        "BatchStatus": enums.BatchStatus,
        "CandidateStatus": enums.CandidateStatus,
        "ReviewStatus": enums.ReviewStatus,
        "Outcome": enums.Outcome,
        "ObjectionStatus": enums.ObjectionStatus,
        "PlanStatus": enums.PlanStatus,
        "MilestoneStatus": enums.MilestoneStatus,
        "Expertise": enums.Expertise,
        "Recommendation": enums.Recommendation,
        "GraduationTitle": enums.GraduationTitle,
        "KpiKind": enums.KpiKind,
        "SupportKind": enums.SupportKind,
    },
)
