"""Smoke test: pcscd with the vpcd virtual reader and our virtual badge, seen from pyscard."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.pcsc

pytest.importorskip("smartcard", reason="pyscard not installed (extra `hardware`)")

from harness.pcsc import BADGE_ATR
from smartcard.CardRequest import CardRequest
from smartcard.CardType import AnyCardType
from smartcard.System import readers

UID = bytes.fromhex("04A1B2C3D4E5F6")


def test_virtual_readers_are_listed(pcscd):
    assert [str(r) for r in readers()] == list(pcscd.reader_names)


def test_badge_insertion_is_seen_and_its_uid_is_read(pcscd, virtual_card):
    reader = pcscd.reader_names[0]
    card = virtual_card(uid=UID, reader=0)
    service = CardRequest(timeout=10, cardType=AnyCardType(), readers=[reader]).waitforcard()
    connection = service.connection
    connection.connect()
    try:
        assert bytes(connection.getATR()) == BADGE_ATR
        data, sw1, sw2 = connection.transmit([0xFF, 0xCA, 0x00, 0x00, 0x00])
        assert (sw1, sw2) == (0x90, 0x00)
        assert bytes(data) == UID
        assert bytes.fromhex("FFCA000000") in card.apdus
    finally:
        connection.disconnect()
        connection.release()
    card.remove()
    card.wait_gone()


def test_badge_on_second_reader_leaves_first_reader_empty(pcscd, virtual_card):
    from harness.pcsc import card_is_present

    card = virtual_card(uid=bytes.fromhex("0A0B0C0D"), reader=1)
    card.wait_seen()
    assert card_is_present(pcscd.reader_names[1])
    assert not card_is_present(pcscd.reader_names[0])


def test_virtual_card_answers_wrong_length_and_unknown_commands_like_a_badge(pcscd, virtual_card):
    uid = bytes.fromhex("0A0B0C0D")
    card = virtual_card(uid=uid, reader=0, responses={bytes.fromhex("FFB0000410"): b"\x00" * 16
                                                      + b"\x90\x00"})
    card.wait_seen()
    reader = next(r for r in readers() if str(r) == pcscd.reader_names[0])
    connection = reader.createConnection()
    connection.connect()
    try:
        assert connection.transmit([0xFF, 0xCA, 0x00, 0x00, 0x07])[1:] == (0x6C, len(uid))
        assert connection.transmit([0xFF, 0xCA, 0x00, 0x00, 0x04]) == (list(uid), 0x90, 0x00)
        assert connection.transmit([0x00, 0xA4, 0x04, 0x00, 0x00])[1:] == (0x6D, 0x00)
        assert connection.transmit([0xFF, 0xB0, 0x00, 0x04, 0x10]) == ([0] * 16, 0x90, 0x00)
    finally:
        connection.disconnect()
        connection.release()
