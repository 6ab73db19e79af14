"""The 爆品 pool at issue scale: one batch with 1,000 candidates, 50 experts and 5,000 submitted reviews.

What it does, in order:
1. a throwaway embedded PostgreSQL, migrated to head, with the reference data and a generated registry
   (bench.registry's generator: enterprises and products written with COPY);
2. the pool: 50 experts (role expert, fields drawn from the twelve kinds), one batch in the deciding state with the
   default rubric, 1,000 candidates (public products, passed screening), 5 assignments per candidate from one recorded
   draw (every expert gets 100), 5,000 submitted reviews with a score per criterion (30,000 scores), a few declared
   ties of the staff member (so the conflict filter has work to do); then VACUUM ANALYZE;
3. the real server (uvicorn, one worker, loopback) and, with one client (concurrency 1), p50/p95/p99 of: /healthz
   (the bare endpoint: the ratio base) and a static file, the ranking page, the assignment matrix (as the batch
   manager), an expert's queue /expert (an expert with 100 assignments), and the ranking API; each with its ratio to
   /healthz and the target (p95 < 100 ms) beside it. A page that answers 404 (its area not merged yet) is skipped
   with a line that says so; any other non-200 answer is reported and not measured.

.venv/bin/python -m bench.hitpool [--candidates 1000] [--experts 50] [--reviews-per 5] [--requests 300]
"""

from __future__ import annotations

import argparse
import random
import secrets
import shutil
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

import httpx
import psycopg
from sqlalchemy import create_engine, insert, select
from sqlalchemy.orm import Session

from bench.common import Result, drive
from bench.registry import app_server, conninfo, generate, load_average, section, time_limit
from hotpot import migrate, pg
from hotpot.auth import service as auth_service
from hotpot.auth.models import User
from hotpot.auth.schemas import StaffCreateIn
from hotpot.deps import SESSION_COOKIE
from hotpot.hitpool.enums import BatchStatus, CandidateStatus, Expertise, Recommendation
from hotpot.hitpool.models import (
    Assignment,
    Batch,
    BatchStep,
    Candidate,
    Draw,
    Expert,
    Review,
    ReviewScore,
    Tie,
)
from hotpot.hitpool.rubric import DEFAULT_RUBRIC, default_criteria
from hotpot.products.models import Product
from hotpot.reference.service import load_reference

TARGET_P95_MS = 100.0
DATABASE = "hotpot_bench_pool"
NO_LOGIN = "!bench-account-without-password"
SURNAMES = "王李张刘陈杨黄赵周吴徐孙马朱胡郭何林罗高"
GIVEN = "建国明华强军平芳丽勇杰涛磊静敏超洪波宇浩晓红伟刚斌燕林霞峰辉玲鹏"
ORGS = (
    "西南大学食品科学学院",
    "重庆市农业科学院",
    "重庆工商大学",
    "重庆市食品药品检验检测研究院",
    "合川区农业技术推广中心",
)


def _chunks(rows: list[dict], size: int = 5000):
    for i in range(0, len(rows), size):
        yield rows[i : i + size]


def seed_pool(url: str, *, candidates: int, experts: int, per: int, seed: int) -> dict:
    """The pool's rows through bulk INSERTs; returns the ids and session tokens the measurements need."""
    rng = random.Random(seed)
    started = time.perf_counter()
    engine = create_engine(url)
    now = datetime.now(UTC)
    today = date.today()
    fields = [e.value for e in Expertise]
    with Session(engine) as s:
        staff, _ = auth_service.create_user(
            s,
            actor=None,
            data=StaffCreateIn(email="chair@bench.example", display_name="基准测试主任", role="reviewer"),
            password=secrets.token_urlsafe(18),  # nobody logs in: the bench opens a session itself
        )
        users = [
            User(
                email=f"expert{i:03d}@bench.example",
                display_name=f"{rng.choice(SURNAMES)}{''.join(rng.sample(GIVEN, 2))}",
                organization=rng.choice(ORGS),
                role="expert",
                password_hash=NO_LOGIN,
                email_verified_at=now,
            )
            for i in range(experts)
        ]
        s.add_all(users)
        s.flush()
        pool = [
            Expert(
                user_id=u.id,
                name=u.display_name,
                organization=u.organization,
                title=rng.choice(("教授", "研究员", "高级工程师", "副教授")),
                fields=rng.sample(fields, rng.randint(2, 4)),
            )
            for u in users
        ]
        s.add_all(pool)
        batch = Batch(
            name=f"{today.year}年基准批次",
            description="基准测试数据",
            year=today.year,
            apply_opens_on=today - timedelta(days=90),
            apply_closes_on=today - timedelta(days=60),
            review_opens_on=today - timedelta(days=55),
            review_closes_on=today - timedelta(days=5),
            quota=30,
            experts_per_candidate=per,
            tie_criterion_code="market",
            status=BatchStatus.deciding,
            manager_id=staff.id,
            rubric_frozen_at=now - timedelta(days=55),
        )
        batch.criteria.extend(default_criteria())
        s.add(batch)
        s.flush()
        for k, status in enumerate(list(BatchStatus)[:5]):
            s.add(BatchStep(batch_id=batch.id, status=status, at=now - timedelta(days=100 - 20 * k), by_id=staff.id))
        products = s.execute(
            select(Product.id, Product.enterprise_id).where(Product.is_public).order_by(Product.id)
        ).all()
        picked = rng.sample(products, candidates)
        rows = [
            {
                "batch_id": batch.id,
                "product_id": pid,
                "enterprise_id": eid,
                "pitch": "合川本地原料，工艺稳定，供应全国连锁火锅门店。（基准测试数据）",
                "target_markets": "川渝、华东",
                "channels": "连锁火锅门店、商超",
                "sales_wan": Decimal(rng.randint(200, 9000)),
                "volume_t": Decimal(rng.randint(100, 5000)),
                "capacity_t": Decimal(rng.randint(500, 12000)),
                "local_share_pct": Decimal(rng.randint(10, 95)),
                "status": CandidateStatus.passed,
                "submitted_at": now - timedelta(days=70, minutes=n),
                "first_submitted_at": now - timedelta(days=70, minutes=n),
            }
            for n, (pid, eid) in enumerate(picked)
        ]
        candidate_ids: list[int] = []
        for chunk in _chunks(rows):
            candidate_ids += list(
                s.scalars(insert(Candidate).returning(Candidate.id, sort_by_parameter_order=True), chunk)
            )
        order = [e.id for e in pool]
        rng.shuffle(order)
        pairs = [[cid, order[(n * per + k) % experts]] for n, cid in enumerate(candidate_ids) for k in range(per)]
        draw = Draw(
            batch_id=batch.id,
            seed=f"{seed:032x}",
            algorithm="bench",
            inputs={"per_candidate": per, "candidates": candidate_ids, "experts": order, "excluded": []},
            result=pairs,
            created_by_id=staff.id,
        )
        s.add(draw)
        s.flush()
        for chunk in _chunks(
            [
                {
                    "batch_id": batch.id,
                    "candidate_id": c,
                    "expert_id": e,
                    "source": "draw",
                    "draw_id": draw.id,
                    "created_by_id": staff.id,
                }
                for c, e in pairs
            ]
        ):
            s.execute(insert(Assignment), chunk)
        # Reviews: a latent quality per candidate, a harshness per expert, noise per criterion.
        quality = {c: rng.uniform(4, 9) for c in candidate_ids}
        harsh = {e: rng.gauss(0, 0.8) for e in order}
        review_rows, score_lists = [], []
        for c, e in pairs:
            scores = [max(0, min(10, round(quality[c] + harsh[e] + rng.gauss(0, 0.8)))) for _ in DEFAULT_RUBRIC]
            total = sum(Decimal(sc) / 10 * crit["weight"] for sc, crit in zip(scores, DEFAULT_RUBRIC, strict=True))
            review_rows.append(
                {
                    "batch_id": batch.id,
                    "candidate_id": c,
                    "expert_id": e,
                    "revision": 1,
                    "status": "submitted",
                    "recommendation": Recommendation.accept if total >= 68 else Recommendation.borderline,
                    "confidence": rng.randint(2, 5),
                    "comment": "材料完整，产品有竞争力。（基准测试数据）",
                    "weighted_total": total.quantize(Decimal("0.01")),
                    "submitted_at": now - timedelta(days=rng.randint(6, 50)),
                }
            )
            score_lists.append(scores)
        review_ids: list[int] = []
        for chunk in _chunks(review_rows):
            review_ids += list(s.scalars(insert(Review).returning(Review.id, sort_by_parameter_order=True), chunk))
        criteria = [c.id for c in batch.criteria]
        score_rows = [
            {"review_id": rid, "criterion_id": cid, "score": Decimal(sc)}
            for rid, scores in zip(review_ids, score_lists, strict=True)
            for cid, sc in zip(criteria, scores, strict=True)
        ]
        for chunk in _chunks(score_rows, 10000):
            s.execute(insert(ReviewScore), chunk)
        # The chair is tied to three applicants: the staff pages filter them out.
        for eid in sorted({eid for _, eid in rng.sample(picked, 3)}):
            s.add(Tie(user_id=staff.id, enterprise_id=eid, reason="基准测试：申报回避"))
        queue_expert = s.get(User, next(e.user_id for e in pool if e.id == order[0]))
        tokens = {
            "staff": auth_service.start_session(s, user=staff),
            "expert": auth_service.start_session(s, user=queue_expert),
            "api": auth_service.issue_api_token(s, user=staff, name="bench")[0],
        }
        assigned = sum(1 for _, e in pairs if e == order[0])
        s.commit()
        out = {
            "batch": batch.id,
            "tokens": tokens,
            "queue_size": assigned,
            "rows": {
                "expert": experts,
                "hit_candidate": len(candidate_ids),
                "hit_assignment": len(pairs),
                "hit_review": len(review_ids),
                "hit_review_score": len(score_rows),
            },
        }
    engine.dispose()
    with psycopg.connect(conninfo(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    out["seconds"] = time.perf_counter() - started
    return out


def _client(base: str, auth: dict) -> httpx.Client:
    """A client signed in by a session cookie, or by a bearer token for the API (auth holds an Authorization)."""
    if "Authorization" in auth:
        return httpx.Client(base_url=base, headers=auth, timeout=30)
    return httpx.Client(base_url=base, cookies=auth, timeout=30)


def _probe(base: str, path: str, auth: dict) -> tuple[int, int]:
    with _client(base, auth) as c:
        r = c.get(path)
        return r.status_code, len(r.content)


def measure(name: str, base: str, path: str, auth: dict, requests: int) -> Result:
    """One client, `requests` GETs of path in a row (bench.common.drive, which knows cookies but not headers)."""
    latencies: list[float] = []
    errors = 0
    started = time.perf_counter()
    with _client(base, auth) as c:
        for _ in range(requests):
            t = time.perf_counter()
            try:
                ok = c.get(path).status_code == 200
            except httpx.HTTPError:
                ok = False
            latencies.append((time.perf_counter() - t) * 1000)
            errors += 0 if ok else 1
    return Result(name, latencies, errors, time.perf_counter() - started)


def verdict(result: Result) -> str:
    p95 = result.pct(95)
    ok = p95 < TARGET_P95_MS and result.errors == 0
    return f"{'PASS' if ok else 'FAIL'} (target p95 < {TARGET_P95_MS:.0f} ms)"


def run(args: argparse.Namespace, tmp: Path) -> None:
    server = pg.start_embedded(tmp, throwaway=True)
    try:
        url = pg.ensure_database(server.url, DATABASE, fresh=True)
        migrate.upgrade(url)
        engine = create_engine(url, pool_size=1)
        with Session(engine) as session:
            load_reference(session)
            session.commit()
        engine.dispose()
        registry = generate(url, enterprises=args.enterprises, products=args.products, seed=args.seed)
        pool = seed_pool(url, candidates=args.candidates, experts=args.experts, per=args.reviews_per, seed=args.seed)
        section("data")
        print(
            f"registry generated in {registry.seconds:.1f} s: "
            + ", ".join(f"{k} {v:,}" for k, v in registry.rows.items())
        )
        print(f"pool generated in {pool['seconds']:.1f} s: " + ", ".join(f"{k} {v:,}" for k, v in pool["rows"].items()))
        batch = pool["batch"]
        staff = {SESSION_COOKIE: pool["tokens"]["staff"]}
        expert = {SESSION_COOKIE: pool["tokens"]["expert"]}
        pages = [
            ("ranking page", f"/pool/batches/{batch}/ranking", staff),
            ("assignment matrix", f"/pool/batches/{batch}/assignments", staff),
            (f"expert queue ({pool['queue_size']} assigned)", "/expert", expert),
            ("ranking API", f"/api/v1/batches/{batch}/ranking", {"Authorization": f"Bearer {pool['tokens']['api']}"}),
        ]
        with app_server(url, tmp) as base:
            drive("warm-up", base, ["/healthz", "/static/css/app.css"], concurrency=1, requests=100)
            section(f"latency over loopback, one client, {args.requests} requests each")
            print(f"({load_average()} before the pass)")
            baseline = drive("bare: /healthz", base, ["/healthz"], concurrency=1, requests=args.requests)
            print(baseline.line())
            print(
                drive("static file", base, ["/static/css/app.css"], concurrency=1, requests=args.requests).line(
                    baseline
                )
            )
            verdicts = []
            for name, path, cookies in pages:
                status, size = _probe(base, path, cookies)
                if status == 404:
                    print(f"SKIP {name}: {path} answers 404 (that area of the pool is not on this branch yet)")
                    verdicts.append(f"SKIP {name}")
                    continue
                if status != 200:
                    print(f"ERROR {name}: {path} answers {status}; not measured")
                    verdicts.append(f"ERROR {name} ({status})")
                    continue
                measure("warm-up", base, path, cookies, 10)
                r = measure(name, base, path, cookies, args.requests)
                print(f"{r.line(baseline)}  {size / 1024:.0f} KiB  {verdict(r)}")
                verdicts.append(f"{verdict(r).split()[0]} {name}: p95 {r.pct(95):.1f} ms")
            print(f"({load_average()} after the pass)")
        section("targets")
        for line in verdicts:
            print(line)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--candidates", type=int, default=1000)
    parser.add_argument("--experts", type=int, default=50)
    parser.add_argument("--reviews-per", type=int, default=5, help="experts (and submitted reviews) per candidate")
    parser.add_argument("--enterprises", type=int, default=2000, help="registry size the candidates come from")
    parser.add_argument("--products", type=int, default=8000)
    parser.add_argument("--requests", type=int, default=300, help="requests per page")
    parser.add_argument("--seed", type=int, default=1301)
    parser.add_argument("--timeout", type=int, default=1200, help="abort after this many seconds")
    args = parser.parse_args()
    if args.reviews_per > args.experts:
        parser.error("--reviews-per cannot exceed --experts")
    tmp = Path(tempfile.mkdtemp(prefix="hotpot-bench-pool-"))
    started = time.perf_counter()
    try:
        with time_limit(args.timeout):
            run(args, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"\ntotal run time {time.perf_counter() - started:.0f} s", flush=True)


if __name__ == "__main__":
    main()
