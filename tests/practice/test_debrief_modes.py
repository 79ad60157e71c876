"""The debrief words hints by mode: alone, a hint was asked for; guided, hints were shown
without asking, so nothing in the debrief says the person "asked" for help."""
from __future__ import annotations

import random

import pytest

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.debrief import build_debrief
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.messages import MESSAGES
from kiosk.practice.solution import page_solution
from kiosk.sessions.clock import ManualClock

PROCEDURE = "caf-trimestrielle"
LANGS = ["fr", "en", "ar"]


def played(mode: Mode, ask_on_first_page: bool = False) -> PracticeRun:
    """A run to the end with the persona's values; in guided mode the screen shows the
    guide's hint on each page before the person types (as the page screen does)."""
    run = PracticeRun(load_catalogue().get(PROCEDURE), mode, clock=ManualClock(),
                      rng=random.Random(7))
    first = True
    while not run.completed:
        if mode is Mode.GUIDED:
            run.guide()
        if ask_on_first_page and first:
            assert run.request_hint() is not None
        first = False
        assert run.submit(page_solution(run.page, run.procedure, run.sms_code)).ok
    return run


@pytest.mark.parametrize("lang", LANGS)
def test_guided_debrief_says_the_guide_was_followed_not_that_help_was_asked(lang):
    run = played(Mode.GUIDED)
    assert run.hints_used > 0, "the guide showed hints on the way"
    debrief = build_debrief(run, lang)
    lines = debrief.went_well + debrief.to_work_on
    hints = MESSAGES["debrief.hints"]
    asked_prefix = hints.get(lang).split("{count}")[0].rsplit("{page}", 1)[1]
    assert not [line for line in lines if asked_prefix in line], lines
    assert MESSAGES["debrief.guided"].get(lang) in debrief.went_well
    assert MESSAGES["debrief.try_alone"].get(lang) in debrief.to_work_on
    assert MESSAGES["debrief.no_hint"].get(lang) not in debrief.went_well
    # Pages done without a refused try are still praised, hints shown or not.
    assert any(MESSAGES["debrief.page_ok"].get(lang).split("{page}")[0] in line
               for line in debrief.went_well)


@pytest.mark.parametrize("lang", LANGS)
def test_alone_debrief_counts_the_help_asked_for(lang):
    run = played(Mode.AUTONOMOUS, ask_on_first_page=True)
    assert run.hints_used == 1
    debrief = build_debrief(run, lang)
    first_title = run.procedure.pages[0].title.get(lang)
    expected = MESSAGES["debrief.hints"].format(lang, page=first_title, count=1)
    assert expected in debrief.to_work_on
    assert MESSAGES["debrief.guided"].get(lang) not in debrief.went_well
    assert MESSAGES["debrief.try_alone"].get(lang) not in debrief.to_work_on


def test_alone_without_any_hint_is_praised_for_it():
    debrief = build_debrief(played(Mode.AUTONOMOUS), "fr")
    assert "Vous n'avez eu besoin d'aucune aide." in debrief.went_well
    assert not any("demandé" in line for line in debrief.to_work_on)


def test_guided_debrief_in_french_never_says_demandé():
    debrief = build_debrief(played(Mode.GUIDED), "fr")
    assert not any("avez demandé" in line for line in debrief.went_well + debrief.to_work_on)
    assert "Vous avez fait l'exercice avec aide" in " ".join(debrief.went_well)
