"""One-time enrolment tokens: the console makes one for a kiosk, the installer types it into
`kiosk setup`, which trades it (POST /api/v1/enrol) for the kiosk's own bearer token.

The enrolment token is short-lived and good once: it only has to get from the console to the
terminal, by hand. Only its SHA-256 is stored, as for kiosk tokens. Trading it revokes the
kiosk's earlier tokens (a re-installed terminal replaces the old one) and issues a new one, in
one transaction: two terminals racing with the same token cannot both win (the ``used_at IS
NULL`` update decides).
"""
from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.tenancy import hash_token, now, resolve_kiosk, rotate_token
from kiosk_wire.schema import EnrolmentRefusal

TTL = dt.timedelta(hours=48)  # long enough to carry it to the site, short enough to go stale
TOKEN_BYTES = 12  # 96 bits, typed by hand: grouped in fours for reading


class EnrolmentRefused(Exception):
    def __init__(self, reason: EnrolmentRefusal) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class Enrolled:
    kiosk_id: int
    kiosk_name: str
    site_name: str
    token: str  # the kiosk's new bearer token


def _normalised(token: str) -> str:
    """As typed: spaces and dashes between groups do not count, nor letter case."""
    return "".join(c for c in token if c.isalnum()).lower()


def create(conn: Connection, kiosk: int | str, ttl: dt.timedelta = TTL) -> tuple[str, dt.datetime]:
    """A new enrolment token for the kiosk (shown once) and when it expires."""
    kiosk_id = resolve_kiosk(conn, kiosk)
    raw = secrets.token_hex(TOKEN_BYTES)
    token = "-".join(raw[i:i + 4] for i in range(0, len(raw), 4))
    created = now()
    conn.execute(t.enrolment_tokens.insert().values(
        kiosk_id=kiosk_id, token_hash=hash_token(_normalised(token)), created_at=created,
        expires_at=created + ttl))
    return token, created + ttl


def redeem(conn: Connection, token: str) -> Enrolled:
    """Trade an enrolment token for the kiosk's new bearer token; EnrolmentRefused otherwise."""
    e = t.enrolment_tokens.c
    row = conn.execute(sa.select(e.id, e.kiosk_id, e.expires_at, e.used_at)
                       .where(e.token_hash == hash_token(_normalised(token)))).first()
    if row is None:
        raise EnrolmentRefused(EnrolmentRefusal.UNKNOWN)
    if row.used_at is not None:
        raise EnrolmentRefused(EnrolmentRefusal.USED)
    at = now()
    expires = row.expires_at if row.expires_at.tzinfo else row.expires_at.replace(tzinfo=dt.UTC)
    if expires <= at:
        raise EnrolmentRefused(EnrolmentRefusal.EXPIRED)
    taken = conn.execute(t.enrolment_tokens.update().where(e.id == row.id, e.used_at.is_(None))
                         .values(used_at=at))
    if not taken.rowcount:  # another terminal used it a moment ago
        raise EnrolmentRefused(EnrolmentRefusal.USED)
    names = conn.execute(sa.select(t.kiosks.c.name, t.sites.c.name)
                         .select_from(t.kiosks.join(t.sites))
                         .where(t.kiosks.c.id == row.kiosk_id)).one()
    return Enrolled(row.kiosk_id, names[0], names[1], rotate_token(conn, row.kiosk_id))
