"""The brand a path names: visible to the caller (or 404), editable by the caller (or 403), or any for staff."""

from __future__ import annotations

from hotpot.brands import service
from hotpot.brands.models import Brand
from hotpot.deps import AnyUser, StaffUser, dependency_of, owned, visible

VisibleBrand = visible(Brand, service.can_see, param="brand_id")
EditableBrand = owned(Brand, service.can_edit, param="brand_id", message="您不能修改这个品牌。", user=AnyUser)
editable_brand = dependency_of(EditableBrand)
# Licences are granted and revoked by staff, on any brand (the service refuses a brand that is not licensable).
StaffBrand = visible(Brand, param="brand_id", user=StaffUser)
