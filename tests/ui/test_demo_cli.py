"""`kiosk demo --headless`: the scripted walk over every screen, through the console script."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from .helpers import WITHOUT_TEST_FRAMEWORKS

pytestmark = [pytest.mark.display, pytest.mark.slow]

EXPECTED = ["welcome-fr", "home-fr", "help-fr", "idle-warning-fr", "end-fr", "survey-fr",
            "welcome-en", "welcome-ar", "home-ar", "mediator-unlock-fr", "mediator-panel-fr",
            "out-of-order-fr", "welcome-fr-large", "home-fr-large", "end-fr-large",
            "practice-parcours-fr", "practice-parcours-card-fr",
            # the later states, in the hardest comfort setting (kiosk/demo_later_steps.py)
            "scan-place-recto-ar-x2-hc", "scan-crop-ar-x2-hc", "scan-watermark-purposes-ar-x2-hc",
            "scan-watermark-keyboard-ar-x2-hc", "scan-result-ar-x2-hc",
            "practice-help-call-ar-x2-hc", "practice-help-call-status-keyboard-ar-x2-hc"]


def test_demo_without_display_walks_every_screen_and_saves_screenshots(tmp_path):
    """Without the test extras too: pytest and kivy.tests are unimportable in the demo."""
    out = tmp_path / "demo-output"
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(WITHOUT_TEST_FRAMEWORKS, encoding="utf-8")
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(site), env.get("PYTHONPATH")) if p)
    result = subprocess.run([sys.executable, "-m", "kiosk.cli", "demo", "--out", str(out)],
                            capture_output=True, text=True, env=env, timeout=900,
                            cwd=tmp_path, check=False)
    assert result.returncode == 0, result.stderr[-3000:]
    assert str(out) in result.stdout
    names = {Path(p).stem.split("-", 1)[1] for p in out.glob("*.png")}
    assert [n for n in EXPECTED if n not in names] == []
    for png in out.glob("*.png"):
        with Image.open(png) as image:
            assert image.size == (1280, 800)
            # a real frame, not a black or blank one
            assert len(image.convert("RGB").getcolors(maxcolors=1 << 16) or [0] * 100) > 8
