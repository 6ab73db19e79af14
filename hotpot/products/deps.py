"""Reusable "exists and is mine" checks for products, resolved before the body is read."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException

from hotpot.db import SessionDep
from hotpot.deps import ProducerUser
from hotpot.enterprises import service as enterprise_service
from hotpot.products.models import Product
from hotpot.validation import Id


def own_product(session: SessionDep, user: ProducerUser, product_id: Id) -> Product:
    """The product, if it belongs to the caller's enterprise; another enterprise's product is refused (403)."""
    product = session.get(Product, product_id)
    if product is None:
        raise HTTPException(404)
    if not enterprise_service.can_manage(user, product.enterprise):
        raise HTTPException(403, "这不是您企业的产品，不能修改。")
    return product


OwnProduct = Annotated[Product, Depends(own_product)]
