"""The verification desk: certificate queue search, duplicate warnings, bulk decisions with per-record checks."""

from __future__ import annotations

from sqlalchemy import select

from hotpot.audit.models import AuditEvent
from hotpot.enterprises import codes
from tests.auth.builders import log_in, make_user
from tests.bases.builders import make_base
from tests.certificates.builders import make_certificate
from tests.enterprises.builders import make_enterprise, make_product


def _reviewer(client, db):
    log_in(client, make_user(db, role="reviewer", display_name="周核验").email)


def _rows(html: str) -> int:
    return html.split('id="results"', 1)[1].count('class="queue-item"')


def test_certificate_queue_finds_number_holder_and_enterprise(client, db):
    maker = make_enterprise(db, name="重庆搜索测试食品有限公司")
    product = make_product(db, enterprise=maker, name="查找专用鸭肠")
    base = make_base(db, enterprise=maker, name="查找专用辣椒基地")
    make_certificate(db, enterprise=maker, verified=False, number="SC10350011799991")
    make_certificate(
        db,
        enterprise=maker,
        verified=False,
        holder=f"product:{product.id}",
        kind="green_food",
        number="LB-55-0000000001",
    )
    make_certificate(
        db, enterprise=maker, verified=False, holder=f"base:{base.id}", kind="organic", number="OR-77-0000000002"
    )
    make_certificate(db, verified=False, number="SC10350011788882")  # another enterprise's
    _reviewer(client, db)
    assert _rows(client.get("/verify/certificates", params={"q": "799991"}).text) == 1
    assert _rows(client.get("/verify/certificates", params={"q": "sc 1035001 1799991"}).text) == 1
    assert _rows(client.get("/verify/certificates", params={"q": "查找专用鸭肠"}).text) == 1
    assert _rows(client.get("/verify/certificates", params={"q": "辣椒基地"}).text) == 1
    page = client.get("/verify/certificates", params={"q": "搜索测试食品"})
    assert _rows(page.text) == 3
    assert "SC10350011788882" not in page.text
    none = client.get("/verify/certificates", params={"q": "没有这样的证书"})
    assert "没有符合条件的证书" in none.text
    # htmx asks for the results block only
    fragment = client.get(
        "/verify/certificates", params={"q": "799991"}, headers={"HX-Request": "true", "HX-Target": "results"}
    )
    assert "<main" not in fragment.text
    assert 'id="results"' in fragment.text


def test_duplicate_enterprises_are_flagged_in_queue_and_review_page(client, db):
    first = make_enterprise(db, status="verified", name="重庆双胞胎食品有限公司", uscc=codes.demo_uscc(81001))
    same_name = make_enterprise(db, status="pending", name="重庆双胞胎食品有限公司", uscc=codes.demo_uscc(81002))
    lone = make_enterprise(db, status="pending", name="重庆独一家食品有限公司", uscc=codes.demo_uscc(81003))
    _reviewer(client, db)
    queue = client.get("/verify/enterprises").text
    item = queue.split(f'href="/verify/enterprises/{same_name.id}"', 1)[1].split("</li>", 1)[0]
    assert "疑似重复" in item
    assert "企业名称相同" in item
    assert f'href="/verify/enterprises/{first.id}"' in item
    lone_item = queue.split(f'href="/verify/enterprises/{lone.id}"', 1)[1].split("</li>", 1)[0]
    assert "疑似重复" not in lone_item
    page = client.get(f"/verify/enterprises/{same_name.id}").text
    assert 'id="duplicates"' in page
    assert "重庆双胞胎食品有限公司" in page.split('id="duplicates"', 1)[1]
    assert 'id="duplicates"' not in client.get(f"/verify/enterprises/{lone.id}").text


def test_same_organisation_code_is_flagged(client, db):
    first = make_enterprise(db, status="pending", name="重庆甲食品有限公司", uscc=codes.demo_uscc(82001))
    # The same organisation (characters 9-17) registered again under another authority prefix.
    twin = make_enterprise(
        db, status="pending", name="重庆乙食品有限公司", uscc=codes.demo_uscc(82001, prefix8="92500117")
    )
    assert first.uscc[8:17] == twin.uscc[8:17]
    assert first.uscc != twin.uscc
    _reviewer(client, db)
    page = client.get(f"/verify/enterprises/{twin.id}").text
    assert "组织机构代码部分（第 9-17 位）相同" in page
    assert "重庆甲食品有限公司" in page.split('id="duplicates"', 1)[1]


def test_bulk_verify_certificates_reports_the_stale_one(client, db):
    maker = make_enterprise(db)
    certs = [
        make_certificate(db, enterprise=maker, verified=False, number=f"SC1035001170{n:04d}")
        for n in (3001, 3002, 3003)
    ]
    _reviewer(client, db)
    client.get("/verify/certificates")
    form = {"action": "verify", "reason": "", "ids": [str(c.id) for c in certs]}
    for c in certs:
        form[f"version_{c.id}"] = str(c.version)
    form[f"version_{certs[1].id}"] = str(certs[1].version - 1)  # shown before someone else changed it
    before = db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    response = client.post("/verify/certificates/bulk", data=form)
    assert response.status_code == 200
    result = response.text.split('id="bulk-result"', 1)[1].split("</div>", 1)[0]
    assert "已核验通过 2 条" in result
    assert "1 条未处理" in result
    assert certs[1].number in result.split("未处理", 1)[1]
    for c in certs:
        db.refresh(c)
    assert [c.verification for c in certs] == ["verified", "unverified", "verified"]
    events = db.scalars(select(AuditEvent).where(AuditEvent.id > before, AuditEvent.action == "certificate.verify"))
    assert sorted(int(e.entity_id) for e in events) == sorted([certs[0].id, certs[2].id])


def test_bulk_reject_needs_one_reason_and_a_pick(client, db):
    maker = make_enterprise(db)
    cert = make_certificate(db, enterprise=maker, verified=False)
    _reviewer(client, db)
    client.get("/verify/certificates")
    refused = client.post(
        "/verify/certificates/bulk",
        data={"action": "reject", "reason": "", "ids": [str(cert.id)], f"version_{cert.id}": str(cert.version)},
    )
    assert refused.status_code == 422
    assert 'id="err_reason"' in refused.text
    nothing = client.post("/verify/certificates/bulk", data={"action": "reject", "reason": "扫描件不清晰"})
    assert nothing.status_code == 422
    assert "请先勾选" in nothing.text
    db.refresh(cert)
    assert cert.verification == "unverified"
    missing_version = client.post(
        "/verify/certificates/bulk", data={"action": "reject", "reason": "扫描件不清晰", "ids": [str(cert.id)]}
    )
    assert "1 条未处理" in missing_version.text  # a row without its version is never decided blind
    db.refresh(cert)
    assert cert.verification == "unverified"


def test_bulk_reject_enterprises_and_bases_with_one_reason(client, db):
    pending = [make_enterprise(db, status="pending", name=f"重庆批量{n}食品有限公司") for n in range(3)]
    already = make_enterprise(db, status="verified", name="重庆已认证食品有限公司")
    _reviewer(client, db)
    queue = client.get("/verify/enterprises").text
    assert 'id="bulk-bar"' in queue
    form = {"action": "reject", "reason": "营业执照与登记名称不一致", "ids": [str(e.id) for e in [*pending, already]]}
    for e in [*pending, already]:
        form[f"version_{e.id}"] = str(e.version)
    response = client.post("/verify/enterprises/bulk", data=form)
    assert response.status_code == 200
    assert "已退回 3 条" in response.text
    assert "重庆已认证食品有限公司" in response.text.split("未处理", 1)[1]  # not pending: refused with the reason
    for e in pending:
        db.refresh(e)
        assert e.status == "rejected"
        assert e.status_reason == "营业执照与登记名称不一致"
    db.refresh(already)
    assert already.status == "verified"

    bases = [make_base(db, verified=False, name=f"批量基地{n}") for n in range(2)]
    form = {"action": "verify", "ids": [str(b.id) for b in bases]}
    for b in bases:
        form[f"version_{b.id}"] = str(b.version)
    assert "已核验通过 2 条" in client.post("/verify/bases/bulk", data=form).text
    for b in bases:
        db.refresh(b)
        assert b.status == "verified"
