"""Badge reader contract, against pcscd + a virtual card on vpcd AND the demo reader."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from kiosk.devices import open_reader
from kiosk.devices.demo_reader import DemoReader
from kiosk.devices.reader import CardReader, ReaderState
from kiosk.devices.scheduling import QueueScheduler
from kiosk.sessions.badges import BadgeRegistry
from kiosk.storage import LocalStore
from kiosk_wire import config

BADGE = bytes.fromhex("04A1B2C3D4E5F6")
STRANGER = bytes.fromhex("08112233")


@dataclass
class ReaderRig:
    reader: CardReader
    scheduler: QueueScheduler
    present: Callable[[bytes], Callable[[], None]]  # returns "take it away"


@pytest.fixture(params=["demo", pytest.param("pcsc", marks=pytest.mark.pcsc)])
def rig(request: pytest.FixtureRequest) -> Iterator[ReaderRig]:
    scheduler = QueueScheduler()
    if request.param == "demo":
        demo = DemoReader()
        reader = CardReader(demo, scheduler)

        def present_demo(uid: bytes) -> Callable[[], None]:
            demo.present(uid)
            return demo.take_away
        yield ReaderRig(reader, scheduler, present_demo)
        reader.close()
        return
    request.getfixturevalue("pcscd")
    virtual_card = request.getfixturevalue("virtual_card")
    settings = config.defaults().with_overrides({"devices.reader_backend": "pcsc"})
    reader = open_reader(settings, scheduler)
    assert reader.backend_name == "pcsc"

    def present_card(uid: bytes) -> Callable[[], None]:
        card = virtual_card(uid=uid, reader=0)
        return card.remove
    yield ReaderRig(reader, scheduler, present_card)
    reader.close()


def test_reader_is_detected(rig):
    assert rig.scheduler.run_until(lambda: rig.reader.state is ReaderState.READY, 10)
    assert rig.reader.reader_names


def test_insertion_gives_the_uid_and_removal_is_seen(rig):
    inserted: list[bytes] = []
    removed: list[bool] = []
    rig.reader.add_card_listener(inserted.append, lambda: removed.append(True))
    take_away = rig.present(BADGE)
    assert rig.scheduler.run_until(lambda: inserted == [BADGE], 10), inserted
    assert rig.reader.state is ReaderState.CARD_PRESENT and rig.reader.card_uid == BADGE
    take_away()
    assert rig.scheduler.run_until(lambda: removed == [True], 10)
    assert rig.reader.state is ReaderState.READY and rig.reader.card_uid is None


def test_enrolled_badge_unlocks_and_unknown_badge_is_refused(rig, tmp_path):
    store = LocalStore(tmp_path / "kiosk.sqlite")
    registry = BadgeRegistry(store, tmp_path / "badges.key")
    registry.enrol(BADGE, "Camille")
    verdicts: list[bool] = []
    rig.reader.add_card_listener(lambda uid: verdicts.append(registry.verify(uid)))
    for uid, expected in ((BADGE, [True]), (STRANGER, [True, False])):
        take_away = rig.present(uid)
        assert rig.scheduler.run_until(lambda want=expected: verdicts == want, 10), verdicts
        take_away()
        assert rig.scheduler.run_until(lambda: rig.reader.state is ReaderState.READY, 10)
    store.close()


def test_wait_for_card_returns_the_next_badge(rig):
    import threading

    result: list[bytes | None] = []
    waiter = threading.Thread(target=lambda: result.append(rig.reader.wait_for_card(10)))
    waiter.start()
    take_away = rig.present(BADGE)  # before or after the waiter starts: both must work
    waiter.join(15)
    take_away()
    assert result == [BADGE]


@pytest.mark.pcsc
def test_card_without_a_readable_uid_is_refused_like_an_unknown_badge(pcscd, virtual_card,
                                                                      tmp_path):
    scheduler = QueueScheduler()
    reader = open_reader(config.defaults().with_overrides({"devices.reader_backend": "pcsc"}),
                         scheduler)
    store = LocalStore(tmp_path / "kiosk.sqlite")
    registry = BadgeRegistry(store, tmp_path / "badges.key")
    registry.enrol(BADGE, "Camille")
    verdicts: list[tuple[bytes, bool]] = []
    reader.add_card_listener(lambda uid: verdicts.append((uid, registry.verify(uid))))
    try:
        # A bank card, say: it answers "function not supported" to GET UID.
        card = virtual_card(uid=BADGE, reader=0,
                            responses={bytes.fromhex("FFCA000000"): bytes.fromhex("6A81")})
        assert scheduler.run_until(lambda: bool(verdicts), 10)
        assert verdicts == [(b"", False)]
        card.remove()
    finally:
        reader.close()
        store.close()
