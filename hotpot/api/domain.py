"""The JSON API's shared endpoints' declaration: health, OpenAPI, documentation, /api/v1/me and /users."""

from __future__ import annotations

from hotpot.domains import Domain

DOMAIN = Domain(name="api", api_routers=("hotpot.api.routes:router",))
