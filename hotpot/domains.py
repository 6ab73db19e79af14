"""The installed domains and what each declares (routers, navigation, flash messages, models): the app collects them.

Adding a domain: a package `hotpot/<name>/` with a `domain.py` that defines `DOMAIN = Domain(...)`, plus one line in
`INSTALLED` below. This module imports no domain: declarations name their routers and hooks as "module:attribute"
strings, resolved when the app is built, so importing a declaration (for navigation or flash texts) never imports the
routes (which import hotpot.web, which reads the declarations).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from types import MappingProxyType
from typing import Any

# The order matters where routes overlap: page routers are mounted in this order (with CSRF), then the API routers
# in this order (without). The public pages come first, as before the declarations existed.
INSTALLED: tuple[str, ...] = (
    "hotpot.pages",
    "hotpot.api",
    "hotpot.auth",
    "hotpot.admin",
    "hotpot.jobs",
    "hotpot.files",
    "hotpot.enterprises",
    "hotpot.products",
    "hotpot.bases",
    "hotpot.certificates",
    "hotpot.brands",
    "hotpot.verification",
    "hotpot.audit",
    "hotpot.inquiries",
    "hotpot.search",
    "hotpot.mail",
    "hotpot.reference",
    "hotpot.hitpool",
)

# Who a navigation entry is for: role values ("admin", "reviewer", "producer", "buyer"), ANONYMOUS for visitors who
# are not logged in, EVERYONE for both.
ANONYMOUS = "anonymous"
EVERYONE = "*"


@dataclass(frozen=True)
class NavEntry:
    """One link of the top navigation; entries are shown in `order` (ties keep the order of INSTALLED)."""

    label: str
    url: str
    roles: tuple[str, ...]
    order: int

    def shown_to(self, role: str) -> bool:
        return EVERYONE in self.roles or role in self.roles


def _frozen(mapping: Mapping[str, Any] | None = None) -> Mapping[str, Any]:
    return MappingProxyType(dict(mapping or {}))


@dataclass(frozen=True)
class Domain:
    """What one domain package contributes to the application."""

    name: str
    # "module:attribute" of APIRouter objects: page routers get the CSRF check, API routers do not.
    routers: tuple[str, ...] = ()
    api_routers: tuple[str, ...] = ()
    nav: tuple[NavEntry, ...] = ()
    # code -> (level, text): flash messages travel as a code in a cookie and are looked up here.
    flash: Mapping[str, tuple[str, str]] = field(default_factory=_frozen)
    # Modules whose classes are tables (Alembic and the migration tests need every one imported).
    models: tuple[str, ...] = ()
    # Counts shown next to the navigation: name -> "module:function(session, user) -> int".
    badges: Mapping[str, str] = field(default_factory=_frozen)
    # Names the templates may use (values, not strings: a declaration may import its own models).
    template_globals: Mapping[str, Any] = field(default_factory=_frozen)
    # "module:callable" run once when the app is created (e.g. load a dictionary before the first request).
    on_startup: tuple[str, ...] = ()
    # "module:callable(factory)" installed on every session factory the app, the CLI and the job worker build
    # (e.g. the search indexer, which keeps search_doc in step with the session's writes).
    session_listeners: tuple[str, ...] = ()
    # "module:attribute" of what the domain feeds into search (a hotpot.search.sources.Source).
    search_sources: tuple[str, ...] = ()
    # What an app that makes its own sessions (hotpot serve, hotpot demo) keeps beside its engine: name ->
    # "module:callable(engine)"; the app holds it as app.state.<name> (None in an app given a session factory, as the
    # tests' are) and awaits its `close()` when it stops (e.g. search's async reader of the index's state).
    app_resources: Mapping[str, str] = field(default_factory=_frozen)


def resolve(target: str) -> Any:
    """The object a "package.module:attribute.path" string names."""
    module_name, _, attributes = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for attribute in attributes.split(".") if attributes else ():
        obj = getattr(obj, attribute)
    return obj


def load(packages: tuple[str, ...]) -> list[Domain]:
    """The declarations of `packages`, checked: unique names, and no flash code declared by two domains."""
    domains: list[Domain] = []
    flash_owner: dict[str, str] = {}
    for package in packages:
        domain = importlib.import_module(f"{package}.domain").DOMAIN
        if not isinstance(domain, Domain):
            raise TypeError(f"{package}.domain.DOMAIN is not a Domain")
        if any(d.name == domain.name for d in domains):
            raise ValueError(f"two domains are named {domain.name!r}")
        for code in domain.flash:
            if code in flash_owner:
                raise ValueError(f"flash code {code!r} is declared by {flash_owner[code]} and {domain.name}")
            flash_owner[code] = domain.name
        domains.append(domain)
    return domains


@cache
def installed() -> tuple[Domain, ...]:
    return tuple(load(INSTALLED))


@cache
def flash_messages() -> Mapping[str, tuple[str, str]]:
    return _frozen({code: message for d in installed() for code, message in d.flash.items()})


@cache
def navigation(role: str) -> tuple[tuple[str, str], ...]:
    """(label, url) of the navigation for a role value, or for ANONYMOUS."""
    entries = [entry for d in installed() for entry in d.nav if entry.shown_to(role)]
    return tuple((e.label, e.url) for e in sorted(entries, key=lambda e: e.order))


def template_globals() -> dict[str, Any]:
    return {name: value for d in installed() for name, value in d.template_globals.items()}


def badges() -> dict[str, Callable[..., int]]:
    return {name: resolve(target) for d in installed() for name, target in d.badges.items()}


def app_resources() -> dict[str, str]:
    return {name: target for d in installed() for name, target in d.app_resources.items()}


def prepare_session_factory(factory: Any) -> Any:
    """Install every domain's session listeners on factory (the app's, the CLI's, the worker's) and return it."""
    for domain in installed():
        for hook in domain.session_listeners:
            resolve(hook)(factory)
    return factory


def search_sources() -> list[Any]:
    return [resolve(target) for d in installed() for target in d.search_sources]


def load_models() -> None:
    """Import every declared model module, so Base.metadata holds every table."""
    for domain in installed():
        for module in domain.models:
            importlib.import_module(module)
