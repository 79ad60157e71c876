"""How the runtime opens each of its parts: a part that cannot open is logged once and comes
back as None, so its feature is hidden or shown as unavailable, never faked.

Each part's module is imported here on first use (the welcome screen's first frame needs none
of them). :class:`kiosk.runtime.KioskRuntime` calls these once, just after that frame.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from kiosk.scheduling import Schedule
from kiosk_wire.config import Settings

if TYPE_CHECKING:
    from kiosk.devices import Devices
    from kiosk.documents.session_documents import DocumentDesk
    from kiosk.practice.catalogue import Catalogue
    from kiosk.sessions.badges import BadgeRegistry
    from kiosk.sessions.core import SessionCore
    from kiosk.sync import BrowsingSite, CatalogueHolder, Liveness, ServerConnection

log = logging.getLogger(__name__)


def devices_or_none(settings: Settings, schedule: Schedule) -> Devices | None:
    from kiosk.devices import open_devices

    try:
        return open_devices(settings, schedule)
    except Exception:
        log.exception("devices could not be opened; scan, print and badge are hidden")
        return None


def document_desk_or_none(settings: Settings, core: SessionCore,
                          devices: Devices | None) -> DocumentDesk | None:
    """Scan and print services plus the session's documents (kiosk.documents)."""
    if devices is None:
        return None
    from kiosk.documents.session_documents import DocumentDesk

    try:
        return DocumentDesk(core, devices.scanner, devices.printer,
                            settings.get("devices.print_quota_pages"),
                            settings.get("devices.scan_dpi"))
    except Exception:
        log.exception("document services could not be opened; scan and print are hidden")
        return None


def badges_or_none(settings: Settings, core: SessionCore) -> BadgeRegistry | None:
    if core.store is None:
        return None
    from kiosk.sessions.badges import BadgeRegistry, badge_key_path

    try:
        return BadgeRegistry(core.store, badge_key_path(settings.data_dir))
    except Exception:
        log.exception("badge registry could not be opened; PIN only")
        return None


def connection_or_none(settings: Settings, core: SessionCore, schedule: Schedule,
                       devices: Devices | None, liveness: Liveness,
                       catalogue: CatalogueHolder | None,
                       official_site: BrowsingSite) -> ServerConnection | None:
    """The server connection, started (sync, heartbeat, help desk)."""
    from kiosk.sync import connect

    states = devices.states if devices is not None else None
    backends = devices.backends if devices is not None else None
    try:
        connection = connect(settings, core, schedule=schedule,
                             device_states=states, device_backends=backends,
                             liveness=liveness, catalogue=catalogue,
                             official_site=official_site)
        connection.start()
        return connection
    except Exception:
        log.exception("the server connection could not be started; records stay queued "
                      "locally and help shows 'go to the desk'")
        return None


def catalogue_or_none(settings: Settings) -> Catalogue | None:
    """The shipped practice catalogue (it reads and checks every procedure)."""
    from kiosk.practice import load_catalogue

    try:
        return load_catalogue(settings)
    except Exception:
        log.exception("practice catalogue could not be loaded; practice tile hidden")
        return None
