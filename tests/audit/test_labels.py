"""Histories and the audit log read in Chinese: actions, people, fields, values and files by their labels."""

from __future__ import annotations

import re
from datetime import date, timedelta

from hotpot.audit import service as audit
from hotpot.certificates import service as cert_service
from hotpot.certificates.schemas import CertificateIn
from tests.auth.builders import log_in, make_user
from tests.certificates.builders import cert_form, make_certificate
from tests.enterprises.builders import make_enterprise, owner_of

# Codes a person must never read on these pages.
RAW = re.compile(
    r"certificate\.(create|update|verify)|session\.login|file\.upload|enterprise\.(register|verify)|green_food"
    r"|\bunverified\b|\bverified\b|user #|>None<|: None|\bNone\b|[0-9a-f]{64}|scan_file_id|holder_type"
)


def _visible_text(html: str) -> str:
    body = html.split("<main", 1)[-1]
    body = re.sub(r"<script.*?</script>", "", body, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", body)
    return text


def _green_food_cert(db, enterprise):
    owner = owner_of(db, enterprise)
    cert = make_certificate(
        db, enterprise=enterprise, verified=False, with_scan=True, kind="green_food", number="LB-01-2301234567A"
    )
    cert_service.edit(
        db,
        user=owner,
        cert=cert,
        data=CertificateIn(**cert_form(kind="green_food", number="LB-01-2301234567B", issuer="中国绿色食品发展中心")),
        version=cert.version,
    )
    reviewer = make_user(db, role="reviewer", display_name="赵审核")
    from hotpot.verification import DecisionIn

    cert_service.decide(db, reviewer=reviewer, cert=cert, data=DecisionIn(action="verify", reason="与扫描件一致"))
    return cert, reviewer


def test_certificate_history_reads_in_chinese(client, db):
    enterprise = make_enterprise(db)
    cert, reviewer = _green_food_cert(db, enterprise)
    log_in(client, reviewer.email)
    page = client.get(f"/verify/certificates/{cert.id}")
    assert page.status_code == 200
    text = _visible_text(page.text)
    assert "新增证书" in text
    assert "修改证书" in text
    assert "核验证书通过" in text
    assert "绿色食品" in text
    assert "待核验" in text
    assert "已核验" in text
    assert "赵审核 · 审核人员（区农业农村委）" in text
    assert "许可证.pdf" in text  # the scan by its name and size
    assert not RAW.search(text), RAW.search(text)
    history = client.get(f"/history/certificate/{cert.id}")
    assert history.status_code == 200
    assert not RAW.search(_visible_text(history.text)), RAW.search(_visible_text(history.text))


def test_enterprise_history_names_towns_and_links(client, db):
    enterprise = make_enterprise(db, status="pending")
    owner = owner_of(db, enterprise)
    log_in(client, owner.email)
    text = _visible_text(client.get(f"/history/enterprise/{enterprise.id}").text)
    assert "登记企业" in text
    assert "龙市组团" in text  # park_group longshi
    assert "初加工" in text or "精深加工" in text  # chain links by name
    assert "longshi" not in text
    assert "primary_processing" not in text
    assert "enterprise.register" not in text


def test_audit_log_reads_in_chinese(client, db):
    enterprise = make_enterprise(db)
    _cert, _ = _green_food_cert(db, enterprise)
    admin = make_user(db, role="admin", display_name="钱管理")
    log_in(client, admin.email)
    page = client.get("/admin/audit", params={"page_size": 100})
    assert page.status_code == 200
    text = _visible_text(page.text)
    for label in ("登录", "新增证书", "核验证书通过", "上传文件", "认证企业", "钱管理 · 系统管理员"):
        assert label in text, label
    assert "许可证.pdf（" in text  # the file by name and size
    assert not RAW.search(text), RAW.search(text)


def test_audit_log_filters_by_date_person_type_and_action(client, db):
    enterprise = make_enterprise(db)
    _green_food_cert(db, enterprise)
    admin = make_user(db, role="admin", display_name="孙管理")
    log_in(client, admin.email)

    def rows(**params):
        html = client.get("/admin/audit", params={"page_size": 100, **params}).text
        return html.count('class="audit-row" role="row"'), _visible_text(html)

    n, text = rows(entity_type="certificate")
    assert n == 3
    assert "新增证书" in text
    assert "登录" not in text.split("共", 1)[1]
    n, text = rows(action="certificate.verify")
    assert n == 1
    n, text = rows(who="赵审核")
    assert n >= 1
    assert "赵审核" in text
    assert "孙管理 ·" not in text
    n, text = rows(who="孙管理", action="session.login")
    assert n == 1
    tomorrow = (date.today() + timedelta(days=2)).isoformat()
    n, _ = rows(date_from=tomorrow)
    assert n == 0
    n, _ = rows(date_from=(date.today() - timedelta(days=1)).isoformat(), date_to=tomorrow, entity_type="certificate")
    assert n == 3
    bad = client.get("/admin/audit", params={"date_from": "2026-13-40"})
    assert bad.status_code == 200
    assert "请输入正确的日期" in bad.text


def test_described_history_of_an_unknown_action_is_still_chinese(db):
    event = audit.record(db, actor=None, action="brand.something_new", entity_type="brand", entity_id=None)
    (view,) = audit.describe(db, [event])
    assert view.action_label == "品牌变更"
    assert view.actor == "系统"


def test_context_and_new_facts_read_without_arrows(db):
    """A revoked licence names its licensee and the reason, not '企业：X → —'."""
    enterprise = make_enterprise(db, name="重庆被撤销授权食品有限公司")
    event = audit.record(
        db,
        actor=None,
        action="brand.licence_revoke",
        entity_type="brand",
        entity_id=None,
        before={"licence": 9, "enterprise_id": enterprise.id},
        after={"revoked": True, "reason": "抽检不合格"},
    )
    (view,) = audit.describe(db, [event])
    assert view.action_label == "撤销品牌授权"
    changes = {c.label: (c.old, c.new) for c in view.changes}
    assert changes["企业"] == (None, "重庆被撤销授权食品有限公司")
    assert changes["原因"] == (None, "抽检不合格")
    assert changes["已撤销"] == (None, "是")
    assert all(c.label != "其他信息" for c in view.changes)  # the licence's own id is not shown


def test_every_audit_action_written_by_the_code_has_a_chinese_label():
    """A new action must get its label the day it is written, or the log falls back to a vague '…变更'."""
    from pathlib import Path

    from hotpot.audit.labels import ACTIONS

    root = Path(__file__).resolve().parents[2] / "hotpot"
    literal = re.compile(r'action="([a-z_]+\.[a-z_.]+)"')
    prefixed = re.compile(r'action=f"([a-z_]+)\.\{data\.action\}"')
    written: set[str] = set()
    for path in root.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        written |= set(literal.findall(text))
        # Decisions are written as f"{kind}.{data.action}": every decision of the desk.
        for kind in prefixed.findall(text):
            written |= {f"{kind}.{action}" for action in ("verify", "reject")}
    assert len(written) > 30  # the scan found the code's actions
    missing = sorted(a for a in written if a not in ACTIONS)
    assert missing == [], f"add labels to hotpot/audit/labels.py ACTIONS: {missing}"
