"""Shared by the container tests that run the kiosk for real: the terminal package installed,
set up, and its seat session started under sway's headless backend.

Drop-ins stand in for the hardware only: the headless backend instead of the GPU and tty1, a
10 s watchdog and a 3 s back-off pause instead of 30 s and 60 s (the same mechanisms, sooner).
"""
from __future__ import annotations

import base64
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .container import ContainerError, DebianContainer

APT_INSTALL = ["apt-get", "install", "-y", "-q", "--no-install-recommends"]
SESSION_ENV = "XDG_RUNTIME_DIR=/run/kiosk-session WAYLAND_DISPLAY=wayland-1"
WATCHDOG_S = 10
DROP_INS = {
    # No GPU, screen, input device or tty1 in a container: sway's headless backend, no VT.
    "kiosk-session.service.d/headless.conf": """[Service]
StandardInput=null
TTYPath=
TTYReset=no
TTYVHangup=no
TTYVTDisallocate=no
UtmpIdentifier=
Environment=WLR_BACKENDS=headless WLR_RENDERER=pixman WLR_LIBINPUT_NO_DEVICES=1
""",
    "kiosk.service.d/test-watchdog.conf": f"[Service]\nWatchdogSec={WATCHDOG_S}\n",
    "kiosk-backoff.service.d/test-pause.conf":
        "[Service]\nExecStartPre=\nExecStartPre=/bin/sleep 3\n",
}
# The container has no printer, scanner or badge reader: the demo devices, as the demo uses.
DEMO_DEVICES = """
[devices]
printer_backend = "demo"
scanner_backend = "demo"
reader_backend = "demo"
hotplug_backend = "demo"
"""
def wait_for(check: Callable[[], Any], what: str, tries: int = 120, pause: float = 0.5) -> Any:
    """Poll until ``check()`` is truthy (readiness, not a timing assertion)."""
    last = None
    for _ in range(tries):
        last = check()
        if last:
            return last
        time.sleep(pause)
    raise AssertionError(f"never happened: {what} (last: {last!r})")


def show(debian: DebianContainer, unit: str, prop: str) -> str:
    return debian.sh(f"systemctl show -p {prop} --value {unit}")


def welcome_shown(debian: DebianContainer) -> bool:
    return (show(debian, "kiosk", "ActiveState") == "active"
            and show(debian, "kiosk", "StatusText") == "welcome screen shown")


def swaymsg(debian: DebianContainer, command: str) -> str:
    return debian.sh(f"runuser -u kiosk -- env {SESSION_ENV} "
                     f"SWAYSOCK=$(ls /run/kiosk-session/sway-ipc.*.sock) swaymsg {command}")


def as_session_user(debian: DebianContainer, *argv: str) -> str:
    """Run a program as the kiosk's user in its seat session (Wayland and X11 displays)."""
    return debian.run(["runuser", "-u", "kiosk", "--", "env", *SESSION_ENV.split(), "DISPLAY=:0",
                       *argv]).stdout


def screenshot(debian: DebianContainer, dest: Path) -> Path:
    """The compositor's output now (grim), copied out of the container to ``dest``."""
    as_session_user(debian, "grim", "/run/kiosk-session/shot.png")
    dest.write_bytes(base64.b64decode(debian.sh("base64 -w0 /run/kiosk-session/shot.png")))
    return dest


def start_kiosk_session(debian: DebianContainer, deb: str, extra: tuple[str, ...] = ()) -> None:
    """Install the kiosk package (with grim and the ``extra`` packages), set it up on demo
    devices, start its session with the demo's window size, and wait for the welcome screen."""
    debian.run([*APT_INSTALL, deb, "grim", *extra])
    debian.run(["kiosk", "setup", "--server-url", "https://stats.example.invalid",
                "--kiosk-token", "tok-1", "--name", "Borne accueil", "--pin", "482915",
                "--no-start"])
    debian.sh(f"cat >> /etc/kiosk/kiosk.toml <<'EOF'\n{DEMO_DEVICES}EOF")
    for name, text in DROP_INS.items():
        debian.sh(f"mkdir -p /etc/systemd/system/{name.split('/')[0]}")
        debian.run(["tee", f"/etc/systemd/system/{name}"], input=text)
    debian.run(["systemctl", "daemon-reload"])
    # The session first, to give its headless output the demo's window size.
    started = debian.run(["systemctl", "start", "kiosk-session"], check=False)
    if started.returncode != 0:
        raise ContainerError("kiosk-session did not start:\n" + debian.sh(
            "journalctl --no-pager -o short-monotonic -n 80 | grep -v pam_"))
    swaymsg(debian, "output HEADLESS-1 mode 1280x800")
    debian.run(["systemctl", "start", "kiosk"])
    wait_for(lambda: welcome_shown(debian), "the kiosk's welcome screen")
