"""systemd's watchdog: the real `kiosk run` (offscreen) says READY=1 once its welcome screen is
shown, then pings from its UI loop; a frozen UI (the process stopped) stops the pings, which is
what makes systemd restart it. The socket is a real sd_notify datagram socket, as systemd's."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kiosk.watchdog import SystemdNotifier, UiWatchdog, watchdog_interval_s

pytestmark = [pytest.mark.display, pytest.mark.slow]


def receive(sock: socket.socket, seconds: float) -> list[str]:
    """Every message that arrives within ``seconds``."""
    got: list[str] = []
    deadline = time.monotonic() + seconds
    while (left := deadline - time.monotonic()) > 0:
        sock.settimeout(left)
        try:
            got.extend(sock.recv(4096).decode().splitlines())
        except TimeoutError:
            break
    return got


def receive_until(sock: socket.socket, wanted: str, count: int, seconds: float) -> list[str]:
    got: list[str] = []
    deadline = time.monotonic() + seconds
    while got.count(wanted) < count and (left := deadline - time.monotonic()) > 0:
        got.extend(receive(sock, min(left, 1.0)))
    return got


def test_a_frozen_ui_stops_the_watchdog_pings(tmp_path: Path):
    notify = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    notify.bind(str(tmp_path / "notify"))
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("KIOSK_") and k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.update({"NOTIFY_SOCKET": str(tmp_path / "notify"), "WATCHDOG_USEC": "2000000",
                "SDL_VIDEODRIVER": "offscreen", "KIOSK_KIOSK_DATA_DIR": str(tmp_path / "data"),
                "KIOSK_DEVICES_PRINTER_BACKEND": "demo", "KIOSK_DEVICES_SCANNER_BACKEND": "demo",
                "KIOSK_DEVICES_READER_BACKEND": "demo", "KIOSK_DEVICES_HOTPLUG_BACKEND": "demo"})
    kiosk = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "run"], env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        got = receive_until(notify, "WATCHDOG=1", 2, seconds=120)
        assert "READY=1" in got, (got, kiosk.poll())
        assert got.index("READY=1") < got.index("WATCHDOG=1")
        kiosk.send_signal(signal.SIGSTOP)  # the UI loop stops turning, as in a hung driver call
        receive(notify, 0.5)  # what was already on its way
        assert "WATCHDOG=1" not in receive(notify, 3.0)
        kiosk.send_signal(signal.SIGCONT)
        assert "WATCHDOG=1" in receive_until(notify, "WATCHDOG=1", 1, seconds=30)
        kiosk.terminate()
        kiosk.wait(30)
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait(10)
        notify.close()


def test_outside_systemd_nothing_is_sent_and_no_watchdog_is_armed():
    watchdog = UiWatchdog(environ={})
    assert not watchdog.notifier.enabled and watchdog.interval_s is None
    watchdog.ready()
    watchdog.tick()
    assert watchdog.stalled_s() < 1


def test_the_watchdog_interval_is_half_of_systemds_deadline_for_this_process_only():
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000"}) == 15
    assert watchdog_interval_s({"WATCHDOG_USEC": "30000000", "WATCHDOG_PID": "1"}) is None
    assert watchdog_interval_s({"WATCHDOG_USEC": "0"}) is None


def test_an_abstract_notify_socket_is_reached(tmp_path: Path):
    name = f"kiosk-test-{os.getpid()}"
    server = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    server.bind("\0" + name)
    try:
        assert SystemdNotifier({"NOTIFY_SOCKET": "@" + name}).notify("READY=1")
        assert receive(server, 2.0) == ["READY=1"]
    finally:
        server.close()


def test_the_heartbeat_can_tell_how_long_the_ui_loop_has_stalled():
    now = [100.0]
    watchdog = UiWatchdog(environ={}, clock=lambda: now[0])
    watchdog.ready()
    now[0] += 42
    assert watchdog.stalled_s() == 42
    watchdog.tick()
    assert watchdog.stalled_s() == 0
