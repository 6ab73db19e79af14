"""Administration's declaration: the accounts pages and their messages, the admins' navigation link."""

from __future__ import annotations

from hotpot.domains import Domain, NavEntry

DOMAIN = Domain(
    name="admin",
    routers=("hotpot.admin.routes:router",),
    nav=(NavEntry("系统管理", "/admin/users", ("admin",), 90),),
    flash={
        "reset_link_sent": ("success", "重置密码的链接已发送到该账号的邮箱"),
        "user_created": ("success", "账号已创建"),
        "user_disabled": ("success", "账号已停用，该账号的所有登录已失效"),
        "user_enabled": ("success", "账号已启用"),
        "role_changed": ("success", "角色已修改，该账号需要重新登录"),
    },
)
