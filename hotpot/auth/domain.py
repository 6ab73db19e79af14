"""Accounts' declaration: login, registration and password pages, their messages, and the role names."""

from __future__ import annotations

from hotpot.auth.models import ROLE_LABELS, Role
from hotpot.domains import Domain

DOMAIN = Domain(
    name="auth",
    routers=("hotpot.auth.routes:router",),
    api_routers=("hotpot.auth.api:router",),
    flash={
        "registered": ("success", "注册成功，欢迎使用合川火锅食材数字化平台！"),
        "email_verified": ("success", "邮箱已验证，欢迎使用合川火锅食材数字化平台！"),
        "password_reset": ("success", "密码已重置，所有设备上的登录和 API 令牌都已失效，请用新密码登录"),
        "password_change_required": ("warning", "您正在使用一次性密码，请先设置自己的新密码"),
        "logged_in": ("success", "登录成功"),
        "logged_out": ("info", "您已安全退出"),
        "password_changed": ("success", "密码已修改，其他设备上的登录和所有 API 令牌已失效"),
        "logged_out_others": ("success", "其他设备上的登录已全部退出，所有 API 令牌已吊销"),
        "token_revoked": ("success", "API 令牌已吊销"),
        "login_required": ("warning", "请先登录"),
        "session_expired": ("warning", "登录已过期，请重新登录"),
    },
    models=("hotpot.auth.models",),
    template_globals={"role_labels": {r.value: label for r, label in ROLE_LABELS.items()}, "Role": Role},
)
