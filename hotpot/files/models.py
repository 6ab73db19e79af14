"""stored_file: uploaded bytes with their SHA-256, the type detected from content, and the size."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, LargeBinary, String, func
from sqlalchemy.orm import Mapped, deferred, mapped_column

from hotpot.db import Base


class StoredFile(Base):
    __tablename__ = "stored_file"
    # What the audit log records of an upload (hotpot/changes.py); never the content.
    audit_entity = "stored_file"
    audit_fields = ("filename", "mime_type", "size_bytes", "sha256")
    __table_args__ = (CheckConstraint("size_bytes >= 0", name="size_non_negative"), Index(None, "sha256"))

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64))
    mime_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int]
    filename: Mapped[str] = mapped_column(String(255))
    # Deferred: listing files must not pull their bytes.
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    # Public files (photos of published records) are served to anyone; others only to their uploader and staff.
    is_public: Mapped[bool] = mapped_column(default=False, server_default="false")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(server_default=func.now())
