"""The pool's decision pages in a real browser at 1280 and 375 px: the ranking, the public notice, the objections
and the dossier (also as printed); nothing wider than a phone, no console errors. HOTPOT_SCREENSHOTS keeps them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import create_engine

from hotpot.db import AppSession
from hotpot.enterprises import codes
from tests.browser.conftest import log_in, screenshot
from tests.browser.test_every_page import ACCOUNTS, _browser_database_url

PRODUCTS = [
    ("重庆渝味千层毛肚有限公司", "千层毛肚"),
    ("合川花椒调味品有限公司", "青花椒火锅底料"),
    ("钓鱼城食品有限公司", "手工红薯宽粉"),
    ("涞滩古镇豆制品厂", "鲜腐竹"),
    ("渭沱肉类加工有限公司", "精品黄喉"),
    ("三汇水产合作社", "冷鲜鸭肠"),
]


@pytest.fixture(scope="module")
def scene(live_server, server_url):
    from hotpot.auth.models import User
    from hotpot.hitpool import decisions
    from hotpot.hitpool.models import Objection, Post
    from tests.enterprises.builders import make_enterprise, make_product
    from tests.hitpool.builders import make_batch, make_candidate, make_expert, make_review

    engine = create_engine(_browser_database_url(server_url))
    with AppSession(engine) as s:
        from sqlalchemy import select

        staff = s.scalars(select(User).where(User.email == ACCOUNTS["reviewer"][0])).one()
        deciding = make_batch(s, status="deciding", manager=staff, quota=3, name="2026年截图批次（拟定）")
        notice = make_batch(s, status="deciding", manager=staff, quota=2, name="2026年截图批次（公示）")
        experts = [make_expert(s, name=n) for n in ("张明远", "李秀芬", "王志强")]
        ids = {}
        for batch, offset in ((deciding, 0), (notice, 50)):
            for n, (enterprise_name, product_name) in enumerate(PRODUCTS):
                e = make_enterprise(s, name=enterprise_name, uscc=codes.demo_uscc(90000 + offset + n))
                p = make_product(s, enterprise=e, name=product_name)
                c = make_candidate(s, batch=batch, enterprise=e, product=p)
                for k, expert in enumerate(experts):
                    if (n + k) % 4 != 3:
                        make_review(s, candidate=c, expert=expert, scores=min(10, 3 + k + (n * 3 + k * 2) % 6))
                ids.setdefault(batch.id, []).append(c)
        s.add(Post(candidate_id=ids[deciding.id][0].id, author_id=staff.id, body="产能数据请企业补充说明。"))
        first, second = ids[deciding.id][0], ids[deciding.id][1]
        decisions.propose(s, actor=staff, candidate=first, form={"outcome": "accepted"}, version=0)
        decisions.propose(
            s, actor=staff, candidate=second, form={"outcome": "revise", "note": "请补充第三方检测报告"}, version=0
        )
        for c in ids[notice.id][:3]:
            decisions.propose(s, actor=staff, candidate=c, form={"outcome": "accepted"}, version=0)
        decisions.on_notice(s, notice, staff)
        notice.status = "notice"
        notice.notice_starts_on = decisions.today() - timedelta(days=1)
        s.flush()
        buyer = s.scalars(select(User).where(User.email == ACCOUNTS["buyer"][0])).one()
        for c, reasons in (
            (ids[notice.id][0], "该产品上年销售额与我公司采购记录明显不符，请核实申报数据的真实性。"),
            (ids[notice.id][1], "该企业去年曾有抽检不合格记录，建议复核质量与标准一项的评分。"),
        ):
            s.add(Objection(batch_id=notice.id, candidate_id=c.id, raised_by_id=buyer.id, reasons=reasons))
        s.flush()
        pending = s.scalars(select(Objection).where(Objection.batch_id == notice.id)).all()
        decisions.handle_objection(
            s,
            actor=staff,
            objection=pending[1],
            form={"action": "dismissed", "reason": "经核实抽检已整改合格"},
            version=pending[1].version,
        )
        s.commit()
        out = {"deciding": deciding.id, "notice": notice.id, "candidate": first.id}
    engine.dispose()
    return out


def _check(pg, name: str) -> None:
    for width, height in ((1280, 800), (375, 812)):
        pg.set_viewport_size({"width": width, "height": height})
        pg.reload()
        screenshot(pg, f"decisions-{name}-{width}")
        if width == 375:
            wide = pg.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 375, f"{name} is {wide}px wide at 375px"


def test_decision_pages(browser, live_server, scene):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="zh-CN")
    pg = context.new_page()
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    pg.goto(f"{live_server}/notices/{scene['notice']}")
    assert "拟入库产品名单" in pg.content()
    _check(pg, "notice-anonymous")
    log_in(pg, live_server, *ACCOUNTS["reviewer"])
    for name, path in (
        ("ranking", f"/pool/batches/{scene['deciding']}/ranking"),
        ("ranking-raw", f"/pool/batches/{scene['deciding']}/ranking?sort=raw"),
        ("objections", f"/pool/batches/{scene['notice']}/objections"),
        ("dossier", f"/pool/candidates/{scene['candidate']}/dossier"),
        ("notice-logged-in", f"/notices/{scene['notice']}"),
    ):
        response = pg.goto(live_server + path)
        assert response.status == 200, path
        _check(pg, name)
    pg.set_viewport_size({"width": 1280, "height": 800})
    pg.emulate_media(media="print")
    pg.goto(f"{live_server}/pool/candidates/{scene['candidate']}/dossier")
    assert not pg.is_visible(".site-header")
    screenshot(pg, "decisions-dossier-print-1280")
    pg.set_viewport_size({"width": 375, "height": 812})
    screenshot(pg, "decisions-dossier-print-375")
    context.close()
    assert errors == []
