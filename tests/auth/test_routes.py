"""Register, log in, log out, sessions, password change, through the pages."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select, update

from hotpot.auth.models import User, UserSession
from hotpot.db import utcnow
from tests.auth.builders import PASSWORD, link_in, log_in, mails_to, make_user


def _register_form(**overrides):
    form = {
        "role": "buyer",
        "email": "chef@laozao.example",
        "display_name": "张采购",
        "organization": "山城老灶火锅",
        "phone": "13800138000",
        "password": "Spicy-Broth-2026",
        "password_confirm": "Spicy-Broth-2026",
        "agree": "on",
    }
    form.update(overrides)
    return form


def _set_session(client, value: str) -> None:
    client.cookies.delete("hotpot_session")
    client.cookies.set("hotpot_session", value, domain="testserver.local")


def _user_count(db) -> int:
    return db.scalar(select(func.count()).select_from(User))


def test_register_as_buyer_verifies_by_mail_then_lands_on_search(client, db):
    response = client.post("/register", data=_register_form())
    assert response.status_code == 200
    assert "请查收验证邮件" in response.text
    user = db.scalar(select(User).where(User.email == "chef@laozao.example"))
    assert user.role == "buyer"
    assert user.password_hash.startswith("$argon2id$")
    assert user.email_verified_at is None
    # Not verified yet: the right password does not log in (and the link is sent again).
    early = client.post("/login", data={"email": "chef@laozao.example", "password": "Spicy-Broth-2026"})
    assert early.status_code == 401
    assert "邮箱尚未验证" in early.text
    link = link_in(mails_to(db, "chef@laozao.example", "verify_email")[0], "/verify-email")
    # Following the link (GET) only shows the button: a mail scanner opening it changes nothing.
    assert client.get(link).status_code == 200
    db.refresh(user)
    assert user.email_verified_at is None
    token = link.split("token=")[1]
    verified = client.post("/verify-email", data={"token": token})
    assert verified.status_code == 303
    assert verified.headers["location"] == "/search"
    account = client.get("/account")
    assert account.status_code == 200
    assert "张采购" in account.text
    assert "采购商" in account.text
    assert "用户管理" not in account.text
    db.refresh(user)
    assert user.email_verified_at is not None
    # The link works once.
    assert client.post("/verify-email", data={"token": token}).status_code == 410


def test_register_cannot_choose_staff_roles(client, db):
    before = _user_count(db)
    response = client.post("/register", data=_register_form(role="admin"))
    assert response.status_code == 422
    assert "请选择一个有效的选项" in response.text
    assert _user_count(db) == before


def test_register_refuses_unknown_fields(client, db):
    before = _user_count(db)
    response = client.post("/register", data=_register_form(is_active="false"))
    assert response.status_code == 422
    assert "不允许提交此字段" in response.text
    assert _user_count(db) == before


def test_register_errors_are_next_to_fields_and_input_is_kept(client, db):
    before = _user_count(db)
    form = _register_form(email="not-an-email", phone="12345", password="abc", password_confirm="abc")
    response = client.post("/register", data=form)
    assert response.status_code == 422
    html = response.text
    assert 'id="err_email"' in html
    assert "邮箱格式不正确" in html
    assert 'id="err_phone"' in html
    assert "手机号" in html
    assert 'value="张采购"' in html  # input kept
    assert "abc" not in html.split('id="id_password"')[1][:200]  # passwords never echoed
    assert _user_count(db) == before


def test_password_rules(client, db):
    before = _user_count(db)
    cases = {
        "short1A": "至少需要 8 个字符",
        "password123": "太常见",
        "qwertyuiop": "太常见",
    }
    for password, message in cases.items():
        response = client.post("/register", data=_register_form(password=password, password_confirm=password))
        assert response.status_code == 422, password
        assert message in response.text, password
    mismatch = client.post("/register", data=_register_form(password_confirm="Another-Pass-99"))
    # Next to the confirmation field, not only in the banner.
    assert 'id="err_password_confirm">两次输入的密码不一致' in mismatch.text
    same_as_email = client.post(
        "/register",
        data=_register_form(
            email="chef@laozao.example", password="chef@laozao.example", password_confirm="chef@laozao.example"
        ),
    )
    assert "密码不能与邮箱相同" in same_as_email.text
    assert _user_count(db) == before


def test_register_answers_the_same_for_taken_and_free_addresses(client, db):
    make_user(db, email="taken@hotpot.example")
    before = _user_count(db)
    taken = client.post("/register", data=_register_form(email="Taken@hotpot.example"))
    free = client.post("/register", data=_register_form(email="free@hotpot.example"))
    assert taken.status_code == free.status_code == 200
    assert "该邮箱已注册" not in taken.text

    def answer(html: str, email: str) -> str:
        return html.split('id="check-email"')[1].split("</section>")[0].replace(email, "EMAIL")

    assert answer(taken.text, "taken@hotpot.example") == answer(free.text, "free@hotpot.example")
    assert _user_count(db) == before + 1  # only the free address got an account
    # The mail says the rest: the taken address is told it has an account, with no verification link.
    (notice,) = mails_to(db, "taken@hotpot.example")
    assert notice.kind == "account_exists"
    assert "已经有账号" in notice.body
    assert "/password/forgot" in notice.body
    assert "token=" not in notice.body
    assert mails_to(db, "free@hotpot.example")[0].kind == "verify_email"


def test_register_reports_every_error_in_one_round(client, db):
    before = _user_count(db)
    form = _register_form(email="not-an-email", display_name="", password="short1", password_confirm="short2")
    response = client.post("/register", data=form)
    assert response.status_code == 422
    html = response.text
    assert 'id="err_email">邮箱格式不正确' in html
    assert 'id="err_display_name">此项为必填项' in html
    assert 'id="err_password">密码至少需要 8 个字符' in html
    assert 'id="err_password_confirm">两次输入的密码不一致' in html
    assert "请修改下面标出的 4 处内容" in html
    # A common password and a mismatch together, with a bad phone: all three at once.
    again = client.post(
        "/register", data=_register_form(phone="12345", password="password123", password_confirm="password12")
    )
    assert 'id="err_phone"' in again.text
    assert 'id="err_password">这个密码太常见' in again.text
    assert 'id="err_password_confirm">' in again.text
    assert 'value="山城老灶火锅"' in again.text  # every other field is kept
    assert _user_count(db) == before


def test_register_requires_agreement(client, db):
    form = _register_form()
    del form["agree"]
    response = client.post("/register", data=form)
    assert response.status_code == 422
    assert "请阅读并勾选同意" in response.text


def test_login_rotates_session_id_and_logout_ends_it(client, db):
    user = make_user(db, role="producer")
    client.get("/login")
    # A session cookie planted before login (session fixation) must not survive it.
    _set_session(client, "planted-by-attacker")
    log_in(client, user.email)
    token = client.cookies.get("hotpot_session")
    assert token
    assert token != "planted-by-attacker"
    assert client.get("/account").status_code == 200

    # Logging in again gives a new id and ends the previous session.
    log_in(client, user.email)
    second = client.get("/account")
    assert second.status_code == 200
    new_token = client.cookies.get("hotpot_session")
    assert new_token != token
    _set_session(client, token)
    assert client.get("/account").status_code == 303

    # Logout replay: the cookie of a logged-out session is refused.
    _set_session(client, new_token)
    assert client.post("/logout").status_code == 303
    _set_session(client, new_token)
    replay = client.get("/account")
    assert replay.status_code == 303
    assert replay.headers["location"].startswith("/login")


def test_session_cookie_flags(client, db):
    user = make_user(db)
    response = log_in(client, user.email)
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    session_cookie = next(c for c in cookies if c.startswith("hotpot_session="))
    assert "HttpOnly" in session_cookie
    assert "SameSite=lax" in session_cookie or "SameSite=Lax" in session_cookie
    assert "Secure" not in session_cookie  # plain HTTP in tests


def test_session_cookie_is_secure_over_https(app, db):
    from tests.conftest import Browserless

    user = make_user(db)
    with Browserless(app, base_url="https://testserver", follow_redirects=False) as c:
        response = log_in(c, user.email)
    cookies = [v for k, v in response.headers.multi_items() if k == "set-cookie"]
    assert all("Secure" in c for c in cookies if c.startswith(("hotpot_session=", "hotpot_csrf=")))
    assert response.headers["strict-transport-security"].startswith("max-age=")


def test_wrong_password_and_unknown_account_same_message(client, db):
    user = make_user(db)
    wrong = client.post("/login", data={"email": user.email, "password": "Not-The-Password-1"})
    unknown = client.post("/login", data={"email": "nobody@hotpot.example", "password": "Not-The-Password-1"})
    assert wrong.status_code == unknown.status_code == 401
    assert "邮箱或密码不正确" in wrong.text
    assert "邮箱或密码不正确" in unknown.text
    assert 'value="' + user.email + '"' in wrong.text


def test_idle_timeout_ends_session(client, db):
    user = make_user(db)
    log_in(client, user.email)
    db.execute(
        update(UserSession).where(UserSession.user_id == user.id).values(last_seen_at=utcnow() - timedelta(hours=5))
    )
    response = client.get("/account")
    assert response.status_code == 303
    assert client.get("/login").status_code == 200


def test_absolute_timeout_ends_session(client, db):
    user = make_user(db)
    log_in(client, user.email)
    db.execute(
        update(UserSession).where(UserSession.user_id == user.id).values(expires_at=utcnow() - timedelta(seconds=1))
    )
    assert client.get("/account").status_code == 303


def test_open_redirect_refused_after_login(client, db):
    user = make_user(db)
    client.get("/login")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "//evil.example/x"})
    assert response.headers["location"] == "/search"  # a buyer's landing page, not the foreign site
    client.post("/logout")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD, "next": "/admin/users"})
    assert response.headers["location"] == "/admin/users"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/account"
    client.cookies.set("hotpot_flash", response.cookies["hotpot_flash"], domain="testserver.local")
    page = client.get("/login?next=/account")
    assert "请先登录" in page.text


def test_change_password_ends_other_sessions(client, make_client, db):
    user = make_user(db)
    other_device = make_client()
    log_in(other_device, user.email)
    log_in(client, user.email)
    bad = client.post(
        "/account/password",
        data={"current_password": "wrong-one-123", "new_password": "x", "new_password_confirm": "x"},
    )
    assert bad.status_code == 422
    assert "当前密码不正确" in bad.text
    ok = client.post(
        "/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "Fresh-Tallow-88",
            "new_password_confirm": "Fresh-Tallow-88",
        },
    )
    assert ok.status_code == 303
    assert client.get("/account").status_code == 200
    assert other_device.get("/account").status_code == 303
    client.post("/logout")
    log_in(client, user.email, "Fresh-Tallow-88")


def test_change_password_htmx_returns_only_the_form_block(client, db):
    user = make_user(db)
    log_in(client, user.email)
    response = client.post(
        "/account/password",
        headers={"HX-Request": "true"},
        data={"current_password": "wrong-one-123", "new_password": "a", "new_password_confirm": "a"},
    )
    assert response.status_code == 422
    assert response.text.lstrip().startswith('<section class="card" id="password-card">')
    assert "<html" not in response.text
