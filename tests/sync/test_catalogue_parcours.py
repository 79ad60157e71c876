"""A parcours written in the console reaches the kiosks of its site inside the signed bundle
(real `kiosk-server run`, real heartbeat): checked by the kiosk's parcours checker, offered
like the shipped ones once swapped in; a kiosk of another site never gets it; a tampered one
is refused; and the server accepts the parcours' id in the records of a session."""
from __future__ import annotations

import base64

from server.helpers import make_tenant, record, server_settings

from kiosk.practice.parcours_follow import ParcoursFollow
from kiosk.sync.link import ServerLink
from kiosk_server.procedures import bundles, parcours_store, store
from kiosk_server.procedures.kinds import PARCOURS
from kiosk_server.procedures.parcours_store import ParcoursForm
from kiosk_server.procedures.review import PublicationScope
from kiosk_wire.bundle import (
    BundleParcours,
    CatalogueBundle,
    SignedBundle,
    catalogue_version,
    seal,
)

from .test_catalogue_bundle import Kiosk, _people

STEPS = ["mairie-rendez-vous"]  # the kiosks' small shipped catalogue (test_catalogue_bundle)


def parcours_text(title: str = "Rendez-vous en mairie") -> str:
    return parcours_store.to_yaml(ParcoursForm(
        "mairie-pas-a-pas", {"fr": title, "en": "Town hall", "ar": "البلدية"},
        {"fr": "Prendre un rendez-vous.", "en": "Book an appointment.", "ar": "حجز موعد."},
        STEPS))


def publish_parcours(engine, site_id: int) -> None:
    author, reviewer = _people(engine)
    with engine.begin() as conn:
        saved = parcours_store.save(conn, author, parcours_text())
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
                                                                 "/api/v1/catalogue"))
        raw = base64.b64decode(signed.payload)
        assert b"mairie-pas-a-pas" in raw
        tampered = SignedBundle(payload=base64.b64encode(
            raw.replace(b"mairie-rendez-vous", b"mairie-rendez-voux")).decode(),
            signature=signed.signature)
        why = kiosk.keeper.offer(tampered)
        assert why is not None and "signature" in why

        # Signed with the server's key, but naming an exercise no kiosk has.
        failing = CatalogueBundle(
            version=catalogue_version([], None, [("mairie-pas-a-pas", 2)]),
            parcours=[BundleParcours(id="mairie-pas-a-pas", version=2, yaml=parcours_text()
                                     .replace("mairie-rendez-vous", "demarche-inconnue"))])
        why = kiosk.keeper.offer(seal(failing, bundles.signing_seed(
            server_settings(live_server.data_dir))))
        assert why is not None and "parcours checker" in why
        assert kiosk.keeper.pending is None and kiosk.keeper.active is None
    finally:
        kiosk.close()
