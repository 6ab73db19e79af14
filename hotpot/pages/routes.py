"""The public pages: home, service status, privacy policy, terms of service, contact."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from hotpot.db import SessionDep
from hotpot.deps import PublicUser
from hotpot.enterprises.models import PARK_GROUPS
from hotpot.hitpool import showcase
from hotpot.pages import service
from hotpot.web import render

router = APIRouter(include_in_schema=False)

# What each park group of the 一园三组团 is for (the plan's wording); the catalogue filters by the group's code.
PARK_GROUP_NOTES = {
    "nanxi": "肉类加工、火锅底料与复合调味料生产，火锅食材企业集聚区。",
    "longshi": "蔬菜加工、稻渔产品、粮油及水发产品，小微企业集聚发展。",
    "wuzun": "研发检测、冷链物流、中央厨房与预制菜。",
}
KIND_HINTS = {
    "shuifa": "毛肚、鸭肠、黄喉",
    "shuichan": "虾滑、鱼豆腐、鱼片",
    "rou": "肥牛卷、午餐肉、腰片",
    "zhiwudanbai": "腐竹、豆皮、面筋",
    "shucai": "魔芋、宽粉、藕片",
    "tiaoweiliao": "牛油底料、清油底料、蘸料",
}


@router.get("/")
def home(request: Request, session: SessionDep, user: PublicUser) -> Response:
    page = service.home(session)
    context = {
        "figures": page.figures,
        "district": service.DISTRICT_2024,
        "kinds": page.kinds,
        "kind_hints": KIND_HINTS,
        "park_groups": [(code, PARK_GROUPS[code], note) for code, note in PARK_GROUP_NOTES.items()],
        "showcase": showcase.home_teaser(session),  # hitpool: the 爆品展示 section (None: nothing graduated yet)
    }
    return render(request, "pages/home.html", context)


@router.get("/status")
def status_page(request: Request, session: SessionDep, user: PublicUser) -> Response:
    return render(request, "pages/status.html", {"health": service.health(session)})


@router.get("/privacy")
def privacy(request: Request, user: PublicUser) -> Response:
    return render(request, "pages/privacy.html")


@router.get("/terms")
def terms(request: Request, user: PublicUser) -> Response:
    return render(request, "pages/terms.html")


@router.get("/contact")
def contact(request: Request, user: PublicUser) -> Response:
    return render(request, "pages/contact.html")
