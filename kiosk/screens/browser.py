"""The kiosk's browser screen: an official site's page with the kiosk's own controls around it.

The page is a picture (DevTools screencast) drawn by
:class:`~kiosk.screens.browser_view.WebPageView`; taps and scrolls go back to Chromium, and
the kiosk's keyboard types into the page's focused field. No address bar, no window, no way
out: the controls are the kiosk's (Back, other sites, Print this page, Call a mediator, End
the session with a confirmation). Every call to the browser returns a future;
its result comes back to the Kivy loop through ``Clock.schedule_once``.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty

from kiosk.browser import interaction
from kiosk.browser.allowlist import Refusal, Verdict
from kiosk.browser.interaction import FieldKind
from kiosk.browser.service import BrowserService, PageView
from kiosk.devices import errors
from kiosk.i18n import N_, _
from kiosk.screens.base import AppScreen, load_screen_kv
from kiosk.screens.browser_view import PageField
from kiosk.screens.kit import ui
from kiosk_wire.schema import EndReason

if TYPE_CHECKING:
    from kiosk.documents.printing import PrintService
    from kiosk.runtime import KioskRuntime

log = logging.getLogger(__name__)

LOADING = N_("Le site s'ouvre…")
FAILED = N_("Le navigateur n'a pas pu démarrer. Demandez à un médiateur.")
REFUSED = N_("Ce site n'est pas disponible sur cette borne")
PRINT_SENT = N_("La page est envoyée à l'imprimante. Prenez-la en partant.")
PRINT_FAILED = N_("La page n'a pas pu être imprimée. Demandez à un médiateur.")
DOWNLOADED = N_("Le document est rangé avec vos documents : vous pouvez l'imprimer.")
NO_DOCUMENT = N_("Vous n'avez pas encore de document. Scannez-le d'abord avec la borne.")
ONLINE = N_("Faire ma démarche en ligne")
HELP = N_("Touchez la page pour choisir ou pour écrire : le clavier de la borne s'ouvre. "
          "« Retour » revient à la page d'avant. « J'ai terminé » efface tout ce que vous avez "
          "fait sur la borne.")


def on_kivy(future: Future[Any], then: Callable[[Any], None],
            failed: Callable[[BaseException], None] | None = None) -> None:
    """``then(result)`` (or ``failed(error)``) on the Kivy loop once ``future`` is done."""
    def done(f: Future[Any]) -> None:
        error = f.exception()
        if error is not None:
            if failed is not None:
                Clock.schedule_once(lambda _dt: failed(error), 0)
            else:
                log.warning("browser call failed: %s", error)
            return
        result = f.result()
        Clock.schedule_once(lambda _dt: then(result), 0)
    future.add_done_callback(done)


class BrowserScreen(AppScreen):
    status = StringProperty("")
    keyboard_shown = BooleanProperty(False)
    confirm_end = BooleanProperty(False)
    picking = BooleanProperty(False)   # a page asked for a file: the session's documents
    site_key = StringProperty("")
    site_title = StringProperty("")    # the header: the site's plain name
    scan_offered = BooleanProperty(False)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.service: BrowserService | None = None
        self.field: PageField | None = None
        self._watching_sessions = False
        web = self.ids.web
        web.on_tap = self.tap
        web.on_scroll = self.scroll
        ui.fbind("text_scale", self._text_scale)
        self.site_title = _(ONLINE)
        # The end confirmation and the picker are in the layout only while shown, and the
        # keyboard only while docked in the page template: hidden buttons must not catch
        # touches.
        self._content = self.ids.page.ids.content
        # Out of the layout, nothing but this list owns them (``ids`` holds weak proxies): the
        # garbage collector would free them before they are shown.
        self._kept_out = [self.ids[name].__self__ for name in ("keyboard", "confirm", "picker")]
        self.remove_widget(self.ids.keyboard)
        self._content.remove_widget(self.ids.confirm)
        self._content.remove_widget(self.ids.picker)

    @property
    def help_text(self) -> str:
        return _(HELP)

    def on_pre_enter(self, *args: Any) -> None:
        self.scan_offered = self.can_scan

    def on_site_key(self, _screen: Any, key: str) -> None:
        from kiosk.browser.sites import BY_KEY

        site = BY_KEY.get(key)
        self.site_title = site.name if site is not None else _(ONLINE)

    def on_keyboard_shown(self, _screen: Any, shown: bool) -> None:
        page = self.ids.page
        if shown and self.field is not None:
            page.dock_keyboard(self.ids.keyboard, self.field)
        elif not shown:
            page.undock_keyboard()

    def on_confirm_end(self, _screen: Any, shown: bool) -> None:
        self._place(self.ids.confirm, shown)

    def on_picking(self, _screen: Any, shown: bool) -> None:
        self._place(self.ids.picker, shown)

    def _place(self, widget: Any, shown: bool) -> None:
        """Just above the page's picture (children are listed bottom first)."""
        if shown and widget.parent is None:
            index = self._content.children.index(self.ids.web) + 1
            self._content.add_widget(widget, index=index)
        elif not shown and widget.parent is not None:
            self._content.remove_widget(widget)

    # --- the page template's bar ---------------------------------------------------------------
    def page_back(self) -> None:
        self.back()

    def page_end(self) -> None:
        """ "J'ai terminé": the progress card first for a resident following a parcours (its
        "Retour" comes back here), as on the home screen; else the confirmation."""
        card = "practice_parcours_card"
        if self.app.has_screen(card) and self.app.screen(card).offer_from(self.name):
            return
        self.ask_end()

    # --- opening ------------------------------------------------------------------------------
    def open_url(self, url: str) -> None:
        browsing = self.runtime.browsing
        if browsing is None:
            self.status = _(FAILED)
            return
        self.status = _(LOADING)
        self.confirm_end = False
        self.hide_keyboard()
        web = self.ids.web
        if browsing.service is None:  # the picture's size is the page's, in CSS pixels
            browsing.viewport = (max(int(web.width), 640), max(int(web.height), 400))
        service = browsing.open(on_view=self._view_from_worker)
        web.viewport = service.viewport
        fresh = service is not self.service
        self.service = service
        if not self._watching_sessions:
            self._watching_sessions = True
            self.runtime.core.add_listener(self._session_changed)
        if fresh:  # a new session's browser: nothing of the last one shows
            self._forget_page()
            self.status = _(LOADING)
            service.transfers.on_request = lambda request: Clock.schedule_once(
                lambda _dt: self._file_asked(request), 0)
            browsing.on_document = lambda: Clock.schedule_once(
                lambda _dt: setattr(self, "status", _(DOWNLOADED)), 0)
            browsing.on_download_refused = lambda message: Clock.schedule_once(
                lambda _dt: setattr(self, "status", _(message)), 0)
            on_kivy(service.start(), lambda _r: None, self._failed)
            service.watch(web.frame_from_worker)
            if ui.text_scale != 1.0:
                service.set_zoom(float(ui.text_scale))
        on_kivy(service.open(url), self._opened, self._failed)

    def _session_changed(self, _old: Any, new: Any) -> None:
        from kiosk.sessions.state import SessionState

        if new in (SessionState.ENDING, SessionState.IDLE):
            self._forget_page()

    def _forget_page(self) -> None:
        """Nothing of a resident's page stays on the screen for the next one."""
        self.ids.web.clear()
        self.site_key = ""
        self.status = ""
        self.confirm_end = False
        self.picking = False
        self.hide_keyboard()

    def _opened(self, verdict: Verdict) -> None:
        # An unreachable site's page says so itself (« Ce site ne répond pas »), as in _show_view.
        self.status = "" if verdict.refusal in (None, Refusal.UNREACHABLE) else _(REFUSED)

    def _failed(self, error: BaseException) -> None:
        log.warning("browser: %s", error)
        self.status = _(FAILED)

    def _view_from_worker(self, view: PageView) -> None:
        Clock.schedule_once(lambda _dt: self._show_view(view), 0)

    def _show_view(self, view: PageView) -> None:
        self.site_key = view.site_key or ""
        self.status = _(REFUSED) if view.refusal not in (None, Refusal.UNREACHABLE) else ""

    # --- the resident's input -----------------------------------------------------------------
    def tap(self, x: float, y: float, clicks: int = 1) -> None:
        """A tap on the page (``clicks`` 2 or 3: a quick series, selecting a word or its
        paragraph for read aloud)."""
        if self.service is None:
            return
        self.confirm_end = False
        on_kivy(self.service.on_page(lambda page: interaction.tap(page, x, y, clicks)),
                self._focus_changed)

    def scroll(self, x: float, y: float, dy: float) -> None:
        if self.service is not None:
            self.service.on_page(lambda page: interaction.scroll(page, x, y, dy))

    def _focus_changed(self, kind: FieldKind) -> None:
        if kind is FieldKind.NONE:
            self.hide_keyboard()
            return
        self.field = PageField(self._send, kind)
        if self.keyboard_shown:  # another field: the docked keyboard types there now
            self.ids.page.dock_keyboard(self.ids.keyboard, self.field)
        self.keyboard_shown = True

    def hide_keyboard(self) -> None:
        self.keyboard_shown = False
        self.field = None

    def _send(self, what: str, value: str) -> None:
        if self.service is None:
            return
        if what == "text":
            self.service.on_page(lambda page: interaction.type_text(page, value))
        else:
            self.service.on_page(lambda page: interaction.press(page, value))

    def _text_scale(self, *_args: Any) -> None:
        if self.service is not None:
            self.service.set_zoom(float(ui.text_scale))

    # --- documents for a page -----------------------------------------------------------------
    def _file_asked(self, _request: Any) -> None:
        """The page's "Parcourir": the kiosk's picker, this session's documents only."""
        from kivy.metrics import dp

        from kiosk.screens.kit import BigButton

        self.hide_keyboard()
        box = self.ids.choices
        box.clear_widgets()
        desk = self.runtime.documents
        documents = desk.documents() if desk is not None else []
        for doc in documents:
            button = BigButton(kind="secondary", size_hint_y=None, height=dp(72),
                               txt=f"{_(doc.title)} ({doc.pages} p.)")
            button.bind(on_release=lambda _b, path=doc.path: self.send_document(path))
            box.add_widget(button)
        self.status = "" if documents else _(NO_DOCUMENT)
        scan = self.ids.picker_scan
        scan.disabled = not self.can_scan
        scan.opacity = 0 if scan.disabled else 1
        self.picking = True

    def send_document(self, path: Path) -> None:
        self.picking = False
        if self.service is not None:
            on_kivy(self.service.choose_files([path]), lambda _r: None,
                    lambda err: setattr(self, "status", str(err)))

    def cancel_picking(self) -> None:
        self.picking = False
        if self.service is not None:
            self.service.choose_files([])

    # --- the kiosk's controls -----------------------------------------------------------------
    def back(self) -> None:
        """The page before; on the site's first page, the list of sites (not a blank page)."""
        if self.service is None:
            self.sites()
            return
        self.hide_keyboard()
        on_kivy(self.service.back(), self._went_back)

    def _went_back(self, went: bool) -> None:
        if not went:
            self.sites()

    def sites(self) -> None:
        self.hide_keyboard()
        self.go("official_sites")

    def call_mediator(self) -> None:
        self.go("help_call")

    def read_aloud(self) -> None:
        """The selected text, or the page's main heading, in the kiosk's voice."""
        if self.service is not None:
            on_kivy(self.service.on_page(interaction.readable_text), ui.speak)

    def scan(self) -> None:
        """Scan a document now (for an upload); the browser stays as it is, for coming back."""
        self.picking = False
        if self.service is not None and self.service.transfers.asking:
            self.service.choose_files([])  # the page's request is answered "nothing" for now
        self.app.sm.get_screen("scan").for_site = True  # its end comes back here
        self.go("scan")

    @property
    def can_scan(self) -> bool:
        from kiosk.runtime import Feature

        return bool(self.runtime.feature_available(Feature.SCAN) and self.app.has_screen("scan"))

    def ask_end(self) -> None:
        self.hide_keyboard()  # the confirmation gets the room
        self.confirm_end = True

    def end_session(self) -> None:
        self.confirm_end = False
        self.runtime.core.end(EndReason.FINISHED)

    def print_page(self) -> None:
        prints = self.runtime.print_service
        if self.service is None or prints is None:
            self.status = _(PRINT_FAILED)
            return
        path = self.runtime.core.new_file(".pdf", "document")
        on_kivy(self.service.on_page(lambda page: interaction.print_to_pdf(page, path)),
                lambda pdf: self._print(prints, pdf), lambda _e: self._print_failed())

    def _print(self, prints: PrintService, pdf: Path) -> None:
        try:
            prints.submit(pdf)
        except errors.DeviceError as err:  # the printer's or the quota's own plain message
            self.status = err.shown()
            return
        except Exception:  # an unreadable page: said plainly, the cause logged
            log.exception("printing the browser's page failed")
            self.status = _(PRINT_FAILED)
            return
        self.status = _(PRINT_SENT)

    def _print_failed(self) -> None:
        self.status = _(PRINT_FAILED)


def build_screen(runtime: KioskRuntime) -> BrowserScreen:
    return BrowserScreen(name="browser")


load_screen_kv(__file__)
