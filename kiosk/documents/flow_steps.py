"""Where the resident is in the scan/copy and print flows, as the page template's stepper
shows it ("Étape 3 sur 7", a step bar, "Étape suivante : Poser le verso").

Counted in the steps *this* resident's document goes through: an ID card has a recto and a
verso to place and check, another document a page list; so the route is only known once the
document is chosen, and the type step shows no counter (a total that would change under the
resident's eyes is worse than none). Another page added to a document goes back to the
"place" step: the counter follows, as the resident asked for it. Titles are French, marked for
translation (the screen translates them).
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.documents.scan_flow import ScanFlow, Step
from kiosk.documents.scanning import Side
from kiosk.i18n import N_


@dataclass(frozen=True)
class FlowStep:
    step: int          # 1-based; 0: no counter on this screen
    total: int
    next_title: str    # French (N_), "" on the last step


NO_COUNTER = FlowStep(0, 0, "")

# (step, side for a card) -> title of that step
CARD_ROUTE: tuple[tuple[Step, Side | None, str], ...] = (
    (Step.TYPE, None, N_("Choisir le document")),
    (Step.PLACE, Side.RECTO, N_("Poser le recto")),
    (Step.CROP, Side.RECTO, N_("Vérifier le recto")),
    (Step.PLACE, Side.VERSO, N_("Poser le verso")),
    (Step.CROP, Side.VERSO, N_("Vérifier le verso")),
    (Step.WATERMARK, None, N_("Ajouter le filigrane")),
    (Step.RESULT, None, N_("Le document est prêt")),
)
PAGES_ROUTE: tuple[tuple[Step, Side | None, str], ...] = (
    (Step.TYPE, None, N_("Choisir le document")),
    (Step.PLACE, None, N_("Poser la page")),
    (Step.PAGES, None, N_("Vérifier les pages")),
    (Step.WATERMARK, None, N_("Ajouter le filigrane")),
    (Step.RESULT, None, N_("Le document est prêt")),
)

PRINT_ROUTE = (N_("Choisir et régler"), N_("Impression"))


def scan_step(flow: ScanFlow | None) -> FlowStep:
    """The step of the scan/copy flow the resident is on, among the steps of their route."""
    if flow is None or flow.step is Step.TYPE or flow.doc_type is None:
        return NO_COUNTER
    card = flow.idcopy is not None
    route = CARD_ROUTE if card else PAGES_ROUTE
    for index, (step, side, _title) in enumerate(route):
        if step is flow.step and (side is None or side is flow.side):
            following = route[index + 1][2] if index + 1 < len(route) else ""
            return FlowStep(index + 1, len(route), following)
    return NO_COUNTER


def print_step(job_started: bool) -> FlowStep:
    """Choosing the document and its options, then the job followed to its end."""
    if job_started:
        return FlowStep(2, 2, "")
    return FlowStep(1, 2, PRINT_ROUTE[1])
