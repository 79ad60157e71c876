"""Compile every gettext catalogue (.po -> .mo) shipped in the package.

Run at build/test time (`make i18n`); the compiled .mo files are not committed.
"""
from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).parent / "locale"


def compile_catalogues(locale_dir: Path = LOCALE_DIR) -> list[Path]:
    written: list[Path] = []
    for po_path in sorted(locale_dir.glob("*/LC_MESSAGES/*.po")):
        with po_path.open("rb") as f:
            catalog = read_po(f, locale=po_path.parts[-3])
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as f:
            write_mo(f, catalog)
        written.append(mo_path)
    return written


def main() -> int:
    written = compile_catalogues()
    print(f"i18n: compiled {len(written)} catalogue(s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
