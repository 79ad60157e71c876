"""One widget per kind of field of a practice page, built from the procedure's declaration.

Each :class:`PageField` wraps a kit widget in a :class:`FieldFrame` (which draws the guided
highlight and the error mark) and gives the page one interface: ``get()`` / ``set()`` the value,
``show_error()``, and ``target`` (the thing a finger should touch, for the hint bubble).
Every change is passed at once to the run (``run.set_value`` -> ``core.remember``), so the
typed value lives in the session only, and guided mode can move on to the next field.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Callable
from typing import Any

from kivy.factory import Factory
from kivy.uix.widget import Widget

from kiosk.i18n import N_, _
from kiosk.practice.engine import PracticeRun
from kiosk.practice.fields import is_ticked
from kiosk.practice.model import Field, FieldType, TrapKind
from kiosk.screens.kit import CheckOption, DirBox, FormField, KLabel, RadioOption, ui
from kiosk.screens.kit.errors import field_error
from kiosk.screens.practice.widgets import CaptchaView, FieldFrame, tx

Changed = Callable[["PageField"], None]

# Validators whose values are digits only: the numeric pad, unless the site's strict format
# (a wrong_format trap) must be able to refuse what a person might type.
DIGIT_VALIDATORS = frozenset({"digits", "postal_code", "phone", "number", "numero_fiscal"})


def text_kind(field: Field, strict: bool) -> str:
    """The kit FormField kind (hence keyboard layout) for a typed field."""
    names = {v.name for v in field.validators}
    if field.type is FieldType.PASSWORD:
        return "password"
    if field.type is FieldType.DATE or "date" in names:
        return "date"
    if "email" in names:
        return "email"
    if field.type in (FieldType.SMS_CODE, FieldType.EMAIL_CODE):
        return "number"
    if not strict and (field.type is FieldType.NUMBER or (names and names <= DIGIT_VALIDATORS)):
        return "number"
    return "text"


class PageField(ABC):
    def __init__(self, field: Field, run: PracticeRun, changed: Changed) -> None:
        self.field = field
        self.run = run
        self.changed = changed
        self.frame = FieldFrame(field_id=field.id)
        self.target: Any = self.frame
        # corrected (the frame's error cleared): the message under the field goes too
        self.frame.bind(error=lambda _f, error: None if error else self._clear_error())

    def _clear_error(self) -> None:
        label = getattr(self, "_error", None)
        if label is not None:
            label.txt = ""

    @property
    def id(self) -> str:
        return self.field.id

    @abstractmethod
    def get(self) -> Any:
        """The value shown in the field, as the engine expects it."""

    @abstractmethod
    def set(self, value: Any) -> None:
        """Show a value (a revisit, or the persona's value in a demo)."""

    def show_error(self, message: str) -> None:
        """The error under the field, naming it by its visible label (kit/errors.py)."""
        self.frame.error = message
        shown = field_error(tx(self.field.label), message)
        self._error_label().txt = f"⚠ {shown}" if shown else ""

    def error_words(self) -> str:
        """The error as the summary lists it: the field's visible label and the problem."""
        return field_error(tx(self.field.label), self.frame.error)

    def _error_label(self) -> KLabel:
        label = getattr(self, "_error", None)
        if label is None:
            label = Factory.PageError()
            self.frame.add_widget(label)
            self._error = label
        return label

    def _store(self, value: Any) -> None:
        self.run.set_value(self.field.id, value)
        self.changed(self)

    def _label(self, text: str) -> KLabel:
        return Factory.PageBold(txt=text)


class TextField(PageField):
    """Text, date, number, password, SMS code and captcha: a kit FormField and the keyboard."""

    def __init__(self, field: Field, run: PracticeRun, changed: Changed,
                 values: Callable[[], dict[str, Any]]) -> None:
        super().__init__(field, run, changed)
        strict = any(t.kind is TrapKind.WRONG_FORMAT and t.field == field.id
                     for t in run.page.traps)
        self.values = values
        if field.type is FieldType.CAPTCHA:
            self.frame.add_widget(Factory.PageBold(txt=tx(field.label)))
            picture = CaptchaView(text=field.expected or "")
            line = DirBox(size_hint_y=None, height=picture.height)
            line.add_widget(picture)
            line.add_widget(Widget())   # the picture at the start of the line, as on the site
            self.frame.add_widget(line)
        self.form = FormField(label="" if field.type is FieldType.CAPTCHA else tx(field.label),
                              example=tx(field.help), kind=text_kind(field, strict))
        self.form.validator = self._live_message
        self.form.bind(value=self._typed)
        self.frame.add_widget(self.form)
        self.rules: KLabel | None = None
        if field.type is FieldType.PASSWORD and field.rules:
            self.rules = Factory.PageSmall()
            self.frame.add_widget(self.rules, index=1)  # the rules above the box, as real sites
            self._show_rules("")
        self.target = self.form.ids.box

    def _live_message(self, value: str) -> str | None:
        error = self.run.problem(self.field.id, value, self.values())
        if error is None or error.problem.key in ("persona.mismatch", "expected.mismatch",
                                                  "password.confirm", "trap.wrong_format"):
            return None  # said on "Continuer", as the real site does, not at every key
        return error.text(ui.language)

    def _show_rules(self, value: str) -> None:
        if self.rules is None:
            return
        lines = [f"{'✓' if ok else '✗'} {rule.get(ui.language)}"
                 for rule, ok in self.run.password_rules(self.field.id, value)]
        self.rules.txt = _("Votre mot de passe doit contenir :") + "\n" + "\n".join(lines)

    def _typed(self, _form: Any, value: str) -> None:
        self.frame.error = ""
        self._show_rules(value)
        self._store(value)

    def get(self) -> Any:
        return self.form.value

    def set(self, value: Any) -> None:
        self.form.value = "" if value is None else str(value)
        self.form.message = ""
        self.form.valid = True
        self.frame.error = ""

    def show_error(self, message: str) -> None:
        self.frame.error = message
        self.form.message = field_error(tx(self.field.label), message)
        self.form.valid = not message


class ChoiceField(PageField):
    """Radio buttons: one big option per line."""

    def __init__(self, field: Field, run: PracticeRun, changed: Changed) -> None:
        super().__init__(field, run, changed)
        self.frame.add_widget(self._label(tx(field.label)))
        self.options: dict[str, RadioOption] = {}
        self.value: str | None = None
        for option in field.options:
            toggle = RadioOption(txt=tx(option.label))
            toggle.option_value = option.value
            toggle.bind(on_release=lambda t: self.pick(t.option_value))
            self.frame.add_widget(toggle)
            self.options[option.value] = toggle
        self.target = next(iter(self.options.values()), self.frame)
        self._draw()

    def pick(self, value: str) -> None:
        self.value = value
        self._draw()
        self.frame.error = ""
        self._store(value)

    def _draw(self) -> None:
        for value, toggle in self.options.items():
            toggle.active = value == self.value   # RadioOption draws its mark from it

    def option_widget(self, value: str) -> RadioOption:
        return self.options[value]

    def get(self) -> Any:
        return self.value

    def set(self, value: Any) -> None:
        self.value = None if value is None else str(value)
        self._draw()


class TickField(PageField):
    """Checkbox, consent and signature: one box to tick (DSFR checkbox), with its sentence.
    Its value is the engine's as before: True when ticked."""

    def __init__(self, field: Field, run: PracticeRun, changed: Changed) -> None:
        super().__init__(field, run, changed)
        self.toggle = CheckOption(txt=tx(field.label))
        self.toggle.bind(on_release=lambda _t: self.tick(not self.toggle.active))
        self.frame.add_widget(self.toggle)
        if field.help:
            self.frame.add_widget(Factory.PageSmall(txt=tx(field.help)))
        self.target = self.toggle

    def tick(self, on: bool) -> None:
        self.toggle.active = on
        self.frame.error = ""
        self._store(on)

    def show_error(self, message: str) -> None:
        super().show_error(message)
        self.toggle.error = bool(message)   # the box and its row in red, as DSFR's

    def _clear_error(self) -> None:
        super()._clear_error()
        self.toggle.error = False

    def get(self) -> Any:
        return self.toggle.active

    def set(self, value: Any) -> None:
        self.toggle.active = value is not None and is_ticked(value)


class UploadField(ChoiceField):
    """Attach a document: one scanned in this session, or a sample offered by the exercise."""

    def __init__(self, field: Field, run: PracticeRun, changed: Changed,
                 scanned: list[Any]) -> None:
        PageField.__init__(self, field, run, changed)
        self.frame.add_widget(self._label(tx(field.label)))
        if field.help:
            self.frame.add_widget(Factory.PageSmall(txt=tx(field.help)))
        self.options = {}
        self.value = None
        choices: list[tuple[str, str]] = [
            (f"scan:{doc.index}", _("Mon document scanné n° {n} (scanné sur cette borne)")
             .format(n=doc.index) + (f" : {_(doc.title)}" if doc.title else ""))
            for doc in scanned]
        choices += [(f"sample:{s.id}", _("Document d'exemple : {name}").format(
            name=tx(s.label))) for s in field.samples]
        if not field.samples:
            choices.append(("sample:document", _("Document d'exemple fourni par l'exercice")))
        for value, words in choices:
            toggle = RadioOption(txt=words)
            toggle.option_value = value
            toggle.bind(on_release=lambda t: self.pick(t.option_value))
            self.frame.add_widget(toggle)
            self.options[value] = toggle
        if not scanned:
            self.frame.add_widget(Factory.PageSmall(txt=_(NO_SCAN)))
        self.target = next(iter(self.options.values()), self.frame)
        self._draw()


NO_SCAN = N_("Pour joindre votre propre papier sur le vrai site, il faut d'abord le scanner. "
             "Ici, vous pouvez scanner avec « Scanner ou copier un document » à l'accueil, ou "
             "prendre le document d'exemple.")


def build_field(field: Field, run: PracticeRun, changed: Changed,
                values: Callable[[], dict[str, Any]], scanned: list[Any]) -> PageField:
    kind = field.type
    if kind is FieldType.CHOICE:
        return ChoiceField(field, run, changed)
    if kind in (FieldType.CHECKBOX, FieldType.CONSENT, FieldType.SIGNATURE):
        return TickField(field, run, changed)
    if kind is FieldType.DOCUMENT_UPLOAD:
        return UploadField(field, run, changed, scanned)
    return TextField(field, run, changed, values)
