"""Ed25519 signatures (RFC 8032), for the catalogue bundles the server signs and kiosks check.

Raw 32-byte keys and 64-byte signatures, as they travel and are stored (a server's key file, a
kiosk's ``sync.catalogue_public_key``); the arithmetic is ``cryptography``'s (OpenSSL), which is
constant-time and maintained, never our own.

``cryptography`` is imported at the first signature made or checked, not with this module:
a kiosk holding no published catalogue never needs it (~6 MB resident on a small PC).
"""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

SEED_BYTES = 32
PUBLIC_KEY_BYTES = 32
SIGNATURE_BYTES = 64


class BadKey(ValueError):
    """A key or seed of the wrong size."""


def _private(seed: bytes) -> Ed25519PrivateKey:
    if len(seed) != SEED_BYTES:
        raise BadKey(f"an Ed25519 private key is {SEED_BYTES} bytes, not {len(seed)}")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(seed)


def public_key(seed: bytes) -> bytes:
    """The 32-byte public key of a 32-byte private key (seed)."""
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    return _private(seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def sign(seed: bytes, message: bytes) -> bytes:
    """The 64-byte signature of ``message``."""
    return _private(seed).sign(message)


def verify(public: bytes, message: bytes, signature: bytes) -> bool:
    """True when ``signature`` is the signature of ``message`` by the key ``public``."""
    if len(public) != PUBLIC_KEY_BYTES or len(signature) != SIGNATURE_BYTES:
        return False
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(public).verify(signature, message)
    except (InvalidSignature, ValueError):  # ValueError: not a point of the curve
        return False
    return True
