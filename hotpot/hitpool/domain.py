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
        "hit_decision_saved": ("success", "决定已保存。"),
        "hit_objection_handled": ("success", "异议处理结果已记录。"),
        "hit_objection_raised": ("success", "异议已提交，工作人员将在公示期内核实处理。"),
        # incubation
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
