"""The official sites a site's kiosks allow in their browser, as a site manager sets them.

Kept per place (``browser_list`` of a site, or of a territory when a manager applied a list to
all its sites) and derived for each kiosk when its heartbeat reply is made (:func:`effective`):
a kiosk added to a site later gets the site's list with its first heartbeat. The kiosk reads it
in ``browser_sites`` and ``browser_local_sites`` of ``kiosk_wire.schema.PushedSettings`` and
applies it between sessions. Which list a kiosk gets, most specific first: one set for that
kiosk alone (``kiosk-server admin kiosk settings --browser-sites``), its site's, its
territory's; none of them: the kiosk's own settings. Saving a place's list replaces the lists
below it (a territory's, its sites' and kiosks'; a site's, its kiosks').
"""
from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_wire.schema import OfficialSite, PushedSettings

NATIONAL = tuple(s for s in OfficialSite if s is not OfficialSite.LOCAL)
MAX_LOCAL = 50  # the wire schema's bound


class SiteListError(ValueError):
    """A list a manager typed that cannot be used; the message is in French, for them."""


@dataclass(frozen=True)
class SiteList:
    """What a site's kiosks allow: None for a field means the kiosk's own setting."""

    national: tuple[OfficialSite, ...] | None
    local: tuple[str, ...] | None

    @property
    def own_settings(self) -> bool:
        return self.national is None and self.local is None


KIOSKS_OWN = SiteList(None, None)


def domain(text: str) -> str:
    """A domain as a manager types it ('Mairie-Exemple.fr.', 'https://www.x.fr/y' refused),
    lower-case and IDNA-encoded, as the kiosk compares hosts."""
    raw = text.strip().lower().rstrip(".")
    example = "exemple : mairie-exemple.fr"
    if "/" in raw or ":" in raw or "@" in raw or " " in raw:
        raise SiteListError(f"« {text.strip()} » n'est pas un nom de domaine ({example}, sans "
                            "https:// ni chemin).")
    if "." not in raw:
        raise SiteListError(f"« {text.strip()} » n'est pas un nom de domaine complet ({example}).")
    try:
        ipaddress.ip_address(raw)
    except ValueError:
        pass
    else:
        raise SiteListError(f"« {text.strip()} » est une adresse IP : indiquez un nom de domaine.")
    try:
        encoded = raw.encode("idna").decode("ascii")
    except UnicodeError:
        raise SiteListError(f"« {text.strip()} » n'est pas un nom de domaine valide.") from None
    if not re.fullmatch(r"([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}", encoded):
        raise SiteListError(f"« {text.strip()} » n'est pas un nom de domaine valide.")
    return encoded


def parse_local(text: str) -> tuple[str, ...]:
    """Domains separated by commas, spaces or lines; each once, in the order typed."""
    found: list[str] = []
    for part in re.split(r"[,;\s]+", text):
        if part.strip():
            name = domain(part)
            if name not in found:
                found.append(name)
    if len(found) > MAX_LOCAL:
        raise SiteListError(f"{MAX_LOCAL} sites ajoutés au plus.")
    return tuple(found)


def parse_national(keys: Iterable[str]) -> tuple[OfficialSite, ...]:
    chosen = set(keys)
    unknown = chosen - {s.value for s in NATIONAL}
    if unknown:
        raise SiteListError("Site national inconnu.")
    return tuple(s for s in NATIONAL if s.value in chosen)


class Source(str, Enum):
    """Where a site's kiosks get their list from."""

    SITE = "site"
    TERRITORY = "territory"
    KIOSKS = "kiosks"  # no list kept for the place: each kiosk's own settings


@dataclass(frozen=True)
class SiteChoice:
    """What the console shows for a site: the list its kiosks get, where it comes from, and how
    many kiosks have a list set for them alone (which wins)."""

    sites: SiteList
    source: Source
    territory_list: SiteList
    own_lists: int


def of_kiosk(pushed: PushedSettings) -> SiteList:
    return SiteList(tuple(pushed.browser_sites) if pushed.browser_sites is not None else None,
                    tuple(pushed.browser_local_sites)
                    if pushed.browser_local_sites is not None else None)


def stored(sites: SiteList) -> str | None:
    """A place's ``browser_list`` column: JSON, or NULL for none (a null field inside: the
    kiosk's own setting for that half, as a kiosk's pushed list could say before 0016)."""
    if sites.own_settings:
        return None
    return json.dumps({"national": None if sites.national is None else
                       [s.value for s in sites.national],
                       "local": None if sites.local is None else list(sites.local)})


def from_stored(text: str | None) -> SiteList:
    if not text:
        return KIOSKS_OWN
    kept = json.loads(text)
    national, local = kept.get("national"), kept.get("local")
    return SiteList(None if national is None else tuple(OfficialSite(k) for k in national),
                    None if local is None else tuple(local))


def effective(pushed: PushedSettings, place_list: str | None) -> PushedSettings:
    """A kiosk's pushed settings as its heartbeat reply carries them: its own list if one was
    set for it alone, else ``place_list``, its site's (else its territory's) stored JSON."""
    if not of_kiosk(pushed).own_settings:
        return pushed
    place = from_stored(place_list)
    return pushed if place.own_settings else with_list(pushed, place)


def with_list(pushed: PushedSettings, sites: SiteList) -> PushedSettings:
    """``pushed`` with its browser fields replaced (its other settings kept)."""
    values = pushed.model_dump(exclude_none=True)
    values.pop("browser_sites", None)
    values.pop("browser_local_sites", None)
    if sites.national is not None:
        values["browser_sites"] = list(sites.national)
    if sites.local is not None:
        values["browser_local_sites"] = list(sites.local)
    try:
        return PushedSettings.model_validate(values)
    except ValidationError as err:  # parse_* checked them: a bound of the schema moved?
        raise SiteListError("Liste refusée par la borne : vérifiez les domaines.") from err


def kiosks_of(conn: Connection, site_ids: Iterable[int]) -> list[int]:
    return list(conn.execute(sa.select(t.kiosks.c.id).where(t.kiosks.c.site_id.in_(
        list(site_ids))).order_by(t.kiosks.c.id)).scalars())


def site_list(conn: Connection, site_id: int) -> SiteChoice:
    """The list a site's kiosks get (leaving aside a kiosk's own), and where it comes from."""
    site, territory = conn.execute(
        sa.select(t.sites.c.browser_list, t.territories.c.browser_list)
        .select_from(t.sites.join(t.territories)).where(t.sites.c.id == site_id)).one()
    own = sum(1 for (pushed,) in conn.execute(sa.select(t.kiosks.c.pushed_settings)
                                              .where(t.kiosks.c.site_id == site_id))
              if not of_kiosk(PushedSettings.model_validate(json.loads(pushed or "{}")))
              .own_settings)
    source = Source.SITE if site else Source.TERRITORY if territory else Source.KIOSKS
    return SiteChoice(from_stored(site or territory), source, from_stored(territory), own)


def set_list(conn: Connection, site_ids: Iterable[int], sites: SiteList) -> int:
    """Keep the list for these sites (KIOSKS_OWN: none, their territory's applies) and remove
    their kiosks' own lists; returns how many kiosks get it."""
    ids = list(site_ids)
    conn.execute(t.sites.update().where(t.sites.c.id.in_(ids))
                 .values(browser_list=stored(sites)))
    return _drop_kiosk_lists(conn, ids)


def set_territory_list(conn: Connection, territory_id: int, sites: SiteList) -> int:
    """Keep the list for the whole territory (its sites created later too) and remove its
    sites' and kiosks' own lists; returns how many kiosks get it."""
    conn.execute(t.territories.update().where(t.territories.c.id == territory_id)
                 .values(browser_list=stored(sites)))
    ids = list(conn.execute(sa.select(t.sites.c.id)
                            .where(t.sites.c.territory_id == territory_id)).scalars())
    return set_list(conn, ids, KIOSKS_OWN) if ids else 0


def _drop_kiosk_lists(conn: Connection, site_ids: list[int]) -> int:
    rows = conn.execute(sa.select(t.kiosks.c.id, t.kiosks.c.pushed_settings)
                        .where(t.kiosks.c.site_id.in_(site_ids))).all()
    for kiosk_id, pushed in rows:
        settings = PushedSettings.model_validate(json.loads(pushed or "{}"))
        if not of_kiosk(settings).own_settings:
            conn.execute(t.kiosks.update().where(t.kiosks.c.id == kiosk_id).values(
                pushed_settings=with_list(settings, KIOSKS_OWN)
                .model_dump_json(exclude_none=True)))
    return len(rows)
