"""The pages of one browsing session, policed: the opener and any pop-up stacked on top, each
under its :class:`~kiosk.browser.guard.PageGuard`; what never touched the network (data:
frames, Chromium's error pages) judged when it commits; and what the screen may know of the
page on top (:class:`PageView`: never its address or title).

Everything here runs in the browser service's worker thread (kiosk/browser/service.py), where
Playwright objects live. What must not run inside a Playwright event handler (a navigation, a
script) is deferred: the worker runs it between jobs (:meth:`GuardedPages.run_deferred`).
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kiosk.browser.allowlist import Allowlist, Refusal, Verdict
from kiosk.browser.guard import (
    ERROR_PAGE_PREFIX,
    REFUSAL_URL,
    PageGuard,
    committed_verdict,
    refusal_url,
)
from kiosk.browser.interaction import set_zoom
from kiosk.browser.refusal import refusal_page
from kiosk.browser.screencast import FrameListener, Screencast
from kiosk.browser.transfers import Transfers

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PageView:
    """What the screen may know of the shown page: never its address or title."""
    site_key: str | None        # the allowlist key, None on the refusal page
    refusal: Refusal | None     # why the shown page is the refusal page


ViewListener = Callable[[PageView], None]


def _goto_refusal(page: Any, reason: Refusal, attempts: int = 3) -> None:
    """Replace the page by the refusal page; an error page still committing may interrupt
    the first try. Chromium's error page is replaced in the history too: Back from the refusal
    page then goes to the page before, not to the address that failed (which would fail again
    and bring the refusal back)."""
    url = refusal_url(reason)
    if str(page.url).startswith(ERROR_PAGE_PREFIX):
        page.evaluate("url => location.replace(url)", url)
        page.wait_for_url(lambda u: u.startswith(REFUSAL_URL))
        return
    for attempt in range(attempts):
        try:
            page.goto(url)
            return
        except Exception as err:
            if "interrupted by another navigation" not in str(err) or attempt == attempts - 1:
                raise


def net_error(err: Exception) -> str | None:
    """Chromium's network error code in a failed navigation's message (ERR_NAME_NOT_RESOLVED,
    ERR_CONNECTION_REFUSED, ERR_INTERNET_DISCONNECTED...), None for another failure."""
    text = str(err)
    if "net::ERR_" not in text:
        return None
    return text.split("net::", 1)[1].split()[0]


def has_page_behind(context: Any, page: Any) -> bool:
    """Whether the tab's history has a page before the current one (the blank page every
    browsing session starts on does not count)."""
    cdp = context.new_cdp_session(page)
    try:
        history = cdp.send("Page.getNavigationHistory")
    finally:
        cdp.detach()
    index, entries = int(history["currentIndex"]), history["entries"]
    return index > 0 and not str(entries[index - 1]["url"]).startswith("about:")


class GuardedPages:
    """The session's pages, their guards, and the view of the top one (told to ``on_view``)."""

    def __init__(self, allowlist: Allowlist, transfers: Transfers,
                 on_view: ViewListener | None = None) -> None:
        self.allowlist = allowlist
        self.transfers = transfers
        self.on_view = on_view
        self.view = PageView(None, None)
        self.refusals: list[Refusal] = []   # this session's, for the screen and tests
        self.context: Any = None            # Playwright's browser context, once launched
        self.screencast: Screencast | None = None
        self.zoom = 1.0
        self._pages: list[Any] = []  # the opener first; a pop-up on top
        self._guards: list[PageGuard] = []
        self._deferred: list[Callable[[], None]] = []
        self._cert_failed = False

    def top(self) -> Any | None:
        """The page shown now (a pop-up when one is open), None before the first."""
        return self._pages[-1] if self._pages else None

    # --- pages coming and going ---------------------------------------------------------------
    def adopt(self, page: Any) -> None:
        """Guard ``page`` and show it on top (the first page, or a pop-up: its first document
        passed the route)."""
        self._guards.append(PageGuard(self.context, page, self.allowlist, self.refused))
        self._pages.append(page)
        self.transfers.attach(page)
        if self.screencast is not None:
            self.screencast.follow(self.context, page)
        page.on("framenavigated", lambda frame: self._committed(page, frame))
        page.on("close", lambda _page: self._closed(page))
        page.on("requestfailed", self._navigation_failed)

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
            self.screencast.follow(self.context, self._pages[-1])

    def stop_watching(self) -> None:
        if self.screencast is not None:
            self.screencast.stop()
            self.screencast = None

    def forget(self) -> None:
        """Forget every page: the browser context is closed."""
        self.context = None
        self._pages.clear()
        self._guards.clear()

    # --- what the worker's jobs do on the top page ----------------------------------------------
    def open(self, page: Any, url: str) -> Verdict:
        """Show ``url`` on ``page`` if the allowlist allows it, else the refusal page."""
        verdict = self.allowlist.judge(url)
        target = url if verdict.allowed else refusal_url(verdict.refusal or Refusal.NOT_LISTED)
        self._cert_failed = False
        try:
            page.goto(target)
        except Exception as err:
            text = str(err)
            if "ERR_ABORTED" in text:  # replaced by the guard's answer or a download
                return verdict
            if "ERR_CERT" in text or "ERR_SSL" in text:
                self._cert_failed = True
                return Verdict(self._refusal_after_error(page, Refusal.CERTIFICATE))
            code = net_error(err)
            if code is not None:  # no answer: name unknown, refused, timed out, offline...
                # An allowed official site's name only (never a path or query): for the logs.
                log.info("browser: %s did not answer (%s)", urlsplit(url).hostname, code)
                return Verdict(self._refusal_after_error(page, Refusal.UNREACHABLE))
            raise
        self.run_deferred()
        return verdict

    def _refusal_after_error(self, page: Any, reason: Refusal) -> Refusal:
        """After a failed navigation Chromium commits its error page; the commit check then
        shows the refusal page, or this does if the error page never came."""
        try:
            page.wait_for_url(lambda u: u.startswith((ERROR_PAGE_PREFIX, REFUSAL_URL)),
                              timeout=5_000)
        except Exception:
            log.debug("no error page after a failed navigation", exc_info=True)
        self.run_deferred()
        if not page.url.startswith(REFUSAL_URL):
            self._show_refusal(page, reason)
            self.run_deferred()
        return reason

    def back(self, page: Any) -> bool:
        """Back to the page before; False when there is none (the site's first page): the
        screen then leaves for the list of sites rather than show a blank page."""
        if len(self._pages) > 1 and page.evaluate("history.length") <= 1:
            page.close()  # a pop-up with nothing behind: back to its opener
            return True
        if not has_page_behind(self.context, page):
            return False
        try:
            page.go_back()
        except Exception as err:
            code = net_error(err)
            if code is None:
                raise
            # the page before does not answer any more: its error page commits, and the
            # commit check shows the refusal page in its place
            log.info("browser: the page before did not answer (%s)", code)
        self.run_deferred()
        self._update_view(page.url)
        return True

    def watch(self, page: Any, on_frame: FrameListener, size: tuple[int, int]) -> None:
        """Send ``page``'s pictures (then those of the page on top) to ``on_frame``."""
        if self.screencast is not None:
            self.screencast.stop()
        self.screencast = Screencast(on_frame, size)
        self.screencast.follow(self.context, page)

    def set_zoom(self, factor: float) -> None:
        """Text size: kept for the next pages too."""
        self.zoom = factor
        for page in self._pages:
            set_zoom(page, factor)

    def run_deferred(self) -> None:
        actions, self._deferred = self._deferred, []
        for action in actions:
            try:
                action()
            except Exception:
                log.warning("a browser follow-up failed", exc_info=True)

    # --- policing -------------------------------------------------------------------------------
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
        self.refused(reason, False, page)

    def _navigation_failed(self, request: Any) -> None:
        if request.is_navigation_request() and "ERR_CERT" in (request.failure or ""):
            self._cert_failed = True

    def _show_refusal(self, page: Any, reason: Refusal) -> None:
        self.refusals.append(reason)
        self.view = PageView(None, reason)
        self._notify()
        self._deferred.append(lambda: _goto_refusal(page, reason))

    def refused(self, reason: Refusal, main: bool, page: Any) -> None:
        """A document refused by the guard or the route (the refusal page answered it)."""
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
