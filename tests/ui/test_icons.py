"""Icons are drawn once offscreen, in white, and shown as one textured rectangle tinted by the
widget's colour: one drawing serves every widget showing the same icon at the same size, in any
colour; the drawing itself is really there, and is kept between starts in the data directory."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.display


def test_same_icon_same_size_shares_one_drawing_tinted_by_each_widget(driver, ui_app,
                                                                     tmp_path):
    from kivy.graphics import Color, Rectangle
    from kivy.uix.boxlayout import BoxLayout
    from PIL import Image

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
        assert textures[0] is textures[1] is textures[2]  # drawn once for all three
        tints = [[i.rgba for i in icon.canvas.children if isinstance(i, Color)]
                 for icon in icons]
        assert tints == [[[1, 0, 0, 1]], [[1, 0, 0, 1]], [[0, 0, 1, 1]]]
        assert textures[0].size == (100, 100)
        pixels = textures[0].pixels  # RGBA: the figure is drawn white, the rest transparent
        opaque = [pixels[i:i + 4] for i in range(0, len(pixels), 4) if pixels[i + 3] > 200]
        assert 0.03 < len(opaque) / (100 * 100) < 0.6
        assert all(min(p[:3]) > 200 for p in opaque)
        # and on the glass, each in its widget's colour (bright red, bright blue: neither is
        # a colour of the screen behind)
        shot = Image.open(driver.screenshot(tmp_path / "icons.png")).convert("RGB")

        def bright(p: tuple[int, ...], channel: int) -> bool:
            return p[channel] > 200 and p[channel] - max(p[:channel] + p[channel + 1:]) > 150

        for icon, tint in zip(icons, (0, 0, 2), strict=True):
            x0, y0 = icon.to_window(icon.x, icon.y)
            region = shot.crop((int(x0), int(shot.height - y0 - icon.height),
                                int(x0 + icon.width), int(shot.height - y0)))
            pixels = list(region.get_flattened_data())
            assert sum(bright(p, tint) for p in pixels) > 100, "drawn in its colour"
            assert not any(bright(p, 2 - tint) for p in pixels), "and not in the other's"
    finally:
        driver.screen().remove_widget(box)


def test_directional_icon_is_mirrored_in_right_to_left(driver, ui_app):
    from kiosk.screens.kit.icons import rendered_icon

    ltr = rendered_icon("done", 64, False).pixels
    rtl = rendered_icon("done", 64, True).pixels

    def columns_with_ink(pixels: bytes) -> list[int]:
        return [x for x in range(64)
                if any(pixels[(y * 64 + x) * 4 + 3] > 200 for y in range(64))]

    left, right = columns_with_ink(ltr), columns_with_ink(rtl)
    assert left and right
    assert sorted(63 - x for x in left) == right  # the same drawing, mirrored


@pytest.fixture
def icon_cache(tmp_path):
    """A fresh icon cache in ``tmp_path``, and no icon already made in this process."""
    from kiosk.screens.kit import icons

    saved = (icons._cache_dir, dict(icons._RENDERED))
    icons.use_cache_dir(tmp_path / "icons")
    icons._RENDERED.clear()
    yield tmp_path / "icons"
    icons.use_cache_dir(saved[0])
    icons._RENDERED.clear()
    icons._RENDERED.update(saved[1])


def test_an_icon_drawn_once_is_read_back_not_drawn_again(driver, ui_app, icon_cache,
                                                         monkeypatch):
    from kiosk.screens.kit import icons

    drawn = icons.rendered_icon("speaker", 40, False).pixels
    [kept] = icon_cache.glob("speaker-40-*.rgba")
    icons._RENDERED.clear()  # as in the next start's process

    def no_drawing(*_args):
        raise AssertionError("drawn again")

    monkeypatch.setattr(icons, "draw_icon", no_drawing)
    assert icons.rendered_icon("speaker", 40, False).pixels == drawn
    assert list(icon_cache.iterdir()) == [kept]  # nothing else written, no temporary file


def test_a_changed_icon_is_drawn_again_not_read_stale(driver, ui_app, icon_cache, monkeypatch):
    from kiosk.screens.kit import icons

    before = icons.rendered_icon("check", 40, False).pixels
    icons._RENDERED.clear()
    monkeypatch.setitem(icons.ICONS, "check", [("disc", 0.5, 0.5, 0.3)])  # a new drawing
    after = icons.rendered_icon("check", 40, False).pixels
    assert after != before
    assert len(list(icon_cache.glob("check-40-*.rgba"))) == 2


def test_a_damaged_cached_icon_is_drawn_again_and_replaced(driver, ui_app, icon_cache,
                                                         caplog):
    from kiosk.screens.kit import icons

    good = icons.rendered_icon("home", 40, True).pixels
    [kept] = icon_cache.glob("home-40-rtl-*.rgba")
    kept.write_bytes(kept.read_bytes()[:100])  # cut short (a full disk, a power cut)
    icons._RENDERED.clear()
    assert icons.rendered_icon("home", 40, True).pixels == good
    assert "icon cache damaged" in caplog.text
    assert len(kept.read_bytes()) == 40 * 40 * 4


def test_an_unwritable_icon_cache_only_costs_the_drawing(driver, ui_app, icon_cache, caplog):
    from kiosk.screens.kit import icons

    blocked = icon_cache.parent / "not-a-directory"
    blocked.write_text("")  # even root cannot make a directory inside a file
    icons.use_cache_dir(blocked / "icons")
    texture = icons.rendered_icon("lock", 40, False)
    assert any(texture.pixels[3::4])  # drawn all the same
    assert "icon cache not written" in caplog.text
