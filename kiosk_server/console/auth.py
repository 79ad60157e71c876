"""Console accounts on the wire: the signed session cookie, CSRF tokens, login lockout.

- The session is a cookie signed with itsdangerous (``server.secret_key``, or a random key kept
  in ``<data_dir>/console-secret``): ``{"uid": user id, "sid": random id, "csrf": token}``.
  HTTP-only, SameSite=Strict, Secure whenever the request came over HTTPS (uvicorn runs with
  ``proxy_headers``, so a TLS reverse proxy counts), limited to ``MAX_AGE_S``. The sign-in
  itself lives in the database (``console_sessions``, the SHA-256 of ``sid``): logging out, a
  password change or reset and disabling the account delete it, so a copied cookie stops
  working at once. Any server process answers any console request as long as they share the
  secret (set ``server.secret_key`` when several processes serve one database).
- The user is read from the database on every request: a disabled user is out at once, and a
  changed role or place (given or taken away) applies at the next request. The cookie also carries
  ``pw``, a stamp of
  the user's password hash (``password_stamp``, added by ``Sessions.write``): when an admin resets
  the password, every session opened with the old one ends (the sign-in rows are deleted too, as
  they are when the account is disabled: re-enabling it lets no old session back in).
- CSRF: every POST must carry the session's token (form field ``csrf`` or header
  ``X-CSRF-Token``), compared in constant time. The login form has one too (login CSRF).
- Lockout: ``LOCK_AFTER`` failed logins for a user name within ``LOCK_WINDOW_S`` lock that name,
  whatever the password, until they are older than the window; ``IP_LOCK_AFTER`` from one client
  address lock that address (the real client's: behind a reverse proxy, see
  ``server.forwarded_allow_ips``). Counted in the database (``login_failures``), so every server
  process sees the same count.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.engine import Engine
from starlette.requests import Request
from starlette.responses import Response

from kiosk_server import tables as t
from kiosk_server.tenancy import PlaceKind, Role, UserPlace, user_places
from kiosk_wire.config import Settings

COOKIE = "kiosk_console"
MAX_AGE_S = 10 * 3600          # one working day; then log in again
LOCK_AFTER = 5
IP_LOCK_AFTER = 20
LOCK_WINDOW_S = 15 * 60


class ConsoleDenied(Exception):
    """The user may not see or do this (403); ``message`` is French, for the user."""

    def __init__(self, message: str = "Accès refusé : cette page ne fait pas partie de votre "
                                      "périmètre.") -> None:
        super().__init__(message)
        self.message = message


class LoginRequired(Exception):
    """No valid session: the browser is sent to the login page."""


class CsrfRefused(Exception):
    """A POST without the session's CSRF token (403)."""


@dataclass(frozen=True)
class ConsoleUser:
    """The signed-in user as the database says now, with the places they were given (an admin
    has none: everything)."""

    id: int
    username: str
    role: Role
    places: tuple[UserPlace, ...]
    csrf: str

    @property
    def is_admin(self) -> bool:
        return self.role is Role.ADMIN

    @property
    def territory_ids(self) -> frozenset[int]:
        return frozenset(p.id for p in self.places if p.kind is PlaceKind.TERRITORY)

    @property
    def site_ids(self) -> frozenset[int]:
        return frozenset(p.id for p in self.places if p.kind is PlaceKind.SITE)


def console_secret(settings: Settings) -> str:
    configured = settings.get("server.secret_key")
    if configured:
        return str(configured)
    path = Path(settings.data_dir) / "console-secret"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_urlsafe(48)
    # O_EXCL: two processes starting together agree on whichever file was written first.
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secret)
    return secret


class Sessions:
    def __init__(self, secret: str) -> None:
        self._signer = URLSafeTimedSerializer(secret, salt="kiosk-console-session")

    def read(self, request: Request) -> dict[str, Any]:
        raw = request.cookies.get(COOKIE)
        if not raw:
            return {}
        try:
            data = self._signer.loads(raw, max_age=MAX_AGE_S)
        except BadSignature:
            return {}
        return data if isinstance(data, dict) else {}

    def write(self, request: Request, response: Response, data: dict[str, Any]) -> None:
        uid = data.get("uid")
        if isinstance(uid, int) and "pw" not in data:
            data = {**data, "pw": _stamp_of(request.app.state.console.engine, uid)}
        response.set_cookie(COOKIE, self._signer.dumps(data), max_age=MAX_AGE_S, path="/",
                            httponly=True, samesite="strict",
                            secure=request.url.scheme == "https")

    @staticmethod
    def clear(response: Response) -> None:
        response.delete_cookie(COOKIE, path="/")

    def anonymous_csrf(self, request: Request) -> tuple[str, bool]:
        """The CSRF token of the login form: the cookie's, or a new one (True: set it)."""
        token = self.read(request).get("csrf")
        if isinstance(token, str) and token:
            return token, False
        return secrets.token_urlsafe(24), True


def password_stamp(password_hash: str) -> str:
    """A short fingerprint of a password hash (argon2, salted: it changes with every new
    password). It only tells whether the password changed; the cookie is signed, not secret."""
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _stamp_of(engine: Engine, user_id: int) -> str:
    with engine.connect() as conn:
        found = conn.execute(sa.select(t.users.c.password_hash)
                             .where(t.users.c.id == user_id)).scalar_one_or_none()
    return password_stamp(found) if found else ""


def new_csrf() -> str:
    return secrets.token_urlsafe(24)


def check_csrf(expected: str | None, given: str | None) -> None:
    # As bytes: compare_digest refuses str with non-ASCII characters (TypeError: a tampered
    # token "périmé" was a crash page instead of the refusal).
    if not expected or not given or not hmac.compare_digest(expected.encode(), given.encode()):
        raise CsrfRefused()


def _sid_hash(sid: str) -> str:
    return hashlib.sha256(sid.encode()).hexdigest()


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def open_console_session(engine: Engine, user_id: int) -> str:
    """A new sign-in of ``user_id``: its random id, for the cookie (only its hash is kept)."""
    sid = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(t.console_sessions.delete().where(t.console_sessions.c.expires_at < now))
        conn.execute(t.console_sessions.insert().values(
            sid_hash=_sid_hash(sid), user_id=user_id, created_at=now,
            expires_at=now + dt.timedelta(seconds=MAX_AGE_S)))
    return sid


def end_console_session(engine: Engine, session: dict[str, Any]) -> None:
    """Log out: this sign-in ends on the server (its cookie, or a copy, no longer works)."""
    sid = session.get("sid")
    if isinstance(sid, str) and sid:
        with engine.begin() as conn:
            conn.execute(t.console_sessions.delete()
                         .where(t.console_sessions.c.sid_hash == _sid_hash(sid)))


def load_user(engine: Engine, session: dict[str, Any]) -> ConsoleUser:
    uid, csrf, sid = session.get("uid"), session.get("csrf"), session.get("sid")
    if not isinstance(uid, int) or not isinstance(csrf, str) or not isinstance(sid, str):
        raise LoginRequired()
    with engine.connect() as conn:
        live = conn.execute(sa.select(t.console_sessions.c.user_id).where(
            t.console_sessions.c.sid_hash == _sid_hash(sid),
            t.console_sessions.c.expires_at > _now())).scalar_one_or_none()
        if live != uid:
            raise LoginRequired()  # logged out, ended by a password change, or expired
        row = conn.execute(sa.select(t.users).where(t.users.c.id == uid)).first()
        if row is None or row.disabled_at is not None:
            raise LoginRequired()
        stamp = session.get("pw")
        if not isinstance(stamp, str) or not hmac.compare_digest(
                stamp, password_stamp(row.password_hash)):
            raise LoginRequired()  # the password was reset since this session began
        places = user_places(conn, row.id)
    return ConsoleUser(id=row.id, username=row.username, role=Role(row.role),
                       places=tuple(places), csrf=csrf)


def signed_in_user(engine: Engine, user: dict[str, Any]) -> ConsoleUser:
    """The user ``tenancy.verify_user`` just accepted, with their places (no CSRF token yet)."""
    with engine.connect() as conn:
        places = user_places(conn, int(user["id"]))
    return ConsoleUser(id=int(user["id"]), username=str(user["username"]),
                       role=Role(user["role"]), places=tuple(places), csrf="")


class Lockout:
    """Failed logins by user name (lower-cased) and by client address, in the database."""

    def __init__(self, engine: Engine, clock: Any = None) -> None:
        self.engine = engine
        self._clock = clock or _now

    def _count(self, key: str) -> int:
        since = self._clock() - dt.timedelta(seconds=LOCK_WINDOW_S)
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.login_failures)
                                    .where(t.login_failures.c.key == key,
                                           t.login_failures.c.at > since)).scalar_one())

    def locked(self, username: str) -> bool:
        return self._count(_user_key(username)) >= LOCK_AFTER

    def address_locked(self, address: str) -> bool:
        return self._count(f"ip:{address}") >= IP_LOCK_AFTER

    def failed(self, username: str, address: str) -> None:
        now = self._clock()
        with self.engine.begin() as conn:
            conn.execute(t.login_failures.insert(), [
                {"key": _user_key(username), "at": now}, {"key": f"ip:{address}", "at": now}])
            # Old failures no longer count: keep the table small.
            conn.execute(t.login_failures.delete().where(
                t.login_failures.c.at < now - dt.timedelta(seconds=2 * LOCK_WINDOW_S)))

    def succeeded(self, username: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(t.login_failures.delete()
                         .where(t.login_failures.c.key == _user_key(username)))


def _user_key(username: str) -> str:
    return "user:" + username.strip().lower()[:150]
