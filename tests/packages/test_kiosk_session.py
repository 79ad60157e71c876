"""The terminal package booted for real: in a Debian 12 container running systemd, the kiosk's
seat session (kiosk-session.service: sway, under its headless backend here since a container has
no GPU, screen or tty1) and the app inside it (kiosk.service, through Xwayland).

Checks the welcome screen reaches the compositor's output (a grim screenshot, compared with the
demo's welcome screen rendered offscreen on this host), the watchdog restarting a frozen UI
(SIGSTOP), a crash loop backing off (kiosk-backoff.service) and starting again, and the
lockdown the package sets (Ctrl+Alt+Del masked, SysRq off, no spare VT, no key binding).

The hardware's stand-ins (headless backend, shorter watchdog and back-off) are in
kiosk_session.py.
"""
from __future__ import annotations

import base64
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from .container import REPO_ROOT, DebianContainer
from .kiosk_session import (
    APT_INSTALL,
    SESSION_ENV,
    WATCHDOG_S,
    show,
    start_kiosk_session,
    swaymsg,
    wait_for,
    welcome_shown,
)

# The first test of a module waits for the two builds (each up to 900 s, see conftest) and a
# booted container: far past the suite's 600 s per test when the other lanes share the cores.
pytestmark = [pytest.mark.slow, pytest.mark.packaging, pytest.mark.timeout(2400)]

# The demo's welcome screen (kiosk/demo.py's first stop), rendered offscreen on this host.
REFERENCE = """
import sys
from pathlib import Path
from kiosk.app import start_headless
from kiosk.demo import demo_settings
from kiosk.screens.driver import UiDriver
out = Path(sys.argv[1])
app = start_headless(demo_settings(out.parent / "data"))
try:
    UiDriver(app).screenshot(out)
finally:
    app.runtime.close()
"""


@pytest.fixture(scope="module")
def kiosk_session(debian: DebianContainer, debs) -> Iterator[DebianContainer]:
    first, _ = debs
    start_kiosk_session(debian, f"/debs/first/{first.deb('kiosk').name}")
    yield debian


def test_the_package_locks_the_console_down(debian, debs):
    first, _ = debs
    debian.run([*APT_INSTALL, f"/debs/first/{first.deb('kiosk').name}"])
    assert debian.sh("readlink /etc/systemd/system/ctrl-alt-del.target") == "/dev/null"
    assert "CtrlAltDelBurstAction=none" in debian.sh(
        "cat /usr/lib/systemd/system.conf.d/kiosk.conf")
    assert "kernel.sysrq = 0" in debian.sh("cat /usr/lib/sysctl.d/90-kiosk.conf")
    logind = debian.sh("cat /usr/lib/systemd/logind.conf.d/kiosk.conf")
    assert "NAutoVTs=0" in logind and "ReserveVT=0" in logind
    assert debian.sh("stat -c '%U %a' /etc/kiosk/credentials") == "root 700"
    assert "getty@tty1.service" in show(debian, "kiosk-session", "Conflicts")


def test_the_kiosk_boots_into_its_compositor_session_and_shows_the_welcome_screen(
        kiosk_session, tmp_path):
    debian = kiosk_session
    # A logind session of the kiosk user, opened by the unit's PAM stack.
    sessions = debian.sh("loginctl list-sessions --no-legend")
    assert any(line.split()[2] == "kiosk" for line in sessions.splitlines()), sessions
    assert show(debian, "kiosk-session", "User") == "kiosk"
    windows = wait_for(lambda: client_windows(json.loads(swaymsg(debian, "-t get_tree"))),
                       "the app's window in sway")
    # One window, the app's (an Xwayland client: it has X11 window properties), fullscreen.
    assert [(w["shell"], w["fullscreen_mode"]) for w in windows] == [("xwayland", 1)], windows
    assert swaymsg(debian, "-t get_binding_modes").split() == ['[', '"default"', ']']
    assert "bindsym" not in debian.sh("cat /run/kiosk-session/sway.conf")

    debian.run(["runuser", "-u", "kiosk", "--", "env", *SESSION_ENV.split(), "grim",
                "/run/kiosk-session/welcome.png"])
    shot = tmp_path / "welcome-in-session.png"
    shot.write_bytes(base64.b64decode(debian.sh("base64 -w0 /run/kiosk-session/welcome.png")))
    reference = tmp_path / "demo" / "welcome.png"
    made = subprocess.run([sys.executable, "-c", REFERENCE, str(reference)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert made.returncode == 0, made.stderr[-3000:]
    assert_looks_alike(shot, reference)


def client_windows(node: dict) -> list[dict]:
    """The application windows of a sway tree (the nodes with a client shell)."""
    found = [node] if node.get("shell") else []
    for child in node.get("nodes", []) + node.get("floating_nodes", []):
        found += client_windows(child)
    return found


def assert_looks_alike(shot: Path, reference: Path) -> None:
    """Same size, and on average within a few levels of grey per pixel: fonts and the GL
    rasteriser (llvmpipe here, pixman there) differ a little, a wrong screen differs a lot."""
    from PIL import Image, ImageChops, ImageStat

    a = Image.open(shot).convert("RGB")
    b = Image.open(reference).convert("RGB")
    assert a.size == b.size, (a.size, b.size)
    diff = ImageChops.difference(a, b)
    mean = sum(ImageStat.Stat(diff).mean) / 3
    differing = sum(1 for px in diff.convert("L").getdata() if px > 48) / (a.width * a.height)
    assert mean < 4 and differing < 0.03, f"{shot} vs {reference}: mean {mean:.2f}, " \
                                          f"{differing:.1%} of pixels differ"


def test_a_frozen_ui_is_restarted_by_the_watchdog(kiosk_session):
    debian = kiosk_session
    frozen = show(debian, "kiosk", "MainPID")
    debian.run(["kill", "-STOP", frozen])
    new_pid = wait_for(lambda: (pid := show(debian, "kiosk", "MainPID")) not in ("0", frozen)
                       and pid, "a new kiosk process", tries=4 * WATCHDOG_S + 60)
    journal = debian.sh("journalctl -u kiosk --no-pager -o cat")
    assert f"Watchdog timeout (limit {WATCHDOG_S}s)!" in journal
    wait_for(lambda: welcome_shown(debian), "the welcome screen again")
    assert new_pid != frozen


def test_a_crash_loop_backs_off_then_starts_the_kiosk_again(kiosk_session):
    debian = kiosk_session
    crash = "/etc/systemd/system/kiosk.service.d/crash.conf"
    # A kiosk that dies at every start, as a broken build would.
    debian.run(["tee", crash], input="[Service]\nExecStart=\nExecStart=/bin/sh -c 'exit 3'\n")
    try:
        debian.run(["systemctl", "daemon-reload"])
        debian.run(["systemctl", "restart", "kiosk"], check=False)
        wait_for(lambda: "kiosk.service: Start request repeated too quickly." in debian.sh(
            "journalctl -u kiosk --no-pager -o cat"), "the start limit of kiosk.service",
            tries=240)
        # Instead of a dead screen, kiosk-backoff.service takes over.
        wait_for(lambda: "Starting kiosk-backoff.service" in debian.sh(
            "journalctl --no-pager -o cat -u kiosk-backoff"), "kiosk-backoff started by OnFailure=")
    finally:  # the fault is fixed meanwhile
        debian.sh(f"rm -f {crash} && systemctl daemon-reload")
    wait_for(lambda: welcome_shown(debian), "the kiosk started again by kiosk-backoff",
             tries=240)
    assert "Finished kiosk-backoff.service" in debian.sh("journalctl --no-pager -o cat "
                                                         "-u kiosk-backoff")


def test_on_a_volatile_root_only_the_kiosks_store_and_settings_survive(kiosk_session, tmp_path):
    """docs/install.md's power-cut safety: the root in RAM (nspawn --volatile=overlay stands in
    for the kernel's systemd.volatile=overlay), /var/lib/kiosk and /etc/kiosk on a small
    writable partition (a host directory here)."""
    debian = kiosk_session
    debian.stop()
    partition = tmp_path / "kiosk-data"
    partition.mkdir()
    for src, name in (("var/lib/kiosk", "lib"), ("etc/kiosk", "etc")):
        subprocess.run(["cp", "-a", str(debian.root / src), str(partition / name)], check=True)
    starts_before = json.loads((partition / "lib" / "starts.json").read_text())["starts"]
    volatile = DebianContainer(debian.root, debian.binds, tmp_path / "volatile.log",
                               ("--volatile=overlay", f"--bind={partition / 'lib'}:/var/lib/kiosk",
                                f"--bind={partition / 'etc'}:/etc/kiosk"))
    try:
        volatile.boot()
        wait_for(lambda: welcome_shown(volatile), "the kiosk on a volatile root", tries=240)
        volatile.sh("echo lost > /etc/written-on-the-root")
        volatile.run(["runuser", "-u", "kiosk", "--", "sh", "-c",
                      "echo kept > /var/lib/kiosk/written-by-the-kiosk"])
        assert volatile.sh("findmnt -n -o FSTYPE /") == "overlay"
    finally:
        volatile.stop()
    assert not (debian.root / "etc" / "written-on-the-root").exists()
    assert (partition / "lib" / "written-by-the-kiosk").read_text() == "kept\n"
    # The kiosk's own writes (its start count, kiosk/restarts.py) reached the partition.
    assert json.loads((partition / "lib" / "starts.json").read_text())["starts"] != starts_before
