"""A site's identifiers for La Coop de la médiation numérique and the national cartography of
places: checked when an admin types them, stored on ``sites``, exported by the "Coop" export.

- SIRET: 14 digits whose Luhn sum is a multiple of 10 (La Poste's establishments excepted,
  as INSEE does: SIREN 356000000, digit sum a multiple of 5).
- Code INSEE (code officiel géographique of the commune): 5 characters, digits, or 2A/2B then
  3 digits for Corsica; not the postcode.
- Cartography id: the id the national cartography gives the place (its tokens joined by
  "__"): letters, digits and ``_-.:|@``, at most 255 characters.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t

_INSEE = re.compile(r"^(?:\d{5}|2[AB]\d{3})$")
_CARTOGRAPHY = re.compile(r"^[A-Za-z0-9À-ÿ_\-.:|@]{1,255}$")


class IdentifierError(ValueError):
    """A typed identifier that is not valid; the message is French, for the admin."""


@dataclass(frozen=True)
class SiteIdentifiers:
    siret: str | None = None
    code_insee: str | None = None
    cartography_id: str | None = None


def _luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        n = int(ch) * (2 if i % 2 else 1)
        total += n - 9 if n > 9 else n
    return total % 10 == 0


def checked(siret: str, code_insee: str, cartography_id: str) -> SiteIdentifiers:
    """The identifiers as typed (spaces in a SIRET tolerated), or IdentifierError."""
    siret = re.sub(r"\s+", "", siret or "")
    code_insee = (code_insee or "").strip().upper()
    cartography_id = (cartography_id or "").strip()
    problems = []
    if siret and not (siret.isdigit() and len(siret) == 14 and (
            _luhn(siret) or (siret.startswith("356000000")
                             and sum(map(int, siret)) % 5 == 0))):
        problems.append("Le SIRET compte 14 chiffres (celui de l'établissement, vérifiable "
                        "sur annuaire-entreprises.data.gouv.fr).")
    if code_insee and not _INSEE.match(code_insee):
        problems.append("Le code INSEE de la commune compte 5 caractères (ex. 59350, 2A004) ; "
                        "ce n'est pas le code postal.")
    if cartography_id and not _CARTOGRAPHY.match(cartography_id):
        problems.append("L'identifiant de la cartographie nationale contient des caractères "
                        "inattendus ou dépasse 255 caractères.")
    if problems:
        raise IdentifierError(" ".join(problems))
    return SiteIdentifiers(siret or None, code_insee or None, cartography_id or None)


def read(conn: Connection, site_id: int) -> SiteIdentifiers:
    row = conn.execute(sa.select(t.sites.c.siret, t.sites.c.code_insee,
                                 t.sites.c.cartography_id).where(t.sites.c.id == site_id)).first()
    if row is None:
        raise LookupError(f"unknown site {site_id}")
    return SiteIdentifiers(row.siret, row.code_insee, row.cartography_id)


def save(conn: Connection, site_id: int, ids: SiteIdentifiers) -> None:
    done = conn.execute(t.sites.update().where(t.sites.c.id == site_id).values(
        siret=ids.siret, code_insee=ids.code_insee, cartography_id=ids.cartography_id))
    if done.rowcount != 1:
        raise LookupError(f"unknown site {site_id}")
