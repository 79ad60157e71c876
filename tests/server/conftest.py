"""Server tests run on both engines: SQLite (file) and the throwaway PostgreSQL cluster."""
from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

warnings.filterwarnings("ignore", message=".*httpx2.*")

from fastapi.testclient import TestClient

from kiosk_server.app import create_app
from server.helpers import Tenant, make_tenant, open_migrated, server_settings


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'server.sqlite'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def engine(db_url: str) -> Iterator[sa.Engine]:
    engine = open_migrated(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def settings(tmp_path: Path, db_url: str):
    return server_settings(tmp_path, db_url)


@pytest.fixture
def client(settings, engine) -> Iterator[TestClient]:
    app = create_app(settings, engine)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def tenant(engine) -> Tenant:
    return make_tenant(engine)
