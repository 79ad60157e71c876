"""Build the kiosk's Arabic face, kiosk/fonts/KioskArabic-{Regular,Bold}.ttf.

Kivy draws a label in one font file and does not shape text (the kiosk joins Arabic letters
with arabic-reshaper, which writes Arabic Presentation Forms): the face must map those forms
and also the Latin letters an Arabic sentence carries (a site's name, « SMS », « PDF »).
Noto Sans Arabic UI (the Noto project, SIL Open Font License 1.1) maps the forms but no Latin
letters; Atkinson Hyperlegible (Braille Institute, OFL 1.1, the kiosk's Latin face) has the
Latin. This script keeps every glyph of Noto Sans Arabic UI and adds, from Atkinson
Hyperlegible, each character Noto does not map, so Latin inside Arabic text is drawn in the
same face as the rest of the kiosk. Hinting is dropped (FreeType's auto-hinter draws the
sizes the kiosk uses, 20 px and up). Neither licence reserves a font name; the result is
named « Kiosk Arabic » and ships with both licences (kiosk/fonts/OFL*.txt).

Sources: notofonts/arabic, branch gh-pages, commit 43674fa5 (2025-04-28), files
fonts/NotoSansArabicUI/unhinted/ttf/NotoSansArabicUI-{Regular,Bold}.ttf (v2.011).

Run: ``python scripts/build_arabic_font.py NOTO_DIR`` (NOTO_DIR holds the two Noto files).
"""
from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.merge import Merger
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
FONTS = ROOT / "kiosk" / "fonts"
FAMILY = "Kiosk Arabic"
WEIGHTS = ("Regular", "Bold")


def _strip(path: Path, out: Path, unicodes: list[int] | None = None) -> Path:
    """``path`` without hinting (and only ``unicodes`` when given), written to ``out``."""
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["*"]
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = True
    font = subset.load_font(str(path), options)
    subsetter = subset.Subsetter(options)
    if unicodes is None:
        unicodes = list(font.getBestCmap())
    subsetter.populate(unicodes=unicodes)
    subsetter.subset(font)
    subset.save_font(font, str(out), options)
    return out


def _rename(font: TTFont, weight: str) -> None:
    copyright_ = ("Copyright 2022 The Noto Project Authors (https://github.com/notofonts/arabic); "
                  "Latin: Copyright 2020 Braille Institute of America, Inc. "
                  "(Atkinson Hyperlegible)")
    names = {0: copyright_, 1: FAMILY, 2: weight, 3: f"{FAMILY.replace(' ', '')}-{weight}",
             4: f"{FAMILY} {weight}", 6: f"{FAMILY.replace(' ', '')}-{weight}",
             16: FAMILY, 17: weight}
    table = font["name"]
    table.names = [n for n in table.names if n.nameID not in names and n.nameID not in (21, 22)]
    for name_id, text in names.items():
        table.setName(text, name_id, 3, 1, 0x409)


def build(noto_dir: Path, work: Path) -> list[Path]:
    written = []
    for weight in WEIGHTS:
        noto = _strip(noto_dir / f"NotoSansArabicUI-{weight}.ttf", work / f"noto-{weight}.ttf")
        latin_path = FONTS / f"AtkinsonHyperlegible-{weight}.ttf"
        have = set(TTFont(str(noto)).getBestCmap())
        extra = sorted(set(TTFont(str(latin_path)).getBestCmap()) - have)
        latin = _strip(latin_path, work / f"latin-{weight}.ttf", extra)
        merged = Merger().merge([str(noto), str(latin)])
        _rename(merged, weight)
        out = FONTS / f"KioskArabic-{weight}.ttf"
        merged.save(str(out))
        written.append(out)
    written.append(write_ranges(FONTS / "KioskArabic-Regular.ttf", FONTS / "KioskArabic-Bold.ttf"))
    return written


def write_ranges(regular: Path, bold: Path) -> Path:
    """kiosk/screens/kit/arabic_ranges.py: the code points both faces map, as ranges (the
    kiosk picks a label's face without opening the font; tests/ui check it against the cmap)."""
    codes = sorted(set(TTFont(str(regular)).getBestCmap()) & set(TTFont(str(bold)).getBestCmap()))
    ranges: list[tuple[int, int]] = []
    for code in codes:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    cells = [f"(0x{a:04X}, 0x{b:04X})," for a, b in ranges]
    rows = [" ".join(cells[i:i + 5]) for i in range(0, len(cells), 5)]
    body = "\n".join(f"    {row}" for row in rows)
    out = ROOT / "kiosk" / "screens" / "kit" / "arabic_ranges.py"
    out.write_text(
        '"""Code points both Kiosk Arabic faces map (kiosk/fonts/KioskArabic-*.ttf). Written by\n'
        'scripts/build_arabic_font.py; tests/ui/test_page_template.py checks it against the '
        'fonts."""\n'
        f"ARABIC_RANGES: tuple[tuple[int, int], ...] = (\n{body}\n)\n")
    return out


if __name__ == "__main__":
    import tempfile

    if len(sys.argv) != 2:
        sys.exit("usage: build_arabic_font.py NOTO_DIR")
    with tempfile.TemporaryDirectory() as tmp:
        for path in build(Path(sys.argv[1]), Path(tmp)):
            print(path)
