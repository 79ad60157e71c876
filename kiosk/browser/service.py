"""The browser service: Debian's Chromium, headless, driven by Playwright in a worker thread.

Playwright's sync API belongs to the thread that started it, so the service owns one worker
thread and every browser call runs there; callers get a :class:`concurrent.futures.Future`
(the screen adds a done-callback that hops back to the Kivy loop with ``Clock.schedule_once``;
the Kivy loop never waits). Between jobs the worker pumps Playwright's events (the guard's
paused requests, new pop-ups, downloads).

One service per browsing session: :meth:`start` launches Chromium on the session's private
profile (:mod:`kiosk.browser.profile`), :meth:`close` stops it; the session's wipe then removes
the profile (and kills anything left of Chromium). Its pages and their policing (pop-ups, the
refusal page, what the screen may know) are :mod:`kiosk.browser.pages`.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from kiosk.browser.allowlist import Allowlist, Refusal, Verdict
from kiosk.browser.guard import route_documents
from kiosk.browser.pages import GuardedPages, PageView, ViewListener
from kiosk.browser.profile import (
    BrowserProfile,
    driver_tmpdir,
    kill_processes_using,
    resolver_switch,
)
from kiosk.browser.screencast import FrameListener
from kiosk.browser.transfers import Transfers

log = logging.getLogger(__name__)

CHROMIUM = Path("/usr/bin/chromium")
PUMP_MS = 25          # how long the idle worker lets Playwright deliver events
NAVIGATION_TIMEOUT_MS = 30_000
CLOSE_POLL_S = 0.25   # while closing, how often a Chromium still starting is looked for
T = TypeVar("T")

__all__ = ["CHROMIUM", "BrowserService", "BrowserState", "BrowserUnavailable", "PageView",
           "ViewListener"]


class BrowserState(str, Enum):
    STOPPED = "stopped"
    STARTING = "starting"
    READY = "ready"
    FAILED = "failed"   # Chromium could not start: the screen says so, the session goes on
    CLOSED = "closed"


class BrowserUnavailable(Exception):
    """The browser is not running (failed to start, or closed); plain French for the screen."""


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
        self.state = BrowserState.STOPPED
        self.transfers = Transfers()
        self.pages = GuardedPages(allowlist, self.transfers, on_view)
        self._jobs: queue.SimpleQueue[tuple[Callable[[], Any], Future[Any]]] = queue.SimpleQueue()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._started: Future[None] = Future()
        self._pw: Any = None
        self._context: Any = None
        self._launching = False  # Playwright is launching Chromium: close() must not kill it

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
        ``discard``: it is wiped next: Chromium is killed, not asked to write it out first,
        and killed again while the worker winds down (a Chromium that appears after the first
        kill must not outlive the session), but never while Playwright is launching it:
        Playwright can miss the death of a Chromium killed mid-start and wait out its whole
        launch timeout. A launch under way is let finish; the worker, seeing the end, closes
        that Chromium at once."""
        self._stopping.set()
        thread = self._thread
        waits = thread is not None and thread is not threading.current_thread()
        deadline = time.monotonic() + timeout_s
        while True:
            if discard and not self._launching:
                kill_processes_using(self.profile.root, grace_s=0.0)
            if not waits or thread is None:
                break
            thread.join(min(CLOSE_POLL_S, max(deadline - time.monotonic(), 0.0)))
            if not thread.is_alive() or time.monotonic() >= deadline:
                break
        if waits and thread is not None and thread.is_alive():
            log.error("browser worker did not stop in %.0f s", timeout_s)
        self.state = BrowserState.CLOSED

    @property
    def view(self) -> PageView:
        """What the screen may know of the page shown now."""
        return self.pages.view

    @property
    def refusals(self) -> list[Refusal]:
        """This session's refusals, for the screen and tests."""
        return self.pages.refusals

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
        return self.submit(lambda: self.pages.open(self._page(), url))

    def back(self) -> Future[bool]:
        """Back to the page before: False (nothing done) on the site's first page."""
        return self.submit(lambda: self.pages.back(self._page()))

    def choose_files(self, paths: list[Path]) -> Future[None]:
        """Answer the page's file request with session documents (see :mod:`transfers`)."""
        return self.submit(lambda: self.transfers.choose(paths))

    def watch(self, on_frame: FrameListener) -> Future[None]:
        """Send the shown page's pictures to ``on_frame`` (in the worker thread)."""
        return self.submit(lambda: self.pages.watch(self._page(), on_frame, self.viewport))

    def set_zoom(self, factor: float) -> Future[None]:
        """Text size: kept for the next pages too."""
        return self.submit(lambda: self.pages.set_zoom(factor))

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
            self.pages.run_deferred()
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
        self._launching = True  # before the check: close() either sees it or is seen here
        try:
            if self._stopping.is_set():  # the session ended while the driver started
                raise BrowserUnavailable("Le navigateur a été arrêté avant de démarrer.")
            self._context = self._pw.chromium.launch_persistent_context(
                str(self.profile.user_data), executable_path=str(self.chromium), headless=True,
                args=[*self.profile.switches(), *self._switches()],
                env=environment, accept_downloads=True,
                downloads_path=str(self.profile.downloads), service_workers="block",
                viewport={"width": width, "height": height}, locale="fr-FR",
                ignore_https_errors=False)
        finally:
            self._launching = False
        if self._stopping.is_set():  # the session ended while Chromium started: closed now
            raise BrowserUnavailable("Le navigateur a été arrêté pendant son démarrage.")
        self._context.set_default_navigation_timeout(NAVIGATION_TIMEOUT_MS)
        self.pages.context = self._context
        self._context.route("**/*", route_documents(self.allowlist, self.pages.refused))
        self._context.on("page", self._new_page)
        page = self._context.pages[0] if self._context.pages else self._context.new_page()
        self.pages.adopt(page)

    def _switches(self) -> list[str]:
        resolver, others = resolver_switch(self.extra_switches)
        return [*resolver, *others]

    def _shutdown(self) -> None:
        self.pages.stop_watching()
        for part, method in ((self._context, "close"), (self._pw, "stop")):
            if part is None:
                continue
            try:
                getattr(part, method)()
            except Exception:
                log.warning("closing the browser failed", exc_info=True)
        self._context = self._pw = None
        self.pages.forget()

    def _pump(self) -> None:
        top = self.pages.top()
        if top is not None:
            try:
                top.wait_for_timeout(PUMP_MS)
                return
            except Exception:
                log.debug("pump failed", exc_info=True)
        self._stopping.wait(PUMP_MS / 1000)

    def _page(self) -> Any:
        top = self.pages.top()
        if top is None:
            raise BrowserUnavailable("Le navigateur n'a pas de page ouverte.")
        return top

    def _new_page(self, page: Any) -> None:
        """A pop-up: shown on top of its opener (its first document passed the route)."""
        if self._stopping.is_set():
            return
        try:
            self.pages.adopt(page)
        except Exception:
            log.warning("a pop-up could not be guarded: closed", exc_info=True)
            page.close()
