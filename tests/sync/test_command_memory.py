"""A kiosk remembers the commands it applied across a restart (issue #6): killed after applying
"end session" but before confirming it, the restarted kiosk confirms it in its first heartbeat
and never applies it again to the NEW resident's session."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from kiosk.sessions import open_core
from kiosk.sessions.state import SessionState
from kiosk.sync.heartbeat import APPLIED_KV_KEY, HeartbeatClient
from kiosk.sync.link import ServerLink
from kiosk_server import live
from kiosk_wire.schema import Command, CommandKind, EndReason, HeartbeatReply

WORKER = Path(__file__).with_name("command_worker.py")


def _command(server, kind: CommandKind) -> int:
    with server.engine.begin() as conn:
        return live.queue_command(conn, server.tenant.kiosk_id, kind)


def _acked_at(server, command_id: int):
    with server.engine.connect() as conn:
        [row] = [c for c in live.commands_of(conn, server.tenant.kiosk_id)
                 if c["id"] == command_id]
    return row["acked_at"]


def _run_killed_kiosk(server, settings) -> dict:
    """The kiosk process: one heartbeat applied, then SIGKILL before the confirmation."""
    worker = subprocess.Popen(
        [sys.executable, str(WORKER), str(settings.data_dir),
         str(settings.get("kiosk.session_dir")), server.url, server.tenant.token],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=str(Path(__file__).parents[2]))
    try:
        line = worker.stdout.readline()
        assert line, worker.stderr.read()
        return json.loads(line)
    finally:
        worker.kill()
        worker.wait(30)


def test_a_kiosk_killed_before_confirming_end_session_does_not_end_the_next_session(
        live_server, kiosk_settings, clock):
    command_id = _command(live_server, CommandKind.END_SESSION)
    seen = _run_killed_kiosk(live_server, kiosk_settings)
    assert seen == {"state": "idle", "commands": [command_id]}  # applied: the session ended
    assert _acked_at(live_server, command_id) is None           # ...but never confirmed

    # The kiosk restarts and a new resident begins a session at once.
    core = open_core(kiosk_settings, clock=clock)
    try:
        core.recover()
        assert core.store.kv_get(APPLIED_KV_KEY) == [command_id]
        core.start()
        beats = HeartbeatClient(core, live_server.link())
        assert beats.status().acked_commands == [command_id]
        reply = beats.beat_once()
        assert reply is not None and reply.commands == []       # the server stopped sending it
        assert core.state is SessionState.ACTIVE                 # the new session goes on
        assert _acked_at(live_server, command_id) is not None
        assert core.store.kv_get(APPLIED_KV_KEY) == []           # forgotten once confirmed

        # The same command delivered late (a reply built before the confirmation landed, e.g.
        # by another server process): still not applied again.
        beats.apply(HeartbeatReply(commands=[Command(id=command_id,
                                                     kind=CommandKind.END_SESSION)]))
        assert core.state is SessionState.ACTIVE
        core.end(EndReason.FINISHED, offer_survey=False)
        records = [r.payload["end_reason"] for r in core.store.iter_all()]
        # One session ended remotely (before the restart), the new one by its resident.
        assert sorted(records) == sorted([EndReason.REMOTE.value, EndReason.FINISHED.value])
    finally:
        core.store.close()


def test_a_command_replayed_to_a_restarted_kiosk_is_confirmed_not_reapplied(
        live_server, kiosk_settings, clock):
    """The restart comes between applying and the heartbeat thread's next beat, in process:
    the first client's reply is replayed to the second one, as a second server process would."""
    first_core = open_core(kiosk_settings, clock=clock)
    first_core.start()
    command_id = _command(live_server, CommandKind.OUT_OF_ORDER)
    first = HeartbeatClient(first_core, live_server.link())
    reply = first.beat_once()
    assert [c.id for c in reply.commands] == [command_id]
    assert first_core.state is SessionState.OUT_OF_ORDER
    first_core.store.close()  # "restart": nothing of the first client's memory survives

    core = open_core(kiosk_settings, clock=clock)
    try:
        core.recover()
        assert core.state is SessionState.IDLE  # a fresh process starts idle...
        core.start()
        beats = HeartbeatClient(core, live_server.link())
        beats.apply(reply)  # ...and is handed the command again: not applied
        assert core.state is SessionState.ACTIVE
        assert beats.beat_once() is not None  # confirmed
        assert _acked_at(live_server, command_id) is not None
        assert core.store.kv_get(APPLIED_KV_KEY) == []
    finally:
        core.store.close()


def test_confirmations_beyond_what_one_heartbeat_holds_wait_for_the_next(core, in_process):
    client, _engine, _tenant = in_process
    core.store.kv_set(APPLIED_KV_KEY, list(range(1, 151)))  # left by an earlier process
    beats = HeartbeatClient(core, ServerLink("http://testserver", "the TestClient has the token"))
    assert beats.status().acked_commands == list(range(1, 101))  # the schema's bound
    assert beats.beat_once(client) is not None
    assert core.store.kv_get(APPLIED_KV_KEY) == list(range(101, 151))
    assert beats.beat_once(client) is not None
    assert core.store.kv_get(APPLIED_KV_KEY) == []


def test_a_damaged_memory_of_commands_is_ignored(core):
    core.store.kv_set(APPLIED_KV_KEY, {"not": "a list"})
    assert HeartbeatClient(core, None).status().acked_commands == []
    core.store.kv_set(APPLIED_KV_KEY, [3, "4", True, None])
    assert HeartbeatClient(core, None).status().acked_commands == [3]


def test_end_session_meant_for_an_earlier_session_is_not_delivered(core, clock, in_process):
    """The mediator asked to end a session; the kiosk went offline, that session ended, a new
    resident started one: the old command must not end the new session."""
    import datetime as dt

    from kiosk_server import tables as t

    client, engine, tenant = in_process
    with engine.begin() as conn:
        stale = live.queue_command(conn, tenant.kiosk_id, CommandKind.END_SESSION)
        conn.execute(t.kiosk_commands.update().where(t.kiosk_commands.c.id == stale).values(
            created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)))
        out_of_order = live.queue_command(conn, tenant.kiosk_id, CommandKind.OUT_OF_ORDER)
        conn.execute(t.kiosk_commands.update().where(t.kiosk_commands.c.id == out_of_order)
                     .values(created_at=dt.datetime.now(dt.UTC) - dt.timedelta(minutes=10)))
    core.start()
    clock.advance(120)  # the new session began 2 minutes ago
    beats = HeartbeatClient(core, ServerLink("http://testserver", "the TestClient has it"))
    reply = beats.beat_once(client)
    # Only the stale "end session" is held back; "out of order" still applies whenever.
    assert [c.id for c in reply.commands] == [out_of_order]
    assert core.state is SessionState.OUT_OF_ORDER
    with engine.connect() as conn:
        commands = {c["id"]: c for c in live.commands_of(conn, tenant.kiosk_id)}
    assert commands[stale]["acked_at"] is not None and commands[stale]["delivered_at"] is None


def test_end_session_asked_during_the_current_session_is_delivered(core, clock, in_process):
    client, engine, tenant = in_process
    core.start()
    clock.advance(600)
    command_id = _command_in_process(engine, tenant)
    beats = HeartbeatClient(core, ServerLink("http://testserver", "the TestClient has it"))
    reply = beats.beat_once(client)
    assert [c.id for c in reply.commands] == [command_id]
    assert core.state is SessionState.IDLE


def _command_in_process(engine, tenant) -> int:
    with engine.begin() as conn:
        return live.queue_command(conn, tenant.kiosk_id, CommandKind.END_SESSION)
