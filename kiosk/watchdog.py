"""systemd's service watchdog, fed by the kiosk's UI loop.

The unit is ``Type=notify`` with ``WatchdogSec=``: the kiosk says READY=1 once its welcome
screen is on the glass, then WATCHDOG=1 from the Kivy clock, i.e. from the UI thread itself. A
frozen UI (a hung driver call, a deadlock, a stopped process) stops the pings and systemd
restarts the kiosk; background threads (the heartbeat) keep running in a frozen app, which is
why they must not be the ones that ping. ``stalled_s()`` tells the heartbeat how long the UI
has not ticked, so the console can show a kiosk that is frozen before systemd acts.

The protocol is systemd's (sd_notify(3)): datagrams of ``KEY=value`` lines to the Unix socket in
``$NOTIFY_SOCKET`` (``@`` for the abstract namespace); ``$WATCHDOG_USEC`` (for ``$WATCHDOG_PID``)
is the deadline. Outside systemd (demo, tests, a developer's terminal) nothing is sent.
"""
from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable, Mapping

log = logging.getLogger(__name__)


class SystemdNotifier:
    """Sends sd_notify messages; does nothing when the process was not started by systemd."""

    def __init__(self, environ: Mapping[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        path = env.get("NOTIFY_SOCKET", "")
        self.address = "\0" + path[1:] if path.startswith("@") else path
        self._sock: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return bool(self.address)

    def notify(self, *fields: str) -> bool:
        """Send ``fields`` (e.g. ``"READY=1"``); False when not under systemd or not delivered."""
        if not self.address:
            return False
        try:
            if self._sock is None:
                self._sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._sock.sendto("\n".join(fields).encode(), self.address)
            return True
        except OSError as err:  # systemd went away, or the socket is not ours: log, go on
            log.warning("sd_notify failed: %s", err)
            return False

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None


def watchdog_interval_s(environ: Mapping[str, str] | None = None) -> float | None:
    """How often to ping: half of systemd's deadline (its own advice), None without a watchdog."""
    env = os.environ if environ is None else environ
    usec = env.get("WATCHDOG_USEC", "")
    pid = env.get("WATCHDOG_PID", "")
    if not usec.isdigit() or int(usec) == 0 or (pid and pid != str(os.getpid())):
        return None
    return int(usec) / 1_000_000 / 2


class UiWatchdog:
    """READY=1 once, then WATCHDOG=1 at each :meth:`tick` of the UI loop."""

    def __init__(self, notifier: SystemdNotifier | None = None,
                 clock: Callable[[], float] = time.monotonic,
                 environ: Mapping[str, str] | None = None) -> None:
        self.notifier = notifier or SystemdNotifier(environ)
        self.interval_s = watchdog_interval_s(environ)
        self._clock = clock
        self._last_tick: float | None = None
        self._ready = False

    def ready(self, status: str = "welcome screen shown") -> None:
        self._last_tick = self._clock()
        self._ready = True
        self.notifier.notify("READY=1", f"STATUS={status}")

    def tick(self) -> None:
        """Called by the UI thread's clock: proof that the UI loop turns."""
        self._last_tick = self._clock()
        # Pings start with READY=1: the clock may turn before the welcome screen is up.
        if self.interval_s is not None and self._ready:
            self.notifier.notify("WATCHDOG=1")

    def stopping(self) -> None:
        self.notifier.notify("STOPPING=1")

    def stalled_s(self) -> float:
        """Seconds since the UI loop last ticked (0 before it started)."""
        if self._last_tick is None:
            return 0.0
        return max(0.0, self._clock() - self._last_tick)
