"""Editing console accounts (admins only): role and scope, disable and re-enable, password reset.

Rules, checked here whatever the page offered:
- an admin sees everything (scope: national); a manager has a territory or one site; a mediator
  one site (the site's territory is stored with it, as ``tenancy.create_user`` does);
- an admin cannot change their own role, disable their own account or reset their own password
  here (the console would lock them out halfway; ``kiosk admin user set-password`` exists);
- a reset password is generated here (16 characters from an alphabet without look-alikes, about
  78 bits) and shown once to the admin, who hands it over; it is never chosen by a person, never
  stored or logged in clear. Resetting ends the sessions already open with the old password (the
  session cookie carries a stamp of the password hash: see ``auth.password_stamp``).

Every change is written to the ``kiosk.server.console.audit`` log: who (admin id and name), what,
to whom, old and new values; never a password.
"""
from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk.server import tables as t
from kiosk.server import tenancy
from kiosk.server.console.auth import ConsoleUser
from kiosk.server.tenancy import Role

audit = logging.getLogger("kiosk.server.console.audit")

ROLE_LABELS = {"admin": "Administrateur", "manager": "Responsable", "mediator": "Médiateur"}
PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no l/1, o/0, i: read out over a phone
PASSWORD_GROUPS = 4


class AccountError(Exception):
    """A change refused; ``message`` is French, for the admin."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    role: Role
    territory_id: int | None
    site_id: int | None
    disabled: bool

    @property
    def place(self) -> str:
        """The scope as the forms write it: "", "t:<id>" or "s:<id>"."""
        if self.site_id is not None:
            return f"s:{self.site_id}"
        if self.territory_id is not None:
            return f"t:{self.territory_id}"
        return ""


def get_account(conn: Connection, user_id: int) -> Account:
    row = conn.execute(sa.select(t.users.c.id, t.users.c.username, t.users.c.role,
                                 t.users.c.territory_id, t.users.c.site_id,
                                 t.users.c.disabled_at)
                       .where(t.users.c.id == user_id)).first()
    if row is None:
        raise AccountError("Utilisateur introuvable.")
    return Account(row.id, row.username, Role(row.role), row.territory_id, row.site_id,
                   row.disabled_at is not None)


def parse_place(place: str) -> tuple[int | None, int | None]:
    """(territory id, site id) of a form's "", "t:<id>" or "s:<id>"."""
    kind, _, number = place.partition(":")
    if not place:
        return None, None
    if kind in ("t", "s") and number.isdigit():
        return (int(number), None) if kind == "t" else (None, int(number))
    raise AccountError("Périmètre invalide.")


def scope_for(conn: Connection, role: Role, place: str) -> tuple[int | None, int | None]:
    """The (territory_id, site_id) to store for a role and a chosen place, or AccountError."""
    territory_id, site_id = parse_place(place)
    if role is Role.ADMIN:
        return None, None  # an admin's scope is everything, whatever was chosen
    if site_id is not None:
        territory_id = conn.execute(sa.select(t.sites.c.territory_id)
                                    .where(t.sites.c.id == site_id)).scalar_one_or_none()
        if territory_id is None:
            raise AccountError("Ce site n'existe pas.")
        return territory_id, site_id
    if role is Role.MEDIATOR:
        raise AccountError("Un médiateur est rattaché à un site : choisissez un site.")
    if territory_id is None:
        raise AccountError("Un responsable est rattaché à un territoire ou à un site.")
    exists = conn.execute(sa.select(t.territories.c.id)
                          .where(t.territories.c.id == territory_id)).first()
    if exists is None:
        raise AccountError("Ce territoire n'existe pas.")
    return territory_id, None


def _log(actor: ConsoleUser, action: str, target: Account, **details: Any) -> None:
    extra = " ".join(f"{k}={v!r}" for k, v in details.items())
    audit.info("admin %s (id %d) %s user %s (id %d) %s", actor.username, actor.id, action,
               target.username, target.id, extra)


def change_role_and_scope(conn: Connection, actor: ConsoleUser, user_id: int, role: str,
                          place: str) -> Account:
    target = get_account(conn, user_id)
    try:
        new_role = Role(role)
    except ValueError:
        raise AccountError("Rôle inconnu.") from None
    if target.id == actor.id and new_role is not target.role:
        raise AccountError("Vous ne pouvez pas changer votre propre rôle : demandez à un autre "
                           "administrateur.")
    territory_id, site_id = scope_for(conn, new_role, place)
    conn.execute(t.users.update().where(t.users.c.id == user_id)
                 .values(role=new_role.value, territory_id=territory_id, site_id=site_id))
    _log(actor, "changed", target,
         role=(target.role.value, new_role.value),
         scope=(target.place, Account(0, "", new_role, territory_id, site_id, False).place))
    return get_account(conn, user_id)


def set_enabled(conn: Connection, actor: ConsoleUser, user_id: int, enabled: bool) -> Account:
    target = get_account(conn, user_id)
    if target.id == actor.id and not enabled:
        raise AccountError("Vous ne pouvez pas désactiver votre propre compte.")
    if enabled and target.disabled:
        conn.execute(t.users.update().where(t.users.c.id == user_id).values(disabled_at=None))
        _log(actor, "re-enabled", target)
    elif not enabled and not target.disabled:
        tenancy.disable_user(conn, target.username)
        _log(actor, "disabled", target)
    return get_account(conn, user_id)


def new_password() -> str:
    """e.g. "k7mq-x3tn-pd9w-h2rf": 16 random characters, easy to read out and type."""
    chars = [secrets.choice(PASSWORD_ALPHABET) for _ in range(4 * PASSWORD_GROUPS)]
    return "-".join("".join(chars[i:i + 4]) for i in range(0, len(chars), 4))


def reset_password(conn: Connection, actor: ConsoleUser, user_id: int) -> tuple[Account, str]:
    """A new generated password for the user (to be shown once), replacing the old one."""
    target = get_account(conn, user_id)
    if target.id == actor.id:
        raise AccountError("Pour votre propre mot de passe, demandez à un autre administrateur "
                           "ou utilisez « kiosk admin user set-password ».")
    password = new_password()
    tenancy.set_password(conn, target.username, password)
    _log(actor, "reset the password of", target)
    return target, password
