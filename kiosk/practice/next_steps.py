"""What to do after an exercise: the next exercise to try, and who can help for real.

A resident who finished a procedure's short first-timer version is offered its full version;
one who finished alone is offered a harder exercise on the same theme; one who stopped
half-way, the same exercise again or an easier one; one who stayed guided is told, in plain words,
that a mediator can do the real procedure with them here and that an Aidants Connect helper
(the national scheme for it) can do it for them, safely, when they entrust it.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.messages import MESSAGES
from kiosk.practice.model import Level, Procedure, Variant

_ORDER = [Level.BEGINNER, Level.INTERMEDIATE, Level.ADVANCED]


@dataclass(frozen=True)
class NextSteps:
    suggested: Procedure | None    # the exercise offered next (None: nothing fitting)
    lines: tuple[str, ...]         # what the debrief says, in the person's language


def _rank(procedure: Procedure) -> int:
    return _ORDER.index(procedure.level)


def suggest(done: Procedure, catalogue: Sequence[Procedure], step: int) -> Procedure | None:
    """Another exercise of the same theme, ``step`` levels away from ``done`` (+1 harder,
    -1 easier, 0 same), else the closest level; the catalogue's order breaks ties."""
    others = [p for p in catalogue if p.id != done.id and p.theme is done.theme]
    if not others:
        return None
    wanted = min(max(_rank(done) + step, 0), len(_ORDER) - 1)
    return min(others, key=lambda p: abs(_rank(p) - wanted))


def next_steps(run: PracticeRun, catalogue: Sequence[Procedure], lang: str = "fr") -> NextSteps:
    lines: list[str] = []
    done = run.procedure
    full = next((p for p in catalogue if p.id == done.full_id), None) \
        if done.variant is Variant.SHORT else None
    key = "next.exercise"
    suggested: Procedure | None
    if run.completed and full is not None:
        suggested, key = full, "next.full_version"
    elif run.completed and run.mode is Mode.AUTONOMOUS and run.errors == 0:
        suggested = suggest(run.procedure, catalogue, +1)
    elif run.completed:
        suggested = suggest(run.procedure, catalogue, 0)
    else:
        suggested = None
        lines.append(MESSAGES["next.retry"].get(lang))
    if suggested is not None:
        lines.append(MESSAGES[key].format(lang, title=suggested.title.get(lang)))
    if run.mode is Mode.GUIDED or not run.completed:
        lines.append(MESSAGES["next.help_for_real"].get(lang))
    return NextSteps(suggested, tuple(lines))
