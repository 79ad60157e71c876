"""Bringing the site's catalogue bundle: the heartbeat reply names the catalogue version the
kiosk should have; when it is not the one the kiosk has, this fetches ``GET /api/v1/catalogue``
(asking for the bundle level this kiosk reads, kiosk_wire.bundle.BundleLevel)
and hands the signed bundle to ``offer`` (the runtime's: kiosk.practice.published checks the
signature and runs the checker, keeps it, and swaps it in between sessions).

A bundle ``offer`` refused is not fetched again for that version (its content would be the
same); a fetch that failed (network) is tried again at the next heartbeat. This module knows
nothing of procedures: sync/ never imports practice/.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from kiosk.sync.link import LinkError, ServerLink
from kiosk_wire.bundle import KIOSK_BUNDLE_LEVEL, SignedBundle

log = logging.getLogger(__name__)

PATH = f"/api/v1/catalogue?level={KIOSK_BUNDLE_LEVEL.value}"

# ``offer(signed)``: None when the bundle is taken, else the plain reason it was refused.
Offer = Callable[[SignedBundle], str | None]


class CatalogueSync:
    def __init__(self, link: ServerLink, offer: Offer, current: Callable[[], str],
                 dropped: Callable[[], list[str]] = list) -> None:
        self.link = link
        self.offer = offer
        self.current = current  # the version the kiosk has (or will swap in between sessions)
        self.dropped = dropped  # that bundle's parcours the kiosk does not offer (heartbeat)
        self.refused: dict[str, str] = {}  # version -> why
        self.last_error: str | None = None

    def on_reply(self, wanted: str | None, client: Any = None) -> bool:
        """After a heartbeat reply: fetch and offer the wanted version if the kiosk has another;
        True when a new bundle was taken."""
        if wanted is None or wanted == self.current() or wanted in self.refused:
            return False
        try:
            if client is None:
                with self.link.client() as own:
                    answer = ServerLink.call(own, "GET", PATH)
            else:
                answer = ServerLink.call(client, "GET", PATH)
            signed = SignedBundle.model_validate(answer)
        except (LinkError, ValueError) as err:
            self.last_error = str(err)
            log.info("catalogue bundle not fetched (tried again at the next heartbeat): %s", err)
            return False
        self.last_error = None
        why = self.offer(signed)
        if why is not None:
            self.refused[wanted] = why
            log.warning("catalogue %s refused, the kiosk keeps its catalogue: %s", wanted, why)
            return False
        return True
