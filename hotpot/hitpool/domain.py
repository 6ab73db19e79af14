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
        NavEntry("爆品培育", "/pool", ("admin", "reviewer"), 12),
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
        "expert_saved": ("success", "专家信息已保存"),
        "expert_activated": ("success", "专家已启用，可参与抽取"),
        "expert_deactivated": ("success", "专家已停用，不再参与抽取；其现有分配请在评审分配页调换"),
        "expert_profile_saved": ("success", "您的专家信息已保存"),
        "tie_declared": ("success", "利益关联已声明，您将回避该企业的申报"),
        "tie_declared_ended": ("warning", "利益关联已声明；您在该企业申报上的评审分配已结束（申报回避）"),
        "tie_removed": ("success", "声明已撤销"),
        # assignment
        "draw_done": ("success", "随机抽取完成，每项申报都已抽足评审专家"),
        "draw_short": ("warning", "随机抽取完成，但部分申报可选专家不足，请查看缺额并人工补充"),
        "draw_nothing": ("info", "所有通过形式审查的申报都已有足够的评审专家，无需抽取"),
        "assignment_added": ("success", "已指派评审专家"),
        "assignment_moved": ("success", "已调换评审专家"),
        # reviews
        "review_saved": ("success", "评审草稿已保存，提交前可以随时修改"),
        "review_submitted": ("success", "评审已提交，现在可以看到其他专家的评分并参与讨论"),
        "review_revision_opened": ("info", "已创建修订稿：修改后提交，原评审会保留在历史中"),
        "post_added": ("success", "讨论发言已发布"),
        # decisions
        "hit_decision_saved": ("success", "决定已保存。"),
        "hit_objection_handled": ("success", "异议处理结果已记录。"),
        "hit_objection_raised": ("success", "异议已提交，工作人员将在公示期内核实处理。"),
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
