"""Secrets never printed nor logged: settings marked ``secret`` (tokens, keys, PIN hashes) and
the password inside any URL (``postgresql://kiosk:pw@db/stats`` -> ``kiosk:********@``).

:func:`mask_url` for one URL; :class:`MaskingFilter` on every log handler, so that no log line
(ours, a library's, an exception text with a URL in it) carries a secret of the settings.
"""
from __future__ import annotations

import logging
import re
from collections.abc import Iterable

MASK = "********"
# scheme://user:password@  (the password may hold anything but '@' and '/')
_URL_PASSWORD = re.compile(r"(?P<head>[a-zA-Z][a-zA-Z0-9+.-]*://[^:/@\s]*:)(?P<pw>[^@/\s]+)(?=@)")


def mask_url(text: str) -> str:
    """``text`` with the password of every URL in it replaced by the mask."""
    return _URL_PASSWORD.sub(lambda m: m.group("head") + MASK, text)


def mask(text: str, secrets: Iterable[str]) -> str:
    """``text`` with URL passwords and each of ``secrets`` (non-empty) masked."""
    for secret in sorted({s for s in secrets if s and len(s) >= 4}, key=len, reverse=True):
        text = text.replace(secret, MASK)
    return mask_url(text)


class MaskingFilter(logging.Filter):
    """Rewrites each record's message with the secrets masked (installed on handlers)."""

    def __init__(self, secrets: Iterable[str] = ()) -> None:
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        masked = mask(message, self.secrets)
        if masked != message:
            record.msg, record.args = masked, None
        if record.exc_text:
            record.exc_text = mask(record.exc_text, self.secrets)
        return True
