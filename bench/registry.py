"""The registry's list and detail pages at scale: 20,000 enterprises and 100,000 products.

What it does, in order:
1. a throwaway embedded PostgreSQL, migrated to head, with the reference data of seed_data/;
2. a realistic fictional registry written with COPY (not through the services, which would also write an audit
   event per row): enterprises on the demo credit-code block, 1-2 chain links each, products skewed over them with
   is_public = published AND enterprise verified, then VACUUM ANALYZE (the state autovacuum would reach);
3. the real server (uvicorn, one worker unless --workers, loopback only) and, at concurrency 8 and then 1,
   p50/p95/p99 and req/s of: a static file (the ratio base) and /healthz, the product catalogue unfiltered and
   with a mix of eight filters, enterprise detail pages, the filtered enterprise directory and the JSON API; then
   concurrency 8 once more through wrk (when installed): the same server without eight Python clients on its CPUs;
4. each URL alone at concurrency 1, next to an in-process run of the same URL that splits the server's time into
   SQL and everything else (ORM, templates), with the number of statements per request;
5. PASS/FAIL of the targets (filtered product list and enterprise detail, p95 under 50 ms) for every pass;
6. EXPLAIN (ANALYZE, BUFFERS) of every statement the catalogue runs (captured from products.service.catalog) and
   every statement the enterprise detail page runs (captured in-process): one line each, full plans of slow ones.

.venv/bin/python -m bench.registry [--enterprises 20000] [--products 100000] [--requests 1000] [--workers 1]
"""

from __future__ import annotations

import argparse
import csv
import logging
import math
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

import psycopg
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.orm import Session

from bench.common import Result, drive, free_port, wait_for
from hotpot import migrate, pg
from hotpot.demo import GIVEN, KIND_LINKS, SURNAMES
from hotpot.enterprises import codes
from hotpot.reference.service import load_reference
from hotpot.resources import resource_dir
from hotpot.search import unitprice

TARGET_P95_MS = 50.0
DATABASE = "hotpot_bench"

# Share of enterprises by main business (kinds of product_categories.csv, plus cold-chain firms and co-operatives).
KIND_SHARE = {
    "shuifa": 25,
    "shuichan": 12,
    "rou": 20,
    "zhiwudanbai": 10,
    "shucai": 12,
    "tiaoweiliao": 16,
    "cold_chain": 3,
    "base": 2,
}
KIND_WORDS = {
    "shuifa": ("毛肚", "水发", "鲜品"),
    "shuichan": ("水产", "渔业", "海鲜"),
    "rou": ("肉类", "肉业", "牛羊肉"),
    "zhiwudanbai": ("豆制品", "豆业", "豆腐"),
    "shucai": ("农产品", "蔬菜", "魔芋"),
    "tiaoweiliao": ("调味品", "火锅底料", "香料"),
    "cold_chain": ("冷链", "冷冻", "供应链"),
    "base": ("种植", "养殖", "生态"),
}
KIND_TAIL = {"cold_chain": "物流有限公司", "base": "农业专业合作社"}
TRADE_FIRST = "渝合川巴嘉涪渠钓南云盐草龙金鼎鲜香辣麻红德顺福兴旺隆盛丰华宏泰安康乐美佳好味源品聚鑫山城江津沙双三"
TRADE_SECOND = "记坊厨湾港园林达祥瑞和优膳滋脆爽椒韵道家府汇轩阁堂居庄苑谷田禾丘岭峰溪泉桥亭楼门源鲜香"
BASE_CATEGORIES = ("gan-lajiao", "huajiao", "moyu", "caiziyou")
# Popular sub-categories get more products.
CATEGORY_BOOST = {"maodu": 3, "yachang": 2, "huanghou": 2, "xiahua": 2, "feiniu-juan": 2, "niuyou-diliao": 3}
LONGSHI = "500117121"
STATUS_SHARE = {"verified": 90, "pending": 5, "rejected": 3, "suspended": 2}
PRODUCT_STATUS_SHARE = {"published": 85, "draft": 8, "withdrawn": 7}

ENTERPRISE_COLUMNS = (
    "id",
    "uscc",
    "name",
    "short_name",
    "legal_representative",
    "town_code",
    "outside_address",
    "park_group",
    "address",
    "contact_person",
    "phone",
    "scale",
    "employees",
    "annual_capacity_t",
    "founded_on",
    "description",
    "status",
    "status_reason",
    "status_changed_at",
    "is_demo",
    "version",
    "created_at",
    "updated_at",
)
PRODUCT_COLUMNS = (
    "id",
    "enterprise_id",
    "category_code",
    "kind_code",
    "name",
    "spec",
    "storage",
    "shelf_life_days",
    "standard_code",
    "min_order",
    "min_order_unit",
    "price_min",
    "price_max",
    "price_unit",
    "unit_price_min",
    "unit_price_max",
    "description",
    "status",
    "published_at",
    "is_public",
    "is_demo",
    "version",
    "created_at",
    "updated_at",
)

PRODUCT_FILTERS = [
    "/products?kind=shuifa",
    "/products?category=maodu",
    "/products?category=niuyou-diliao&storage=ambient",
    "/products?storage=frozen&town=500117121",
    "/products?park_group=nanxi&sort=price",
    "/products?kind=rou&page=5",
    "/products?q=毛肚",
    "/products?category=xiahua&sort=price_desc",
]
DIRECTORY_FILTERS = ["/enterprises?town=500117121", "/enterprises?park_group=longshi&page=3"]


# --- data generation -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Category:
    code: str
    kind: str
    name: str
    storage: str
    shelf_life_days: int
    unit: str
    price_min: Decimal
    price_max: Decimal
    specs: tuple[str, ...]
    standards: tuple[str, ...]
    variants: tuple[str, ...]


@dataclass(frozen=True)
class Maker:
    """What product generation needs to know about an enterprise."""

    id: int
    kind: str
    verified: bool
    short_name: str
    created_at: datetime


@dataclass
class DataStats:
    seconds: float = 0.0
    copy_seconds: float = 0.0
    vacuum_seconds: float = 0.0
    rows: dict[str, int] = field(default_factory=dict)
    products_per_enterprise: list[int] = field(default_factory=list)
    largest_enterprise: int = 0
    verified_ids: list[int] = field(default_factory=list)


def _csv(name: str) -> list[dict[str, str]]:
    with (resource_dir("seed_data") / name).open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def load_categories() -> list[Category]:
    return [
        Category(
            code=r["code"],
            kind=r["parent_code"],
            name=r["name"],
            storage=r["storage"],
            shelf_life_days=int(r["shelf_life_days"]),
            unit=r["unit"],
            price_min=Decimal(r["price_min"]),
            price_max=Decimal(r["price_max"]),
            specs=tuple(r["specs"].split("|")),
            standards=tuple(s for s in r["standards"].split("|") if s),
            variants=tuple(r["name_variants"].split("|")),
        )
        for r in _csv("product_categories.csv")
        if r["parent_code"]
    ]


def town_weights() -> dict[str, float]:
    """Most enterprises in 龙市镇 and the industrial subdistricts (5001170xx), a few in every other town."""
    weights: dict[str, float] = {}
    for row in _csv("towns.csv"):
        code = row["code"]
        weights[code] = 30.0 if code == LONGSHI else 7.0 if code.startswith("5001170") else 1.0
    return weights


def _pick(rng: random.Random, shares: dict[str, int]) -> str:
    return rng.choices(list(shares), list(shares.values()))[0]


class Generator:
    """Rows for the enterprise, enterprise_chain_link and product tables, reproducible from a seed."""

    def __init__(self, seed: int, now: datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.categories = load_categories()
        self.towns = town_weights()
        first = "".join(dict.fromkeys(TRADE_FIRST))
        second = "".join(dict.fromkeys(TRADE_SECOND))
        self.trades = [a + b for a in first for b in second if a != b]
        self.free_names: dict[str, list[tuple[str, str]]] = {}

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.sample(GIVEN, self.rng.choice((1, 2))))

    def phone(self) -> str:
        if self.rng.random() < 0.5:
            return f"023-42{self.rng.randint(100000, 999999)}"
        return f"1{self.rng.choice('3589')}{self.rng.randint(100000000, 999999999)}"

    def trade_and_word(self, kind: str) -> tuple[str, str]:
        """A unique (trade name, business word) pair for this kind, drawn without replacement."""
        pool = self.free_names.get(kind)
        if pool is None:
            pool = [(t, w) for t in self.trades for w in KIND_WORDS[kind]]
            self.rng.shuffle(pool)
            self.free_names[kind] = pool
        if pool:
            return pool.pop()
        trade = self.rng.choice(self.trades)
        return f"{trade}{self.rng.randint(2, 99)}", self.rng.choice(KIND_WORDS[kind])

    def enterprise(self, n: int) -> tuple[tuple[Any, ...], Maker, list[str]]:
        rng = self.rng
        kind = _pick(rng, KIND_SHARE)
        trade, word = self.trade_and_word(kind)
        name = f"重庆{trade}{word}{KIND_TAIL.get(kind, '食品有限公司')}"
        outside = rng.random() < 0.05
        town = None if outside else rng.choices(list(self.towns), list(self.towns.values()))[0]
        if town is None:
            park = "none"
        elif town == LONGSHI:
            park = rng.choice(("longshi", "longshi", "longshi", "none", "none"))
        elif town.startswith("5001170"):
            park = rng.choice(("nanxi", "nanxi", "nanxi", "nanxi", "wuzun", "none", "none", "none", "none", "none"))
        else:
            park = "wuzun" if kind == "cold_chain" or rng.random() < 0.1 else "none"
        base = kind == "base"
        status = _pick(rng, STATUS_SHARE)
        created = self.now - timedelta(days=rng.uniform(30, 1100))
        changed = None if status == "pending" else created + timedelta(days=rng.uniform(0.5, 20))
        reason = {"rejected": "营业执照照片不清晰，请重新上传", "suspended": "抽检不合格，整改期间暂停展示"}.get(status)
        road = rng.choice(("工业大道", "食品路", "兴农路", "滨江路", "园区一路", "园区二路"))
        row = (
            n,
            codes.demo_uscc(n, prefix8=("93" if base else "91") + ("500106" if outside else "500117")),
            name,
            (trade + word)[:30],
            self.person(),
            town,
            "重庆市沙坪坝区土主街道" if outside else None,
            park,
            f"{'产业园' if park != 'none' else ''}{road}{rng.randint(1, 399)}号",
            self.person(),
            self.phone(),
            "above" if rng.random() < 0.3 and not base else "below",
            rng.randint(8, 60) if base else rng.randint(20, 480),
            Decimal(rng.choice((500, 800, 1200, 2000, 3500, 5000, 8000, 12000))),
            date(2003, 1, 1) + timedelta(days=rng.randint(0, 7300)),
            f"{name}专注火锅食材研发与生产，产品供应重庆及全国火锅门店、连锁品牌和商超。（基准测试数据）",
            status,
            reason,
            changed,
            True,
            1,
            created,
            changed or created,
        )
        links = KIND_LINKS[kind][: 1 + (rng.random() < 0.6)]
        return row, Maker(n, kind, status == "verified", trade + word, created), links

    def product_pool(self, kind: str) -> tuple[list[Category], list[float]]:
        if kind == "base":
            pool = [c for c in self.categories if c.code in BASE_CATEGORIES]
        else:
            pool = [c for c in self.categories if c.kind == kind]
        return pool, [float(CATEGORY_BOOST.get(c.code, 1)) for c in pool]

    def product(self, n: int, maker: Maker, pools: dict[str, tuple[list[Category], list[float]]]) -> tuple[Any, ...]:
        rng = self.rng
        if rng.random() < 0.85:
            pool, weights = pools[maker.kind]
        else:
            pool, weights = self.categories, [float(CATEGORY_BOOST.get(c.code, 1)) for c in self.categories]
        c = rng.choices(pool, weights)[0]
        low, high = c.price_min, c.price_max
        price_min = (low + (high - low) * Decimal(rng.random()) * Decimal("0.6")).quantize(Decimal("1"))
        price_max = max(price_min, min(high, price_min + (high - low) * Decimal("0.25")).quantize(Decimal("1")))
        variant = rng.choice(c.variants)
        spec = rng.choice(c.specs)
        # The price in 元/kg that the catalogue's price sorts read, as the app keeps it (products.search).
        unit_low = unitprice.per_kg(price_min, c.unit, spec)
        unit_high = unitprice.per_kg(price_max, c.unit, spec) if unit_low is not None else None
        status = _pick(rng, PRODUCT_STATUS_SHARE)
        earliest = max(maker.created_at, self.now - timedelta(days=730))
        span = (self.now - earliest).total_seconds()
        moment = earliest + timedelta(seconds=rng.uniform(0, span))
        published = moment if status != "draft" else None
        created = max(maker.created_at, moment - timedelta(hours=rng.uniform(0, 72)))
        updated = (
            moment + timedelta(seconds=rng.uniform(0, (self.now - moment).total_seconds()))
            if status == "withdrawn"
            else moment
        )
        return (
            n,
            maker.id,
            c.code,
            c.kind,
            variant if rng.random() < 0.6 else f"{maker.short_name[:2]}{variant}",
            spec,
            c.storage,
            c.shelf_life_days,
            rng.choice(c.standards) if c.standards else None,
            Decimal(rng.choice((1, 5, 10, 20, 50))),
            "kg" if c.unit == "元/kg" else "箱",
            price_min,
            price_max,
            c.unit,
            unit_low,
            unit_high if unit_high is not None else unit_low,
            f"{c.name}，{variant}。冷链直发，可按餐饮门店需求定制规格。（基准测试数据）",
            status,
            published,
            status == "published" and maker.verified,
            True,
            1,
            created,
            updated,
        )


def conninfo(url: str) -> str:
    """A libpq URI for psycopg from a SQLAlchemy URL."""
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def generate(url: str, *, enterprises: int, products: int, seed: int) -> DataStats:
    """Fill the registry with COPY, then VACUUM ANALYZE; check product.is_public is consistent."""
    stats = DataStats()
    started = time.perf_counter()
    gen = Generator(seed, datetime.now(UTC))
    makers: list[Maker] = []
    e_rows: list[tuple[Any, ...]] = []
    link_rows: list[tuple[int, str]] = []
    for n in range(1, enterprises + 1):
        row, maker, links = gen.enterprise(n)
        e_rows.append(row)
        makers.append(maker)
        link_rows.extend((n, code) for code in links)
    # Products per enterprise: skewed (log-normal weights, capped), none for cold-chain firms, few for co-operatives.
    weights = []
    for m in makers:
        w = min(8.0, gen.rng.lognormvariate(0, 0.75))
        weights.append(0.0 if m.kind == "cold_chain" else w * 0.3 if m.kind == "base" else w)
    owners = gen.rng.choices(makers, weights, k=products)
    owners.sort(key=lambda m: m.id)
    pools = {kind: gen.product_pool(kind) for kind in KIND_SHARE if kind != "cold_chain"}
    p_rows = [gen.product(i, m, pools) for i, m in enumerate(owners, start=1)]
    copy_started = time.perf_counter()
    with psycopg.connect(conninfo(url)) as conn, conn.cursor() as cur:
        _copy(cur, "enterprise", ENTERPRISE_COLUMNS, e_rows)
        _copy(cur, "enterprise_chain_link", ("enterprise_id", "chain_link_code"), link_rows)
        _copy(cur, "product", PRODUCT_COLUMNS, p_rows)
        for table in ("enterprise", "product"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))")
    stats.copy_seconds = time.perf_counter() - copy_started
    vacuum_started = time.perf_counter()
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        stats.vacuum_seconds = time.perf_counter() - vacuum_started
        inconsistent = conn.execute(
            "SELECT count(*) FROM product p JOIN enterprise e ON e.id = p.enterprise_id "
            "WHERE p.is_public <> (p.status = 'published' AND e.status = 'verified')"
        ).fetchone()
        if inconsistent is None or inconsistent[0]:
            raise RuntimeError(f"product.is_public inconsistent on {inconsistent} rows")
        for table in ("enterprise", "enterprise_chain_link", "product"):
            stats.rows[table] = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # type: ignore[index]
        stats.rows["enterprise verified"] = conn.execute(
            "SELECT count(*) FROM enterprise WHERE status = 'verified'"
        ).fetchone()[0]  # type: ignore[index]
        stats.rows["product public"] = conn.execute("SELECT count(*) FROM product WHERE is_public").fetchone()[0]  # type: ignore[index]
    stats.seconds = time.perf_counter() - started
    per = Counter(m.id for m in owners)
    stats.products_per_enterprise = [per.get(m.id, 0) for m in makers]
    stats.largest_enterprise = max((m for m in makers if m.verified), key=lambda m: per.get(m.id, 0)).id
    stats.verified_ids = [m.id for m in makers if m.verified and per.get(m.id, 0)]
    return stats


def _copy(cur: psycopg.Cursor, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def sizes(url: str) -> list[str]:
    """Heap, index and total sizes of the product and enterprise tables, and of each product index."""
    out = []
    with psycopg.connect(conninfo(url)) as conn:
        for table in ("product", "enterprise"):
            heap, idx, total = conn.execute(
                "SELECT pg_relation_size(%s), pg_indexes_size(%s), pg_total_relation_size(%s)", (table, table, table)
            ).fetchone()  # type: ignore[misc]
            out.append(f"{table:<10} heap {mib(heap)}  indexes {mib(idx)}  total {mib(total)} (incl. TOAST/FSM/VM)")
        for name, size in conn.execute(
            "SELECT indexrelname, pg_relation_size(indexrelid) FROM pg_stat_user_indexes "
            "WHERE relname = 'product' ORDER BY indexrelname"
        ):
            out.append(f"  index {name:<28} {mib(size)}")
    return out


def mib(n: int) -> str:
    return f"{n / 1024 / 1024:7.2f} MiB"


# --- the server --------------------------------------------------------------------------------------------------


@contextmanager
def app_server(url: str, data_dir: Path, *, workers: int = 1, tree: Path | None = None) -> Iterator[str]:
    """The real app under uvicorn on loopback, on the bench database; yields its base URL. With tree, the app of
    that checkout (another revision's worktree) instead of this one's, on the same database and interpreter."""
    port = free_port()
    log_path = data_dir / "server.log"
    env = {
        **os.environ,
        "HOTPOT_DATABASE_URL": url,
        "HOTPOT_DATA_DIR": str(data_dir / "var"),
        "HOTPOT_LOG_LEVEL": "warning",
    }
    if tree is not None:
        env["PYTHONPATH"] = str(tree)
        log_path = data_dir / f"server-{tree.name}.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen(
            [
                *(sys.executable, "-m", "uvicorn", "hotpot.main:create_app", "--factory"),
                *("--host", "127.0.0.1", "--port", str(port), "--log-level", "warning", "--workers", str(workers)),
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            cwd=tree,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        try:
            wait_for(base + "/healthz", timeout=60)
        except TimeoutError:
            raise RuntimeError(f"server did not start:\n{log_path.read_text()[-3000:]}") from None
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


# --- SQL capture and plans ---------------------------------------------------------------------------------------


@dataclass
class Executed:
    statement: str
    parameters: Any
    ms: float = 0.0


@contextmanager
def captured(engine: Engine) -> Iterator[list[Executed]]:
    """Collect every statement run on engine inside the block, with its parameters and its wall time."""
    seen: list[Executed] = []
    started: list[float] = []

    def before(conn, cursor, statement, parameters, context, executemany) -> None:
        seen.append(Executed(statement, parameters))
        started.append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany) -> None:
        if started:
            seen[-1].ms = (time.perf_counter() - started.pop()) * 1000

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)


def explain(engine: Engine, statement: str, parameters: Any) -> list[str]:
    with engine.connect() as conn:
        return [r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + statement, parameters)]


def statement_kind(statement: str) -> str:
    head = " ".join(statement.split())
    if head.startswith("SELECT count(*)"):
        return "count"
    if head.startswith("SELECT enterprise_chain_link."):
        return "chain links"
    if head.startswith("SELECT product."):
        return "page" if " LIMIT " in head else "products"
    if head.startswith("SELECT enterprise."):
        return "enterprise"
    table = re.search(r" FROM (\w+)", head)
    return f"from {table.group(1)}" if table else head[:20]


SCAN = re.compile(
    r"((?:Parallel )?(?:Seq Scan|Index Only Scan|Index Scan|Bitmap Heap Scan)(?: Backward)?)"
    r"(?: using (\S+))? on (\w+).*?actual time=\S+ rows=(\d+) loops=(\d+)"
)
PLAN_DETAILS = (
    "Filter:",
    "Index Cond:",
    "Recheck Cond:",
    "Rows Removed by Filter:",
    "Sort Key:",
    "Sort Method:",
    "Heap Fetches:",
    "Hash Cond:",
)


def execution_ms(lines: list[str]) -> float:
    for ln in lines:
        if ln.startswith("Execution Time:"):
            return float(ln.split()[2])
    return float("nan")


def scans(lines: list[str]) -> str:
    """The plan's table accesses, e.g. `Seq Scan product 24,979 rows; Index Scan pk_enterprise 20x1`."""
    out = []
    for ln in lines:
        m = SCAN.search(ln)
        if m:
            how, index, table, rows, loops = m.groups()
            rows_label = f"{int(rows):,} rows" if loops == "1" else f"{loops}x{rows} rows"
            out.append(f"{how} {index or table} {rows_label}")
    sort = next((ln.strip() for ln in lines if "Sort Method:" in ln), None)
    return "; ".join(out + ([sort] if sort else []))


def plan_summary(lines: list[str], *, limit: int) -> list[str]:
    """The plan's nodes with their conditions and sort details (first `limit` lines), the root's buffers, times."""
    body = [ln for ln in lines if not ln.startswith(("Planning", "Execution"))]
    tail = [ln for ln in lines if ln.startswith(("Planning Time", "Execution Time"))]
    kept = body[:1] + [ln for ln in body[1:2] if "Buffers:" in ln]
    kept += [ln for ln in body[1:] if ln.strip().startswith(("->", *PLAN_DETAILS))]
    shown = [ln if len(ln) <= 160 else ln[:157] + "..." for ln in kept[:limit]]
    if len(kept) > limit:
        shown.append(f"  ... ({len(kept) - limit} more plan lines)")
    return shown + tail


def catalog_call(path: str) -> Callable[[Session], Any]:
    """The products.service.catalog call the /products route makes for this URL."""
    from hotpot.enterprises.models import PARK_GROUPS
    from hotpot.products.models import STORAGES
    from hotpot.products.service import CatalogFilters, catalog

    query = {k: v[0] for k, v in parse_qs(urlsplit(path).query).items()}
    filters = CatalogFilters(
        q=query.get("q"),
        kind=query.get("kind"),
        category=query.get("category"),
        storage=query.get("storage") if query.get("storage") in STORAGES else None,
        town=query.get("town"),
        park_group=query.get("park_group") if query.get("park_group") in PARK_GROUPS else None,
    )
    page = int(query.get("page", "1"))
    return lambda session: catalog(session, filters=filters, sort=query.get("sort"), page=page, page_size=20)


@dataclass
class Explained:
    label: str
    kind: str
    ms: float
    lines: list[str]


def explain_executed(engine: Engine, label: str, executed: list[Executed]) -> list[Explained]:
    """EXPLAIN (ANALYZE, BUFFERS) each captured SELECT (anything else is skipped: ANALYZE would run it)."""
    out = []
    for ex in executed:
        if ex.statement.lstrip().upper().startswith("SELECT"):
            lines = explain(engine, ex.statement, ex.parameters)
            out.append(Explained(label, statement_kind(ex.statement), execution_ms(lines), lines))
    return out


def explain_calls(engine: Engine, calls: dict[str, Callable[[Session], Any]]) -> list[Explained]:
    """Run each service call once, capture its statements and EXPLAIN every one of them."""
    out: list[Explained] = []
    for label, call in calls.items():
        with Session(engine) as session, captured(engine) as stmts:
            call(session)
        out.extend(explain_executed(engine, label, stmts))
    return out


def print_plans(found: list[Explained], *, slow_ms: float) -> None:
    width = max(len(e.label) for e in found)
    for e in found:
        print(f"{e.label:<{width}}  {e.kind:<18} {e.ms:8.2f} ms  {scans(e.lines)}")
    slow = [e for e in found if e.ms >= slow_ms]
    for e in slow:
        print(f"\n-- {e.label} [{e.kind}] {e.ms:.2f} ms, plan:")
        for ln in plan_summary(e.lines, limit=30):
            print("   " + ln)


@dataclass
class InProcess:
    status: int
    statements: int
    total_ms: float
    sql_ms: float
    executed: list[Executed]  # the statements of the last request


def in_process(engine: Engine, paths: list[str], *, repeat: int) -> dict[str, InProcess]:
    """Each path through the app in this process (no network): statements per request, and the median time
    of the whole request next to the median time spent waiting on SQL, to tell Python work from database work."""
    from fastapi.testclient import TestClient

    from hotpot.main import create_app

    out: dict[str, InProcess] = {}
    app_log = logging.getLogger("hotpot")
    level = app_log.level
    app_log.setLevel(logging.CRITICAL)  # a failing page is reported as its status, not as a traceback
    try:
        with TestClient(create_app(engine=engine), raise_server_exceptions=False) as client:
            for path in paths:
                status = client.get(path).status_code  # warms the template cache
                totals: list[float] = []
                sqls: list[float] = []
                last: list[Executed] = []
                for _ in range(repeat):
                    with captured(engine) as stmts:
                        t = time.perf_counter()
                        status = client.get(path).status_code
                        totals.append((time.perf_counter() - t) * 1000)
                    sqls.append(sum(e.ms for e in stmts))
                    last = stmts
                out[path] = InProcess(status, len(last), statistics.median(totals), statistics.median(sqls), last)
    finally:
        app_log.setLevel(level)
    return out


# --- measurement -------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Scenario:
    name: str
    paths: list[str]
    target: bool = False


def scenarios(stats: DataStats, rng: random.Random) -> list[Scenario]:
    detail_ids = rng.sample(stats.verified_ids, min(500, len(stats.verified_ids)))
    return [
        Scenario("bare: /static/css/app.css", ["/static/css/app.css"]),
        Scenario("healthz (SELECT 1)", ["/healthz"]),
        Scenario("products, first page", ["/products"]),
        Scenario("products, filtered (8 mix)", PRODUCT_FILTERS, target=True),
        Scenario("enterprise detail (500 ids)", [f"/enterprises/{i}" for i in detail_ids], target=True),
        Scenario("enterprise detail, largest", [f"/enterprises/{stats.largest_enterprise}"]),
        Scenario("directory, filtered (2 mix)", DIRECTORY_FILTERS),
        Scenario("api products ?category=maodu", ["/api/v1/products?category=maodu"]),
        Scenario("api enterprises ?town=龙市镇", [f"/api/v1/enterprises?town={LONGSHI}"]),
    ]


def measure(base: str, items: list[Scenario], *, concurrency: int, requests: int) -> list[Result]:
    return [drive(s.name, base, s.paths, concurrency=concurrency, requests=requests) for s in items]


def wrk_pass(base: str, items: list[Scenario], tmp: Path, *, seconds: int) -> dict[str, dict]:
    """Concurrency 8 again, from wrk (C, two threads) instead of eight Python clients.

    The control for the load generator: the Python clients above need about as much CPU per request as a static
    file costs the server, on the same two CPUs, so their figures hold the client's share too. Skipped without wrk.
    """
    if not shutil.which("wrk") or seconds <= 0:
        return {}
    from bench import search as search_bench

    search_bench.use_wire()
    section(f"concurrency 8 through wrk (8 connections, 2 threads, {seconds} s per scenario)")
    print(f"({load_average()} before the pass)")
    out: dict[str, dict] = {}
    for n, s in enumerate(items):
        if not (s.target or n < 2):  # the static file, /healthz and the targets
            continue
        # wrk writes a path into the request line as it is: non-ASCII (q=毛肚) must be percent-encoded first.
        paths = [quote(p, safe="/?&=%") for p in s.paths]
        r = search_bench.wrk(base, paths, seconds, tmp, f"registry-{n}", connections=8)
        r["name"] = s.name
        out[s.name] = r
        print(search_bench.show(r, out[items[0].name] if n else None))
        if s.target and "cpu_ms" in r:
            # The ceiling the CPUs set, whatever the code waits on: 8 clients at p95 < 50 ms need about 8 / 0.035 s.
            app_ms, pg_ms = r["cpu_ms"]["server"], r["cpu_ms"]["postgres"]
            cpus = os.cpu_count() or 1
            print(
                f"  CPU a request: {app_ms:.1f} ms in the app's workers + {pg_ms:.1f} ms in PostgreSQL: at most"
                f" {cpus * 1000 / (app_ms + pg_ms):.0f} requests/s on {cpus} CPUs (8 clients at p95 < 50 ms need"
                f" some {8 / 0.035:.0f})"
            )
    return out


def verdict(result: Result, label: str) -> str:
    p95 = result.pct(95)
    ok = p95 < TARGET_P95_MS and result.errors == 0
    return (
        f"{'PASS' if ok else 'FAIL'}  {result.name:<28} {label:<15} "
        f"p95={p95:7.2f} ms (target < {TARGET_P95_MS:.0f} ms), errors={result.errors}"
    )


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"load average {one:.2f} (1 min), {five:.2f} (5 min) on {os.cpu_count()} CPUs"


# --- main --------------------------------------------------------------------------------------------------------


@contextmanager
def time_limit(seconds: int) -> Iterator[None]:
    """Abort the whole run (cleanup still happens in the finally blocks) after `seconds`."""

    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"benchmark exceeded {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def section(title: str) -> None:
    print(f"\n== {title} ==", flush=True)


def run(args: argparse.Namespace, tmp: Path) -> None:
    server = pg.start_embedded(tmp, throwaway=True)
    engine: Engine | None = None
    try:
        url = pg.ensure_database(server.url, DATABASE, fresh=True)
        migrate.upgrade(url)
        engine = create_engine(url, pool_size=2)
        with Session(engine) as session:
            load_reference(session)
            session.commit()
        stats = generate(url, enterprises=args.enterprises, products=args.products, seed=args.seed)
        per = sorted(stats.products_per_enterprise)
        section("data")
        print(
            f"generated in {stats.seconds:.1f} s (rows built in Python + COPY {stats.copy_seconds:.1f} s, "
            f"VACUUM ANALYZE {stats.vacuum_seconds:.1f} s)"
        )
        print("rows: " + ", ".join(f"{k} {v:,}" for k, v in stats.rows.items()))
        print(
            f"products per enterprise: mean {statistics.fmean(per):.1f}, median {per[len(per) // 2]}, "
            f"p95 {per[math.floor(0.95 * (len(per) - 1))]}, max {per[-1]} (enterprise {stats.largest_enterprise}), "
            f"with none {sum(1 for n in per if n == 0):,}"
        )
        for line in sizes(url):
            print(line)

        rng = random.Random(args.seed)
        items = scenarios(stats, rng)
        detail_one = items[4].paths[0]
        largest = f"/enterprises/{stats.largest_enterprise}"
        breakdown = [*items[0].paths, *items[1].paths, *PRODUCT_FILTERS, "/products", detail_one, largest]
        breakdown += [*DIRECTORY_FILTERS, *items[7].paths, *items[8].paths]
        with app_server(url, tmp, workers=args.workers) as base:
            warm = [p for s in items for p in s.paths[:20]]
            drive("warm-up", base, warm, concurrency=4, requests=max(400, 2 * len(warm)))
            results: dict[int, list[Result]] = {}
            for k in (8, 1):
                section(f"latency over loopback, concurrency {k}, {args.requests} requests per scenario")
                print(f"({load_average()} before the pass)")
                results[k] = measure(base, items, concurrency=k, requests=args.requests)
                baseline = results[k][0]
                print(baseline.line())
                for r in results[k][1:]:
                    print(r.line(baseline))
            through_wrk = wrk_pass(base, items, tmp, seconds=args.wrk_seconds)
            section(f"each URL alone over loopback, concurrency 1, {args.breakdown} requests")
            alone = {path: drive(path, base, [path], concurrency=1, requests=args.breakdown) for path in breakdown}
        try:
            inproc = in_process(engine, breakdown, repeat=args.inprocess)
        except Exception as exc:  # the app failed to import or start in-process: keep the loopback numbers
            print(f"(in-process split unavailable: {type(exc).__name__}: {exc})")
            inproc = {}
        print(
            f"{'URL':<50} {'p50 ms':>8} {'p95 ms':>8} {'err':>4} | in-process median: "
            f"{'HTTP':>4} {'SQL n':>5} {'SQL ms':>7} {'other ms':>8}"
        )
        for path in breakdown:
            r, ip = alone[path], inproc.get(path)
            split = "n/a"
            if ip is not None:
                split = f"{ip.status:4d}"
                if ip.status == 200:
                    split += f" {ip.statements:5d} {ip.sql_ms:7.2f} {ip.total_ms - ip.sql_ms:8.2f}"
            print(f"{path:<50} {r.pct(50):8.2f} {r.pct(95):8.2f} {r.errors:4d} | {'':>18}{split}")
        print(
            f"(in-process: {args.inprocess} requests per URL through the app without network; SQL ms is the time "
            "spent in cursor.execute, 'other' is everything else: routing, ORM row loading, templates, JSON, and the "
            "test client's own overhead, which the static file's row shows)"
        )

        section("targets")
        for k, label in ((8, "concurrency 8"), (1, "concurrency 1")):
            for s, r in zip(items, results[k], strict=True):
                if s.target:
                    print(verdict(r, label))
        for name, r in through_wrk.items():
            if any(s.target and s.name == name for s in items):
                ok = r["p95"] < TARGET_P95_MS and r["errors"] == 0
                print(
                    f"{'PASS' if ok else 'FAIL'}  {name:<28} {'8, wrk':<15} p95={r['p95']:7.2f} ms "
                    f"(target < {TARGET_P95_MS:.0f} ms), errors={r['errors']}"
                )

        section("EXPLAIN (ANALYZE, BUFFERS) of every statement the catalogue runs, captured from the service")
        catalogue = {path: catalog_call(path) for path in ["/products", *PRODUCT_FILTERS]}
        print_plans(explain_calls(engine, catalogue), slow_ms=args.slow_sql)
        section("EXPLAIN (ANALYZE, BUFFERS) of every statement the enterprise detail page runs, captured in-process")
        for path in (detail_one, largest):
            ip = inproc.get(path)
            if ip is None or ip.status != 200:
                print(f"{path}: not available (the in-process request failed)")
            else:
                print_plans(explain_executed(engine, path, ip.executed), slow_ms=args.slow_sql)
    finally:
        if engine is not None:
            engine.dispose()
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--enterprises", type=int, default=20000)
    parser.add_argument("--products", type=int, default=100000)
    parser.add_argument("--requests", type=int, default=1000, help="requests per scenario and pass")
    parser.add_argument("--breakdown", type=int, default=200, help="requests per URL in the per-filter breakdown")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes (the default is one)")
    parser.add_argument("--inprocess", type=int, default=30, help="in-process requests per URL (SQL vs Python)")
    parser.add_argument("--slow-sql", type=float, default=5.0, help="print the full plan of statements this slow (ms)")
    parser.add_argument("--wrk-seconds", type=int, default=10, help="seconds per scenario of the wrk pass (0: none)")
    parser.add_argument("--seed", type=int, default=1126)
    parser.add_argument("--timeout", type=int, default=1800, help="abort after this many seconds")
    args = parser.parse_args()
    if not 1 <= args.enterprises <= 99999:
        parser.error("--enterprises must be 1..99999 (the demo credit-code block)")
    tmp = Path(tempfile.mkdtemp(prefix="hotpot-bench-registry-"))
    started = time.perf_counter()
    try:
        with time_limit(args.timeout):
            run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
