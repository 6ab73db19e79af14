"""In a browser: an expert finds the task in the queue, sends an incomplete form (every error shown), submits, then
sees the other experts' scores and joins the discussion; staff read the candidate page with the disagreement flag.
At 1280 and 375 px: nothing wider than the phone. Screenshots when HOTPOT_SCREENSHOTS names a folder."""

from __future__ import annotations

import pytest

from hotpot.auth.models import User
from hotpot.deps import SESSION_COOKIE
from hotpot.hitpool.models import Post
from tests.auth.builders import make_user
from tests.browser.conftest import screenshot
from tests.concurrency.conftest import LiveApp, live  # noqa: F401  (the live app fixture)
from tests.enterprises.builders import make_enterprise, make_product
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert, make_review

pytestmark = pytest.mark.browser

PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 800}


@pytest.fixture(scope="module")
def scene(live: LiveApp):  # noqa: F811
    from hotpot.auth import service as auth_service

    with live.write() as s:
        staff = make_user(s, role="reviewer", display_name="王晓梅")
        batch = make_batch(s, status="reviewing", manager=staff, name="2026年第二批爆品培育（评审演示）")
        ent = make_enterprise(s, name="重庆合川渝味火锅食品有限公司")
        product = make_product(s, enterprise=ent, name="手工牛油火锅底料")
        candidate = make_candidate(s, batch=batch, enterprise=ent, product=product)
        a = make_expert(s, name="李明", organization="西南大学食品科学学院", title="教授")
        b = make_expert(s, name="张华", organization="重庆市农业科学院", title="研究员")
        c = make_expert(s, name="陈静", organization="重庆市火锅协会", title="高级经济师")
        for e in (a, b, c):
            assign(s, candidate, e, by=staff)
        rb = make_review(s, candidate=candidate, expert=b, scores=9, recommendation="strong_accept", confidence=5)
        rb.comment = "牛油底料风味稳定，渠道覆盖全国连锁门店，建议入库重点培育。"
        rc = make_review(s, candidate=candidate, expert=c, scores=5, recommendation="borderline", confidence=3)
        rc.comment = "本地原料占比数据缺少佐证，产能扩张计划不清晰。"
        s.add(Post(candidate_id=candidate.id, author_id=c.user_id, body="请企业补充本地牛油采购合同。"))
        for name in ("鲜切毛肚", "火锅川粉", "麻辣鸭血"):
            other = make_candidate(s, batch=batch, product=make_product(s, enterprise=make_enterprise(s), name=name))
            assign(s, other, a, by=staff)
        tokens = {}
        for key, user_id in (("expert", a.user_id), ("staff", staff.id)):
            tokens[key] = auth_service.start_session(s, user=s.get(User, user_id))
        ids = {"candidate": candidate.id, "criteria": [cr.id for cr in batch.criteria]}
    return tokens, ids


def _page(browser, live, token, viewport):  # noqa: F811
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    context.add_cookies([{"name": SESSION_COOKIE, "value": token, "url": live.base_url}])
    pg = context.new_page()
    pg.set_default_timeout(15000)
    return context, pg


def _fits(pg) -> None:
    width = pg.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{pg.url} is {width}px wide on a phone"


def test_an_expert_scores_and_staff_read_the_disagreement(browser, live, scene):  # noqa: F811
    tokens, ids = scene
    cid = ids["candidate"]
    context, pg = _page(browser, live, tokens["expert"], DESKTOP)
    try:
        pg.goto(live.base_url + "/expert")
        assert pg.locator("h1").inner_text() == "评审任务"
        assert "0 / 4" in pg.locator(".queue-count").first.inner_text()
        screenshot(pg, "reviews-queue-1280")
        pg.click(f"a[href='/expert/candidates/{cid}'] >> nth=0")
        assert "您的评审提交后，才能看到其他专家的评分和意见" in pg.content()
        assert "牛油底料风味稳定" not in pg.content()
        first = ids["criteria"][0]
        pg.fill(f"#id_score_{first}", "11")
        pg.click("button[value=submit]")
        assert pg.locator("#form-errors").is_visible()
        assert "分数须在 0 到 10 之间" in pg.locator(f"#field-score_{first}").inner_text()
        assert pg.locator(".field-error").count() >= 8
        screenshot(pg, "reviews-form-errors-1280")
        for i, criterion in enumerate(ids["criteria"]):
            pg.fill(f"#id_score_{criterion}", "7.5" if i % 2 else "8")
        pg.check("input[name=recommendation][value=accept]")
        pg.check("input[name=confidence][value='4']")
        pg.fill("#id_comment", "产品口味稳定，品牌有一定知名度；建议补充本地原料采购证明。")
        pg.click("button[value=submit]")
        pg.wait_for_url(lambda url: url.endswith("#others"))
        others = pg.locator("#others").inner_text()
        assert "专家 B" in others
        assert "专家 C" in others
        assert "张华" not in others
        assert "专家意见分歧较大" in others
        pg.fill("#id_body", "同意补充原料证明，其余指标我给分中等偏上。")
        pg.click("#discussion button[type=submit]")
        pg.wait_for_url(lambda url: url.endswith("#discussion"))
        assert "同意补充原料证明" in pg.locator("#discussion").inner_text()
        screenshot(pg, "reviews-after-submit-1280")
        pg.set_viewport_size(PHONE)
        pg.goto(live.base_url + f"/expert/candidates/{cid}")
        _fits(pg)
        screenshot(pg, "reviews-after-submit-375")
        pg.goto(live.base_url + "/expert")
        _fits(pg)
        screenshot(pg, "reviews-queue-375")
    finally:
        context.close()

    context, pg = _page(browser, live, tokens["staff"], DESKTOP)
    try:
        pg.goto(live.base_url + f"/pool/candidates/{cid}")
        text = pg.locator("#reviews").inner_text()
        for name in ("李明", "张华", "陈静"):
            assert name in text
        assert "专家意见分歧较大" in text
        assert "同意补充原料证明" in pg.locator("#discussion").inner_text()
        screenshot(pg, "reviews-staff-candidate-1280")
        pg.set_viewport_size(PHONE)
        pg.reload()
        _fits(pg)
        screenshot(pg, "reviews-staff-candidate-375")
    finally:
        context.close()


def test_the_form_with_errors_fits_a_phone(browser, live, scene):  # noqa: F811
    tokens, _ids = scene
    context, pg = _page(browser, live, tokens["expert"], PHONE)
    try:
        # Another candidate of the queue, not reviewed yet.
        pg.goto(live.base_url + "/expert")
        pg.click("text=开始评审 >> nth=0")
        pg.click("button[value=submit]")
        assert pg.locator("#form-errors").is_visible()
        _fits(pg)
        screenshot(pg, "reviews-form-errors-375")
    finally:
        context.close()
