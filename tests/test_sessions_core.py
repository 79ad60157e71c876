"""Session core: states, inactivity, wipe guarantee, anonymised record, store faults."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from kiosk.sessions import SessionState, open_core
from kiosk.sessions.clock import ManualClock
from kiosk.sessions.core import SessionCore
from kiosk.sessions.state import InvalidTransition
from kiosk.sessions.workspace import Artefact
from kiosk.storage import LocalStore
from kiosk_wire import config
from kiosk_wire.schema import (
    Accessibility,
    Activity,
    ActivityKind,
    AgeBracket,
    EndReason,
    Language,
    Satisfaction,
    SessionRecord,
    Survey,
    Theme,
)


def settings_for(tmp_path: Path, **overrides):
    values = {"kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram")}
    values.update(overrides)
    return config.defaults().with_overrides(values)


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def core(tmp_path, clock) -> SessionCore:
    c = open_core(settings_for(tmp_path), clock=clock)
    c.recover()
    return c


def queued(core: SessionCore) -> list[SessionRecord]:
    assert core.store is not None
    return [SessionRecord.model_validate(r.payload) for r in core.store.iter_all()]


def test_state_changes_are_notified_to_listeners(core):
    seen = []
    core.add_listener(lambda old, new: seen.append((old, new)))
    core.start()
    core.end(EndReason.FINISHED, offer_survey=False)
    assert seen == [
        (SessionState.IDLE, SessionState.ACTIVE),
        (SessionState.ACTIVE, SessionState.ENDING),
        (SessionState.ENDING, SessionState.IDLE),
    ]


def test_a_broken_listener_does_not_break_the_session(core):
    core.add_listener(lambda old, new: 1 / 0)
    core.start()
    assert core.state is SessionState.ACTIVE


def test_impossible_transition_is_refused(core):
    core.start()
    with pytest.raises(InvalidTransition):
        core.back_in_service()  # a session must end (and be wiped) first
    core.set_out_of_order()
    with pytest.raises(InvalidTransition):
        core.start()


def test_idle_session_warns_after_timeout_and_touch_cancels_warning(core, clock):
    core.start()
    clock.advance(179)
    core.tick()
    assert core.state is SessionState.ACTIVE
    clock.advance(1)
    core.tick()
    assert core.state is SessionState.IDLE_WARNING
    assert core.warning_remaining() == 30
    clock.advance(10)
    assert core.warning_remaining() == 20
    core.touch()
    assert core.state is SessionState.ACTIVE
    clock.advance(179)
    core.tick()
    assert core.state is SessionState.ACTIVE


def test_idle_session_is_wiped_after_warning(core, clock):
    session = core.start()
    scan = core.new_file(".png", label="scan")
    scan.write_bytes(b"pixels")
    core.remember("nir", "185077512345622")
    clock.advance(180)
    core.tick()
    clock.advance(30)
    core.tick()
    assert core.state is SessionState.IDLE
    assert not scan.exists()
    assert not session.workspace.path.exists()
    assert session.values == {}
    [record] = queued(core)
    assert record.end_reason is EndReason.IDLE_TIMEOUT


def test_pushed_idle_timeout_takes_effect(core, clock):
    core.idle.timeout_s = 60
    core.start()
    clock.advance(60)
    core.tick()
    assert core.state is SessionState.IDLE_WARNING


def test_session_files_are_private(core):
    session = core.start()
    path = core.new_file(".pdf")
    assert stat.S_IMODE(os.stat(session.workspace.path).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_session_dir_defaults_to_ram_backed_filesystem(tmp_path):
    settings = config.defaults().with_overrides({"kiosk.data_dir": str(tmp_path)})
    core = open_core(settings)
    if os.access("/dev/shm", os.W_OK):
        assert str(core.workspace_root).startswith("/dev/shm/")


def test_end_wipes_every_registered_artefact_and_unregistered_files(core):
    cancelled = []
    core.disposers.register("print_job", cancelled.append)
    session = core.start()
    registered = core.new_file(".png", label="scan")
    stray = session.workspace.path / "written-by-a-library.tmp"
    stray.write_bytes(b"x")
    core.register(Artefact("print_job", "42", label="print"))
    summary = core.end(EndReason.FINISHED, offer_survey=False)
    assert not registered.exists() and not stray.exists()
    assert cancelled == ["42"]
    assert (summary.scans, summary.prints, summary.failures) == (1, 1, 0)


def test_a_failing_disposer_does_not_stop_the_rest_of_the_wipe(core):
    def broken(ref: str) -> None:
        raise OSError("printer unplugged")

    core.disposers.register("print_job", broken)
    core.start()
    scan = core.new_file(".png", label="scan")
    core.register(Artefact("print_job", "7", label="print"))
    summary = core.end(EndReason.FINISHED, offer_survey=False)
    assert not scan.exists()
    assert summary.failures == 1


def test_record_is_anonymised_and_coarse(core, clock):
    core.start(Language.AR)
    core.set_accessibility({Accessibility.LARGE_TEXT, Accessibility.READ_ALOUD})
    core.remember("name", "Camille Martin")
    core.add_activity(Activity(kind=ActivityKind.PRACTICE, procedure_id="ameli-compte",
                               theme=Theme.SOCIAL_SANTE, steps_total=6, steps_reached=4))
    core.add_activity(Activity(kind=ActivityKind.HELP))
    clock.advance(17 * 60 + 40)
    core.end(EndReason.FINISHED)
    assert core.state is SessionState.ENDING  # the survey is offered first
    core.complete(Survey(age_bracket=AgeBracket.AGE_60_69, satisfaction=Satisfaction.SATISFIED))
    [record] = queued(core)
    assert record.duration_min == 20
    assert (record.day.isoformat(), record.hour) == ("2026-03-02", 10)
    assert record.language is Language.AR
    assert record.help_requests == 1
    assert record.survey and record.survey.age_bracket is AgeBracket.AGE_60_69
    assert "Camille" not in core.store.path.read_bytes().decode("latin-1")


def test_unanswered_survey_is_skipped_after_a_while(core, clock):
    core.start()
    core.end(EndReason.FINISHED)
    clock.advance(59)
    core.tick()
    assert core.state is SessionState.ENDING
    clock.advance(1)
    core.tick()
    assert core.state is SessionState.IDLE
    assert queued(core)[0].survey is None


def test_out_of_order_ends_the_session_first(core):
    core.start()
    scan = core.new_file(".png")
    core.set_out_of_order(EndReason.REMOTE)
    assert core.state is SessionState.OUT_OF_ORDER and not scan.exists()
    assert queued(core)[0].end_reason is EndReason.REMOTE
    core.back_in_service()
    assert core.state is SessionState.IDLE


def test_crashed_session_is_wiped_and_recorded_once_at_next_start(tmp_path, clock):
    settings = settings_for(tmp_path)
    first = open_core(settings, clock=clock)
    session = first.start()
    leftover = first.new_file(".png", label="scan")
    leftover.write_bytes(b"x")
    first.add_activity(Activity(kind=ActivityKind.SCAN, pages=2))
    first.store.close()
    del first  # the process "dies" here: no end(), no wipe

    second = open_core(settings, clock=clock)
    assert second.recover() == 1
    assert not leftover.exists() and not session.workspace.path.exists()
    [record] = queued(second)
    assert record.end_reason is EndReason.CRASH_RECOVERED
    assert record.activities[0].pages == 2
    third = open_core(settings, clock=clock)
    assert third.recover() == 0
    assert len(queued(third)) == 1


def test_unwritable_store_still_runs_and_wipes_sessions(tmp_path, clock):
    blocker = tmp_path / "data"
    blocker.write_text("a file where the data directory should be")
    settings = settings_for(tmp_path).with_overrides({"kiosk.data_dir": str(blocker)})
    core = open_core(settings, clock=clock)
    assert core.store is None and core.faults
    core.start()
    scan = core.new_file(".png")
    core.end(EndReason.FINISHED, offer_survey=False)
    assert not scan.exists()
    assert core.state is SessionState.IDLE
    assert len(core.unqueued) == 1  # kept in memory, never dropped


def test_full_store_keeps_records_in_memory_and_flushes_them_later(tmp_path, clock):
    store = LocalStore(tmp_path / "k.sqlite")
    store.enqueue("already-queued", {"x": 1})
    core = SessionCore(store, tmp_path / "journal", tmp_path / "ram", clock=clock)
    pages = store.db.execute("PRAGMA page_count").fetchone()[0]
    store.db.execute(f"PRAGMA max_page_count = {pages}")
    for _ in range(30):
        core.start()
        core.add_activity(Activity(kind=ActivityKind.SCAN, pages=1))
        core.end(EndReason.FINISHED, offer_survey=False)
    assert core.unqueued and core.faults
    assert store.has_event("already-queued")
    store.db.execute("PRAGMA max_page_count = 1000000")
    core.tick()
    assert core.unqueued == []
    assert store.queue_length() == 31
