"""Editing console accounts (admins only): role and places, disable and re-enable, password
reset.

Rules, checked here whatever the page offered (the same as ``tenancy.check_places``):
- an admin sees everything and has no place; a manager has one or more places, whole
  territories and single sites in any mix; a mediator one or more sites;
- places are given and taken one at a time on the account's page; the last place of a manager
  or a mediator cannot be taken (disable the account instead). Changing the role may replace
  every place by one chosen in the same form, or keep them when they suit the new role;
- an admin cannot change their own role, disable their own account or reset their own password
  here (the console would lock them out halfway; ``kiosk-server admin user set-password`` exists);
- a reset password is generated here (16 characters from an alphabet without look-alikes, about
  78 bits) and shown once to the admin, who hands it over; it is never chosen by a person, never
  stored or logged in clear. Resetting ends the sessions already open with the old password (the
  session cookie carries a stamp of the password hash: see ``auth.password_stamp``).

Every change is written to the ``kiosk_server.console.audit`` log: who (admin id and name), what,
to whom, old and new values (places as "t:<id>" / "s:<id>"); never a password.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server import tenancy
from kiosk_server.console.auth import ConsoleUser
from kiosk_server.tenancy import Role, UserPlace

audit = logging.getLogger("kiosk_server.console.audit")

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
    places: tuple[UserPlace, ...]
    disabled: bool

    @property
    def place_codes(self) -> str:
        """The places as the audit log writes them: "t:1,s:4" ("" for an admin)."""
        return ",".join(p.code for p in self.places)


_PLACE_FR = {
    "bad_place": "Lieu invalide.",
    "unknown_site": "Ce site n'existe pas.",
    "unknown_territory": "Ce territoire n'existe pas.",
    "admin_places": "Un administrateur voit tout : il n'a pas de lieux à recevoir.",
    "mediator_sites": "Un médiateur suit un ou plusieurs sites : choisissez un site (pas un "
                      "territoire entier).",
    "manager_place": "Un responsable est rattaché à au moins un territoire ou un site.",
    "duplicate": "Ce lieu lui est déjà attribué.",
    "not_given": "Ce lieu ne lui est pas attribué.",
    "last_place": "C'est son dernier lieu : donnez-lui d'abord un autre lieu, ou désactivez "
                  "le compte.",
}


def place_error_fr(err: tenancy.PlaceError) -> str:
    return _PLACE_FR.get(err.code, "Opération impossible.")


def _french(err: tenancy.PlaceError) -> AccountError:
    return AccountError(place_error_fr(err))


def get_account(conn: Connection, user_id: int) -> Account:
    row = conn.execute(sa.select(t.users.c.id, t.users.c.username, t.users.c.role,
                                 t.users.c.disabled_at)
                       .where(t.users.c.id == user_id)).first()
    if row is None:
        raise AccountError("Utilisateur introuvable.")
    return Account(row.id, row.username, Role(row.role),
                   tuple(tenancy.user_places(conn, row.id)), row.disabled_at is not None)


def parse_place(place: str) -> UserPlace | None:
    """The place of a form's "", "t:<id>" or "s:<id>" (None for "")."""
    if not place.strip():
        return None
    try:
        return UserPlace.parse(place)
    except tenancy.PlaceError as err:
        raise _french(err) from None


def place_names(conn: Connection) -> dict[str, str]:
    """"t:<id>" / "s:<id>" -> words for a page ("Territoire : Nord", "FS Lille (Nord)")."""
    names = {f"t:{r.id}": f"Territoire : {r.name}"
             for r in conn.execute(sa.select(t.territories.c.id, t.territories.c.name))}
    for r in conn.execute(sa.select(t.sites.c.id, t.sites.c.name,
                                    t.territories.c.name.label("territory"))
                          .select_from(t.sites.join(t.territories))):
        names[f"s:{r.id}"] = f"{r.name} ({r.territory})"
    return names


def _log(actor: ConsoleUser, action: str, target: Account, **details: Any) -> None:
    extra = " ".join(f"{k}={v!r}" for k, v in details.items())
    audit.info("admin %s (id %d) %s user %s (id %d) %s", actor.username, actor.id, action,
               target.username, target.id, extra)


def change_role_and_scope(conn: Connection, actor: ConsoleUser, user_id: int, role: str,
                          place: str) -> Account:
    """A new role; ``place`` ("t:<id>"/"s:<id>") replaces every place by that one, "" keeps the
    current places when they suit the new role (an admin's are dropped: they see everything)."""
    target = get_account(conn, user_id)
    try:
        new_role = Role(role)
    except ValueError:
        raise AccountError("Rôle inconnu.") from None
    if target.id == actor.id and new_role is not target.role:
        raise AccountError("Vous ne pouvez pas changer votre propre rôle : demandez à un autre "
                           "administrateur.")
    chosen = parse_place(place)
    places = [] if new_role is Role.ADMIN else [chosen] if chosen else list(target.places)
    try:
        tenancy.set_role_and_places(conn, user_id, new_role, places)
    except tenancy.PlaceError as err:
        raise _french(err) from None
    changed = get_account(conn, user_id)
    _log(actor, "changed", target, role=(target.role.value, new_role.value),
         places=(target.place_codes, changed.place_codes))
    return changed


def give_place(conn: Connection, actor: ConsoleUser, user_id: int, place: str) -> Account:
    """One more place for a manager (territory or site) or a mediator (site)."""
    return _change_place(conn, actor, user_id, place, tenancy.add_place, "gave a place to")


def take_place(conn: Connection, actor: ConsoleUser, user_id: int, place: str) -> Account:
    """Take a place away; the user loses it at their next request (and their live streams)."""
    return _change_place(conn, actor, user_id, place, tenancy.remove_place,
                         "took a place from")


def _change_place(conn: Connection, actor: ConsoleUser, user_id: int, place: str,
                  change: Callable[[Connection, int, UserPlace], object],
                  verb: str) -> Account:
    target = get_account(conn, user_id)
    chosen = parse_place(place)
    if chosen is None:
        raise AccountError("Choisissez un lieu.")
    try:
        change(conn, user_id, chosen)
    except tenancy.PlaceError as err:
        raise _french(err) from None
    changed = get_account(conn, user_id)
    _log(actor, verb, target, place=chosen.code,
         places=(target.place_codes, changed.place_codes))
    return changed


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
                           "ou utilisez « kiosk-server admin user set-password ».")
    password = new_password()
    tenancy.set_password(conn, target.username, password)
    _log(actor, "reset the password of", target)
    return target, password
