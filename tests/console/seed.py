"""Generated console data: two territories, three sites, kiosks, users, and session records
ingested through the server's own ingest; the tests compute expected figures from ``Seed``."""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from server.helpers import random_record

from kiosk_server import tenancy
from kiosk_server.ingest import ingest
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import SessionRecord

PASSWORD = "motdepasse-solide-1"
USERS = {  # name: (role, territory, site)
    "admin": ("admin", None, None),
    "resp-nord": ("manager", "Nord", None),
    "resp-lille": ("manager", None, "FS Lille"),
    "med-lille": ("mediator", None, "FS Lille"),
    "med-rennes": ("mediator", None, "FS Rennes"),
}
SITES = {"FS Lille": ("Nord", ["borne-1", "borne-2"]), "FS Roubaix": ("Nord", ["borne-1"]),
         "FS Rennes": ("Bretagne", ["borne-1"])}


@dataclass
class Seed:
    today: dt.date
    territories: dict[str, int] = field(default_factory=dict)
    sites: dict[str, int] = field(default_factory=dict)
    site_territory: dict[str, str] = field(default_factory=dict)
    kiosks: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)  # id, token
    records: dict[str, list[dict[str, Any]]] = field(default_factory=dict)       # per site
    kiosk_records: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    users: dict[str, int] = field(default_factory=dict)

    def sessions(self, sites: list[str] | None = None, start: dt.date | None = None,
                 end: dt.date | None = None) -> list[dict[str, Any]]:
        out = []
        for site, records in self.records.items():
            if sites is not None and site not in sites:
                continue
            for r in records:
                day = dt.date.fromisoformat(r["day"])
                if (start is None or day >= start) and (end is None or day <= end):
                    out.append(r)
        return out

    def territory_sites(self, territory: str) -> list[str]:
        return [s for s, t in self.site_territory.items() if t == territory]


def seed(engine: sa.Engine, per_kiosk: int = 120, days: int = 80, rng_seed: int = 7) -> Seed:
    rng = random.Random(rng_seed)
    today = dt.date.today()
    out = Seed(today=today)
    with engine.begin() as conn:
        for site, (territory, kiosks) in SITES.items():
            if territory not in out.territories:
                out.territories[territory] = tenancy.create_territory(conn, territory)
            sid = tenancy.create_site(conn, out.territories[territory], site)
            out.sites[site] = sid
            out.site_territory[site] = territory
            for name in kiosks:
                out.kiosks[(site, name)] = tenancy.create_kiosk(conn, sid, name)
        for name, (role, territory, site) in USERS.items():
            out.users[name] = tenancy.create_user(
                conn, name, PASSWORD, role,
                territory=out.territories[territory] if territory else None,
                site=out.sites[site] if site else None)
    for (site, _name), (kiosk_id, _token) in out.kiosks.items():
        territory_id = out.territories[out.site_territory[site]]
        identity = KioskIdentity(kiosk_id, out.sites[site], territory_id, _name)
        records = [random_record(rng, today - dt.timedelta(days=rng.randint(0, days)))
                   for _ in range(per_kiosk)]
        if (site, _name) == ("FS Lille", "borne-1"):
            # Two answers in a bracket nobody else gives: a small count the console must mask.
            for r in records[:2]:
                r["survey"] = {"age_bracket": "70_plus", "autonomy": "autonomous",
                               "satisfaction": "neutral"}
        for i, r in enumerate(records):
            # Every third session also opened an official site in the browser (not drawn from
            # ``rng``: the other figures stay those the seed always gave)...
            if i % 3 == 0:
                r["official_sites"] = [{"site": ("caf", "ameli", "ants")[i % 9 // 3],
                                        "minutes": 4 + i % 7}]
            if i % 4 == 1:  # and every fourth practised as a step of a parcours
                r["activities"][0].update(parcours_id="initiation", parcours_step=1 + i % 5)
        for i in range(0, len(records), 200):
            ingest(engine, identity, [SessionRecord.model_validate(r)
                                      for r in records[i:i + 200]])
        out.records.setdefault(site, []).extend(records)
        out.kiosk_records[(site, _name)] = records
    return out
