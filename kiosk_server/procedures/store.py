"""Procedure versions, their review and publication, restore, import/export, a site's choice.

Every function takes an open transaction (``engine.begin()``) and the person acting, and raises
:class:`~kiosk_server.procedures.review.ReviewRefused` (French) for anything not allowed. Each
change that can move a site's catalogue refreshes the sites' versions in the same transaction.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from kiosk_server import tables as t
from kiosk_server.procedures import bundles
from kiosk_server.procedures.checking import CheckResult, check_yaml, shipped_text
from kiosk_server.procedures.kinds import PROCEDURE, Kind
from kiosk_server.procedures.review import (
    PublicationScope,
    Reviewer,
    ReviewRefused,
    ReviewState,
    check_approver,
    has_right,
    move,
)
from kiosk_wire import catalogue
from kiosk_wire.bundle import MAX_YAML_CHARS

_v = t.procedure_versions.c
_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")  # kiosk_wire.schema.ProcedureId


@dataclass(frozen=True)
class Saved:
    procedure_id: str
    version: int
    check: CheckResult


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def save(conn: Connection, person: Reviewer, text: str, procedure_id: str | None = None
         ) -> Saved:
    """A new version of the procedure the text declares (created on its first save). With
    ``procedure_id``, the text must declare that id (saving over another procedure is refused).
    The checker runs; a version with errors is kept as a draft all the same (work in progress),
    it just cannot be submitted."""
    if len(text) > MAX_YAML_CHARS:
        raise ReviewRefused("Fichier trop long pour une démarche.")
    result = check_yaml(text)
    declared = result.procedure_id
    if not declared:
        first = result.findings[0].message if result.findings else "identifiant manquant"
        raise ReviewRefused(f"Démarche non enregistrée : son identifiant (id:) est illisible. "
                            f"{first}")
    if procedure_id is not None and declared != procedure_id:
        raise ReviewRefused(f"Le fichier décrit la démarche « {declared} », pas « "
                            f"{procedure_id} » : importez-le comme une nouvelle démarche.")
    if declared in catalogue.shipped():
        raise ReviewRefused(f"L'identifiant « {declared} » est celui d'une démarche fournie avec "
                            f"la borne : choisissez-en un autre.")
    return Saved(declared, write_version(conn, PROCEDURE, person, declared, text, result),
                 result)


def write_version(conn: Connection, kind: Kind, person: Reviewer, declared: str, text: str,
                  result: CheckResult) -> int:
    """Write ``text`` as the next version (a draft) of ``declared``, created on its first save,
    its French title kept for the console; the version number."""
    at = _now()
    owners = kind.owners
    if conn.execute(sa.select(owners.c.id).where(owners.c.id == declared)).first() is None:
        conn.execute(owners.insert().values(id=declared, created_at=at, created_by=person.id))
    conn.execute(owners.update().where(owners.c.id == declared)
                 .values(title_fr=result.title_fr[:200] or None))
    last = conn.execute(sa.select(sa.func.max(kind.versions.c.version))
                        .where(kind.vid() == declared)).scalar()
    version = int(last or 0) + 1
    conn.execute(kind.versions.insert().values({
        kind.id_column: declared, "version": version, "yaml": text, "author_id": person.id,
        "created_at": at, "errors": result.errors, "findings": result.findings_json(),
        "state": ReviewState.DRAFT.value}))
    return version


def version_row(conn: Connection, procedure_id: str, version: int, kind: Kind = PROCEDURE
                ) -> Any:
    row = conn.execute(sa.select(kind.versions)
                       .where(kind.vid() == procedure_id, kind.versions.c.version == version)
                       ).first()
    if row is None:
        raise ReviewRefused("Version introuvable.")
    return row


def versions(conn: Connection, procedure_id: str, kind: Kind = PROCEDURE) -> list[Any]:
    """Every version of a procedure (or a parcours), newest first, with its author's name."""
    v = kind.versions.c
    return list(conn.execute(
        sa.select(v.version, v.state, v.errors, v.created_at, v.scope, v.place_id,
                  v.findings, t.users.c.username.label("author"))
        .select_from(kind.versions.outerjoin(t.users, t.users.c.id == v.author_id))
        .where(kind.vid() == procedure_id).order_by(v.version.desc())).all())


def listing(conn: Connection, kind: Kind = PROCEDURE) -> list[dict[str, Any]]:
    """Every procedure (or parcours) with its French title, its latest version and state, and
    what is published where."""
    v, vid = kind.versions.c, kind.vid()
    latest = (sa.select(vid, sa.func.max(v.version).label("version"))
              .group_by(vid).subquery())
    rows = conn.execute(
        sa.select(vid, v.version, v.state, v.errors, kind.owners.c.title_fr,
                  kind.publications.c.version.label("published"), kind.publications.c.scope,
                  kind.publications.c.place_id)
        .select_from(kind.versions
                     .join(latest, sa.and_(latest.c[kind.id_column] == vid,
                                           latest.c.version == v.version))
                     .join(kind.owners, kind.owners.c.id == vid)
                     .outerjoin(kind.publications, kind.pid() == vid))
        .order_by(vid)).all()
    return [dict(r._mapping) for r in rows]


def _scope_right(conn: Connection, person: Reviewer, scope: PublicationScope,
                 place_id: int | None) -> tuple[bool, bool]:
    """(the person has the right over the scope, the place lets an author approve alone)."""
    if scope is PublicationScope.SITE:
        site = conn.execute(sa.select(t.sites.c.territory_id, t.sites.c.self_approval)
                            .where(t.sites.c.id == place_id)).first()
        if site is None:
            raise ReviewRefused("Site introuvable.")
        return has_right(person, scope, place_id, site.territory_id), bool(site.self_approval)
    if scope is PublicationScope.TERRITORY and conn.execute(
            sa.select(t.territories.c.id).where(t.territories.c.id == place_id)).first() is None:
        raise ReviewRefused("Territoire introuvable.")
    return has_right(person, scope, place_id), False


def _set_state(conn: Connection, procedure_id: str, version: int, state: ReviewState,
               kind: Kind = PROCEDURE, **values: Any) -> None:
    conn.execute(kind.versions.update()
                 .where(kind.vid() == procedure_id, kind.versions.c.version == version)
                 .values(state=state.value, **values))


def submit(conn: Connection, person: Reviewer, procedure_id: str, version: int,
           scope: PublicationScope, place_id: int | None, kind: Kind = PROCEDURE) -> None:
    """Ask for review and publication to ``scope``: only a version the checker passes."""
    row = version_row(conn, procedure_id, version, kind)
    if row.errors:
        raise ReviewRefused(f"Cette version a {row.errors} problème(s) signalé(s) par le "
                            f"vérificateur : corrigez-les avant de la soumettre.")
    move(ReviewState(row.state), ReviewState.SUBMITTED)
    if scope is PublicationScope.EVERYONE:
        place_id = None
    elif place_id is None:
        raise ReviewRefused("Choisissez le site ou le territoire où publier.")
    _scope_right(conn, person, scope, place_id)  # the place exists
    _set_state(conn, procedure_id, version, ReviewState.SUBMITTED, kind, scope=scope.value,
               place_id=place_id)


def approve(conn: Connection, person: Reviewer, procedure_id: str, version: int,
            kind: Kind = PROCEDURE) -> None:
    """A second person with the right approves (the author alone where the site allows it)."""
    row = version_row(conn, procedure_id, version, kind)
    move(ReviewState(row.state), ReviewState.APPROVED)
    right, self_ok = _scope_right(conn, person, PublicationScope(row.scope), row.place_id)
    check_approver(person, row.author_id, right, self_ok)
    _set_state(conn, procedure_id, version, ReviewState.APPROVED, kind, reviewed_by=person.id,
               reviewed_at=_now())


def send_back(conn: Connection, person: Reviewer, procedure_id: str, version: int,
              kind: Kind = PROCEDURE) -> None:
    """A reviewer returns a submitted version to its author (draft again)."""
    row = version_row(conn, procedure_id, version, kind)
    move(ReviewState(row.state), ReviewState.DRAFT)
    right, _self_ok = _scope_right(conn, person, PublicationScope(row.scope), row.place_id)
    if not right:
        raise ReviewRefused("Accès refusé : vous n'avez pas le droit de relire une démarche "
                            "pour ce périmètre.")
    _set_state(conn, procedure_id, version, ReviewState.DRAFT, kind)


def publish(conn: Connection, person: Reviewer, procedure_id: str, version: int,
            kind: Kind = PROCEDURE) -> None:
    """Publish an approved version where it was submitted for; the procedure's previously
    published version goes back to approved. The checker runs again: a checker updated since
    the save may have found a problem."""
    row = version_row(conn, procedure_id, version, kind)
    move(ReviewState(row.state), ReviewState.PUBLISHED)
    scope = PublicationScope(row.scope)
    right, _self_ok = _scope_right(conn, person, scope, row.place_id)
    if not right:
        raise ReviewRefused("Accès refusé : vous n'avez pas le droit de publier pour ce "
                            "périmètre.")
    if kind.errors_now(conn, row.yaml):
        raise ReviewRefused("Le vérificateur trouve maintenant des problèmes dans cette version "
                            ": enregistrez-en une version corrigée.")
    _unpublish_current(conn, procedure_id, kind)
    _set_state(conn, procedure_id, version, ReviewState.PUBLISHED, kind)
    conn.execute(kind.publications.insert().values(
        {kind.id_column: procedure_id, "version": version, "scope": scope.value,
         "place_id": row.place_id, "published_by": person.id, "published_at": _now()}))
    bundles.refresh_sites(conn)


def unpublish(conn: Connection, person: Reviewer, procedure_id: str, kind: Kind = PROCEDURE
              ) -> None:
    """Take the procedure (or parcours) off the kiosks (its version stays approved)."""
    pub = conn.execute(sa.select(kind.publications).where(kind.pid() == procedure_id)).first()
    if pub is None:
        raise ReviewRefused("Ce n'est pas publié.")
    right, _self_ok = _scope_right(conn, person, PublicationScope(pub.scope), pub.place_id)
    if not right:
        raise ReviewRefused("Accès refusé : vous n'avez pas le droit de retirer cette démarche.")
    _unpublish_current(conn, procedure_id, kind)
    bundles.refresh_sites(conn)


def _unpublish_current(conn: Connection, procedure_id: str, kind: Kind) -> None:
    current = conn.execute(sa.select(kind.publications.c.version)
                           .where(kind.pid() == procedure_id)).scalar()
    if current is None:
        return
    _set_state(conn, procedure_id, int(current), ReviewState.APPROVED, kind)
    conn.execute(kind.publications.delete().where(kind.pid() == procedure_id))


def restore(conn: Connection, person: Reviewer, procedure_id: str, version: int) -> Saved:
    """A new version with an earlier version's text (a draft, to submit again); an approved
    earlier version can also simply be published again."""
    row = version_row(conn, procedure_id, version)
    return save(conn, person, row.yaml, procedure_id)


_ID_LINE = re.compile(r"^id:[ \t]*[\"']?([a-z0-9][a-z0-9_-]*)[\"']?[ \t]*$", re.MULTILINE)


def copy(conn: Connection, person: Reviewer, source_id: str, new_id: str) -> Saved:
    """A new procedure started from another one's file (a shipped one, or the latest version
    of one written here) under its own id: version 1, a draft to change and submit."""
    if not _SLUG.match(new_id):
        raise ReviewRefused(f"« {new_id[:64]} » n'est pas un identifiant de démarche (lettres "
                            f"minuscules, chiffres et tirets).")
    if conn.execute(sa.select(t.procedures.c.id).where(t.procedures.c.id == new_id)).first():
        raise ReviewRefused(f"L'identifiant « {new_id} » est déjà pris : choisissez-en un autre.")
    text = shipped_text(source_id)
    if text is None:
        latest = conn.execute(sa.select(_v.yaml).where(_v.procedure_id == source_id)
                              .order_by(_v.version.desc()).limit(1)).scalar()
        if latest is None:
            raise ReviewRefused("Démarche à copier introuvable.")
        text = str(latest)
    copied, found = _ID_LINE.subn(f"id: {new_id}", text, count=1)
    if not found:
        raise ReviewRefused("La démarche à copier n'a pas de ligne « id: » lisible.")
    return save(conn, person, copied)


def is_new_id(conn: Connection, procedure_id: str) -> bool:
    """Whether a new procedure may take this id (well formed, not taken here)."""
    return bool(_SLUG.match(procedure_id)) and conn.execute(
        sa.select(t.procedures.c.id).where(t.procedures.c.id == procedure_id)).first() is None


def export_yaml(conn: Connection, procedure_id: str, version: int) -> str:
    """The version's file, exactly as saved."""
    return str(version_row(conn, procedure_id, version).yaml)


def known_ids(conn: Connection, ids: list[str]) -> set[str]:
    """Which of ``ids`` are procedures of this server (accepted in records beside the shipped
    catalogue's): asked only for ids the shipped catalogue does not know."""
    if not ids:
        return set()
    return set(conn.execute(sa.select(t.procedures.c.id)
                            .where(t.procedures.c.id.in_(ids))).scalars())


def set_site_choice(conn: Connection, site_id: int, procedure_ids: list[str]) -> None:
    """The site's kiosks show these procedures, in this order (empty: every procedure)."""
    seen: list[str] = []
    for pid in procedure_ids:
        if not _SLUG.match(pid):
            raise ReviewRefused(f"« {pid[:64]} » n'est pas un identifiant de démarche (lettres "
                                f"minuscules, chiffres et tirets).")
        if pid not in seen:
            seen.append(pid)
    conn.execute(t.site_catalogue.delete().where(t.site_catalogue.c.site_id == site_id))
    if seen:
        conn.execute(t.site_catalogue.insert(), [
            {"site_id": site_id, "position": n, "procedure_id": pid}
            for n, pid in enumerate(seen)])
    bundles.refresh_sites(conn, [site_id])


def set_self_approval(conn: Connection, site_id: int, allowed: bool) -> None:
    conn.execute(t.sites.update().where(t.sites.c.id == site_id).values(self_approval=allowed))
