"""Colours, sizes and the WCAG contrast arithmetic of the kiosk's two themes. Pure Python.

Two palettes: the standard one (every text/background pair at least 4.5:1, WCAG AA) and the
high-contrast one (at least 7:1, WCAG AAA). ``TEXT_PAIRS`` names every pair the screens draw,
so a test can compute them all; a new colour used for text must be added there.
"""
from __future__ import annotations

from dataclasses import dataclass, fields

RGBA = tuple[float, float, float, float]

# Text sizes in dp at scale 1; large text multiplies them (two steps, up to 2x).
TEXT_SCALES: tuple[float, ...] = (1.0, 1.5, 2.0)
FONT_BODY = 22.0
FONT_TITLE = 34.0
FONT_SMALL = 18.0
FONT_BUTTON = 24.0
# Every touch target is at least this big, in dp, in both directions (WCAG 2.5.5 asks 44).
MIN_TOUCH_DP = 48.0
BUTTON_HEIGHT_DP = 72.0
SPACING_DP = 16.0

MIN_CONTRAST = 4.5
MIN_CONTRAST_HIGH = 7.0


def hex_rgba(code: str, alpha: float = 1.0) -> RGBA:
    code = code.lstrip("#")
    r, g, b = (int(code[i:i + 2], 16) / 255.0 for i in (0, 2, 4))
    return (r, g, b, alpha)


def _channel(c: float) -> float:
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(rgba: RGBA) -> float:
    r, g, b = (_channel(c) for c in rgba[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(fg: RGBA, bg: RGBA) -> float:
    """WCAG 2.x contrast ratio between two opaque colours, from 1 to 21."""
    la, lb = relative_luminance(fg), relative_luminance(bg)
    hi, lo = max(la, lb), min(la, lb)
    return (hi + 0.05) / (lo + 0.05)


@dataclass(frozen=True)
class Palette:
    name: str
    background: RGBA      # screen background
    surface: RGBA         # cards, panels, the keyboard
    text: RGBA            # body text on background and surface
    muted: RGBA           # secondary text (examples) on background and surface
    primary: RGBA         # main buttons
    on_primary: RGBA      # text on primary buttons
    secondary: RGBA       # other buttons
    on_secondary: RGBA
    danger: RGBA          # "J'ai terminé", end session
    on_danger: RGBA
    help: RGBA            # "Appeler un médiateur"
    on_help: RGBA
    error: RGBA           # validation messages on background/surface
    ok: RGBA              # "valid" messages on background/surface
    bubble: RGBA          # hint bubble
    on_bubble: RGBA
    overlay: RGBA         # dim layer behind the idle warning (not a text background)
    focus: RGBA           # outline of the focused field (not text)
    # DSFR's focus ring: a 2 dp outline 2 dp outside what has the focus, in a blue that stands
    # out (3:1) from the page on both its sides (the gap and beyond); not text
    focus_ring: RGBA
    # a button that cannot be pressed now (DSFR: a grey face, grey words still readable at
    # the palette's minimum, whatever kind of button it is when it can be pressed)
    disabled: RGBA
    on_disabled: RGBA
    # guided mode's "fill this one now" (DSFR's callout look: a tinted panel, a thick line on
    # its start side): neither of them is the focus ring's colour (3:1 between each two)
    guide: RGBA
    guide_edge: RGBA
    min_ratio: float

    def colour_names(self) -> list[str]:
        return [f.name for f in fields(self) if f.name not in ("name", "min_ratio")]


STANDARD = Palette(
    name="standard",
    background=hex_rgba("#F6F6F2"),
    surface=hex_rgba("#FFFFFF"),
    text=hex_rgba("#1E1E1E"),
    muted=hex_rgba("#555555"),
    primary=hex_rgba("#000091"),     # bleu France
    on_primary=hex_rgba("#FFFFFF"),
    secondary=hex_rgba("#FFFFFF"),   # DSFR secondary button: white, bordered blue France
    on_secondary=hex_rgba("#000091"),
    danger=hex_rgba("#A01818"),
    on_danger=hex_rgba("#FFFFFF"),
    help=hex_rgba("#6A3D00"),
    on_help=hex_rgba("#FFFFFF"),
    error=hex_rgba("#B00020"),
    ok=hex_rgba("#18753C"),
    bubble=hex_rgba("#FFF3B0"),
    on_bubble=hex_rgba("#1E1E1E"),
    overlay=hex_rgba("#000000", 0.6),
    focus=hex_rgba("#000091"),
    focus_ring=hex_rgba("#0A76F6"),  # DSFR's focus colour
    disabled=hex_rgba("#E5E5E5"),    # DSFR background-disabled-grey
    on_disabled=hex_rgba("#666666"),  # DSFR text-disabled-grey (4.6:1 on its face)
    guide=hex_rgba("#E8EDFF"),       # DSFR background-contrast-info
    guide_edge=hex_rgba("#000091"),  # bleu France: 3.5:1 against the focus ring's blue
    min_ratio=MIN_CONTRAST,
)

HIGH_CONTRAST = Palette(
    name="high_contrast",
    background=hex_rgba("#000000"),
    surface=hex_rgba("#111111"),
    text=hex_rgba("#FFFFFF"),
    muted=hex_rgba("#E0E0E0"),
    primary=hex_rgba("#FFFF00"),
    on_primary=hex_rgba("#000000"),
    secondary=hex_rgba("#FFFFFF"),
    on_secondary=hex_rgba("#000000"),
    danger=hex_rgba("#FFB3B3"),
    on_danger=hex_rgba("#000000"),
    help=hex_rgba("#7FFFD4"),
    on_help=hex_rgba("#000000"),
    error=hex_rgba("#FF9E9E"),
    ok=hex_rgba("#9CFF9C"),
    # Not yellow: the bubble holds a yellow (primary) button, which must stand out from it.
    bubble=hex_rgba("#1B1B5E"),
    on_bubble=hex_rgba("#FFFFFF"),
    overlay=hex_rgba("#000000", 0.85),
    focus=hex_rgba("#FFFF00"),
    focus_ring=hex_rgba("#FFFF00"),
    disabled=hex_rgba("#262626"),
    on_disabled=hex_rgba("#BFBFBF"),  # 8.2:1 on its face, 11:1 on the page
    # not yellow: the focus ring is; a blue 3.3:1 against it, 4.2:1 on the panel, whose teal
    # tells it from the navy hint bubble often just under it
    guide=hex_rgba("#002B2B"),
    guide_edge=hex_rgba("#4D80FF"),
    min_ratio=MIN_CONTRAST_HIGH,
)

PALETTES: tuple[Palette, ...] = (STANDARD, HIGH_CONTRAST)

# (text colour, background colour) for every pair drawn by the screens.
TEXT_PAIRS: tuple[tuple[str, str], ...] = (
    ("text", "background"), ("text", "surface"),
    ("muted", "background"), ("muted", "surface"),
    ("on_primary", "primary"), ("on_secondary", "secondary"),
    ("on_danger", "danger"), ("on_help", "help"),
    ("error", "background"), ("error", "surface"),
    ("ok", "background"), ("ok", "surface"),
    ("on_bubble", "bubble"),
    # a disabled button's words on its face; a label inside a disabled box on the page
    ("on_disabled", "disabled"), ("on_disabled", "background"), ("on_disabled", "surface"),
    # a field's label, example and messages on guided mode's panel
    ("text", "guide"), ("muted", "guide"), ("error", "guide"), ("ok", "guide"),
)


# (control colour, surface it is drawn on): a control must stand out from what surrounds it
# (WCAG 1.4.11 non-text contrast, 3:1), e.g. the "J'ai compris" button inside a hint bubble.
CONTROL_PAIRS: tuple[tuple[str, str], ...] = (
    ("primary", "bubble"),
    # the focus ring: the page is on both its sides (it is drawn 2 dp outside the field)
    ("focus_ring", "background"), ("focus_ring", "surface"),
    # guided mode: the panel's edge on the page and on the panel, the ring on the panel, and
    # the edge against the ring, so the two never read as one thick frame
    ("guide_edge", "background"), ("guide_edge", "guide"), ("focus_ring", "guide"),
    ("guide_edge", "focus_ring"),
)
MIN_CONTROL_CONTRAST = 3.0


def palette_for(high_contrast: bool) -> Palette:
    return HIGH_CONTRAST if high_contrast else STANDARD


def contrast_report(palette: Palette) -> list[tuple[str, str, float]]:
    """Every text pair of a palette with its ratio, for tests and `kiosk doctor`."""
    return [(fg, bg, contrast_ratio(getattr(palette, fg), getattr(palette, bg)))
            for fg, bg in TEXT_PAIRS]


def next_text_scale(current: float) -> float:
    """The next large-text step, wrapping back to normal after the largest."""
    for scale in TEXT_SCALES:
        if scale > current + 1e-6:
            return scale
    return TEXT_SCALES[0]


def high_contrast_band(rgba: tuple[float, ...] | list[float]) -> RGBA:
    """A brand colour (a practice site's band and button) darkened until white words on it
    reach the high-contrast palette's ratio (7:1); the site stays recognisable by its hue."""
    white: RGBA = (1.0, 1.0, 1.0, 1.0)
    r, g, b = (float(c) for c in rgba[:3])
    for _ in range(40):
        if contrast_ratio(white, (r, g, b, 1.0)) >= MIN_CONTRAST_HIGH:
            break
        r, g, b = r * 0.9, g * 0.9, b * 0.9
    return (r, g, b, 1.0)
