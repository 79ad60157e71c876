"""Pushed settings and commands from a heartbeat reply change the kiosk's behaviour."""
from __future__ import annotations

from kiosk.sessions import open_core
from kiosk.sessions.state import SessionState
from kiosk.sync.heartbeat import HeartbeatClient
from kiosk.sync.link import ServerLink
from kiosk_server import live, tenancy
from kiosk_wire.schema import CommandKind, EndReason, PushedSettings

LINK = ServerLink("http://testserver", "unused: the TestClient carries the token")


class UiThread:
    """Stands for the Kivy clock: scheduled functions run only when the 'frame' runs."""

    def __init__(self) -> None:
        self.pending: list = []

    def __call__(self, fn, delay=0) -> None:
        self.pending.append(fn)

    def run(self) -> None:
        while self.pending:
            self.pending.pop(0)()


def heartbeat(core, ui=None, **kw) -> HeartbeatClient:
    return HeartbeatClient(core, LINK, schedule=ui, **kw)


def push(engine, tenant, **settings) -> None:
    with engine.begin() as conn:
        tenancy.set_pushed_settings(conn, tenant.kiosk_id, PushedSettings(**settings))


def command(engine, tenant, kind: CommandKind) -> int:
    with engine.begin() as conn:
        return live.queue_command(conn, tenant.kiosk_id, kind)


def test_pushed_idle_timeout_shortens_the_idle_warning(core, clock, in_process):
    client, engine, tenant = in_process
    core.start()
    clock.advance(25)
    core.tick()
    assert core.state is SessionState.ACTIVE  # default 180 s
    push(engine, tenant, idle_timeout_s=20, idle_warning_s=10)
    ui = UiThread()
    hb = heartbeat(core, ui)
    hb.beat_once(client)
    assert core.idle.timeout_s == 180  # nothing applied outside the UI thread
    ui.run()
    assert (core.idle.timeout_s, core.idle.warning_s) == (20, 10)
    core.touch()
    clock.advance(21)
    core.tick()
    assert core.state is SessionState.IDLE_WARNING
    clock.advance(11)
    core.tick()
    assert core.state is SessionState.IDLE
    [queued] = list(core.store.iter_all())
    assert queued.payload["end_reason"] == "idle_timeout"


def test_other_pushed_settings_reach_listeners_and_survive_a_restart(core, in_process,
                                                                    kiosk_settings, clock):
    client, engine, tenant = in_process
    push(engine, tenant, idle_timeout_s=45, print_quota_pages=3,
         enabled_procedures=["caf-trimestrielle"], banner="Fermeture à 16 h")
    seen = []
    hb = heartbeat(core)
    hb.add_settings_listener(seen.append)
    hb.beat_once(client)
    assert seen[-1].print_quota_pages == 3 and seen[-1].banner == "Fermeture à 16 h"
    assert hb.pushed.enabled_procedures == ["caf-trimestrielle"]
    restarted = open_core(kiosk_settings, clock=clock, store=core.store)
    offline = HeartbeatClient(restarted, None)
    assert offline.pushed.print_quota_pages == 3
    assert restarted.idle.timeout_s == 45


def test_end_session_command_ends_the_session_and_is_confirmed(core, in_process):
    client, engine, tenant = in_process
    core.start()
    cid = command(engine, tenant, CommandKind.END_SESSION)
    ui = UiThread()
    hb = heartbeat(core, ui)
    reply = hb.beat_once(client)
    assert [c.id for c in reply.commands] == [cid]
    assert core.state is SessionState.ACTIVE
    ui.run()
    assert core.state is SessionState.IDLE
    [queued] = list(core.store.iter_all())
    assert queued.payload["end_reason"] == EndReason.REMOTE.value
    assert hb.status().acked_commands == [cid]
    assert hb.beat_once(client).commands == []  # the server recorded the confirmation
    with engine.connect() as conn:
        [row] = live.commands_of(conn, tenant.kiosk_id)
    assert row["acked_at"] is not None
    assert hb.status().acked_commands == []


def test_out_of_order_then_back_in_service(core, in_process):
    client, engine, tenant = in_process
    core.start()
    command(engine, tenant, CommandKind.OUT_OF_ORDER)
    hb = heartbeat(core)
    hb.beat_once(client)
    assert core.state is SessionState.OUT_OF_ORDER
    assert [r.payload["end_reason"] for r in core.store.iter_all()] == ["remote"]
    hb.beat_once(client)
    with engine.connect() as conn:
        [status] = live.kiosk_statuses(conn)
    assert status["state"] == "out_of_order"
    command(engine, tenant, CommandKind.BACK_IN_SERVICE)
    hb.beat_once(client)
    assert core.state is SessionState.IDLE
    core.start()  # residents can use it again
    assert core.state is SessionState.ACTIVE


def test_a_command_is_applied_once_even_if_delivered_twice(core, in_process):
    client, engine, tenant = in_process
    command(engine, tenant, CommandKind.OUT_OF_ORDER)
    ui = UiThread()
    hb = heartbeat(core, ui)
    reply = hb.beat_once(client)
    ui.run()
    assert core.state is SessionState.OUT_OF_ORDER
    core.back_in_service()  # a mediator puts it back by hand meanwhile
    hb.apply(reply)  # the same command delivered again (its confirmation was lost)
    assert core.state is SessionState.IDLE


def test_heartbeat_reports_state_procedure_devices_and_queue(core, clock, in_process):
    client, engine, _tenant = in_process
    core.start()
    core.end(EndReason.FINISHED, offer_survey=False)
    core.start()
    hb = heartbeat(core, device_states=lambda: {"printer": "paper_out"},
                   position=lambda: ("caf-trimestrielle", 2))
    hb.beat_once(client)
    with engine.connect() as conn:
        [status] = live.kiosk_statuses(conn)
    assert (status["state"], status["procedure_id"], status["step"]) \
        == ("active", "caf-trimestrielle", 2)
    assert status["devices"] == {"printer": "paper_out"}
    assert status["queue_length"] == 1
    assert status["online"] is True


def test_unreachable_server_leaves_the_kiosk_as_it_is(core):
    hb = HeartbeatClient(core, ServerLink.checked("http://127.0.0.1:9", "t", timeout_s=2))
    assert hb.beat_once() is None
    assert hb.last_error
    assert core.state is SessionState.IDLE
