"""The one audit writer every service calls when it changes a record."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from hotpot import context
from hotpot.audit import labels
from hotpot.audit.models import AuditEvent
from hotpot.auth.models import User
from hotpot.bases.models import RawBase
from hotpot.brands.models import Brand
from hotpot.certificates.models import Certificate
from hotpot.enterprises.models import Enterprise
from hotpot.pagination import Page, paginate
from hotpot.products.models import Product

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, Enum):
        return value.value
    return value


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    entity_type: str,
    entity_id: object | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    actor_label: str | None = None,
) -> AuditEvent:
    """Append one audit event (who, what, before and after) in the caller's transaction."""
    ctx = context.current()
    event = AuditEvent(
        actor_id=actor.id if actor else None,
        actor_label=actor_label or (actor.email if actor else "system"),
        action=action,
        entity_type=entity_type,
        entity_id=None if entity_id is None else str(entity_id),
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        request_id=ctx.request_id,
        ip=ctx.ip,
    )
    session.add(event)
    session.flush()
    return event


def history(session: Session, *, entity_type: str, entity_id: object, limit: int = 100) -> list[AuditEvent]:
    """Events of one record, newest first."""
    stmt = (
        select(AuditEvent)
        .where(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id))
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
    )
    return list(session.scalars(stmt))


def count(session: Session, *, entity_type: str | None = None) -> int:
    stmt = select(func.count()).select_from(AuditEvent)
    if entity_type:
        stmt = stmt.where(AuditEvent.entity_type == entity_type)
    return session.scalar(stmt) or 0


@dataclass
class LogFilters:
    """Filters of the audit log: dates (Asia/Shanghai), a person (name or e-mail), a record type, an action."""

    date_from: date | None = None
    date_to: date | None = None
    who: str | None = None
    entity_type: str | None = None
    action: str | None = None


def recent(session: Session, *, page: int, page_size: int, filters: LogFilters | None = None) -> Page[AuditEvent]:
    """All events, newest first, filtered by date range, person, record type and action."""
    f = filters or LogFilters()
    stmt = select(AuditEvent).order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
    if f.date_from:
        stmt = stmt.where(AuditEvent.occurred_at >= datetime.combine(f.date_from, time(), SHANGHAI))
    if f.date_to:
        stmt = stmt.where(AuditEvent.occurred_at < datetime.combine(f.date_to + timedelta(days=1), time(), SHANGHAI))
    if f.who:
        pattern = "%" + f.who.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        people = select(User.id).where(User.display_name.ilike(pattern) | User.email.ilike(pattern))
        stmt = stmt.where(AuditEvent.actor_label.ilike(pattern) | AuditEvent.actor_id.in_(people))
    if f.entity_type:
        stmt = stmt.where(AuditEvent.entity_type == f.entity_type)
    if f.action:
        stmt = stmt.where(AuditEvent.action == f.action)
    return paginate(session, stmt, page=page, page_size=page_size)


# --- what people read: actions, people, records, fields and values by their Chinese labels ------------------------


@dataclass
class Change:
    label: str
    old: str | None  # None: the field was set (a new record), there is nothing to strike through
    new: str


@dataclass
class EventView:
    id: int
    occurred_at: datetime
    action_label: str
    actor: str
    entity_label: str
    entity_title: str
    entity_url: str | None
    changes: list[Change] = field(default_factory=list)
    ip: str | None = None


_HISTORY_PAGES = ("enterprise", "product", "base", "certificate", "brand")
_REF_KEYS = {
    "enterprise_id": "enterprise",
    "owner_enterprise_id": "enterprise",
    "product_id": "product",
    "base_id": "base",
    "brand_id": "brand",
    "town_code": "town",
    "category": "category",
    "chain_links": "chain_link",
    "scan_file_id": "file",
    "logo_file_id": "file",
    "licence_file_id": "file",
}


class _Lookup:
    """Names of everything the events point at, each kind loaded in one query."""

    def __init__(self, session: Session, events: list[AuditEvent]):
        self.session = session
        wanted: dict[str, set] = defaultdict(set)
        for e in events:
            if e.entity_id and e.entity_type in ("enterprise", "product", "base", "certificate", "brand", "user"):
                wanted[e.entity_type].add(e.entity_id)
            if e.entity_type == "stored_file" and e.entity_id:
                wanted["file"].add(e.entity_id)
            if e.actor_id:
                wanted["user"].add(str(e.actor_id))
            for snap in (e.before or {}, e.after or {}):
                for key, value in snap.items():
                    kind = _REF_KEYS.get(key)
                    if kind is None or value in (None, ""):
                        continue
                    for v in value if isinstance(value, list) else [value]:
                        wanted[kind].add(str(v))
                if e.action == "product.sources":
                    wanted["base"].update(k for k in snap if k.isdigit())
        self.names: dict[str, dict[str, str]] = {kind: self._load(kind, ids) for kind, ids in wanted.items()}
        self.users: dict[str, User] = {}
        if wanted.get("user"):
            ids = [int(i) for i in wanted["user"] if i.isdigit()]
            self.users = {str(u.id): u for u in session.scalars(select(User).where(User.id.in_(ids)))}

    def _load(self, kind: str, ids: set[str]) -> dict[str, str]:
        from hotpot.bases.models import RawBase
        from hotpot.brands.models import Brand
        from hotpot.certificates.models import Certificate
        from hotpot.enterprises.models import Enterprise
        from hotpot.files.models import StoredFile
        from hotpot.products.models import Product
        from hotpot.reference.models import ChainLink, ProductCategory, Town

        s = self.session
        ints = [int(i) for i in ids if i.isdigit()]
        if kind == "enterprise":
            rows = s.execute(select(Enterprise.id, Enterprise.name).where(Enterprise.id.in_(ints)))
        elif kind == "product":
            rows = s.execute(select(Product.id, Product.name).where(Product.id.in_(ints)))
        elif kind == "base":
            rows = s.execute(select(RawBase.id, RawBase.name).where(RawBase.id.in_(ints)))
        elif kind == "brand":
            rows = s.execute(select(Brand.id, Brand.name).where(Brand.id.in_(ints)))
        elif kind == "certificate":
            certs = s.scalars(select(Certificate).where(Certificate.id.in_(ints)))
            return {str(c.id): f"{c.kind_label} {c.number}" for c in certs}
        elif kind == "file":
            rows = s.execute(
                select(StoredFile.id, StoredFile.filename, StoredFile.size_bytes).where(StoredFile.id.in_(ints))
            )
            return {str(i): f"{name}（{labels.size_label(size)}）" for i, name, size in rows}
        elif kind == "town":
            rows = s.execute(select(Town.code, Town.name).where(Town.code.in_(ids)))
        elif kind == "category":
            rows = s.execute(select(ProductCategory.code, ProductCategory.name).where(ProductCategory.code.in_(ids)))
        elif kind == "chain_link":
            rows = s.execute(select(ChainLink.code, ChainLink.name).where(ChainLink.code.in_(ids)))
        else:
            return {}
        return {str(k): v for k, v in rows}

    def person(self, user_id: object | None, fallback: str | None) -> str:
        user = self.users.get(str(user_id)) if user_id is not None else None
        if user is not None:
            return f"{user.display_name} · {user.role_enum.label}"
        if fallback in (None, "", "system"):
            return "系统"
        return fallback

    def name(self, kind: str, key: object) -> str | None:
        return self.names.get(kind, {}).get(str(key))


def _text(lookup: _Lookup, entity_type: str, key: str, value: Any) -> str:
    """One value as a person reads it: labels for codes, names for ids, 是/否, sizes; '—' for nothing."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list):
        return "、".join(_text(lookup, entity_type, key, v) for v in value)
    coded = labels.value_label(entity_type, key, value)
    if coded:
        return coded
    kind = _REF_KEYS.get(key)
    if kind:
        return lookup.name(kind, value) or ("已删除的记录" if kind != "file" else "已删除的文件")
    if key == "size_bytes" and isinstance(value, int):
        return labels.size_label(value)
    if key == "mime_type":
        return labels.MIME_LABELS.get(str(value), str(value))
    if key in ("photos",) and isinstance(value, list):
        return f"{len(value)} 张"
    if isinstance(value, str) and len(value) >= 10 and value[4:5] == "-" and value[7:8] == "-":
        return value[:10] if len(value) == 10 or "T" not in value else value[:16].replace("T", " ")
    return str(value)


def _changes(lookup: _Lookup, e: AuditEvent) -> list[Change]:
    before, after = e.before or {}, e.after or {}
    if e.action == "product.sources":

        def shares(snap: dict) -> str:
            parts = [f"{lookup.name('base', k) or '已删除的基地'} {v}%" for k, v in snap.items()]
            return "、".join(parts) or "—"

        return [Change(label="原料来源", old=shares(before) if e.before is not None else None, new=shares(after))]
    out: list[Change] = []
    keys = list(dict.fromkeys([*after.keys(), *before.keys()]))
    for key in keys:
        if key in labels.HIDDEN_FIELDS:
            continue
        label = labels.field_label(e.entity_type, key)
        if key in ("photos", "photo"):
            count = len(after.get("photos") or []) if "photos" in after else 1
            verb = "新增" if "photos" in after else "删除"
            out.append(Change(label=label, old=None, new=f"{verb} {count} 张"))
            continue
        if e.before is not None and e.after is not None:
            if key not in before or key not in after:
                # Context of the change (the licensee of a revoked licence) or a new fact (the reason): no arrow.
                value = after[key] if key in after else before[key]
                if value not in (None, "", []):
                    out.append(Change(label=label, old=None, new=_text(lookup, e.entity_type, key, value)))
                continue
            if before.get(key) == after.get(key):
                continue
            out.append(
                Change(
                    label=label,
                    old=_text(lookup, e.entity_type, key, before.get(key)),
                    new=_text(lookup, e.entity_type, key, after.get(key)),
                )
            )
        elif e.after is not None:
            if after.get(key) in (None, "", []):
                continue
            out.append(Change(label=label, old=None, new=_text(lookup, e.entity_type, key, after.get(key))))
        else:
            out.append(Change(label=label, old=_text(lookup, e.entity_type, key, before.get(key)), new="—"))
    return out


def _title(lookup: _Lookup, e: AuditEvent) -> str:
    if e.entity_id is None:
        return ""
    if e.entity_type == "user":
        user = lookup.users.get(e.entity_id)
        return f"{user.display_name}（{user.email}）" if user else "已删除的账号"
    if e.entity_type == "stored_file":
        return lookup.name("file", e.entity_id) or (e.after or {}).get("filename") or "已删除的文件"
    if e.entity_type in ("enterprise", "product", "base", "certificate", "brand"):
        return lookup.name(e.entity_type, e.entity_id) or "已删除的记录"
    if e.entity_type == "api_token":
        return (e.after or {}).get("name") or "令牌"
    if e.entity_type == "inquiry":
        return f"询价单 {e.entity_id} 号"
    if e.entity_type == "job":
        return f"{(e.after or {}).get('job') or '任务'}（{e.entity_id} 号）"
    if e.entity_type == "synonym_group":
        terms = (e.after or e.before or {}).get("terms") or []
        return " = ".join(terms[:4]) or "同义词组"
    return ""


def describe(session: Session, events: list[AuditEvent]) -> list[EventView]:
    """Events as people read them: Chinese action, person by name and role, record by name, labelled changes."""
    lookup = _Lookup(session, events)
    return [
        EventView(
            id=e.id,
            occurred_at=e.occurred_at,
            action_label=labels.action_label(e.action, e.entity_type),
            actor=lookup.person(e.actor_id, e.actor_label),
            entity_label=labels.entity_type_label(e.entity_type),
            entity_title=_title(lookup, e),
            entity_url=f"/history/{e.entity_type}/{e.entity_id}"
            if e.entity_type in _HISTORY_PAGES and e.entity_id
            else None,
            changes=_changes(lookup, e),
            ip=e.ip,
        )
        for e in events
    ]


def timeline(session: Session, *, entity_type: str, entity_id: object, limit: int = 100) -> list[EventView]:
    """The history of one record, newest first, described for people."""
    return describe(session, history(session, entity_type=entity_type, entity_id=entity_id, limit=limit))


def log_page(session: Session, *, page: int, page_size: int, filters: LogFilters) -> Page[EventView]:
    """One page of the audit log, described for people."""
    found = recent(session, page=page, page_size=page_size, filters=filters)
    return Page(items=describe(session, found.items), total=found.total, page=found.page, page_size=found.page_size)


# The records whose change history has a page: model, label, owner enterprise, title.
_HISTORY_KINDS: dict[str, tuple[type, str, Any, Any]] = {
    "enterprise": (Enterprise, "企业", lambda r: r, lambda r: r.name),
    "product": (Product, "产品", lambda r: r.enterprise, lambda r: r.name),
    "base": (RawBase, "原料基地", lambda r: r.enterprise, lambda r: r.name),
    "certificate": (Certificate, "资质证书", lambda r: r.enterprise, lambda r: f"{r.kind_label} {r.number}"),
    "brand": (Brand, "品牌", lambda r: r.owner_enterprise, lambda r: r.name),
}


@dataclass(frozen=True)
class HistorySubject:
    record: Any
    label: str
    owner: Any  # the enterprise it belongs to, or None
    title: str


def history_subject(session: Session, *, entity_type: str, entity_id: int) -> HistorySubject | None:
    """The record whose history page was asked for (with its label, owner and title), or None."""
    if entity_type not in _HISTORY_KINDS:
        return None
    model, label, owner_of, title_of = _HISTORY_KINDS[entity_type]
    record = session.get(model, entity_id)
    if record is None:
        return None
    return HistorySubject(record=record, label=label, owner=owner_of(record), title=title_of(record))
