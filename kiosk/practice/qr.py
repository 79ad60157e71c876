"""The QR code a page shows (a fictional pre-application number...), as a Pillow image."""
from __future__ import annotations

import io

import segno
from PIL import Image


def qr_image(data: str, scale: int = 8) -> Image.Image:
    """A black-on-white QR code of ``data`` with its quiet zone, ready for a texture or a PDF."""
    buffer = io.BytesIO()
    segno.make(data, error="m", micro=False).save(buffer, kind="png", scale=scale, border=4)
    buffer.seek(0)
    return Image.open(buffer).convert("RGB")
