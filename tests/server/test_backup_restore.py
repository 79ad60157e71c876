"""scripts/backup-server-db.sh and restore-server-db.sh on a real PostgreSQL: a server with a
tenancy and ingested records is backed up, its database dropped and created empty, restored;
every row (records, aggregates, tenancy, users) is back and the server migrates happily."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient

from kiosk_server import tables, tenancy
from kiosk_server.app import create_app
from server.helpers import make_tenant, open_migrated, record, server_settings

ROOT = Path(__file__).parents[2]


def every_row(url: str) -> dict[str, list[tuple]]:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            rows = {table.name: sorted(tuple(map(repr, r)) for r in conn.execute(sa.select(table)))
                    for table in tables.metadata.sorted_tables}
            rows["alembic_version"] = list(conn.execute(sa.text(
                "SELECT version_num FROM alembic_version")))
    finally:
        engine.dispose()
    return rows


def script_env(url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KIOSK_")}
    env.update(KIOSK_SERVER_DATABASE_URL=url, KIOSK_PYTHON=sys.executable,
               PYTHONPATH=str(ROOT))
    return env


@pytest.mark.postgres
@pytest.mark.slow
def test_a_backup_restored_into_an_empty_database_gives_back_every_row(tmp_path, pg_cluster,
                                                                       pg_url):
    engine = open_migrated(pg_url)
    tenant = make_tenant(engine)
    with engine.begin() as conn:
        tenancy.create_user(conn, "resp-nord", "un mot de passe solide 42", "manager",
                            territory=tenant.territory_id)
    app = create_app(server_settings(tmp_path, pg_url), engine, run_migrations=False)
    with TestClient(app) as client:
        batch = [record(day=f"2026-11-{d:02d}", hour=h) for d in (3, 4, 20) for h in (9, 14)]
        assert client.post("/api/v1/events", json={"records": batch},
                           headers=tenant.headers).json()["stored"] == 6
        beat = {"state": "idle", "app_version": "0.1.0", "queue_length": 2}
        assert client.post("/api/v1/heartbeat", json=beat,
                           headers=tenant.headers).status_code == 200
    engine.dispose()
    before = every_row(pg_url)
    assert len(before["session_records"]) == 6 and len(before["users"]) == 1
    assert len(before["kiosk_status"]) == 1
    aggregates = [name for name in before if name.startswith("agg")]
    assert aggregates and any(before[name] for name in aggregates)

    dump = tmp_path / "server.dump"
    subprocess.run([str(ROOT / "scripts" / "backup-server-db.sh"), str(dump)],
                   env=script_env(pg_url), check=True, timeout=120)
    assert dump.stat().st_size > 0

    name = sa.engine.make_url(pg_url).database
    with psycopg.connect(pg_cluster.dsn(), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    assert every_row_count(pg_url) == 0

    subprocess.run([str(ROOT / "scripts" / "restore-server-db.sh"), str(dump)],
                   env=script_env(pg_url), check=True, timeout=120)
    assert every_row(pg_url) == before

    migrated = subprocess.run([sys.executable, "-m", "kiosk_server.cli", "run", "--migrate-only"],
                              env=script_env(pg_url), capture_output=True, text=True,
                              timeout=120, check=False)
    assert migrated.returncode == 0, migrated.stderr
    assert before["alembic_version"][0][0] in migrated.stdout
    assert every_row(pg_url) == before  # nothing to migrate: nothing changed


def every_row_count(url: str) -> int:
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn:
            return len(sa.inspect(conn).get_table_names())
    finally:
        engine.dispose()


def test_the_scripts_refuse_a_sqlite_database(tmp_path):
    result = subprocess.run([str(ROOT / "scripts" / "backup-server-db.sh"),
                             str(tmp_path / "x.dump")],
                            env=script_env(f"sqlite:///{tmp_path / 'server.sqlite'}"),
                            capture_output=True, text=True, timeout=60, check=False)
    assert result.returncode != 0 and "not PostgreSQL" in result.stderr
    assert not (tmp_path / "x.dump").exists()
