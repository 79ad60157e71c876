"""The official sites a site's kiosks allow in their browser, as a site manager sets them.

Kept where every pushed setting is kept: in each kiosk's ``pushed_settings``
(``browser_sites`` and ``browser_local_sites`` of ``kiosk_wire.schema.PushedSettings``), sent
with every heartbeat reply; the kiosk applies them between sessions. Setting a site's list
writes it to each of its kiosks and leaves their other pushed settings alone; a kiosk added
later gets it when the list is saved again. ``None`` for both: the kiosks' own settings.
"""
from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

import sqlalchemy as sa
from pydantic import ValidationError
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server import tenancy
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


def of_kiosk(pushed: PushedSettings) -> SiteList:
    return SiteList(tuple(pushed.browser_sites) if pushed.browser_sites is not None else None,
                    tuple(pushed.browser_local_sites)
                    if pushed.browser_local_sites is not None else None)


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


def site_list(conn: Connection, site_id: int) -> tuple[SiteList, bool]:
    """The list the site's kiosks allow (its first kiosk's), and whether they all agree."""
    lists = [of_kiosk(tenancy.pushed_settings(conn, k)) for k in kiosks_of(conn, [site_id])]
    if not lists:
        return KIOSKS_OWN, True
    return lists[0], all(other == lists[0] for other in lists)


def set_list(conn: Connection, site_ids: Iterable[int], sites: SiteList) -> int:
    """Write the list to every kiosk of these sites; returns how many kiosks."""
    kiosks = kiosks_of(conn, site_ids)
    for kiosk_id in kiosks:
        tenancy.set_pushed_settings(conn, kiosk_id,
                                    with_list(tenancy.pushed_settings(conn, kiosk_id), sites))
    return len(kiosks)
