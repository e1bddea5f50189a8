"""Storage tests run on SQLite and on a real PostgreSQL server (CARBONDESK_TEST_PG_URL)."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.storage.workspace import Workspace

PG_URL = os.environ.get("CARBONDESK_TEST_PG_URL", "")


def _pg_database() -> Iterator[str]:
    import sqlalchemy as sa

    name = f"cd_test_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield PG_URL.rsplit("/", 1)[0] + "/" + name
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def workspace_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield str(tmp_path / "ws.sqlite")
        return
    if not PG_URL:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must run the storage tests on PostgreSQL: CARBONDESK_TEST_PG_URL is not set")
        pytest.skip("no PostgreSQL server (run the tests through `make test`)")
    yield from _pg_database()


@pytest.fixture
def ws(workspace_url: str, tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(workspace_url, app_user="测试员", evidence_dir=tmp_path / "evidence")
    try:
        yield workspace
    finally:
        workspace.close()


@pytest.fixture
def sqlite_ws(tmp_path: Path) -> Iterator[Workspace]:
    workspace = Workspace.open(tmp_path / "ws.sqlite", app_user="测试员")
    try:
        yield workspace
    finally:
        workspace.close()
