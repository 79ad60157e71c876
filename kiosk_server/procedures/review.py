"""Review of a procedure version, and who may approve or publish it where.

A version goes ``DRAFT -> SUBMITTED -> APPROVED -> PUBLISHED``. Its author submits it with the
scope asked for (a site, a territory, everyone) once the checker finds no error; a *second*
person with the right over that scope approves it (the author alone only for a site that allows
it: ``sites.self_approval``); someone with the right publishes it. Publishing a version puts the
procedure's previously published version back to ``APPROVED`` (it can be published again: that
restores it). A submitted version can be sent back to ``DRAFT`` by a reviewer.

The right over a scope: an admin everywhere; a manager over a site they may see (one of their
sites, or a site of one of their territories) and over their territories; only an admin for
everyone. Mediators write and submit, they do not approve.
"""
from __future__ import annotations

from enum import Enum
from typing import Protocol

from kiosk_server.tenancy import Role


class ReviewState(str, Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PUBLISHED = "published"


class PublicationScope(str, Enum):
    SITE = "site"
    TERRITORY = "territory"
    EVERYONE = "everyone"


# What each state may become, and by which action (kiosk_server.procedures.store).
TRANSITIONS: dict[ReviewState, frozenset[ReviewState]] = {
    ReviewState.DRAFT: frozenset({ReviewState.SUBMITTED}),
    ReviewState.SUBMITTED: frozenset({ReviewState.APPROVED, ReviewState.DRAFT}),
    ReviewState.APPROVED: frozenset({ReviewState.PUBLISHED}),
    ReviewState.PUBLISHED: frozenset({ReviewState.APPROVED}),
}


class ReviewRefused(Exception):
    """An action the state, the checker or the person's rights do not allow; ``message`` is
    French, for the console."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Reviewer(Protocol):
    """The person acting (the console's ConsoleUser fits)."""

    @property
    def id(self) -> int: ...
    @property
    def role(self) -> Role: ...
    @property
    def site_ids(self) -> frozenset[int]: ...
    @property
    def territory_ids(self) -> frozenset[int]: ...


def move(current: ReviewState, to: ReviewState) -> ReviewState:
    if to not in TRANSITIONS[current]:
        raise ReviewRefused(f"Impossible : cette version est « {LABELS[current]} », elle ne peut "
                            f"pas devenir « {LABELS[to]} ».")
    return to


def has_right(person: Reviewer, scope: PublicationScope, place_id: int | None,
              site_territory_id: int | None = None) -> bool:
    """May ``person`` approve or publish for this scope? ``site_territory_id``: the territory
    of the site, for a SITE scope."""
    if person.role is Role.ADMIN:
        return True
    if person.role is not Role.MANAGER or scope is PublicationScope.EVERYONE:
        return False
    if scope is PublicationScope.TERRITORY:
        return place_id in person.territory_ids
    return place_id in person.site_ids or site_territory_id in person.territory_ids


def check_approver(person: Reviewer, author_id: int | None, right: bool,
                   self_approval: bool) -> None:
    """Refuses an approval by someone without the right, or by the author alone where the
    site does not allow it."""
    if not right:
        raise ReviewRefused("Accès refusé : vous n'avez pas le droit d'approuver une démarche "
                            "pour ce périmètre.")
    if author_id == person.id and not self_approval:
        raise ReviewRefused("Une autre personne doit approuver cette version : l'auteur ne "
                            "peut pas approuver sa propre démarche ici.")


LABELS: dict[ReviewState, str] = {
    ReviewState.DRAFT: "brouillon",
    ReviewState.SUBMITTED: "soumise",
    ReviewState.APPROVED: "approuvée",
    ReviewState.PUBLISHED: "publiée",
}
SCOPE_LABELS: dict[PublicationScope, str] = {
    PublicationScope.SITE: "un site",
    PublicationScope.TERRITORY: "un territoire",
    PublicationScope.EVERYONE: "toutes les bornes",
}
