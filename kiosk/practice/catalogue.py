"""The catalogue of practice procedures: the shipped folder plus the site's own folder.

Only procedures that pass the checker are offered; a broken file is left out with a warning
naming the file and line (so a mediator's typo never breaks the kiosk). Browsing by theme and
searching by a word (accents and case ignored, in the person's language) for the screens.
"""
from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.practice.checker import check_paths
from kiosk.practice.loader import Finding
from kiosk.practice.model import Procedure
from kiosk_wire.config import Settings
from kiosk_wire.schema import Theme

log = logging.getLogger(__name__)

SHIPPED_DIR = Path(__file__).parent / "procedures"


def catalogue_paths(settings: Settings | None = None) -> list[Path]:
    paths = [SHIPPED_DIR]
    extra = str(settings.get("practice.extra_dir") or "") if settings is not None else ""
    if extra:
        paths.append(Path(extra).expanduser())
    return paths


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@dataclass
class Catalogue:
    procedures: list[Procedure] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)

    def get(self, procedure_id: str) -> Procedure:
        for procedure in self.procedures:
            if procedure.id == procedure_id:
                return procedure
        raise KeyError(procedure_id)

    def ids(self) -> list[str]:
        return [p.id for p in self.procedures]

    def by_theme(self) -> dict[Theme, list[Procedure]]:
        themes: dict[Theme, list[Procedure]] = {}
        for procedure in self.procedures:
            themes.setdefault(procedure.theme, []).append(procedure)
        return themes

    def search(self, word: str, lang: str = "fr") -> list[Procedure]:
        """Procedures whose title, summary, operator or keywords contain ``word``."""
        needle = _fold(word.strip())
        if not needle:
            return list(self.procedures)
        found = []
        for p in self.procedures:
            haystack = " ".join([p.title.get(lang), p.title.fr, p.summary.get(lang),
                                 p.operator.name, *p.keywords])
            if needle in _fold(haystack):
                found.append(p)
        return found


def load_catalogue(paths: list[Path] | None = None, enabled: set[str] | None = None
                   ) -> Catalogue:
    """Every valid procedure under ``paths`` (default: the shipped catalogue)."""
    report = check_paths(paths or [SHIPPED_DIR])
    for finding in report.findings:
        log.warning("procedure left out of the catalogue: %s", finding)
    procedures = [p for p in report.procedures if enabled is None or p.id in enabled]
    return Catalogue(procedures, report.findings)
