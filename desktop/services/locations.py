"""Where workspaces live by default: the user's data directory (CARBONDESK_DATA_DIR overrides it)."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_data_dir


def data_dir() -> Path:
    override = os.environ.get("CARBONDESK_DATA_DIR")
    return Path(override) if override else Path(user_data_dir("CarbonDesk", appauthor=False))


def default_workspace() -> Path:
    return data_dir() / "workspaces" / "default.sqlite"


def demo_workspace() -> Path:
    return data_dir() / "workspaces" / "demo.sqlite"
