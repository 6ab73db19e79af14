"""The architecture rules as AST checks over source text; each returns its findings, so a test can plant a violation."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "hotpot"

# Query constructors of SQLAlchemy that only services may call.
QUERY_BUILDERS = {"select", "insert", "update", "delete", "text"}
# Methods that run SQL on whatever they are called on (a session, a connection, a result's owner).
EXECUTING = {"execute", "scalar", "scalars"}
# Methods that run SQL when called on a session (`.get` and `.query` on other objects are ordinary).
SESSION_ONLY = {"query", "get"}


@dataclass(frozen=True)
class Finding:
    where: str  # "path:line"
    what: str
    function: str = ""  # the function it is in

    def __str__(self) -> str:
        return f"{self.where}: {self.what}" + (f" in {self.function}()" if self.function else "")


def _receiver_name(node: ast.expr) -> str:
    """The last name of a call's receiver: `session` in session.get(...) and self.session.get(...)."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        return node.attr
    return ""


def _query_imports(tree: ast.AST) -> dict[str, str]:
    """Local name -> SQLAlchemy query builder, from `from sqlalchemy[...] import select [as s]`."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy":
            for alias in node.names:
                if alias.name in QUERY_BUILDERS:
                    names[alias.asname or alias.name] = alias.name
    return names


def _calls_with_function(tree: ast.AST) -> Iterator[tuple[ast.Call, str]]:
    """Every call, with the name of the function around it ("" at module level)."""

    def walk(node: ast.AST, function: str) -> Iterator[tuple[ast.Call, str]]:
        for child in ast.iter_child_nodes(node):
            inner = child.name if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else function
            if isinstance(child, ast.Call):
                yield child, function
            yield from walk(child, inner)

    yield from walk(tree, "")


def queries(source: str, where: str = "<source>") -> list[Finding]:
    """Rule (a): code that builds or runs a query (for routes.py and api.py modules, which pass the session on)."""
    tree = ast.parse(source)
    imported = _query_imports(tree)
    found = [
        Finding(f"{where}:{node.lineno}", f"imports sqlalchemy's {alias.name}")
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "sqlalchemy"
        for alias in node.names
        if alias.name in QUERY_BUILDERS
    ]
    for node, function in _calls_with_function(tree):
        func = node.func
        what = ""
        if isinstance(func, ast.Name) and func.id in imported:
            what = f"builds a query with {func.id}("
        elif isinstance(func, ast.Attribute):
            receiver = _receiver_name(func.value)
            if func.attr in QUERY_BUILDERS and receiver in ("sa", "sqlalchemy"):
                what = f"builds a query with {receiver}.{func.attr}("
            elif func.attr in EXECUTING or (func.attr in SESSION_ONLY and "session" in receiver.lower()):
                what = f"runs SQL with {receiver}.{func.attr}("
        if what:
            found.append(Finding(f"{where}:{node.lineno}", what, function))
    return sorted(set(found), key=lambda f: (f.where, f.what))


def transaction_ends(source: str, where: str = "<source>") -> list[Finding]:
    """Rule (b): calls of .commit( or .rollback( (only the session dependency and entry points end transactions)."""
    return [
        Finding(f"{where}:{node.lineno}", f"calls .{node.func.attr}(")
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr in ("commit", "rollback")
    ]


def imported_modules(source: str, module: str) -> set[str]:
    """Every module `module` imports, at the top or inside functions (relative imports resolved)."""
    out: set[str] = set()
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            out.add(target)
            # `from hotpot import brands` imports the package hotpot.brands.
            out.update(f"{target}.{alias.name}" for alias in node.names if target == "hotpot")
    return out


def domain_of(module: str, domains: Iterable[str]) -> str | None:
    """The domain package (its name under hotpot) a dotted module belongs to, if any."""
    parts = module.split(".")
    if len(parts) >= 2 and parts[0] == "hotpot" and parts[1] in domains:
        return parts[1]
    return None


def domain_imports(source: str, module: str, domains: Iterable[str]) -> set[str]:
    """The domains a module imports (rule (c): a core module must import none)."""
    domains = set(domains)
    return {d for m in imported_modules(source, module) if (d := domain_of(m, domains))}


def domain_graph(sources: dict[str, str], domains: Iterable[str]) -> dict[str, set[str]]:
    """Domain -> the other domains its modules import; `sources` maps dotted module names to their text."""
    domains = set(domains)
    graph: dict[str, set[str]] = {d: set() for d in domains}
    for module, source in sources.items():
        home = domain_of(module, domains)
        if home is None:
            continue
        graph[home].update(d for d in domain_imports(source, module, domains) if d != home)
    return graph


def domain_edges(sources: dict[str, str], domains: Iterable[str]) -> set[tuple[str, str, str]]:
    """(domain, imported domain, importing module) for every import between two domains."""
    domains = set(domains)
    edges = set()
    for module, source in sources.items():
        home = domain_of(module, domains)
        if home is not None:
            edges |= {(home, d, module) for d in domain_imports(source, module, domains) if d != home}
    return edges


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected groups of more than one domain (Tarjan), each sorted; every cycle lies in one."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def without(graph: dict[str, set[str]], edges: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    removed = set(edges)
    return {a: {b for b in targets if (a, b) not in removed} for a, targets in graph.items()}


# -- the code base -----------------------------------------------------------------------------------------------


def domain_packages() -> list[str]:
    return sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").is_file())


def modules() -> Iterator[tuple[str, Path]]:
    """(dotted name, path) of every module of hotpot."""
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        yield ".".join(parts), path


def relative(path: Path) -> str:
    return str(path.relative_to(ROOT))


# -- how many services a route calls (issue 10: "routes assemble a page from many services") ------------------------

HTTP_METHODS = {"get", "post", "put", "patch", "delete", "api_route"}


def _service_aliases(tree: ast.AST, module: str) -> dict[str, str]:
    """Local name -> service (or page use-case) module, from `from hotpot.x import service [as y]` and the like."""
    aliases = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            target = node.module if not node.level else module.rsplit(".", node.level)[0] + "." + node.module
            for alias in node.names:
                full = f"{target}.{alias.name}"
                if full.endswith((".service", ".pages")):
                    aliases[alias.asname or alias.name] = full
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.endswith((".service", ".pages")) and alias.asname:
                    aliases[alias.asname] = alias.name
    return aliases


def services_per_route(source: str, module: str) -> dict[str, set[str]]:
    """Route function -> the service modules it calls, itself or through the module's own helper functions."""
    tree = ast.parse(source)
    aliases = _service_aliases(tree, module)
    functions = {n.name: n for n in tree.body if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)}

    def direct(fn: ast.AST) -> tuple[set[str], set[str]]:
        services, helpers = set(), set()
        for node in ast.walk(fn):
            if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in aliases:
                services.add(aliases[node.value.id])
            elif isinstance(node, ast.Name) and node.id in functions:
                helpers.add(node.id)  # a helper called, or a dependency function named in Depends(...)
        return services, helpers

    def reach(name: str) -> set[str]:
        seen, todo, services = set(), [name], set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            found, helpers = direct(functions[current])
            services |= found
            todo.extend(helpers - seen)
        return services

    def is_route(fn: ast.AST) -> bool:
        return any(
            isinstance(d, ast.Call) and isinstance(d.func, ast.Attribute) and d.func.attr in HTTP_METHODS
            for d in fn.decorator_list
        )

    return {f"{module}.{name}": reach(name) for name, fn in functions.items() if is_route(fn)}


def main() -> None:  # pragma: no cover - a report, run by hand: python -m tests.architecture.checks [git-rev]
    import subprocess
    import sys

    rev = sys.argv[1] if len(sys.argv) > 1 else None
    counts = {}
    for name, path in modules():
        if path.name in ("routes.py", "api.py"):
            if rev:
                git = ["git", "-C", str(ROOT), "show", f"{rev}:{relative(path)}"]
                source = subprocess.run(git, capture_output=True, text=True).stdout
            else:
                source = path.read_text(encoding="utf-8")
            counts.update(services_per_route(source, name))
    many = {route: services for route, services in counts.items() if len(services) > 1}
    print(f"{len(many)} of {len(counts)} routes call more than one service")
    for route, services in sorted(counts.items(), key=lambda kv: (-len(kv[1]), kv[0]))[:12]:
        print(f"{len(services):3}  {route}  ({', '.join(sorted(s.removeprefix('hotpot.') for s in services))})")


if __name__ == "__main__":  # pragma: no cover
    main()
