"""The terminal package booted for real: in a Debian 12 container running systemd, the kiosk's
seat session (kiosk-session.service: sway, under its headless backend here since a container has
no GPU, screen or tty1) and the app inside it (kiosk.service, through Xwayland).

Checks, in one boot: the welcome screen reaches the compositor's output (a grim screenshot,
compared with the demo's screens rendered offscreen on this host by demo_reference.py); an
official site's page drawn inside the kiosk's own window, between its controls (Chromium is
headless: the compositor has no second window to place); the lockdown at work in the running
system (Ctrl+Alt+Del and its burst ignored by PID 1, SysRq written off by the boot's sysctl
pass, no key of the session's keymap switching VT or killing the compositor, no spare VT after
a reboot); the screen's rotation and idle power-off applied by the compositor from the
settings; the watchdog restarting a frozen UI (SIGSTOP); a crash loop backing off
(kiosk-backoff.service) and starting again; and a volatile root.

The hardware's stand-ins (headless backend, shorter watchdog and back-off) are in
kiosk_session.py. What only hardware shows is said in docs/install.md ("What the package locks
down"): the panel itself going dark, the touchscreen following the rotation, keys pressed on a
real keyboard on tty1.
"""
from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .container import REPO_ROOT, DebianContainer
from .kiosk_session import (
    APT_INSTALL,
    WATCHDOG_S,
    as_session_user,
    screenshot,
    show,
    start_kiosk_session,
    swaymsg,
    wait_for,
    welcome_shown,
)

# The first test of a module waits for the two builds (each up to 900 s, see conftest) and a
# booted container: far past the suite's 600 s per test when the other lanes share the cores.
pytestmark = [pytest.mark.slow, pytest.mark.packaging, pytest.mark.timeout(2400)]

# chromium: the official sites' browser (a Recommends of the package, which the tests install
# without); xdotool touches the screen through Xwayland as a finger would; wtype presses a key
# through the compositor's virtual keyboard; xkbcli (libxkbcommon-tools) compiles the keymap
# sway compiles.
SESSION_TOOLS = ("chromium", "xdotool", "wtype", "libxkbcommon-tools")
DEMO_REFERENCE = Path(__file__).with_name("demo_reference.py")


@pytest.fixture(scope="module")
def kiosk_session(debian: DebianContainer, debs) -> Iterator[DebianContainer]:
    first, _ = debs
    start_kiosk_session(debian, f"/debs/first/{first.deb('kiosk').name}", SESSION_TOOLS)
    # A port where nothing listens, with or without Internet access here: the kiosk's page
    # "Ce site ne répond pas", as the reference draws it.
    debian.sh("echo '127.0.0.1 www.caf.fr' >> /etc/hosts")
    yield debian


@pytest.fixture(scope="module")
def demo_screens(tmp_path_factory) -> Path:
    """The demo's screens and where to touch them, rendered on this host (demo_reference.py)."""
    out = tmp_path_factory.mktemp("demo")
    made = subprocess.run([sys.executable, str(DEMO_REFERENCE), str(out)], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=300, check=False)
    assert made.returncode == 0, made.stderr[-3000:]
    return out


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
        kiosk_session, demo_screens, tmp_path):
    debian = kiosk_session
    # A logind session of the kiosk user, opened by the unit's PAM stack.
    sessions = debian.sh("loginctl list-sessions --no-legend")
    assert any(line.split()[2] == "kiosk" for line in sessions.splitlines()), sessions
    assert show(debian, "kiosk-session", "User") == "kiosk"
    assert only_the_kiosks_window(debian)
    assert swaymsg(debian, "-t get_binding_modes").split() == ['[', '"default"', ']']
    assert "bindsym" not in debian.sh("cat /run/kiosk-session/sway.conf")

    shot = screenshot(debian, tmp_path / "welcome-in-session.png")
    assert_looks_alike(shot, demo_screens / "welcome.png")


def client_windows(node: dict) -> list[dict]:
    """The application windows of a sway tree (the nodes with a client shell)."""
    found = [node] if node.get("shell") else []
    for child in node.get("nodes", []) + node.get("floating_nodes", []):
        found += client_windows(child)
    return found


def only_the_kiosks_window(debian: DebianContainer) -> dict:
    """The app's window, once it is the only one in sway: an Xwayland client, fullscreen."""
    windows = wait_for(lambda: client_windows(json.loads(swaymsg(debian, "-t get_tree"))),
                       "the app's window in sway")
    assert [(w["shell"], w["fullscreen_mode"]) for w in windows] == [("xwayland", 1)], windows
    return dict(windows[0])


def difference(shot: Path, reference: Path,
               box: tuple[int, int, int, int] | None = None) -> tuple[float, float]:
    """(mean difference in levels of grey, share of pixels differing by more than 48), over the
    whole screen or only inside ``box`` (left, top, right, bottom)."""
    from PIL import Image, ImageChops, ImageStat

    a = Image.open(shot).convert("RGB")
    b = Image.open(reference).convert("RGB")
    assert a.size == b.size, (a.size, b.size)
    if box is not None:
        a, b = a.crop(box), b.crop(box)
    diff = ImageChops.difference(a, b)
    mean = sum(ImageStat.Stat(diff).mean) / 3
    differing = sum(1 for px in diff.convert("L").getdata() if px > 48) / (a.width * a.height)
    return mean, differing


def assert_looks_alike(shot: Path, reference: Path, max_differing: float = 0.03) -> None:
    """Same size, and on average within a few levels of grey per pixel: fonts and the GL
    rasteriser (llvmpipe here, pixman there) differ a little, a wrong screen differs a lot."""
    mean, differing = difference(shot, reference)
    assert mean < 4 and differing < max_differing, \
        f"{shot} vs {reference}: mean {mean:.2f}, {differing:.1%} of pixels differ"


def touch_until_shown(debian: DebianContainer, at: list[int], reference: Path, shot: Path,
                      page_box: list[int] | None = None, keep_in: Path | None = None) -> None:
    """Touch the screen at ``at`` (X11 pixels), then wait for the screen ``reference`` shows.

    With ``page_box``, the page a browser draws there must also match on its own: a blank
    page differs from the site's by about 2 % of the screen, no more than the kiosk's lines
    drawn a pixel apart by the two rasterisers, but by several % of the page's own pixels.
    On failure, the last screenshot is kept in ``keep_in`` and the message says how far it was.
    """
    as_session_user(debian, "xdotool", "mousemove", str(at[0]), str(at[1]), "click", "1")
    last: dict[str, tuple[float, float]] = {}

    def shown() -> bool:
        screenshot(debian, shot)
        last["screen"] = mean, differing = difference(shot, reference)
        if not (mean < 4 and differing < 0.03):
            return False
        if page_box is None:
            return True
        last["page"] = mean, differing = difference(shot, reference, tuple(page_box))
        return mean < 4 and differing < 0.01
    try:
        wait_for(shown, f"the screen of {reference.name}", tries=240)
    except AssertionError as never:
        if keep_in is not None:
            (keep_in / f"never-{reference.name}").write_bytes(shot.read_bytes())
        far = ", ".join(f"{where}: mean {mean:.2f}, {differing:.2%} of pixels differ"
                        for where, (mean, differing) in last.items())
        raise AssertionError(f"{never} ({far})") from None


def test_an_official_site_is_drawn_in_the_kiosks_window_between_its_controls(
        kiosk_session, demo_screens, tmp_path, artifacts_dir):
    """The kiosk's browser is Chromium without a window (headless): its pages come as pictures
    drawn inside the kiosk's own window, under the kiosk's header and above its bar (Retour,
    Aide, Appeler un médiateur, J'ai terminé). So the compositor has nothing to place: there is
    one window, the kiosk's, before and while a site is open."""
    debian = kiosk_session
    if not (demo_screens / "browser.png").exists():
        pytest.skip("no Chromium on this host to draw the reference browser screen")
    taps = json.loads((demo_screens / "taps.json").read_text())
    shot = tmp_path / "shot.png"
    touch_until_shown(debian, taps["start"], demo_screens / "home.png", shot,
                      keep_in=artifacts_dir)
    touch_until_shown(debian, taps["online"], demo_screens / "sites.png", shot,
                      keep_in=artifacts_dir)
    touch_until_shown(debian, taps["caf"], demo_screens / "browser.png", shot,
                      page_box=taps["page_box"], keep_in=artifacts_dir)
    (artifacts_dir / "official-site-in-session.png").write_bytes(shot.read_bytes())

    assert only_the_kiosks_window(debian)
    chromium = debian.sh("pgrep -u kiosk -a chromium")
    assert "--headless" in chromium, chromium
    main = chromium.split()[0]
    assert debian.sh(f"cat /proc/{main}/cgroup").endswith("/system.slice/kiosk.service")
    assert "browser: www.caf.fr did not answer (ERR_CONNECTION_REFUSED)" in debian.sh(
        "journalctl -u kiosk --no-pager -o cat")


def test_ctrl_alt_del_pressed_or_held_does_nothing(kiosk_session):
    """The kernel turns Ctrl+Alt+Del into SIGINT for PID 1; systemd then starts
    ctrl-alt-del.target (a reboot), or reboots at once after more than 7 presses in 2 s
    (CtrlAltDelBurstAction). The container's PID 1 gets the same signal from here."""
    debian = kiosk_session
    kiosk_pid = show(debian, "kiosk", "MainPID")
    refused = "job for ctrl-alt-del.target: Unit ctrl-alt-del.target is masked."

    def refusals() -> int:
        return debian.sh("journalctl -b --no-pager -o cat _PID=1").count(refused)
    before = refusals()
    for _ in range(8):  # a resident leaning on the keys: 8 presses in about a second
        os.kill(debian.leader, signal.SIGINT)
        time.sleep(0.1)  # paced like key presses (signals sent at once merge into one)
    wait_for(lambda: refusals() > before, "systemd's answer to Ctrl+Alt+Del")
    assert debian.sh("systemctl is-system-running") in ("running", "degraded")
    assert debian.sh("systemctl show -p CtrlAltDelBurstAction --value") == "none"
    assert show(debian, "kiosk", "MainPID") == kiosk_pid


def test_sysrq_is_written_off_by_the_boot_time_sysctl_pass(kiosk_session):
    """systemd-sysctl applies every sysctl.d file at boot, the last one setting a key winning.
    A container shares the host's kernel and its /proc/sys is read-only (systemd-sysctl.service
    is skipped there), so the same program runs here against a stand-in /proc/sys (a tmpfs, in
    a private mount namespace) and the value it writes is read back."""
    written = kiosk_session.sh(
        "unshare -m sh -c 'mount -t tmpfs none /proc/sys && mkdir /proc/sys/kernel && "
        ": > /proc/sys/kernel/sysrq && /lib/systemd/systemd-sysctl --prefix kernel.sysrq && "
        "cat /proc/sys/kernel/sysrq'")
    assert written == "0"


def test_no_key_of_the_session_switches_vt_or_kills_the_compositor(kiosk_session):
    """sway switches VT on the keysyms XF86Switch_VT_1..12 (Ctrl+Alt+F1..F12) and Xwayland would
    die on Terminate_Server (Ctrl+Alt+Backspace). The session's keymap (its XKB layout and
    options, compiled by the same libxkbcommon and xkb-data as sway's; the container has no
    keyboard for sway to compile it for) puts neither on any key."""
    conf = kiosk_session.sh("cat /run/kiosk-session/sway.conf")
    layout = re.search(r"xkb_layout (\S+)", conf)
    options = re.search(r"xkb_options (\S+)", conf)
    assert layout and options, conf

    def keys(*args: str) -> str:  # the symbols section: what each key produces
        return kiosk_session.run(["xkbcli", "compile-keymap", "--layout", layout.group(1),
                                  *args]).stdout.split("xkb_symbols", 1)[1]
    assert "XF86Switch_VT_2" in keys()  # without the options, Ctrl+Alt+F2 would switch
    session_keys = keys("--options", options.group(1))
    assert "XF86Switch_VT" not in session_keys and "Terminate_Server" not in session_keys


def screen_off_requests(debian: DebianContainer, sway_pid: str) -> int:
    """How often sway was asked to turn its output off. wlroots 0.15's headless backend (Debian
    12) cannot switch an output off: sway logs each refused commit, and the output stays on."""
    return debian.sh(f"journalctl --no-pager -o cat _PID={sway_pid}").count(
        "Failed to commit output HEADLESS-1")


def fills_the_screen(shot: Path) -> bool:
    """A portrait picture with no band of the compositor's black background (sway.conf) at its
    top or bottom edge: the app has taken the turned screen's size, not only its width."""
    from PIL import Image

    image = Image.open(shot).convert("RGB")
    width, height = image.size
    return (width, height) == (800, 1280) and all(
        image.getpixel((width // 2, y)) != (0, 0, 0) for y in (1, height - 2))


def test_rotation_and_idle_screen_off_are_applied_by_the_compositor(kiosk_session, tmp_path):
    """docs/install.md B.5: `[ui] rotation` and `screen_off_idle_s` in kiosk.toml, then the
    session restarted. The output turns (portrait), the app's window fills it; after the idle
    time the screen-off request reaches sway, and a key (as a touch would) wakes it: only
    after a wake does swayidle ask again."""
    debian = kiosk_session
    debian.sh("cp -p /etc/kiosk/kiosk.toml /root/kiosk.toml.before && "
              "printf '\n[ui]\nrotation = 90\nscreen_off_idle_s = 2\n' >> /etc/kiosk/kiosk.toml")
    try:
        debian.run(["systemctl", "restart", "kiosk-session"])
        swaymsg(debian, "output HEADLESS-1 mode 1280x800")
        (output,) = json.loads(swaymsg(debian, "-t get_outputs"))
        assert output["transform"] == "90"
        assert (output["rect"]["width"], output["rect"]["height"]) == (800, 1280)
        wait_for(lambda: welcome_shown(debian), "the welcome screen, turned")
        wait_for(lambda: only_the_kiosks_window(debian)["rect"] == output["rect"],
                 "the app's window filling the turned screen")
        wait_for(lambda: fills_the_screen(screenshot(debian, tmp_path / "turned.png")),
                 "the app's picture redrawn upright on the whole turned screen")

        sway = show(debian, "kiosk-session", "MainPID")
        assert "swayidle -w timeout 2 " in debian.sh("pgrep -a swayidle")
        wait_for(lambda: screen_off_requests(debian, sway) > 0, "the screen turned off when idle")
        asked = screen_off_requests(debian, sway)
        as_session_user(debian, "wtype", "-k", "Shift_L")
        wait_for(lambda: screen_off_requests(debian, sway) > asked,
                 "the screen woken by a key, then idle again")
    finally:  # the next session (the volatile root's boot) starts upright, never dark
        debian.sh("cp -p /root/kiosk.toml.before /etc/kiosk/kiosk.toml")


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


def test_rebooted_on_a_volatile_root_only_the_kiosks_store_and_settings_survive(
        kiosk_session, tmp_path):
    """docs/install.md's power-cut safety: the root in RAM (nspawn --volatile=overlay stands in
    for the kernel's systemd.volatile=overlay), /var/lib/kiosk and /etc/kiosk on a small
    writable partition (a host directory here). This boot is also the first with the package
    installed: logind keeps no spare VT (a getty on tty2..6 would be a way out)."""
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
        assert volatile.sh("busctl get-property org.freedesktop.login1 /org/freedesktop/login1 "
                           "org.freedesktop.login1.Manager NAutoVTs") == "u 0"
    finally:
        volatile.stop()
    assert not (debian.root / "etc" / "written-on-the-root").exists()
    assert (partition / "lib" / "written-by-the-kiosk").read_text() == "kept\n"
    # The kiosk's own writes (its start count, kiosk/restarts.py) reached the partition.
    assert json.loads((partition / "lib" / "starts.json").read_text())["starts"] != starts_before
