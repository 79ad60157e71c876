"""Badge reader backend through PC/SC (pyscard). ``smartcard`` is imported here only, lazily.

One thread waits on ``SCardGetStatusChange`` for every reader plus the PnP pseudo-reader, so
card insertion/removal and reader plug/unplug arrive as events without polling. On insertion
the UID is read with ``FF CA 00 00 00``. The thread only calls the facade's event methods,
which schedule the listeners on the UI's main loop.
"""
from __future__ import annotations

import logging
import threading
from typing import Any

from kiosk.devices import errors
from kiosk.devices.reader import GET_UID_APDU, ReaderEvents

log = logging.getLogger(__name__)

PNP_READER = "\\\\?PnP?\\Notification"
WAIT_MS = 500
RETRY_S = 2.0


class PcscReader:
    name = "pcsc"

    def __init__(self) -> None:
        try:
            from smartcard import scard
        except ImportError as err:
            raise errors.DeviceAbsent("pyscard is not installed") from err
        self._scard: Any = scard
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._ctx: Any = None
        self._events: ReaderEvents | None = None
        # Probe now, so the factory can fall back when pcscd is not running.
        ctx = self._establish()
        try:
            self._list(ctx)
        finally:
            scard.SCardReleaseContext(ctx)

    # --- PC/SC calls with errors mapped ---------------------------------------------------------
    def _establish(self) -> Any:
        s = self._scard
        rc, ctx = s.SCardEstablishContext(s.SCARD_SCOPE_USER)
        if rc != s.SCARD_S_SUCCESS:
            raise errors.DeviceAbsent(f"PC/SC service (pcscd) unavailable: "
                                      f"{s.SCardGetErrorMessage(rc)}")
        return ctx

    def _list(self, ctx: Any) -> list[str]:
        s = self._scard
        rc, names = s.SCardListReaders(ctx, [])
        if rc in (s.SCARD_E_NO_READERS_AVAILABLE, getattr(s, "SCARD_E_READER_UNAVAILABLE", -1)):
            return []
        if rc != s.SCARD_S_SUCCESS:
            raise errors.DeviceError(f"SCardListReaders: {s.SCardGetErrorMessage(rc)}")
        return list(names)

    def read_uid(self, ctx: Any, reader: str) -> bytes:
        s = self._scard
        rc, card, protocol = s.SCardConnect(ctx, reader, s.SCARD_SHARE_SHARED,
                                            s.SCARD_PROTOCOL_T0 | s.SCARD_PROTOCOL_T1)
        if rc != s.SCARD_S_SUCCESS:
            raise errors.CardReadError(f"SCardConnect({reader}): {s.SCardGetErrorMessage(rc)}")
        try:
            rc, response = s.SCardTransmit(card, protocol, list(GET_UID_APDU))
            if rc != s.SCARD_S_SUCCESS:
                raise errors.CardReadError(f"SCardTransmit: {s.SCardGetErrorMessage(rc)}")
            data, sw = bytes(response[:-2]), bytes(response[-2:])
            if sw != b"\x90\x00" or not data:
                raise errors.CardReadError(f"GET UID answered SW {sw.hex()}")
            return data
        finally:
            s.SCardDisconnect(card, s.SCARD_LEAVE_CARD)

    # --- facade protocol ------------------------------------------------------------------------
    def readers(self) -> list[str]:
        ctx = self._establish()
        try:
            return self._list(ctx)
        finally:
            self._scard.SCardReleaseContext(ctx)

    def start(self, events: ReaderEvents) -> None:
        self._events = events
        self._thread = threading.Thread(target=self._run, name="pcsc-reader", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        ctx = self._ctx
        if ctx is not None:
            self._scard.SCardCancel(ctx)  # wakes SCardGetStatusChange at once
        if self._thread is not None:
            self._thread.join(5)

    # --- the watching thread ----------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._watch()
            except errors.DeviceError as err:
                log.warning("badge reader: %s", err.technical)
                if self._events:
                    self._events.fault(err)
                self._stop.wait(RETRY_S)
            except Exception:  # never let the thread die silently
                log.exception("badge reader thread failed; retrying")
                self._stop.wait(RETRY_S)

    def _watch(self) -> None:
        s = self._scard
        events = self._events
        assert events is not None
        self._ctx = ctx = self._establish()
        try:
            names = self._list(ctx)
            events.readers_changed(names)
            present: dict[str, bool] = {}
            states = [(n, s.SCARD_STATE_UNAWARE) for n in names] + [(PNP_READER,
                                                                      s.SCARD_STATE_UNAWARE)]
            while not self._stop.is_set():
                rc, new_states = s.SCardGetStatusChange(ctx, WAIT_MS, states)
                if rc == s.SCARD_E_TIMEOUT:
                    continue
                if rc == s.SCARD_E_CANCELLED:
                    return
                if rc == s.SCARD_E_NO_SERVICE or rc == getattr(s, "SCARD_E_SERVICE_STOPPED", -1):
                    raise errors.DeviceAbsent(f"pcscd stopped: {s.SCardGetErrorMessage(rc)}")
                if rc == s.SCARD_E_UNKNOWN_READER:
                    return  # a reader went away between two calls: list them again
                if rc != s.SCARD_S_SUCCESS:
                    raise errors.DeviceError(f"SCardGetStatusChange: {s.SCardGetErrorMessage(rc)}")
                relist = False
                for name, event_state, _atr in new_states:
                    if name == PNP_READER:
                        relist = relist or bool(event_state & s.SCARD_STATE_CHANGED)
                        continue
                    if event_state & (s.SCARD_STATE_UNKNOWN | s.SCARD_STATE_UNAVAILABLE):
                        relist = True
                        continue
                    is_present = bool(event_state & s.SCARD_STATE_PRESENT) and \
                        not event_state & s.SCARD_STATE_MUTE
                    if is_present and not present.get(name):
                        present[name] = True
                        try:
                            uid = self.read_uid(ctx, name)
                        except errors.CardReadError as err:
                            # A bank card or a dead badge: reported as a card with no UID, so
                            # the screen refuses it like any badge that is not enrolled.
                            log.info("card without readable UID: %s", err.technical)
                            uid = b""
                        events.card_inserted(uid)
                    elif not is_present and present.get(name):
                        present[name] = False
                        events.card_removed()
                if relist:
                    return
                states = [(n, st & ~s.SCARD_STATE_CHANGED) for n, st, _ in new_states]
        finally:
            self._ctx = None
            s.SCardReleaseContext(ctx)
