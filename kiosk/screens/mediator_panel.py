"""Mediator panel: device states, the current session, out of order, print quota, badges,
maintenance (the only way out of the app), version and server connection."""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, NumericProperty, StringProperty

from kiosk.i18n import N_, _, ngettext
from kiosk.mediator_status import ServerState
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.device_fault import state_words
from kiosk.screens.kit import FormField, KioskKeyboard, KLabel, tr
from kiosk.sessions.badges import MAX_LABEL_CHARS
from kiosk.sessions.state import SessionState
from kiosk_wire.schema import EndReason

DEVICE_NAMES = {"printer": N_("Imprimante"), "scanner": N_("Scanner"),
                "reader": N_("Lecteur de badge"), "hotplug": N_("Ports USB")}
SERVER_STATES = {ServerState.LOCAL: N_("pas de serveur configuré (statistiques gardées ici)"),
                 ServerState.CONNECTED: N_("connecté"), ServerState.UNREACHABLE: N_("injoignable"),
                 ServerState.NOT_STARTED: N_("non démarré"),
                 ServerState.CONNECTING: N_("connexion en cours")}
SESSION_STATES = {
    SessionState.IDLE: N_("aucune session"), SessionState.ACTIVE: N_("session en cours"),
    SessionState.IDLE_WARNING: N_("session en cours (inactive)"),
    SessionState.ENDING: N_("session terminée, enquête affichée"),
    SessionState.OUT_OF_ORDER: N_("hors service"), SessionState.MAINTENANCE: N_("maintenance"),
}


class MediatorPanelScreen(AppScreen):
    session_txt = StringProperty("")
    server_txt = StringProperty("")
    notice = StringProperty("")
    out_of_order = BooleanProperty(False)
    in_session = BooleanProperty(False)
    enrolling = BooleanProperty(False)
    drafts = NumericProperty(0)
    drafts_txt = StringProperty("")

    _field: FormField | None = None
    _keyboard: KioskKeyboard | None = None

    def on_kv_post(self, base_widget: Any) -> None:
        super().on_kv_post(base_widget)
        # The panel and the enrolment form take turns in the template's content: the one not
        # shown is out of the layout (a hidden button must not catch touches).
        content = self.ids.page.ids.content
        self._panel, self._enrol_area = (next(c for c in content.children if c == w)
                                         for w in (self.ids.scroll, self.ids.enrol_area))
        content.remove_widget(self._enrol_area)

    def page_back(self) -> None:
        """The page template's « Retour »: back to the panel from a badge's enrolment, else
        out of the mediator's space."""
        if self.enrolling:
            self.stop_enrolment()
        else:
            self.close()

    def on_pre_enter(self, *args: Any) -> None:
        self.notice = ""
        self.stop_enrolment()
        self.refresh()

    def refresh(self, *_args: Any) -> None:
        core = self.runtime.core
        self.in_session = core.in_session
        self.out_of_order = core.state is SessionState.OUT_OF_ORDER
        self.drafts = self.runtime.practice_drafts()
        self.drafts_txt = ngettext(
            "Essayer {n} démarche en brouillon", "Essayer {n} démarches en brouillon",
            self.drafts).format(n=self.drafts) if self.drafts else \
            _("Aucune démarche en brouillon")
        self.session_txt = _("Session : {state}").format(state=_(SESSION_STATES[core.state]))
        queued = self.runtime.queued_records()
        self.server_txt = ngettext("Serveur : {state} · {n} envoi en attente",
                                   "Serveur : {state} · {n} envois en attente", queued).format(
            state=_(SERVER_STATES[self.runtime.server_state()]), n=queued)
        box = self.ids.devices
        box.clear_widgets()
        for line in self.runtime.device_lines():
            detail = f" ({line.detail})" if line.detail else ""
            box.add_widget(KLabel(txt=_("{device} : {state}").format(  # "Printer: available"
                device=tr(DEVICE_NAMES[line.kind]),
                state=state_words(line.state, line.kind)) + detail))
        documents = self.runtime.documents
        remaining = documents.remaining_pages() if documents is not None else None
        if remaining is not None:
            box.add_widget(KLabel(txt=_("Pages d'impression restantes pour cette session : {n}")
                                  .format(n=remaining)))

    def end_session(self) -> None:
        core = self.runtime.core
        if core.in_session:
            core.end(EndReason.MEDIATOR, offer_survey=False)
            self.notice = _("La session a été terminée et effacée.")
        elif core.state is SessionState.ENDING:
            core.complete(None)
        self.refresh()

    def toggle_out_of_order(self) -> None:
        core = self.runtime.core
        if core.state is SessionState.OUT_OF_ORDER:
            core.back_in_service()
            self.notice = _("La borne est de nouveau en service.")
        else:
            core.set_out_of_order()
            self.notice = _("La borne est hors service.")
        self.refresh()

    def reset_quota(self) -> None:
        if self.runtime.reset_print_quota():
            self.notice = _("Le quota d'impression est remis à zéro.")
            self.refresh()
        else:
            self.notice = _("Le quota d'impression n'est pas géré sur cette borne.")

    def start_enrolment(self) -> None:
        """Enrolment: a name for the badge (on the docked keyboard), then the badge itself."""
        if self.enrolling:
            self.stop_enrolment()
            return
        self.enrolling = True
        field = FormField(label=tr(N_("Nom du badge")), example=tr(N_("Camille, médiatrice")),
                          max_length=MAX_LABEL_CHARS)
        field.validator = lambda v: None if v.strip() else _("Écrivez un nom.")
        field.focused = True
        keyboard = KioskKeyboard()
        self._enrol_area.add_widget(field, index=1)   # under the notice, above « Annuler »
        self._field = field
        self._keyboard = keyboard
        self._show_enrolment(True)
        self.ids.page.dock_keyboard(keyboard, field)
        self.notice = _("Écrivez un nom, puis passez le badge sur le lecteur.")

    def stop_enrolment(self) -> None:
        self.enrolling = False
        self.ids.page.undock_keyboard()
        if self._field is not None:
            self._enrol_area.remove_widget(self._field)
        self._field = None
        self._keyboard = None
        self._show_enrolment(False)

    def _show_enrolment(self, shown: bool) -> None:
        """The enrolment form takes the place of the panel in the content."""
        content = self.ids.page.ids.content
        gone, come = (self._panel, self._enrol_area) if shown else \
            (self._enrol_area, self._panel)
        if gone.parent is not None:
            content.remove_widget(gone)
        if come.parent is None:
            content.add_widget(come)

    def on_leave(self, *args: Any) -> None:
        self.stop_enrolment()

    def badge(self, uid: bytes) -> None:
        """A badge on the reader while the panel is open: enrol it when asked to."""
        if not self.enrolling or self._field is None:
            return
        label = self._field.value.strip()
        if not label:
            self.notice = _("Écrivez d'abord un nom pour ce badge.")
            return
        problem = self.runtime.enrol_badge(uid, label)
        if problem is None:
            self.notice = _("Badge « {name} » enregistré.").format(name=label)
            self.stop_enrolment()
        else:
            self.notice = tr(problem)

    def try_drafts(self) -> None:
        """Test mode: the practice catalogue with the procedures not yet translated."""
        self.app.try_practice_drafts()

    def maintenance(self) -> None:
        self.app.quit_for_maintenance()

    def close(self) -> None:
        self.app.leave_mediator()


load_screen_kv(__file__)
