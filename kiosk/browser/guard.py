"""Enforce the allowlist on every document a page loads, before Chromium fetches it.

Two layers, both asking :meth:`Allowlist.judge`:

- DevTools ``Fetch`` on each page (resource type Document): every top-level navigation, every
  frame (also cross-site frames in their own process) and *every hop of a redirect* pauses
  here; a refused one is answered with the refusal page, so the refused site is never contacted.
  (Playwright's own routes see only the first address of a redirect, hence this layer.)
- Playwright's context route, for the first document of a pop-up (a new page exists before a
  DevTools session can be attached to it).

What never reaches the network (data: frames, the error page after a failed certificate) is
checked when it commits: a frame is emptied, a page is replaced by the refusal page.
"""
from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlsplit

from kiosk.browser.allowlist import Allowlist, Refusal, Verdict
from kiosk.browser.refusal import refusal_page

log = logging.getLogger(__name__)

# Where the service sends a page it must replace by the refusal (the guard answers it itself:
# .invalid never resolves).
REFUSAL_URL = "https://refus.borne.invalid/"
ERROR_PAGE_PREFIX = "chrome-error://"

# on_refused(refusal, main_frame, page): the service hears of each refusal (for the screen).
RefusalListener = Callable[[Refusal, bool, Any], None]


def refusal_url(reason: Refusal) -> str:
    return f"{REFUSAL_URL}?r={reason.value}"


def judge_document(allowlist: Allowlist, url: str) -> Verdict:
    """The allowlist's verdict, with the refusal page's own address answered as refused."""
    if url.startswith(REFUSAL_URL):
        reason = parse_qs(urlsplit(url).query).get("r", [Refusal.NOT_LISTED.value])[0]
        try:
            return Verdict(Refusal(reason))
        except ValueError:
            return Verdict(Refusal.NOT_LISTED)
    return allowlist.judge(url)


def _fulfil_args(request_id: str, reason: Refusal, frame: bool) -> dict[str, Any]:
    body = refusal_page(reason, frame=frame).encode("utf-8")
    return {"requestId": request_id, "responseCode": 200,
            "responseHeaders": [{"name": "Content-Type", "value": "text/html; charset=utf-8"},
                                {"name": "Cache-Control", "value": "no-store"}],
            "body": base64.b64encode(body).decode("ascii")}


class PageGuard:
    """The DevTools layer for one page (a tab or a pop-up)."""

    def __init__(self, context: Any, page: Any, allowlist: Allowlist,
                 on_refused: RefusalListener) -> None:
        self.page = page
        self.allowlist = allowlist
        self.on_refused = on_refused
        self.cdp = context.new_cdp_session(page)
        tree = self.cdp.send("Page.getFrameTree")
        self.main_frame_id = tree["frameTree"]["frame"]["id"]
        self.cdp.on("Fetch.requestPaused", self._paused)
        self.cdp.send("Fetch.enable", {"patterns": [
            {"urlPattern": "*", "resourceType": "Document", "requestStage": "Request"}]})

    def _paused(self, event: dict[str, Any]) -> None:
        request_id, url = event["requestId"], event["request"]["url"]
        main = event.get("frameId") == self.main_frame_id
        verdict = judge_document(self.allowlist, url)
        try:
            if verdict.allowed:
                self.cdp.send("Fetch.continueRequest", {"requestId": request_id})
                return
            assert verdict.refusal is not None
            self.cdp.send("Fetch.fulfillRequest", _fulfil_args(request_id, verdict.refusal,
                                                               frame=not main))
        except Exception:  # the page closed meanwhile: nothing left to guard
            log.debug("guard could not answer a paused request", exc_info=True)
            return
        if not url.startswith(REFUSAL_URL):
            log.info("browser: refused a %s document (%s)", "page" if main else "frame",
                     verdict.refusal.value if verdict.refusal else "")
            self.on_refused(verdict.refusal, main, self.page)


def route_documents(allowlist: Allowlist, on_refused: RefusalListener) -> Callable[[Any], None]:
    """The context route's handler: the first document of pop-ups (and of everything else,
    harmlessly a second time). Other requests pass untouched."""
    def handle(route: Any) -> None:
        request = route.request
        if not request.is_navigation_request():
            route.fallback()
            return
        verdict = judge_document(allowlist, request.url)
        if verdict.allowed:
            route.fallback()
            return
        assert verdict.refusal is not None
        route.fulfill(status=200, content_type="text/html; charset=utf-8",
                      body=refusal_page(verdict.refusal), headers={"Cache-Control": "no-store"})
        if not request.url.startswith(REFUSAL_URL):
            on_refused(verdict.refusal, True, None)
    return handle


def committed_verdict(allowlist: Allowlist, url: str) -> Verdict:
    """For a document that committed without a network request (data:, error pages)."""
    if url.startswith(ERROR_PAGE_PREFIX):
        return Verdict(Refusal.UNREACHABLE)
    return judge_document(allowlist, url)
