"""The batch pages: the pool's home, the form (errors next to their fields, the rubric editor's rows), the overview
with its timeline and buttons, transitions with their refusals, the frozen and read-only forms, and the API."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from hotpot.auth import service as auth_service
from hotpot.hitpool import batches
from hotpot.hitpool.enums import BatchStatus
from hotpot.hitpool.models import Batch
from tests.auth.builders import log_in, make_user
from tests.hitpool.builders import make_batch, make_candidate
from tests.hitpool.test_batches import batch_form


@pytest.fixture
def staff(db):
    return make_user(db, role="reviewer", display_name="张科员")


@pytest.fixture
def browser(staff, make_client):
    c = make_client()
    log_in(c, staff.email)
    return c


def test_the_pool_home_says_what_to_do_when_empty(browser):
    page = browser.get("/pool")
    assert page.status_code == 200
    assert "还没有批次" in page.text
    assert "新建批次" in page.text


def test_the_pool_home_lists_batches_with_labels_windows_and_counts(db, browser):
    batch = make_batch(db, name="2026年第一批", status="open", quota=12)
    make_candidate(db, batch=batch, status="submitted")
    make_batch(db, name="2024年第一批", status="published", year=2024)
    page = browser.get("/pool")
    assert page.status_code == 200
    assert page.text.index("2026年第一批") < page.text.index("2024年第一批")
    assert "申报中" in page.text
    assert "已提交 1" in page.text
    assert "open" not in re.sub(r"<[^>]+>", "", page.text)
    filtered = browser.get("/pool?status=published&year=2024")
    assert "2024年第一批" in filtered.text
    assert "2026年第一批" not in filtered.text
    assert "没有符合条件的批次" in browser.get("/pool?status=notice").text


def test_the_new_form_is_prefilled_with_the_default_rubric(browser):
    page = browser.get("/pool/batches/new")
    assert page.status_code == 200
    for name in ("市场潜力", "产品创新", "质量与标准", "品牌影响", "产能与供应稳定", "本地原料占比"):
        assert f'value="{name}"' in page.text
    assert "<strong>100</strong> / 100" in page.text
    assert "始终要求" in page.text  # the verified enterprise rule, said out loud


def test_a_bad_form_comes_back_with_every_error_next_to_its_field_and_the_input_kept(db, browser):
    form = batch_form(name="2026年错误批次", quota="0", c0_weight="20", c3_b0_min="9", c3_b0_max="12")
    response = browser.post("/pool/batches/new", data=form)
    assert response.status_code == 422
    text = response.text
    assert 'id="err_quota"' in text
    assert "不能小于 1" in text
    assert 'id="err_criteria"' in text
    assert "当前合计为 95" in text
    assert "<strong>95</strong> / 100" in text
    assert "分数段须在 0–10 分之间" in text
    assert 'value="2026年错误批次"' in text
    assert db.scalar(select(Batch).where(Batch.name == "2026年错误批次")) is None


def test_another_row_is_added_without_saving(db, browser):
    response = browser.post("/pool/batches/new", data={**batch_form(), "add_row": "1"})
    assert response.status_code == 200
    assert 'name="rows" value="7"' in response.text
    assert 'name="c6_name"' in response.text
    assert db.scalar(select(Batch).where(Batch.name == "2026年测试一批")) is None


def test_creating_a_batch_leads_to_its_overview(db, browser, staff):
    response = browser.post("/pool/batches/new", data=batch_form(manager_id=str(staff.id)))
    assert response.status_code == 303
    batch = db.scalars(select(Batch).where(Batch.name == "2026年测试一批")).one()
    assert response.headers["location"] == f"/pool/batches/{batch.id}"
    page = browser.get(response.headers["location"])
    assert page.status_code == 200
    assert "批次已创建" in page.text
    assert "开放申报" in page.text
    assert "张科员" in page.text
    for status in BatchStatus:
        assert status.label in page.text
    assert 'aria-current="step"' in page.text


def test_a_transition_moves_the_batch_and_a_refusal_is_explained(db, browser):
    batch = make_batch(db, status="screening")
    response = browser.post(
        f"/pool/batches/{batch.id}/transition", data={"name": "review", "version": batch.version, "note": "开始"}
    )
    assert response.status_code == 409
    assert "还没有通过形式审查的申报" in response.text
    assert batch.status == BatchStatus.screening
    make_candidate(db, batch=batch)
    response = browser.post(f"/pool/batches/{batch.id}/transition", data={"name": "review", "version": batch.version})
    assert response.status_code == 303
    db.refresh(batch)
    assert batch.status == BatchStatus.reviewing
    assert batch.rubric_frozen_at is not None
    stale = browser.post(f"/pool/batches/{batch.id}/transition", data={"name": "decide", "version": 1})
    assert stale.status_code == 409


def test_the_overview_shows_a_guard_before_it_is_pressed(db, browser):
    batch = make_batch(db, status="open", apply_opens_on=batches.today() + timedelta(days=2))
    page = browser.get(f"/pool/batches/{batch.id}")
    assert "才开始，开始之前不能截止申报" in page.text
    assert "disabled" in page.text


def test_the_frozen_rubric_is_shown_read_only_and_refused(db, browser):
    batch = make_batch(db, status="reviewing")
    page = browser.get(f"/pool/batches/{batch.id}/edit")
    assert page.status_code == 200
    assert "评分细则已冻结" in page.text
    assert 'name="c0_name"' not in page.text
    response = browser.post(
        f"/pool/batches/{batch.id}/edit", data={**batch_form(c0_weight="30", c5_weight="5"), "version": batch.version}
    )
    assert response.status_code == 409
    assert batches.FROZEN_MESSAGE in response.text


def test_a_published_batch_cannot_be_edited(db, browser):
    batch = make_batch(db, status="published")
    page = browser.get(f"/pool/batches/{batch.id}/edit")
    assert "只能查看" in page.text
    assert "保存批次" not in page.text
    values = dict(batches.values_of(batch).items())
    response = browser.post(f"/pool/batches/{batch.id}/edit", data={**values, "quota": "99"})
    assert response.status_code == 409
    db.refresh(batch)
    assert batch.quota != 99


def test_editing_saves_and_a_stale_form_gets_the_conflict_page(db, browser):
    batch = make_batch(db, status="draft")
    values = batches.values_of(batch)
    ok = browser.post(f"/pool/batches/{batch.id}/edit", data={**values, "quota": "20"})
    assert ok.status_code == 303
    stale = browser.post(f"/pool/batches/{batch.id}/edit", data={**values, "quota": "30"})
    assert stale.status_code == 409
    assert "入库名额" in stale.text  # what the stale form said next to what the batch holds now
    db.refresh(batch)
    assert batch.quota == 20


def test_the_api_lists_batches_for_staff_only(db, staff, make_client):
    batch = make_batch(db, name="2026年接口批次", status="open")
    make_candidate(db, batch=batch, status="submitted")
    token, _ = auth_service.issue_api_token(db, user=staff, name="t")
    client = make_client()
    body = client.get("/api/v1/batches?status=open", headers={"Authorization": f"Bearer {token}"}).json()
    item = next(i for i in body["items"] if i["id"] == batch.id)
    assert (item["status"], item["status_label"], item["candidate_counts"]) == ("open", "申报中", {"submitted": 1})
    assert item["apply_opens_on"] == batch.apply_opens_on.isoformat()
    assert item["quota"] == batch.quota
    assert {"total", "page", "page_size"} <= body.keys()
    producer_token, _ = auth_service.issue_api_token(db, user=make_user(db, role="producer"), name="t")
    refused = client.get("/api/v1/batches", headers={"Authorization": f"Bearer {producer_token}"})
    assert refused.status_code == 403
    assert client.get("/api/v1/batches?status=bogus", headers={"Authorization": f"Bearer {token}"}).status_code == 422


def test_the_filter_form_gets_only_the_results_block(db, browser):
    make_batch(db, name="2026年片段批次", status="open")
    headers = {"HX-Request": "true", "HX-Target": "results"}
    response = browser.get("/pool?status=open", headers=headers)
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<section class="card" id="results">')
    assert "2026年片段批次" in response.text
