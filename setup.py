"""Build hook: the gettext catalogues are compiled (.po -> .mo) into every built artefact.

The .mo files are build products (not committed); without this a wheel or package built from a
clean checkout would carry only the .po sources, and English and Arabic would silently fall
back to French. Everything else is declared in pyproject.toml.
"""
from __future__ import annotations

from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py


class BuildPyWithCatalogues(build_py):
    def run(self) -> None:
        super().run()
        # Babel is a build requirement (pyproject.toml [build-system], requirements/build.lock).
        from babel.messages.mofile import write_mo
        from babel.messages.pofile import read_po

        for po_path in sorted(Path("kiosk/locale").glob("*/LC_MESSAGES/*.po")):
            target = Path(self.build_lib) / po_path.with_suffix(".mo")
            target.parent.mkdir(parents=True, exist_ok=True)
            with po_path.open("rb") as f:
                catalog = read_po(f, locale=po_path.parts[-3])
            with target.open("wb") as f:
                write_mo(f, catalog)


setup(cmdclass={"build_py": BuildPyWithCatalogues})
