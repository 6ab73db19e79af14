"""(stub: filled by the helper that owns this area; see /work/briefs/s3/)"""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
