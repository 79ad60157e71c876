"""The scanner facade: state, options, preview, full scan, feeder batches.

Backends: sane_scanner.py (python-sane) and demo_scanner.py. Both return Pillow images and
raise only :mod:`kiosk.devices.errors`; this facade turns faults into states for the screens.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from enum import Enum
from typing import Protocol

from PIL import Image

from kiosk.devices import errors
from kiosk.devices.base import StatefulDevice
from kiosk.i18n import N_, _


class ScannerState(str, Enum):
    READY = "ready"
    BUSY = "busy"
    JAMMED = "jammed"
    COVER_OPEN = "cover_open"
    ERROR = "error"
    ABSENT = "absent"


STATE_MESSAGES: dict[ScannerState, str] = {
    ScannerState.READY: N_("Le scanner est prêt."),
    ScannerState.BUSY: N_("Numérisation en cours…"),
    ScannerState.JAMMED: errors.ScannerJam.resident_message,
    ScannerState.COVER_OPEN: errors.CoverOpen.resident_message,
    ScannerState.ERROR: errors.ScannerError.resident_message,
    ScannerState.ABSENT: N_("Il n'y a pas de scanner branché sur cette borne."),
}

# After a fault, the state the scanner is left in until the next successful scan.
FAULT_STATES: dict[type[errors.DeviceError], ScannerState] = {
    errors.ScannerJam: ScannerState.JAMMED,
    errors.CoverOpen: ScannerState.COVER_OPEN,
    errors.DeviceUnplugged: ScannerState.ABSENT,
    errors.DeviceAbsent: ScannerState.ABSENT,
    errors.NoDocument: ScannerState.READY,
    errors.ScanCancelled: ScannerState.READY,
    errors.DeviceBusy: ScannerState.READY,
    errors.UnsupportedOption: ScannerState.READY,
}


class ColourMode(str, Enum):
    COLOUR = "colour"
    GREY = "grey"
    LINEART = "lineart"


class Source(str, Enum):
    FLATBED = "flatbed"
    FEEDER = "feeder"


@dataclass(frozen=True)
class ScanOptions:
    mode: ColourMode = ColourMode.COLOUR
    dpi: int = 300
    source: Source = Source.FLATBED
    width_mm: float = 210.0
    height_mm: float = 297.0
    preview: bool = False   # the scanner's quick preview mode (SANE "preview"), where it has one


PREVIEW_DPI = 75


@dataclass(frozen=True)
class ScannerInfo:
    device: str
    model: str
    modes: tuple[ColourMode, ...]
    sources: tuple[Source, ...]
    min_dpi: int
    max_dpi: int
    max_width_mm: float
    max_height_mm: float


class ScannerBackend(Protocol):
    name: str

    def info(self) -> ScannerInfo: ...

    def scan(self, options: ScanOptions) -> Image.Image: ...

    def cancel(self) -> None: ...

    def close(self) -> None: ...


class Scanner(StatefulDevice[ScannerState]):
    def __init__(self, backend: ScannerBackend | None) -> None:
        super().__init__(ScannerState.ABSENT)
        self.backend = backend
        self._scanning = threading.Lock()
        self.refresh()

    @property
    def backend_name(self) -> str:
        return self.backend.name if self.backend else "none"

    def refresh(self) -> ScannerState:
        if self.backend is None or self.unplugged:
            self.set_state(ScannerState.ABSENT)
            return self.state
        if self.state is ScannerState.BUSY:
            return self.state  # a scan holds the device; asking now would wait for it
        try:
            self.backend.info()
        except errors.DeviceError as err:
            self.last_error = err.technical
            self.set_state(ScannerState.ABSENT)
            return self.state
        if self.state in (ScannerState.ABSENT, ScannerState.ERROR):
            self.set_state(ScannerState.READY)
        return self.state

    def message(self) -> str:
        return _(STATE_MESSAGES[self.state])

    def info(self) -> ScannerInfo:
        if self.backend is None:
            raise errors.DeviceAbsent("no scanner")
        return self.backend.info()

    def _fit(self, options: ScanOptions) -> ScanOptions:
        info = self.info()
        if options.source not in info.sources:
            raise errors.UnsupportedOption(f"source {options.source.value} not in {info.sources}",
                                           N_("Ce scanner n'a pas de chargeur de feuilles."))
        mode = options.mode if options.mode in info.modes else info.modes[0]
        dpi = max(info.min_dpi, min(info.max_dpi, options.dpi))
        return replace(options, mode=mode, dpi=dpi,
                       width_mm=min(options.width_mm, info.max_width_mm),
                       height_mm=min(options.height_mm, info.max_height_mm))

    def scan(self, options: ScanOptions | None = None) -> Image.Image:
        """One page. The state is BUSY meanwhile, then READY, or the fault's state."""
        if self.backend is None:
            raise errors.DeviceAbsent("no scanner")
        if not self._scanning.acquire(blocking=False):
            raise errors.DeviceBusy("a scan is already running")
        try:
            options = self._fit(options or ScanOptions())
            self.set_state(ScannerState.BUSY)
            try:
                image = self.backend.scan(options)
            except errors.DeviceError as err:
                self.last_error = err.technical
                self.set_state(FAULT_STATES.get(type(err), ScannerState.ERROR))
                raise
            self.set_state(ScannerState.READY)
            return image
        finally:
            self._scanning.release()

    def preview(self, options: ScanOptions | None = None) -> Image.Image:
        """A quick low-resolution scan of the whole bed, to place and crop the document."""
        return self.scan(replace(options or ScanOptions(), dpi=PREVIEW_DPI,
                                 source=Source.FLATBED, preview=True))

    def scan_feeder(self, options: ScanOptions | None = None, max_pages: int = 100
                    ) -> list[Image.Image]:
        """Every sheet in the feeder, until it is empty (at least one page, or NoDocument)."""
        options = replace(options or ScanOptions(), source=Source.FEEDER)
        pages: list[Image.Image] = []
        while len(pages) < max_pages:
            try:
                pages.append(self.scan(options))
            except errors.NoDocument:
                if pages:
                    break
                raise
        return pages

    def cancel(self) -> None:
        if self.backend is not None:
            self.backend.cancel()

    def close(self) -> None:
        if self.backend is not None:
            self.backend.close()
