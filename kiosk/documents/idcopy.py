"""Recto and verso of an ID-1 card at real size on one A4 page, as at a counter's copier."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from PIL import Image, ImageDraw

from kiosk.media.paper import A4_MM, ID1_MM, a4_size_px, mm_to_px

if TYPE_CHECKING:
    from kiosk.documents.card import Box

TOP_MM = 40.0   # room above the recto (a stamp, "copie certifiée" by the receiving body)
GAP_MM = 25.0   # between recto and verso


@dataclass(frozen=True)
class IdPage:
    page: Image.Image
    recto_box: Box
    verso_box: Box
    dpi: float


def layout(dpi: float) -> tuple[Box, Box]:
    """Where recto and verso go on the A4 page, in pixels at ``dpi``."""
    card_w, card_h = mm_to_px(ID1_MM[0], dpi), mm_to_px(ID1_MM[1], dpi)
    left = mm_to_px((A4_MM[0] - ID1_MM[0]) / 2, dpi)
    top = mm_to_px(TOP_MM, dpi)
    top2 = mm_to_px(TOP_MM + ID1_MM[1] + GAP_MM, dpi)
    return (left, top, left + card_w, top + card_h), (left, top2, left + card_w, top2 + card_h)


def compose_id_page(recto: Image.Image, verso: Image.Image | None, dpi: float) -> IdPage:
    """Both sides (already cropped to real size at ``dpi``) on a white A4 page."""
    page = Image.new("RGB", a4_size_px(dpi), "white")
    recto_box, verso_box = layout(dpi)
    for image, box in ((recto, recto_box), (verso, verso_box)):
        if image is None:
            continue
        size = (box[2] - box[0], box[3] - box[1])
        if image.size != size:
            image = image.resize(size, Image.Resampling.LANCZOS)
        page.paste(image.convert("RGB"), box[:2])
        # A hairline around each side, as on a photocopy, so the cut line is visible.
        ImageDraw.Draw(page).rectangle((box[0] - 1, box[1] - 1, box[2], box[3]),
                                       outline=(200, 200, 200))
    return IdPage(page, recto_box, verso_box, dpi)
