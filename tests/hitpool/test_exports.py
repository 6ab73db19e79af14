"""The ranking and decision lists as XLSX and the ranking API: Chinese headers, one row per candidate, conflicts."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from hotpot.auth import service as auth_service
from hotpot.hitpool import decisions
from hotpot.hitpool.models import Tie
from tests.auth.builders import log_in, make_user
from tests.hitpool.builders import make_batch, make_candidate, make_expert, make_review


@pytest.fixture
def scene(db):
    staff = make_user(db, role="reviewer")
    conflicted = make_user(db, role="reviewer")
    batch = make_batch(db, status="deciding", manager=staff, quota=1)
    e = make_expert(db)
    top = make_candidate(db, batch=batch)
    top.product.name = "排第一的毛肚"
    tied = make_candidate(db, batch=batch)
    tied.product.name = "有关联的鸭肠"
    make_review(db, candidate=top, expert=e, scores=9)
    make_review(db, candidate=tied, expert=e, scores=6)
    db.add(Tie(user_id=conflicted.id, enterprise_id=tied.enterprise_id, reason="亲属任职"))
    db.flush()
    decisions.propose(db, actor=staff, candidate=top, form={"outcome": "accepted"}, version=0)
    decisions.propose(db, actor=staff, candidate=tied, form={"outcome": "revise", "note": "请补充检测报告"}, version=0)
    return staff, conflicted, batch


def _sheet(response):
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    return [list(r) for r in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True)]


def test_ranking_xlsx(db, scene, make_client):
    staff, _, batch = scene
    c = make_client()
    log_in(c, staff.email)
    rows = _sheet(c.get(f"/pool/batches/{batch.id}/ranking.xlsx"))
    header = rows[0]
    assert header[:6] == ["排名", "产品", "企业", "品类", "标准化得分", "平均加权总分"]
    assert "意见分歧" in header
    assert "配额线内" in header
    assert "拟定决定" in header
    assert [r[1] for r in rows[1:]] == ["排第一的毛肚", "有关联的鸭肠"]
    first = dict(zip(header, rows[1], strict=True))
    assert (first["排名"], first["平均加权总分"], first["配额线内"], first["拟定决定"]) == (1, 90.0, "是", "入库")


def test_decisions_xlsx(db, scene, make_client):
    staff, _, batch = scene
    c = make_client()
    log_in(c, staff.email)
    rows = _sheet(c.get(f"/pool/batches/{batch.id}/decisions.xlsx"))
    assert rows[0] == ["排名", "产品", "企业", "品类", "决定", "给企业的说明", "状态"]
    assert rows[2][4:] == ["修改后再申报", "请补充检测报告", "拟定"]


def test_a_conflicted_staff_member_has_no_row_in_the_exports_or_the_api(db, scene, make_client):
    _, conflicted, batch = scene
    c = make_client()
    log_in(c, conflicted.email)
    for path in (f"/pool/batches/{batch.id}/ranking.xlsx", f"/pool/batches/{batch.id}/decisions.xlsx"):
        names = [r[1] for r in _sheet(c.get(path))[1:]]
        assert names == ["排第一的毛肚"], path
    token, _ = auth_service.issue_api_token(db, user=conflicted, name="test")
    api = make_client().get(f"/api/v1/batches/{batch.id}/ranking", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 200
    body = api.json()
    assert body["total"] == 1
    assert [i["product"] for i in body["items"]] == ["排第一的毛肚"]


def test_the_ranking_api_has_the_list_shape(db, scene, make_client):
    staff, _, batch = scene
    token, _ = auth_service.issue_api_token(db, user=staff, name="test")
    headers = {"Authorization": f"Bearer {token}"}
    body = make_client().get(f"/api/v1/batches/{batch.id}/ranking?order=raw&page_size=1", headers=headers).json()
    assert set(body) == {"items", "total", "page", "page_size"}
    assert body["total"] == 2
    assert len(body["items"]) == 1
    item = body["items"][0]
    assert (item["rank"], item["product"], item["above_quota"], item["decision"]) == (
        1,
        "排第一的毛肚",
        True,
        "accepted",
    )
    buyer_token, _ = auth_service.issue_api_token(db, user=make_user(db, role="buyer"), name="t")
    denied = make_client().get(
        f"/api/v1/batches/{batch.id}/ranking", headers={"Authorization": f"Bearer {buyer_token}"}
    )
    assert denied.status_code == 403
