"""The kiosk's link to the central server, built in one place: :func:`connect`.

- :mod:`kiosk.sync.link`: where the server is (``ServerLink``, checked settings) and one request.
- :mod:`kiosk.sync.outbox`: the outbox reader, sending queued session records (``SyncClient``).
- :mod:`kiosk.sync.heartbeat`: the heartbeat, bringing back pushed settings, commands and help
  acknowledgements (``HeartbeatClient``).
- :mod:`kiosk.sync.help`: the resident's help request and its status (``HelpDesk``).
- :mod:`kiosk.sync.catalogue`: the site's catalogue bundle, fetched when the heartbeat reply
  names another version than the kiosk's (``CatalogueSync``).
- :mod:`kiosk.sync.https_client`: the HTTP client (standard library), loaded only with a server.

Data flows one way: the session core queues records in the local store; this package reads them
and sends them. The server reaches the kiosk only through the replies to the kiosk's own requests.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from kiosk.scheduling import Schedule
from kiosk.sessions.state import SessionState
from kiosk.sync.help import HelpDesk, Position
from kiosk_wire.bundle import SignedBundle
from kiosk_wire.config import Settings

if TYPE_CHECKING:  # the HTTP stack is imported only when a server is configured
    from kiosk.sessions.core import SessionCore
    from kiosk.sync.heartbeat import HeartbeatClient
    from kiosk.sync.outbox import SyncClient

log = logging.getLogger(__name__)

DeviceStates = Callable[[], dict[str, str]]
# (seconds the UI loop has not turned, restarts since boot) for the heartbeat (kiosk/watchdog.py).
Liveness = Callable[[], tuple[int | None, int | None]]
# The allowlist key of the official site the browser shows now (kiosk/browser), or None.
BrowsingSite = Callable[[], str | None]


class CatalogueHolder(Protocol):
    """What keeps the kiosk's catalogue bundle (kiosk.practice.published.BundleKeeper)."""

    def version(self) -> str: ...
    def offer(self, signed: SignedBundle) -> str | None: ...
    def dropped_parcours(self) -> list[str]: ...


@dataclass
class ServerConnection:
    """The kiosk's three links to the server. Without a server (``sync.server_url`` empty) only
    the help desk exists: records stay queued locally and help requests say "go to the desk"."""

    help_desk: HelpDesk
    sync: SyncClient | None = None
    heartbeat: HeartbeatClient | None = None

    @property
    def enabled(self) -> bool:
        return self.heartbeat is not None

    def start(self) -> None:
        if self.sync is not None:
            self.sync.start()
        if self.heartbeat is not None:
            self.heartbeat.start()

    def stop(self) -> None:
        if self.heartbeat is not None:
            self.heartbeat.stop()
        if self.sync is not None:
            self.sync.stop()
        self.help_desk.stop()


def connect(settings: Settings, core: SessionCore, schedule: Schedule | None = None,
            device_states: DeviceStates | None = None, position: Position | None = None,
            device_backends: DeviceStates | None = None,
            liveness: Liveness | None = None,
            catalogue: CatalogueHolder | None = None,
            official_site: BrowsingSite | None = None) -> ServerConnection:
    """Sync, heartbeat and help desk for a session core, not started (call ``start()``).

    Pass the UI's ``schedule``: without it, replies are applied on the network threads.
    ``catalogue``: what takes the site's catalogue bundles (kiosk.practice.published), used
    when ``sync.catalogue_public_key`` is set.
    Raises :class:`~kiosk.sync.link.SyncConfigError` for unusable sync settings.
    """
    if not settings.get("sync.server_url").strip():  # no server: no HTTP stack to load
        return ServerConnection(HelpDesk(core, None, schedule=schedule, position=position))
    from kiosk.sync.heartbeat import HeartbeatClient
    from kiosk.sync.link import ServerLink
    from kiosk.sync.outbox import SyncClient
    from kiosk.update_pin import PinRequester

    link = ServerLink.from_settings(settings)
    if schedule is None:
        log.warning("no UI scheduler given: server commands will be applied from the "
                    "heartbeat thread")
    help_desk = HelpDesk(core, link, schedule=schedule, position=position,
                         poll_interval_s=float(settings.get("sync.help_poll_s")))
    sync = None
    if core.store is not None:
        sync = SyncClient(core.store, link, batch_size=settings.get("sync.batch_size"),
                          interval_s=settings.get("sync.interval_s"))
        outbox = sync

        def wake_on_end(old: SessionState, new: SessionState) -> None:
            if new is SessionState.IDLE and old is SessionState.ENDING:
                outbox.wake()  # the record just queued reaches the server well within an interval
        core.add_listener(wake_on_end)
    bundles = None
    if catalogue is not None and link is not None:
        from kiosk.sync.catalogue import CatalogueSync

        bundles = CatalogueSync(link, catalogue.offer, catalogue.version,
                                catalogue.dropped_parcours)
    heartbeat = HeartbeatClient(core, link, interval_s=settings.get("sync.heartbeat_s"),
                                schedule=schedule, device_states=device_states,
                                device_backends=device_backends, position=position,
                                help_desk=help_desk, liveness=liveness, catalogue=bundles,
                                official_site=official_site,
                                pin_requester=PinRequester(Path(settings.get("kiosk.data_dir"))))
    return ServerConnection(help_desk, sync, heartbeat)
