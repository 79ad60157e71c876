"""Where the resident is in a practice run, counted in the pages *this* resident will see.

The engine's ``step``/``steps_total`` (:func:`kiosk.practice.steps.page_depths`) rank each page
on the longest path of the whole procedure: stable per procedure, which the statistics need
("62 % stop at step 3"), but a resident who never takes the optional branch (the passport's tax
stamp when asking for an identity card) sees the counter jump 2 -> 5. The step bar shows
:func:`progress` instead: the pages already walked, the current one and the pages ahead as the
answers given so far lead (an unanswered choice takes the procedure's default branch), each
page counted once. A page only a wrong choice leads to (its text explains the mistake), and a
detour page whose every way out leads back to a page already walked, are not steps: on them the
counter stays on the step the person came from.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.practice.model import Page, Procedure
from kiosk.practice.solution import page_solution
from kiosk.practice.text import Text

if TYPE_CHECKING:
    from kiosk.practice.engine import PracticeRun

# A procedure has at most a few dozen pages; a longer prediction means a loop.
MAX_AHEAD = 100


@dataclass(frozen=True)
class Progress:
    step: int                  # 1-based, among the pages this resident sees
    total: int                 # how many pages this resident will see, as answered so far
    next_title: Text | None    # the title of the next step; None on the last one
    counted: bool = True       # False on a detour page (it repeats the previous step number)

    @property
    def fraction(self) -> float:
        """How far along, 0..1, for a progress bar."""
        return self.step / self.total if self.total else 1.0


def _next_page_id(run: PracticeRun, page: Page) -> str | None:
    """Where ``page`` leads with the answers given so far (None at the end)."""
    if page.end or not page.next:
        return None
    for branch in page.next:
        if branch.applies(run.value(branch.field) if branch.field else None):
            return branch.page
    return None


def _is_detour(run: PracticeRun, page: Page, walked: list[str]) -> bool:
    """Every way out of ``page`` goes back to a page already walked (and it is no end)."""
    return (not page.end and bool(page.next) and bool(walked)
            and all(b.page in walked for b in page.next))


def persona_route(procedure: Procedure) -> list[str]:
    """The pages the persona card's answers lead through, from the start."""
    answers: dict[str, Any] = {}
    for page in procedure.pages:
        answers.update(page_solution(page, procedure))
    route = [procedure.start]
    page = procedure.page(procedure.start)
    for _ in range(MAX_AHEAD):
        target = next((b.page for b in page.next
                       if b.applies(answers.get(b.field) if b.field else None)), None)
        if target is None or target in route:
            break
        route.append(target)
        page = procedure.page(target)
    return route


def explanation_pages(procedure: Procedure) -> frozenset[str]:
    """Pages only a wrong choice leads to (the engine sends a person there to explain the
    mistake, counted as an error): not steps of the procedure."""
    on_route = set(persona_route(procedure))
    found = set()
    for page in procedure.pages:
        answers = page_solution(page, procedure)
        for branch in page.next:
            if branch.field and branch.page not in on_route \
                    and str(answers.get(branch.field)) != str(branch.equals):
                found.add(branch.page)
    return frozenset(found)


def _default_target(page: Page) -> str | None:
    """Where ``page`` leads when no condition holds (the branch without a field)."""
    return next((b.page for b in page.next if b.field is None), None)


def resident_route(run: PracticeRun) -> list[str]:
    """The ids of the pages this resident sees, in order, each once, detours left out: the
    pages walked, the current page, then the pages ahead as the answers so far lead."""
    procedure = run.procedure
    explaining = explanation_pages(procedure)
    route: list[str] = []
    for page_id in [*run.history, run.page.id]:
        if page_id not in route and page_id not in explaining \
                and not _is_detour(run, procedure.page(page_id), route):
            route.append(page_id)
    if not route:
        return [run.page.id]
    page = procedure.page(route[-1])
    for _ in range(MAX_AHEAD):
        target = _next_page_id(run, page)
        if target is not None and (target in explaining
                                   or _is_detour(run, procedure.page(target), route)):
            target = _default_target(page)  # the person will correct the wrong choice
        if target is None or target in route:
            break
        page = procedure.page(target)
        route.append(target)
    return route


def progress(run: PracticeRun) -> Progress:
    """``Étape n sur m`` and ``Étape suivante : …`` for the current page of ``run``."""
    route = resident_route(run)
    current = run.page.id
    if current in route:
        index = route.index(current)
        counted = True
    else:  # a detour: the step the person came from
        walked = [p for p in run.history if p in route]
        index = route.index(walked[-1]) if walked else 0
        counted = False
    following = route[index + 1] if index + 1 < len(route) else None
    next_title = run.procedure.page(following).title if following is not None else None
    return Progress(step=index + 1, total=len(route), next_title=next_title, counted=counted)
