"""The fictional operators' neutral logos, drawn by us from a shape, initials and a colour.

Never a real logo, never the Marianne: a plain shape with two or three letters. Returns a
Pillow image the screens turn into a texture (no Kivy here).
"""
from __future__ import annotations

import math
from functools import lru_cache

from PIL import Image, ImageDraw, ImageFont

from kiosk.practice.model import Logo

FONT_NAMES = ("DejaVuSans-Bold.ttf", "DejaVuSans.ttf")


@lru_cache(maxsize=8)
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for name in FONT_NAMES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default()


def _polygon(shape: str, size: int) -> list[tuple[float, float]]:
    c, r = size / 2, size / 2 - 2
    if shape == "hexagon":
        return [(c + r * math.cos(math.radians(60 * i + 30)),
                 c + r * math.sin(math.radians(60 * i + 30))) for i in range(6)]
    if shape == "triangle":
        return [(c, 2), (size - 2, size - 2), (2, size - 2)]
    if shape == "shield":
        return [(4, 4), (size - 4, 4), (size - 4, size * 0.55), (c, size - 3),
                (4, size * 0.55)]
    raise ValueError(shape)


def draw_logo(logo: Logo, size: int = 128, text_colour: str = "#ffffff") -> Image.Image:
    """A square RGBA image of the operator's logo, transparent around the shape."""
    image = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    box = (2, 2, size - 2, size - 2)
    if logo.shape == "circle":
        draw.ellipse(box, fill=logo.colour)
    elif logo.shape == "square":
        draw.rectangle(box, fill=logo.colour)
    elif logo.shape == "rounded":
        draw.rounded_rectangle(box, radius=size // 5, fill=logo.colour)
    else:
        draw.polygon(_polygon(logo.shape, size), fill=logo.colour)
    font = _font(max(8, int(size * (0.42 if len(logo.initials) < 3 else 0.32))))
    # the triangle's visual centre is lower than the square's
    centre_y = size * (0.62 if logo.shape == "triangle" else 0.5)
    draw.text((size / 2, centre_y), logo.initials, fill=text_colour, font=font, anchor="mm")
    return image
