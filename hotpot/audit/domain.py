"""The audit log's declaration: its pages and its model."""

from __future__ import annotations

from hotpot.domains import Domain

DOMAIN = Domain(name="audit", routers=("hotpot.audit.routes:router",), models=("hotpot.audit.models",))
