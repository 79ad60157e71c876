"""Shared builders for server and sync tests: records, tenants, servers."""
from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from kiosk_server import db, tenancy
from kiosk_server import tables as t
from kiosk_wire import config

PROCEDURES = [("ants-pre-demande", "papiers_elections_citoyennete", 6),
              ("caf-trimestrielle", "social_sante", 8),
              ("impots-premiere-connexion", "argent_impots", 10)]


def record(day: dt.date | str = "2026-11-20", hour: int = 10, **overrides: Any) -> dict[str, Any]:
    """One valid session record as it travels on the wire."""
    base: dict[str, Any] = {
        "event_id": str(uuid.uuid4()), "schema_version": 1, "day": str(day), "hour": hour,
        "duration_min": 15, "language": "fr", "accessibility": ["large_text"],
        "end_reason": "finished", "help_requests": 1,
        "activities": [
            {"kind": "practice", "procedure_id": "ants-pre-demande",
             "theme": "papiers_elections_citoyennete", "steps_total": 6, "steps_reached": 4,
             "completed": False, "hints_used": 2, "errors": 1, "pages": 0,
             "autonomy": "partly_autonomous"},
            {"kind": "scan", "pages": 2},
            {"kind": "print", "pages": 2},
        ],
        "survey": {"age_bracket": "60_69", "autonomy": "guided", "satisfaction": "satisfied"},
    }
    base.update(overrides)
    return base


def random_record(rng: random.Random, day: dt.date) -> dict[str, Any]:
    proc, theme, steps = rng.choice(PROCEDURES)
    reached = rng.randint(0, steps)
    return record(day=day, hour=rng.randint(8, 18), duration_min=5 * rng.randint(0, 30),
                  language=rng.choice(["fr", "fr", "en", "ar"]),
                  end_reason=rng.choice(["finished", "idle_timeout", "mediator"]),
                  activities=[
                      {"kind": "practice", "procedure_id": proc, "theme": theme,
                       "steps_total": steps, "steps_reached": reached,
                       "completed": reached == steps, "hints_used": rng.randint(0, 3)},
                      {"kind": "scan", "pages": rng.randint(1, 3)},
                      {"kind": "print", "pages": rng.randint(1, 3)},
                  ],
                  survey=None if rng.random() < 0.5 else {
                      "age_bracket": rng.choice(["25_39", "40_59", "60_69"]),
                      "autonomy": "guided", "satisfaction": "satisfied"})


@dataclass
class Tenant:
    territory_id: int
    site_id: int
    kiosk_id: int
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_tenant(engine: sa.Engine, territory: str = "Nord", site: str = "FS Lille",
                kiosk: str = "borne-1") -> Tenant:
    with engine.begin() as conn:
        existing = {r["territory"]: r["territory_id"] for r in tenancy.list_tree(conn)}
        tid = existing.get(territory) or tenancy.create_territory(conn, territory)
        sid = tenancy.create_site(conn, tid, site)
        kid, token = tenancy.create_kiosk(conn, sid, kiosk)
    return Tenant(tid, sid, kid, token)


def server_settings(data_dir: Path, database_url: str = "", **overrides: Any) -> config.Settings:
    values = {"kiosk.data_dir": str(data_dir), "server.database_url": database_url,
              # a site's own procedure, declared as an installer would
              "server.local_procedures": "mairie-de-lille-rdv"}
    values.update(overrides)
    return config.defaults().with_overrides(values)


def stored_event_ids(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.execute(sa.select(t.session_records.c.event_id)).scalars())


def count(engine: sa.Engine, table: sa.Table) -> int:
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def total_sessions_aggregated(engine: sa.Engine) -> int:
    """Sessions counted in the national monthly aggregate (what the console shows)."""
    a = t.agg_sessions
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.coalesce(sa.func.sum(a.c.sessions), 0))
                                .where(a.c.grain == "T")).scalar_one())


def open_migrated(url: str) -> sa.Engine:
    engine = db.open_engine(url)
    db.migrate(engine)
    return engine
