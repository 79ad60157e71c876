"""A procedure published in the console reaches the kiosks of its site through the heartbeat
(real `kiosk-server run`, real HTTP): fetched when the reply names another catalogue version,
checked (signature and checker), swapped in between two sessions, kept for offline use; a kiosk
of another site never gets it, and a tampered or failing bundle is refused."""
from __future__ import annotations

import base64

import pytest
import sqlalchemy as sa
from server.helpers import make_tenant, record, server_settings
from server.procedure_helpers import Person, broken_yaml, procedure_yaml

from kiosk.practice.catalogue import SHIPPED_DIR, load_catalogue
from kiosk.practice.live_catalogue import LiveCatalogue
from kiosk.practice.published import BundleKeeper
from kiosk.sessions import open_core
from kiosk.sync.catalogue import CatalogueSync
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.link import ServerLink
from kiosk_server import tables as t
from kiosk_server import tenancy
from kiosk_server.procedures import bundles, store
from kiosk_server.procedures.review import PublicationScope
from kiosk_server.tenancy import Role
from kiosk_wire import config, ed25519
from kiosk_wire.bundle import (
    EMPTY_VERSION,
    BundleProcedure,
    CatalogueBundle,
    SignedBundle,
    catalogue_version,
    seal,
)
from kiosk_wire.schema import EndReason

BASE = [SHIPPED_DIR / "mairie-rendez-vous.yaml"]  # a small shipped catalogue, quick to check


def _people(engine):
    """The author and the reviewer (made on first use)."""
    ids = []
    with engine.begin() as conn:
        for name in ("auteur", "relecteur"):
            found = conn.execute(sa.select(t.users.c.id)
                                 .where(t.users.c.username == name)).scalar()
            ids.append(found or conn.execute(t.users.insert().values(
                username=name, password_hash="-", role=Role.ADMIN.value,
                created_at=tenancy.now())).inserted_primary_key[0])
    return [Person(i, Role.ADMIN) for i in ids]


def _publish(engine, site_id: int, text: str | None = None) -> None:
    """Written, submitted, approved by a second person and published to one site."""
    author, reviewer = _people(engine)
    with engine.begin() as conn:
        saved = store.save(conn, author, text or procedure_yaml())
        store.submit(conn, author, saved.procedure_id, saved.version, PublicationScope.SITE,
                     site_id)
        store.approve(conn, reviewer, saved.procedure_id, saved.version)
        store.publish(conn, reviewer, saved.procedure_id, saved.version)


class Kiosk:
    """One kiosk's catalogue side: its session core, bundle keeper, catalogue and heartbeat."""

    def __init__(self, tmp_path, name: str, link: ServerLink, public_key: str, clock) -> None:
        settings = config.defaults().with_overrides({
            "kiosk.data_dir": str(tmp_path / name / "data"),
            "kiosk.session_dir": str(tmp_path / name / "sessions"),
            "sync.catalogue_public_key": public_key})
        self.settings = settings
        self.core = open_core(settings, clock=clock)
        self.core.recover()
        self.live = LiveCatalogue.from_settings(settings, lambda: load_catalogue(BASE))
        self.live.attach(self.core)
        assert self.live.keeper is not None
        self.keeper: BundleKeeper = self.live.keeper
        self.sync = CatalogueSync(link, self.keeper.offer, self.keeper.version,
                                  self.keeper.dropped_parcours)
        self.beats = HeartbeatClient(self.core, link, catalogue=self.sync)

    def ids(self) -> list[str]:
        catalogue = self.live.catalogue()
        assert catalogue is not None
        return catalogue.ids()

    def close(self) -> None:
        if self.core.store is not None:
            self.core.store.close()


@pytest.fixture
def public_key(live_server) -> str:
    # The running server generates its key in its data_dir on first use; this agrees with it.
    return bundles.public_key_hex(server_settings(live_server.data_dir))


def _kiosk_status_version(engine, kiosk_id):
    with engine.connect() as conn:
        return conn.execute(sa.select(t.kiosk_status.c.catalogue_version)
                            .where(t.kiosk_status.c.kiosk_id == kiosk_id)).scalar()


def test_a_procedure_published_to_one_site_reaches_its_kiosks_between_two_sessions_only(
        live_server, public_key, tmp_path, clock):
    other = make_tenant(live_server.engine, "Finistère", "FS Brest", "borne-brest")
    lille = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    brest = Kiosk(tmp_path, "brest", ServerLink.checked(live_server.url, other.token), public_key,
                  clock)
    try:
        assert lille.ids() == ["mairie-rendez-vous"]
        lille.core.start()  # a resident is practising
        _publish(live_server.engine, live_server.tenant.site_id)

        reply = lille.beats.beat_once()
        assert reply is not None and reply.catalogue_version != EMPTY_VERSION
        assert lille.keeper.pending is not None
        assert lille.ids() == ["mairie-rendez-vous"]  # never during a session

        lille.core.end(EndReason.FINISHED, offer_survey=False)
        lille.core.complete(None)
        assert lille.ids() == ["mairie-rendez-vous", "mairie-lille-rdv"]
        published = lille.live.catalogue().get("mairie-lille-rdv")
        assert published.published_version == 1
        assert published.title.fr == "Rendez-vous à Lille"

        lille.beats.beat_once()  # the live view learns which catalogue the kiosk has
        assert _kiosk_status_version(live_server.engine, live_server.tenant.kiosk_id) == \
            reply.catalogue_version

        other_reply = brest.beats.beat_once()
        assert other_reply is not None and other_reply.catalogue_version == EMPTY_VERSION
        assert brest.keeper.pending is None and brest.keeper.active is None
        assert brest.ids() == ["mairie-rendez-vous"]
        assert not (brest.settings.data_dir / "catalogue" / "bundle.json").exists()
    finally:
        lille.close()
        brest.close()


def test_practising_a_published_procedure_sends_its_id_and_version(live_server, public_key):
    _publish(live_server.engine, live_server.tenant.site_id)
    rec = record(activities=[{"kind": "practice", "procedure_id": "mairie-lille-rdv",
                              "steps_total": 5, "steps_reached": 2, "procedure_version": 1}])
    with live_server.link().client() as client:
        ServerLink.call(client, "POST", "/api/v1/events", {"records": [rec]})
    with live_server.engine.connect() as conn:
        row = conn.execute(sa.select(t.activities.c.procedure_id,
                                     t.activities.c.procedure_version)).one()
    assert tuple(row) == ("mairie-lille-rdv", 1)


def _signed(live_server) -> SignedBundle:
    with live_server.link().client() as client:
        return SignedBundle.model_validate(ServerLink.call(client, "GET", "/api/v1/catalogue"))


def test_a_tampered_or_failing_bundle_is_refused_and_the_kiosk_keeps_its_catalogue(
        sqlite_server, tmp_path, clock):
    live_server = sqlite_server
    public_key = bundles.public_key_hex(server_settings(live_server.data_dir))
    kiosk = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    try:
        _publish(live_server.engine, live_server.tenant.site_id)
        assert kiosk.beats.beat_once() is not None
        kept = (kiosk.settings.data_dir / "catalogue" / "bundle.json").read_bytes()
        good = kiosk.keeper.version()

        signed = _signed(live_server)
        raw = base64.b64decode(signed.payload).replace("Rendez-vous à Lille".encode(),
                                                       b"Rendez-vous pirate")
        assert b"pirate" in raw
        tampered = SignedBundle(payload=base64.b64encode(raw).decode(),
                                signature=signed.signature)
        why = kiosk.keeper.offer(tampered)
        assert why is not None and "signature" in why

        # Signed with the server's own key, but a procedure the checker refuses.
        failing = CatalogueBundle(
            version=catalogue_version([("mairie-lille-rdv", 2)], None),
            procedures=[BundleProcedure(id="mairie-lille-rdv", version=2, yaml=broken_yaml())])
        why = kiosk.keeper.offer(seal(failing, bundles.signing_seed(
            server_settings(live_server.data_dir))))
        assert why is not None and "checker" in why

        assert kiosk.keeper.version() == good
        assert (kiosk.settings.data_dir / "catalogue" / "bundle.json").read_bytes() == kept
        assert "mairie-lille-rdv" in kiosk.ids()
    finally:
        kiosk.close()


def test_an_offline_kiosk_keeps_its_last_catalogue_across_a_restart(sqlite_server, tmp_path,
                                                                     clock):
    live_server = sqlite_server
    public_key = bundles.public_key_hex(server_settings(live_server.data_dir))
    first = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    _publish(live_server.engine, live_server.tenant.site_id)
    assert first.beats.beat_once() is not None
    version = first.keeper.version()
    first.close()
    live_server.stop()  # the network is gone

    again = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)  # a restart
    try:
        assert again.beats.beat_once() is None  # the server cannot be reached
        assert again.ids() == ["mairie-rendez-vous", "mairie-lille-rdv"]
        assert again.keeper.version() == version
    finally:
        again.close()


def test_the_sites_choice_orders_and_limits_what_its_kiosks_offer(sqlite_server, tmp_path,
                                                                  clock):
    live_server = sqlite_server
    public_key = bundles.public_key_hex(server_settings(live_server.data_dir))
    kiosk = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    try:
        _publish(live_server.engine, live_server.tenant.site_id)
        with live_server.engine.begin() as conn:  # the mairie's own procedure first
            store.set_site_choice(conn, live_server.tenant.site_id,
                                  ["mairie-lille-rdv", "mairie-rendez-vous"])
        assert kiosk.beats.beat_once() is not None
        assert kiosk.ids() == ["mairie-lille-rdv", "mairie-rendez-vous"]
        with live_server.engine.begin() as conn:  # only its own procedure now
            store.set_site_choice(conn, live_server.tenant.site_id, ["mairie-lille-rdv"])
        assert kiosk.beats.beat_once() is not None
        assert kiosk.ids() == ["mairie-lille-rdv"]
        with live_server.engine.begin() as conn:  # no choice: every procedure again
            store.set_site_choice(conn, live_server.tenant.site_id, [])
        assert kiosk.beats.beat_once() is not None
        assert kiosk.ids() == ["mairie-rendez-vous", "mairie-lille-rdv"]
    finally:
        kiosk.close()


def test_the_doctor_says_whether_the_kiosk_takes_published_procedures_and_which_it_keeps(
        sqlite_server, tmp_path, clock):
    from kiosk.doctor.catalogue import check_published_catalogue
    from kiosk.doctor.findings import Status

    live_server = sqlite_server
    public_key = bundles.public_key_hex(server_settings(live_server.data_dir))
    kiosk = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    try:
        no_key = kiosk.settings.with_overrides({"sync.catalogue_public_key": ""})
        assert check_published_catalogue(no_key).status is Status.WARN
        bad_key = kiosk.settings.with_overrides({"sync.catalogue_public_key": "abc"})
        assert check_published_catalogue(bad_key).status is Status.FAIL
        assert "aucune démarche publiée" in check_published_catalogue(kiosk.settings).message
        _publish(live_server.engine, live_server.tenant.site_id)
        assert kiosk.beats.beat_once() is not None
        kept = check_published_catalogue(kiosk.settings)
        assert kept.status is Status.OK and "1 démarche(s) publiée(s)" in kept.message
        other_key = kiosk.settings.with_overrides(
            {"sync.catalogue_public_key": ed25519.public_key(bytes(32)).hex()})
        assert check_published_catalogue(other_key).status is Status.WARN
    finally:
        kiosk.close()


def _publish_unchecked(engine, site_id: int, text: str, author: Person) -> None:
    """A version published as an older server would have (its checker passed what the kiosk's
    refuses): written straight into the tables."""
    now = tenancy.now()
    with engine.begin() as conn:
        conn.execute(t.procedures.insert().values(id="mairie-lille-rdv", created_at=now,
                                                  created_by=author.id))
        conn.execute(t.procedure_versions.insert().values(
            procedure_id="mairie-lille-rdv", version=1, yaml=text, author_id=author.id,
            created_at=now, errors=0, findings="[]", state="published", scope="site",
            place_id=site_id))
        conn.execute(t.procedure_publications.insert().values(
            procedure_id="mairie-lille-rdv", version=1, scope="site", place_id=site_id,
            published_by=author.id, published_at=now))
        bundles.refresh_sites(conn)


def test_a_refused_version_is_not_fetched_again_but_the_next_version_is(sqlite_server,
                                                                        tmp_path, clock):
    live_server = sqlite_server
    public_key = bundles.public_key_hex(server_settings(live_server.data_dir))
    kiosk = Kiosk(tmp_path, "lille", live_server.link(), public_key, clock)
    offered: list[str | None] = []
    offer = kiosk.sync.offer

    def counted(signed: SignedBundle) -> str | None:
        offered.append(offer(signed))
        return offered[-1]
    kiosk.sync.offer = counted
    try:
        author, reviewer = _people(live_server.engine)
        _publish_unchecked(live_server.engine, live_server.tenant.site_id, broken_yaml(), author)
        refused = kiosk.beats.beat_once()
        assert refused is not None and len(offered) == 1 and "checker" in str(offered[0])
        assert kiosk.beats.beat_once().catalogue_version == refused.catalogue_version
        assert len(offered) == 1  # the same version: not fetched at every heartbeat
        assert kiosk.keeper.version() == EMPTY_VERSION

        with live_server.engine.begin() as conn:  # a corrected version, published
            saved = store.save(conn, author, procedure_yaml(), "mairie-lille-rdv")
            store.submit(conn, author, saved.procedure_id, saved.version,
                         PublicationScope.SITE, live_server.tenant.site_id)
            store.approve(conn, reviewer, saved.procedure_id, saved.version)
            store.publish(conn, reviewer, saved.procedure_id, saved.version)
        newer = kiosk.beats.beat_once()
        assert newer is not None and newer.catalogue_version != refused.catalogue_version
        assert offered[1:] == [None]  # fetched at the next heartbeat naming it, and taken
        assert kiosk.keeper.version() == newer.catalogue_version
        assert "mairie-lille-rdv" in kiosk.ids()
    finally:
        kiosk.close()
