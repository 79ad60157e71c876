"""A version's review as the console's forms post it, the same for procedures and parcours
(one :class:`~kiosk_server.procedures.kinds.Kind` each; routes_procedures.py and
routes_parcours.py): the action named in the address run by the store, the message each
leaves, a refusal as the page says it, the places a version may be submitted for, and a
version's file to download.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from starlette.datastructures import FormData
from starlette.responses import Response

from kiosk_server import tables as t
from kiosk_server.console.auth import ConsoleUser
from kiosk_server.procedures import store
from kiosk_server.procedures.checking import CheckerUnavailable
from kiosk_server.procedures.kinds import Kind
from kiosk_server.procedures.review import PublicationScope, ReviewRefused

# The review's steps; "submit" also reads the scope and place asked for (review_action).
REVIEW_ACTIONS: dict[str, Callable[..., Any]] = {
    "submit": store.submit, "approve": store.approve, "send-back": store.send_back,
    "publish": store.publish}
# What the page says once a step is done (publishing and unpublishing are said by each kind:
# « publiée » for a procedure, « publié » for a parcours).
REVIEW_DONE = {"submit": "Version soumise : une autre personne peut maintenant l'approuver.",
               "approve": "Version approuvée : elle peut être publiée.",
               "send-back": "Version renvoyée à son auteur (brouillon).",
               "restore": ("Version restaurée : elle est enregistrée comme nouvelle version "
                           "(brouillon).")}
# What a review action may be refused with (ValueError: a scope or place field malformed).
ACTION_REFUSED = (ReviewRefused, CheckerUnavailable, ValueError)


def review_action(conn: Any, user: ConsoleUser, item_id: str, version: int, action: str,
                  form: FormData, kind: Kind) -> None:
    """Run one of :data:`REVIEW_ACTIONS` on a version (the store checks the person's right)."""
    if action == "submit":
        scope = PublicationScope(str(form.get("scope") or "site"))
        place = form.get(f"place_{scope.value}")
        store.submit(conn, user, item_id, version, scope, int(str(place)) if place else None,
                     kind)
    else:
        REVIEW_ACTIONS[action](conn, user, item_id, version, kind)


def action_refusal(err: Exception) -> str:
    """What the page says of a refused review action (one of :data:`ACTION_REFUSED`)."""
    if isinstance(err, ReviewRefused):
        return err.message
    if isinstance(err, CheckerUnavailable):
        return str(err)
    return "Formulaire incomplet."


def publication_places(conn: Any) -> dict[str, Any]:
    """The sites and territories a version may be submitted for (the submit form's choices),
    as the page's ``sites`` and ``territories``."""
    return {"sites": conn.execute(sa.select(t.sites.c.id, t.sites.c.name).order_by(
        t.sites.c.name)).all(), "territories": conn.execute(sa.select(
            t.territories.c.id, t.territories.c.name).order_by(t.territories.c.name)).all()}


def yaml_download(text: str, item_id: str, version: int) -> Response:
    """A version's file, as saved, downloaded as ``<id>-v<version>.yaml``."""
    return Response(text, media_type="application/yaml; charset=utf-8", headers={
        "Content-Disposition": f'attachment; filename="{item_id}-v{version}.yaml"'})
