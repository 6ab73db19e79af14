"""The product a path names: visible to the caller (or 404), or the caller's own to change (or 403)."""

from __future__ import annotations

from hotpot.deps import dependency_of, owned, visible
from hotpot.products import service
from hotpot.products.models import Product

VisibleProduct = visible(Product, service.can_see, param="product_id")
OwnProduct = owned(Product, service.can_edit, param="product_id", message="这不是您企业的产品，不能修改。")
own_product = dependency_of(OwnProduct)
