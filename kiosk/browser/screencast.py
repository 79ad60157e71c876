"""The page as pictures: DevTools screencast frames of the page shown now.

Chromium sends a JPEG each time the page's picture changes (never when idle); each frame is
acknowledged at once, or Chromium stops sending. When a pop-up opens or closes, the
screencast follows the page on top. Frames go to ``on_frame(jpeg)`` in the browser's worker
thread; the screen decodes them there and hands only the pixels to the Kivy loop.
"""
from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from typing import Any

log = logging.getLogger(__name__)

FrameListener = Callable[[bytes], None]
JPEG_QUALITY = 80


class Screencast:
    def __init__(self, on_frame: FrameListener, size: tuple[int, int]) -> None:
        self.on_frame = on_frame
        self.size = size
        self._cdp: Any = None
        self.frames = 0

    def follow(self, context: Any, page: Any) -> None:
        """Send the frames of ``page`` from now on (and no longer those of the previous one)."""
        self.stop()
        cdp = context.new_cdp_session(page)
        cdp.on("Page.screencastFrame", lambda event: self._frame(cdp, event))
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

    def _frame(self, cdp: Any, event: dict[str, Any]) -> None:
        try:
            cdp.send("Page.screencastFrameAck", {"sessionId": event["sessionId"]})
        except Exception:  # noqa: BLE001 - closed meanwhile
            return
        if cdp is not self._cdp:
            return
        self.frames += 1
        try:
            self.on_frame(base64.b64decode(event["data"]))
        except Exception:
            log.exception("screencast frame listener failed")
