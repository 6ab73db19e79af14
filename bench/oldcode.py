"""The search's query path of another git revision, importable beside today's, for old/new figures in one run.

`load("98daefc")` copies hotpot/search/{engine,understand,text}.py of that revision into a throwaway package
(`hotpot_search_<rev>`, its `hotpot.search` imports pointed at itself) and returns its engine module. The copy has
its own vocabulary and caches and reads the same database as today's code (the models stay today's: the tables
must be the same). Alternating calls of `old.search(...)` and `hotpot.search.engine.search(...)` over the same
session then give ratios measured on the same machine at the same moment, which is all a shared machine allows.
"""

from __future__ import annotations

import importlib
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType

MODULES = ("engine", "understand", "text")
ROOT = Path(__file__).resolve().parent.parent
_loaded: dict[str, ModuleType] = {}


def load(rev: str) -> ModuleType:
    """The engine module of revision `rev` (a commit, branch or tag of this repository)."""
    if rev in _loaded:
        return _loaded[rev]
    sha = subprocess.run(
        ["git", "rev-parse", "--short", rev], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.strip()
    name = f"hotpot_search_{sha}"
    where = Path(tempfile.mkdtemp(prefix="hotpot-oldcode-")) / name
    where.mkdir()
    (where / "__init__.py").write_text("")
    for module in MODULES:
        shown = subprocess.run(
            ["git", "show", f"{sha}:hotpot/search/{module}.py"], cwd=ROOT, capture_output=True, text=True
        )
        if shown.returncode != 0:
            continue  # a module the revision did not have yet (understand.py came with issue 11)
        (where / f"{module}.py").write_text(shown.stdout.replace("hotpot.search", name))
    sys.path.insert(0, str(where.parent))
    engine = importlib.import_module(f"{name}.engine")
    _loaded[rev] = engine
    return engine
