"""Flows that prove a mailbox: invitations, password reset by mail and by an admin, forced change, API tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from hotpot.audit.models import AuditEvent
from hotpot.auth import service
from hotpot.auth.models import ApiToken, User
from hotpot.enterprises import service as enterprise_service
from hotpot.mail.models import OutboxMail
from hotpot.validation import FieldErrors
from tests.auth.builders import PASSWORD, link_in, log_in, mails_to, make_user
from tests.enterprises.builders import make_enterprise, owner_of


def _register(client, email: str, role: str = "producer", password: str = "Spicy-Broth-2026"):
    form = {
        "role": role,
        "email": email,
        "display_name": "冒名者",
        "organization": "某某公司",
        "password": password,
        "password_confirm": password,
        "agree": "on",
    }
    return client.post("/register", data=form)


def _actions(db, user_id: int) -> list[str]:
    rows = db.scalars(
        select(AuditEvent.action).where(AuditEvent.entity_type == "user", AuditEvent.entity_id == str(user_id))
    )
    return list(rows)


# --- invitations ---------------------------------------------------------------------------------------------


def test_registering_an_invited_address_does_not_join_the_enterprise(client, make_client, db):
    """Issue 8: whoever registered colleague@... joined the enterprise and read its inquiries and scans."""
    enterprise = make_enterprise(db)
    owner = owner_of(db, enterprise)
    log_in(client, owner.email)
    assert client.post("/my/enterprise/invitations", data={"email": "colleague@yuhe.example"}).status_code == 303
    (invite_mail,) = mails_to(db, "colleague@yuhe.example", "invitation")
    assert enterprise.name in invite_mail.body

    intruder = make_client()
    assert _register(intruder, "colleague@yuhe.example").status_code == 200
    # The registration does not log in, and the account cannot log in before the mailbox is proven.
    assert intruder.get("/my/enterprise/new").status_code == 303
    refused = intruder.post("/login", data={"email": "colleague@yuhe.example", "password": "Spicy-Broth-2026"})
    assert refused.status_code == 401
    account = db.scalar(select(User).where(User.email == "colleague@yuhe.example"))
    assert account.enterprise_id is None
    # Even inside the service, an unverified account neither sees nor takes up the invitation.
    invitation = enterprise_service.invitations(db, enterprise=enterprise)[0]
    assert enterprise_service.invitations_for(db, user=account) == []
    with pytest.raises(FieldErrors, match="验证"):
        enterprise_service.accept_invitation(db, user=account, invitation_id=invitation.id)
    db.refresh(account)
    assert account.enterprise_id is None


def test_the_mailbox_owner_verifies_then_accepts(client, make_client, db):
    enterprise = make_enterprise(db)
    owner = owner_of(db, enterprise)
    log_in(client, owner.email)
    client.post("/my/enterprise/invitations", data={"email": "colleague@yuhe.example"})
    colleague = make_client()
    _register(colleague, "colleague@yuhe.example")
    token = link_in(mails_to(db, "colleague@yuhe.example", "verify_email")[0], "/verify-email").split("token=")[1]
    landed = colleague.post("/verify-email", data={"token": token})
    assert landed.headers["location"] == "/my/enterprise/new"  # a producer without an enterprise
    page = colleague.get("/my/enterprise/new")
    assert "邀请您加入企业" in page.text
    invitation_id = int(page.text.split("/my/invitations/")[1].split("/")[0])
    assert colleague.post(f"/my/invitations/{invitation_id}/accept").status_code == 303
    account = db.scalar(select(User).where(User.email == "colleague@yuhe.example"))
    assert account.enterprise_id == enterprise.id
    assert "user.verify_email" in _actions(db, account.id)


def test_a_second_registration_of_an_unverified_address_replaces_the_first(client, db):
    """A squatter's registration must not become the account: the mailbox owner's latest one does."""
    _register(client, "shared@yuhe.example", password="Squatter-Pass-77")
    first = link_in(mails_to(db, "shared@yuhe.example", "verify_email")[0], "/verify-email")
    _register(client, "shared@yuhe.example", password="Owners-Choice-88")
    second = link_in(mails_to(db, "shared@yuhe.example", "verify_email")[0], "/verify-email")
    assert first != second
    assert client.post("/verify-email", data={"token": first.split("token=")[1]}).status_code == 410
    assert client.post("/verify-email", data={"token": second.split("token=")[1]}).status_code == 303
    client.post("/logout")
    log_in(client, "shared@yuhe.example", "Owners-Choice-88")


def test_mail_of_a_rolled_back_change_is_never_sent(db):
    before = db.scalar(select(OutboxMail.id).order_by(OutboxMail.id.desc()).limit(1))
    nested = db.begin_nested()
    service.request_password_reset(db, email=make_user(db).email)
    nested.rollback()
    after = db.scalar(select(OutboxMail.id).order_by(OutboxMail.id.desc()).limit(1))
    assert after == before


# --- password reset by mail -------------------------------------------------------------------------------------


def test_forgot_password_answers_the_same_and_resets(client, make_client, db):
    user = make_user(db)
    other_device = make_client()
    log_in(other_device, user.email)
    raw_token, _ = service.issue_api_token(db, user=user, name="erp")
    login_page = client.get("/login").text
    assert 'href="/password/forgot"' in login_page

    known = client.post("/password/forgot", data={"email": user.email.upper()})
    unknown = client.post("/password/forgot", data={"email": "nobody@hotpot.example"})
    assert known.status_code == unknown.status_code == 200

    def answer(html: str, email: str) -> str:
        return html.split('id="check-email"')[1].split("</section>")[0].replace(email, "EMAIL")

    assert answer(known.text, user.email) == answer(unknown.text, "nobody@hotpot.example")
    assert mails_to(db, "nobody@hotpot.example") == []
    link = link_in(mails_to(db, user.email, "reset_password")[0], "/password/reset")
    assert client.get(link).status_code == 200
    token = link.split("token=")[1]

    bad = client.post("/password/reset", data={"token": token, "new_password": "abc", "new_password_confirm": "abd"})
    assert bad.status_code == 422
    assert 'id="err_new_password"' in bad.text
    assert 'id="err_new_password_confirm"' in bad.text
    ok = client.post(
        "/password/reset",
        data={"token": token, "new_password": "Brand-New-Tallow-5", "new_password_confirm": "Brand-New-Tallow-5"},
    )
    assert ok.status_code == 303
    assert ok.headers["location"] == "/login"
    # Every session and API token ended; the link is used up; the new password works.
    assert other_device.get("/account").status_code == 303
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw_token}"}).status_code == 401
    again = client.post(
        "/password/reset",
        data={"token": token, "new_password": "Another-Tallow-6", "new_password_confirm": "Another-Tallow-6"},
    )
    assert again.status_code == 410
    log_in(client, user.email, "Brand-New-Tallow-5")
    assert "user.password_reset" in _actions(db, user.id)


def test_reset_link_expires(client, db):
    from datetime import timedelta

    from sqlalchemy import update

    from hotpot.auth.models import OneTimeToken
    from hotpot.db import utcnow

    user = make_user(db)
    client.post("/password/forgot", data={"email": user.email})
    link = link_in(mails_to(db, user.email, "reset_password")[0], "/password/reset")
    db.execute(update(OneTimeToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    page = client.get(link)
    assert page.status_code == 410
    assert "无效、已使用或已过期" in page.text


# --- API tokens end with the password ----------------------------------------------------------------------------


def _token_works(client, raw: str) -> bool:
    return client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"}).status_code == 200


def test_password_change_revokes_api_tokens(client, db):
    """Issue 8: API tokens survived a password change."""
    user = make_user(db)
    raw, _ = service.issue_api_token(db, user=user, name="erp")
    log_in(client, user.email)
    assert _token_works(client, raw)
    page = client.get("/account").text
    assert "所有令牌都会被吊销" in page
    client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Fresh-Tallow-88",
            "new_password_confirm": "Fresh-Tallow-88",
        },
    )
    assert not _token_works(client, raw)
    assert client.get("/account").status_code == 200  # this browser stays logged in


def test_log_out_other_devices_revokes_api_tokens(client, make_client, db):
    user = make_user(db)
    raw, _ = service.issue_api_token(db, user=user, name="erp")
    other = make_client()
    log_in(other, user.email)
    log_in(client, user.email)
    assert client.post("/account/sessions/end-others").status_code == 303
    assert other.get("/account").status_code == 303
    assert not _token_works(client, raw)
    assert client.get("/account").status_code == 200
    assert db.scalar(select(ApiToken.revoked_at).where(ApiToken.user_id == user.id)) is not None


# --- admin reset and forced change --------------------------------------------------------------------------------


def test_admin_one_time_password_forces_a_change_everywhere(client, make_client, db):
    admin = make_user(db, role="admin")
    target = make_user(db, role="reviewer")
    raw, _ = service.issue_api_token(db, user=target, name="erp")
    target_client = make_client()
    log_in(target_client, target.email)
    log_in(client, admin.email)
    issued = client.post(f"/admin/users/{target.id}/reset-password", data={"mode": "password"})
    assert issued.status_code == 200
    one_time = issued.text.split('id="one-time-password">')[1].split("<")[0]
    assert issued.headers["cache-control"] == "no-store"
    # The old session and token ended.
    assert target_client.get("/account").status_code == 303
    assert not _token_works(client, raw)

    login = target_client.post("/login", data={"email": target.email, "password": one_time})
    assert login.headers["location"] == "/account/password"
    for path in ("/", "/account", "/verify/enterprises", "/products"):
        response = target_client.get(path)
        assert response.status_code == 303, path
        assert response.headers["location"] == "/account/password", path
    assert target_client.get("/account/password").status_code == 200
    token = target_client.post("/api/v1/auth/token", data={"username": target.email, "password": one_time})
    assert token.status_code == 403
    same = target_client.post(
        "/account/password",
        data={"current_password": one_time, "new_password": one_time, "new_password_confirm": one_time},
    )
    assert same.status_code == 422
    changed = target_client.post(
        "/account/password",
        data={
            "current_password": one_time,
            "new_password": "Reviewer-Own-77",
            "new_password_confirm": "Reviewer-Own-77",
        },
    )
    assert changed.status_code == 303
    assert changed.headers["location"] == "/verify/enterprises"
    assert target_client.get("/verify/enterprises").status_code == 200
    assert "user.password_reset_by_admin" in _actions(db, target.id)


def test_admin_sends_a_reset_link(client, db):
    admin = make_user(db, role="admin")
    target = make_user(db, role="buyer")
    log_in(client, admin.email)
    response = client.post(f"/admin/users/{target.id}/reset-password", data={"mode": "link"})
    assert response.status_code == 303
    (mail,) = mails_to(db, target.email, "reset_password")
    assert "平台管理员" in mail.body
    events = db.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "user.password_reset_request", AuditEvent.entity_id == str(target.id)
        )
    ).all()
    assert [e.actor_id for e in events] == [admin.id]


def test_admin_created_account_must_change_its_password(client, make_client, db):
    admin = make_user(db, role="admin")
    log_in(client, admin.email)
    created = client.post(
        "/admin/users", data={"email": "new-staff@hotpot.example", "display_name": "新同事", "role": "reviewer"}
    )
    one_time = created.text.split('id="one-time-password">')[1].split("<")[0]
    newcomer = make_client()
    login = newcomer.post("/login", data={"email": "new-staff@hotpot.example", "password": one_time})
    assert login.headers["location"] == "/account/password"
    assert newcomer.get("/verify/enterprises").headers["location"] == "/account/password"
