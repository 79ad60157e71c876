"""The mediator PIN: stored only as a salted slow hash, guarded against guessing.

The PIN itself is never stored: ``mediator.pin_hash`` holds an argon2id hash (random salt,
memory-hard), produced by :func:`hash_pin`. :class:`PinGate` checks attempts and, after
``MAX_FAILURES`` wrong PINs in a row, locks PIN entry for a delay that doubles with each
lock-out (``BASE_LOCK_S``, ``2*BASE_LOCK_S``... up to ``MAX_LOCK_S``). The clock is injected,
so tests need no sleeping. The failure count is kept in the local store when one is given, so
switching the kiosk off and on does not reset it.

A PIN has 6 to 8 digits: if the settings file leaks, a 4-digit PIN falls to an offline search
of its hash in minutes; 6 digits take a hundred times longer, 8 digits ten thousand. Hashes made
since then carry the ``kiosk-pin-6:`` mark; an older hash (perhaps of 4 digits) still opens the
panel, and `kiosk doctor` asks for a new PIN (:func:`is_legacy_hash`).
"""
from __future__ import annotations

import logging
from enum import Enum
from typing import Any, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from kiosk.sessions.clock import Clock, SystemClock

log = logging.getLogger(__name__)

MAX_FAILURES = 5
BASE_LOCK_S = 30.0
MAX_LOCK_S = 3600.0
PIN_MIN_DIGITS = 6
PIN_MAX_DIGITS = 8
HASH_MARK = "kiosk-pin-6:"  # hashes of PINs checked to have PIN_MIN_DIGITS or more
_STORE_KEY = "mediator_pin_failures"

_hasher = PasswordHasher()  # argon2id with the library's recommended cost parameters


class PinFormatError(ValueError):
    """A PIN that is not 6 to 8 digits; the message is in French, for whoever chose it."""


class PinResult(str, Enum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    LOCKED = "locked"
    NOT_CONFIGURED = "not_configured"


class _KV(Protocol):
    def kv_get(self, key: str, default: Any = None) -> Any: ...

    def kv_set(self, key: str, value: Any) -> None: ...


def check_format(pin: str) -> str:
    if not (pin.isdigit() and pin.isascii() and PIN_MIN_DIGITS <= len(pin) <= PIN_MAX_DIGITS):
        raise PinFormatError(
            f"un code médiateur a de {PIN_MIN_DIGITS} à {PIN_MAX_DIGITS} chiffres")
    return pin


def hash_pin(pin: str) -> str:
    """The value to put in ``mediator.pin_hash``."""
    return HASH_MARK + _hasher.hash(check_format(pin))


def is_legacy_hash(pin_hash: str) -> bool:
    """A hash set before PINs had 6 digits or more (it may be of a 4-digit PIN)."""
    pin_hash = pin_hash.strip()
    return bool(pin_hash) and not pin_hash.startswith(HASH_MARK)


def lock_delay(lockouts: int) -> float:
    """How long the n-th lock-out (1-based) lasts."""
    return float(min(MAX_LOCK_S, BASE_LOCK_S * 2 ** max(0, lockouts - 1)))


class PinGate:
    def __init__(self, pin_hash: str, clock: Clock | None = None,
                 store: _KV | None = None) -> None:
        self.pin_hash = pin_hash.strip()
        self.clock: Clock = clock or SystemClock()
        self.store = store
        self.failures = 0
        self.lockouts = 0
        self._locked_until: float | None = None
        saved = self._load()
        if saved:
            self.failures, self.lockouts = saved
            if self.failures >= MAX_FAILURES:  # was locked when the kiosk stopped: lock again
                self._locked_until = self.clock.monotonic() + lock_delay(self.lockouts)

    @property
    def configured(self) -> bool:
        return bool(self.pin_hash)

    def locked_for(self) -> float:
        """Seconds until PIN entry opens again (0 when open)."""
        if self._locked_until is None:
            return 0.0
        remaining = self._locked_until - self.clock.monotonic()
        if remaining <= 0:
            self._locked_until = None
            return 0.0
        return remaining

    def check(self, pin: str) -> PinResult:
        if not self.configured:
            return PinResult.NOT_CONFIGURED
        if self.locked_for() > 0:
            return PinResult.LOCKED
        if self._matches(pin):
            self.failures = 0
            self.lockouts = 0
            self._save()
            return PinResult.ACCEPTED
        self.failures += 1
        if self.failures >= MAX_FAILURES:
            self.lockouts += 1
            self._locked_until = self.clock.monotonic() + lock_delay(self.lockouts)
            log.warning("mediator PIN: %d wrong attempts, entry locked for %.0f s",
                        MAX_FAILURES, lock_delay(self.lockouts))
            self.failures = 0
            self._save(locked=True)
            return PinResult.LOCKED
        self._save()
        return PinResult.REJECTED

    def reset(self) -> None:
        """Clear failures and lock-outs (a mediator proved who they are with a badge)."""
        self.failures = 0
        self.lockouts = 0
        self._locked_until = None
        self._save()

    def _matches(self, pin: str) -> bool:
        try:
            return _hasher.verify(self.pin_hash.removeprefix(HASH_MARK), pin)
        except VerifyMismatchError:
            return False
        except (VerificationError, InvalidHashError) as err:
            log.error("mediator.pin_hash is not a valid argon2 hash (%s); PIN entry refused", err)
            return False

    # --- persistence --------------------------------------------------------------------------
    def _load(self) -> tuple[int, int] | None:
        if self.store is None:
            return None
        try:
            data = self.store.kv_get(_STORE_KEY)
        except Exception as err:  # noqa: BLE001  (optional store: never block the mediator)
            log.warning("cannot read the PIN failure count: %s", err)
            return None
        if not isinstance(data, dict):
            return None
        failures = MAX_FAILURES if data.get("locked") else int(data.get("failures", 0))
        return failures, int(data.get("lockouts", 0))

    def _save(self, locked: bool = False) -> None:
        if self.store is None:
            return
        try:
            self.store.kv_set(_STORE_KEY, {"failures": self.failures, "lockouts": self.lockouts,
                                           "locked": locked})
        except Exception as err:  # noqa: BLE001  (as above)
            log.warning("cannot save the PIN failure count: %s", err)
