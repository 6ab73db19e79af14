"""Mail's declaration: the demo outbox page, the outbox table, the start-up notice of where mail goes."""

from __future__ import annotations

from hotpot.domains import Domain

DOMAIN = Domain(
    name="mail",
    routers=("hotpot.mail.routes:router",),
    models=("hotpot.mail.models",),
    on_startup=("hotpot.mail.service:startup_notice",),
)
