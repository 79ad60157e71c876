"""Migration 0018 on both engines, on a populated database: the site x month rows (M) of
sessions, activities and comfort options are summed from the daily rows, exactly what ingest
maintains (and a rebuild makes); a downgrade removes them and only them."""
from __future__ import annotations

import datetime as dt
import importlib
import random

from alembic.migration import MigrationContext
from alembic.operations import Operations

from server.helpers import make_tenant
from server.test_rebuild import post, snapshot, varied_record

FILLED = ("agg_sessions", "agg_activities", "agg_comfort")


def _run_0018(engine, downgrade: bool = False) -> None:
    """0018's own step, in place (later revisions' downgrades are not this test's subject)."""
    module = importlib.import_module("kiosk_server.migrations.versions.0018_site_months")
    with engine.begin() as conn, Operations.context(MigrationContext.configure(conn)):
        (module.downgrade if downgrade else module.upgrade)()


def test_site_month_rows_are_filled_from_the_daily_rows_as_ingest_keeps_them(
        client, tenant, engine):
    rng = random.Random(18)
    other = make_tenant(engine, territory="Sud", site="EPN Nice", kiosk="borne-9")
    days = [dt.date(2026, 8, 20) + dt.timedelta(days=i) for i in range(70)]  # 4 months
    for who, n in ((tenant, 120), (other, 80)):
        post(client, who, [varied_record(rng, rng.choice(days)) for _ in range(n)])
    maintained = snapshot(engine)
    month_rows = {name: [r for r in maintained[name] if r[0] == "M"] for name in FILLED}
    assert all(month_rows.values())  # ingest keeps them: something to compare

    _run_0018(engine, downgrade=True)
    before = snapshot(engine)
    assert all(not [r for r in before[name] if r[0] == "M"] for name in FILLED)
    assert {k: v for k, v in before.items() if k not in FILLED} == \
        {k: v for k, v in maintained.items() if k not in FILLED}

    _run_0018(engine)

    assert snapshot(engine) == maintained
