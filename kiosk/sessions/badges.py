"""Mediator badges: enrolled as keyed hashes, never kept in clear.

A badge's UID is a short public identifier (anyone can read it with a phone), so it is stored
as HMAC-SHA256(kiosk key, UID): a copy of the local store alone does not reveal which cards
open the mediator panel, nor can it be checked against a list of UIDs without the key. The key
is 32 random bytes in a file only the kiosk's user can read (0600), created on first use.
"""
from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from kiosk.i18n import N_
from kiosk.storage import LocalStore

KV_KEY = "badges"
KEY_BYTES = 32
MAX_LABEL_CHARS = 60


class BadgeError(ValueError):
    """An enrolment that cannot be done; ``resident_message`` is for the mediator."""

    def __init__(self, technical: str, message: str) -> None:
        super().__init__(technical)
        self.resident_message = message


@dataclass(frozen=True)
class Badge:
    label: str          # who holds it ("Camille, médiatrice"), chosen by the site
    enrolled_at: float  # unix time


def load_or_create_key(path: Path) -> bytes:
    """The kiosk's badge key; created 0600 if missing. A key of the wrong size is an error."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_bytes()
        if len(key) != KEY_BYTES:
            raise BadgeError(f"{path}: badge key of {len(key)} bytes, expected {KEY_BYTES}",
                             N_("La clé des badges de cette borne est abîmée.")) from None
        if path.stat().st_mode & 0o077:
            os.chmod(path, 0o600)
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_bytes(KEY_BYTES)
    with os.fdopen(fd, "wb") as f:
        f.write(key)
    return key


class BadgeRegistry:
    def __init__(self, store: LocalStore, key_path: Path) -> None:
        self.store = store
        key_path.parent.mkdir(parents=True, exist_ok=True)
        self._key = load_or_create_key(key_path)

    def _digest(self, uid: bytes) -> str:
        return hmac.new(self._key, uid, hashlib.sha256).hexdigest()

    def _load(self) -> dict[str, dict[str, object]]:
        return dict(self.store.kv_get(KV_KEY, {}) or {})

    def enrol(self, uid: bytes, label: str) -> Badge:
        label = " ".join(label.split())
        if not uid:
            raise BadgeError("empty UID", N_("Ce badge ne peut pas être lu."))
        if not label or len(label) > MAX_LABEL_CHARS:
            raise BadgeError(f"label {label!r}",
                             N_("Donnez un nom au badge (60 caractères au plus)."))
        badges = self._load()
        if label in badges:
            raise BadgeError(f"label {label!r} exists", N_("Un badge porte déjà ce nom."))
        digest = self._digest(uid)
        if any(hmac.compare_digest(str(b["hash"]), digest) for b in badges.values()):
            raise BadgeError("UID already enrolled", N_("Ce badge est déjà enregistré."))
        badge = Badge(label, time.time())
        badges[label] = {"hash": digest, "enrolled_at": badge.enrolled_at}
        self.store.kv_set(KV_KEY, badges)
        return badge

    def verify(self, uid: bytes) -> bool:
        if not uid:
            return False
        digest = self._digest(uid)
        # Compare against every entry, in constant time each: no early exit on a match.
        found = False
        for entry in self._load().values():
            found |= hmac.compare_digest(str(entry["hash"]), digest)
        return found

    def revoke(self, label: str) -> bool:
        badges = self._load()
        if badges.pop(label, None) is None:
            return False
        self.store.kv_set(KV_KEY, badges)
        return True

    def list(self) -> list[Badge]:
        return sorted((Badge(label, float(str(e["enrolled_at"])))
                       for label, e in self._load().items()), key=lambda b: b.enrolled_at)


def badge_key_path(data_dir: Path) -> Path:
    return data_dir / "badges.key"
