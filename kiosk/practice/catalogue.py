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
from typing import TYPE_CHECKING

from kiosk.practice.checker import check_paths
from kiosk.practice.loader import Finding
from kiosk.practice.model import Procedure
from kiosk_wire.config import Settings
from kiosk_wire.schema import Theme

if TYPE_CHECKING:
    from kiosk.practice.parcours_file import Parcours

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
    """``procedures`` are what residents see; ``drafts`` (French-only, or partly translated)
    are offered only in a mediator's test mode."""

    procedures: list[Procedure] = field(default_factory=list)
    skipped: list[Finding] = field(default_factory=list)
    drafts: list[Procedure] = field(default_factory=list)
    # Parcours published from the console with the site's bundle (kiosk.practice.published),
    # checked there; offered beside the shipped ones when the catalogue has all their steps.
    published_parcours: list[Parcours] = field(default_factory=list)

    def get(self, procedure_id: str) -> Procedure:
        for procedure in [*self.procedures, *self.drafts]:
            if procedure.id == procedure_id:
                return procedure
            if procedure.short is not None and procedure.short.id == procedure_id:
                return procedure.short
        raise KeyError(procedure_id)

    def shorts(self) -> list[Procedure]:
        """The short first-timer versions of the ready procedures (offered on their start
        screen, not as catalogue entries of their own)."""
        return [p.short for p in self.procedures if p.short is not None]

    def ids(self) -> list[str]:
        return [p.id for p in self.procedures]

    def offered(self, drafts: bool = False) -> list[Procedure]:
        """What the catalogue screen lists: the ready procedures, plus the drafts in a
        mediator's test mode."""
        return [*self.procedures, *self.drafts] if drafts else list(self.procedures)

    def is_draft(self, procedure_id: str) -> bool:
        return any(p.id == procedure_id for p in self.drafts)

    def by_theme(self, drafts: bool = False) -> dict[Theme, list[Procedure]]:
        themes: dict[Theme, list[Procedure]] = {}
        for procedure in self.offered(drafts):
            themes.setdefault(procedure.theme, []).append(procedure)
        return themes

    def search(self, word: str, lang: str = "fr", drafts: bool = False) -> list[Procedure]:
        """Procedures whose title, summary, operator or keywords contain ``word``."""
        needle = _fold(word.strip())
        if not needle:
            return self.offered(drafts)
        found = []
        for p in self.offered(drafts):
            haystack = " ".join([p.title.get(lang), p.title.fr, p.summary.get(lang),
                                 p.operator.name, *p.keywords])
            if needle in _fold(haystack):
                found.append(p)
        return found


def load_catalogue(paths: list[Path] | None = None, enabled: set[str] | None = None,
                   at_start: bool = False) -> Catalogue:
    """Every valid procedure under ``paths`` (default: the shipped catalogue). ``at_start``:
    the kiosk opening its catalogue, which trusts the shipped files' schema pass (see
    ``check_paths``); `kiosk procedures check` and the tools check everything."""
    report = check_paths(paths or [SHIPPED_DIR], packaged=SHIPPED_DIR if at_start else None)
    for finding in report.errors:
        log.warning("procedure left out of the catalogue: %s", finding)
    for draft in report.drafts:
        log.info("procedure %s is a draft (translations missing): mediators' test mode only",
                 draft.id)
    procedures = [p for p in report.procedures if enabled is None or p.id in enabled]
    return Catalogue(procedures, report.errors, report.drafts)


def shipped_ids() -> dict[str, str]:
    """The shipped catalogue's ids, each with what a mediator reads about it."""
    from kiosk.i18n import _
    from kiosk_wire.catalogue import shipped

    return {pid: _("la démarche fournie avec la borne « {title} »").format(title=entry.title_fr)
            for pid, entry in shipped().items()}
