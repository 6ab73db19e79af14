"""Rendering for people: templates (whole page or one block for htmx), flash messages, redirects."""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from zoneinfo import ZoneInfo

from babel.support import NullTranslations, Translations
from fastapi import HTTPException, Request
from fastapi.responses import RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader
from jinja2_fragments.fastapi import Jinja2Blocks

from hotpot import __version__
from hotpot.auth.models import ROLE_LABELS, Role
from hotpot.resources import resource_dir
from hotpot.validation import parse_id

SHANGHAI = ZoneInfo("Asia/Shanghai")
FLASH_COOKIE = "hotpot_flash"
LOCALE = "zh_CN"

# Flash messages travel as a code in a short-lived cookie and are looked up here, so no user text is ever
# echoed from a cookie into the page.
FLASH_MESSAGES = {
    "registered": ("success", "注册成功，欢迎使用合川火锅食材数字化平台！"),
    "email_verified": ("success", "邮箱已验证，欢迎使用合川火锅食材数字化平台！"),
    "password_reset": ("success", "密码已重置，所有设备上的登录和 API 令牌都已失效，请用新密码登录"),
    "password_change_required": ("warning", "您正在使用一次性密码，请先设置自己的新密码"),
    "reset_link_sent": ("success", "重置密码的链接已发送到该账号的邮箱"),
    "logged_in": ("success", "登录成功"),
    "logged_out": ("info", "您已安全退出"),
    "password_changed": ("success", "密码已修改，其他设备上的登录和所有 API 令牌已失效"),
    "logged_out_others": ("success", "其他设备上的登录已全部退出，所有 API 令牌已吊销"),
    "token_revoked": ("success", "API 令牌已吊销"),
    "user_created": ("success", "账号已创建"),
    "user_disabled": ("success", "账号已停用，该账号的所有登录已失效"),
    "user_enabled": ("success", "账号已启用"),
    "role_changed": ("success", "角色已修改，该账号需要重新登录"),
    "job_queued": ("success", "任务已加入队列，后台任务进程会依次运行；本页自动刷新进度"),
    "job_retried": ("success", "任务已重新加入队列"),
    "login_required": ("warning", "请先登录"),
    "enterprise_registered": ("success", "企业信息已提交，区农业农村委审核通过后即在企业名录中公开"),
    "enterprise_saved": ("success", "企业信息已保存"),
    "enterprise_resubmitted": ("info", "企业信息已保存并重新提交审核"),
    "enterprise_verified": ("success", "已认证该企业"),
    "enterprise_rejected": ("success", "已退回该企业，并通知了退回原因"),
    "enterprise_suspended": ("success", "已暂停该企业的公开展示"),
    "enterprise_reinstated": ("success", "已恢复该企业的公开展示"),
    "product_created": ("success", "产品已保存为草稿，确认无误后请点击“发布”"),
    "product_saved": ("success", "产品信息已保存"),
    "product_published": ("success", "产品已发布"),
    "product_withdrawn": ("success", "产品已下架"),
    "photos_added": ("success", "照片已上传"),
    "logo_saved": ("success", "标志已更新"),
    "inquiry_sent": ("success", "询价已发送，供应企业回复后您会在“我的询价”中看到提醒"),
    "reply_sent": ("success", "回复已发送"),
    "inquiry_closed": ("info", "询价已关闭"),
    "invitation_sent": ("success", "邀请邮件已发出：对方验证该邮箱并登录生产企业账号后即可接受"),
    "invitation_revoked": ("success", "邀请已撤回"),
    "invitation_accepted": ("success", "您已加入企业，可以一起管理企业信息和产品"),
    "photo_removed": ("success", "照片已删除"),
    "sources_saved": ("success", "原料来源已保存"),
    "base_created": ("success", "基地已登记，等待区农业农村委审核"),
    "base_saved": ("success", "基地信息已保存"),
    "certificate_created": ("success", "证书已登记，等待审核人员核验"),
    "certificate_saved": ("success", "证书已保存，需要重新核验"),
    "decision_saved": ("success", "审核意见已保存"),
    "brand_saved": ("success", "品牌信息已保存"),
    "licence_granted": ("success", "已授权该企业使用此品牌"),
    "licence_revoked": ("success", "已撤销该企业的品牌使用授权"),
    "session_expired": ("warning", "登录已过期，请重新登录"),
    "synonyms_saved": ("success", "同义词组已保存，搜索立即按新的词组理解查询"),
    "synonyms_deleted": ("success", "同义词组已删除"),
}


# Navigation per role, one place: (label, url). Anonymous visitors see PUBLIC_NAV.
CATALOG_NAV = [("产品目录", "/products"), ("企业名录", "/enterprises"), ("原料基地", "/bases"), ("品牌", "/brands")]
PUBLIC_NAV = [("首页", "/"), *CATALOG_NAV]
ROLE_NAV: dict[str, list[tuple[str, str]]] = {
    Role.admin: [
        ("首页", "/"),
        ("审核工作台", "/review/enterprises"),
        *CATALOG_NAV,
        ("系统管理", "/admin/users"),
    ],
    Role.reviewer: [("首页", "/"), ("审核工作台", "/review/enterprises"), *CATALOG_NAV],
    Role.producer: [("首页", "/"), ("我的企业", "/my/enterprise"), ("询价", "/inquiries"), *CATALOG_NAV],
    Role.buyer: [("首页", "/"), *CATALOG_NAV, ("我的询价", "/inquiries")],
}


def url_with(request: Request, **changes: Any) -> str:
    """The current URL with some query parameters replaced (None removes one): pagination and sort links."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in changes]
    params += [(k, str(v)) for k, v in changes.items() if v is not None]
    return request.url.path + ("?" + urlencode(params) if params else "")


def nav_for(user) -> list[tuple[str, str]]:
    return ROLE_NAV.get(user.role, PUBLIC_NAV) if user is not None else PUBLIC_NAV


def _gettext_translations() -> NullTranslations:
    # Source strings are Simplified Chinese; a second language adds locale/<lang>/LC_MESSAGES/messages.mo.
    return Translations.load(str(resource_dir("locale")), [LOCALE], domain="messages")


def local_time(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    if value is None:
        return "—"
    return value.astimezone(SHANGHAI).strftime(fmt)


def local_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = value.astimezone(SHANGHAI).date()
    return f"{value.year}年{value.month}月{value.day}日"


def approx_duration(hours: float | None) -> str:
    """A waiting time as people say it: "约 12 分钟" under an hour, "约 3.5 小时" under a day, "约 2 天" above."""
    if hours is None:
        return "—"
    minutes = hours * 60
    if minutes < 1:
        return "不到 1 分钟"
    if minutes < 59.5:
        return f"约 {round(minutes)} 分钟"
    if hours < 23.95:
        return f"约 {hours:.1f} 小时".replace(".0 ", " ")
    days = hours / 24
    return f"约 {days:.1f} 天".replace(".0 ", " ")


@cache
def templates() -> Jinja2Blocks:
    env = Environment(
        loader=FileSystemLoader(str(resource_dir("templates"))),
        extensions=["jinja2.ext.i18n"],
        autoescape=True,
        auto_reload=False,
    )
    t = Jinja2Blocks(env=env)
    env.install_gettext_translations(_gettext_translations(), newstyle=True)
    env.filters["local_time"] = local_time
    env.filters["local_date"] = local_date
    env.filters["approx_duration"] = approx_duration
    env.globals["app_version"] = __version__
    env.globals["role_labels"] = {r.value: label for r, label in ROLE_LABELS.items()}
    env.globals["Role"] = Role
    env.globals["static_version"] = __version__
    env.globals["nav_for"] = nav_for
    env.globals["url_with"] = url_with
    return t


def is_htmx(request: Request) -> bool:
    """An htmx request that wants a fragment (boosted navigation wants the whole page)."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def wants_block(request: Request, target: str) -> bool:
    """htmx asked for the element `target` alone: not a boosted navigation, and aimed at that element's id.

    A boosted link or form (HX-Boosted) swaps the page it gets, so it must get the whole page; so must an htmx
    request aimed at any other element. Answering either with a block, or a block's request with the whole page,
    puts one page inside another.
    """
    return is_htmx(request) and request.headers.get("HX-Target") == target


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    block: str | None = None,
    target: str | None = None,
    status_code: int = 200,
) -> Response:
    """Render a page, or only `block` of it when htmx asked for the element the block renders.

    `target` is the id of that element (the block's outermost tag); by default the block's name with hyphens
    (block "user_table" renders id="user-table").
    """
    ctx = {"request": request, "current_user": getattr(request.state, "principal", None)}
    ctx["csrf_token"] = getattr(request.state, "csrf_token", "")
    ctx["badges"] = getattr(request.state, "badges", {})
    ctx["flash"] = pop_flash(request)
    ctx.update(context or {})
    kwargs: dict[str, Any] = {}
    if block and wants_block(request, target or block.replace("_", "-")):
        kwargs["block_name"] = block
    response = templates().TemplateResponse(request, name, ctx, status_code=status_code, **kwargs)
    if ctx["flash"]:
        response.delete_cookie(FLASH_COOKIE, path="/")
    return response


def pop_flash(request: Request) -> tuple[str, str] | None:
    code = request.cookies.get(FLASH_COOKIE)
    return FLASH_MESSAGES.get(code) if code else None


def safe_next(target: str | None, default: str = "/") -> str:
    """Only same-site relative paths are followed after login (no open redirects)."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def redirect(request: Request, url: str, *, flash: str | None = None) -> Response:
    """Redirect after a successful post: 303 for forms, HX-Redirect for htmx."""
    if request.headers.get("HX-Request") == "true":
        response: Response = Response(status_code=204, headers={"HX-Redirect": url})
    else:
        response = RedirectResponse(url, status_code=303)
    if flash:
        response.set_cookie(FLASH_COOKIE, flash, max_age=60, httponly=True, samesite="lax", path="/")
    return response


def login_url(request: Request) -> str:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return "/login?next=" + quote(target, safe="/")


def form_version(data: dict[str, Any]) -> int:
    """Take the record version a form was loaded with out of its data; a form without one is refused (400)."""
    # Versions are 32-bit like ids: one the database could not hold (2147483648) is as garbled as a missing one.
    version = parse_id(data.pop("version", ""))
    if version is None:
        raise HTTPException(400, "表单缺少版本信息，请刷新页面后重试。")
    return version


def stale_changes(
    submitted: dict[str, Any], current: dict[str, Any], labels: dict[str, str]
) -> list[tuple[str, Any, Any]]:
    """(label, submitted, current) for each labelled field where the stale form and the record now differ."""

    def text(value: Any) -> str:
        return "" if value is None else str(value)

    return [
        (label, submitted.get(key), current.get(key))
        for key, label in labels.items()
        if key in submitted and text(submitted.get(key)) != text(current.get(key))
    ]


def conflict(request: Request, *, title: str, back_url: str, changes: list[tuple[str, Any, Any]]) -> Response:
    """The 409 page of a stale form: what the user submitted next to what the record holds now."""
    return render(
        request,
        "errors/conflict.html",
        {"title": title, "back_url": back_url, "changes": changes},
        status_code=409,
    )
