"""Qt tests: a fresh data directory (workspace, settings, logs) for every test; never the user's own."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.ui import i18n


@pytest.fixture(autouse=True)
def fresh_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    data = tmp_path / "data"
    monkeypatch.setenv("CARBONDESK_DATA_DIR", str(data))
    yield data


@pytest.fixture
def lang_zh(qapp) -> Iterator[None]:
    i18n.set_language("zh")
    yield
    i18n.set_language("zh")


@pytest.fixture
def lang_en(qapp) -> Iterator[None]:
    i18n.set_language("en")
    yield
    i18n.set_language("zh")


from tests.ui.test_window import new_workspace  # noqa: E402, F401 - the fixture, for every UI test module
