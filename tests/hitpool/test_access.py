"""Every route of the 爆品 pool admits exactly whom the table says, among the ten people the pool tells apart.

The scene: a batch in review, run by `staff` (its manager); one candidate of `producer`'s enterprise, assigned to
`expert` (who reviewed it) and to `conflicted_expert` (assigned before declaring a tie to the enterprise: the tie
must still hide everything); `unassigned_expert` is in the pool but not on this candidate; `conflicted_staff`
declared a tie too. `other_producer` has an enterprise of its own. The candidate also carries a decision, an
objection, an incubation plan with a milestone, a draw and a supporting file, so every path placeholder names a
real record.

Each helper adds its rows in its own block of POOL_TABLE (and, where a POST needs a body to get past validation,
an entry in PAYLOADS keyed by the same (method, template)). A refusal is 401/403/404 (or a redirect to the login
page); anything else counts as reached. The route-table test in tests/test_access.py still lists every route for
the platform's five roles plus expert.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from hotpot.db import utcnow
from hotpot.hitpool.enums import KpiKind, ObjectionStatus, Outcome, PlanStatus
from hotpot.hitpool.models import CandidateFile, Decision, Draw, Milestone, Objection, Plan, Post, Tie
from tests.auth.builders import log_in, make_user
from tests.enterprises.builders import make_enterprise
from tests.hitpool.builders import assign, make_batch, make_candidate, make_expert, make_review

EVERYONE = {
    "anonymous",
    "admin",
    "staff",
    "conflicted_staff",
    "producer",
    "other_producer",
    "buyer",
    "expert",
    "conflicted_expert",
    "unassigned_expert",
}
LOGGED_IN = EVERYONE - {"anonymous"}
STAFF = {"admin", "staff", "conflicted_staff"}
UNCONFLICTED_STAFF = {"admin", "staff"}
EXPERTS = {"expert", "conflicted_expert", "unassigned_expert"}

# (method, path template, who may call it). Placeholders: {batch} {candidate} {expert} (the assigned expert's pool
# entry) {assignment} {review} {post} {decision} {objection} {plan} {milestone} {draw} {tie} (the conflicted
# expert's declared tie) {file} (the candidate's supporting file) {update} (a progress update with evidence).
POOL_TABLE: list[tuple[str, str, set[str]]] = [
    # --- batches ---
    ("GET", "/pool", STAFF),
    ("GET", "/pool?status=reviewing&year=2026", STAFF),
    ("GET", "/pool/batches/new", STAFF),
    ("POST", "/pool/batches/new", STAFF),
    ("GET", "/pool/batches/{batch}", STAFF),
    ("GET", "/pool/batches/{batch}/edit", STAFF),
    ("POST", "/pool/batches/{batch}/edit", STAFF),
    ("POST", "/pool/batches/{batch}/transition", STAFF),
    ("GET", "/api/v1/batches", STAFF),
    # --- candidates ---
    ("GET", "/my/pool", {"producer", "other_producer"}),
    ("GET", "/my/pool/apply/{batch}", {"producer", "other_producer"}),
    ("POST", "/my/pool/apply/{batch}", {"producer", "other_producer"}),  # any producer may apply (here: 409, closed)
    ("GET", "/my/pool/candidates/{candidate}", {"producer"}),
    ("POST", "/my/pool/candidates/{candidate}/edit", {"producer"}),
    ("POST", "/my/pool/candidates/{candidate}/submit", {"producer"}),
    ("POST", "/my/pool/candidates/{candidate}/withdraw", {"producer"}),
    ("POST", "/my/pool/candidates/{candidate}/files", {"producer"}),
    ("POST", "/my/pool/candidates/{candidate}/files/{file}/delete", {"producer"}),
    ("GET", "/pool/candidates/{candidate}/files/{file}", {"producer", "admin", "staff", "expert"}),
    ("GET", "/pool/batches/{batch}/screening", STAFF),
    ("POST", "/pool/batches/{batch}/screening", STAFF),  # bulk pass (here: 409, the batch is in review)
    ("POST", "/pool/candidates/{candidate}/screening", UNCONFLICTED_STAFF),
    # --- experts ---
    ("GET", "/pool/experts", STAFF),
    # creating and editing experts: an admin or a batch manager (conflicted_staff manages no batch)
    ("GET", "/pool/experts/new", UNCONFLICTED_STAFF),
    ("POST", "/pool/experts/new", UNCONFLICTED_STAFF),
    ("GET", "/pool/experts/{expert}/edit", UNCONFLICTED_STAFF),
    ("POST", "/pool/experts/{expert}/edit", UNCONFLICTED_STAFF),
    ("POST", "/pool/experts/{expert}/active", UNCONFLICTED_STAFF),
    ("GET", "/pool/ties", STAFF),
    ("POST", "/pool/ties", STAFF),
    ("POST", "/pool/ties/{tie}/delete", set()),  # {tie} is the conflicted expert's own: no one else's to remove
    ("GET", "/expert/profile", EXPERTS),
    ("POST", "/expert/profile", EXPERTS),
    ("GET", "/expert/ties", EXPERTS),
    ("POST", "/expert/ties", EXPERTS),
    ("POST", "/expert/ties/{tie}/delete", {"conflicted_expert"}),
    # --- assignment ---
    # every staff member reads the matrix (a conflicted one without that candidate's row); the manager acts
    ("GET", "/pool/batches/{batch}/assignments", STAFF),
    ("POST", "/pool/batches/{batch}/draw", UNCONFLICTED_STAFF),
    ("POST", "/pool/batches/{batch}/assignments", UNCONFLICTED_STAFF),
    ("POST", "/pool/assignments/{assignment}/move", UNCONFLICTED_STAFF),
    ("GET", "/pool/draws/{draw}", STAFF),
    # --- reviews ---
    ("GET", "/expert", EXPERTS),
    ("GET", "/expert/candidates/{candidate}", {"expert"}),
    ("POST", "/expert/candidates/{candidate}/review", {"expert"}),
    ("POST", "/expert/candidates/{candidate}/revise", {"expert"}),
    ("GET", "/pool/candidates/{candidate}", UNCONFLICTED_STAFF),
    ("POST", "/pool/candidates/{candidate}/posts", UNCONFLICTED_STAFF | {"expert"}),
    # --- decisions ---
    ("GET", "/pool/batches/{batch}/ranking", STAFF),  # a conflicted member sees the other rows
    ("GET", "/pool/batches/{batch}/ranking.xlsx", STAFF),
    ("GET", "/pool/batches/{batch}/decisions.xlsx", STAFF),
    ("POST", "/pool/batches/{batch}/decisions", STAFF),  # the scene's batch is reviewing: a 409 past the rule
    ("POST", "/pool/candidates/{candidate}/decision", UNCONFLICTED_STAFF),
    ("GET", "/pool/candidates/{candidate}/dossier", UNCONFLICTED_STAFF),
    ("GET", "/pool/batches/{batch}/objections", STAFF),
    ("POST", "/pool/objections/{objection}/handle", UNCONFLICTED_STAFF),
    # The notice exists only from the batch's notice on (the scene's batch is reviewing: 404 for everyone);
    # tests/hitpool/test_notice.py walks it for anonymous and logged-in people.
    ("GET", "/notices/{batch}", set()),
    ("POST", "/notices/{batch}/objections", set()),
    ("GET", "/api/v1/batches/{batch}/ranking", STAFF),
    # --- incubation ---
    ("GET", "/pool/plans", STAFF),
    ("GET", "/pool/plans/{plan}", UNCONFLICTED_STAFF),
    ("POST", "/pool/plans/{plan}/milestones", UNCONFLICTED_STAFF),
    ("POST", "/pool/milestones/{milestone}/edit", UNCONFLICTED_STAFF),
    ("POST", "/pool/milestones/{milestone}/check", UNCONFLICTED_STAFF),
    ("POST", "/pool/plans/{plan}/support", UNCONFLICTED_STAFF),
    ("POST", "/pool/plans/{plan}/graduate", UNCONFLICTED_STAFF),
    ("POST", "/pool/plans/{plan}/end", UNCONFLICTED_STAFF),
    ("GET", "/pool/plans/{plan}/evidence/{update}", UNCONFLICTED_STAFF | {"producer"}),
    ("GET", "/my/pool/plans/{plan}", {"producer"}),
    ("POST", "/my/pool/plans/{plan}/milestones/{milestone}/progress", {"producer"}),
    ("GET", "/showcase", EVERYONE),
    ("GET", "/showcase/{plan}", set()),  # the scene's plan is incubating: on the showcase only once graduated
    ("GET", "/api/v1/showcase", EVERYONE),
]

# (method, template) -> ids -> request keyword arguments that get past validation.
PAYLOADS: dict[tuple[str, str], Callable[[dict[str, int]], dict[str, Any]]] = {
    # --- batches --- (a stale version: each caller the rule admits gets the 409 conflict page, nothing changes)
    ("POST", "/pool/batches/{batch}/edit"): lambda ids: {"data": {"version": "999", "name": "访问测试批次"}},
    ("POST", "/pool/batches/{batch}/transition"): lambda ids: {"data": {"version": "999", "name": "decide"}},
    # --- candidates ---
    ("POST", "/my/pool/apply/{batch}"): lambda ids: {"data": {"product_id": "1"}},
    ("POST", "/my/pool/candidates/{candidate}/edit"): lambda ids: {"data": {"version": "1", "pitch": "访问测试"}},
    ("POST", "/my/pool/candidates/{candidate}/submit"): lambda ids: {"data": {"version": "1"}},
    ("POST", "/my/pool/candidates/{candidate}/withdraw"): lambda ids: {"data": {"version": "1"}},
    ("POST", "/my/pool/candidates/{candidate}/files"): lambda ids: {
        "data": {"version": "1", "label": "检测报告"},
        "files": {"file": ("报告.pdf", b"%PDF-1.4 access", "application/pdf")},
    },
    ("POST", "/my/pool/candidates/{candidate}/files/{file}/delete"): lambda ids: {"data": {"version": "1"}},
    ("POST", "/pool/batches/{batch}/screening"): lambda ids: {
        "data": {"ids": str(ids["candidate"]), f"version_{ids['candidate']}": "1"}
    },
    ("POST", "/pool/candidates/{candidate}/screening"): lambda ids: {"data": {"version": "1", "action": "pass"}},
    # --- experts ---
    ("POST", "/pool/experts/new"): lambda ids: {
        "data": {
            "name": "新专家",
            "email": "new-expert@hotpot.example",
            "organization": "重庆市农业科学院",
            "fields": ["quality"],
        }
    },
    ("POST", "/pool/experts/{expert}/edit"): lambda ids: {
        "data": {"name": "改名专家", "organization": "测试研究院", "fields": ["shuifa"], "version": "1"}
    },
    ("POST", "/pool/experts/{expert}/active"): lambda ids: {"data": {"active": "1", "version": "1"}},
    ("POST", "/pool/ties"): lambda ids: {"data": {"enterprise_id": "999999", "reason": "亲属任职"}},
    ("POST", "/expert/profile"): lambda ids: {
        "data": {"organization": "西南大学", "fields": ["quality"], "version": "1"}
    },
    ("POST", "/expert/ties"): lambda ids: {"data": {"enterprise_id": "999999", "reason": "曾任顾问"}},
    # --- assignment ---
    ("POST", "/pool/batches/{batch}/draw"): lambda ids: {"data": {"seed": "access-table"}},
    ("POST", "/pool/batches/{batch}/assignments"): lambda ids: {
        "data": {"candidate_id": str(ids["candidate"]), "expert_id": str(ids["expert"]), "reason": "人工指派"}
    },
    ("POST", "/pool/assignments/{assignment}/move"): lambda ids: {
        "data": {"expert_id": str(ids["expert"]), "reason": "调换专家"}
    },
    # --- reviews ---
    ("POST", "/expert/candidates/{candidate}/review"): lambda ids: {"data": {"action": "save", "comment": "草稿"}},
    ("POST", "/expert/candidates/{candidate}/revise"): lambda ids: {"data": {"revision_reason": "补充评分依据"}},
    ("POST", "/pool/candidates/{candidate}/posts"): lambda ids: {"data": {"body": "请企业补充产能证明。"}},
    # --- decisions ---
    ("POST", "/pool/candidates/{candidate}/decision"): lambda ids: {"data": {"version": "0", "outcome": "accepted"}},
    ("POST", "/pool/batches/{batch}/decisions"): lambda ids: {
        "data": {"ids": [str(ids["candidate"])], f"version_{ids['candidate']}": "1", "outcome": "accepted"}
    },
    ("POST", "/pool/objections/{objection}/handle"): lambda ids: {
        "data": {"version": "1", "action": "dismissed", "reason": "经核实不属实"}
    },
    # --- incubation ---
    ("POST", "/pool/plans/{plan}/milestones"): lambda ids: {
        "data": {"title": "取得绿色食品认证", "due_on": str(date.today() + timedelta(days=200)), "kpi": "certification"}
    },
    ("POST", "/pool/milestones/{milestone}/edit"): lambda ids: {
        "data": {
            "title": "进入 60 家连锁门店",
            "due_on": str(date.today() + timedelta(days=120)),
            "kpi": "outlets",
            "target_value": "60",
            "target_unit": "家",
            "version": "1",
        }
    },
    ("POST", "/pool/milestones/{milestone}/check"): lambda ids: {
        "data": {"result": "achieved", "note": "已核对门店清单", "version": "1"}
    },
    ("POST", "/pool/plans/{plan}/support"): lambda ids: {
        "data": {
            "kind": "exhibition",
            "description": "火锅食材博览会展位",
            "amount_wan": "5",
            "given_on": str(date.today()),
        }
    },
    ("POST", "/pool/plans/{plan}/graduate"): lambda ids: {
        "data": {
            "title": "hit",
            "graduated_on": str(date.today()),
            "reason": "各项指标均已达成",
            "story": "合川本地原料，培育一年进入百家门店。",
            "version": "1",
        }
    },
    ("POST", "/pool/plans/{plan}/end"): lambda ids: {"data": {"reason": "企业申请退出培育", "version": "1"}},
    ("POST", "/my/pool/plans/{plan}/milestones/{milestone}/progress"): lambda ids: {
        "data": {"body": "已进入 52 家连锁门店。", "value": "52", "version": "1"}
    },
}


@pytest.fixture
def pool(db, make_client):
    staff = make_user(db, role="reviewer", display_name="批次负责人")
    conflicted_staff = make_user(db, role="reviewer", display_name="有关联的工作人员")
    admin = make_user(db, role="admin")
    buyer = make_user(db, role="buyer")
    producer = make_user(db, role="producer")
    other_producer = make_user(db, role="producer")
    enterprise = make_enterprise(db, owner=producer)
    make_enterprise(db, owner=other_producer)
    batch = make_batch(db, status="reviewing", manager=staff)
    candidate = make_candidate(db, batch=batch, enterprise=enterprise)
    expert = make_expert(db)
    conflicted_expert = make_expert(db)
    unassigned_expert = make_expert(db)
    assignment = assign(db, candidate, expert, by=staff)
    assign(db, candidate, conflicted_expert, by=staff)
    review = make_review(db, candidate=candidate, expert=expert)
    tie = Tie(user_id=conflicted_expert.user_id, enterprise_id=enterprise.id, reason="曾任该企业技术顾问")
    db.add_all([tie, Tie(user_id=conflicted_staff.id, enterprise_id=enterprise.id, reason="亲属在该企业任职")])
    post = Post(candidate_id=candidate.id, author_id=expert.user_id, body="产能数据请企业补充说明。")
    decision = Decision(batch_id=batch.id, candidate_id=candidate.id, outcome=Outcome.accepted, note="同意入库")
    db.add_all([post, decision])
    db.flush()
    objection = Objection(
        batch_id=batch.id, candidate_id=candidate.id, raised_by_id=buyer.id, reasons="销售数据与实际不符。"
    )
    objection.status = ObjectionStatus.pending
    plan = Plan(
        batch_id=batch.id,
        candidate_id=candidate.id,
        product_id=candidate.product_id,
        enterprise_id=enterprise.id,
        status=PlanStatus.incubating,
        starts_on=date.today(),
    )
    db.add_all([objection, plan])
    db.flush()
    milestone = Milestone(
        plan_id=plan.id,
        title="进入 50 家连锁门店",
        due_on=date.today() + timedelta(days=90),
        kpi=KpiKind.outlets,
        target_value=50,
        target_unit="家",
    )
    draw = Draw(
        batch_id=batch.id,
        seed="test-seed",
        algorithm="draw-v1",
        inputs={},
        result=[],
        created_by_id=staff.id,
        created_at=utcnow(),
    )
    from hotpot.files import service as files

    stored = files.store(db, data=b"%PDF-1.4 evidence", filename="检测报告.pdf", uploaded_by=producer)
    cfile = CandidateFile(candidate_id=candidate.id, file_id=stored.id, label="检测报告")
    db.add_all([milestone, draw, cfile])
    db.flush()
    # incubation: a progress update of the milestone with its evidence (the producer's upload)
    from hotpot.hitpool.models import ProgressUpdate

    update = ProgressUpdate(
        milestone_id=milestone.id, author_id=producer.id, body="已进入 20 家门店。", evidence_file_id=stored.id
    )
    db.add(update)
    db.flush()
    people = {
        "admin": admin,
        "staff": staff,
        "conflicted_staff": conflicted_staff,
        "producer": producer,
        "other_producer": other_producer,
        "buyer": buyer,
        "expert": expert.user,
        "conflicted_expert": conflicted_expert.user,
        "unassigned_expert": unassigned_expert.user,
    }
    clients = {"anonymous": make_client()}
    for who, user in people.items():
        c = make_client()
        log_in(c, user.email)
        clients[who] = c
    from hotpot.auth import service as auth_service

    tokens = {who: auth_service.issue_api_token(db, user=u, name="test")[0] for who, u in people.items()}
    ids = {
        "batch": batch.id,
        "candidate": candidate.id,
        "expert": expert.id,
        "assignment": assignment.id,
        "review": review.id,
        "post": post.id,
        "decision": decision.id,
        "objection": objection.id,
        "plan": plan.id,
        "milestone": milestone.id,
        "draw": draw.id,
        "tie": tie.id,
        "file": cfile.id,
        "update": update.id,
    }
    return clients, tokens, ids


def test_the_table_names_only_known_people():
    for method, template, allowed in POOL_TABLE:
        assert allowed <= EVERYONE, f"{method} {template}: unknown {allowed - EVERYONE}"


@pytest.mark.parametrize(("method", "template", "allowed"), POOL_TABLE, ids=[f"{m} {p}" for m, p, _ in POOL_TABLE])
def test_pool_route_admits_exactly_the_allowed_people(pool, method, template, allowed):
    clients, tokens, ids = pool
    path = template.format(**ids)
    payload = PAYLOADS.get((method, template), lambda _ids: {})(ids)
    for who, client in clients.items():
        headers = {"Authorization": f"Bearer {tokens[who]}"} if who in tokens and path.startswith("/api/") else {}
        response = client.request(method, path, headers=headers, **payload)
        denied = response.status_code in (401, 403, 404) or (
            response.status_code == 303 and response.headers["location"].startswith("/login")
        )
        if who in allowed:
            assert not denied, f"{who} should reach {method} {path}, got {response.status_code}"
            assert response.status_code < 500, f"{who}: {method} {path} answered {response.status_code}"
        else:
            assert denied, f"{who} must not reach {method} {path}, got {response.status_code}"
