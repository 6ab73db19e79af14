"""Certificates: recording with a scan, SC numbers decoded, computed state, verification, who sees what."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select

from hotpot.certificates.models import Certificate
from hotpot.files.models import StoredFile
from tests.auth.builders import log_in, make_user
from tests.certificates.builders import PDF, cert_form, make_certificate
from tests.enterprises.builders import make_enterprise, make_product, owner_of


def _count(db) -> int:
    return db.scalar(select(func.count()).select_from(Certificate))


def test_record_sc_licence_with_scan(client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    response = client.post(
        "/my/certificates/new",
        data=cert_form(number="sc 1035001 1700012"),
        files={"scan": ("许可证.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 303
    cert = db.scalar(select(Certificate).where(Certificate.enterprise_id == enterprise.id))
    assert cert.number == "SC10350011700012"
    assert cert.sc.food_class == "03"
    assert cert.sc.division == "500117"
    assert cert.state() == "unverified"
    assert db.get(StoredFile, cert.scan_file_id).mime_type == "application/pdf"
    page = client.get("/my/enterprise")
    assert "类别 03" in page.text
    assert "待核验" in page.text
    scan = client.get(f"/certificates/{cert.id}/scan")
    assert scan.status_code == 200
    assert scan.headers["content-disposition"].startswith("attachment")


def test_certificate_rules_refused_and_nothing_written(client, db):
    enterprise = make_enterprise(db)
    other_product = make_product(db)
    log_in(client, owner_of(db, enterprise).email)
    today = date.today()
    cases = [
        ({"number": "SC1035001170001"}, "number", "14 位"),
        ({"number": "XK10350011700012"}, "number", "SC"),
        ({"number": "SC10050011700012"}, "number", "01"),
        (
            {"issued_on": today.isoformat(), "valid_until": (today - timedelta(days=1)).isoformat()},
            "valid_until",
            "晚于发证日期",
        ),
        ({"valid_until": ""}, "valid_until", "有效期"),
        ({"kind": "other", "kind_other": ""}, "kind_other", "证书名称"),
        ({"holder": f"product:{other_product.id}"}, "holder", "本企业的产品"),
        ({"issued_on": (today + timedelta(days=3)).isoformat()}, "issued_on", "不能晚于今天"),
    ]
    before = _count(db)
    for overrides, field, message in cases:
        response = client.post("/my/certificates/new", data=cert_form(**overrides))
        assert response.status_code == 422, overrides
        error = response.text.split(f'id="err_{field}">')[1].split("</p>")[0]
        assert message in error, (field, error)
    bad_scan = client.post(
        "/my/certificates/new",
        data=cert_form(),
        files={"scan": ("virus.pdf", b"MZ\x90\x00not a pdf", "application/pdf")},
    )
    assert bad_scan.status_code == 422
    assert "文件类型不支持" in bad_scan.text
    assert _count(db) == before


def test_states_valid_expiring_expired_unverified(db):
    today = date.today()
    valid = make_certificate(db, valid_until=(today + timedelta(days=400)).isoformat())
    expiring = make_certificate(db, valid_until=(today + timedelta(days=30)).isoformat())
    expired = make_certificate(
        db, issued_on=(today - timedelta(days=900)).isoformat(), valid_until=(today - timedelta(days=2)).isoformat()
    )
    unverified = make_certificate(db, verified=False)
    assert [c.state() for c in (valid, expiring, expired, unverified)] == ["valid", "expiring", "expired", "unverified"]


def test_reviewer_verifies_and_public_sees_it(client, make_client, db):
    enterprise = make_enterprise(db)
    product = make_product(db, enterprise=enterprise)
    cert = make_certificate(db, enterprise=enterprise, verified=False)
    assert "SC10350011700012" not in client.get(f"/products/{product.id}").text
    reviewer = make_client()
    log_in(reviewer, make_user(db, role="reviewer").email)
    assert "SC10350011700012" in reviewer.get("/verify/certificates").text
    no_reason = reviewer.post(
        f"/verify/certificates/{cert.id}/decision", data={"action": "reject", "version": cert.version}
    )
    assert no_reason.status_code == 422
    ok = reviewer.post(f"/verify/certificates/{cert.id}/decision", data={"action": "verify", "version": cert.version})
    assert ok.status_code == 303
    detail = client.get(f"/products/{product.id}")
    assert "SC10350011700012" in detail.text
    assert "有效" in detail.text
    # The scan is never public.
    assert client.get(f"/certificates/{cert.id}/scan").status_code == 404


def test_editing_sends_certificate_back_to_unverified(client, db):
    cert = make_certificate(db)
    log_in(client, owner_of(db, cert.enterprise).email)
    form = {**cert_form(number="SC10350011700099"), "version": cert.version}
    assert client.post(f"/my/certificates/{cert.id}/edit", data=form).status_code == 303
    db.refresh(cert)
    assert cert.verification == "unverified"
    assert cert.number == "SC10350011700099"


def test_checklist_flags_expired_sc(client, db):
    enterprise = make_enterprise(db)
    today = date.today()
    make_certificate(
        db,
        enterprise=enterprise,
        issued_on=(today - timedelta(days=900)).isoformat(),
        valid_until=(today - timedelta(days=5)).isoformat(),
    )
    log_in(client, owner_of(db, enterprise).email)
    assert "已于" in client.get("/my/enterprise").text


def test_a_certificate_table_loads_its_holders_in_one_query(db):
    """holder_label on every row of a table: the products and bases come in one query, not one per row."""
    from sqlalchemy import event

    from hotpot.certificates import service

    enterprise = make_enterprise(db)
    for n in range(5):
        product = make_product(db, enterprise=enterprise, name=f"持证产品{n}")
        make_certificate(db, enterprise=enterprise, holder=f"product:{product.id}", kind="green_food", verified=False)
    db.flush()
    db.expunge_all()
    statements: list[str] = []

    def count(conn, cursor, statement, parameters, context, executemany) -> None:
        statements.append(statement)

    event.listen(db.bind, "before_cursor_execute", count)
    try:
        enterprise = db.get(type(enterprise), enterprise.id)
        labels = [c.holder_label for c in service.of_enterprise(db, enterprise=enterprise, public_only=False)]
    finally:
        event.remove(db.bind, "before_cursor_execute", count)
    assert sorted(labels) == [f"产品：持证产品{n}" for n in range(5)]
    assert len(statements) <= 3, statements


def test_a_decision_without_the_form_version_is_refused_and_changes_nothing(client, db):
    cert = make_certificate(db, verified=False)
    log_in(client, make_user(db, role="reviewer").email)
    for version in ({}, {"version": "abc"}):
        response = client.post(f"/verify/certificates/{cert.id}/decision", data={"action": "verify", **version})
        assert response.status_code == 400
    db.refresh(cert)
    assert cert.verification == "unverified"


def test_chosen_scan_is_kept_when_another_field_fails(client, make_client, db):
    """The scan survives an error elsewhere: the page names it, and the corrected form saves it without a new pick."""
    enterprise = make_enterprise(db)
    owner = owner_of(db, enterprise)
    log_in(client, owner.email)
    first = client.post(
        "/my/certificates/new",
        data=cert_form(number="SC1035001170001"),  # one digit short
        files={"scan": ("绿色食品证书.pdf", PDF, "application/pdf")},
    )
    assert first.status_code == 422
    assert "14 位" in first.text
    assert 'id="kept_scan"' in first.text
    assert "绿色食品证书.pdf" in first.text
    token = first.text.split('name="scan_token" value="')[1].split('"')[0]
    assert (
        db.scalar(select(func.count()).select_from(Certificate).where(Certificate.enterprise_id == enterprise.id)) == 0
    )

    # Another browser (or another account) cannot redeem the token.
    thief = make_client()
    other = make_enterprise(db)
    log_in(thief, owner_of(db, other).email)
    stolen = thief.post("/my/certificates/new", data={**cert_form(), "scan_token": token})
    assert stolen.status_code == 303
    stolen_cert = db.scalar(select(Certificate).where(Certificate.enterprise_id == other.id))
    assert stolen_cert.scan_file_id is None

    second = client.post("/my/certificates/new", data={**cert_form(), "scan_token": token})
    assert second.status_code == 303
    cert = db.scalar(select(Certificate).where(Certificate.enterprise_id == enterprise.id))
    assert cert.scan_file_id is not None
    assert db.get(StoredFile, cert.scan_file_id).filename == "绿色食品证书.pdf"


def test_bad_scan_and_bad_fields_reported_in_one_round(client, db):
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    response = client.post(
        "/my/certificates/new",
        data=cert_form(number="SC1035001170001", issuer=""),
        files={"scan": ("证书.exe", b"MZ\x90\x00not a document at all", "application/octet-stream")},
    )
    assert response.status_code == 422
    for field in ("scan", "issuer"):
        assert f'id="err_{field}"' in response.text, field
    assert 'id="kept_scan"' not in response.text


def test_every_field_error_of_the_certificate_form_comes_in_one_round(client, db):
    """A malformed SC number, a missing issuer, a future issue date and an "other" kind without a name used to come
    back in two rounds (the schema's first, the number and dates only after they were fixed)."""
    enterprise = make_enterprise(db)
    log_in(client, owner_of(db, enterprise).email)
    future = (date.today() + timedelta(days=3)).isoformat()
    sc = client.post(
        "/my/certificates/new", data=cert_form(number="SC1035001170001", issuer="", issued_on=future, valid_until="")
    )
    assert sc.status_code == 422
    for field in ("number", "issuer", "issued_on", "valid_until"):
        assert f'id="err_{field}"' in sc.text, field
    other = client.post("/my/certificates/new", data=cert_form(kind="other", number="", kind_other=""))
    assert other.status_code == 422
    for field in ("kind_other", "number"):
        assert f'id="err_{field}"' in other.text, field
    assert _count(db) == 0
