"""Find an ID-1 card (85.6 × 54 mm) on a flatbed scan, straighten it and crop it to real size.

A scanner lid is light and even; the card is whatever differs from it. The detection works on a
reduced grey copy: pixels far from the background colour (estimated on the border of the scan)
are the card; their principal axis gives its skew, their extent its box. When the detection
is unsure (nothing found, a shape far from a card) the caller shows the scan and the resident
adjusts the crop by touch; :func:`crop_card` then takes the adjusted box.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from PIL import Image, ImageFilter

from kiosk.media.paper import ID1_MM, mm_to_px

ID1_RATIO = ID1_MM[0] / ID1_MM[1]
WORK_WIDTH = 600         # detection runs on a copy this wide: fast and precise enough
DIFF_THRESHOLD = 14      # colour distance from the lid that counts as "card" (pastel cards)
MIN_SKEW_DEG = 0.5

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class CardDetection:
    box: Box                 # in the pixels of the straightened scan
    angle_deg: float         # rotation applied to straighten the scan (counter-clockwise)
    confident: bool          # False: show the scan and let the resident adjust
    automatic: bool = True   # found by detect_card (refined at full resolution when cropping)


def _background(rgb: np.ndarray) -> np.ndarray:
    border = np.concatenate([rgb[:4].reshape(-1, 3), rgb[-4:].reshape(-1, 3),
                             rgb[:, :4].reshape(-1, 3), rgb[:, -4:].reshape(-1, 3)])
    background: np.ndarray = np.median(border, axis=0)
    return background


def _foreground(rgb: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Pixels whose colour differs from the lid's in any channel (pastel cards included)."""
    differs: np.ndarray = np.abs(rgb.astype(np.int16) - background).max(axis=2) > DIFF_THRESHOLD
    return differs


def _reduced(image: Image.Image) -> tuple[Image.Image, float]:
    factor = max(1, math.ceil(image.width / WORK_WIDTH))
    small = image.convert("RGB")
    if factor > 1:
        small = small.reduce(factor)  # box filter: fast, and it averages scanner noise away
    # A median filter: specks of dust go, the card's edges stay sharp.
    return small.filter(ImageFilter.MedianFilter(3)), small.width / image.width


def _skew(mask: np.ndarray) -> float:
    ys, xs = np.nonzero(mask)
    if len(xs) < 50:
        return 0.0
    step = max(1, len(xs) // 20000)  # a sample of the pixels gives the same axis
    xs, ys = xs[::step].astype(float), ys[::step].astype(float)
    cov = np.cov(np.vstack([xs - xs.mean(), ys - ys.mean()]))
    evals, evecs = np.linalg.eigh(cov)
    vx, vy = evecs[:, int(np.argmax(evals))]
    angle = math.degrees(math.atan2(vy, vx))
    # Fold onto the nearest axis: a card may lie landscape or portrait.
    while angle > 45:
        angle -= 90
    while angle < -45:
        angle += 90
    return angle


def _filled(mask: np.ndarray) -> np.ndarray:
    """The mask with its holes filled (between the first and last pixel of each row and of each
    column). A card's white areas (a QR code's quiet zone, a white photo background) match the
    lid and leave holes, which tilt the principal axis by several degrees."""
    def spans(m: np.ndarray) -> np.ndarray:
        any_ = np.asarray(m.any(axis=1))
        first = np.argmax(m, axis=1)
        last = m.shape[1] - 1 - np.argmax(m[:, ::-1], axis=1)
        idx = np.arange(m.shape[1])
        inside: np.ndarray = any_[:, None] & (idx >= first[:, None]) & (idx <= last[:, None])
        return inside
    filled: np.ndarray = spans(mask) & spans(mask.T).T
    return filled


def _box(mask: np.ndarray, fraction: float = 0.02) -> Box | None:
    rows = np.nonzero(mask.sum(axis=1) > max(2, fraction * mask.shape[1]))[0]
    cols = np.nonzero(mask.sum(axis=0) > max(2, fraction * mask.shape[0]))[0]
    if len(rows) == 0 or len(cols) == 0:
        return None
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def detect_card(scan: Image.Image) -> CardDetection:
    """Where the card is on ``scan`` (after straightening by ``angle_deg``)."""
    small, scale = _reduced(scan)
    rgb = np.asarray(small)
    background = _background(rgb)
    mask = _foreground(rgb, background)
    angle = _skew(_filled(mask))
    if abs(angle) >= MIN_SKEW_DEG:
        # Image.rotate turns counter-clockwise; the skew measured in image coordinates (y down)
        # is clockwise for a positive angle, so rotate by +angle to straighten it.
        fill = tuple(int(v) for v in background)
        rotated = small.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=fill)
        mask = _foreground(np.asarray(rotated), background)
    else:
        angle = 0.0
    small_box = _box(mask)
    if small_box is None:
        return CardDetection((0, 0, scan.width, scan.height), 0.0, confident=False)
    box = tuple(round(v / scale) for v in small_box)
    left, top, right, bottom = box
    left, top = max(0, left), max(0, top)
    right, bottom = min(scan.width, right), min(scan.height, bottom)
    w, h = right - left, bottom - top
    ratio = max(w, h) / max(1, min(w, h))
    confident = abs(ratio - ID1_RATIO) < 0.12 * ID1_RATIO and w * h < 0.8 * scan.width * scan.height
    return CardDetection((left, top, right, bottom), angle, confident)


def straighten(scan: Image.Image, angle_deg: float) -> Image.Image:
    if angle_deg == 0:
        return scan
    fill = scan.convert("RGB").getpixel((0, 0))
    return scan.rotate(angle_deg, resample=Image.Resampling.BICUBIC, fillcolor=fill)


def straight_region(scan: Image.Image, box: Box, angle_deg: float, margin: int) -> tuple[
        Image.Image, tuple[int, int]]:
    """The neighbourhood of ``box`` (in straightened coordinates), straightened.

    Rotating only this neighbourhood instead of the whole page is ~10× cheaper. Returns the
    region and the straightened-coordinates position of its top-left corner.
    """
    left, top, right, bottom = box
    if angle_deg == 0:
        outer = (max(0, left - margin), max(0, top - margin),
                 min(scan.width, right + margin), min(scan.height, bottom + margin))
        return scan.crop(outer), (outer[0], outer[1])
    # Image.rotate maps an output pixel p' to the input M (p' - C) + C (C: the image centre);
    # a rotation about another centre only differs by a translation, so the box's centre,
    # mapped back into the scan, is the centre to rotate a small neighbourhood about.
    a = -math.radians(angle_deg)
    cx, cy = scan.width / 2, scan.height / 2
    bx, by = (left + right) / 2 - cx, (top + bottom) / 2 - cy
    sx, sy = math.cos(a) * bx + math.sin(a) * by + cx, -math.sin(a) * bx + math.cos(a) * by + cy
    half_w = (right - left) / 2 + margin
    half_h = (bottom - top) / 2 + margin
    reach = math.hypot(half_w, half_h)  # the rotated window's corners stay inside the crop
    src = (round(sx - reach), round(sy - reach), round(sx + reach), round(sy + reach))
    fill = scan.getpixel((0, 0))
    region = scan.crop(src)  # Pillow pads outside the scan with black: repaint as the lid
    if src[0] < 0 or src[1] < 0 or src[2] > scan.width or src[3] > scan.height:
        canvas = Image.new(scan.mode, region.size, fill)
        inner = scan.crop((max(0, src[0]), max(0, src[1]), min(scan.width, src[2]),
                           min(scan.height, src[3])))
        canvas.paste(inner, (max(0, -src[0]), max(0, -src[1])))
        region = canvas
    region = region.rotate(angle_deg, resample=Image.Resampling.BICUBIC, fillcolor=fill)
    rc = region.width / 2, region.height / 2
    window = (round(rc[0] - half_w), round(rc[1] - half_h), round(rc[0] + half_w),
              round(rc[1] + half_h))
    origin = (round((left + right) / 2 - half_w), round((top + bottom) / 2 - half_h))
    return region.crop(window), origin


def crop_card(scan: Image.Image, detection: CardDetection, dpi: float,
              quarter_turns: int = 0) -> Image.Image:
    """The card alone at real ID-1 size at ``dpi``, landscape, turned by ``quarter_turns`` × 90°.

    The crop is resized to exactly 85.6 × 54 mm: a box a few pixels off (or adjusted by a finger)
    must not print a card larger or smaller than the real one.
    """
    margin = 12
    region, (ox, oy) = straight_region(scan.convert("RGB"), detection.box, detection.angle_deg,
                                       margin)
    box = (detection.box[0] - ox, detection.box[1] - oy, detection.box[2] - ox,
           detection.box[3] - oy)
    if detection.automatic and detection.confident:
        box = refine_box(region, box, margin)
    card = region.crop(box)
    if card.height > card.width:
        card = card.transpose(Image.Transpose.ROTATE_90)
    turns = quarter_turns % 4
    if turns:
        card = card.rotate(90 * turns, expand=True)
        if card.height > card.width:
            card = card.transpose(Image.Transpose.ROTATE_90)
    size = (mm_to_px(ID1_MM[0], dpi), mm_to_px(ID1_MM[1], dpi))
    return card.resize(size, Image.Resampling.LANCZOS)


def refine_box(image: Image.Image, box: Box, margin: int = 12) -> Box:
    """The coarse box (found on a reduced copy) made exact on the full-resolution pixels."""
    left, top, right, bottom = box
    outer = (max(0, left - margin), max(0, top - margin),
             min(image.width, right + margin), min(image.height, bottom + margin))
    region = np.asarray(image.crop(outer).filter(ImageFilter.MedianFilter(3)))
    background = _background(region)
    mask = _foreground(region, background)
    found = _box(mask)
    if found is None:
        return box
    return (outer[0] + found[0], outer[1] + found[1], outer[0] + found[2], outer[1] + found[3])


def adjust_box(detection: CardDetection, box: Box, image_size: tuple[int, int]) -> CardDetection:
    """The resident's corrected crop (from the touch screen), kept inside the scan."""
    left, top, right, bottom = box
    width, height = image_size
    left, right = sorted((max(0, min(width, left)), max(0, min(width, right))))
    top, bottom = sorted((max(0, min(height, top)), max(0, min(height, bottom))))
    if right - left < 10 or bottom - top < 10:
        raise ValueError("crop box too small")
    return CardDetection((left, top, right, bottom), detection.angle_deg, confident=True,
                         automatic=False)
