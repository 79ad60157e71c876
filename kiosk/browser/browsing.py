"""The browser of the session in progress: opened on demand, closed and wiped with the session.

The profile directory is registered with the session core (an artefact of kind
:data:`~kiosk.browser.profile.BROWSER_PROFILE`) *before* it is created, so the journal knows of
it whatever happens next; the session's end hook stops Chromium, then the wipe's disposer kills
anything left of it and removes the directory. After a crash, recovery runs the same disposer.
"""
from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.browser.allowlist import Allowlist, AllowlistError
from kiosk.browser.profile import BROWSER_PROFILE, BrowserProfile, dispose_profile
from kiosk.browser.service import CHROMIUM, BrowserService, PageView, ViewListener
from kiosk.browser.usage import SiteTimer
from kiosk.sessions.workspace import Artefact, Disposers

if TYPE_CHECKING:
    from kiosk.documents.session_documents import DocumentDesk
    from kiosk.sessions.core import SessionCore
    from kiosk_wire.config import Settings
    from kiosk_wire.schema import PushedSettings

log = logging.getLogger(__name__)


def register_disposer(disposers: Disposers) -> None:
    """Teach a session core to wipe browser profiles (call before ``core.recover()``)."""
    disposers.register(BROWSER_PROFILE, dispose_profile)


class Browsing:
    def __init__(self, core: SessionCore, allowlist: Allowlist, *, chromium: Path = CHROMIUM,
                 extra_switches: tuple[str, ...] = (),
                 viewport: tuple[int, int] = (1280, 720),
                 documents: DocumentDesk | None = None) -> None:
        self.core = core
        self.documents = documents
        self.allowlist = allowlist
        self.chromium = chromium
        self.extra_switches = extra_switches
        self.viewport = viewport
        self.service: BrowserService | None = None
        # Told (in the worker thread) when a site's PDF joined the session's documents.
        self.on_document: Callable[[], None] | None = None
        # Told (in the worker thread) why a download cannot be printed (a message marked N_).
        self.on_download_refused: Callable[[str], None] | None = None
        self.on_view: ViewListener | None = None  # the screen's
        self.timer = SiteTimer(core.clock.monotonic)
        self.site_key: str | None = None  # the site shown now (for the live view)
        # The kiosk's own settings (browser.sites, browser.local_sites), which a list pushed
        # by the server replaces field by field; and a pushed list waiting for the session's end.
        self.configured: tuple[str, str] = (",".join(s.key for s in allowlist.sites),
                                            ",".join(allowlist.local_domains))
        self.pending: Allowlist | None = None
        register_disposer(core.disposers)
        core.add_end_hook(self.close)

    @classmethod
    def from_settings(cls, core: SessionCore, settings: Settings, **kw: Any) -> Browsing:
        allowlist = Allowlist.from_setting_values(settings.get("browser.sites"),
                                                  settings.get("browser.local_sites"))
        browsing = cls(core, allowlist, chromium=Path(settings.get("browser.chromium")), **kw)
        browsing.configured = (settings.get("browser.sites"), settings.get("browser.local_sites"))
        return browsing

    def apply_pushed(self, pushed: PushedSettings) -> None:
        """The allowlist a site manager set in the console (heartbeat reply; UI thread). A
        resident's browsing never changes under them: during a session the list waits for the
        session's end; between sessions it applies at once. A field left None keeps the
        kiosk's own setting."""
        sites, local = self.configured
        if pushed.browser_sites is not None:
            sites = ",".join(s.value for s in pushed.browser_sites)
        if pushed.browser_local_sites is not None:
            local = ",".join(pushed.browser_local_sites)
        try:
            allowlist = Allowlist.from_setting_values(sites, local)
        except AllowlistError as err:  # the wire schema checks both: a newer server's key?
            log.error("browser: pushed official sites refused, current list kept: %s", err)
            return
        if self.core.in_session or self.service is not None:
            self.pending = allowlist
        else:
            self._adopt(allowlist)

    def _adopt(self, allowlist: Allowlist) -> None:
        if (allowlist.sites, allowlist.local_domains) != (self.allowlist.sites,
                                                          self.allowlist.local_domains):
            log.info("browser: official sites now %s (+%d local)",
                     ",".join(s.key for s in allowlist.sites), len(allowlist.local_domains))
        self.allowlist, self.pending = allowlist, None

    def open(self, on_view: ViewListener | None = None) -> BrowserService:
        """This session's browser, started now if it is not running yet (returns at once:
        ``service.start()`` is the future of the launch)."""
        if on_view is not None:
            self.on_view = on_view
        if self.service is not None:
            return self.service
        session = self.core.session
        if session is None or not self.core.in_session:
            raise RuntimeError("no session in progress")
        root = session.workspace.path / f"b-{secrets.token_hex(4)}"
        self.core.register(Artefact(BROWSER_PROFILE, str(root), "browser"))
        profile = BrowserProfile(root)
        profile.create()
        self.service = BrowserService(self.allowlist, profile, chromium=self.chromium,
                                      extra_switches=self.extra_switches,
                                      viewport=self.viewport, on_view=self._view_changed)
        self._wire_documents(self.service)
        self.service.start()
        return self.service

    def prepare(self) -> None:
        """Start Chromium ahead of the tap (the official sites' list or a debrief offering the
        real site is on screen): the tap then only loads the page. Never raises."""
        if self.service is None and self.core.in_session:
            try:
                self.open()
            except Exception:  # the tap will try again and say what failed
                log.warning("browser: could not start ahead of time", exc_info=True)

    def _wire_documents(self, service: BrowserService) -> None:
        """Uploads offer only this session's documents; downloads become session documents."""
        transfers = service.transfers
        transfers.allowed = lambda: [d.path for d in self.documents.documents()] \
            if self.documents is not None else []
        transfers.save_to = lambda suffix: self.core.new_file(suffix, "document")
        transfers.on_download = self._downloaded

    def _downloaded(self, path: Path) -> None:
        """A PDF or an image from a site joins the session's documents (printable; an image as
        a one-page PDF); anything else is refused, and the resident told why. Both stay in the
        session directory, wiped with it. Runs in the browser's worker thread."""
        if self.documents is None or not self.core.in_session:
            return
        from kiosk.browser.downloads import NotPrintable, printable
        from kiosk.documents.scanning import ScanResult
        from kiosk.documents.session_documents import DocumentKind

        try:
            document = printable(path, lambda: self.core.new_file(".pdf", "document"))
        except NotPrintable as refused:
            if self.on_download_refused is not None:
                self.on_download_refused(refused.message)
            return
        self.documents.add(ScanResult(document.pdf, document.pages), DocumentKind.DOWNLOAD,
                           document.title)
        if self.on_document is not None:
            self.on_document()

    def _view_changed(self, view: PageView) -> None:
        """From the worker thread: time the site, then tell the screen."""
        self.site_key = view.site_key
        self._count(self.timer.show(view.site_key))
        if self.on_view is not None:
            self.on_view(view)

    def site_now(self) -> str | None:
        """For the heartbeat thread: the site shown now (its key), or None. The time on it so
        far goes into the session's record now (journaled: a crash keeps it)."""
        if self.service is None:
            return None
        self._count(self.timer.checkpoint())
        return self.site_key

    def close(self) -> None:
        """Stop this session's Chromium (the session's end hook); the wipe removes the rest.
        The time spent per site goes into the session's record."""
        service, self.service = self.service, None
        if service is not None:
            service.close(discard=True)  # its profile is wiped right after
        self.site_key = None
        self._count(self.timer.stop())
        if self.pending is not None:  # a list pushed during the session: from the next one
            self._adopt(self.pending)

    def _count(self, period: tuple[str, float] | None) -> None:
        """A period on a site, into the session's record (journaled: a crash keeps it)."""
        if period is not None and self.core.in_session:
            try:
                self.core.add_site_time(*period)
            except RuntimeError:  # the session ended meanwhile
                pass


def open_browsing(core: SessionCore, settings: Settings, *, extra_switches: tuple[str, ...],
                  documents: DocumentDesk | None, pushed: PushedSettings | None
                  ) -> Browsing | None:
    """The sessions' browser, or None (logged) when switched off (``browser.enabled``), when
    Chromium or Playwright is not installed, or when the site list in the settings is unusable.
    ``pushed``: the settings last pushed from the console (kept across restarts), whose site
    list replaces the configured one."""
    from kiosk.browser.installed import chromium_installed, playwright_installed

    if not settings.get("browser.enabled"):
        return None
    if not chromium_installed(Path(settings.get("browser.chromium"))):
        log.warning("browser: %s not installed", settings.get("browser.chromium"))
        return None
    if not playwright_installed():
        log.warning("browser: the Playwright library is not installed")
        return None
    try:
        browsing = Browsing.from_settings(core, settings, extra_switches=extra_switches,
                                          documents=documents)
        if pushed is not None:
            browsing.apply_pushed(pushed)
    except AllowlistError as err:
        log.error("browser switched off: %s", err)
        return None
    return browsing
