"""Reusable "exists and is mine" checks for enterprises, resolved before the body is read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from hotpot.db import SessionDep
from hotpot.deps import ProducerUser
from hotpot.enterprises import service
from hotpot.enterprises.models import Enterprise
from hotpot.validation import Id


def own_enterprise(session: SessionDep, user: ProducerUser, enterprise_id: Id) -> Enterprise:
    enterprise = session.get(Enterprise, enterprise_id)
    if enterprise is None:
        raise HTTPException(404)
    if not service.can_manage(user, enterprise):
        raise HTTPException(403, "只能修改本企业的信息")
    return enterprise


OwnEnterprise = Annotated[Enterprise, Depends(own_enterprise)]
