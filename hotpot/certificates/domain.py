"""Certificates' declaration: certificate pages, their messages, the model."""

from __future__ import annotations

from hotpot.certificates.models import Verification
from hotpot.domains import Domain

DOMAIN = Domain(
    name="certificates",
    routers=("hotpot.certificates.routes:router",),
    api_routers=("hotpot.certificates.api:router",),
    flash={
        "certificate_created": ("success", "证书已登记，等待审核人员核验"),
        "certificate_saved": ("success", "证书已保存，需要重新核验"),
        "decision_saved": ("success", "审核意见已保存"),
    },
    models=("hotpot.certificates.models",),
    search_sources=("hotpot.certificates.search:SOURCE",),
    # The status enum, so templates compare with members, not strings.
    template_globals={"Verification": Verification},
)
