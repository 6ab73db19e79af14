"""Per-domain registration: what the domains declare is what the app mounts, shows and migrates (no database)."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap

import pytest
from fastapi import APIRouter

from hotpot import domains
from hotpot.deps import csrf_protect
from hotpot.main import create_app
from tests.architecture import checks

# Routers that exist but are mounted only on request: the benchmark endpoints (settings.bench_endpoints).
NOT_DECLARED = {"hotpot.api.bench:router"}


@pytest.fixture(scope="module")
def app():
    # No database is touched while the app is built: a stand-in session factory is enough.
    return create_app(session_factory=object())


def declared(kind: str) -> list[str]:
    return [target for d in domains.installed() for target in getattr(d, kind)]


def test_every_domain_package_is_installed_with_a_declaration():
    packages = {f"hotpot.{name}" for name in checks.domain_packages()}
    assert packages == set(domains.INSTALLED), "a domain package needs a domain.py and one line in INSTALLED"
    for package in domains.INSTALLED:
        assert isinstance(importlib.import_module(f"{package}.domain").DOMAIN, domains.Domain), package


def test_every_router_in_the_code_is_declared():
    routers = set()
    for name, path in checks.modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        if any(isinstance(n, ast.Assign) and "APIRouter" in ast.unparse(n.value) for n in tree.body):
            module = importlib.import_module(name)
            routers |= {f"{name}:{attr}" for attr, obj in vars(module).items() if isinstance(obj, APIRouter)}
    missing = routers - set(declared("routers")) - set(declared("api_routers")) - NOT_DECLARED
    assert missing == set(), f"routers no domain declares (so never mounted): {sorted(missing)}"


def _mounted(app) -> dict:
    """Endpoint -> the calls of its dependencies as mounted (the include's own dependencies too)."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # older FastAPI flattens included routes into app.routes, dependencies and all
        return {r.endpoint: {d.call for d in r.dependant.dependencies} for r in app.routes if hasattr(r, "dependant")}
    mounted = {}
    for ctx in iter_route_contexts(app.routes):
        route = getattr(ctx, "_effective_route", None) or ctx.route  # FastAPI 0.12x: the route as included
        if hasattr(route, "dependant"):
            mounted[ctx.endpoint] = {d.call for d in route.dependant.dependencies}
    return mounted


def test_every_declared_router_is_mounted_page_routers_with_csrf(app):
    mounted = _mounted(app)
    for kind, needs_csrf in (("routers", True), ("api_routers", False)):
        for target in declared(kind):
            router = domains.resolve(target)
            assert router.routes, f"{target} has no routes"
            for route in router.routes:
                assert route.endpoint in mounted, f"{target}: {route.path} is not mounted"
                assert (csrf_protect in mounted[route.endpoint]) is needs_csrf, f"{target}: {route.path} CSRF"


def test_navigation_per_role_keeps_its_entries_and_order():
    home, catalog = [("首页", "/")], [("产品目录", "/products"), ("企业名录", "/enterprises"), ("原料基地", "/bases")]
    catalog += [("品牌", "/brands"), ("爆品展示", "/showcase")]
    desk = [("审核工作台", "/verify/enterprises"), ("爆品培育", "/pool")]
    assert list(domains.navigation(domains.ANONYMOUS)) == home + catalog
    assert list(domains.navigation("admin")) == home + desk + catalog + [("系统管理", "/admin/users")]
    assert list(domains.navigation("reviewer")) == home + desk + catalog
    producer = [*home, ("我的企业", "/my/enterprise"), ("询价", "/inquiries"), ("爆品申报", "/my/pool"), *catalog]
    assert list(domains.navigation("producer")) == producer
    assert list(domains.navigation("buyer")) == home + catalog + [("我的询价", "/inquiries")]
    assert list(domains.navigation("expert")) == [*home, ("评审任务", "/expert"), *catalog]


def _codes(node: ast.AST | None) -> set[str]:
    """The strings an expression may evaluate to: a literal, either branch of `a if c else b`, a dict's values."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        return _codes(node.body) | _codes(node.orelse)
    if isinstance(node, ast.Dict):
        return {code for value in node.values for code in _codes(value)}
    if isinstance(node, ast.Subscript):
        return _codes(node.value)
    if isinstance(node, ast.BoolOp):
        return {code for value in node.values for code in _codes(value)}
    return set()


def _flash_codes_in(tree: ast.AST) -> set[str]:
    """String literals that become a flash code: a `flash=` argument, or a value given to a variable `flash`."""
    codes: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.keyword) and node.arg == "flash":
            codes |= _codes(node.value)
        elif isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name) and target.id == "flash":
                    codes |= _codes(node.value)
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                    for t, v in zip(target.elts, node.value.elts, strict=False):
                        if isinstance(t, ast.Name) and t.id == "flash":
                            codes |= _codes(v)
    return codes


def test_every_flash_code_used_in_code_is_declared_by_a_domain():
    used: dict[str, str] = {}
    for name, path in checks.modules():
        if path.name == "domain.py":  # declarations, not uses
            continue
        for code in _flash_codes_in(ast.parse(path.read_text(encoding="utf-8"))):
            used.setdefault(code, name)
    assert len(used) > 30, "the scan finds the flash codes of the routes"
    undeclared = {code: where for code, where in used.items() if code not in domains.flash_messages()}
    assert undeclared == {}, f"flash codes no domain declares (the page would show nothing): {undeclared}"


def test_the_flash_scan_sees_each_way_a_code_is_given():
    source = textwrap.dedent(
        """
        def a(request):
            return redirect(request, "/", flash="planted_a")
        def b(request, ok):
            flash = "planted_b" if ok else "planted_c"
            return redirect(request, "/", flash=flash)
        def c(request, action, enterprise):
            flash = "planted_b" if enterprise.status == "pending" else "planted_c"
            flash = {"verify": "planted_d"}[action]
            target, flash = "/x", "planted_e"
        """
    )
    assert _flash_codes_in(ast.parse(source)) == {f"planted_{x}" for x in "abcde"}


def test_two_domains_declaring_one_flash_code_are_refused(tmp_path, monkeypatch):
    for name in ("planted_one", "planted_two"):
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text("")
        declaration = f"DOMAIN = Domain(name={name!r}, flash={{'saved': ('success', '已保存')}})\n"
        (tmp_path / name / "domain.py").write_text("from hotpot.domains import Domain\n" + declaration)
    monkeypatch.syspath_prepend(str(tmp_path))
    assert [d.name for d in domains.load(("planted_one",))] == ["planted_one"]
    with pytest.raises(ValueError, match="saved"):
        domains.load(("planted_one", "planted_two"))


def test_hotpot_models_registers_every_table_of_every_module():
    # hotpot.models (Alembic's entry) in a fresh interpreter, against this one with every module of hotpot imported.
    script = "import hotpot.models\nfrom hotpot.db import Base\nprint('\\n'.join(sorted(Base.metadata.tables)))"
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=checks.ROOT)
    declared_tables = set(out.stdout.split())
    for name, _ in checks.modules():
        importlib.import_module(name)
    from hotpot.db import Base

    all_tables = set(Base.metadata.tables)
    assert len(all_tables) > 20
    assert all_tables - declared_tables == set(), "a model module no domain declares in its models=(...)"
