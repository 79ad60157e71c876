"""The browser service: Debian's Chromium, headless, driven by Playwright in a worker thread.

Playwright's sync API belongs to the thread that started it, so the service owns one worker
thread and every browser call runs there; callers get a :class:`concurrent.futures.Future`
(the screen adds a done-callback that hops back to the Kivy loop with ``Clock.schedule_once``;
the Kivy loop never waits). Between jobs the worker pumps Playwright's events (the guard's
paused requests, new pop-ups, downloads).

One service per browsing session: :meth:`start` launches Chromium on the session's private
profile (:mod:`kiosk.browser.profile`), :meth:`close` stops it; the session's wipe then removes
the profile (and kills anything left of Chromium).
"""
from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from kiosk.browser.allowlist import Allowlist, Refusal, Verdict
from kiosk.browser.guard import (
    ERROR_PAGE_PREFIX,
    REFUSAL_URL,
    PageGuard,
    committed_verdict,
    refusal_url,
    route_documents,
)
from kiosk.browser.interaction import set_zoom
from kiosk.browser.profile import (
    BrowserProfile,
    driver_tmpdir,
    kill_processes_using,
    resolver_switch,
)
from kiosk.browser.refusal import refusal_page
from kiosk.browser.screencast import FrameListener, Screencast
from kiosk.browser.transfers import Transfers

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
PUMP_MS = 25          # how long the idle worker lets Playwright deliver events
NAVIGATION_TIMEOUT_MS = 30_000
T = TypeVar("T")


def _goto_refusal(page: Any, reason: Refusal, attempts: int = 3) -> None:
    """Replace the page by the refusal page; an error page still committing may interrupt
    the first try."""
    for attempt in range(attempts):
        try:
            page.goto(refusal_url(reason))
            return
        except Exception as err:
            if "interrupted by another navigation" not in str(err) or attempt == attempts - 1:
                raise


class BrowserState(str, Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"   # Chromium could not start: the screen says so, the session goes on
    CLOSED = "closed"


class BrowserUnavailable(Exception):
    """The browser is not running (failed to start, or closed); plain French for the screen."""


@dataclass(frozen=True)
class PageView:
    """What the screen may know of the shown page: never its address or title."""
    site_key: str | None        # the allowlist key, None on the refusal page
    refusal: Refusal | None     # why the shown page is the refusal page


ViewListener = Callable[[PageView], None]


class BrowserService:
    def __init__(self, allowlist: Allowlist, profile: BrowserProfile, *,
                 chromium: Path = CHROMIUM, extra_switches: tuple[str, ...] = (),
                 viewport: tuple[int, int] = (1280, 720),
                 on_view: ViewListener | None = None) -> None:
        self.allowlist = allowlist
        self.profile = profile
        self.chromium = chromium
        self.extra_switches = extra_switches
        self.viewport = viewport
        self.on_view = on_view
        self.state = BrowserState.STOPPED
        self.view = PageView(None, None)
        self.refusals: list[Refusal] = []   # this session's, for the screen and tests
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._deferred: list[Callable[[], None]] = []
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._started: Future[None] = Future()
        self._pw: Any = None
        self._context: Any = None
        self._pages: list[Any] = []  # the opener first; a pop-up on top
        self._guards: list[PageGuard] = []
        self.screencast: Screencast | None = None
        self.zoom = 1.0
        self.transfers = Transfers()

    # --- life -----------------------------------------------------------------------------------
    def start(self) -> Future[None]:
        """Launch Chromium in the worker thread; the future completes once it can navigate."""
        if self._thread is None:
            self.state = BrowserState.STARTING
            self._thread = threading.Thread(target=self._main, name="kiosk-browser", daemon=True)
            self._thread.start()
        return self._started

    def close(self, timeout_s: float = 15.0, discard: bool = False) -> None:
        """Stop Chromium and the worker (idempotent). The profile stays for the wipe.
        ``discard``: it is wiped next: Chromium is killed, not asked to write it out first."""
        self._stopping.set()
        if discard:
            kill_processes_using(self.profile.root, grace_s=0.0)
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(timeout_s)
            if self._thread.is_alive():
                log.error("browser worker did not stop in %.0f s", timeout_s)
        self.state = BrowserState.CLOSED

    # --- what callers ask -----------------------------------------------------------------------
    def submit(self, job: Callable[[], T]) -> Future[T]:
        """Run ``job()`` in the worker thread (where Playwright objects may be used)."""
        future: Future[T] = Future()
        if self._stopping.is_set() or self.state in (BrowserState.FAILED, BrowserState.CLOSED):
            future.set_exception(BrowserUnavailable("Le navigateur n'est pas disponible."))
            return future
        self._jobs.put((job, future))
        return future

    def on_page(self, job: Callable[[Any], T]) -> Future[T]:
        """Run ``job(page)`` on the page shown now (a pop-up when one is open)."""
        return self.submit(lambda: job(self._page()))

    def open(self, url: str) -> Future[Verdict]:
        """Show ``url`` if the allowlist allows it, else the refusal page."""
        return self.submit(lambda: self._open(url))

    def back(self) -> Future[None]:
        return self.submit(self._back)

    def choose_files(self, paths: list[Path]) -> Future[None]:
        """Answer the page's file request with session documents (see :mod:`transfers`)."""
        return self.submit(lambda: self.transfers.choose(paths))

    def watch(self, on_frame: FrameListener) -> Future[None]:
        """Send the shown page's pictures to ``on_frame`` (in the worker thread)."""
        def start() -> None:
            if self.screencast is not None:
                self.screencast.stop()
            self.screencast = Screencast(on_frame, self.viewport)
            self.screencast.follow(self._context, self._page())
        return self.submit(start)

    def set_zoom(self, factor: float) -> Future[None]:
        """Text size: kept for the next pages too."""
        def apply() -> None:
            self.zoom = factor
            for page in self._pages:
                set_zoom(page, factor)
        return self.submit(apply)

    # --- worker thread --------------------------------------------------------------------------
    def _main(self) -> None:
        try:
            self._launch()
        except Exception:
            if self._stopping.is_set():  # the session ended while Chromium was starting
                log.info("the browser's start was cut short by the end of the session")
            else:
                log.exception("the browser could not start")
            self.state = BrowserState.FAILED
            self._started.set_exception(BrowserUnavailable(
                "Le navigateur n'a pas pu démarrer. Demandez à un médiateur."))
            self._shutdown()
            self._fail_pending()
            return
        self.state = BrowserState.READY
        self._started.set_result(None)
        while not self._stopping.is_set():
            self._run_deferred()
            try:
                job, future = self._jobs.get_nowait()
            except queue.Empty:
                self._pump()
                continue
            if future.set_running_or_notify_cancel():
                try:
                    future.set_result(job())
                except Exception as err:  # noqa: BLE001 - to the caller, never up the worker
                    future.set_exception(err)
        self._shutdown()
        self._fail_pending()

    def _fail_pending(self) -> None:
        while True:
            try:
                _, future = self._jobs.get_nowait()
            except queue.Empty:
                return
            if future.set_running_or_notify_cancel():
                future.set_exception(BrowserUnavailable("Le navigateur est fermé."))

    def _launch(self) -> None:
        from playwright.sync_api import sync_playwright  # lazily: only a browsing session pays

        environment = self.profile.environment()
        with driver_tmpdir(self.profile.driver_tmp):
            self._pw = sync_playwright().start()
        width, height = self.viewport
        self._context = self._pw.chromium.launch_persistent_context(
            str(self.profile.user_data), executable_path=str(self.chromium), headless=True,
            args=[*self.profile.switches(), *self._switches()],
            env=environment, accept_downloads=True,
            downloads_path=str(self.profile.downloads), service_workers="block",
            viewport={"width": width, "height": height}, locale="fr-FR",
            ignore_https_errors=False)
        self._context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        self._context.route("**/*", route_documents(self.allowlist, self._refused))
        self._context.on("page", self._new_page)
        page = self._context.pages[0] if self._context.pages else self._context.new_page()
        self._adopt(page)

    def _switches(self) -> list[str]:
        resolver, others = resolver_switch(self.extra_switches)
        return [*resolver, *others]

    def _shutdown(self) -> None:
        if self.screencast is not None:
            self.screencast.stop()
            self.screencast = None
        for part, method in ((self._context, "close"), (self._pw, "stop")):
            if part is None:
                continue
            try:
                getattr(part, method)()
            except Exception:
                log.warning("closing the browser failed", exc_info=True)
        self._context = self._pw = None
        self._pages.clear()
        self._guards.clear()

    def _pump(self) -> None:
        if self._pages:
            try:
                self._pages[-1].wait_for_timeout(PUMP_MS)
                return
            except Exception:
                log.debug("pump failed", exc_info=True)
        self._stopping.wait(PUMP_MS / 1000)

    def _run_deferred(self) -> None:
        actions, self._deferred = self._deferred, []
        for action in actions:
            try:
                action()
            except Exception:
                log.warning("a browser follow-up failed", exc_info=True)

    def _page(self) -> Any:
        if not self._pages:
            raise BrowserUnavailable("Le navigateur n'a pas de page ouverte.")
        return self._pages[-1]

    def _adopt(self, page: Any) -> None:
        self._guards.append(PageGuard(self._context, page, self.allowlist, self._refused))
        self._pages.append(page)
        self.transfers.attach(page)
        if self.screencast is not None:
            self.screencast.follow(self._context, page)
        page.on("framenavigated", lambda frame: self._committed(page, frame))
        page.on("close", lambda _page: self._closed(page))
        page.on("requestfailed", self._navigation_failed)

    def _new_page(self, page: Any) -> None:
        """A pop-up: shown on top of its opener (its first document passed the route)."""
        if self._stopping.is_set():
            return
        try:
            self._adopt(page)
        except Exception:
            log.warning("a pop-up could not be guarded: closed", exc_info=True)
            page.close()

    def _closed(self, page: Any) -> None:
        if page in self._pages:
            index = self._pages.index(page)
            self._pages.pop(index)
            self._guards.pop(index)
            if self._pages:
                self._update_view(self._pages[-1].url)
                if self.screencast is not None:
                    self._deferred.append(self._follow_top)

    def _follow_top(self) -> None:
        if self.screencast is not None and self._pages:
            self.screencast.follow(self._context, self._pages[-1])

    def _committed(self, page: Any, frame: Any) -> None:
        """After a document committed. An https document went through the guard (allowed, or
        answered with the refusal page); what never touched the network (data: frames, the
        error page of a failed connection or certificate) is checked here."""
        url = frame.url
        main = frame.parent_frame is None
        if url.startswith("https://") or self.allowlist.judge(url).allowed:
            if main and self._pages and page is self._pages[-1]:
                self._update_view(url)
            if main and self.zoom != 1.0:
                zoom = self.zoom
                self._deferred.append(lambda: set_zoom(page, zoom))
            return
        reason = Refusal.SCHEME
        if url.startswith(ERROR_PAGE_PREFIX):
            reason = Refusal.CERTIFICATE if self._cert_failed else Refusal.UNREACHABLE
        if main:
            self._show_refusal(page, reason)
            return
        html = refusal_page(reason, frame=True)  # a data: frame: emptied, never shown
        self._deferred.append(lambda: frame.frame_element().evaluate(
            "(e, html) => { e.removeAttribute('src'); e.srcdoc = html; }", html))
        self._refused(reason, False, page)

    def _navigation_failed(self, request: Any) -> None:
        if request.is_navigation_request() and "ERR_CERT" in (request.failure or ""):
            self._cert_failed = True

    _cert_failed = False

    def _show_refusal(self, page: Any, reason: Refusal) -> None:
        self.refusals.append(reason)
        self.view = PageView(None, reason)
        self._notify()
        self._deferred.append(lambda: _goto_refusal(page, reason))

    def _refused(self, reason: Refusal, main: bool, page: Any) -> None:
        self.refusals.append(reason)
        if main:
            self.view = PageView(None, reason)
            self._notify()

    def _update_view(self, url: str) -> None:
        verdict = committed_verdict(self.allowlist, url)
        if url.startswith("about:"):
            return
        self.view = PageView(verdict.site_key, verdict.refusal)
        self._notify()

    def _notify(self) -> None:
        if self.on_view is not None:
            try:
                self.on_view(self.view)
            except Exception:
                log.exception("browser view listener failed")

    def _open(self, url: str) -> Verdict:
        verdict = self.allowlist.judge(url)
        page = self._page()
        target = url if verdict.allowed else refusal_url(verdict.refusal or Refusal.NOT_LISTED)
        self._cert_failed = False
        try:
            page.goto(target)
        except Exception as err:
            text = str(err)
            if "ERR_CERT" not in text and "ERR_SSL" not in text:
                if "ERR_ABORTED" in text:  # replaced by the guard's answer or a download
                    return verdict
                raise
            # Chromium commits its error page next; the commit check then shows the refusal.
            self._cert_failed = True
            try:
                page.wait_for_url(lambda u: u.startswith((ERROR_PAGE_PREFIX, REFUSAL_URL)),
                                  timeout=5_000)
            except Exception:
                log.debug("no error page after a certificate failure", exc_info=True)
            self._run_deferred()
            if not page.url.startswith(REFUSAL_URL):
                self._show_refusal(page, Refusal.CERTIFICATE)
                self._run_deferred()
            return Verdict(Refusal.CERTIFICATE)
        self._run_deferred()
        return verdict

    def _back(self) -> None:
        page = self._page()
        if len(self._pages) > 1 and page.evaluate("history.length") <= 1:
            page.close()  # a pop-up with nothing behind: back to its opener
            return
        page.go_back()
        self._update_view(page.url)
