"""The session core: the state machine, inactivity, the wipe guarantee, the record.

No Kivy here. The UI calls :meth:`SessionCore.touch` on every input and :meth:`SessionCore.tick`
about once a second (from the Kivy clock); tests drive a :class:`ManualClock` instead.

Wipe guarantee: everything a session creates is registered (files in its private workspace,
artefacts such as print jobs, typed values in memory) and destroyed at the end. A journal on
disk describes each live session, so after a crash :meth:`recover` destroys every leftover and
queues that session's record (``crash_recovered``) exactly once, before any new session starts.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import datetime as dt
import gc
import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.sessions.clock import Clock, SystemClock
from kiosk.sessions.journal import Journal, JournalEntry
from kiosk.sessions.session import Session, WipeSummary, build_record
from kiosk.sessions.state import ALLOWED, IN_SESSION, InvalidTransition, SessionState
from kiosk.sessions.workspace import (
    FILE,
    Artefact,
    ArtefactLabel,
    Disposers,
    Workspace,
    sweep_orphans,
)
from kiosk.storage import LocalStore, StoreError
from kiosk_wire.schema import Accessibility, Activity, ActivityKind, EndReason, Language, Survey

log = logging.getLogger(__name__)

Listener = Callable[[SessionState, SessionState], None]

# After the end screen has shown this long without a touch, the survey is skipped.
SURVEY_IDLE_FACTOR = 2


@dataclass
class IdlePolicy:
    timeout_s: float = 180.0
    warning_s: float = 30.0


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, or None elsewhere (musl, macOS: nothing to call)."""
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
        return libc.malloc_trim if libc is not None else None
    except (OSError, AttributeError):
        return None


_MALLOC_TRIM = _malloc_trim()


def trim_freed_memory() -> None:
    """Give the memory a finished session freed back to the system.

    A kiosk runs for weeks, one session after another. What a session's documents, decoded
    images and typed values allocated is freed at the wipe, but glibc keeps freed heap pages for
    reuse, so the process's resident memory would only ever grow to its busiest session's
    high-water mark; ``malloc_trim(0)`` hands the free pages back (a fraction of a millisecond).
    Best effort: never lets the wipe fail."""
    try:
        if _MALLOC_TRIM is not None:
            _MALLOC_TRIM(0)
    except Exception:
        log.debug("returning freed memory failed", exc_info=True)


def return_freed_memory() -> None:
    """A full collection first (the reference cycles of a finished session's widgets), then
    :func:`trim_freed_memory`. The collection costs in proportion to everything the process holds
    (~50 ms in the kiosk app, a second in a long test run): the app calls this once the welcome
    screen's frame is shown, the core alone only trims."""
    try:
        gc.collect()
    except Exception:
        log.debug("collection failed", exc_info=True)
    trim_freed_memory()


class SessionCore:
    def __init__(
        self,
        store: LocalStore | None,
        journal_dir: Path,
        workspace_root: Path,
        clock: Clock | None = None,
        idle: IdlePolicy | None = None,
        default_language: Language = Language.FR,
    ) -> None:
        self.store = store
        self.journal = Journal(journal_dir)
        self.workspace_root = workspace_root
        self.clock: Clock = clock or SystemClock()
        self.idle = idle or IdlePolicy()
        self.default_language = default_language
        self.disposers = Disposers()
        self.state = SessionState.IDLE
        self.session: Session | None = None
        self.last_summary: WipeSummary | None = None
        self.last_end_reason: EndReason | None = None  # the welcome screen says "closed by idle"
        self._listeners: list[Listener] = []
        self._end_hooks: list[Callable[[], None]] = []
        self._last_touch = self.clock.monotonic()
        self._warning_deadline: float | None = None
        self._pending_end: tuple[Session, EndReason, float] | None = None
        # Records that could not be queued (store unwritable): kept and retried, never dropped.
        self.unqueued: list[tuple[str, dict[str, Any]]] = []
        # Called once a session is over and the kiosk idle again; the app replaces it with a
        # full collection deferred past the welcome screen's frame (return_freed_memory).
        self.release_memory: Callable[[], None] = trim_freed_memory
        self.faults: list[str] = []

    # --- state --------------------------------------------------------------------------------
    def add_listener(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def add_end_hook(self, hook: Callable[[], None]) -> None:
        """``hook()`` runs at the start of :meth:`end`, while the session is still in progress,
        so work left half-way (a practice run) can still add its activity before the wipe."""
        self._end_hooks.append(hook)

    def _set_state(self, new: SessionState) -> None:
        """The one place the state changes; listeners hear every change."""
        old = self.state
        if new == old:
            return
        if new not in ALLOWED[old]:
            raise InvalidTransition(old, new)
        self.state = new
        for listener in list(self._listeners):
            try:
                listener(old, new)
            except Exception:  # a broken screen must not break the session core
                log.exception("session listener failed on %s -> %s", old.value, new.value)

    @property
    def in_session(self) -> bool:
        return self.state in IN_SESSION

    # --- start ---------------------------------------------------------------------------------
    def start(self, language: Language | None = None) -> Session:
        if self.state is not SessionState.IDLE:
            raise InvalidTransition(self.state, SessionState.ACTIVE)
        session = Session.new(self.workspace_root, self.clock.now(), self.clock.monotonic(),
                              language or self.default_language)
        self._journal(session)  # before any file exists, so recovery always knows of them
        session.workspace.create()
        self.session = session
        self._last_touch = self.clock.monotonic()
        self._warning_deadline = None
        self._set_state(SessionState.ACTIVE)
        return session

    def _journal(self, session: Session) -> None:
        entry = JournalEntry(
            session_id=session.session_id,
            event_id=session.event_id,
            started_at=session.started_at.isoformat(),
            workspace=str(session.workspace.path),
            language=session.language.value,
            accessibility=sorted(a.value for a in session.accessibility),
            artefacts=[a.to_json() for a in session.artefacts],
            activities=[a.model_dump(mode="json") for a in session.activities],
            help_requests=session.help_requests,
            last_seen=self.clock.now().isoformat(),
            site_seconds=dict(session.site_seconds),
        )
        try:
            self.journal.write(entry)
        except OSError as err:
            # Files are RAM-backed and still wiped at the end; only crash recovery is weakened.
            self._fault(f"session journal not writable: {err}")

    def _fault(self, message: str) -> None:
        log.error(message)
        if message not in self.faults:
            self.faults.append(message)

    # --- what a session holds -----------------------------------------------------------------
    def _require_session(self) -> Session:
        if self.session is None or not self.in_session:
            raise RuntimeError("no session in progress")
        return self.session

    def new_file(self, suffix: str = "", label: str = ArtefactLabel.DOCUMENT) -> Path:
        """A private file for this session (0600), registered for wipe."""
        session = self._require_session()
        path = session.workspace.new_file(suffix)
        self.register(Artefact(FILE, str(path), label))
        return path

    def register(self, artefact: Artefact) -> None:
        session = self._require_session()
        session.artefacts.append(artefact)
        self._journal(session)

    def remember(self, key: str, value: Any) -> None:
        """Keep something the resident typed, in memory only, until the session ends."""
        self._require_session().values[key] = value

    def recall(self, key: str, default: Any = None) -> Any:
        return self.session.values.get(key, default) if self.session else default

    def add_activity(self, activity: Activity) -> None:
        session = self._require_session()
        session.activities.append(activity)
        if activity.kind is ActivityKind.HELP:
            session.help_requests += 1
        self._journal(session)

    def add_site_time(self, site_key: str, seconds: float) -> None:
        """Time spent on an official site in the kiosk's browser (allowlist key only)."""
        session = self._require_session()
        session.site_seconds[site_key] = session.site_seconds.get(site_key, 0.0) + seconds
        self._journal(session)  # a crash keeps it too (the browser's thread may call this)

    def set_language(self, language: Language) -> None:
        if self.session is not None and self.in_session:
            self.session.language = language
            self._journal(self.session)
        else:
            self.default_language = language

    def set_accessibility(self, options: set[Accessibility]) -> None:
        session = self._require_session()
        session.accessibility = set(options)
        self._journal(session)

    # --- inactivity ----------------------------------------------------------------------------
    def touch(self) -> None:
        """Any input from the resident."""
        self._last_touch = self.clock.monotonic()
        if self.state is SessionState.IDLE_WARNING:
            self._warning_deadline = None
            self._set_state(SessionState.ACTIVE)

    def warning_remaining(self) -> float:
        if self._warning_deadline is None:
            return 0.0
        return max(0.0, self._warning_deadline - self.clock.monotonic())

    def tick(self) -> None:
        """Advance timers; call about once a second."""
        now = self.clock.monotonic()
        if self.state is SessionState.ACTIVE and now - self._last_touch >= self.idle.timeout_s:
            self._warning_deadline = now + self.idle.warning_s
            self._set_state(SessionState.IDLE_WARNING)
        elif self.state is SessionState.IDLE_WARNING and self._warning_deadline is not None \
                and now >= self._warning_deadline:
            self.end(EndReason.IDLE_TIMEOUT)
        elif self.state is SessionState.ENDING and \
                now - self._last_touch >= self.idle.warning_s * SURVEY_IDLE_FACTOR:
            self.complete(None)
        if self.unqueued:
            self._flush_unqueued()

    # --- end -----------------------------------------------------------------------------------
    def end(self, reason: EndReason, offer_survey: bool | None = None) -> WipeSummary:
        """Wipe everything now. With a survey offered, the record waits for :meth:`complete`."""
        session = self._require_session()
        for hook in list(self._end_hooks):
            try:
                hook()
            except Exception:
                log.exception("session end hook failed")
        if offer_survey is None:
            offer_survey = reason is EndReason.FINISHED
        duration = self.clock.monotonic() - session.started_mono
        summary = self._wipe(session)
        self.last_summary = summary
        self.last_end_reason = reason
        self._warning_deadline = None
        self._last_touch = self.clock.monotonic()
        self._pending_end = (session, reason, duration)
        self._set_state(SessionState.ENDING)
        if not offer_survey:
            self.complete(None)
        return summary

    def complete(self, survey: Survey | None) -> None:
        """Queue the record (with the survey answers, if any) and go back to the welcome."""
        if self._pending_end is None:
            return
        session, reason, duration = self._pending_end
        record = build_record(session.event_id, session.started_at, duration, session.language,
                              session.accessibility, session.activities, session.help_requests,
                              reason, survey, session.site_seconds)
        if self._queue(session.event_id, record.to_wire()):
            self.journal.remove(session.session_id)
        # else the journal stays: were the process to die before the store comes back, the
        # next start still queues this session's record (as crash_recovered), never loses it.
        self._pending_end = None
        self.session = None
        self._set_state(SessionState.IDLE)
        self.release_memory()  # after the listeners: the finished session's screens let go

    def _wipe(self, session: Session) -> WipeSummary:
        counts: dict[str, int] = dict.fromkeys(ArtefactLabel, 0)
        files = failures = 0
        for artefact in reversed(session.artefacts):
            if not self.disposers.dispose(artefact):
                failures += 1
            if artefact.kind == FILE:
                files += 1
            if artefact.label in counts:
                counts[artefact.label] += 1
        session.workspace.destroy()  # also anything written there without registering
        values = len(session.values)
        session.values.clear()
        session.artefacts.clear()
        return WipeSummary(files=files, scans=counts[ArtefactLabel.SCAN],
                           prints=counts[ArtefactLabel.PRINT],
                           documents=counts[ArtefactLabel.DOCUMENT], values=values,
                           failures=failures)

    def _queue(self, event_id: str, payload: dict[str, Any]) -> bool:
        """Queue durably; True once the record is in the store."""
        if self.store is not None:
            try:
                self.store.enqueue(event_id, payload)
                return True
            except StoreError as err:
                self._fault(f"local store not writable, record kept in memory: {err}")
        self.unqueued.append((event_id, payload))
        return False

    def _flush_unqueued(self) -> None:
        if self.store is None:
            return
        remaining = []
        for event_id, payload in self.unqueued:
            try:
                self.store.enqueue(event_id, payload)
            except StoreError:
                remaining.append((event_id, payload))
        self.unqueued = remaining

    # --- out of order / maintenance -----------------------------------------------------------
    def set_out_of_order(self, reason: EndReason = EndReason.MEDIATOR) -> None:
        if self.in_session:
            self.end(reason, offer_survey=False)
        elif self.state is SessionState.ENDING:
            self.complete(None)
        self._set_state(SessionState.OUT_OF_ORDER)

    def set_maintenance(self) -> None:
        if self.in_session:
            self.end(EndReason.MEDIATOR, offer_survey=False)
        elif self.state is SessionState.ENDING:
            self.complete(None)
        self._set_state(SessionState.MAINTENANCE)

    def back_in_service(self) -> None:
        self._set_state(SessionState.IDLE)

    # --- crash recovery -----------------------------------------------------------------------
    def recover(self) -> int:
        """Wipe what crashed sessions left and queue their records once. Call at start-up,
        before the welcome screen. Returns how many sessions were recovered."""
        leftovers = self.journal.leftovers()
        for entry in leftovers:
            for data in reversed(entry.artefacts):
                self.disposers.dispose(Artefact.from_json(data))
            Workspace(Path(entry.workspace).parent, Path(entry.workspace).name).destroy()
            started = dt.datetime.fromisoformat(entry.started_at)
            last = dt.datetime.fromisoformat(entry.last_seen) if entry.last_seen else started
            record = build_record(
                entry.event_id, started, (last - started).total_seconds(),
                Language(entry.language), {Accessibility(a) for a in entry.accessibility},
                [Activity.model_validate(a) for a in entry.activities], entry.help_requests,
                EndReason.CRASH_RECOVERED, site_seconds=entry.site_seconds,
            )
            # Queued with the session's own event_id: if this session had already queued its
            # record before the crash, this insert is ignored (exactly once).
            if self._queue(entry.event_id, record.to_wire()):
                self.journal.remove(entry.session_id)
        # Belt and braces: session directories with no journal (journal unwritable) go too.
        sweep_orphans(self.workspace_root)
        if leftovers:
            log.warning("recovered %d interrupted session(s): leftovers wiped", len(leftovers))
        return len(leftovers)
