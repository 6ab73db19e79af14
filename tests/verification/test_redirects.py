"""The desk moved from /review/... to /verify/...: old addresses redirect, and the pages show the allowed decisions."""

from __future__ import annotations

from hotpot.bases.models import BaseStatus
from hotpot.enterprises.models import EnterpriseStatus
from tests.auth.builders import log_in, make_user
from tests.bases.builders import make_base
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise


def _reviewer(client, db):
    log_in(client, make_user(db, role="reviewer").email)


def test_old_pages_redirect_permanently_with_their_query_string(client, db):
    for old, new in [
        ("/review/enterprises", "/verify/enterprises"),
        (
            "/review/enterprises?status=verified&q=%E6%AF%9B%E8%82%9A",
            "/verify/enterprises?status=verified&q=%E6%AF%9B%E8%82%9A",
        ),
        ("/review/bases/12?status=pending", "/verify/bases/12?status=pending"),
        ("/review/certificates", "/verify/certificates"),
    ]:
        response = client.get(old)  # anonymous: the redirect tells nothing, the page itself asks for a login
        assert response.status_code == 301, old
        assert response.headers["location"] == new
    assert client.get("/verify/enterprises").status_code == 303  # the new page keeps its rule


def test_an_old_form_is_sent_on_with_308_and_decides_once_it_arrives(client, db):
    enterprise = make_enterprise(db, status="pending")
    _reviewer(client, db)
    form = {"action": "verify", "version": str(enterprise.version)}
    moved = client.post(f"/review/enterprises/{enterprise.id}/status", data=form)
    assert moved.status_code == 308  # the browser posts the same form again, to the new address
    assert moved.headers["location"] == f"/verify/enterprises/{enterprise.id}/status"
    db.refresh(enterprise)
    assert enterprise.status == EnterpriseStatus.pending  # the redirect itself decided nothing
    arrived = client.post(moved.headers["location"], data=form)
    assert arrived.status_code == 303
    db.refresh(enterprise)
    assert enterprise.status == EnterpriseStatus.verified


def test_the_navigation_and_the_landing_page_name_the_new_desk(client, db):
    user = make_user(db, role="reviewer")
    response = log_in(client, user.email)
    assert response.headers["location"] == "/verify/enterprises"
    page = client.get("/verify/enterprises").text
    assert 'href="/verify/enterprises"' in page
    assert "/review/" not in page


def test_each_page_shows_only_the_decisions_its_state_allows(client, db):
    _reviewer(client, db)
    pending = make_enterprise(db, status="pending")
    page = client.get(f"/verify/enterprises/{pending.id}").text
    assert 'value="verify"' in page
    assert 'value="reject"' in page
    assert 'value="suspend"' not in page
    assert 'value="reinstate"' not in page
    verified = make_enterprise(db)
    page = client.get(f"/verify/enterprises/{verified.id}").text
    assert 'value="suspend"' in page
    assert "暂停公开展示" in page
    assert 'value="verify"' not in page
    # A verified base could be "verified" again before, which only ever answered 该基地已认证.
    base = make_base(db)
    assert base.status == BaseStatus.verified
    page = client.get(f"/verify/bases/{base.id}").text.split('id="decision"', 1)[1]
    assert 'value="reject"' in page
    assert 'value="verify"' not in page
    cert = make_certificate(db, verified=False)
    page = client.get(f"/verify/certificates/{cert.id}").text.split('id="decision"', 1)[1]
    assert 'value="verify"' in page
    assert 'value="reject"' in page


def test_a_decision_the_state_no_longer_allows_is_shown_next_to_the_buttons(client, db):
    """Another reviewer suspended the enterprise meanwhile; this tab still offers 退回修改 on a fresh version."""
    enterprise = make_enterprise(db)
    _reviewer(client, db)
    response = client.post(
        f"/verify/enterprises/{enterprise.id}/status",
        data={"action": "reject", "reason": "营业执照已过期", "version": str(enterprise.version)},
    )
    assert response.status_code == 422
    assert "当前状态为“已认证”，不能执行此操作" in response.text
    db.refresh(enterprise)
    assert enterprise.status == EnterpriseStatus.verified
