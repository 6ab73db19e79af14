"""The base a path names: visible to the caller (or 404), or the caller's own to change (or 403)."""

from __future__ import annotations

from hotpot.bases import service
from hotpot.bases.models import RawBase
from hotpot.deps import dependency_of, owned, visible

VisibleBase = visible(RawBase, service.can_see, param="base_id")
OwnBase = owned(RawBase, service.can_edit, param="base_id", message="这不是您企业的基地，不能修改。")
own_base = dependency_of(OwnBase)
