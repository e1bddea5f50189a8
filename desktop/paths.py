"""Where the shipped data live: inside the package when installed from a wheel, else the repository."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_REPO = _PACKAGE.parent


def _data_root() -> Path:
    bundled = _PACKAGE / "_data"
    return bundled if (bundled / "forms").is_dir() else _REPO


def forms_dir() -> Path:
    return _data_root() / "forms"


def resources_dir() -> Path:
    return _data_root() / "resources"


def packs_dir(guideline: str) -> Path:
    return resources_dir() / "packs" / guideline


def schemas_dir() -> Path:
    return resources_dir() / "schemas"
