"""Help call: says honestly whether a mediator was told, or to go to the desk."""
from __future__ import annotations

from typing import Any

from kivy.properties import StringProperty

from kiosk.help_calls import CANCELLABLE_VIEWS, HelpView
from kiosk.i18n import _
from kiosk.screens.base import AppScreen, load_screen_kv


class HelpCallScreen(AppScreen):
    view = StringProperty(HelpView.SENDING.value)
    where = StringProperty("")

    def on_pre_enter(self, *args: Any) -> None:
        self.where = self.runtime.settings.get("kiosk.where_to_go")
        self.view = HelpView.SENDING.value
        self.view = self.runtime.request_help().value

    def cancellable(self, view: str) -> bool:
        return HelpView(view) in CANCELLABLE_VIEWS

    def cancel_call(self) -> None:
        """ "Annuler mon appel": mediators stop seeing it; the resident may call again later."""
        self.view = self.runtime.cancel_help().value
        self.on_enter()  # read the new status aloud when the option is on

    def help_changed(self, view: HelpView) -> None:
        self.view = view.value
        if self.manager is not None and self.manager.current == self.name:
            self.on_enter()  # read the new status aloud when the option is on

    def status_title(self, view: str) -> str:
        return {
            HelpView.SENDING.value: _("Nous prévenons un médiateur…"),
            HelpView.NOTIFIED.value: _("Un médiateur a été prévenu."),
            HelpView.COMING.value: _("Un médiateur arrive."),
            HelpView.GO_TO_DESK.value: _("Nous n'avons pas pu prévenir un médiateur."),
            HelpView.CANCELLED.value: _("Votre appel est annulé."),
        }[view]

    def status_body(self, view: str, where: str) -> str:
        if view == HelpView.GO_TO_DESK.value:  # the place in the resident's language if known
            return _("Allez à {where} : quelqu'un vous aidera.").format(where=_(where))
        if view == HelpView.CANCELLED.value:
            return _("Les médiateurs ne le voient plus. Si vous avez encore besoin d'aide, "
                     "vous pouvez appeler à nouveau.")
        if view == HelpView.COMING.value:
            return _("Restez devant la borne : il vient vers vous.")
        return _("Restez devant la borne : un médiateur va venir vous aider.")


load_screen_kv(__file__)
