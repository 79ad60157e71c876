"""Every procedure, and every short first-timer version, played to the end in guided and in
autonomous mode WITH its traps sprung: the look-alike link touched (explained, counted, the
page kept), the value typed in the form the site refuses (refused with the site's own message,
counted), the page left waiting until the session expires (sent back where the trap says, the
page to type again). The persona then finishes the run: a trap costs errors, never the end."""
from __future__ import annotations

import random
import re

import pytest

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.engine import Mode, Outcome, PracticeRun
from kiosk.practice.model import TrapKind
from kiosk.practice.solution import page_solution
from kiosk.sessions.clock import ManualClock

CATALOGUE = load_catalogue()
IDS = CATALOGUE.ids() + [p.id for p in CATALOGUE.shorts()]
WITH_TRAPS = [pid for pid in IDS if any(p.traps for p in CATALOGUE.get(pid).pages)]


def refused_forms(value: str, pattern: str) -> list[str]:
    """The right value written as people do and as the site's ``pattern`` refuses: with the
    currency sign, a space in the digits, every character spaced out."""
    candidates = (value + " €", value[:2] + " " + value[2:], " ".join(value), "-" + value)
    return [c for c in candidates if not re.fullmatch(pattern, c)]


def test_most_procedures_have_traps_to_spring():
    assert len(WITH_TRAPS) >= 30, WITH_TRAPS


@pytest.mark.parametrize("mode", [Mode.GUIDED, Mode.AUTONOMOUS])
@pytest.mark.parametrize("procedure_id", WITH_TRAPS)
def test_every_trap_is_sprung_and_the_run_still_reaches_the_end(procedure_id, mode):
    clock = ManualClock()
    run = PracticeRun(CATALOGUE.get(procedure_id), mode, clock=clock, rng=random.Random(7))
    sprung: set[tuple[str, TrapKind]] = set()
    scams = refusals = expiries = 0
    for _ in range(80):
        if run.completed:
            break
        page = run.page
        solution = page_solution(page, run.procedure, run.sms_code)
        for trap in page.traps:
            if (page.id, trap.kind) in sprung:
                continue
            sprung.add((page.id, trap.kind))
            if trap.kind is TrapKind.SCAM_LINK:
                explanation = run.follow_link()
                assert explanation.fr and explanation.missing() == ()
                assert run.page.id == page.id
                scams += 1
            elif trap.kind is TrapKind.WRONG_FORMAT:
                assert trap.field is not None and trap.format is not None
                said = []
                for form in refused_forms(str(solution[trap.field]), trap.format):
                    result = run.submit({**solution, trap.field: form})
                    assert result.outcome is Outcome.ERRORS and run.page.id == page.id
                    refusals += 1
                    said.append(result.errors[trap.field].text("fr"))
                    if trap.message is None or said[-1] == trap.message.fr:
                        break
                # the site's own words, for one of the usual ways of writing the value
                assert trap.message is None or trap.message.fr in said, said
            elif trap.kind is TrapKind.SESSION_EXPIRED:
                clock.advance(trap.after_s + 1)
                result = run.submit(solution)
                assert result.outcome is Outcome.EXPIRED and result.notice is not None
                assert run.page.id == (trap.restart or page.id)
                expiries += 1
                break          # another page now: its own solution
        else:
            result = run.submit(page_solution(run.page, run.procedure, run.sms_code))
            assert result.ok, (procedure_id, run.page.id,
                               {k: e.text() for k, e in result.errors.items()})
    assert run.completed, f"{procedure_id}: stuck on {run.page.id}"
    assert scams + refusals + expiries >= 1
    stats = run.stats.values()
    assert sum(s.scam_clicked for s in stats) == scams
    assert sum(s.expired for s in stats) == expiries
    assert run.activity().errors >= scams + refusals
