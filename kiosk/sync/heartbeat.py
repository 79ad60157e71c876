"""The kiosk's heartbeat: live status out, pushed settings and commands back.

Every ``sync.heartbeat_s`` the kiosk posts its state, current procedure and step, how long the
current session has lasted, device states, app version and queue length
(``kiosk_wire.schema.Heartbeat``; no personal data). The reply
(``HeartbeatReply``) carries:

- pushed settings: the idle timeout and warning go straight into the session core; the print
  quota, enabled procedures and banner are kept in ``pushed`` and handed to settings listeners
  (the UI, the print service); they are kept in the local store so a restart offline keeps them;
- commands (end session, out of order, back in service), applied on the UI thread through the
  injected ``schedule(fn, delay)`` and confirmed in the next heartbeat (``acked_commands``). A
  command
  id is applied at most once, even if the server sends it again before it hears the confirmation,
  and even across a restart: the ids applied but not yet confirmed are written to the local store
  (``APPLIED_KV_KEY``) *before* the command runs, reloaded at start and confirmed by the first
  heartbeat, then forgotten once the server has recorded the confirmation. Without that, a kiosk
  restarted between applying "end session" and confirming it would end the NEXT resident's session;
  the price is "at most once": a crash between writing the id and running the command loses it
  (the mediator sees the kiosk's real state and can send it again);
- help request statuses, passed to the help desk (a mediator answered "J'arrive");
- the catalogue version the kiosk should have: kiosk.sync.catalogue fetches that bundle when
  the kiosk has another one (the heartbeat says which one it has).

The network runs in a background thread; nothing here touches the session core outside
``schedule``. ``beat_once()`` is synchronous for tests.
"""
from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kiosk import __version__, update_state
from kiosk.scheduling import Schedule, run_now
from kiosk.sessions.state import InvalidTransition, SessionState
from kiosk.storage import LocalStore, StoreError
from kiosk.sync.catalogue import CatalogueSync
from kiosk.sync.help import HelpDesk
from kiosk.sync.link import LinkError, ServerLink
from kiosk.update_pin import PinRequester
from kiosk_wire.bundle import KIOSK_BUNDLE_LEVEL
from kiosk_wire.schema import (
    Command,
    CommandKind,
    Device,
    DeviceBackend,
    DeviceState,
    EndReason,
    Heartbeat,
    HeartbeatReply,
    KioskState,
    OfficialSite,
    PushedSettings,
)

log = logging.getLogger(__name__)

PUSHED_KV_KEY = "heartbeat.pushed_settings"
APPLIED_KV_KEY = "heartbeat.unconfirmed_commands"
MAX_ACKS_PER_BEAT = 100  # the schema's bound on Heartbeat.acked_commands; the rest go next time
IN_SESSION_STATES = frozenset({KioskState.ACTIVE, KioskState.IDLE_WARNING, KioskState.ENDING})
MAX_SESSION_SECONDS = 86_400  # the schema's bound; a longer session is shown as "1 day"
SettingsListener = Callable[[PushedSettings], None]
# (seconds the UI loop has not turned, restarts since boot), either unknown as None.
Liveness = Callable[[], tuple[int | None, int | None]]
# The allowlist key of the official site the kiosk's browser shows now, or None.
BrowsingSite = Callable[[], str | None]


class HeartbeatClient:
    def __init__(
        self,
        core: Any,
        link: ServerLink | None,
        *,
        interval_s: float = 30.0,
        schedule: Schedule | None = None,
        device_states: Callable[[], dict[str, str]] | None = None,
        device_backends: Callable[[], dict[str, str]] | None = None,
        position: Callable[[], tuple[str | None, int | None]] | None = None,
        queue_length: Callable[[], int] | None = None,
        help_desk: HelpDesk | None = None,
        app_version: str = __version__,
        liveness: Liveness | None = None,
        official_site: BrowsingSite | None = None,
        update_state_file: Path = update_state.STATE_FILE,
        catalogue: CatalogueSync | None = None,
        dpkg_status: Path = update_state.DPKG_STATUS,
        pin_requester: PinRequester | None = None,
    ) -> None:
        self.core = core
        self.link = link
        self.interval_s = interval_s
        self.schedule: Schedule = schedule or run_now
        self.device_states = device_states
        self.device_backends = device_backends
        self.position = position
        self.queue_length = queue_length
        self.help_desk = help_desk
        self.app_version = app_version
        self.liveness = liveness
        self.official_site = official_site
        self.update_state_file = update_state_file
        self.catalogue = catalogue  # the site's catalogue bundle, fetched when the reply asks
        self.dpkg_status = dpkg_status
        self.pin_requester = pin_requester
        self.pushed = self._load_pushed()
        self.last_reply: HeartbeatReply | None = None
        self.last_error: str | None = None
        # Seconds the server asked to wait (429/503 with Retry-After), until a heartbeat passes.
        self.retry_after: float | None = None
        self.rng = random.Random()
        self._settings_listeners: list[SettingsListener] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._owner = threading.current_thread()
        self._local = threading.local()  # the heartbeat thread's own store connection
        # Command ids applied or being applied whose confirmation the server has not recorded:
        # kept in the local store too, so that a restart does not apply them again.
        unconfirmed = self._load_unconfirmed()
        self._applied: set[int] = set(unconfirmed)   # command ids applied (never applied twice)
        self._to_ack: set[int] = set(unconfirmed)    # applied, confirmation not yet recorded
        self._applying: set[int] = set()             # written down, running on the UI thread
        if self.pushed != PushedSettings():
            self._apply_idle(self.pushed)

    def add_settings_listener(self, listener: SettingsListener) -> None:
        self._settings_listeners.append(listener)

    # --- one heartbeat -----------------------------------------------------------------------
    def status(self) -> Heartbeat:
        """What this heartbeat says (read from the UI thread's objects; simple reads only)."""
        state = KioskState(getattr(self.core.state, "value", self.core.state))
        procedure_id, step = (None, None)
        if self.position is not None and state in (KioskState.ACTIVE, KioskState.IDLE_WARNING):
            procedure_id, step = self.position()
        devices: dict[Device, DeviceState] = {}
        backends: dict[Device, DeviceBackend] = {}
        try:
            if self.device_states is not None:
                devices = {Device(k): DeviceState(v) for k, v in self.device_states().items()}
            if self.device_backends is not None:
                backends = {Device(k): DeviceBackend(v)
                            for k, v in self.device_backends().items()}
        except Exception:  # a device layer error must not stop the heartbeat
            log.exception("device states unavailable for the heartbeat")
        with self._lock:
            acked = sorted(self._to_ack)[:MAX_ACKS_PER_BEAT]
        # Read here, on the heartbeat thread: it keeps running when the UI loop is frozen.
        stalled, restarts = self.liveness() if self.liveness is not None else (None, None)
        update, tried = update_state.read(self.update_state_file)
        return Heartbeat(
            official_site=self._official_site(state),
            state=state, procedure_id=procedure_id, step=step, devices=devices,
            device_backends=backends,
            app_version=self.app_version,
            queue_length=self._queue_length(),
            session_seconds=self._session_seconds(state),
            ui_stalled_s=stalled, restarts=restarts, update_state=update,
            update_tried=tried if update is not None else None,
            catalogue_version=self.catalogue.current() if self.catalogue else None,
            bundle_level=KIOSK_BUNDLE_LEVEL.value if self.catalogue else None,
            parcours_dropped=self.catalogue.dropped()[:50] if self.catalogue else [],
            package_version=update_state.installed_version(self.dpkg_status),
            acked_commands=acked,
            help_requests=self.help_desk.pending_request_ids() if self.help_desk else [],
        )

    def _official_site(self, state: KioskState) -> OfficialSite | None:
        """The site key the browser shows, in session only (a key: never an address)."""
        if self.official_site is None or state not in IN_SESSION_STATES:
            return None
        try:
            key = self.official_site()
            return OfficialSite(key) if key is not None else None
        except ValueError:  # a key the wire does not know: say nothing rather than fail
            log.warning("browser site key unknown to the wire schema")
            return None

    def _session_seconds(self, state: KioskState) -> int | None:
        """How long the current session has lasted, from the core's injected clock (monotonic:
        a wall clock set back or forward during a session does not change it)."""
        session = getattr(self.core, "session", None)
        if session is None or state not in IN_SESSION_STATES:
            return None
        elapsed = self.core.clock.monotonic() - session.started_mono
        return min(MAX_SESSION_SECONDS, max(0, int(elapsed)))

    def _thread_store(self) -> LocalStore | None:
        """The local store through a connection this thread may use (SQLite connections are
        not shared between threads); None without a store, or for an in-memory store seen from
        another thread. Raises StoreError when it cannot be opened."""
        store = getattr(self.core, "store", None)
        if store is None or threading.current_thread() is self._owner:
            return store
        if str(store.path) == ":memory:":
            return None
        own = getattr(self._local, "store", None)
        if own is None:
            own = self._local.store = LocalStore(store.path)
        return own

    def _queue_length(self) -> int:
        if self.queue_length is not None:
            return self.queue_length()
        try:
            store = self._thread_store()
            return 0 if store is None else int(store.queue_length())
        except StoreError as err:
            log.warning("queue length unavailable: %s", err)
            return 0

    def beat_once(self, client: Any = None) -> HeartbeatReply | None:
        """Post one heartbeat and apply its reply; None when the server was not reached."""
        if self.link is None:
            return None
        beat = self.status()
        try:
            if client is None:
                with self.link.client() as own:
                    answer = ServerLink.call(own, "POST", "/api/v1/heartbeat",
                                             beat.model_dump(mode="json"))
            else:
                answer = ServerLink.call(client, "POST", "/api/v1/heartbeat",
                                         beat.model_dump(mode="json"))
            reply = HeartbeatReply.model_validate(answer)
        except (LinkError, ValueError) as err:
            self.last_error = str(err)
            self.retry_after = getattr(err, "retry_after", None)
            log.info("heartbeat failed: %s", err)
            return None
        self.last_error = None
        self.retry_after = None
        self.last_reply = reply
        if beat.acked_commands:
            with self._lock:
                self._to_ack -= set(beat.acked_commands)  # the server has recorded them
                self._save_unconfirmed()
        self.schedule(lambda: self.apply(reply), 0)
        if self.pin_requester is not None:  # here, on the heartbeat thread: a file write
            self.pin_requester.consider(
                reply.settings.pinned_version, beat.package_version,
                in_session=beat.state in IN_SESSION_STATES,
                last_update=(beat.update_state, beat.update_tried))
        if self.catalogue is not None:  # here, on the network thread: the checker takes time
            try:
                self.catalogue.on_reply(reply.catalogue_version, client)
            except Exception:
                log.exception("catalogue bundle not taken")
        return reply

    # --- applying a reply (UI thread) ----------------------------------------------------------
    def apply(self, reply: HeartbeatReply) -> None:
        if reply.settings != self.pushed:
            self.pushed = reply.settings
            self._apply_idle(reply.settings)
            self._save_pushed(reply.settings)
            for listener in list(self._settings_listeners):
                try:
                    listener(reply.settings)
                except Exception:
                    log.exception("pushed settings listener failed")
        for command in reply.commands:
            self._apply_command(command)
        if self.help_desk is not None and reply.help_requests:
            self.help_desk.on_statuses(reply.help_requests)

    def _apply_idle(self, pushed: PushedSettings) -> None:
        if pushed.idle_timeout_s is not None:
            self.core.idle.timeout_s = float(pushed.idle_timeout_s)
        if pushed.idle_warning_s is not None:
            self.core.idle.warning_s = float(pushed.idle_warning_s)

    def _apply_command(self, command: Command) -> None:
        with self._lock:
            if command.id in self._applied:
                # Confirm again: the last confirmation may have been lost (or, after a restart,
                # never sent). Not while it is still running: it is confirmed when done.
                if command.id not in self._applying and command.id not in self._to_ack:
                    self._to_ack.add(command.id)
                    self._save_unconfirmed()
                return
            self._applied.add(command.id)
            self._applying.add(command.id)
            self._save_unconfirmed()  # written down before it runs: never twice, even restarted
        try:
            if command.kind is CommandKind.END_SESSION:
                if self.core.in_session:
                    self.core.end(EndReason.REMOTE, offer_survey=False)
                elif self.core.state is SessionState.ENDING:
                    self.core.complete(None)
            elif command.kind is CommandKind.OUT_OF_ORDER:
                self.core.set_out_of_order(EndReason.REMOTE)
            elif command.kind is CommandKind.BACK_IN_SERVICE and self.core.state in (
                    SessionState.OUT_OF_ORDER, SessionState.MAINTENANCE):
                self.core.back_in_service()
            log.info("remote command %d applied: %s", command.id, command.kind.value)
        except (InvalidTransition, RuntimeError) as err:
            # Confirmed anyway: the server must not resend a command that cannot apply now.
            log.warning("remote command %d (%s) not applicable: %s", command.id,
                        command.kind.value, err)
        with self._lock:
            self._applying.discard(command.id)
            self._to_ack.add(command.id)

    # --- persistence of applied commands --------------------------------------------------------
    def _load_unconfirmed(self) -> set[int]:
        store = getattr(self.core, "store", None)
        if store is None:
            return set()
        try:
            raw = store.kv_get(APPLIED_KV_KEY, []) or []
            return {int(i) for i in raw if isinstance(i, int) and not isinstance(i, bool)}
        except (StoreError, TypeError, ValueError) as err:  # damaged: start from none
            log.warning("applied commands not readable from the local store: %s", err)
            return set()

    def _save_unconfirmed(self) -> None:
        """Write the applied-but-unconfirmed ids (call with ``self._lock`` held, so two threads
        never write an older set over a newer one)."""
        try:
            store = self._thread_store()
            if store is not None:
                store.kv_set(APPLIED_KV_KEY, sorted(self._to_ack | self._applying))
        except Exception:
            # The command still runs at most once in this process; only a restart could repeat it.
            log.exception("cannot keep applied commands in the local store")

    # --- persistence of pushed settings ---------------------------------------------------------
    def _load_pushed(self) -> PushedSettings:
        store = getattr(self.core, "store", None)
        if store is None:
            return PushedSettings()
        try:
            return PushedSettings.model_validate(store.kv_get(PUSHED_KV_KEY, {}) or {})
        except (StoreError, ValueError):  # an old or damaged value: start from none
            return PushedSettings()

    def _save_pushed(self, pushed: PushedSettings) -> None:
        store = getattr(self.core, "store", None)
        if store is not None:
            try:
                store.kv_set(PUSHED_KV_KEY, pushed.model_dump(mode="json", exclude_none=True))
            except Exception:
                log.exception("cannot keep pushed settings in the local store")

    # --- background thread --------------------------------------------------------------------
    def start(self) -> None:
        if self._thread is not None or self.link is None:
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="kiosk-heartbeat", daemon=True)
        self._thread.start()

    def next_delay(self) -> float:
        """Seconds until the next heartbeat: the interval, or longer when the server asked
        (Retry-After of a 429/503), plus up to half of that at random so that kiosks refused
        together (a storm after an outage) do not all come back in the same second."""
        if self.retry_after is None:
            return self.interval_s
        return max(self.interval_s, self.retry_after) * self.rng.uniform(1.0, 1.5)

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        assert self.link is not None
        try:
            with self.link.client() as client:
                while not self._stop.is_set():
                    try:
                        self.beat_once(client)
                    except Exception:
                        log.exception("heartbeat failed")
                    self._stop.wait(self.next_delay())
        finally:
            own = getattr(self._local, "store", None)
            if own is not None:
                own.close()
                self._local.store = None
