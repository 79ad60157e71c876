"""After the debrief: the next exercise to try, and who can help with the real procedure."""
from __future__ import annotations

import random

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.model import Level
from kiosk.practice.next_steps import next_steps, suggest
from kiosk.sessions.clock import ManualClock

from .play import play_to_end

CATALOGUE = load_catalogue()


def run_of(procedure_id: str, mode: Mode) -> PracticeRun:
    return PracticeRun(CATALOGUE.get(procedure_id), mode, clock=ManualClock(),
                       rng=random.Random(3))


def test_finishing_alone_without_error_offers_a_harder_exercise_of_the_same_theme():
    run = run_of("ameli-compte", Mode.AUTONOMOUS)
    play_to_end(run)
    steps = next_steps(run, CATALOGUE.procedures)
    assert steps.suggested is not None and steps.suggested.id != "ameli-compte"
    assert steps.suggested.theme is run.procedure.theme
    assert steps.lines[0] == f"Exercice conseillé ensuite : « {steps.suggested.title.fr} »."
    assert not any("Aidants Connect" in line for line in steps.lines)


def test_a_resident_who_stayed_guided_is_told_who_can_help_for_real():
    run = run_of("caf-trimestrielle", Mode.GUIDED)
    play_to_end(run)
    steps = next_steps(run, CATALOGUE.procedures, "fr")
    assert any("un médiateur peut la faire avec vous ici" in line and "Aidants Connect" in line
               for line in steps.lines)
    assert any("Aidants Connect" in line for line in next_steps(run, CATALOGUE.procedures,
                                                                 "ar").lines)


def test_stopping_half_way_suggests_trying_again_not_another_exercise():
    run = run_of("caf-trimestrielle", Mode.AUTONOMOUS)
    steps = next_steps(run, CATALOGUE.procedures)
    assert steps.suggested is None
    assert steps.lines[0].startswith("Vous pouvez reprendre cet exercice")


def test_suggestion_moves_one_level_and_stays_in_the_theme():
    by_level = {p.level for p in CATALOGUE.procedures}
    assert Level.BEGINNER in by_level
    for procedure in CATALOGUE.procedures:
        harder = suggest(procedure, CATALOGUE.procedures, +1)
        if harder is not None:
            assert harder.theme is procedure.theme and harder.id != procedure.id
