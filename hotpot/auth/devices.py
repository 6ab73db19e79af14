"""A signed-in device in words ("Chrome · Linux"), from its User-Agent header.

A dozen browser families and six systems cover what the platform's users run (desktop and phone browsers, WeChat's
and QQ's built-in ones); a full parser (ua-parser's regex list) is a dependency to keep current for a label.
"""

from __future__ import annotations

import re

# Order matters: many browsers also name Chrome or Safari in their header, so the specific ones come first.
_BROWSERS = [
    ("MicroMessenger/", "微信"),
    ("DingTalk/", "钉钉"),
    ("MQQBrowser/", "QQ 浏览器"),
    ("QQBrowser/", "QQ 浏览器"),
    ("UCBrowser/", "UC 浏览器"),
    ("360SE", "360 浏览器"),
    ("QihooBrowser", "360 浏览器"),
    ("Edg/", "Edge"),
    ("EdgA/", "Edge"),
    ("EdgiOS/", "Edge"),
    ("OPR/", "Opera"),
    ("HuaweiBrowser/", "华为浏览器"),
    ("MiuiBrowser/", "小米浏览器"),
    ("Firefox/", "Firefox"),
    ("FxiOS/", "Firefox"),
    ("CriOS/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("HeadlessChrome/", "Chrome"),
    ("Chrome/", "Chrome"),
    ("Safari/", "Safari"),
    ("python-httpx/", "程序（httpx）"),
    ("python-requests/", "程序（requests）"),
    ("curl/", "程序（curl）"),
    ("testclient", "程序"),
]
_SYSTEMS = [
    (re.compile(r"HarmonyOS|OpenHarmony"), "HarmonyOS"),
    (re.compile(r"iPhone|iPad|iPod"), "iOS"),
    (re.compile(r"Android"), "Android"),
    (re.compile(r"Windows"), "Windows"),
    (re.compile(r"Mac OS X|Macintosh"), "macOS"),
    (re.compile(r"CrOS"), "ChromeOS"),
    (re.compile(r"Linux|X11"), "Linux"),
]


def describe(user_agent: str | None) -> str:
    """ "Chrome · Linux", "微信 · iOS", or "未知设备"."""
    ua = user_agent or ""
    browser = next((name for needle, name in _BROWSERS if needle in ua), None)
    system = next((name for pattern, name in _SYSTEMS if pattern.search(ua)), None)
    parts = [p for p in (browser, system) if p]
    return " · ".join(parts) if parts else "未知设备"
