"""Where the non-Python parts live: inside an installed wheel, or at the top of a source checkout."""

from functools import cache
from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """Return the directory (or file) `name` (templates, static, migrations, seed_data, locale, alembic.ini)."""
    packaged = _PACKAGE / "_data" / name
    if packaged.exists():
        return packaged
    return _PACKAGE.parent / name
