"""Paper sizes and their size in pixels at a resolution: A4 pages, ID-1 cards."""
from __future__ import annotations

from enum import Enum

A4_MM = (210.0, 297.0)
ID1_MM = (85.6, 54.0)  # ISO/IEC 7810 ID-1: carte d'identité, titre de séjour, carte Vitale
MM_PER_INCH = 25.4


class Side(str, Enum):
    """A side of a card or sheet."""

    RECTO = "recto"
    VERSO = "verso"


def mm_to_px(mm: float, dpi: float) -> int:
    return round(mm * dpi / MM_PER_INCH)


def a4_size_px(dpi: float) -> tuple[int, int]:
    return mm_to_px(A4_MM[0], dpi), mm_to_px(A4_MM[1], dpi)
