"""The catalogue bundle: what a site's kiosks get besides their shipped procedures.

The server builds one per site (kiosk_server.procedures.bundles): the procedures published to
the site (each as its YAML text, the one source of truth, with its id and version), the site's
chosen order (which procedures its kiosks show, shipped or published, and in which order;
``None``: every procedure, shipped ones first), and the parcours published to the site whose
exercises its kiosks offer (each as its parcours file's text, with its id and version). It
signs the bundle's exact bytes with its Ed25519 key; a kiosk checks the signature with the
server's public key (``sync.catalogue_public_key``), then runs the practice checker on every
procedure and the parcours checker on every parcours, and refuses the whole bundle if any
fails.

The catalogue *version* names a bundle's content: a hash of its ``(id, version)`` pairs, its
order and its parcours' pairs (versions never change once saved, so the pairs name the
texts). The server computes it without building the bundle, the heartbeat reply carries it,
and a kiosk downloads a bundle only when the version differs from the one it has. A site with
nothing published and no choice has
:data:`EMPTY_VERSION`, the version of a kiosk that never got a bundle.

The *level* a kiosk reads (:class:`BundleLevel`): a kiosk older than parcours in bundles refuses
a bundle with a ``parcours`` key (its schema forbids unknown keys) and says no level in its
heartbeat. So the server sends each kiosk the bundle of its level (:func:`for_level`: the
parcours left out below :attr:`BundleLevel.PARCOURS`) and, in the heartbeat reply, that
bundle's version; a kiosk of this version says :data:`KIOSK_BUNDLE_LEVEL` in its heartbeat and
asks ``GET /api/v1/catalogue?level=2``.
"""
from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable
from enum import IntEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from kiosk_wire import ed25519
from kiosk_wire.schema import ProcedureId

BUNDLE_FORMAT: Literal[1] = 1
CatalogueVersion = Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
ProcedureVersion = Annotated[int, Field(ge=1, le=1_000_000, strict=True)]
MAX_PROCEDURES = 500
MAX_YAML_CHARS = 400_000
MAX_PARCOURS_CHARS = 20_000


class BundleLevel(IntEnum):
    """What a kiosk can read in a bundle."""

    PROCEDURES = 1  # procedures and order: kiosks that say no level in their heartbeat
    PARCOURS = 2    # parcours too


KIOSK_BUNDLE_LEVEL = BundleLevel.PARCOURS


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BundleProcedure(_Strict):
    id: ProcedureId
    version: ProcedureVersion
    yaml: Annotated[str, Field(max_length=MAX_YAML_CHARS)]


class BundleParcours(_Strict):
    id: ProcedureId  # a parcours id is a slug held to the same rule
    version: ProcedureVersion
    yaml: Annotated[str, Field(max_length=MAX_PARCOURS_CHARS)]


class CatalogueBundle(_Strict):
    format: Literal[1] = BUNDLE_FORMAT
    version: CatalogueVersion
    procedures: Annotated[list[BundleProcedure], Field(max_length=MAX_PROCEDURES)] = []
    order: Annotated[list[ProcedureId], Field(max_length=MAX_PROCEDURES)] | None = None
    # Left out of the signed bytes when empty: a kiosk older than parcours in bundles still
    # takes a bundle without any.
    parcours: Annotated[list[BundleParcours], Field(max_length=MAX_PROCEDURES)] = []


class SignedBundle(_Strict):
    """What ``GET /api/v1/catalogue`` answers: the bundle's JSON as base64 (the exact bytes
    signed) and the signature of those bytes."""

    payload: Annotated[str, Field(max_length=4 * MAX_PROCEDURES * MAX_YAML_CHARS // 3)]
    signature: Annotated[str, Field(pattern=r"^[0-9a-f]{128}$")]


class BundleRefused(ValueError):
    """A bundle a kiosk must not use; the message says why, plainly (it is logged)."""


def catalogue_version(entries: Iterable[tuple[str, int]], order: list[str] | None,
                      parcours: Iterable[tuple[str, int]] = ()) -> str:
    """The version naming a bundle of these ``(id, version)`` pairs, this order and these
    parcours' pairs (none: the version a bundle had before parcours were sent)."""
    named: dict[str, object] = {"procedures": sorted([i, v] for i, v in entries),
                                "order": order}
    pairs = sorted([i, v] for i, v in parcours)
    if pairs:
        named["parcours"] = pairs
    content = json.dumps(named, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()[:16]


EMPTY_VERSION = catalogue_version((), None)


def level_of(announced: int | None) -> BundleLevel:
    """The level a kiosk reads, from what its heartbeat (or request) says; None: the first."""
    if announced is None or announced < BundleLevel.PARCOURS:
        return BundleLevel.PROCEDURES
    return BundleLevel.PARCOURS


def for_level(bundle: CatalogueBundle, level: BundleLevel) -> CatalogueBundle:
    """The bundle a kiosk of this level can read: the same, or without its parcours (and its
    version then that of the content left)."""
    if level >= BundleLevel.PARCOURS or not bundle.parcours:
        return bundle
    return CatalogueBundle(version=catalogue_version(
        ((p.id, p.version) for p in bundle.procedures), bundle.order),
        procedures=bundle.procedures, order=bundle.order)


def seal(bundle: CatalogueBundle, seed: bytes) -> SignedBundle:
    """The bundle signed with the server's private key."""
    raw = bundle.model_dump_json(exclude=None if bundle.parcours else {"parcours"}).encode()
    return SignedBundle(payload=base64.b64encode(raw).decode(),
                        signature=ed25519.sign(seed, raw).hex())


def open_sealed(signed: SignedBundle, public_key: bytes) -> CatalogueBundle:
    """The bundle, once its signature is the server's and its content well formed; else
    :class:`BundleRefused`."""
    try:
        raw = base64.b64decode(signed.payload, validate=True)
    except ValueError:
        raise BundleRefused("bundle refused: its content is not base64") from None
    if not ed25519.verify(public_key, raw, bytes.fromhex(signed.signature)):
        raise BundleRefused("bundle refused: its signature is not the server's (altered in "
                            "transit, or signed with another key)")
    try:
        bundle = CatalogueBundle.model_validate_json(raw)
    except ValidationError as err:
        raise BundleRefused(f"bundle refused: its content is not a catalogue ({err.error_count()}"
                            " problems)") from None
    expected = catalogue_version(((p.id, p.version) for p in bundle.procedures), bundle.order,
                                 ((p.id, p.version) for p in bundle.parcours))
    if expected != bundle.version:
        raise BundleRefused("bundle refused: its version does not match its content")
    return bundle
