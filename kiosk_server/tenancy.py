"""Territories -> sites -> kiosks, kiosk tokens, and console users.

Kiosk tokens are 256-bit random values (``secrets.token_urlsafe(32)``) shown once at creation or
rotation; only their SHA-256 is stored (a fast hash is enough for a 256-bit random secret: there
is nothing to brute-force). Console passwords are hashed with argon2id (argon2-cffi).
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass
from enum import Enum
from typing import Any

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy.engine import Connection

from kiosk_server import live_changes
from kiosk_server import tables as t
from kiosk_server.browser_sites import effective
from kiosk_wire.schema import PushedSettings

TOKEN_BYTES = 32  # 256 bits


class TenancyError(Exception):
    """A tenancy operation that cannot be done (duplicate name, unknown id); message for admins."""


class Role(str, Enum):
    ADMIN = "admin"        # everything, national scope
    MANAGER = "manager"    # dashboards and exports of a territory or a site
    MEDIATOR = "mediator"  # live view and commands for the kiosks of a site


@dataclass(frozen=True)
class KioskIdentity:
    kiosk_id: int
    site_id: int
    territory_id: int
    name: str


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def _one_id(conn: Connection, table: sa.Table, ident: int | str, what: str,
            **filters: Any) -> int:
    """Resolve an id or a unique name to an id."""
    query = sa.select(table.c.id)
    if isinstance(ident, int) or (isinstance(ident, str) and ident.isdigit()):
        query = query.where(table.c.id == int(ident))
    else:
        query = query.where(table.c.name == ident)
    for col, value in filters.items():
        if value is not None:
            query = query.where(table.c[col] == value)
    ids = conn.execute(query).scalars().all()
    if not ids:
        raise TenancyError(f"unknown {what}: {ident}")
    if len(ids) > 1:
        raise TenancyError(f"several {what}s are named {ident}; use the id")
    return int(ids[0])


# --- territories and sites ---------------------------------------------------------------------
def create_territory(conn: Connection, name: str) -> int:
    name = name.strip()
    if not name:
        raise TenancyError("a territory needs a name")
    try:
        with conn.begin_nested():
            return int(conn.execute(t.territories.insert().values(name=name, created_at=now())
                                    .returning(t.territories.c.id)).scalar_one())
    except sa.exc.IntegrityError:
        raise TenancyError(f"territory {name!r} already exists") from None


def create_site(conn: Connection, territory: int | str, name: str) -> int:
    territory_id = _one_id(conn, t.territories, territory, "territory")
    name = name.strip()
    if not name:
        raise TenancyError("a site needs a name")
    try:
        with conn.begin_nested():
            return int(conn.execute(
                t.sites.insert().values(territory_id=territory_id, name=name, created_at=now())
                .returning(t.sites.c.id)).scalar_one())
    except sa.exc.IntegrityError:
        raise TenancyError(f"site {name!r} already exists in this territory") from None


def resolve_site(conn: Connection, site: int | str) -> int:
    return _one_id(conn, t.sites, site, "site")


def resolve_territory(conn: Connection, territory: int | str) -> int:
    return _one_id(conn, t.territories, territory, "territory")


def resolve_kiosk(conn: Connection, kiosk: int | str) -> int:
    return _one_id(conn, t.kiosks, kiosk, "kiosk")


def list_tree(conn: Connection) -> list[dict[str, Any]]:
    """Every kiosk with its site and territory (for `kiosk-server admin kiosk list` and the
    console)."""
    q = (sa.select(t.territories.c.id.label("territory_id"),
                   t.territories.c.name.label("territory"),
                   t.sites.c.id.label("site_id"), t.sites.c.name.label("site"),
                   t.kiosks.c.id.label("kiosk_id"), t.kiosks.c.name.label("kiosk"))
         .select_from(t.territories.outerjoin(t.sites).outerjoin(t.kiosks))
         .order_by(t.territories.c.id, t.sites.c.id, t.kiosks.c.id))
    return [dict(r._mapping) for r in conn.execute(q)]


# --- kiosks and their tokens -----------------------------------------------------------------
def create_kiosk(conn: Connection, site: int | str, name: str) -> tuple[int, str]:
    """Create a kiosk; returns (kiosk id, token). The token is never retrievable again."""
    site_id = _one_id(conn, t.sites, site, "site")
    name = name.strip()
    if not name:
        raise TenancyError("a kiosk needs a name")
    try:
        with conn.begin_nested():
            kiosk_id = int(conn.execute(
                t.kiosks.insert().values(site_id=site_id, name=name, created_at=now())
                .returning(t.kiosks.c.id)).scalar_one())
    except sa.exc.IntegrityError:
        raise TenancyError(f"kiosk {name!r} already exists on this site") from None
    live_changes.mark(conn, [site_id])  # a new card on the site's live view
    return kiosk_id, _issue_token(conn, kiosk_id)


def _issue_token(conn: Connection, kiosk_id: int) -> str:
    token = new_token()
    conn.execute(t.kiosk_tokens.insert().values(kiosk_id=kiosk_id, token_hash=hash_token(token),
                                                created_at=now()))
    return token


def revoke_tokens(conn: Connection, kiosk: int | str) -> int:
    """Revoke every live token of a kiosk (it gets 401 at once); returns how many."""
    kiosk_id = resolve_kiosk(conn, kiosk)
    result = conn.execute(t.kiosk_tokens.update()
                          .where(t.kiosk_tokens.c.kiosk_id == kiosk_id,
                                 t.kiosk_tokens.c.revoked_at.is_(None))
                          .values(revoked_at=now()))
    return int(result.rowcount or 0)


def rotate_token(conn: Connection, kiosk: int | str) -> str:
    """Revoke the kiosk's tokens and issue a new one (printed once)."""
    kiosk_id = resolve_kiosk(conn, kiosk)
    revoke_tokens(conn, kiosk_id)
    return _issue_token(conn, kiosk_id)


def authenticate(conn: Connection, token: str) -> KioskIdentity | None:
    """The kiosk a bearer token belongs to, or None (unknown or revoked)."""
    if not token or len(token) > 256:
        return None
    q = (sa.select(t.kiosks.c.id, t.kiosks.c.site_id, t.sites.c.territory_id, t.kiosks.c.name)
         .select_from(t.kiosk_tokens.join(t.kiosks).join(t.sites))
         .where(t.kiosk_tokens.c.token_hash == hash_token(token),
                t.kiosk_tokens.c.revoked_at.is_(None)))
    row = conn.execute(q).first()
    return None if row is None else KioskIdentity(int(row[0]), int(row[1]), int(row[2]), row[3])


def set_pushed_settings(conn: Connection, kiosk: int | str, pushed: PushedSettings) -> None:
    """Settings sent to the kiosk in every heartbeat reply (validated by the schema)."""
    kiosk_id = resolve_kiosk(conn, kiosk)
    conn.execute(t.kiosks.update().where(t.kiosks.c.id == kiosk_id)
                 .values(pushed_settings=pushed.model_dump_json(exclude_none=True)))


def pushed_settings(conn: Connection, kiosk_id: int) -> PushedSettings:
    """The kiosk's pushed settings as it gets them: the version pinned for its site (else its
    territory) and its site's (else its territory's) official sites filled in, unless set for
    the kiosk alone (kiosk_server.browser_sites). One statement."""
    row = conn.execute(sa.select(t.kiosks.c.pushed_settings, t.sites.c.pinned_version,
                                 t.territories.c.pinned_version, t.sites.c.browser_list,
                                 t.territories.c.browser_list)
                       .select_from(t.kiosks.join(t.sites).join(t.territories))
                       .where(t.kiosks.c.id == kiosk_id)).first()
    if row is None:
        return PushedSettings()
    pushed = effective(PushedSettings.model_validate(json.loads(row[0] or "{}")),
                       row[3] or row[4])
    pin = row[1] or row[2]
    return pushed.model_copy(update={"pinned_version": pin}) if pin else pushed


def own_pushed_settings(conn: Connection, kiosk_id: int) -> PushedSettings:
    """The settings set for this kiosk alone (what an edit of them starts from: the places'
    pin and list are not copied into it)."""
    pushed = conn.execute(sa.select(t.kiosks.c.pushed_settings)
                          .where(t.kiosks.c.id == kiosk_id)).scalar_one_or_none()
    return PushedSettings.model_validate(json.loads(pushed or "{}"))


# --- console users -------------------------------------------------------------------------
_hasher = PasswordHasher()


class PlaceKind(str, Enum):
    TERRITORY = "t"
    SITE = "s"


@dataclass(frozen=True)
class UserPlace:
    """A place given to a console user: a whole territory, or one site."""

    kind: PlaceKind
    id: int

    @property
    def code(self) -> str:
        """As forms and the audit log write it: "t:<id>" or "s:<id>"."""
        return f"{self.kind.value}:{self.id}"

    @classmethod
    def parse(cls, code: str) -> UserPlace:
        kind, _, number = code.strip().partition(":")
        if kind not in ("t", "s") or not number.isdigit():
            raise PlaceError("bad_place", f"not a place: {code!r} (t:<id> or s:<id>)")
        return cls(PlaceKind(kind), int(number))


class PlaceError(TenancyError):
    """A place that cannot be given or taken; ``code`` lets the console say it in French."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


def user_places(conn: Connection, user_id: int) -> list[UserPlace]:
    """The user's places, first given first (the first one is their default dashboard)."""
    return places_by_user(conn, [user_id]).get(user_id, [])


def places_by_user(conn: Connection, user_ids: list[int] | None = None
                   ) -> dict[int, list[UserPlace]]:
    p = t.user_places
    q = sa.select(p.c.user_id, p.c.territory_id, p.c.site_id).order_by(p.c.id)
    if user_ids is not None:
        q = q.where(p.c.user_id.in_(user_ids))
    out: dict[int, list[UserPlace]] = {}
    for r in conn.execute(q):
        place = (UserPlace(PlaceKind.SITE, r.site_id) if r.site_id is not None
                 else UserPlace(PlaceKind.TERRITORY, r.territory_id))
        out.setdefault(r.user_id, []).append(place)
    return out


def check_places(role: Role, places: list[UserPlace]) -> None:
    """The rules of the issue: an admin has no place (everything); a manager one or more
    territories and sites; a mediator one or more sites."""
    if role is Role.ADMIN and places:
        raise PlaceError("admin_places", "an admin sees everything and has no places")
    if role is Role.MEDIATOR and (not places or any(p.kind is PlaceKind.TERRITORY
                                                    for p in places)):
        raise PlaceError("mediator_sites", "a mediator is attached to one or more sites "
                                           "(--site), never to a whole territory")
    if role is Role.MANAGER and not places:
        raise PlaceError("manager_place", "a manager is attached to a territory or a site")


def _existing(conn: Connection, place: UserPlace) -> UserPlace:
    table = t.territories if place.kind is PlaceKind.TERRITORY else t.sites
    found = conn.execute(sa.select(table.c.id).where(table.c.id == place.id)).first()
    if found is None:
        what = "territory" if place.kind is PlaceKind.TERRITORY else "site"
        raise PlaceError(f"unknown_{what}", f"unknown {what}: {place.id}")
    return place


def resolve_places(conn: Connection, territories: list[int | str] | tuple[int | str, ...] = (),
                   sites: list[int | str] | tuple[int | str, ...] = ()) -> list[UserPlace]:
    """Places from ids or names, in the order given (territories first), without repeats."""
    out: list[UserPlace] = []
    for ref in territories:
        place = UserPlace(PlaceKind.TERRITORY, resolve_territory(conn, ref))
        if place not in out:
            out.append(place)
    for ref in sites:
        place = UserPlace(PlaceKind.SITE, resolve_site(conn, ref))
        if place not in out:
            out.append(place)
    return out


def _insert_place(conn: Connection, user_id: int, place: UserPlace) -> None:
    column = "territory_id" if place.kind is PlaceKind.TERRITORY else "site_id"
    conn.execute(t.user_places.insert().values(user_id=user_id, **{column: place.id}))


def _user_row(conn: Connection, user: int | str) -> Any:
    """A user by id or user name."""
    q = sa.select(t.users.c.id, t.users.c.username, t.users.c.role, t.users.c.disabled_at)
    if isinstance(user, int):
        q = q.where(t.users.c.id == user)
    else:
        q = q.where(t.users.c.username == user.strip())
    row = conn.execute(q).first()
    if row is None:
        raise TenancyError(f"unknown user: {user}")
    return row


def add_place(conn: Connection, user: int | str, place: UserPlace) -> list[UserPlace]:
    """Give one more place to a manager or a mediator; returns their places."""
    row = _user_row(conn, user)
    current = user_places(conn, row.id)
    if place in current:
        raise PlaceError("duplicate", f"{row.username} already has {place.code}")
    check_places(Role(row.role), [*current, _existing(conn, place)])
    _insert_place(conn, row.id, place)
    live_changes.mark_accounts(conn)  # open live pages re-read what the user may see
    return [*current, place]


def remove_place(conn: Connection, user: int | str, place: UserPlace) -> list[UserPlace]:
    """Take a place away (effective at the user's next request); never their last one."""
    row = _user_row(conn, user)
    current = user_places(conn, row.id)
    if place not in current:
        raise PlaceError("not_given", f"{row.username} does not have {place.code}")
    left = [p for p in current if p != place]
    if not left and Role(row.role) is not Role.ADMIN:
        raise PlaceError("last_place", f"{place.code} is the last place of {row.username}: "
                                       "give another one first, or disable the account")
    column = t.user_places.c.territory_id if place.kind is PlaceKind.TERRITORY \
        else t.user_places.c.site_id
    conn.execute(t.user_places.delete().where(t.user_places.c.user_id == row.id,
                                              column == place.id))
    live_changes.mark_accounts(conn)
    return left


def set_role_and_places(conn: Connection, user_id: int, role: Role,
                        places: list[UserPlace]) -> None:
    """Replace a user's role and places at once (checked against the rules)."""
    for place in places:
        _existing(conn, place)
    check_places(role, places)
    conn.execute(t.users.update().where(t.users.c.id == user_id).values(role=role.value))
    conn.execute(t.user_places.delete().where(t.user_places.c.user_id == user_id))
    for place in places:
        _insert_place(conn, user_id, place)
    live_changes.mark_accounts(conn)


def create_user(conn: Connection, username: str, password: str, role: Role | str,
                territory: int | str | None = None, site: int | str | None = None, *,
                territories: list[int | str] | tuple[int | str, ...] = (),
                sites: list[int | str] | tuple[int | str, ...] = ()) -> int:
    """A console user with their places: ``territory``/``site`` for one, ``territories``/
    ``sites`` for several (a manager may have both kinds, a mediator sites only)."""
    role = Role(role)
    username = username.strip()
    if not username:
        raise TenancyError("a user needs a name")
    if len(password) < 10:
        raise TenancyError("the password must have at least 10 characters")
    places = resolve_places(conn, [*([territory] if territory is not None else []), *territories],
                            [*([site] if site is not None else []), *sites])
    if role is Role.ADMIN:
        places = []  # an admin's scope is everything, whatever was given
    check_places(role, places)
    try:
        with conn.begin_nested():
            user_id = int(conn.execute(t.users.insert().values(
                username=username, password_hash=_hasher.hash(password), role=role.value,
                created_at=now(),
            ).returning(t.users.c.id)).scalar_one())
    except sa.exc.IntegrityError:
        raise TenancyError(f"user {username!r} already exists") from None
    for place in places:
        _insert_place(conn, user_id, place)
    return user_id


def verify_user(conn: Connection, username: str, password: str) -> dict[str, Any] | None:
    """The user row (without its hash) when the password is right and the user enabled."""
    row = conn.execute(sa.select(t.users).where(t.users.c.username == username.strip())).first()
    if row is None or row.disabled_at is not None:
        _hasher_dummy_verify(password)  # same cost whether or not the user exists
        return None
    try:
        _hasher.verify(row.password_hash, password)
    except (VerificationError, InvalidHashError):
        return None
    if _hasher.check_needs_rehash(row.password_hash):
        conn.execute(t.users.update().where(t.users.c.id == row.id)
                     .values(password_hash=_hasher.hash(password)))
    user = dict(row._mapping)
    user.pop("password_hash")
    return user


_DUMMY_HASH = _hasher.hash("not a real password, only for timing")


def _hasher_dummy_verify(password: str) -> None:
    try:
        _hasher.verify(_DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        pass


def set_password(conn: Connection, username: str, password: str) -> None:
    if len(password) < 10:
        raise TenancyError("the password must have at least 10 characters")
    result = conn.execute(t.users.update().where(t.users.c.username == username)
                          .values(password_hash=_hasher.hash(password)))
    if not result.rowcount:
        raise TenancyError(f"unknown user: {username}")
    _end_sign_ins(conn, _user_row(conn, username).id)  # every session of the old password


def disable_user(conn: Connection, username: str) -> None:
    """The user can no longer log in; their open console sessions end at the next request."""
    row = _user_row(conn, username)
    if row.disabled_at is None:
        conn.execute(t.users.update().where(t.users.c.id == row.id).values(disabled_at=now()))
    _end_sign_ins(conn, row.id)


def _end_sign_ins(conn: Connection, user_id: int) -> None:
    """The user's console sign-ins end now (their cookies, copies included, stop working)."""
    conn.execute(t.console_sessions.delete().where(t.console_sessions.c.user_id == user_id))
    live_changes.mark_accounts(conn)  # their open live pages end


def enable_user(conn: Connection, username: str) -> None:
    """Let a disabled user log in again (with their current password and places)."""
    row = _user_row(conn, username)
    conn.execute(t.users.update().where(t.users.c.id == row.id).values(disabled_at=None))


def list_users(conn: Connection) -> list[dict[str, Any]]:
    """Every console user with ``places`` (list of UserPlace, first given first)."""
    q = sa.select(t.users.c.id, t.users.c.username, t.users.c.role,
                  t.users.c.disabled_at).order_by(t.users.c.id)
    places = places_by_user(conn)
    return [{**r._mapping, "places": places.get(r.id, [])} for r in conn.execute(q)]
