"""The enterprise a path names: visible to the caller (or 404), or the caller's own to change (or 403)."""

from __future__ import annotations

from sqlalchemy.orm import joinedload

from hotpot.deps import StaffUser, dependency_of, owned, visible
from hotpot.enterprises import service
from hotpot.enterprises.models import Enterprise

VisibleEnterprise = visible(Enterprise, service.can_see, param="enterprise_id")
# The public page shows the chain links: loaded with the enterprise, in its statement (issue 12: one query less).
VisibleEnterpriseWithLinks = visible(
    Enterprise, service.can_see, param="enterprise_id", options=(joinedload(Enterprise.chain_links),)
)
OwnEnterprise = owned(Enterprise, service.can_manage, param="enterprise_id", message="只能修改本企业的信息")
own_enterprise = dependency_of(OwnEnterprise)
# The committee's desk sees every enterprise, whatever its status.
StaffEnterprise = visible(Enterprise, param="enterprise_id", user=StaffUser)
