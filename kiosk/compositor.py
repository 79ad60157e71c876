"""The kiosk's seat session: a locked-down sway, configured from the kiosk's settings.

kiosk-session.service runs sway as the `kiosk` user in a logind session on tty1 (PAMName=,
TTYPath=); kiosk.service then runs the app inside it, through Xwayland (the SDL bundled with
Kivy has no Wayland driver). Before sway starts, `kiosk compositor-config` writes the file made
here, so that the screen's rotation and idle power-off are kiosk settings (``ui.rotation``,
``ui.screen_off_idle_s``) like any other, set by `kiosk setup`, the TOML file or the server.

Locked down means: no key binding at all (no terminal, no exit, no workspace switch), the
XKB "server keys" off (Ctrl+Alt+F1..F12 no longer switch VT, Ctrl+Alt+Backspace kills nothing),
no bar, no borders, every window fullscreen, and no config reload from disk. SysRq,
Ctrl+Alt+Del and spare VTs are closed at the system level by the package
(packaging/system/: sysctl, logind and systemd drop-ins).

The official sites' browser has no window for sway to place: Chromium runs headless and its
pages are drawn inside the kiosk's own window (kiosk/browser/screencast.py), between the
kiosk's controls.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from kiosk_wire.config import Settings

# Every output: a kiosk has one screen, whatever its connector's name (HDMI-A-1, eDP-1...).
ALL_OUTPUTS = "*"
# The kernel's view of the screens: one directory per connector (card0-HDMI-A-1...).
DRM_CONNECTORS = Path("/sys/class/drm")


def connected_screens(connectors: Path = DRM_CONNECTORS) -> list[str]:
    """The connectors with a screen plugged in, named as sway names its outputs
    (card0-HDMI-A-1 gives HDMI-A-1); none without a GPU (a container, a test machine)."""
    found = []
    for status in sorted(connectors.glob("card*-*/status")):
        try:
            plugged = status.read_text(encoding="ascii").strip() == "connected"
        except OSError:
            continue
        if plugged:
            found.append(status.parent.name.split("-", 1)[1])
    return found


def idle_command(seconds: int) -> str | None:
    """swayidle's line turning the screens off after ``seconds`` without input (None: never).

    sway 1.7 (Debian 12) spells it ``dpms``; later versions keep it as an alias of ``power``.
    """
    if seconds <= 0:
        return None
    off = f'"output {ALL_OUTPUTS} dpms off"'
    on = f'"output {ALL_OUTPUTS} dpms on"'
    return f"exec swayidle -w timeout {seconds} 'swaymsg {off}' resume 'swaymsg {on}'"


def sway_config(settings: Settings, screens: Sequence[str] = ()) -> str:
    """The whole sway configuration of a kiosk session; ``screens``: the connected screens'
    output names (:func:`connected_screens`)."""
    lines = [
        "# Written by `kiosk compositor-config` from the kiosk's settings at each session start;",
        "# edit /etc/kiosk/kiosk.toml ([ui] rotation, screen_off_idle_s), not this file.",
        f"output {ALL_OUTPUTS} transform {int(settings.get('ui.rotation'))}",
        f"output {ALL_OUTPUTS} background #000000 solid_color",
        # Ctrl+Alt+Fn and Ctrl+Alt+Backspace are XKB "server keys": without them sway never
        # sees a VT switch or terminate request. French keyboards by default.
        "input type:keyboard {",
        "    xkb_layout fr",
        "    xkb_options srvrkeys:none",
        "}",
        "xwayland force",
        "default_border none",
        "default_floating_border none",
        "focus_follows_mouse no",
        "focus_on_window_activation focus",
        "workspace_layout tabbed",
        'for_window [class=".*"] fullscreen enable',
        'for_window [app_id=".*"] fullscreen enable',
    ]
    if screens:
        # wlroots turns a touch by the screen's rotation only for a touchscreen mapped to that
        # screen, and sway maps only built-in ones by itself: a USB touch overlay on an HDMI
        # screen would keep the upright axes on a turned picture. A kiosk has one screen.
        lines.append(f"input type:touch map_to_output {screens[0]}")
    if not settings.get("ui.show_cursor"):
        lines.append("seat * hide_cursor 1")
    idle = idle_command(int(settings.get("ui.screen_off_idle_s")))
    if idle is not None:
        lines.append(idle)
    # No bindsym/bindcode/bar lines on purpose: nothing a resident types reaches sway.
    return "\n".join(line for line in lines if line) + "\n"


def write_config(settings: Settings, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(sway_config(settings, connected_screens()), encoding="utf-8")
    tmp.replace(path)
    return path
