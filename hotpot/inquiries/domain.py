"""Inquiries' declaration: inquiry pages, the producers' and buyers' links, the unread badge, messages."""

from __future__ import annotations

from hotpot.domains import Domain, NavEntry

DOMAIN = Domain(
    name="inquiries",
    routers=("hotpot.inquiries.routes:router",),
    nav=(
        NavEntry("询价", "/inquiries", ("producer",), 20),
        NavEntry("我的询价", "/inquiries", ("buyer",), 80),
    ),
    flash={
        "inquiry_sent": ("success", "询价已发送，供应企业回复后您会在“我的询价”中看到提醒"),
        "reply_sent": ("success", "回复已发送"),
        "inquiry_closed": ("info", "询价已关闭"),
    },
    models=("hotpot.inquiries.models",),
    badges={"inquiries": "hotpot.inquiries.service:unread_count"},
)
