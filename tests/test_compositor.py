"""The seat session's sway configuration, made from the kiosk's settings (kiosk/compositor.py).
The container test (tests/packages/test_kiosk_session.py) runs it in a real sway."""
from __future__ import annotations

import pytest

from kiosk import compositor
from kiosk_wire import config


def make(**overrides):
    return compositor.sway_config(config.defaults().with_overrides(overrides))


def test_rotation_and_idle_power_off_come_from_the_settings():
    text = make(**{"ui.rotation": 90, "ui.screen_off_idle_s": 600})
    assert "output * transform 90" in text
    assert ("exec swayidle -w timeout 600 'swaymsg \"output * dpms off\"' "
            "resume 'swaymsg \"output * dpms on\"'") in text


def test_by_default_the_screen_is_upright_and_never_turned_off():
    text = make()
    assert "output * transform 0" in text
    assert "swayidle" not in text


def test_nothing_typed_reaches_the_compositor():
    text = make()
    for directive in ("bindsym", "bindcode", "bar ", "exec_always", "swaynag"):
        assert directive not in text
    assert "xkb_options srvrkeys:none" in text  # Ctrl+Alt+Fn switch no VT
    assert 'for_window [class=".*"] fullscreen enable' in text
    assert "seat * hide_cursor" in text


def test_the_cursor_shows_only_when_asked():
    assert "hide_cursor" not in make(**{"ui.show_cursor": True})


def test_a_rotation_that_is_not_a_right_angle_is_refused_with_the_choices():
    with pytest.raises(config.ConfigError, match="must be one of 0, 90, 180, 270"):
        config.defaults().with_overrides({"ui.rotation": 45})


def test_the_command_writes_the_file_the_session_unit_reads(tmp_path):
    from click.testing import CliRunner

    from kiosk.cli import main

    out = tmp_path / "run" / "sway.conf"
    result = CliRunner().invoke(main, ["compositor-config", "--out", str(out)],
                                env={"KIOSK_UI_ROTATION": "270"})
    assert result.exit_code == 0, result.output
    assert "output * transform 270" in out.read_text()


def test_the_touchscreen_turns_with_the_connected_screen(tmp_path):
    """wlroots applies the rotation to touches only for a touchscreen mapped to the screen: the
    connected screen's name comes from the kernel's connectors (/sys/class/drm layout)."""
    for name, status in (("card0-HDMI-A-1", "connected"), ("card0-DP-1", "disconnected"),
                         ("card0-HDMI-A-2", "connected")):
        (tmp_path / name).mkdir()
        (tmp_path / name / "status").write_text(f"{status}\n")
    (tmp_path / "card0").mkdir()  # the card itself has no status
    screens = compositor.connected_screens(tmp_path)
    assert screens == ["HDMI-A-1", "HDMI-A-2"]
    text = compositor.sway_config(config.defaults().with_overrides({"ui.rotation": 90}), screens)
    assert "input type:touch map_to_output HDMI-A-1" in text


def test_without_a_screen_no_touchscreen_is_mapped(tmp_path):
    assert compositor.connected_screens(tmp_path / "no-drm") == []
    assert "map_to_output" not in make()
