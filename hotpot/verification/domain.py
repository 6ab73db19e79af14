"""Verification's declaration: the committee's desk (enterprises, bases, certificates) and its link."""

from __future__ import annotations

from hotpot.domains import Domain, NavEntry

DOMAIN = Domain(
    name="verification",
    routers=("hotpot.verification.routes:router",),
    # The desk opens on its enterprises queue.
    nav=(NavEntry("审核工作台", "/verify/enterprises", ("admin", "reviewer"), 10),),
    models=(),
)
