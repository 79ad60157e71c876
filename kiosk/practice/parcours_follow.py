"""A resident following a parcours during one session, without Kivy.

What it keeps (in memory, forgotten when the session ends): the parcours followed and which of
its steps are done, from this session's finished exercises and from a progress card scanned at
the start. It suggests the next exercise ("2 sur 5"), tags each practice activity of a step
with the parcours id and the step's rank (the statistics count progress, nothing else), writes
the progress card and reads a scanned one.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.practice import parcours_card
from kiosk.practice.parcours_card import CardReading, CardResult
from kiosk.practice.parcours_file import Parcours, check_parcours, parcours_paths
from kiosk_wire.catalogue import full_id_of

if TYPE_CHECKING:
    from PIL import Image

    from kiosk.runtime import KioskRuntime
    from kiosk_wire.schema import Activity

log = logging.getLogger(__name__)


@dataclass
class ParcoursProgress:
    parcours: Parcours
    done: set[int] = field(default_factory=set)   # 0-based step indexes

    @property
    def total(self) -> int:
        return len(self.parcours.steps)

    @property
    def done_count(self) -> int:
        return len(self.done)

    @property
    def complete(self) -> bool:
        return self.done_count >= self.total

    def next_step(self) -> int | None:
        """The first step not done yet (None when all are)."""
        return next((i for i in range(self.total) if i not in self.done), None)

    def next_procedure(self) -> str | None:
        step = self.next_step()
        return None if step is None else self.parcours.steps[step]


class ParcoursFollow:
    def __init__(self, runtime: KioskRuntime) -> None:
        self.runtime = runtime
        self.progress: ParcoursProgress | None = None
        self.printed = False       # this session's card went to the printer
        self._offered: dict[str, Parcours] | None = None
        # The catalogue's ids and published parcours they were checked on.
        self._offered_for: tuple[tuple[str, ...], tuple[Parcours, ...]] = ((), ())
        self._key: bytes | None = None

    # --- what is offered ---------------------------------------------------------------------
    def offered(self) -> dict[str, Parcours]:
        """The parcours whose every step is in this kiosk's catalogue, by id. Checked again
        when the catalogue changes (a site's bundle swapped in between sessions may hide a
        procedure: a parcours with a step the kiosk no longer offers is left out)."""
        catalogue = self.runtime.practice
        ids = tuple(catalogue.ids()) if catalogue is not None else ()
        # Those published from the console (checked when their bundle was taken).
        published = tuple(catalogue.published_parcours) if catalogue is not None else ()
        if self._offered is None or (ids, published) != self._offered_for:
            self._offered_for = (ids, published)
            settings = self.runtime.settings
            report = check_parcours(parcours_paths(str(settings.get("practice.parcours_dir"))),
                                    ids)
            for finding in report.errors:
                log.warning("parcours left out: %s", finding)
            self._offered = {p.id: p for p in report.parcours}
            for parcours in published:
                if parcours.id not in self._offered and set(parcours.steps) <= set(ids):
                    self._offered[parcours.id] = parcours
        return self._offered

    def key(self) -> bytes:
        if self._key is None:
            settings = self.runtime.settings
            self._key = parcours_card.load_key(str(settings.get("practice.card_key")),
                                               Path(settings.data_dir))
        return self._key

    # --- following -----------------------------------------------------------------------------
    def follow(self, parcours: Parcours, done: frozenset[int] = frozenset()) -> ParcoursProgress:
        """Follow ``parcours`` (from the catalogue, or resumed from a card: ``done``)."""
        if self.progress is None or self.progress.parcours.id != parcours.id:
            self.progress = ParcoursProgress(parcours)
            self.printed = False
        self.progress.done |= set(done)
        return self.progress

    def step_of(self, procedure_id: str) -> int | None:
        """The step ``procedure_id`` is in the parcours followed. A procedure's short version
        (``<id>-courte``) is the same step: the short version is what a first-timer is offered
        first, and a parcours is about having practised each démarche once; its activity keeps
        its own id, so the statistics still tell the two apart."""
        progress = self.progress
        if progress is None:
            return None
        step = progress.parcours.step_of(procedure_id)
        full = full_id_of(procedure_id)
        return progress.parcours.step_of(full) if step is None and full is not None else step

    def tag(self, activity: Activity, completed: bool) -> Activity:
        """``activity`` of a practice run, tagged with its parcours step when it is one; a
        completed step is marked done (the card and "2 sur 5" follow)."""
        progress = self.progress
        step = self.step_of(activity.procedure_id or "")
        if progress is None or step is None:
            return activity
        if completed and step not in progress.done:
            progress.done.add(step)
            self.printed = False
        from kiosk_wire.schema import Activity

        return Activity(**{**activity.model_dump(), "parcours_id": progress.parcours.id,
                           "parcours_step": step + 1})

    def card_worth_printing(self) -> bool:
        """At the end of the session: a parcours followed, something done, not printed yet."""
        return self.progress is not None and bool(self.progress.done) and not self.printed

    def forget(self) -> None:
        self.progress = None
        self.printed = False

    # --- the card ------------------------------------------------------------------------------
    def card_text(self) -> str:
        progress = self.progress
        if progress is None:
            raise RuntimeError("no parcours followed")
        return parcours_card.encode(progress.parcours, progress.done, self.key())

    def write_card(self, path: Path, lang: str) -> Path:
        from kiosk.practice.parcours_pdf import write_card

        progress = self.progress
        if progress is None:
            raise RuntimeError("no parcours followed")
        catalogue = self.runtime.practice
        titles = {pid: catalogue.get(pid).title for pid in progress.parcours.steps} \
            if catalogue is not None else {}
        return write_card(progress.parcours, frozenset(progress.done), self.card_text(), titles,
                          path, lang)

    def read_card(self, image: Image.Image) -> CardResult:
        """What a scanned card says; changes nothing (it runs on a worker thread: the screen
        hands a good reading to :meth:`resume` on the UI thread, unless the session ended
        meanwhile, so a card never reaches the next resident's session)."""
        from kiosk.documents.codes import read_qr_texts

        return parcours_card.read_codes(read_qr_texts(image), self.offered(), self.key())

    def resume(self, result: CardResult) -> ParcoursProgress | None:
        """Follow the parcours of a good card, its exercises done; None for any other."""
        if result.reading is not CardReading.OK or result.content is None:
            return None
        progress = self.follow(self.offered()[result.content.parcours_id], result.content.done)
        self.printed = True  # the card in hand already says this much
        return progress
