"""Smoke test: Kivy renders offscreen (SDL offscreen + EGL/llvmpipe) and takes real screenshots.

The Kivy part runs in a subprocess: a Kivy Window is one per process and other UI tests own theirs.
The environment (KIVY_HOME, SDL_VIDEODRIVER=offscreen, ...) comes from tests/conftest.py.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = pytest.mark.display

APP = r'''
import sys
from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.uix.label import Label

widget_png, window_png = sys.argv[1], sys.argv[2]


class SmokeApp(App):
    def build(self):
        Window.clearcolor = (1, 1, 1, 1)
        self.flips = 0
        Window.bind(on_flip=self.on_flip)
        return Label(text="Bonjour", color=(0.1, 0.2, 0.6, 1), font_size=96)

    def on_flip(self, window):
        # Screenshots before the first frame are black; Kivy only redraws on change, so the
        # first flip is the moment the label is on screen.
        self.flips += 1
        if self.flips == 1:
            Clock.schedule_once(self.shoot, 0)

    def shoot(self, _dt):
        self.root.export_to_png(widget_png)
        print("WINDOW", Window.screenshot(name=window_png), Window.size, flush=True)
        self.stop()


SmokeApp().run()
'''


def _pixel_counts(path: Path) -> tuple[int, int]:
    """(white background pixels, label-blue pixels) in a screenshot."""
    rgb = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    white = int(np.count_nonzero(rgb.min(axis=-1) > 200))
    blue = int(np.count_nonzero((b > r + 40) & (b > g + 40) & (b > 80)))
    return white, blue


def test_label_app_renders_offscreen_and_screenshots_are_not_black(tmp_path, artifacts_dir):
    if not os.environ.get("DISPLAY"):
        assert os.environ["SDL_VIDEODRIVER"] == "offscreen"
    widget_png, window_png = artifacts_dir / "label-widget.png", tmp_path / "window.png"
    script = tmp_path / "smoke_app.py"
    script.write_text(APP)
    result = subprocess.run([sys.executable, str(script), str(widget_png), str(window_png)],
                            capture_output=True, text=True, timeout=120, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    window_line = next(line for line in result.stdout.splitlines() if line.startswith("WINDOW"))
    window_shot = Path(window_line.split()[1])  # Kivy numbers the name: window0001.png
    (artifacts_dir / "label-window.png").write_bytes(window_shot.read_bytes())

    # The window shot has the white clear colour and the blue text; the widget export has
    # the text on a transparent (exported black) background.
    width, height = Image.open(window_shot).size
    white, blue = _pixel_counts(window_shot)
    assert white > 0.5 * width * height, "window screenshot is not the rendered white frame"
    assert blue > 500, "the label's text is missing from the window screenshot"
    _, blue = _pixel_counts(widget_png)
    assert blue > 500, "the label's text is missing from export_to_png"
