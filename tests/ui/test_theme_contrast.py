"""Contrast of every text/background pair of both themes, computed (WCAG 2.x formula)."""
from __future__ import annotations

import pytest

from kiosk import theme


def test_contrast_formula_matches_known_values():
    assert theme.contrast_ratio(theme.hex_rgba("#000000"), theme.hex_rgba("#FFFFFF")) == \
        pytest.approx(21.0)
    assert theme.contrast_ratio(theme.hex_rgba("#777777"), theme.hex_rgba("#FFFFFF")) == \
        pytest.approx(4.48, abs=0.01)


@pytest.mark.parametrize("palette", theme.PALETTES, ids=lambda p: p.name)
def test_every_text_pair_meets_its_theme_minimum(palette):
    failures = [(fg, bg, round(r, 2)) for fg, bg, r in theme.contrast_report(palette)
                if r < palette.min_ratio]
    assert failures == []


@pytest.mark.parametrize("palette", theme.PALETTES, ids=lambda p: p.name)
def test_controls_stand_out_from_the_surface_they_sit_on(palette):
    failures = [(control, surface, round(r, 2)) for control, surface in theme.CONTROL_PAIRS
                if (r := theme.contrast_ratio(getattr(palette, control), getattr(palette, surface)))
                < theme.MIN_CONTROL_CONTRAST]
    assert failures == []


@pytest.mark.parametrize("palette", theme.PALETTES, ids=lambda p: p.name)
def test_guided_mode_and_the_focus_ring_are_told_apart_and_disabled_words_read(palette):
    """Guided mode's panel line and the focus ring are never one colour (in high contrast both
    were yellow, in the standard theme two blues 4 dp apart); a disabled button's words read
    on its grey face at the palette's minimum (the controls and text pairs above check it;
    named here so a removed pair fails)."""
    assert ("guide_edge", "focus_ring") in theme.CONTROL_PAIRS
    assert ("focus_ring", "guide") in theme.CONTROL_PAIRS
    assert theme.contrast_ratio(palette.guide_edge, palette.focus_ring) >= \
        theme.MIN_CONTROL_CONTRAST
    assert ("on_disabled", "disabled") in theme.TEXT_PAIRS
    assert theme.contrast_ratio(palette.on_disabled, palette.disabled) >= palette.min_ratio


def test_standard_theme_meets_aa_and_high_contrast_meets_aaa():
    assert theme.STANDARD.min_ratio >= 4.5
    assert theme.HIGH_CONTRAST.min_ratio >= 7.0


def test_every_colour_named_in_a_text_pair_exists_in_both_palettes():
    names = set(theme.STANDARD.colour_names())
    for fg, bg in theme.TEXT_PAIRS:
        assert fg in names and bg in names


def test_large_text_has_two_steps_up_to_double_and_wraps_back():
    assert theme.TEXT_SCALES == (1.0, 1.5, 2.0)
    assert theme.next_text_scale(1.0) == 1.5
    assert theme.next_text_scale(1.5) == 2.0
    assert theme.next_text_scale(2.0) == 1.0
