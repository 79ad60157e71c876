"""The page as pictures: DevTools screencast frames of the page shown now.

Chromium sends a JPEG each time the page's picture changes (never when idle); each frame is
acknowledged at once, or Chromium stops sending. When a pop-up opens or closes, the
screencast follows the page on top. Frames go to ``on_frame(jpeg)`` in the browser's worker
thread; the screen decodes them there and hands only the pixels to the Kivy loop.

Chromium's own error page (in English, with a « Reload » that would fail again) is never sent:
the kiosk replaces it with its refusal page (kiosk/browser/pages.py), and nothing is shown in
between. The screencast learns of each commit on its own DevTools session, in order with its
frames; but pictures are captured behind the page, so a frame arriving after the refusal page
committed may still show the error page. After an error page, frames are therefore withheld
until one shows the refusal page's top band (no error page has it).
"""
from __future__ import annotations

import base64
import enum
import io
import logging
from collections.abc import Callable
from typing import Any

from kiosk.browser.guard import ERROR_PAGE_PREFIX, REFUSAL_URL
from kiosk.browser.refusal import BAND_PX, BAND_RGB

log = logging.getLogger(__name__)

FrameListener = Callable[[bytes], None]
JPEG_QUALITY = 80
BAND_TOLERANCE = 48  # JPEG moves colours a little; the error page is white or grey there


class Showing(enum.Enum):
    """What the frames arriving now may show."""
    PAGE = "page"                    # the page on top: sent
    ERROR_PAGE = "error page"        # Chromium's error page: withheld
    REFUSAL_COMING = "refusal page coming"  # committed, but a frame may be the error page's


def is_error_page(frame: dict[str, Any]) -> bool:
    """Whether a DevTools ``Page.Frame`` is Chromium's page for a load that failed."""
    return str(frame.get("url", "")).startswith(ERROR_PAGE_PREFIX) \
        or bool(frame.get("unreachableUrl"))


def shows_refusal_band(jpeg: bytes) -> bool:
    """Whether a picture's top rows are the refusal page's band, left, middle and right."""
    from PIL import Image

    encoded = Image.open(io.BytesIO(jpeg))
    full_height = encoded.height
    encoded.draft("RGB", (encoded.width // 4, encoded.height // 4))  # decode small: fast
    picture = encoded.convert("RGB")
    y = BAND_PX // 2 * picture.height // max(full_height, 1)  # the band's middle row
    for x in (picture.width // 8, picture.width // 2, picture.width * 7 // 8):
        pixel = picture.getpixel((x, y))
        if not isinstance(pixel, tuple) or max(
                abs(a - b) for a, b in zip(pixel, BAND_RGB, strict=True)) > BAND_TOLERANCE:
            return False
    return True


class Screencast:
    def __init__(self, on_frame: FrameListener, size: tuple[int, int]) -> None:
        self.on_frame = on_frame
        self.size = size
        self._cdp: Any = None
        self.frames = 0
        self.withheld = 0
        self.showing = Showing.PAGE

    def follow(self, context: Any, page: Any) -> None:
        """Send the frames of ``page`` from now on (and no longer those of the previous one)."""
        self.stop()
        self.showing = Showing.ERROR_PAGE if str(page.url).startswith(ERROR_PAGE_PREFIX) \
            else Showing.PAGE
        cdp = context.new_cdp_session(page)
        cdp.on("Page.frameNavigated", lambda event: self._committed(cdp, event))
        cdp.on("Page.screencastFrame", lambda event: self._frame(cdp, event))
        cdp.send("Page.enable")
        width, height = self.size
        cdp.send("Page.startScreencast", {"format": "jpeg", "quality": JPEG_QUALITY,
                                          "maxWidth": width, "maxHeight": height})
        self._cdp = cdp

    def stop(self) -> None:
        cdp, self._cdp = self._cdp, None
        if cdp is not None:
            try:
                cdp.send("Page.stopScreencast")
                cdp.detach()
            except Exception:
                log.debug("screencast stop on a closed page", exc_info=True)

    def _committed(self, cdp: Any, event: dict[str, Any]) -> None:
        frame = event.get("frame", {})
        if cdp is not self._cdp or frame.get("parentId"):  # not the page's own document
            return
        if is_error_page(frame):
            self.showing = Showing.ERROR_PAGE
        elif self.showing is not Showing.PAGE and str(frame.get("url", "")).startswith(
                REFUSAL_URL):
            self.showing = Showing.REFUSAL_COMING
        else:  # another page (Back from the error page): a stale frame is possible, but rare
            self.showing = Showing.PAGE

    def _frame(self, cdp: Any, event: dict[str, Any]) -> None:
        try:
            cdp.send("Page.screencastFrameAck", {"sessionId": event["sessionId"]})
        except Exception:  # noqa: BLE001 - closed meanwhile
            return
        if cdp is not self._cdp:
            return
        jpeg = base64.b64decode(event["data"])
        if self.showing is Showing.REFUSAL_COMING and shows_refusal_band(jpeg):
            self.showing = Showing.PAGE
        if self.showing is not Showing.PAGE:
            self.withheld += 1
            return
        self.frames += 1
        try:
            self.on_frame(jpeg)
        except Exception:
            log.exception("screencast frame listener failed")
