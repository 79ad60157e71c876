"""Icons are drawn once offscreen and shown as one textured rectangle, shared by every widget
showing the same icon at the same size and colour; the drawing itself is really there."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.display


def test_same_icon_same_size_and_colour_shares_one_rendered_texture(driver, ui_app):
    from kivy.graphics import Rectangle
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.screens.kit import IconView

    box = BoxLayout(size_hint=(None, None), size=(300, 100))
    icons = [IconView(name="help", colour=[1, 0, 0, 1]) for _ in range(2)]
    icons.append(IconView(name="help", colour=[0, 0, 1, 1]))
    for icon in icons:
        box.add_widget(icon)
    driver.screen().add_widget(box)
    try:
        driver.frames(2)
        rects = [[i for i in icon.canvas.children if isinstance(i, Rectangle)] for icon in icons]
        assert all(len(r) == 1 for r in rects)  # one textured quad per icon, not its strokes
        textures = [r[0].texture for r in rects]
        assert textures[0] is textures[1]  # drawn once for both
        assert textures[2] is not textures[0]  # another colour, another drawing
        assert textures[0].size == (100, 100)
        pixels = textures[0].pixels  # RGBA: the red figure is drawn, the rest transparent
        opaque = [pixels[i:i + 4] for i in range(0, len(pixels), 4) if pixels[i + 3] > 200]
        assert 0.03 < len(opaque) / (100 * 100) < 0.6
        assert all(p[0] > 200 and p[2] < 50 for p in opaque)
    finally:
        driver.screen().remove_widget(box)


def test_directional_icon_is_mirrored_in_right_to_left(driver, ui_app):
    from kiosk.screens.kit.icons import rendered_icon

    ltr = rendered_icon("done", 64, (1.0, 1.0, 1.0, 1.0), False).pixels
    rtl = rendered_icon("done", 64, (1.0, 1.0, 1.0, 1.0), True).pixels

    def columns_with_ink(pixels: bytes) -> list[int]:
        return [x for x in range(64)
                if any(pixels[(y * 64 + x) * 4 + 3] > 200 for y in range(64))]

    left, right = columns_with_ink(ltr), columns_with_ink(rtl)
    assert left and right
    assert sorted(63 - x for x in left) == right  # the same drawing, mirrored
