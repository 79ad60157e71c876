"""Procedures written in the console: versions checked on save, review by a second person with
the right, publication to a scope, restore, and each site's catalogue version (both engines)."""
from __future__ import annotations

import base64
import json

import pytest
import sqlalchemy as sa

from kiosk_server import tables as t
from kiosk_server import tenancy
from kiosk_server.procedures import bundles, store
from kiosk_server.procedures.review import PublicationScope, ReviewRefused, ReviewState
from kiosk_server.tenancy import Role
from kiosk_wire import ed25519
from kiosk_wire.bundle import EMPTY_VERSION, BundleRefused, SignedBundle, open_sealed, seal
from server.helpers import make_tenant
from server.procedure_helpers import Person, broken_yaml, procedure_yaml


@pytest.fixture
def places(engine):
    """Two sites in Nord (one with a kiosk), one in another territory; a mediator and two
    managers of Nord."""
    lille = make_tenant(engine, "Nord", "FS Lille", "borne-1")
    roubaix = make_tenant(engine, "Nord", "FS Roubaix", "borne-2")
    brest = make_tenant(engine, "Finistère", "FS Brest", "borne-3")
    people = {}
    with engine.begin() as conn:
        for name, role in (("mediatrice", Role.MEDIATOR), ("resp-a", Role.MANAGER),
                           ("resp-b", Role.MANAGER), ("admin", Role.ADMIN)):
            # Rows written directly: nobody signs in here, and hashing four passwords is slow.
            uid = conn.execute(t.users.insert().values(
                username=name, password_hash="-", role=role.value,
                created_at=tenancy.now())).inserted_primary_key[0]
            people[name] = Person(uid, role, frozenset({lille.site_id}) if role is Role.MEDIATOR
                                  else frozenset(),
                                  frozenset({lille.territory_id}) if role is Role.MANAGER
                                  else frozenset())
    return lille, roubaix, brest, people


def _state(engine, pid, version):
    with engine.connect() as conn:
        return ReviewState(store.version_row(conn, pid, version).state)


def _site_version(engine, site_id):
    with engine.connect() as conn:
        return conn.execute(sa.select(t.sites.c.catalogue_version)
                            .where(t.sites.c.id == site_id)).scalar()


def test_each_save_is_a_version_checked_and_a_failing_one_cannot_be_submitted(engine, places):
    lille, _roubaix, _brest, people = places
    author = people["mediatrice"]
    with engine.begin() as conn:
        first = store.save(conn, author, procedure_yaml())
        second = store.save(conn, author, broken_yaml(), "mairie-lille-rdv")
    assert (first.version, first.check.errors) == (1, 0)
    assert second.version == 2 and second.check.errors >= 1
    assert all(f.line > 0 and f.message for f in second.check.findings)
    # Each finding names its place in the procedure, for an editor to show it by its field.
    nowhere = next(f for f in second.check.findings if "page-qui-n-existe-pas" in f.message)
    assert nowhere.path[0] == "pages" and nowhere.path[-1] == "next"
    assert nowhere.where.startswith("pages › ") and nowhere.where.endswith(" › next")
    with engine.begin() as conn, pytest.raises(ReviewRefused, match="problème"):
        store.submit(conn, author, "mairie-lille-rdv", 2, PublicationScope.SITE, lille.site_id)
    with engine.connect() as conn:
        rows = store.versions(conn, "mairie-lille-rdv")
    assert [(r.version, r.author) for r in rows] == [(2, "mediatrice"), (1, "mediatrice")]
    assert json.loads(rows[0].findings)[0]["line"] > 0


def test_approval_needs_a_second_person_with_the_right(engine, places):
    lille, _roubaix, _brest, people = places
    with engine.begin() as conn:
        saved = store.save(conn, people["resp-a"], procedure_yaml())
        store.submit(conn, people["resp-a"], saved.procedure_id, 1, PublicationScope.SITE,
                     lille.site_id)
    for who, why in (("resp-a", "autre personne"), ("mediatrice", "droit")):
        with engine.begin() as conn, pytest.raises(ReviewRefused, match=why):
            store.approve(conn, people[who], saved.procedure_id, 1)
    assert _state(engine, saved.procedure_id, 1) is ReviewState.SUBMITTED
    with engine.begin() as conn:
        store.approve(conn, people["resp-b"], saved.procedure_id, 1)
    assert _state(engine, saved.procedure_id, 1) is ReviewState.APPROVED


def test_the_author_approves_alone_where_the_site_allows_it(engine, places):
    lille, _roubaix, _brest, people = places
    with engine.begin() as conn:
        store.set_self_approval(conn, lille.site_id, True)
        store.save(conn, people["resp-a"], procedure_yaml())
        store.submit(conn, people["resp-a"], "mairie-lille-rdv", 1, PublicationScope.SITE,
                     lille.site_id)
        store.approve(conn, people["resp-a"], "mairie-lille-rdv", 1)
    assert _state(engine, "mairie-lille-rdv", 1) is ReviewState.APPROVED


def test_publishing_to_one_site_moves_that_sites_catalogue_only(engine, places):
    lille, roubaix, brest, people = places
    with engine.begin() as conn:
        store.save(conn, people["mediatrice"], procedure_yaml())
        store.submit(conn, people["mediatrice"], "mairie-lille-rdv", 1, PublicationScope.SITE,
                     lille.site_id)
        store.approve(conn, people["resp-a"], "mairie-lille-rdv", 1)
        with pytest.raises(ReviewRefused, match="droit"):
            store.publish(conn, people["mediatrice"], "mairie-lille-rdv", 1)
        store.publish(conn, people["resp-a"], "mairie-lille-rdv", 1)
    assert _site_version(engine, lille.site_id) != EMPTY_VERSION
    assert _site_version(engine, roubaix.site_id) == EMPTY_VERSION
    assert _site_version(engine, brest.site_id) == EMPTY_VERSION
    with engine.connect() as conn:
        mine = bundles.build(conn, lille.site_id, lille.territory_id)
        other = bundles.build(conn, brest.site_id, brest.territory_id)
    assert [(p.id, p.version) for p in mine.procedures] == [("mairie-lille-rdv", 1)]
    assert mine.version == _site_version(engine, lille.site_id)
    assert other.procedures == [] and other.version == EMPTY_VERSION


def test_restore_brings_back_an_earlier_text_as_a_new_version_and_republishing_it(engine,
                                                                                    places):
    lille, _roubaix, _brest, people = places
    admin = people["admin"]
    with engine.begin() as conn:
        store.set_self_approval(conn, lille.site_id, True)
        for title in ("Première", "Seconde"):
            saved = store.save(conn, admin, procedure_yaml(title=title))
            store.submit(conn, admin, saved.procedure_id, saved.version,
                         PublicationScope.SITE, lille.site_id)
            store.approve(conn, admin, saved.procedure_id, saved.version)
            store.publish(conn, admin, saved.procedure_id, saved.version)
    assert _state(engine, "mairie-lille-rdv", 1) is ReviewState.APPROVED
    assert _state(engine, "mairie-lille-rdv", 2) is ReviewState.PUBLISHED
    with engine.begin() as conn:
        restored = store.restore(conn, admin, "mairie-lille-rdv", 1)
        assert store.export_yaml(conn, "mairie-lille-rdv", restored.version) == \
            procedure_yaml(title="Première")
        store.publish(conn, admin, "mairie-lille-rdv", 1)  # or publish the old one again
        published = bundles.build(conn, lille.site_id, lille.territory_id).procedures
    assert restored.version == 3
    assert [(p.version, "Première" in p.yaml) for p in published] == [(1, True)]


def test_a_shipped_id_or_an_unreadable_file_is_not_saved(engine, places):
    _lille, _roubaix, _brest, people = places
    with engine.begin() as conn, pytest.raises(ReviewRefused, match="fournie avec la borne"):
        store.save(conn, people["admin"], procedure_yaml("mairie-rendez-vous"))
    with engine.begin() as conn, pytest.raises(ReviewRefused, match="identifiant"):
        store.save(conn, people["admin"], "pas: [une démarche")
    with engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.procedures)).scalar() == 0


def test_a_sites_choice_orders_its_catalogue(engine, places):
    lille, roubaix, _brest, _people = places
    with engine.begin() as conn:
        store.set_site_choice(conn, lille.site_id, ["mairie-rendez-vous", "caf-trimestrielle"])
        bundle = bundles.build(conn, lille.site_id, lille.territory_id)
    assert bundle.order == ["mairie-rendez-vous", "caf-trimestrielle"]
    assert _site_version(engine, lille.site_id) == bundle.version != EMPTY_VERSION
    assert _site_version(engine, roubaix.site_id) in (None, EMPTY_VERSION)


def test_a_signed_bundle_opens_and_an_altered_one_is_refused(engine, places, settings):
    lille, _roubaix, _brest, _people = places
    with engine.begin() as conn:
        store.set_site_choice(conn, lille.site_id, ["mairie-rendez-vous"])
        bundle = bundles.build(conn, lille.site_id, lille.territory_id)
    seed = bundles.signing_seed(settings)
    assert bundles.signing_seed(settings) == seed  # kept in data_dir
    public = ed25519.public_key(seed)
    signed = seal(bundle, seed)
    assert open_sealed(signed, public) == bundle
    raw = base64.b64decode(signed.payload).replace(b"mairie-rendez-vous", b"mairie-rendez-vouz")
    tampered = SignedBundle(payload=base64.b64encode(raw).decode(), signature=signed.signature)
    with pytest.raises(BundleRefused, match="signature"):
        open_sealed(tampered, public)
    with pytest.raises(BundleRefused, match="signature"):
        open_sealed(signed, ed25519.public_key(b"\x01" * 32))


def test_the_heartbeat_reply_names_the_catalogue_only_to_a_kiosk_that_says_which_it_has(
        client, tenant):
    beat = {"state": "idle", "app_version": "0.1.0"}
    older = client.post("/api/v1/heartbeat", json=beat, headers=tenant.headers)
    assert older.status_code == 200 and "catalogue_version" not in older.json()
    newer = client.post("/api/v1/heartbeat", json={**beat, "catalogue_version": EMPTY_VERSION},
                        headers=tenant.headers)
    assert newer.json()["catalogue_version"] == EMPTY_VERSION


def test_a_new_procedure_starts_from_a_shipped_one_or_one_written_here(engine, places):
    _lille, _roubaix, _brest, people = places
    author = people["mediatrice"]
    with engine.begin() as conn:
        copied = store.copy(conn, author, "mairie-rendez-vous", "mairie-roubaix-rdv")
        again = store.copy(conn, author, "mairie-roubaix-rdv", "mairie-brest-rdv")
        for taken in ("mairie-roubaix-rdv", "mairie-rendez-vous"):
            with pytest.raises(ReviewRefused, match=r"pris|fournie"):
                store.copy(conn, author, "mairie-rendez-vous", taken)
        with pytest.raises(ReviewRefused, match="identifiant"):
            store.copy(conn, author, "mairie-rendez-vous", "Jean Dupont")
        text = store.export_yaml(conn, "mairie-brest-rdv", 1)
    assert (copied.version, copied.check.errors, again.procedure_id) == (1, 0, "mairie-brest-rdv")
    original = procedure_yaml("mairie-rendez-vous", "Prendre rendez-vous en ligne à la mairie")
    assert text == original.replace("id: mairie-rendez-vous", "id: mairie-brest-rdv", 1)
