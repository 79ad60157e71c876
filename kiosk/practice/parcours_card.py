"""The parcours progress card's QR code: which exercises of a parcours are done, signed.

The code holds ``kp1:<parcours id>:<done>:<signature>`` and nothing else: no name, no answer,
no date, no kiosk. ``done`` is the set of finished steps as the bits of a hexadecimal number
(step 1 is bit 0). The signature is HMAC-SHA256, cut to 128 bits, over the text before it *and*
the parcours' list of procedure ids, so a card cannot be turned into another parcours or more
exercises, and a card made for an older version of a parcours (steps changed) is refused
rather than misread.

Why HMAC with one fleet-wide key and not Ed25519: every kiosk both prints cards (signs) and
reads them (verifies), since a card printed at one kiosk is scanned at any other of the fleet.
With Ed25519 each kiosk would still hold the private key to sign, so the public key would
protect nothing more than a shared secret does; it would add a dependency and a 64-byte
signature (a denser QR code for a scanner at 200 dpi). The key is a secret setting
(``practice.card_key``, readable from a credential file like the sync token, masked in logs);
if the server ever signs cards for the kiosks, Ed25519 with only the public key on kiosks is
the change to make.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import os
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

from kiosk.i18n import N_
from kiosk.practice.parcours_file import MAX_STEPS, Parcours

PREFIX = "kp1"
SIGNATURE_BYTES = 16
KEY_FILE = "parcours-card.key"
_CARD = re.compile(r"^kp1:(?P<id>[a-z0-9][a-z0-9_-]{0,63}):(?P<done>[0-9a-f]{1,6})"
                   r":(?P<sig>[A-Za-z0-9_-]{22})$")


class CardReading(Enum):
    """What reading a scanned card gave."""

    OK = "ok"
    NO_CODE = "no_code"              # no QR code found on the scan
    NOT_A_CARD = "not_a_card"        # a QR code, but not a progress card's
    TAMPERED = "tampered"            # a card's code whose signature does not match
    UNKNOWN_PARCOURS = "unknown"     # signed, but for a parcours this kiosk does not offer


# What the resident reads when a card cannot be used (French source, translated when shown).
READING_MESSAGES: dict[CardReading, str] = {
    CardReading.NO_CODE: N_("Aucune carte n'a été lue. Posez la carte face imprimée contre la "
                            "vitre, le code en haut à gauche, fermez le capot et réessayez."),
    CardReading.NOT_A_CARD: N_("Ce code n'est pas celui d'une carte de progression de la borne."),
    CardReading.TAMPERED: N_("Cette carte a été modifiée ou abîmée : la borne la refuse. Vous "
                             "pouvez reprendre le parcours depuis le début, ou demander à un "
                             "médiateur."),
    CardReading.UNKNOWN_PARCOURS: N_("Ce parcours n'est pas proposé sur cette borne. Demandez à "
                                     "un médiateur."),
}


@dataclass(frozen=True)
class CardContent:
    parcours_id: str
    done: frozenset[int]             # 0-based step indexes


@dataclass(frozen=True)
class CardResult:
    reading: CardReading
    content: CardContent | None = None


def load_key(configured: str, data_dir: Path) -> bytes:
    """The fleet's key (``practice.card_key``), else this kiosk's own, made once (0600)."""
    if configured:
        return configured.encode("utf-8")
    path = data_dir / KEY_FILE
    try:
        return path.read_bytes()
    except FileNotFoundError:
        data_dir.mkdir(parents=True, exist_ok=True)
        key = secrets.token_hex(32).encode("ascii")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as out:
            out.write(key)
        return key


def _signature(key: bytes, body: str, parcours: Parcours) -> str:
    message = f"{body}|{','.join(parcours.steps)}".encode()
    digest = hmac.new(key, message, hashlib.sha256).digest()[:SIGNATURE_BYTES]
    return base64.urlsafe_b64encode(digest).decode("ascii").rstrip("=")


def encode(parcours: Parcours, done: Iterable[int], key: bytes) -> str:
    """The text of the card's QR code for these finished steps."""
    mask = 0
    for step in done:
        if not 0 <= step < min(len(parcours.steps), MAX_STEPS):
            raise ValueError(f"step {step} is not in parcours {parcours.id}")
        mask |= 1 << step
    body = f"{PREFIX}:{parcours.id}:{mask:x}"
    return f"{body}:{_signature(key, body, parcours)}"


def decode(text: str, parcours: dict[str, Parcours], key: bytes) -> CardResult:
    """Check a card's QR text against the parcours this kiosk offers."""
    match = _CARD.match(text.strip())
    if match is None:
        return CardResult(CardReading.TAMPERED if text.startswith(PREFIX + ":")
                          else CardReading.NOT_A_CARD)
    found = parcours.get(match["id"])
    if found is None:
        return CardResult(CardReading.UNKNOWN_PARCOURS)
    body = text.strip().rsplit(":", 1)[0]
    if not hmac.compare_digest(_signature(key, body, found), match["sig"]):
        return CardResult(CardReading.TAMPERED)
    mask = int(match["done"], 16)
    if mask >> len(found.steps):
        return CardResult(CardReading.TAMPERED)  # cannot happen with a good signature
    done = frozenset(i for i in range(len(found.steps)) if mask >> i & 1)
    return CardResult(CardReading.OK, CardContent(found.id, done))


def read_codes(texts: Iterable[str], parcours: dict[str, Parcours], key: bytes) -> CardResult:
    """The best reading among the QR codes found on one scan (a card wins over anything)."""
    results = [decode(t, parcours, key) for t in texts]
    if not results:
        return CardResult(CardReading.NO_CODE)
    order = [CardReading.OK, CardReading.TAMPERED, CardReading.UNKNOWN_PARCOURS,
             CardReading.NOT_A_CARD]
    return min(results, key=lambda r: order.index(r.reading))
