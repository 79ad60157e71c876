"""Measure Arabic typefaces on what makes Arabic legible on the kiosk, for docs/ui.md.

For each font file given (regular weight), at the kiosk's sizes:
- coverage: the share of the kiosk's Arabic texts (the ar catalogue and the procedures'
  Arabic strings) whose letters, joined as the kiosk joins them (arabic-reshaper writes
  Arabic Presentation Forms: Kivy does not shape), the font maps; a face without them cannot
  be used as it is;
- line height (hhea ascender - descender + line gap, in em: what a label's height follows)
  and how high a few letters rise over the baseline (ه, the tooth of ـبـ, the alef ا) in em,
  ه also in pixels at the body text's 22 px, and ه over ا (as a Latin x-height over the
  capitals' height: the bigger, the bigger the bodies at a given line height), and how wide
  the sample words are at 22 px (wider: more lines where a label wraps);
- counters: the enclosed inner area of ه ة و ف ق م ص ط ـهـ at 22 px, in px² (measured at
  10x, scaled), and how many stay open drawn at 22 px (a counter that fills in at a reading
  size is a letter lost);
- dots: for ت ث ي ن the dots' size and the clear gap between two dots and between the dots
  and the letter's body at 22 px (measured at 10x, scaled), and whether they stay apart drawn
  at 22 px (dots that touch merge into a blob);
- stroke contrast: thickest over thinnest stroke (90th / 10th percentile of the local stroke
  width) over ب ح س ع ه م ر at 300 px: a low-contrast face keeps its thin parts under blur;
- and it writes sample words, drawn the kiosk's way (presentation forms, no shaping engine;
  shaped by raqm for a face that cannot be drawn so), at 18, 22, 24, 36 and 48 px, one PNG
  per face, to look at.

Run: ``python scripts/compare_arabic_faces.py OUT_DIR NAME=FONT.ttf ...``
"""
from __future__ import annotations

import re
import sys
from collections import deque
from pathlib import Path
from statistics import mean

import numpy as np
from fontTools.ttLib import TTFont
from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kiosk.screens.kit.text import _reshape, shape  # noqa: E402  (after the path)

ARABIC = re.compile(r"[\u0600-\u06FF\uFB50-\uFDFF\uFE70-\uFEFF]")
BODY_PX = 22
# Letters are measured shaped by a shaping engine (Pillow's raqm), so a face that maps no
# presentation forms is measured too; the kiosk's own way of drawing is the coverage and
# the sample sheet.
COUNTERS = ("ه", "ة", "و", "ف", "ق", "م", "ص", "ط", "ـهـ")
DOTTED = ("ت", "ث", "ي", "ن")
STROKES = "بحسعهمر"
SAMPLE = ["الرقم الاجتماعي", "بطاقة هوية", "مساعدة", "تأكيد الطباعة", "شهادة الحقوق",
          "نسخة ثابتة يقينًا"]
SIZES = (18, 22, 24, 36, 48)


def kiosk_texts() -> list[str]:
    from babel.messages.pofile import read_po

    with (ROOT / "kiosk" / "locale" / "ar" / "LC_MESSAGES" / "kiosk.po").open("rb") as f:
        catalog = read_po(f)
    texts: list[str] = [str(s) for m in catalog if m.id for s in
                        (m.string if isinstance(m.string, tuple) else (m.string,)) if s]
    for path in sorted((ROOT / "kiosk" / "practice" / "procedures").glob("*.yaml")):
        texts += [t for t in re.findall(r'ar: "([^"]*)"', path.read_text("utf-8"))
                  if ARABIC.search(t)]
    return texts


def coverage(font: TTFont, texts: list[str]) -> float:
    cmap = set(font.getBestCmap())
    ok = sum(all(ord(c) in cmap for c in _reshape(t) if ARABIC.match(c)) for t in texts)
    return ok / len(texts)


def ink(char: str, path: str, px: int) -> np.ndarray:
    """The glyph drawn alone at ``px``, as a boolean ink mask (half-grey counts as ink)."""
    font = ImageFont.truetype(path, px, layout_engine=ImageFont.Layout.RAQM)
    left, top, right, bottom = (round(v) for v in font.getbbox(char))
    img = Image.new("L", (right - left + 8, bottom - top + 8), 0)
    ImageDraw.Draw(img).text((4 - left, 4 - top), char, font=font, fill=255)
    return np.asarray(img) >= 128


def components(mask: np.ndarray) -> list[list[tuple[int, int]]]:
    """4-connected groups of True cells."""
    seen = np.zeros_like(mask)
    groups = []
    for y, x in zip(*np.nonzero(mask), strict=True):
        if seen[y, x]:
            continue
        group, todo = [], deque([(y, x)])
        seen[y, x] = True
        while todo:
            cy, cx = todo.popleft()
            group.append((cy, cx))
            for ny, nx in ((cy + 1, cx), (cy - 1, cx), (cy, cx + 1), (cy, cx - 1)):
                if 0 <= ny < mask.shape[0] and 0 <= nx < mask.shape[1] and mask[ny, nx] \
                        and not seen[ny, nx]:
                    seen[ny, nx] = True
                    todo.append((ny, nx))
        groups.append(group)
    return groups


def counter_area(char: str, path: str, px: int) -> int:
    """Background pixels enclosed by the glyph at ``px`` (not reachable from outside)."""
    mask = ink(char, path, px)
    outside = np.zeros_like(mask)
    todo = deque((y, x) for y in range(mask.shape[0]) for x in (0, mask.shape[1] - 1))
    todo += deque((y, x) for x in range(mask.shape[1]) for y in (0, mask.shape[0] - 1))
    while todo:
        y, x = todo.popleft()
        if 0 <= y < mask.shape[0] and 0 <= x < mask.shape[1] and not mask[y, x] \
                and not outside[y, x]:
            outside[y, x] = True
            todo.extend(((y + 1, x), (y - 1, x), (y, x + 1), (y, x - 1)))
    return int((~mask & ~outside).sum())


def dots(char: str, path: str) -> tuple[float, float, float, bool]:
    """(dot size, clear gap between two dots, clear gap from the dots to the body) in px at
    the body size (measured at 10x it, then scaled), and whether the dots stay apart from each
    other and from the body when drawn at the body size (as many pieces as at 10x)."""
    fine = sorted(components(ink(char, path, BODY_PX * 10)), key=len, reverse=True)
    coarse = components(ink(char, path, BODY_PX))
    body, marks = fine[0], fine[1:]
    size = mean(max(max(x for _y, x in g) - min(x for _y, x in g),
                    max(y for y, _x in g) - min(y for y, _x in g)) + 1 for g in marks) / 10

    def gap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> float:
        pa, pb = np.array(a[::7]), np.array(b[::7])   # every 7th pixel: close enough at 10x
        d = np.sqrt(((pa[:, None, :] - pb[None, :, :]) ** 2).sum(-1)).min()
        return float(max(0.0, d - 1)) / 10

    between = min((gap(a, b) for i, a in enumerate(marks) for b in marks[i + 1:]),
                  default=float("nan"))
    to_body = min(gap(m, body) for m in marks)
    return size, between, to_body, len(coarse) >= len(fine)


def stroke_contrast(path: str) -> float:
    """90th over 10th percentile of the local stroke width (the shorter of the horizontal and
    vertical ink runs through each inked pixel) over a few letters at 300 px."""
    widths: list[int] = []
    for char in STROKES:
        mask = ink(char, path, 300)
        runs_h = np.zeros(mask.shape, int)
        runs_v = np.zeros(mask.shape, int)
        for arr, out in ((mask, runs_h), (mask.T, runs_v.T)):
            for i, row in enumerate(arr):
                x = 0
                while x < len(row):
                    if row[x]:
                        end = x
                        while end < len(row) and row[end]:
                            end += 1
                        out[i, x:end] = end - x
                        x = end
                    else:
                        x += 1
        widths += list(np.minimum(runs_h, runs_v)[mask])
    p10, p90 = np.percentile(widths, [10, 90])
    return float(p90 / p10)


def metrics(font: TTFont, path: str) -> dict[str, float]:
    upm = font["head"].unitsPerEm
    hhea = font["hhea"]
    em = ImageFont.truetype(path, 1000, layout_engine=ImageFont.Layout.RAQM)

    def above(text: str) -> float:   # how far the text rises over the baseline, in em
        return -em.getbbox(text, anchor="ls")[1] / 1000

    body = ImageFont.truetype(path, BODY_PX, layout_engine=ImageFont.Layout.RAQM)
    return {"line": (hhea.ascent - hhea.descent + hhea.lineGap) / upm,
            "heh": above("ه"), "tooth": above("ـبـ"), "alef": above("ا"),
            "width": body.getlength(" ".join(SAMPLE))}


def sample(path: str, name: str, out: Path, kiosk_way: bool) -> Path:
    """Sample lines at the kiosk's sizes: joined and ordered the kiosk's way when the face
    can draw that (presentation forms), else shaped by raqm, to see the design anyway."""
    texts = (" ".join(SAMPLE[:3]), " ".join(SAMPLE[3:]))
    lines = [(size, shape(t) if kiosk_way else t) for size in SIZES for t in texts]
    engine = ImageFont.Layout.BASIC if kiosk_way else ImageFont.Layout.RAQM
    fonts = {size: ImageFont.truetype(path, size, layout_engine=engine) for size in SIZES}
    height = sum(int(size * 1.9) for size, _ in lines) + 20
    img = Image.new("L", (1100, height), 255)
    pen = ImageDraw.Draw(img)
    y = 10
    for size, text in lines:
        pen.text((1090, y), text, font=fonts[size], fill=30, anchor="ra")
        pen.text((10, y), f"{size}px", font=ImageFont.load_default(), fill=120)
        y += int(size * 1.9)
    target = out / f"arabic-{name}.png"
    img.save(target)
    return target


def main(out: Path, faces: list[tuple[str, str]]) -> None:
    out.mkdir(parents=True, exist_ok=True)
    texts = kiosk_texts()
    print(f"{len(texts)} Arabic texts of the kiosk")
    for name, path in faces:
        font = TTFont(path)
        covered = coverage(font, texts)
        m = metrics(font, path)
        areas = {c: counter_area(c, path, BODY_PX * 10) / 100 for c in COUNTERS}
        open_ = sum(counter_area(c, path, BODY_PX) > 0 for c in COUNTERS)
        dotted = {c: dots(c, path) for c in DOTTED}
        print(f"\n{name}: coverage {covered:.1%}; line {m['line']:.2f} em; "
              f"ه {m['heh']:.2f} em = {m['heh'] * BODY_PX:.1f} px at {BODY_PX} px, tooth "
              f"{m['tooth']:.2f} em, ا {m['alef']:.2f} em (ه / ا {m['heh'] / m['alef']:.2f}); "
              f"stroke contrast {stroke_contrast(path):.2f}; the sample words {m['width']:.0f} px "
              f"wide at {BODY_PX} px")
        print(f"  counters at {BODY_PX} px (px², from 10x): " + ", ".join(
            f"{c} {a:.1f}" for c, a in areas.items()) + f"; mean {mean(areas.values()):.1f}; "
            f"still open when drawn at {BODY_PX} px: {open_}/{len(COUNTERS)}")
        print(f"  dots at {BODY_PX} px (size / between two / to the body, px; apart at "
              f"{BODY_PX} px): " + ", ".join(f"{c} {s:.1f}/{b:.1f}/{t:.1f}/{'yes' if a else 'NO'}"
                                            for c, (s, b, t, a) in dotted.items()))
        print(f"  sample: {sample(path, name, out, covered > 0.99)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), [tuple(a.split("=", 1)) for a in sys.argv[2:]])  # type: ignore[misc]
