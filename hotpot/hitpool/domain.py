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
        "batch_created": ("success", "批次已创建（草稿）。核对信息后点击“开放申报”。"),
        "batch_saved": ("success", "批次信息已保存。"),
        "batch_open": ("success", "已开放申报，生产企业现在可以提交申报。"),
        "batch_screen": ("success", "申报已截止，开始形式审查。"),
        "batch_review": ("success", "专家评审已开始，评分细则已冻结。"),
        "batch_decide": ("success", "评审已结束，可以拟定入库结果。"),
        "batch_notice": ("success", "拟入库名单已发布公示。"),
        "batch_publish": ("success", "批次结果已正式发布，申报企业已收到通知。"),
        "batch_archive": ("success", "批次已归档。"),
        "batch_moved_with_missing_reviews": ("warning", "已进入拟定结果阶段，但仍有专家评审未提交。"),
        # candidates
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
