"""Practice catalogue: the procedures by theme, with the fictional operator's look, level and
duration; search by a word typed on the on-screen keyboard.

This module is the practice plug-in of the app (``build_screen(runtime)``, screen
``practice_catalogue``); when the catalogue joins the ScreenManager it adds the other practice
screens (start, page, debrief) beside itself.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from kivy.metrics import dp
from kivy.properties import ListProperty, NumericProperty, ObjectProperty, StringProperty

from kiosk.i18n import N_, _, ngettext
from kiosk.practice.flow import PracticeFlow
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.kit import BigButton, KioskKeyboard, ui
from kiosk.screens.practice.operator import ProcedureCard
from kiosk.screens.practice.widgets import tx
from kiosk_wire.schema import Theme

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime

ALL_THEMES = ""

THEME_NAMES: dict[Theme, str] = {
    Theme.DIAGNOSTIC: N_("Diagnostic numérique"),
    Theme.MATERIEL: N_("Prendre en main du matériel"),
    Theme.MAINTENANCE: N_("Maintenance de matériel"),
    Theme.CONTENUS: N_("Gérer ses contenus numériques"),
    Theme.NAVIGATION: N_("Navigation sur internet"),
    Theme.EMAIL: N_("E-mail"),
    Theme.BUREAUTIQUE: N_("Bureautique"),
    Theme.RESEAUX_SOCIAUX: N_("Réseaux sociaux communication"),
    Theme.SANTE: N_("Santé"),
    Theme.BANQUE_ACHATS: N_("Banque et achats en ligne"),
    Theme.ACCOMPAGNER_PRO: N_("Accompagner un professionnel"),
    Theme.INSERTION_PRO: N_("Insertion professionnelle"),
    Theme.SECURITE: N_("Prévention en sécurité numérique"),
    Theme.PARENTALITE: N_("Parentalité"),
    Theme.SCOLARITE: N_("Scolarité et numérique"),
    Theme.CREER: N_("Créer avec le numérique"),
    Theme.CULTURE: N_("Culture numérique"),
    Theme.IA: N_("Intelligence artificielle (IA)"),
    Theme.AIDE_DEMARCHES: N_("Aide aux démarches administratives"),
    Theme.PAPIERS: N_("Papiers - Élections - Citoyenneté"),
    Theme.FAMILLE: N_("Famille - Scolarité"),
    Theme.SOCIAL_SANTE: N_("Social - Santé"),
    Theme.TRAVAIL: N_("Travail - Formation - Entreprise"),
    Theme.LOGEMENT: N_("Logement"),
    Theme.TRANSPORTS: N_("Transports - Mobilité"),
    Theme.ARGENT_IMPOTS: N_("Argent - Impôts"),
    Theme.JUSTICE: N_("Justice"),
    Theme.ETRANGERS: N_("Étrangers - Europe"),
    Theme.LOISIRS: N_("Loisirs - Sports - Culture"),
    Theme.ASSOCIATIONS: N_("Associations"),
}
# Screens added beside the catalogue: module name -> screen class name
# The screens a run goes through: screen name -> module under kiosk.screens.practice.
SIBLINGS = {"practice_start": "start", "practice_page": "page", "practice_debrief": "debrief",
            "practice_parcours": "parcours", "practice_parcours_resume": "parcours_resume",
            "practice_parcours_card": "parcours_card"}


class PracticeCatalogueScreen(AppScreen):
    theme = StringProperty(ALL_THEMES)      # the theme chosen, "" for all
    shown = ListProperty([])                # ids of the procedures listed
    card_height = NumericProperty(200)      # every card as tall as the tallest one
    flow: PracticeFlow | None = ObjectProperty(None, allownone=True)

    def __init__(self, runtime: KioskRuntime | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._runtime = runtime
        self._cards: dict[str, ProcedureCard] = {}
        self._card_lang = ""
        ui.fbind("language", self._language_changed)
        self.ids.search.bind(on_focus_request=self._search_focused, value=self._search_changed,
                             on_submit=lambda *_a: self.hide_keyboard())
        self.keyboard = KioskKeyboard()
        self.keyboard.bind(on_submit=lambda *_a: self.hide_keyboard())

    # --- wiring --------------------------------------------------------------------------------
    @property
    def runtime(self) -> KioskRuntime:
        return self._runtime if self._runtime is not None else super().runtime

    def on_manager(self, _inst: Any, manager: Any) -> None:
        """Joined the ScreenManager: the practice flow and the sibling screens come along."""
        if manager is None:
            return
        if self.flow is None:
            self.flow = PracticeFlow(self.runtime)
            hook = getattr(self.runtime.core, "add_end_hook", None)
            if hook is not None:
                hook(self._session_ending)
        import importlib

        for name, module_name in SIBLINGS.items():
            if not manager.has_screen(name):
                module = importlib.import_module(f"kiosk.screens.practice.{module_name}")
                manager.add_widget(module.build_screen(self.runtime, self.flow))

    @property
    def catalogue(self) -> Any:
        return self.runtime.practice

    @property
    def _drafts(self) -> bool:
        return bool(self.runtime.practice_drafts_shown)

    def _session_ending(self) -> None:
        """The word the resident searched for goes with the session, like everything typed."""
        self.hide_keyboard()
        self.keyboard.target = None
        self.ids.search.clear()

    # --- listing -------------------------------------------------------------------------------
    def on_pre_enter(self, *args: Any) -> None:
        self.hide_keyboard()
        self.ids.scroller.scroll_y = 1  # from the top: the search first, not where someone left it
        self.ids.search.clear()
        self.theme = ALL_THEMES
        self.refresh()

    def themes(self) -> list[Theme]:
        return list(self.catalogue.by_theme(self._drafts)) if self.catalogue else []

    def _build_theme_chips(self) -> None:
        box = self.ids.themes
        box.clear_widgets()
        chips = [(ALL_THEMES, _("Toutes"))] + [(t.value, _(THEME_NAMES[t])) for t in
                                                  self.themes()]
        for value, words in chips:
            chip = BigButton(txt=words, kind="primary" if value == self.theme else "secondary",
                             wrap=False, size_hint_x=None)
            chip.theme_value = value
            chip.bind(texture_size=lambda c, size: setattr(c, "width", size[0] + 32))
            chip.bind(on_release=lambda c: self.choose_theme(c.theme_value))
            box.add_widget(chip)

    def choose_theme(self, value: str) -> None:
        self.theme = value
        self.refresh()

    def _search_changed(self, *_args: Any) -> None:
        self.refresh()

    def matching(self) -> list[Any]:
        if self.catalogue is None:
            return []
        found = self.catalogue.search(self.ids.search.value, ui.language, drafts=self._drafts)
        if self.theme:
            found = [p for p in found if p.theme.value == self.theme]
        order = {theme: n for n, theme in enumerate(self.themes())}
        return sorted(found, key=lambda p: order.get(p.theme, len(order)))  # by theme

    def _card(self, procedure: Any) -> ProcedureCard:
        card = self._cards.get(procedure.id)
        if card is None or self._card_lang != ui.language or \
                self.catalogue.is_draft(procedure.id):
            card = ProcedureCard()
            card.show(procedure, ui.language, _(THEME_NAMES[procedure.theme]))
            if self.catalogue.is_draft(procedure.id):
                card.title = _("Brouillon (médiateurs) : {title}").format(title=card.title)
            card.bind(on_release=lambda c: self.open_procedure(c.procedure_id),
                      natural_height=self._card_resized)
            self._cards[procedure.id] = card
        return card

    def refresh(self) -> None:
        chips_for = (ui.language, self.theme, self._drafts)
        if getattr(self, "_chips_for", None) != chips_for:
            self._build_theme_chips()
            self._chips_for = chips_for
        offered = tuple(self.flow.parcours.offered()) if self.flow is not None else ()
        if getattr(self, "_parcours_for", None) != (ui.language, offered):
            self._build_parcours_buttons()
            self._parcours_for = (ui.language, offered)
        grid = self.ids.cards
        grid.clear_widgets()
        found = self.matching()
        for procedure in found:
            grid.add_widget(self._card(procedure))
        self._card_lang = ui.language
        self.shown = [p.id for p in found]
        self._card_resized()
        self.ids.none.txt = "" if found else \
            _("Aucun exercice ne correspond à « {word} ». Essayez un autre mot.").format(
                word=self.ids.search.value)

    def _card_resized(self, *_args: Any) -> None:
        heights = [self._cards[i].natural_height for i in self.shown if i in self._cards]
        self.card_height = max(heights, default=200)

    def _language_changed(self, *_args: Any) -> None:
        self._cards.clear()
        if self.manager is not None and self.manager.current == self.name:
            self.refresh()

    def card(self, procedure_id: str) -> ProcedureCard | None:
        """The card shown for a procedure, scrolled into view (tests and the demo tap it)."""
        card = self._cards.get(procedure_id) if procedure_id in self.shown else None
        if card is not None:
            self.ids.scroller.scroll_to(card, padding=dp(10), animate=False)
        return card

    # --- parcours ------------------------------------------------------------------------------
    def _build_parcours_buttons(self) -> None:
        """One button per parcours offered ("Parcours initiation : 5 exercices")."""
        box = self.ids.parcours
        box.clear_widgets()
        self._parcours_buttons: dict[str, BigButton] = {}
        offered = self.flow.parcours.offered() if self.flow is not None else {}
        for parcours in offered.values():
            words = ngettext("{title} : {n} exercice", "{title} : {n} exercices",
                             len(parcours.steps)).format(title=tx(parcours.title),
                                                         n=len(parcours.steps))
            button = BigButton(txt=words, kind="secondary")
            button.bind(on_release=lambda _b, pid=parcours.id: self.open_parcours(pid))
            box.add_widget(button)
            self._parcours_buttons[parcours.id] = button

    def parcours_button(self, parcours_id: str) -> BigButton | None:
        """The button of a parcours, scrolled into view (tests and the demo tap it)."""
        button = getattr(self, "_parcours_buttons", {}).get(parcours_id)
        if button is not None:
            self.ids.scroller.scroll_to(button, padding=dp(10), animate=False)
        return button

    def open_parcours(self, parcours_id: str) -> None:
        if self.flow is None:
            return
        self.hide_keyboard()
        screen = self.manager.get_screen("practice_parcours")
        screen.follow(self.flow.parcours.offered()[parcours_id])
        self.go("practice_parcours")

    def resume_with_card(self) -> None:
        self.hide_keyboard()
        self.go("practice_parcours_resume")

    # --- search keyboard -----------------------------------------------------------------------
    def _search_focused(self, field: Any) -> None:
        self.ids.page.dock_keyboard(self.keyboard, field)

    def hide_keyboard(self) -> None:
        # through the page template, which forgets it: taken off the dock only, the page still
        # laid out as if it were open (the header's identity hidden, the title cut to one
        # line), for this resident after "Valider" and for the next one
        self.ids.search.focused = False
        self.ids.page.undock_keyboard()

    def page_back(self) -> None:  # the page template's "Retour"
        self.hide_keyboard()
        self.go("home")

    # --- choosing ------------------------------------------------------------------------------
    def open_procedure(self, procedure_id: str) -> None:
        self.hide_keyboard()
        start = self.manager.get_screen("practice_start")
        start.show_procedure(self.catalogue.get(procedure_id))
        self.go("practice_start")


def build_screen(runtime: KioskRuntime) -> PracticeCatalogueScreen:
    return PracticeCatalogueScreen(runtime=runtime, name="practice_catalogue")


load_screen_kv(__file__)
