"""Enterprises' declaration: registry and desk pages, the producer's and reviewers' links, messages."""

from __future__ import annotations

from hotpot.domains import EVERYONE, Domain, NavEntry
from hotpot.enterprises.models import EnterpriseStatus

DOMAIN = Domain(
    name="enterprises",
    routers=("hotpot.enterprises.routes:router",),
    api_routers=("hotpot.enterprises.api:router",),
    nav=(
        NavEntry("我的企业", "/my/enterprise", ("producer",), 10),
        NavEntry("企业名录", "/enterprises", (EVERYONE,), 31),
    ),
    flash={
        "enterprise_registered": ("success", "企业信息已提交，区农业农村委审核通过后即在企业名录中公开"),
        "enterprise_saved": ("success", "企业信息已保存"),
        "enterprise_resubmitted": ("info", "企业信息已保存并重新提交审核"),
        "enterprise_verified": ("success", "已认证该企业"),
        "enterprise_rejected": ("success", "已退回该企业，并通知了退回原因"),
        "enterprise_suspended": ("success", "已暂停该企业的公开展示"),
        "enterprise_reinstated": ("success", "已恢复该企业的公开展示"),
        "invitation_sent": ("success", "邀请邮件已发出：对方验证该邮箱并登录生产企业账号后即可接受"),
        "invitation_revoked": ("success", "邀请已撤回"),
        "invitation_accepted": ("success", "您已加入企业，可以一起管理企业信息和产品"),
    },
    models=("hotpot.enterprises.models",),
    search_sources=("hotpot.enterprises.search:SOURCE",),
    # The status enum, so templates compare with members, not strings.
    template_globals={"EnterpriseStatus": EnterpriseStatus},
)
