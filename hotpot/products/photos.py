"""product_photo: up to eight photos per product, re-encoded from the upload, each with a thumbnail."""

from __future__ import annotations

from sqlalchemy import ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from hotpot.db import Base

MAX_PHOTOS = 8


class ProductPhoto(Base):
    __tablename__ = "product_photo"
    __table_args__ = (Index(None, "product_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("product.id", ondelete="CASCADE"))
    position: Mapped[int]
    image_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    thumb_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id", ondelete="CASCADE"))
    width: Mapped[int]
    height: Mapped[int]
