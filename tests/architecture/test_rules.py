"""The layering rules of DESIGN.md section 9.10, checked on the source (AST, no database), each also shown failing."""

from __future__ import annotations

import pytest

from tests.architecture import checks

# -- (a) routes.py and api.py build no queries -------------------------------------------------------------------

# (path, function) -> why its query stays. Empty: a new entry needs a reason that a review would accept.
QUERY_ALLOWED: dict[tuple[str, str], str] = {}


def route_modules():
    return [(name, path) for name, path in checks.modules() if path.name in ("routes.py", "api.py")]


def test_routes_and_api_modules_build_no_queries():
    found = [
        str(f)
        for _, path in route_modules()
        for f in checks.queries(path.read_text(encoding="utf-8"), checks.relative(path))
        if (checks.relative(path), f.function) not in QUERY_ALLOWED
    ]
    assert found == [], "route code passes the session to a service, which runs the query:\n" + "\n".join(found)


def test_query_allow_list_names_real_findings():
    for (path, function), reason in QUERY_ALLOWED.items():
        assert reason
        source = (checks.ROOT / path).read_text(encoding="utf-8")
        assert any(f.function == function for f in checks.queries(source, path)), f"{path} {function}: remove"


@pytest.mark.parametrize(
    "planted",
    [
        "from sqlalchemy import select\n\ndef page(session):\n    return session.scalars(select(Product)).all()\n",
        "import sqlalchemy as sa\n\ndef page(session):\n    return list(session.execute(sa.text('SELECT 1')))\n",
        "def page(session, product_id):\n    return session.get(Product, product_id)\n",
        "def page(request):\n    return request.state.session.query(Product).all()\n",
        "def page(conn):\n    return conn.scalar(q)\n",
        "from sqlalchemy import delete as remove\n\ndef page(s):\n    remove(Product)\n",
    ],
)
def test_a_planted_query_is_found(planted):
    assert checks.queries(planted)


def test_ordinary_route_code_is_not_a_query():
    source = (
        "def page(session, request, data: dict):\n"
        "    name = data.get('name')\n"
        "    request.query_params.get('q')\n"
        "    return service.get_product(session, product_id=1)\n"
    )
    assert checks.queries(source) == []


# -- (b) services never commit or roll back ------------------------------------------------------------------------

# Where a transaction may end: the session dependency and transaction() helper, and the CLI's own session scope.
TRANSACTION_OWNERS = {
    "hotpot/db.py": "the request's session dependency and db.transaction(): commit on success, roll back on error",
    "hotpot/cli.py": "the CLI's session scope: one transaction per command, like a request",
    "hotpot/changes.py": (
        "only the SAVEPOINT of tracked(bump_first=True) (session.begin_nested()): released or rolled back inside the "
        "request's transaction, never the transaction itself"
    ),
}


def test_only_the_transaction_owners_commit_or_roll_back():
    found = [
        str(f)
        for _, path in checks.modules()
        if checks.relative(path) not in TRANSACTION_OWNERS
        for f in checks.transaction_ends(path.read_text(encoding="utf-8"), checks.relative(path))
    ]
    assert found == [], "services flush; the request (or the entry point) commits once:\n" + "\n".join(found)


def test_a_planted_commit_is_found():
    planted = "def approve(session, record):\n    record.status = 'verified'\n    session.commit()\n"
    assert [f.what for f in checks.transaction_ends(planted)] == ["calls .commit("]
    assert checks.transaction_ends("def undo(s):\n    s.rollback()\n")
    assert checks.transaction_ends("def ok(session):\n    session.flush()\n") == []


# -- (c) core modules import no domain ------------------------------------------------------------------------------

# The core: shared machinery every domain builds on. hotpot.api holds the shared pieces of the JSON API (error
# answers, ETags, page models) that the domains' api.py import, so it counts as core, not as a domain.
CORE = (
    "hotpot.changes",
    "hotpot.config",
    "hotpot.context",
    "hotpot.db",
    "hotpot.deps",
    "hotpot.domains",
    "hotpot.errors",
    "hotpot.main",
    "hotpot.middleware",
    "hotpot.migrate",
    "hotpot.models",
    "hotpot.pagination",
    "hotpot.pg",
    "hotpot.resources",
    "hotpot.responses",
    "hotpot.serving",
    "hotpot.validation",
    "hotpot.web",
    "hotpot.workflow",
)
CORE_PACKAGES = ("api",)
# Entry points compose everything and may import any domain: the CLI, the demo data set and its images.
ENTRY_POINTS = ("hotpot.cli", "hotpot.demo", "hotpot.demo_images")

CORE_IMPORT_ALLOWED = {
    ("hotpot.deps", "auth"): (
        "deps resolves who is calling: auth's User and Role and its session lookup. Every access rule is about "
        "that user, so a protocol in front of it would only rename auth's model"
    ),
    ("hotpot.changes", "audit"): "every tracked change writes its one audit event through audit.service.record",
    ("hotpot.api.routes", "auth"): "/api/v1/me and /api/v1/users answer with auth's UserRead and list_users",
}


def domains() -> list[str]:
    return [d for d in checks.domain_packages() if d not in CORE_PACKAGES]


def core_modules():
    for name, path in checks.modules():
        if name in CORE or checks.domain_of(name, CORE_PACKAGES):
            yield name, path


def test_every_top_level_module_is_core_or_an_entry_point():
    top_level = {name for name, path in checks.modules() if name.count(".") == 1 and path.name != "__init__.py"}
    assert top_level - set(CORE) - set(ENTRY_POINTS) == set(), "decide: core (imports no domain) or entry point"


def test_core_modules_import_no_domain():
    found = [
        f"{name} imports hotpot.{domain}"
        for name, path in core_modules()
        for domain in sorted(checks.domain_imports(path.read_text(encoding="utf-8"), name, domains()))
        if (name, domain) not in CORE_IMPORT_ALLOWED
    ]
    assert found == [], "\n".join(found)


def test_core_allow_list_names_real_imports():
    for (module, domain), reason in CORE_IMPORT_ALLOWED.items():
        assert reason
        path = next(p for n, p in checks.modules() if n == module)
        assert domain in checks.domain_imports(path.read_text(encoding="utf-8"), module, domains()), (module, domain)


def test_a_planted_domain_import_in_the_core_is_found():
    names = ["products", "auth"]
    assert checks.domain_imports("from hotpot.products import service\n", "hotpot.web", names) == {"products"}
    assert checks.domain_imports("def f():\n    import hotpot.products.models\n", "hotpot.web", names) == {"products"}
    assert checks.domain_imports("from hotpot import products\n", "hotpot.web", names) == {"products"}
    assert checks.domain_imports("from . import products\n", "hotpot.web", names) == {"products"}
    assert checks.domain_imports("from hotpot import db, validation\n", "hotpot.web", names) == set()


# -- (d) no import cycles between domains ---------------------------------------------------------------------------

# Imports that close a cycle: (from, to) domain ("*": every domain) -> (the importing modules, why). Each is a page or
# a viewer showing what lies above it in the layering enterprises < products < bases < certificates, brands,
# inquiries < the audit log's viewer; the page use cases (pages.py) are where a domain may look upwards.
CYCLE_ALLOWED: dict[tuple[str, str], tuple[tuple[str, ...], str]] = {
    ("audit", "*"): (
        ("labels", "routes", "service"),
        "the audit log viewer (labels, the log and history pages, record names) reads every domain's models and form "
        "labels; the writer every domain calls (audit.service.record, audit.models) needs none of them",
    ),
    ("enterprises", "products"): (
        ("pages", "checklist", "service"),
        "the enterprise's pages list its products, the checklist counts published ones, suspending one hides them",
    ),
    ("enterprises", "bases"): (("pages",), "the enterprise's pages list its bases"),
    ("enterprises", "certificates"): (
        ("pages", "checklist"),
        "the enterprise's pages and checklist show its certificates",
    ),
    ("enterprises", "brands"): (
        ("pages",),
        "the enterprise's pages show its brands and the regional brands it may use",
    ),
    ("enterprises", "inquiries"): (("pages",), "the enterprise's page shows how fast it answers inquiries"),
    ("products", "bases"): (("pages", "routes"), "a product's page and its sources form show the bases it comes from"),
    ("products", "certificates"): (
        ("pages", "routes", "service"),
        "a product's page shows its certificates; the catalogue filters by certificate kind",
    ),
    ("products", "brands"): (
        ("pages", "service"),
        "a product carries a brand of its enterprise: the form offers them, the service checks the choice",
    ),
    ("bases", "certificates"): (("pages",), "a base's page shows the certificates held for it"),
    ("products", "hitpool"): (
        ("routes",),
        "the catalogue and a product's page show the 爆品 / 拳头产品 badge of graduated products (showcase.titles_for)",
    ),
    ("search", "*"): (
        ("schemas", "routes", "service", "understand"),
        "the search page's facets and filters, and the query reader that sets them, know the domains' values and "
        "labels (storage kinds, certificate kinds, brand levels, park groups) and the synonyms admin checks its "
        "user; the indexer and the sources registry, which the domains' search.py import, import none of them",
    ),
    ("verification", "*"): (
        ("routes",),
        "the desk's pages show and decide enterprises, bases and certificates; the decision helpers the domains call "
        "(verification.decisions: DecisionIn, decide, bulk_decide) import none of them",
    ),
}


def _leaf(module: str) -> str:
    return module.split(".")[2] if module.count(".") >= 2 else "__init__"


def _allowed(edge: tuple[str, str, str]) -> bool:
    home, target, module = edge
    entry = CYCLE_ALLOWED.get((home, target)) or CYCLE_ALLOWED.get((home, "*"))
    return entry is not None and _leaf(module) in entry[0]


def domain_edges() -> set[tuple[str, str, str]]:
    sources = {name: path.read_text(encoding="utf-8") for name, path in checks.modules()}
    return checks.domain_edges(sources, domains())


def test_no_import_cycles_between_domains_beyond_the_allow_list():
    graph: dict[str, set[str]] = {d: set() for d in domains()}
    for home, target, _ in filter(lambda e: not _allowed(e), domain_edges()):
        graph[home].add(target)
    left = checks.cycles(graph)
    assert left == [], f"import cycles between domains: {left} (import the lower domain from the higher only)"


def test_cycle_allow_list_entries_are_real_imports():
    edges = domain_edges()
    for (home, target), (modules, reason) in CYCLE_ALLOWED.items():
        assert reason
        for leaf in modules:
            assert any(h == home and target in ("*", t) and _leaf(m) == leaf for h, t, m in edges), (
                f"{home}.{leaf} no longer imports {target}: remove it from the entry"
            )


def test_a_planted_cycle_is_found():
    sources = {
        "hotpot.alpha.service": "from hotpot.beta import service\n",
        "hotpot.beta.routes": "def page():\n    from hotpot.gamma.models import Thing\n",
        "hotpot.gamma.models": "from hotpot.alpha import models\n",
        "hotpot.delta.models": "from hotpot.alpha.models import X\n",
    }
    graph = checks.domain_graph(sources, ["alpha", "beta", "gamma", "delta"])
    assert checks.cycles(graph) == [["alpha", "beta", "gamma"]]
    assert checks.cycles(checks.without(graph, {("gamma", "alpha")})) == []


def test_an_allowed_edge_is_allowed_only_from_its_modules():
    assert _allowed(("enterprises", "inquiries", "hotpot.enterprises.pages"))
    assert not _allowed(("enterprises", "inquiries", "hotpot.enterprises.routes"))
    assert not _allowed(("inquiries", "enterprises", "hotpot.inquiries.pages"))
    assert _allowed(("audit", "products", "hotpot.audit.labels"))
    assert not _allowed(("audit", "products", "hotpot.audit.models"))
