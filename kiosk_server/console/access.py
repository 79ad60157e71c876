"""Who may see what: every console route resolves the place it shows through here.

- admin: every territory, site and kiosk; fleet settings.
- manager: dashboards, exports and the live view of the places given to them: whole
  territories (every site in them) and single sites, in any mix (a site outside their
  territories included).
- mediator: the live view of their sites (one or more), their help requests and commands; no
  dashboards.

The places are read from the database with the user on every request (``auth.load_user``), so
a place given or taken away applies at the user's next request. A dashboard shows one place at a
time, chosen among the user's places; by default the first one given. An unknown place and a
place outside the user's places get the same refusal, so ids cannot be probed. Menus only offer
what is allowed, but the check is here, on every request.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.console.auth import ConsoleDenied, ConsoleUser
from kiosk_server.queries import Scope
from kiosk_server.tenancy import PlaceKind, Role


@dataclass(frozen=True)
class Place:
    """A place the user asked for, once allowed: its scope for queries and its label."""

    scope: Scope
    label: str
    territory_id: int | None
    site_id: int | None


def _site(conn: Connection, site_id: int) -> Any:
    return conn.execute(sa.select(t.sites.c.id, t.sites.c.territory_id, t.sites.c.name,
                                  t.territories.c.name.label("territory"))
                        .select_from(t.sites.join(t.territories))
                        .where(t.sites.c.id == site_id)).first()


def may_see_site(user: ConsoleUser, site_id: int, site_territory_id: int) -> bool:
    if user.role is Role.ADMIN:
        return True
    if site_id in user.site_ids:
        return True
    return user.role is Role.MANAGER and site_territory_id in user.territory_ids


def may_see_territory(user: ConsoleUser, territory_id: int) -> bool:
    """The whole territory (its dashboards): an admin, or a manager given that territory."""
    if user.role is Role.ADMIN:
        return True
    return user.role is Role.MANAGER and territory_id in user.territory_ids


def live_site(conn: Connection, user: ConsoleUser, site_id: int) -> Any:
    """The site row when the user may watch its kiosks, else ConsoleDenied."""
    row = _site(conn, site_id)
    if row is None or not may_see_site(user, row.id, row.territory_id):
        raise ConsoleDenied()
    return row


def kiosk_of_site(conn: Connection, site_id: int, kiosk_id: int) -> Any:
    row = conn.execute(sa.select(t.kiosks.c.id, t.kiosks.c.name)
                       .where(t.kiosks.c.id == kiosk_id, t.kiosks.c.site_id == site_id)).first()
    if row is None:
        raise ConsoleDenied()
    return row


def require_admin(user: ConsoleUser) -> None:
    if user.role is not Role.ADMIN:
        raise ConsoleDenied("Accès refusé : réservé aux administrateurs.")


def stats_place(conn: Connection, user: ConsoleUser, territory_id: int | None,
                site_id: int | None) -> Place:
    """The place of a dashboard or an export: the one asked for if the user may see it, or
    by default the user's first place (an admin: France entière)."""
    if user.role is Role.MEDIATOR:
        raise ConsoleDenied("Accès refusé : les tableaux de bord sont réservés aux "
                            "responsables de site et aux administrateurs.")
    if site_id is not None:
        row = _site(conn, site_id)
        if row is None or not may_see_site(user, row.id, row.territory_id):
            raise ConsoleDenied()
        return Place(Scope(site_id=row.id), f"{row.name} ({row.territory})", row.territory_id,
                     row.id)
    if territory_id is None:
        if user.role is Role.ADMIN:
            return Place(Scope(), "France entière", None, None)
        if not user.places:
            raise ConsoleDenied("Accès refusé : aucun lieu ne vous est attribué. Demandez à un "
                                "administrateur.")
        first = user.places[0]  # the default dashboard: the first place given
        if first.kind is PlaceKind.SITE:
            return stats_place(conn, user, None, first.id)
        territory_id = first.id
    name = conn.execute(sa.select(t.territories.c.name)
                        .where(t.territories.c.id == territory_id)).scalar_one_or_none()
    if name is None or territory_id is None or not may_see_territory(user, territory_id):
        raise ConsoleDenied()
    return Place(Scope(territory_id=territory_id), f"Territoire : {name}", territory_id, None)


def visible_tree(conn: Connection, user: ConsoleUser) -> list[dict[str, Any]]:
    """Territories with their sites, limited to what the user may choose in filters."""
    q = (sa.select(t.territories.c.id.label("territory_id"),
                   t.territories.c.name.label("territory"), t.sites.c.id.label("site_id"),
                   t.sites.c.name.label("site"))
         .select_from(t.territories.outerjoin(t.sites))
         .order_by(t.territories.c.name, t.sites.c.name))
    out: dict[int, dict[str, Any]] = {}
    for r in conn.execute(q):
        whole = may_see_territory(user, r.territory_id)
        site_ok = r.site_id is not None and may_see_site(user, r.site_id, r.territory_id)
        if not whole and not site_ok:
            continue
        entry = out.setdefault(r.territory_id, {"id": r.territory_id, "name": r.territory,
                                                "selectable": whole, "sites": []})
        if site_ok:
            entry["sites"].append({"id": r.site_id, "name": r.site})
    return list(out.values())


def live_sites(conn: Connection, user: ConsoleUser) -> list[dict[str, Any]]:
    """Every site whose kiosks the user may watch, by territory then name."""
    return [{"id": s["id"], "name": s["name"], "territory": terr["name"]}
            for terr in visible_tree(conn, user) for s in terr["sites"]]
