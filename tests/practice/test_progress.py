"""The step counter a resident sees: only the pages on their own route, one step at a time."""
from __future__ import annotations

import dataclasses
import random
from itertools import pairwise

import pytest

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.model import Branch
from kiosk.practice.progress import progress, resident_route
from kiosk.practice.solution import page_solution
from kiosk.sessions.clock import ManualClock

CATALOGUE = load_catalogue()


def new_run(procedure) -> PracticeRun:
    return PracticeRun(procedure, Mode.AUTONOMOUS, clock=ManualClock(), rng=random.Random(7))


def walk(run: PracticeRun, answers: dict | None = None) -> list[tuple[str, int, int, str | None]]:
    """(page, step, total, next title) on every page of a run played to its end."""
    seen = []
    for _ in range(60):
        p = progress(run)
        seen.append((run.page.id, p.step, p.total, p.next_title.fr if p.next_title else None))
        if run.completed:
            return seen
        typed = page_solution(run.page, run.procedure, run.sms_code)
        typed.update({k: v for k, v in (answers or {}).items() if run.page.field(k)})
        assert run.submit(typed).ok
    raise AssertionError("no end")


@pytest.mark.parametrize("procedure_id", CATALOGUE.ids())
def test_the_counter_goes_up_one_step_per_page_and_ends_on_the_total(procedure_id):
    seen = walk(new_run(CATALOGUE.get(procedure_id)))
    steps = [step for _page, step, _total, _next in seen]
    assert steps == list(range(1, len(seen) + 1))
    assert seen[-1][2] == len(seen)       # the last page is "n sur n"
    assert seen[-1][3] is None            # and announces no next step
    procedure = CATALOGUE.get(procedure_id)
    for (page, _s, _t, announced), (next_page, *_rest) in pairwise(seen):
        if any(b.field for b in procedure.page(page).next):
            continue  # the answer on this very page decides; the default route is announced
        assert announced == procedure.page(next_page).title.fr


@pytest.mark.parametrize("procedure_id", ["ameli-compte", "mairie-liste-electorale"])
def test_a_branch_this_resident_does_not_take_is_not_counted(procedure_id):
    procedure = CATALOGUE.get(procedure_id)
    seen = walk(new_run(procedure))
    pages = [page for page, *_ in seen]
    ranks = [new_run(procedure).depths[page] for page in pages]
    # The statistics rank (longest path of the procedure) jumps over the branch not taken...
    assert any(b - a > 1 for a, b in pairwise(ranks))
    # ...the resident's counter does not: n sur m, m = the pages of this route.
    assert [step for _p, step, _t, _n in seen] == list(range(1, len(pages) + 1))
    assert {total for _p, _s, total, _n in seen} == {len(pages)}
    assert len(pages) < new_run(procedure).steps_total


def test_a_page_that_explains_a_wrong_choice_is_not_a_step():
    ants = CATALOGUE.get("ants-pre-demande")
    # Make the stamp page an explanation that sends the person back to the choice.
    pages = tuple(dataclasses.replace(p, next=(Branch(page="choix"),)) if p.id == "timbre"
                  else p for p in ants.pages)
    detour = dataclasses.replace(ants, pages=pages)
    run = new_run(detour)
    while run.page.id != "choix":
        assert run.submit(page_solution(run.page, run.procedure, run.sms_code)).ok
    on_choice = progress(run)
    typed = page_solution(run.page, run.procedure, run.sms_code)
    typed["titre"] = "passeport"
    assert run.submit(typed).ok and run.page.id == "timbre"
    on_detour = progress(run)
    assert not on_detour.counted
    assert on_detour.step == on_choice.step          # the counter stays where the person was
    assert on_detour.total == on_choice.total
    assert "timbre" not in resident_route(run)
    assert on_detour.next_title == detour.page("etat_civil").title


def test_a_wrong_choice_s_explanation_page_is_not_a_step():
    procedure = CATALOGUE.get("mairie-liste-electorale")
    run = new_run(procedure)
    on_first = progress(run)
    typed = page_solution(run.page, run.procedure, run.sms_code)
    typed["nationalite"] = "europeenne"          # not what the card says: its own page explains
    assert run.submit(typed).ok and run.page.id == "europeen"
    on_explanation = progress(run)
    assert not on_explanation.counted
    assert (on_explanation.step, on_explanation.total) == (on_first.step, on_first.total)
    assert on_explanation.next_title == procedure.page("identite").title
    assert run.submit(page_solution(run.page, run.procedure, run.sms_code)).ok
    assert run.page.id == "identite" and progress(run).step == on_first.step + 1
