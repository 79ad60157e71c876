"""Badge registry: keyed hashes in the local store, never the UID; enrol, verify, revoke."""
from __future__ import annotations

import stat

import pytest

from kiosk.sessions.badges import KV_KEY, BadgeError, BadgeRegistry
from kiosk.storage import LocalStore

UID = bytes.fromhex("04A1B2C3D4E5F6")


@pytest.fixture
def store(tmp_path):
    s = LocalStore(tmp_path / "kiosk.sqlite")
    yield s
    s.close()


def test_enrolled_badge_is_accepted_and_unknown_one_refused(store, tmp_path):
    registry = BadgeRegistry(store, tmp_path / "badges.key")
    registry.enrol(UID, "Camille")
    assert registry.verify(UID)
    assert not registry.verify(bytes.fromhex("0411223344"))
    assert not registry.verify(b"")


def test_uid_is_never_stored_in_clear(store, tmp_path):
    BadgeRegistry(store, tmp_path / "badges.key").enrol(UID, "Camille")
    dump = "\n".join(store.db.iterdump()).lower()
    assert UID.hex() not in dump and UID.hex().upper() not in "\n".join(store.db.iterdump())
    entry = store.kv_get(KV_KEY)["Camille"]
    assert len(entry["hash"]) == 64


def test_key_file_is_private_and_the_hash_depends_on_it(store, tmp_path):
    key = tmp_path / "badges.key"
    BadgeRegistry(store, key).enrol(UID, "Camille")
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    other_store = LocalStore(tmp_path / "other.sqlite")
    BadgeRegistry(other_store, tmp_path / "other.key").enrol(UID, "Camille")
    assert other_store.kv_get(KV_KEY)["Camille"]["hash"] != store.kv_get(KV_KEY)["Camille"]["hash"]
    other_store.close()


def test_registry_survives_a_restart(store, tmp_path):
    BadgeRegistry(store, tmp_path / "badges.key").enrol(UID, "Camille")
    assert BadgeRegistry(store, tmp_path / "badges.key").verify(UID)


def test_duplicates_and_bad_labels_are_refused_with_a_message(store, tmp_path):
    registry = BadgeRegistry(store, tmp_path / "badges.key")
    registry.enrol(UID, "Camille")
    with pytest.raises(BadgeError, match="already"):
        registry.enrol(UID, "Dominique")
    with pytest.raises(BadgeError) as err:
        registry.enrol(bytes.fromhex("0499"), "Camille")
    assert err.value.resident_message == "Un badge porte déjà ce nom."
    with pytest.raises(BadgeError):
        registry.enrol(bytes.fromhex("0499"), "   ")


def test_revoked_badge_no_longer_opens(store, tmp_path):
    registry = BadgeRegistry(store, tmp_path / "badges.key")
    registry.enrol(UID, "Camille")
    assert [b.label for b in registry.list()] == ["Camille"]
    assert registry.revoke("Camille")
    assert not registry.verify(UID)
    assert not registry.revoke("Camille")
    assert registry.list() == []


def test_damaged_key_file_is_reported(store, tmp_path):
    key = tmp_path / "badges.key"
    key.write_bytes(b"short")
    with pytest.raises(BadgeError):
        BadgeRegistry(store, key)
