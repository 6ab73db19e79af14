"""Enterprise registration, editing and verification through the pages."""

from __future__ import annotations

from sqlalchemy import func, select

from hotpot.audit import service as audit
from hotpot.enterprises import codes
from hotpot.enterprises.models import Enterprise
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import enterprise_form, make_enterprise, make_product, owner_of


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Enterprise))


def _producer(client, db):
    user = make_user(db, role="producer")
    log_in(client, user.email)
    return user


def test_producer_without_enterprise_is_led_to_register(client, db):
    _producer(client, db)
    response = client.get("/my/enterprise")
    assert response.status_code == 303
    assert response.headers["location"] == "/my/enterprise/new"
    page = client.get("/my/enterprise/new")
    assert "统一社会信用代码" in page.text
    assert "龙市镇" in page.text
    assert "原料种养殖" in page.text


def test_register_enterprise_waits_for_review(client, db):
    user = _producer(client, db)
    form = enterprise_form()
    response = client.post("/my/enterprise/new", data=form)
    assert response.status_code == 303
    enterprise = db.scalar(select(Enterprise).where(Enterprise.uscc == form["uscc"]))
    assert enterprise.status == "pending"
    db.refresh(user)
    assert user.enterprise_id == enterprise.id
    assert [c.code for c in enterprise.chain_links] == ["primary_processing", "deep_processing"]
    assert [e.action for e in audit.history(db, entity_type="enterprise", entity_id=enterprise.id)] == [
        "enterprise.register"
    ]
    dashboard = client.get("/my/enterprise")
    assert "待审核" in dashboard.text
    assert "等待区农业农村委审核" in dashboard.text
    # Not public yet.
    assert form["name"] not in client.get("/enterprises").text
    assert client.post("/my/enterprise/new", data=enterprise_form()).status_code == 422


def test_bad_uscc_check_char_refused_next_to_field(client, db):
    _producer(client, db)
    good = codes.demo_uscc(777)
    bad = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = _count(db)
    response = client.post("/my/enterprise/new", data=enterprise_form(uscc=bad))
    assert response.status_code == 422
    error = response.text.split('id="err_uscc">')[1].split("<")[0]
    assert "校验" in error
    assert f'value="{bad}"' in response.text
    assert _count(db) == before


def test_n_prefixed_uscc_accepted(client, db):
    _producer(client, db)
    code = codes.make_uscc("N2500117", "PDY12345")
    response = client.post(
        "/my/enterprise/new", data=enterprise_form(uscc=code, name="合川区龙市镇渔农村股份经济合作联合社")
    )
    assert response.status_code == 303
    assert db.scalar(select(Enterprise.uscc).where(Enterprise.uscc == code)) == code


def test_each_field_rule_refused_with_message_and_nothing_written(client, db):
    _producer(client, db)
    taken = make_enterprise(db)
    cases = [
        ({"uscc": "12345"}, "uscc", "18 位"),
        ({"uscc": taken.uscc}, "uscc", "已登记"),
        ({"phone": "12345"}, "phone", "手机号"),
        ({"name": "火锅"}, "name", "至少需要 4 个字符"),
        ({"town": "outside", "park_group": "none", "outside_address": ""}, "outside_address", "合川区外"),
        ({"town": "outside", "outside_address": "四川省成都市", "park_group": "nanxi"}, "park_group", "不属于园区组团"),
        ({"town": "999999999"}, "town", "请选择"),
        ({"chain_links": []}, "chain_links", "至少选择 1 项"),
        ({"chain_links": ["mining"]}, "chain_links", "有效的产业链环节"),
        ({"employees": "-3"}, "employees", "不能小于 0"),
        ({"annual_capacity_t": "abc"}, "annual_capacity_t", "请输入数字"),
        ({"founded_on": "2999-01-01"}, "founded_on", "不晚于今天"),
        ({"scale": "huge"}, "scale", "有效的选项"),
    ]
    before = _count(db)
    for overrides, field, message in cases:
        response = client.post("/my/enterprise/new", data=enterprise_form(**overrides))
        assert response.status_code == 422, overrides
        assert f'id="err_{field}"' in response.text, (field, overrides)
        error = response.text.split(f'id="err_{field}">')[1].split("</p>")[0]
        assert message in error, (field, error)
    assert _count(db) == before


def test_status_cannot_be_mass_assigned(client, db):
    _producer(client, db)
    before = _count(db)
    response = client.post("/my/enterprise/new", data=enterprise_form(status="verified"))
    assert response.status_code == 422
    assert "不允许提交的字段" in response.text
    assert _count(db) == before


def test_instant_uscc_check(client, db):
    _producer(client, db)
    bad = client.get("/my/enterprise/check", params={"field": "uscc", "uscc": "91500117PDY00001XA"})
    assert "校验" in bad.text
    good = client.get("/my/enterprise/check", params={"field": "uscc", "uscc": "91500117 pdy00001 xk"})
    assert "格式正确" in good.text


def test_reviewer_verifies_and_enterprise_becomes_public(client, make_client, db):
    enterprise = make_enterprise(db, status="pending", name="重庆渝味鲜毛肚食品有限公司")
    product = make_product(db, enterprise=enterprise)
    assert not product.is_public
    reviewer = make_client()
    log_in(reviewer, make_user(db, role="reviewer").email)
    queue = reviewer.get("/verify/enterprises")
    assert "重庆渝味鲜毛肚食品有限公司" in queue.text
    response = reviewer.post(
        f"/verify/enterprises/{enterprise.id}/status", data={"action": "verify", "version": enterprise.version}
    )
    assert response.status_code == 303
    db.refresh(enterprise)
    db.refresh(product)
    assert enterprise.status == "verified"
    assert product.is_public
    assert "重庆渝味鲜毛肚食品有限公司" in client.get("/enterprises").text
    assert client.get(f"/enterprises/{enterprise.id}").status_code == 200
    assert "千层毛肚" in client.get("/products").text


def test_reject_needs_reason_and_producer_sees_it(client, make_client, db):
    enterprise = make_enterprise(db, status="pending")
    reviewer = make_client()
    log_in(reviewer, make_user(db, role="reviewer").email)
    no_reason = reviewer.post(
        f"/verify/enterprises/{enterprise.id}/status", data={"action": "reject", "version": enterprise.version}
    )
    assert no_reason.status_code == 422
    assert "请填写原因" in no_reason.text
    db.refresh(enterprise)
    assert enterprise.status == "pending"
    reviewer.post(
        f"/verify/enterprises/{enterprise.id}/status",
        data={"action": "reject", "reason": "营业执照扫描件不清晰", "version": enterprise.version},
    )
    db.refresh(enterprise)
    assert enterprise.status == "rejected"

    owner = owner_of(db, enterprise)
    log_in(client, owner.email)
    assert "营业执照扫描件不清晰" in client.get("/my/enterprise").text
    # Fixing and saving sends it back to review.
    form = enterprise_form(uscc=enterprise.uscc, version=enterprise.version)
    assert client.post("/my/enterprise/edit", data=form).status_code == 303
    db.refresh(enterprise)
    assert enterprise.status == "pending"


def test_renaming_a_verified_enterprise_sends_it_back_with_old_name_visible(client, make_client, db):
    enterprise = make_enterprise(db, name="重庆老名字食品有限公司")
    product = make_product(db, enterprise=enterprise)
    log_in(client, owner_of(db, enterprise).email)
    form = enterprise_form(uscc=enterprise.uscc, name="重庆新名字食品有限公司", version=enterprise.version)
    assert client.post("/my/enterprise/edit", data=form).status_code == 303
    db.refresh(enterprise)
    db.refresh(product)
    assert enterprise.status == "pending"
    assert enterprise.verified_name == "重庆老名字食品有限公司"
    assert not product.is_public
    reviewer = make_client()
    log_in(reviewer, make_user(db, role="reviewer").email)
    page = reviewer.get(f"/verify/enterprises/{enterprise.id}")
    assert "<del>重庆老名字食品有限公司</del>" in page.text
    assert "修改企业信息" in page.text  # the change history, by its Chinese label


def test_editing_other_fields_keeps_verification(client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    form = enterprise_form(uscc=enterprise.uscc, name=enterprise.name, employees="300", version=enterprise.version)
    assert client.post("/my/enterprise/edit", data=form).status_code == 303
    db.refresh(enterprise)
    assert enterprise.status == "verified"
    assert enterprise.employees == 300


def test_stale_edit_gets_409_with_changes(client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    stale = enterprise.version
    first = enterprise_form(uscc=enterprise.uscc, name=enterprise.name, employees="200", version=stale)
    assert client.post("/my/enterprise/edit", data=first).status_code == 303
    second = enterprise_form(uscc=enterprise.uscc, name=enterprise.name, employees="999", version=stale)
    response = client.post("/my/enterprise/edit", data=second)
    assert response.status_code == 409
    assert "内容已被他人修改" in response.text
    assert "<del>999</del>" in response.text
    assert "<ins>200</ins>" in response.text
    db.refresh(enterprise)
    assert enterprise.employees == 200


def test_suspended_enterprise_and_its_products_disappear(client, make_client, db):
    enterprise = make_enterprise(db, name="重庆暂停测试食品有限公司")
    product = make_product(db, enterprise=enterprise, name="暂停测试毛肚")
    assert "暂停测试毛肚" in client.get("/products").text
    reviewer = make_client()
    log_in(reviewer, make_user(db, role="reviewer").email)
    reviewer.post(
        f"/verify/enterprises/{enterprise.id}/status",
        data={"action": "suspend", "reason": "许可证过期待续", "version": enterprise.version},
    )
    assert "暂停测试毛肚" not in client.get("/products").text
    assert client.get(f"/products/{product.id}").status_code == 404
    assert client.get(f"/enterprises/{enterprise.id}").status_code == 404
    db.refresh(enterprise)
    reviewer.post(
        f"/verify/enterprises/{enterprise.id}/status", data={"action": "reinstate", "version": enterprise.version}
    )
    assert "暂停测试毛肚" in client.get("/products").text


def test_directory_filters(client, db):
    make_enterprise(db, name="重庆龙市筛选食品有限公司", town="500117121", park_group="longshi")
    make_enterprise(db, name="重庆渭沱筛选食品有限公司", town="500117125", park_group="none")
    page = client.get("/enterprises", params={"town": "500117125"})
    assert "重庆渭沱筛选食品有限公司" in page.text
    assert "重庆龙市筛选食品有限公司" not in page.text
    page = client.get("/enterprises", params={"park_group": "longshi", "q": "筛选"})
    assert "重庆龙市筛选食品有限公司" in page.text
    assert "重庆渭沱筛选食品有限公司" not in page.text
    fragment = client.get("/enterprises", params={"q": "筛选"}, headers={"HX-Request": "true", "HX-Target": "results"})
    assert fragment.text.lstrip().startswith('<section id="results">')


def test_contact_phone_only_for_logged_in_users(client, db):
    enterprise = make_enterprise(db, phone="13912345678")
    assert "13912345678" not in client.get(f"/enterprises/{enterprise.id}").text
    log_in(client, make_user(db, role="buyer").email)
    assert "13912345678" in client.get(f"/enterprises/{enterprise.id}").text


def test_owner_invites_colleague_who_accepts(client, make_client, db):
    enterprise = make_enterprise(db)
    owner = owner_of(db, enterprise)
    log_in(client, owner.email)
    colleague = make_user(db, role="producer", email="colleague.li@hotpot.example")
    bad = client.post("/my/enterprise/invitations", data={"email": "not-an-email"}, headers={"HX-Request": "true"})
    assert bad.status_code == 422
    assert "邮箱格式不正确" in bad.text
    assert client.post("/my/enterprise/invitations", data={"email": "Colleague.Li@hotpot.example"}).status_code == 303
    again = client.post("/my/enterprise/invitations", data={"email": "colleague.li@hotpot.example"})
    assert "已经邀请过" in again.text

    other = make_client()
    log_in(other, colleague.email)
    page = other.get("/my/enterprise/new")
    assert "邀请您加入企业" in page.text
    invitation_id = int(page.text.split("/my/invitations/")[1].split("/")[0])
    assert other.post(f"/my/invitations/{invitation_id}/accept").status_code == 303
    db.refresh(colleague)
    assert colleague.enterprise_id == enterprise.id
    assert enterprise.name in other.get("/my/enterprise").text
    # Colleagues manage products too, but only the owner invites.
    assert other.post("/my/enterprise/invitations", data={"email": "third@hotpot.example"}).status_code == 403


def test_business_licence_upload_kept_on_error_and_shown_to_staff_only(client, make_client, db):
    from hotpot.enterprises.models import Enterprise
    from hotpot.files.models import StoredFile
    from tests.certificates.builders import PDF

    producer = make_user(db, role="producer")
    log_in(client, producer.email)
    form = enterprise_form(name="重庆执照测试食品有限公司")
    bad = client.post(
        "/my/enterprise/new", data={**form, "phone": "12"}, files={"licence": ("执照.pdf", PDF, "application/pdf")}
    )
    assert bad.status_code == 422
    assert 'id="err_phone"' in bad.text
    assert 'id="kept_licence"' in bad.text
    token = bad.text.split('name="licence_token" value="')[1].split('"')[0]
    ok = client.post("/my/enterprise/new", data={**form, "licence_token": token})
    assert ok.status_code == 303
    enterprise = db.scalar(select(Enterprise).where(Enterprise.name == "重庆执照测试食品有限公司"))
    assert db.get(StoredFile, enterprise.licence_file_id).filename == "执照.pdf"
    assert client.get(f"/enterprises/{enterprise.id}/licence").status_code == 200  # the enterprise itself

    reviewer = make_client()
    log_in(reviewer, make_user(db, role="reviewer").email)
    page = reviewer.get(f"/verify/enterprises/{enterprise.id}").text
    facts = page.split('id="licence"', 1)[1].split("</dd>", 1)[0]
    assert "执照.pdf" in facts
    download = reviewer.get(f"/enterprises/{enterprise.id}/licence")
    assert download.status_code == 200
    assert download.headers["content-disposition"].startswith("attachment")
    assert download.content == PDF
    for role in ("buyer", "producer"):
        stranger = make_client()
        log_in(stranger, make_user(db, role=role).email)
        assert stranger.get(f"/enterprises/{enterprise.id}/licence").status_code == 404
    assert make_client().get(f"/enterprises/{enterprise.id}/licence").status_code == 404
    history = client.get(f"/history/enterprise/{enterprise.id}").text
    assert "营业执照" in history
    assert "执照.pdf（" in history


def test_business_licence_checked_by_content(client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    page = client.get("/my/enterprise/edit")
    version = page.text.split('name="version" value="')[1].split('"')[0]
    form = {**enterprise_form(uscc=enterprise.uscc, name=enterprise.name), "version": version, "address": ""}
    bad = client.post(
        "/my/enterprise/edit", data=form, files={"licence": ("执照.pdf", b"MZ\x90\x00 not a pdf", "application/pdf")}
    )
    assert bad.status_code == 422
    assert 'id="err_licence"' in bad.text  # the file's own error ...
    assert 'id="err_address"' in bad.text  # ... in the same round as the other fields'
    db.refresh(enterprise)
    assert enterprise.licence_file_id is None


def _statements_of(connection, client, path: str) -> tuple[int, str]:
    from sqlalchemy import event

    counted: list[str] = []

    def count(conn, cursor, statement, *_args) -> None:
        if not statement.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK")):  # the test's transaction
            counted.append(statement.split("FROM")[1][:50] if "FROM" in statement else statement[:50])

    event.listen(connection, "before_cursor_execute", count)
    try:
        response = client.get(path)
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert response.status_code == 200
    return len(counted), response.text


def test_the_public_enterprise_page_asks_only_for_the_lists_it_has(client, db, connection):
    """Issue 12: the page runs the enterprise (with its chain links), its products, and one statement asking four
    domains whether they hold anything (and the reply time); a list is loaded only when it is not empty. Each list
    that has something adds exactly one statement, and shows on the page."""
    from tests.bases.builders import make_base
    from tests.brands.builders import make_brand_with_licence
    from tests.certificates.builders import make_certificate

    enterprise = make_enterprise(db, chain_links=["seasoning"])
    make_product(db, enterprise=enterprise, name="测试牛油底料")
    db.flush()
    path = f"/enterprises/{enterprise.id}"
    n, page = _statements_of(connection, client, path)
    assert n == 3
    assert "测试牛油底料" in page
    assert page.count('class="muted">暂无</li>') == 2  # no base, no brand or licence

    make_base(db, enterprise=enterprise, name="合川测试辣椒基地")
    make_certificate(db, enterprise=enterprise, number="SC10350011799999")
    make_brand_with_licence(db, licensee=enterprise, name="测试区域品牌")
    db.flush()
    db.expire_all()
    n, page = _statements_of(connection, client, path)
    assert n == 3 + 3, "one statement each for the bases, the certificates and the licences"
    for shown in ("合川测试辣椒基地", "SC10350011799999", "测试区域品牌"):
        assert shown in page
