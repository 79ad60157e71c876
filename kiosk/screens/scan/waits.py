"""The waits of the scan screen: slow work (scanning, building a copy) on a worker thread
(:mod:`kiosk.screens.scan.worker`) while the busy panel says what is happening, shows the
scanner's quick preview as soon as it comes, and offers to stop a scan (asked first); the
result or the fault comes back on the Kivy clock.

A mixin of :class:`kiosk.screens.scan.scan.ScanScreen`, which declares the Kivy properties used
here (``busy``, ``busy_text``), owns the flow and shows its steps (``_show``): what it must
give is the protocol :class:`ScanHost`, the type of ``self`` here with the mixin's own methods
(:class:`WaitingScreen`).
"""
from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.documents.scan_flow import ScanFlow, Step
from kiosk.i18n import _
from kiosk.screens import device_fault
from kiosk.screens.scan.worker import BackgroundWork

if TYPE_CHECKING:
    from kiosk.runtime import KioskRuntime


class ScanHost(Protocol):
    """What ScanScreen gives these waits: Kivy properties, the flow, kv ids, its steps."""
    ids: Any
    flow: ScanFlow | None
    busy: bool
    busy_text: str
    step: str
    _busy_panel: Any
    _stop_dialog: Any
    _scan_stopped: bool
    _worker: BackgroundWork

    @property
    def runtime(self) -> KioskRuntime: ...

    def _show(self, step: Step) -> None: ...


class WaitingScreen(ScanHost, Protocol):
    """The host with these waits mixed in: the type of ``self`` in them (they call each other)."""
    @property
    def busy_panel(self) -> Any: ...

    def _not_busy(self) -> None: ...

    def _failed(self, err: BaseException) -> None: ...

    def ask_to_stop_scan(self, *_args: Any) -> None: ...

    def stop_scan(self) -> None: ...


class ScanWaits:
    def _run(self: WaitingScreen, busy_text: str, work: Callable[[], Any],
             done: Callable[[Any], None], stoppable: bool = False, panel: bool = True) -> None:
        """``work`` on a worker thread, then ``done(result)`` (or the fault) on the UI thread;
        meanwhile the busy panel says what is happening (never a faded screen). A quick redraw
        under the finger (crop, rotate) has no panel: it would flash over what is being moved."""
        self.busy = True
        self.busy_text = _(busy_text)
        self.ids.fault.clear()
        if panel:
            self.busy_panel.show(self, self.busy_text,
                                 _("Arrêter la numérisation") if stoppable else "")

        def finished(result: Any) -> None:
            self._not_busy()
            done(result)

        self._worker.start(work, finished, self._failed)

    @property
    def busy_panel(self: WaitingScreen) -> Any:
        if self._busy_panel is None:
            from kiosk.screens.kit.busy import BusyPanel

            panel = BusyPanel()
            panel.bind(on_cancel=self.ask_to_stop_scan)
            self._busy_panel = panel
        return self._busy_panel

    def _not_busy(self: WaitingScreen) -> None:
        self.busy = False
        if self._busy_panel is not None:
            self._busy_panel.hide()
        if self._stop_dialog is not None:  # the scan ended meanwhile: nothing left to stop
            self._stop_dialog.dismiss()
            self._stop_dialog = None

    def _failed(self: WaitingScreen, err: BaseException) -> None:
        self._not_busy()
        if self._scan_stopped:  # the stop the resident asked for, not a fault
            self._scan_stopped = False
            if self.flow is not None:
                self._show(self.flow.step)
            return
        self.ids.fault.show(device_fault.describe(err))
        if self.flow is not None and self.flow.step.value != self.step:
            self._show(self.flow.step)

    def wait_idle(self: WaitingScreen, frames: Callable[[], None], limit: int = 3000) -> None:
        """Let frames run until the worker is done (tests and the scripted demo)."""
        for _attempt in range(limit):
            if not self.busy:
                return
            threading.Event().wait(0.01)
            frames()
        raise TimeoutError("scan screen still busy")

    def _show_preview(self: WaitingScreen, image: Any) -> None:
        if self.busy and not self._scan_stopped:
            from kiosk.screens.scan.widgets import texture_from
            self.busy_panel.preview = texture_from(image)

    def ask_to_stop_scan(self: WaitingScreen, *_args: Any) -> None:
        """The busy panel's "Arrêter la numérisation": asked first, continuing is the big one."""
        from kiosk.screens.kit.confirm import confirm

        self._stop_dialog = confirm(_("Arrêter la numérisation ?"),
                _("Le document ne sera pas enregistré. Vous pourrez le scanner à nouveau."),
                _("Oui, arrêter"), self.stop_scan, safe_txt=_("Non, continuer la numérisation"))

    def stop_scan(self: WaitingScreen) -> None:
        """Stop the scan: the scanner is told; whatever it still returns is dropped."""
        if not self.busy:
            return
        self._scan_stopped = True
        scanner = self.runtime.scanner
        if scanner is not None:
            scanner.cancel()
