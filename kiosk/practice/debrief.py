"""The debrief at the end of a practice: what went well, where it went wrong, what to remember.

Built from the run's counts only (never from what was typed), in the person's language.
Hints are worded by mode: alone, a hint was asked for ("vous avez demandé 2 aides"); guided,
hints were shown without asking, so the debrief says the guide was followed and suggests
trying alone next time, and a page is still "réussie du premier coup" when no try was refused.
"""
from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.messages import MESSAGES
from kiosk.practice.model import Memo, Procedure, TrapKind
from kiosk.practice.next_steps import next_steps
from kiosk.practice.progress import progress

# Longer than this on one page counts as hesitation in the debrief (a real page takes ~1 min).
HESITATION_S = 180.0


@dataclass(frozen=True)
class Debrief:
    went_well: tuple[str, ...]
    to_work_on: tuple[str, ...]
    remember: tuple[str, ...]
    memo: Memo
    next_steps: tuple[str, ...] = ()      # the exercise offered next, who can help for real
    suggested: Procedure | None = None    # that next exercise
    real_site: str | None = None          # the official site ("Faire la vraie démarche maintenant")
    real_address: str | None = None       # the same, as shown: 'www.caf.fr'


def build_debrief(run: PracticeRun, lang: str = "fr",
                  catalogue: Sequence[Procedure] = ()) -> Debrief:
    procedure = run.procedure
    well: list[str] = []
    work: list[str] = []
    if run.completed:
        well.append(MESSAGES["debrief.no_error" if run.errors == 0 else "debrief.completed"]
                    .get(lang))
    else:
        where = progress(run)  # the steps the person saw on screen, not the statistics' rank
        work.append(MESSAGES["debrief.not_completed"].format(
            lang, reached=where.step, total=where.total))
    guided = run.mode is Mode.GUIDED
    if guided:
        well.append(MESSAGES["debrief.guided"].get(lang))
    elif run.hints_used == 0:
        well.append(MESSAGES["debrief.no_hint"].get(lang))
    for page in procedure.pages:
        stats = run.stats.get(page.id)
        if stats is None:
            continue
        title = page.title.get(lang)
        asked = stats.hints if not guided else 0
        if page.fields and not stats.field_errors and not asked and not stats.expired \
                and page.id in run.history:
            well.append(MESSAGES["debrief.page_ok"].format(lang, page=title))
        for fld in page.fields:
            count = stats.field_errors.get(fld.id, 0)
            if count:
                work.append(MESSAGES["debrief.field_errors"].format(
                    lang, page=title, field=fld.label.get(lang), count=count))
        if asked:
            work.append(MESSAGES["debrief.hints"].format(lang, page=title, count=asked))
        if stats.seconds >= HESITATION_S and not stats.expired:
            work.append(MESSAGES["debrief.slow"].format(
                lang, page=title, minutes=int(stats.seconds // 60)))
        if stats.expired:
            work.append(MESSAGES["debrief.expired"].format(lang, page=title))
        if page.trap(TrapKind.SCAM_LINK) is not None:
            key = "debrief.scam" if stats.scam_clicked else "debrief.scam_avoided"
            (work if stats.scam_clicked else well).append(
                MESSAGES[key].format(lang, page=title))
    if guided:
        work.append(MESSAGES["debrief.try_alone"].get(lang))
    after = next_steps(run, catalogue, lang)
    return Debrief(tuple(well), tuple(work), tuple(t.get(lang) for t in procedure.remember),
                   procedure.memo, after.lines, after.suggested, procedure.real_site or None,
                   procedure.real_address)
