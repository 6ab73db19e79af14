"""Uploaded files' declaration: the file routes, and the messages of the photo and logo uploads every domain shares."""

from __future__ import annotations

from hotpot.domains import Domain

DOMAIN = Domain(
    name="files",
    routers=("hotpot.files.routes:router",),
    flash={
        "photos_added": ("success", "照片已上传"),
        "photo_removed": ("success", "照片已删除"),
        "logo_saved": ("success", "标志已更新"),
    },
    models=("hotpot.files.models",),
)
