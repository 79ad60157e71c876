"""A parcours written in the console reaches the kiosks of its site inside the signed bundle
(real `kiosk-server run`, real heartbeat): checked by the kiosk's parcours checker, offered
like the shipped ones once swapped in; a kiosk of another site never gets it; a tampered one
is refused; and the server accepts the parcours' id in the records of a session. A kiosk older
than parcours in bundles (no ``bundle_level`` in its heartbeat) is sent a bundle without them,
which its schema accepts; a kiosk whose version lacks a parcours' exercise drops that parcours
only and says so in its heartbeat."""
from __future__ import annotations

import base64
from typing import Annotated, Literal

import sqlalchemy as sa
from pydantic import BaseModel, ConfigDict, Field
from server.helpers import make_tenant, record, server_settings

from kiosk.practice import catalogue
from kiosk.practice.catalogue import shipped_ids
from kiosk.practice.parcours_follow import ParcoursFollow
from kiosk.sync.catalogue import PATH as CATALOGUE_PATH
from kiosk.sync.link import ServerLink
from kiosk_server import live
from kiosk_server import tables as t
from kiosk_server.console.live_view import catalogue_words
from kiosk_server.procedures import bundles, parcours_store, store
from kiosk_server.procedures.kinds import PARCOURS
from kiosk_server.procedures.parcours_store import ParcoursForm
from kiosk_server.procedures.review import PublicationScope
from kiosk_wire.bundle import (
    EMPTY_VERSION,
    BundleParcours,
    CatalogueBundle,
    SignedBundle,
    catalogue_version,
    seal,
)
from kiosk_wire.schema import Heartbeat, KioskState

from .test_catalogue_bundle import Kiosk, _people, _publish

STEPS = ["mairie-rendez-vous"]  # the kiosks' small shipped catalogue (test_catalogue_bundle)


def parcours_text(title: str = "Rendez-vous en mairie", steps: list[str] = STEPS,
                  parcours_id: str = "mairie-pas-a-pas") -> str:
    return parcours_store.to_yaml(ParcoursForm(
        parcours_id, {"fr": title, "en": "Town hall", "ar": "البلدية"},
        {"fr": "Prendre un rendez-vous.", "en": "Book an appointment.", "ar": "حجز موعد."},
        steps))


def publish_parcours(engine, site_id: int, text: str | None = None) -> None:
    author, reviewer = _people(engine)
    with engine.begin() as conn:
        saved = parcours_store.save(conn, author, text or parcours_text())
        assert saved.check.errors == 0, saved.check.findings
        store.submit(conn, author, saved.parcours_id, saved.version, PublicationScope.SITE,
                     site_id, PARCOURS)
        store.approve(conn, reviewer, saved.parcours_id, saved.version, PARCOURS)
        store.publish(conn, reviewer, saved.parcours_id, saved.version, PARCOURS)


class _Runtime:
    """What ParcoursFollow reads of the kiosk's runtime: its settings and its catalogue."""

    def __init__(self, kiosk: Kiosk) -> None:
        self.kiosk = kiosk
        self.settings = kiosk.settings

    @property
    def practice(self):
        return self.kiosk.live.catalogue()


def test_a_parcours_published_to_one_site_is_offered_by_its_kiosks_only(sqlite_server,
                                                                       tmp_path, clock):
    live_server = sqlite_server
    public_key = bundles.public_key_hex(server_settings(live_server.data_dir))
    other = make_tenant(live_server.engine, "Finistère", "FS Brest", "borne-brest")
    lille = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    brest = Kiosk(tmp_path, "brest", ServerLink.checked(live_server.url, other.token),
                  public_key, clock)
    try:
        follow = ParcoursFollow(_Runtime(lille))  # type: ignore[arg-type]
        assert "mairie-pas-a-pas" not in follow.offered()
        publish_parcours(live_server.engine, live_server.tenant.site_id)
        assert lille.beats.beat_once() is not None
        offered = follow.offered()
        assert "mairie-pas-a-pas" in offered
        parcours = offered["mairie-pas-a-pas"]
        assert parcours.title.fr == "Rendez-vous en mairie" and parcours.steps == tuple(STEPS)

        assert brest.beats.beat_once() is not None
        assert brest.keeper.active is None and brest.keeper.pending is None
        assert "mairie-pas-a-pas" not in ParcoursFollow(
            _Runtime(brest)).offered()  # type: ignore[arg-type]

        # A session following it: the server takes the parcours' id in the record.
        rec = record(activities=[{"kind": "practice", "procedure_id": "mairie-rendez-vous",
                                  "steps_total": 5, "steps_reached": 5,
                                  "parcours_id": "mairie-pas-a-pas", "parcours_step": 1}])
        with live_server.link().client() as client:
            ServerLink.call(client, "POST", "/api/v1/events", {"records": [rec]})
    finally:
        lille.close()
        brest.close()


def test_a_tampered_parcours_is_refused_and_the_kiosk_keeps_its_catalogue(sqlite_server,
                                                                         tmp_path, clock):
    live_server = sqlite_server
    public_key = bundles.public_key_hex(server_settings(live_server.data_dir))
    kiosk = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    try:
        publish_parcours(live_server.engine, live_server.tenant.site_id)
        with live_server.link().client() as client:
            signed = SignedBundle.model_validate(ServerLink.call(client, "GET",
                                                                 CATALOGUE_PATH))
        raw = base64.b64decode(signed.payload)
        assert b"mairie-pas-a-pas" in raw
        tampered = SignedBundle(payload=base64.b64encode(
            raw.replace(b"mairie-rendez-vous", b"mairie-rendez-voux")).decode(),
            signature=signed.signature)
        why = kiosk.keeper.offer(tampered)
        assert why is not None and "signature" in why

        # Signed with the server's key, but a parcours the checker refuses (no goal).
        failing = CatalogueBundle(
            version=catalogue_version([], None, [("mairie-pas-a-pas", 2)]),
            parcours=[BundleParcours(id="mairie-pas-a-pas", version=2, yaml="\n".join(
                line for line in parcours_text().splitlines()
                if not line.startswith("goal:")))])
        why = kiosk.keeper.offer(seal(failing, bundles.signing_seed(
            server_settings(live_server.data_dir))))
        assert why is not None and "parcours checker" in why
        assert kiosk.keeper.pending is None and kiosk.keeper.active is None
    finally:
        kiosk.close()


class BundleBeforeParcours(BaseModel):
    """kiosk_wire.bundle.CatalogueBundle as kiosks older than parcours in bundles have it:
    unknown keys forbidden."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    format: Literal[1] = 1
    version: Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]
    procedures: list[dict[str, object]] = []
    order: list[str] | None = None


def _beat(client, **fields) -> str:
    """The catalogue version the server's reply names for this heartbeat."""
    hb = Heartbeat(state=KioskState.IDLE, app_version="0.9.0", catalogue_version=EMPTY_VERSION,
                   **fields)
    sent = hb.model_dump(mode="json", exclude_unset=True)
    reply = ServerLink.call(client, "POST", "/api/v1/heartbeat", sent)
    return reply["catalogue_version"]


def test_a_kiosk_older_than_parcours_in_bundles_gets_a_bundle_it_accepts(sqlite_server):
    live_server = sqlite_server
    _publish(live_server.engine, live_server.tenant.site_id)
    publish_parcours(live_server.engine, live_server.tenant.site_id)
    with live_server.link().client() as client:
        old_wants = _beat(client)  # no bundle_level: an older kiosk
        signed = SignedBundle.model_validate(ServerLink.call(client, "GET",
                                                             "/api/v1/catalogue"))
        new_wants = _beat(client, bundle_level=2)
        full = SignedBundle.model_validate(ServerLink.call(client, "GET",
                                                           "/api/v1/catalogue?level=2"))
    raw = base64.b64decode(signed.payload)
    old = BundleBeforeParcours.model_validate_json(raw)  # what the older kiosk's schema reads
    assert b"parcours" not in raw and [p["id"] for p in old.procedures] == ["mairie-lille-rdv"]
    # The version it is told to have is the one it gets: it does not fetch it again and again.
    assert old.version == old_wants != new_wants
    full_bundle = CatalogueBundle.model_validate_json(base64.b64decode(full.payload))
    assert full_bundle.version == new_wants
    assert [p.id for p in full_bundle.parcours] == ["mairie-pas-a-pas"]
    # Once it has that bundle, the live view shows it up to date for its version.
    hb = Heartbeat(state=KioskState.IDLE, app_version="0.9.0", catalogue_version=old.version)
    with live_server.link().client() as client:
        ServerLink.call(client, "POST", "/api/v1/heartbeat",
                        hb.model_dump(mode="json", exclude_unset=True))
    with live_server.engine.connect() as conn:
        row = next(k for k in live.kiosk_statuses(conn)
                   if k["kiosk_id"] == live_server.tenant.kiosk_id)
    assert "à jour sans les parcours" in catalogue_words(
        row["catalogue_version"], row["site_catalogue"], row["site_catalogue_plain"])


def test_a_parcours_naming_a_procedure_the_kiosk_lacks_is_dropped_alone_and_reported(
        sqlite_server, tmp_path, clock, monkeypatch):
    live_server = sqlite_server
    public_key = bundles.public_key_hex(server_settings(live_server.data_dir))
    newer = next(i for i in sorted(shipped_ids()) if i not in STEPS)
    publish_parcours(live_server.engine, live_server.tenant.site_id)
    publish_parcours(live_server.engine, live_server.tenant.site_id, parcours_text(
        "Deux exercices", [*STEPS, newer], "deux-exercices"))
    # This kiosk's version ships every procedure but ``newer`` (the server's has it).
    older_shipped = {i: v for i, v in shipped_ids().items() if i != newer}
    # (the keeper reads the shipped ids from the catalogue when it checks a bundle)
    monkeypatch.setattr(catalogue, "shipped_ids", lambda: older_shipped)
    kiosk = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    try:
        assert kiosk.beats.beat_once() is not None
        taken = kiosk.keeper.pending or kiosk.keeper.active  # the bundle is taken...
        assert taken is not None and [p.id for p in taken.parcours] == ["mairie-pas-a-pas"]
        assert kiosk.keeper.dropped_parcours() == ["deux-exercices"]  # ...without that one
        assert kiosk.beats.beat_once() is not None  # and the next heartbeat says so
        with live_server.engine.connect() as conn:
            row = next(k for k in live.kiosk_statuses(conn)
                       if k["kiosk_id"] == live_server.tenant.kiosk_id)
            assert row["parcours_dropped"] == "deux-exercices"
            assert row["catalogue_version"] == conn.execute(
                sa.select(t.sites.c.catalogue_version)
                .where(t.sites.c.id == live_server.tenant.site_id)).scalar()
        words = catalogue_words(row["catalogue_version"], row["site_catalogue"],
                                row["site_catalogue_plain"], row["parcours_dropped"])
        assert "à jour" in words and "parcours non proposés" in words
        assert words.endswith("deux-exercices")
    finally:
        kiosk.close()
