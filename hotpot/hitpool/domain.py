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
        "hit_candidate_applied": ("success", "已创建申报草稿，请完善申报书后提交。"),
        "hit_candidate_saved": ("success", "申报书已保存。"),
        "hit_candidate_submitted": ("success", "申报已提交，等待工作人员形式审查。"),
        "hit_candidate_withdrawn": ("success", "申报已撤回。"),
        "hit_candidate_file_added": ("success", "附件已上传。"),
        "hit_candidate_file_removed": ("success", "附件已删除。"),
        "hit_candidate_screen_passed": ("success", "已通过形式审查。"),
        "hit_candidate_screen_returned": ("success", "已退回企业修改，企业会看到退回意见。"),
        "hit_candidate_screen_rejected": ("success", "已标记为不符合申报条件。"),
        # experts
        # assignment
        # reviews
        # decisions
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
