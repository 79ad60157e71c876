"""The page renderer: one page of the practice, drawn like the operator's website.

A fake browser (address bar with the fictional address and a back button), the operator's
banner, a breadcrumb, the page's text, table and form, the site's button; around it the kiosk's
own help: the permanent SIMULATION ribbon, "Ma fiche" (the persona card), "Aide", "Appeler un
médiateur" (without leaving the page: :mod:`kiosk.screens.practice.help_call`), the simulated phone
that receives the SMS code, and "Quitter l'exercice". The on-screen keyboard docks at the
bottom when a typed field is touched.

Guided mode highlights the next thing to touch and shows its hint (read aloud when the option
is on); autonomous mode shows a hint only when "Aide" is touched
(:mod:`kiosk.screens.practice.page_guide`). Traps look as on a real site:
an alert when the session expired, a captcha, a strict-format error, a tempting lookalike link.

Page views (:class:`~kiosk.screens.practice.page_view.PageView`) are built once per page and
language, then reused (a revisit only reloads values), so going back and forth is fast.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.i18n import _, ngettext
from kiosk.practice.engine import Mode, Outcome, PracticeRun
from kiosk.practice.flow import PracticeFlow
from kiosk.practice.model import FieldType, Page
from kiosk.practice.progress import progress
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import KioskKeyboard, KLabel, ui
from kiosk.screens.practice import operator  # noqa: F401  (kv classes: address bar, banner)
from kiosk.screens.practice.fields import PageField, TextField
from kiosk.screens.practice.help_call import PracticeHelpCall
from kiosk.screens.practice.page_guide import CODE_TYPES, PageGuide
from kiosk.screens.practice.page_view import PageView
from kiosk.screens.practice.widgets import (
    Overlay,
    PageButton,
    PersonaCard,
    SimulationRibbon,
    tx,
)

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


def errors_title(count: int) -> str:
    """The error summary's title, for the errors still left on the page."""
    return ngettext("Il y a {n} erreur sur la page. Corrigez le champ marqué en rouge.",
                    "Il y a {n} erreurs sur la page. Corrigez les champs marqués en rouge.",
                    count).format(n=count)


class PracticePageScreen(PageGuide, AppScreen):
    mode_txt = StringProperty("")
    has_sms = BooleanProperty(False)
    help_status = StringProperty("")   # where the call to a mediator stands, once made
    help_cancellable = BooleanProperty(False)   # the call can still be cancelled
    # the page template's header: the exercise, its step on this resident's route, the next
    progress: Any = ObjectProperty(None, allownone=True)
    title_txt = StringProperty("")
    step_n = NumericProperty(0)
    steps_n = NumericProperty(0)
    next_txt = StringProperty("")
    step_txt = StringProperty("")
    next_step_txt = StringProperty("")

    def __init__(self, flow: PracticeFlow, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.flow = flow
        self.views: dict[tuple[str, str], PageView] = {}
        self.view: PageView | None = None
        self.keyboard = KioskKeyboard()
        self.overlay = Overlay()
        self._loading = False
        self._guided_for: Any = None
        self._guide_event = Clock.create_trigger(self._update_guide, 0)
        self.help_call = PracticeHelpCall(self, flow)
        ui.fbind("language", self._language_changed)
        hook = getattr(flow.core, "add_end_hook", None)
        if hook is not None:
            hook(self._session_ending)
        ribbon = SimulationRibbon()
        self.ids.page.set_banner(ribbon)
        self.ids["ribbon"] = ribbon   # reached like the kv's own ids (tests, read aloud)
        self.ids.address.bind(on_back=lambda *_a: self.back())
        self.ids.phone.bind(on_resend=lambda *_a: self.resend_sms())

    @property
    def bubble(self) -> Any:
        """The hint shown now (in the page's flow, below its target)."""
        return self.ids.page.hint

    @property
    def run(self) -> PracticeRun | None:
        return self.flow.run

    # --- showing a page --------------------------------------------------------------------------
    def begin(self) -> None:
        """A new run: forget the views of the previous one, show its first page (a mediator
        already called is still coming: the help status stays until the session ends)."""
        self.wipe()
        self.show_page()

    def _session_ending(self) -> None:
        self.wipe()
        self.help_call.forget()

    def wipe(self) -> None:
        """Nothing typed stays in a widget: views dropped, keyboard and bubbles gone."""
        self.dismiss_hint()
        self.ids.page.undock_keyboard()
        self.keyboard.target = None
        if self.overlay.parent is not None:
            self.overlay.close()
        self.ids.form.clear_widgets()
        self.views.clear()
        self.view = None

    def _view_for(self, run: PracticeRun, page: Page) -> PageView:
        key = (page.id, ui.language)
        view = self.views.get(key)
        if view is None:
            uploads = any(f.type is FieldType.DOCUMENT_UPLOAD for f in page.fields)
            view = PageView(run, page, self.flow.scanned_documents() if uploads else [])
            view.bind(on_submit=lambda _v: self.submit(),
                      on_finish=lambda _v: self.show_debrief(),
                      on_scam_link=lambda _v: self.follow_scam_link(),
                      on_field_changed=lambda _v, page_field: self.field_changed(page_field),
                      on_focus_request=lambda _v, form: self.focus_field(form),
                      on_field_submit=lambda _v, form: self.next_field(form))
            self.views[key] = view
        return view

    def show_page(self, notice: str = "", tone: str = "error") -> None:
        run = self.run
        if run is None:
            return
        self.dismiss_hint()
        self.ids.page.undock_keyboard()
        page = run.page
        procedure = run.procedure
        view = self._view_for(run, page)
        if self.view is not view:
            self.ids.form.clear_widgets()
            self.ids.form.add_widget(view)
            self.view = view
        self._loading = True
        try:
            for fid, page_field in view.fields.items():
                page_field.set(run.value(fid))
                page_field.show_error("")
                page_field.frame.highlighted = False
        finally:
            self._loading = False
        if isinstance(view.button, PageButton):
            view.button.highlighted = False
        view.show_notice(notice, tone)
        # The steps this resident sees (kiosk.practice.progress), not the statistics' rank;
        # shown by the page template's header (with its bar and the next step).
        where = progress(run)
        self.progress = where
        self.step_txt = _("Étape {step} sur {total}").format(step=where.step, total=where.total)
        self.next_step_txt = _("Étape suivante : {title}").format(
            title=tx(where.next_title)) if where.next_title is not None else ""
        view.breadcrumb.txt = _("{site} › {page}").format(site=procedure.operator.name,
                                                          page=tx(page.title))
        self.title_txt = tx(procedure.title)
        self.step_n, self.steps_n = where.step, where.total
        self.next_txt = tx(where.next_title) if where.next_title is not None else ""
        self.ids.operator.show(procedure)
        address = procedure.operator.address
        self.ids.address.address = f"https://{address}/{page.id.replace('_', '-')}"
        self.ids.address.can_go_back = bool(run.history) and not page.end
        self.mode_txt = _("Mode : avec aide") if run.mode is Mode.GUIDED else \
            _("Mode : sans guide (aide sur demande)")
        self._show_phone()
        self.ids.scroller.scroll_y = 1
        self._guided_for = None
        self._guide_event()
        if self.manager is not None and self.manager.current == self.name and ui.read_aloud:
            self.read_aloud()

    def _show_phone(self) -> None:
        run = self.run
        self.has_sms = bool(run and run.sms_inbox)
        self.ids.phone.messages = [m.get(ui.language) for m in run.sms_inbox] if run else []
        if run is not None and any(f.type in CODE_TYPES for f in run.page.fields):
            # the code is awaited on this page: the phone must be in view, even at large text
            self.ids.page.reveal(self.ids.phone)

    def _language_changed(self, *_args: Any) -> None:
        if self.run is not None and self.view is not None:
            self.show_page()
        self.help_call.language_changed()

    def speech_text(self) -> str:
        run = self.run
        if run is None:
            return ""
        page = run.page
        parts = [tx(page.title), tx(page.intro)] + [tx(c) for c in page.content]
        return "\n".join(p for p in parts if p)

    # --- typing --------------------------------------------------------------------------------
    def focus_field(self, form: Any) -> None:
        for page_field in self.view.fields.values() if self.view else []:
            if isinstance(page_field, TextField) and page_field.form is not form:
                page_field.form.focused = False
        self.ids.page.dock_keyboard(self.keyboard, form)  # and keeps the field in view

    def next_field(self, form: Any) -> None:
        """"Valider" on the keyboard: the next typed field, or close the keyboard."""
        forms = [f.form for f in self.view.fields.values() if isinstance(f, TextField)] \
            if self.view else []
        if form in forms and forms.index(form) + 1 < len(forms):
            self.focus_field(forms[forms.index(form) + 1])
        else:
            self.ids.page.undock_keyboard()

    def field_changed(self, page_field: PageField) -> None:
        if not self._loading:
            if self.view is not None and not page_field.frame.error:
                self.view.field_fixed(page_field.id, errors_title)
            self._guide_event()

    def go_to_field(self, field_id: str) -> None:
        """An entry of the error summary: to the field (with the keyboard for a typed one)."""
        page_field = self.view.fields.get(field_id) if self.view else None
        if page_field is None:
            return
        if isinstance(page_field, TextField):
            self.focus_field(page_field.form)
        else:
            self.ids.page.reveal(page_field.frame)

    # --- the site's buttons ----------------------------------------------------------------------
    def submit(self) -> None:
        run, view = self.run, self.view
        if run is None or view is None:
            return
        self.dismiss_hint()
        result = run.submit(view.values())
        if result.outcome is Outcome.ERRORS:
            self.ids.page.undock_keyboard()
            for fid, page_field in view.fields.items():
                error = result.errors.get(fid)
                page_field.show_error(error.text(ui.language) if error else "")
            view.show_errors(errors_title(len(result.errors)), [
                    (fid, view.fields[fid].error_words(), lambda fid=fid: self.go_to_field(fid))
                    for fid in view.fields if fid in result.errors])
            self.ids.scroller.scroll_y = 1
            self._guided_for = None
            self._guide_event()
            return
        if result.outcome is Outcome.EXPIRED:
            notice = result.notice.get(ui.language) if result.notice else ""
            self.show_page(notice, "warning")
            return
        if result.outcome is Outcome.FINISHED:
            self.flow.record()
        self.show_page()

    def back(self) -> None:
        if self.run is None or not self.run.history:
            return
        self.run.back()
        self.show_page()

    def follow_scam_link(self) -> None:
        """The person touched the lookalike link: counted, and explained right away."""
        if self.run is None:
            return
        explanation = self.run.follow_link()
        self.dismiss_hint()
        body = KLabel(txt=explanation.get(ui.language))
        self.overlay.open(self, _("Attention : ce lien est un piège"), body, tone="warning")

    def resend_sms(self) -> None:
        if self.run is not None:
            self.run.send_sms()
            self._show_phone()

    # --- the kiosk's buttons ----------------------------------------------------------------------
    def show_persona(self) -> None:
        if self.run is None:
            return
        self.dismiss_hint()
        card = PersonaCard()
        card.show(self.run.procedure)
        self.overlay.open(self, _("Ma fiche"), card)

    def show_debrief(self) -> None:
        self.flow.record()
        debrief = self.manager.get_screen("practice_debrief")
        debrief.show_run()
        self.go("practice_debrief")

    def call_mediator(self) -> None:
        """ "Appeler un médiateur": the call goes out, the page stays as it is."""
        self.dismiss_hint()
        self.ids.page.undock_keyboard()
        self.help_call.request()

    def cancel_help_call(self) -> None:
        """ "Annuler mon appel": the page stays as it is."""
        self.help_call.cancel()

    def quit(self) -> None:
        """ "Quitter l'exercice": asked first when something was typed or answered (it would be
        lost); the safe answer, staying, is the big button."""
        if not self.has_typed_work():
            self.leave_exercise()
            return
        from kiosk.screens.kit.confirm import confirm

        self.dismiss_hint()
        self.ids.page.undock_keyboard()
        confirm(_("Quitter l'exercice ?"),
                _("Ce que vous avez rempli dans cet exercice sera effacé."),
                _("Oui, quitter l'exercice"), self.leave_exercise,
                safe_txt=_("Non, je reste sur l'exercice"))

    def has_typed_work(self) -> bool:
        """A page answered, or something typed or chosen on this one."""
        run = self.run
        if run is None or run.completed:
            return False
        if run.history:
            return True
        fields = self.view.fields.values() if self.view is not None else ()
        return any(f.get() not in (None, "", False) for f in fields)

    def leave_exercise(self) -> None:
        """Leave the exercise half-way: what was reached still counts in the statistics."""
        self.flow.leave()
        self.wipe()
        self.go("practice_catalogue")

    # --- the page template's bottom bar ----------------------------------------------------------
    def page_back(self) -> None:
        """ "Retour": the previous page of the exercise; from its first page, leave it."""
        if self.run is not None and self.run.history:
            self.back()
        else:
            self.quit()

    def page_help(self) -> None:
        self.ask_hint()

    def page_mediator(self) -> None:
        self.call_mediator()

    def page_home(self) -> None:
        self.flow.leave()
        self.wipe()
        self.go("home")

    def on_leave(self, *args: Any) -> None:
        self.dismiss_hint()
        self.ids.page.undock_keyboard()


def build_screen(runtime: KioskRuntime, flow: PracticeFlow) -> PracticePageScreen:
    return PracticePageScreen(flow, name="practice_page")


load_screen_kv(__file__)
