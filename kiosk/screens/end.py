"""End of session: "Tout a été effacé", what was erased, then an optional three-question
anonymous survey (age bracket, autonomy, satisfaction) in the statistics vocabularies."""
from __future__ import annotations

from enum import Enum
from typing import Any

from kivy.properties import NumericProperty, StringProperty

from kiosk.i18n import N_, _, ngettext
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import PictoButton, tr, ui
from kiosk.screens.kit.choice_pictograms import ANSWER_PICTOGRAMS
from kiosk.sessions.end_words import glass_reminder
from kiosk.sessions.session import WipeSummary
from kiosk_wire.schema import AgeBracket, Satisfaction, Survey, SurveyAutonomy

# Question key -> (question, [(enum value, words)]) — words are French sources (N_).
QUESTIONS: list[tuple[str, str, list[tuple[Enum, str]]]] = [
    ("age_bracket", N_("Quel âge avez-vous ?"), [
        (AgeBracket.UNDER_12, N_("Moins de 12 ans")),
        (AgeBracket.AGE_12_17, N_("12 à 17 ans")),
        (AgeBracket.AGE_18_24, N_("18 à 24 ans")),
        (AgeBracket.AGE_25_39, N_("25 à 39 ans")),
        (AgeBracket.AGE_40_59, N_("40 à 59 ans")),
        (AgeBracket.AGE_60_69, N_("60 à 69 ans")),
        (AgeBracket.AGE_70_PLUS, N_("70 ans et plus")),
    ]),
    # Worded so that no answer guesses the person's gender ("seul·e", "satisfait·e").
    ("autonomy", N_("Avez-vous eu besoin d'aide aujourd'hui ?"), [
        (SurveyAutonomy.GUIDED, N_("Oui, il a fallu me guider")),
        (SurveyAutonomy.PARTLY_AUTONOMOUS, N_("Un peu d'aide")),
        (SurveyAutonomy.AUTONOMOUS, N_("Non, sans aide")),
    ]),
    ("satisfaction", N_("Cette borne vous a-t-elle convenu ?"), [
        (Satisfaction.UNSATISFIED, N_("Pas vraiment")),
        (Satisfaction.NEUTRAL, N_("Moyennement")),
        (Satisfaction.SATISFIED, N_("Oui, tout à fait")),
    ]),
]


def erased_text(summary: WipeSummary | None) -> str:
    """What was erased, in plain words: "3 documents scannés, 2 impressions"."""
    if summary is None:
        return _("Rien n'a été gardé.")
    parts = []
    if summary.scans:
        parts.append(ngettext("{n} document scanné", "{n} documents scannés",
                              summary.scans).format(n=summary.scans))
    if summary.prints:
        parts.append(ngettext("{n} impression", "{n} impressions",
                              summary.prints).format(n=summary.prints))
    others = max(0, summary.files - summary.scans)
    if others:
        parts.append(ngettext("{n} autre fichier", "{n} autres fichiers", others).format(n=others))
    if summary.values:
        parts.append(ngettext("{n} information saisie", "{n} informations saisies",
                              summary.values).format(n=summary.values))
    if not parts:
        return _("Vous n'avez laissé aucun document sur la borne.")
    return _("Effacé : {what}.").format(what=", ".join(parts))


class EndScreen(AppScreen):
    # 0: invitation, 1..3: questions
    step = NumericProperty(0)
    erased = StringProperty("")
    reminder = StringProperty("")  # take the original off the scanner glass
    question = StringProperty("")

    def on_pre_enter(self, *args: Any) -> None:
        self.answers: dict[str, object] = {}
        summary = self.runtime.core.last_summary
        self.erased = erased_text(summary)
        self.reminder = glass_reminder(summary.scans if summary is not None else 0)
        self.show_step(0)

    def show_step(self, step: int) -> None:
        self.step = step
        grid = self.ids.choices
        grid.clear_widgets()
        if step == 0:
            self.question = ""
            return
        _key, question, choices = QUESTIONS[step - 1]
        self.question = question
        grid.cols = 2 if len(choices) > 3 else 1
        for value, words in choices:
            button = PictoButton(txt=tr(words), icon=ANSWER_PICTOGRAMS[str(value.value)])
            button.bind(on_release=lambda _b, v=value: self.answer(v))
            grid.add_widget(button)
        if ui.read_aloud:
            ui.speak(self.speech_text())

    def speech_text(self) -> str:
        if self.step == 0:
            return "\n".join(t for t in (self.ids.title.txt, self.erased, self.reminder,
                                          self.ids.invite.txt) if t)
        _key, question, choices = QUESTIONS[self.step - 1]
        return "\n".join([tr(question)] + [tr(w) for _v, w in choices])

    def answer(self, value: object) -> None:
        key = QUESTIONS[self.step - 1][0]
        self.answers[key] = value
        self.next_question()

    def next_question(self) -> None:
        if self.step >= len(QUESTIONS):
            self.finish()
        else:
            self.show_step(self.step + 1)

    def finish(self) -> None:
        survey = Survey(**self.answers) if self.answers else None  # type: ignore[arg-type]
        self.runtime.core.complete(survey)

    def skip(self) -> None:
        self.runtime.core.complete(None)


load_screen_kv(__file__)
