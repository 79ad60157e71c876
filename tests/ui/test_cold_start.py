"""What the kiosk does before the first frame of its welcome screen, in a fresh process each
(real Kivy on an offscreen window): only what that screen needs — unless a crashed session left
something behind, which is wiped first."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.display

ROOT = Path(__file__).resolve().parents[2]
# Heavy modules of the other layers: none is needed to show the welcome screen.
HEAVY = ["pydantic", "kiosk_wire.schema", "sqlite_utils", "kiosk.storage", "numpy", "httpx",
         "argon2", "arabic_reshaper", "kiosk.devices", "kiosk.screens.kit.keyboard"]
# Standard modules the welcome screen does without: the date is first read after its first frame,
# the kv caches are read by the C unpickler (pickle.py writes them, at build time).
LATER = ["datetime", "pickle"]
# The practice engine's reader and checker: loaded when a resident opens practice or a bundle
# arrives, not by a kiosk waiting for its first resident (~2 MB resident).
PRACTICE = ["yaml", "kiosk.practice.checker", "kiosk.practice.loader", "kiosk.practice.catalogue"]

SCRIPT = """
import json, sys
from pathlib import Path
from kivy.base import EventLoop
from kivy.lang import Builder
from kiosk_wire import config
from kivy.lang.parser import Parser
from kiosk.app import start_headless
parsed = []
_parse = Parser.parse
def counted(self, content):
    parsed.append(self.filename)
    return _parse(self, content)
Parser.parse = counted
data = sys.argv[1]
settings = config.defaults().with_overrides({
    "kiosk.data_dir": data, "kiosk.session_dir": data + "/sessions",
    "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
    "devices.reader_backend": "demo", "devices.hotplug_backend": "demo"})
app = start_headless(settings, complete=False)
flipped = []
EventLoop.window.bind(on_flip=lambda *a: flipped.append(1))
while not flipped:
    EventLoop.idle()
out = {"screen": app.sm.current, "core_ready": app.runtime.core_ready,
       "recovered": app.runtime.recovered,
       "loaded": [m for m in json.loads(sys.argv[2]) if m in sys.modules],
       "kv": sorted(Path(f).name for f in Builder.files),
       "parsed": [Path(f).name if f else "<string>" for f in parsed]}
app.finish_start()
out["after"] = {"core_ready": app.runtime.core_ready, "parts_open": app.runtime.parts_open,
                "state": app.runtime.core.state.value,
                "practice_loaded": [m for m in json.loads(sys.argv[3]) if m in sys.modules]}
app.runtime.close()
print(json.dumps(out))
"""


def first_frame(data: Path) -> dict:
    return first_frame_loading(data, HEAVY + LATER)


def first_frame_loading(data: Path, modules: list[str]) -> dict:
    """The first frame of a kiosk on ``data``; "loaded": which of ``modules`` it imported."""
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(data), json.dumps(modules),
                             json.dumps(PRACTICE)],
                            check=False, capture_output=True, text=True, timeout=120,
                            cwd=ROOT)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_first_frame_of_the_welcome_screen_loads_nothing_it_does_not_show(tmp_path):
    out = first_frame(tmp_path / "data")
    assert out["screen"] == "welcome"
    assert out["core_ready"] is False
    assert out["loaded"] == []
    # the kit's rules for what the welcome screen draws, not the choices' (tiles, answers)
    # nor the input widgets'
    assert "choices.kv" not in out["kv"] and "kit_input.kv" not in out["kv"]
    assert "page_bar.kv" not in out["kv"]  # the welcome screen offers no bar action
    assert {"kit.kv", "page.kv", "welcome.kv"} <= set(out["kv"])
    # Right after the first frame everything is opened, as the running app does.
    assert out["after"] == {"core_ready": True, "parts_open": True, "state": "idle",
                            "practice_loaded": []}


def test_a_start_from_a_built_tree_parses_no_kv_file(tmp_path):
    """The kv rules were parsed at build time (make install, packaging/venv.sh): the welcome
    screen's first frame reads them from their caches."""
    from kiosk.screens.kv_cache import compile_tree

    compile_tree(ROOT / "kiosk" / "screens")  # what the build does; unchanged files: the same
    out = first_frame(tmp_path / "data")
    assert {"kit.kv", "page.kv", "welcome.kv"} <= set(out["kv"])
    assert [f for f in out["parsed"] if f.endswith(".kv")] == []  # (Kivy's own strings are)


def test_a_later_start_reads_its_icons_back_and_draws_none(tmp_path):
    """The first start draws the welcome screen's icons (Pillow's ImageDraw) and keeps them in
    the data directory; the next start of the same kiosk reads them back."""
    data = tmp_path / "data"
    first = first_frame_loading(data, ["PIL.ImageDraw"])
    assert first["loaded"] == ["PIL.ImageDraw"]
    kept = sorted(p.name.split("-")[0] for p in (data / "cache" / "icons").glob("*.rgba"))
    assert {"speaker", "contrast", "text_size"} <= set(kept)
    second = first_frame_loading(data, ["PIL.ImageDraw"])
    assert second["screen"] == "welcome" and second["loaded"] == []


def test_crash_leftovers_are_wiped_before_the_first_frame(tmp_path):
    from kiosk.sessions import open_core
    from kiosk_wire import config

    data = tmp_path / "data"
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(data), "kiosk.session_dir": str(data / "sessions")})
    crashed = open_core(settings)
    crashed.recover()
    crashed.start()
    scan = crashed.new_file(".png", label="scan")
    scan.write_bytes(b"a resident's document")
    crashed.store.close()  # the process dies here: no end(), the journal stays

    out = first_frame(data)
    assert out["core_ready"] is True and out["recovered"] == 1
    assert out["screen"] == "welcome"
    assert not scan.exists()
    reopened = open_core(settings)
    try:
        [record] = [r.payload for r in reopened.store.iter_all()]
        assert record["end_reason"] == "crash_recovered"
        assert reopened.journal.leftovers() == []
    finally:
        reopened.store.close()
