"""Admin pages: create staff accounts, disable, change roles, optimistic locking, audit."""

from __future__ import annotations

from sqlalchemy import func, select

from hotpot.audit.models import AuditEvent
from hotpot.auth.models import User
from tests.auth.builders import log_in, make_user


def _admin_client(client, db):
    admin = make_user(db, role="admin")
    log_in(client, admin.email)
    return admin


def test_create_reviewer_shows_one_time_password_once(client, db):
    _admin_client(client, db)
    response = client.post(
        "/admin/users", data={"email": "Reviewer.Li@hotpot.example", "display_name": "李审核", "role": "reviewer"}
    )
    assert response.status_code == 201
    assert response.headers["cache-control"] == "no-store"
    user = db.scalar(select(User).where(User.email == "reviewer.li@hotpot.example"))
    assert user.role == "reviewer"
    password = response.text.split('id="one-time-password">')[1].split("<")[0]
    assert len(password) >= 12
    assert password not in user.password_hash
    # The new reviewer can log in with it.
    client.post("/logout")
    log_in(client, user.email, password)


def test_create_user_bad_input_kept_and_nothing_written(client, db):
    _admin_client(client, db)
    before = db.scalar(select(func.count()).select_from(User))
    response = client.post("/admin/users", data={"email": "bad", "display_name": "李", "role": "chef"})
    assert response.status_code == 422
    assert "邮箱格式不正确" in response.text
    assert "至少需要 2 个字符" in response.text
    assert "请选择一个有效的选项" in response.text
    assert db.scalar(select(func.count()).select_from(User)) == before


def test_list_filters_and_htmx_fragment(client, db):
    _admin_client(client, db)
    make_user(db, role="buyer", display_name="赵采购", organization="渝味火锅")
    page = client.get("/admin/users?q=渝味")
    assert page.status_code == 200
    assert "赵采购" in page.text
    assert "<html" in page.text
    fragment = client.get("/admin/users?q=渝味", headers={"HX-Request": "true", "HX-Target": "user-table"})
    assert fragment.text.lstrip().startswith('<section class="card" id="user-table">')
    assert "赵采购" in fragment.text
    none = client.get("/admin/users?q=不存在的单位", headers={"HX-Request": "true", "HX-Target": "user-table"})
    assert "没有符合条件的账号" in none.text


def test_change_role_writes_audit_and_ends_sessions(client, make_client, db):
    admin = _admin_client(client, db)
    user = make_user(db, role="buyer")
    other = make_client()
    log_in(other, user.email)
    response = client.post(f"/admin/users/{user.id}/role", data={"role": "reviewer", "version": user.version})
    assert response.status_code == 303
    db.refresh(user)
    assert user.role == "reviewer"
    assert other.get("/account").status_code == 303
    event = db.scalar(
        select(AuditEvent).where(AuditEvent.action == "user.role_change", AuditEvent.entity_id == str(user.id))
    )
    assert event.actor_id == admin.id
    assert event.before["role"] == "buyer"
    assert event.after["role"] == "reviewer"


def test_stale_version_refused_with_409(client, db):
    _admin_client(client, db)
    user = make_user(db, role="buyer")
    stale = user.version
    assert client.post(f"/admin/users/{user.id}/disable", data={"version": stale}).status_code == 303
    response = client.post(f"/admin/users/{user.id}/role", data={"role": "producer", "version": stale})
    assert response.status_code == 409
    assert "刚被其他管理员修改过" in response.text
    db.refresh(user)
    assert user.role == "buyer"


def test_admin_cannot_disable_or_demote_self(client, db):
    admin = _admin_client(client, db)
    r = client.post(f"/admin/users/{admin.id}/disable", data={"version": admin.version})
    assert r.status_code == 400
    r = client.post(f"/admin/users/{admin.id}/role", data={"role": "buyer", "version": admin.version})
    assert r.status_code == 400
    db.refresh(admin)
    assert admin.is_active
    assert admin.role == "admin"


def test_unknown_user_404(client, db):
    _admin_client(client, db)
    r = client.post("/admin/users/999999/disable", data={"version": 1})
    assert r.status_code == 404
    assert "页面不存在" in r.text


def test_audit_page_lists_changes(client, db):
    _admin_client(client, db)
    client.post("/admin/users", data={"email": "x1@hotpot.example", "display_name": "新同事", "role": "reviewer"})
    page = client.get("/admin/audit?q=user.create")
    assert page.status_code == 200
    assert "x1@hotpot.example" in page.text


def test_disabling_without_the_form_version_is_refused(client, db):
    log_in(client, make_user(db, role="admin").email)
    user = make_user(db, role="buyer")
    assert client.post(f"/admin/users/{user.id}/disable", data={}).status_code == 400
    db.refresh(user)
    assert user.is_active
