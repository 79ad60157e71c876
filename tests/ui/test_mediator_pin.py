"""The mediator PIN: salted slow hash only, five failures lock entry for a growing delay."""
from __future__ import annotations

import pytest

from kiosk.sessions.clock import ManualClock
from kiosk.sessions.mediator_pin import (
    BASE_LOCK_S,
    HASH_MARK,
    MAX_FAILURES,
    PinFormatError,
    PinGate,
    PinResult,
    hash_pin,
    is_legacy_hash,
    lock_delay,
)
from kiosk.storage import LocalStore


def test_pin_is_stored_only_as_a_salted_argon2_hash():
    first, second = hash_pin("123456"), hash_pin("123456")
    assert first.startswith(HASH_MARK + "$argon2id$")
    assert "123456" not in first
    assert first != second  # a random salt each time


@pytest.mark.parametrize("bad", ["1234", "12345", "123456789", "12a456", "", "١٢٣٤٥٦"])
def test_pin_must_be_six_to_eight_ascii_digits(bad):
    with pytest.raises(PinFormatError, match="de 6 à 8 chiffres"):
        hash_pin(bad)


def test_a_hash_set_before_the_six_digit_rule_still_opens_and_doctor_asks_for_a_new_pin():
    from argon2 import PasswordHasher

    from kiosk.doctor import system
    from kiosk_wire import config

    legacy = PasswordHasher().hash("2468")  # what set-pin wrote for a 4-digit PIN before
    assert is_legacy_hash(legacy) and not is_legacy_hash(hash_pin("246810"))
    assert PinGate(legacy).check("2468") is PinResult.ACCEPTED
    finding = system.check_mediator_pin(
        config.defaults().with_overrides({"mediator.pin_hash": legacy}))
    assert finding.status is system.Status.WARN and "kiosk admin set-pin" in finding.message


def test_five_failures_lock_pin_entry_for_a_growing_delay():
    clock = ManualClock()
    gate = PinGate(hash_pin("246810"), clock=clock)
    for _ in range(MAX_FAILURES - 1):
        assert gate.check("000000") is PinResult.REJECTED
    assert gate.check("000000") is PinResult.LOCKED
    assert gate.locked_for() == pytest.approx(BASE_LOCK_S)
    assert gate.check("246810") is PinResult.LOCKED
    clock.advance(BASE_LOCK_S)
    for _ in range(MAX_FAILURES):
        gate.check("000000")
    assert gate.locked_for() == pytest.approx(2 * BASE_LOCK_S)  # longer the second time
    clock.advance(2 * BASE_LOCK_S)
    assert gate.check("246810") is PinResult.ACCEPTED
    assert gate.failures == 0 and gate.lockouts == 0


def test_lock_delay_doubles_and_is_capped():
    assert [lock_delay(n) for n in (1, 2, 3)] == [BASE_LOCK_S, 2 * BASE_LOCK_S, 4 * BASE_LOCK_S]
    assert lock_delay(50) == 3600.0


def test_a_restart_does_not_reset_the_lock(tmp_path):
    store = LocalStore(tmp_path / "store.db")
    pin_hash = hash_pin("246810")
    gate = PinGate(pin_hash, clock=ManualClock(), store=store)
    for _ in range(MAX_FAILURES):
        gate.check("000000")
    restarted = PinGate(pin_hash, clock=ManualClock(), store=store)
    assert restarted.check("246810") is PinResult.LOCKED


def test_no_pin_configured_means_pin_entry_is_refused():
    assert PinGate("").check("1234") is PinResult.NOT_CONFIGURED


def test_a_corrupt_hash_refuses_every_pin():
    assert PinGate("not-a-hash").check("1234") is PinResult.REJECTED


def test_admin_set_pin_prints_a_hash_that_the_gate_accepts(tmp_path):
    from click.testing import CliRunner

    from kiosk.cli import main

    result = CliRunner().invoke(main, ["admin", "set-pin", "--pin", "864213"])
    assert result.exit_code == 0, result.output
    line = result.output.splitlines()[-1]
    assert line.startswith(f'pin_hash = "{HASH_MARK}$argon2id$') and "864213" not in line
    pin_hash = line.split('"')[1]
    assert PinGate(pin_hash).check("864213") is PinResult.ACCEPTED
    # and the settings file accepts it as is
    (tmp_path / "kiosk.toml").write_text(result.output)
    from kiosk_wire import config
    assert config.load(tmp_path / "kiosk.toml").get("mediator.pin_hash") == pin_hash


def test_admin_set_pin_refuses_a_bad_pin_in_plain_words():
    from click.testing import CliRunner

    from kiosk.cli import main

    result = CliRunner().invoke(main, ["admin", "set-pin", "--pin", "1234"])
    assert result.exit_code == 2
    assert "Code refusé" in result.output and "6 à 8 chiffres" in result.output
