"""Typed builders for certificates."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from hotpot.certificates import service
from hotpot.certificates.models import Certificate
from hotpot.certificates.schemas import CertificateIn
from hotpot.enterprises.models import Enterprise
from hotpot.verification import DecisionIn
from tests.auth.builders import make_user
from tests.enterprises.builders import make_enterprise, owner_of

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def cert_form(**overrides: Any) -> dict[str, Any]:
    today = date.today()
    form: dict[str, Any] = {
        "holder": "enterprise",
        "kind": "sc",
        "number": "SC10350011700012",
        "issuer": "重庆市合川区市场监督管理局",
        "issued_on": (today - timedelta(days=400)).isoformat(),
        "valid_until": (today + timedelta(days=800)).isoformat(),
    }
    form.update(overrides)
    return form


def make_certificate(
    session: Session,
    *,
    enterprise: Enterprise | None = None,
    verified: bool = True,
    with_scan: bool = False,
    **overrides: Any,
) -> Certificate:
    enterprise = enterprise or make_enterprise(session)
    cert = service.create(
        session,
        user=owner_of(session, enterprise),
        enterprise=enterprise,
        data=CertificateIn(**cert_form(**overrides)),
        scan=(PDF, "许可证.pdf") if with_scan else None,
    )
    if verified:
        service.decide(
            session, reviewer=make_user(session, role="reviewer"), cert=cert, data=DecisionIn(action="verify")
        )
    return cert
