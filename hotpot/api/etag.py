"""Optimistic locking over HTTP: ETag on reads, If-Match required on writes (412 stale, 428 missing)."""

from __future__ import annotations

from fastapi import HTTPException, Request, Response


def etag(kind: str, record) -> str:
    return f'"{kind}-{record.id}-v{record.version}"'


def set_etag(response: Response, kind: str, record) -> None:
    response.headers["ETag"] = etag(kind, record)


def required_version(request: Request, kind: str, record) -> int:
    """The version the client edits, from If-Match; refuse a missing or wildcard (428) or stale (412) precondition.

    The version returned is the one the service's UPDATE is conditioned on (hotpot/db.py `Versioned`), so a write
    that lands between this check and the flush is refused too (412, by the app's StaleVersion handler).
    """
    sent = (request.headers.get("If-Match") or "").strip()
    if not sent:
        raise HTTPException(428, "修改需要 If-Match 请求头（取自 GET 响应的 ETag），以免覆盖他人的修改")
    tags = [t.strip().removeprefix("W/") for t in sent.split(",")]
    if "*" in tags:
        # "*" matches any version, so it would edit whatever the record holds now: a lost update by request.
        raise HTTPException(428, "修改需要具体的 ETag（取自 GET 响应），If-Match: * 不能用于修改，以免覆盖他人的修改")
    if etag(kind, record) not in tags:
        raise HTTPException(412, "记录已被他人修改（ETag 不匹配），请重新获取后再提交")
    return record.version
