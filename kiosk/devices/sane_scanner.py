"""Scanner backend through SANE (python-sane). ``import sane`` happens here only, lazily.

SANE reports faults as status strings (``sane_strstatus``); the table below maps them onto the
kiosk's device errors. Option names and values differ between backends ("Color"/"Colour",
"ADF"/"Automatic Document Feeder"); they are matched by keyword.
"""
from __future__ import annotations

import ctypes
import logging
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from PIL import Image

from kiosk.devices import errors
from kiosk.devices.scanner import ColourMode, ScannerInfo, ScanOptions, Source

log = logging.getLogger(__name__)

# sane_strstatus() texts (sanei/sane_strstatus.c) -> our faults.
SANE_STATUS_ERRORS: dict[str, type[errors.DeviceError]] = {
    "Document feeder jammed": errors.ScannerJam,
    "Document feeder out of documents": errors.NoDocument,
    "Scanner cover is open": errors.CoverOpen,
    "Device busy": errors.DeviceBusy,
    "Operation was cancelled": errors.ScanCancelled,
    "Operation not supported": errors.UnsupportedOption,
    "Invalid argument": errors.UnsupportedOption,
    "Error during device I/O": errors.DeviceUnplugged,
    "Access to resource has been denied": errors.ScannerError,
    "Out of memory": errors.ScannerError,
}

MODE_WORDS: dict[ColourMode, tuple[str, ...]] = {
    ColourMode.COLOUR: ("color", "colour"),
    ColourMode.GREY: ("gray", "grey"),
    ColourMode.LINEART: ("lineart", "binary", "halftone"),
}
SOURCE_WORDS: dict[Source, tuple[str, ...]] = {
    Source.FLATBED: ("flatbed", "normal"),
    Source.FEEDER: ("adf", "feeder", "automatic document feeder"),
}

_init_lock = threading.Lock()
_init_count = 0


@contextmanager
def _sigpipe_kept_ignored() -> Iterator[None]:
    """Give SIGPIPE back to "ignored" after a call into SANE.

    Python ignores SIGPIPE, so a write to a closed pipe or socket raises BrokenPipeError. SANE's
    reader threads (sanei_thread, used by the test backend and by many hardware backends) set
    SIGPIPE to its default action when a scan ends, for the whole process: from then on one
    write to a server that dropped the connection, or to a helper that exited, would kill the
    kiosk on the spot, mid-session, with nothing in its log. libc's signal() is called rather
    than signal.signal(), which only works on the main thread: scans run on a worker thread.
    """
    try:
        yield
    finally:
        _libc_signal(signal.SIGPIPE, _SIG_IGN)


_SIG_IGN = 1  # (void (*)(int)) 1 in <signal.h>
_libc = ctypes.CDLL(None, use_errno=True)
_libc_signal = _libc.signal
_libc_signal.restype = ctypes.c_void_p
_libc_signal.argtypes = (ctypes.c_int, ctypes.c_void_p)


def map_sane_error(err: Exception, doing: str) -> errors.DeviceError:
    text = str(err.args[0]) if err.args else str(err)
    cls = SANE_STATUS_ERRORS.get(text, errors.ScannerError)
    return cls(f"SANE {doing}: {text}")


def _pick(values: list[str], words: tuple[str, ...]) -> str | None:
    for value in values:
        if any(word in value.lower() for word in words):
            return value
    return None


class SaneScanner:
    name = "sane"

    def __init__(self, device: str = "") -> None:
        global _init_count
        try:
            import sane
        except ImportError as err:
            raise errors.DeviceAbsent("python-sane is not installed") from err
        self._sane: Any = sane
        with _init_lock:
            try:
                if _init_count == 0:
                    sane.init()
                _init_count += 1
            except sane._sane.error as err:
                raise map_sane_error(err, "init") from err
        self._lock = threading.Lock()
        self._dev: Any = None
        self._closed = False
        if device:
            # A named device is opened directly: listing devices asks every backend of the
            # system's SANE configuration (network ones included), which can take 20 s.
            self.device, self.model = device, ""
            try:
                self._open().close()  # proves it is there; opened again at the first scan
                self._dev = None
            except errors.DeviceError as err:
                self.close()
                raise errors.DeviceAbsent(f"SANE device {device!r} not found ({err.technical})") \
                    from err
            return
        try:
            devices = sane.get_devices(localOnly=True)
        except sane._sane.error as err:
            self.close()
            raise map_sane_error(err, "listing devices") from err
        names = [d[0] for d in devices]
        if not names:
            self.close()
            raise errors.DeviceAbsent("SANE finds no scanner")
        self.device = names[0]
        self.model = next((f"{d[1]} {d[2]}" for d in devices if d[0] == self.device), "")

    def _open(self) -> Any:
        if self._dev is None:
            try:
                self._dev = self._sane.open(self.device)
            except self._sane._sane.error as err:
                raise map_sane_error(err, f"open {self.device}") from err
        return self._dev

    def _constraint(self, dev: Any, name: str) -> Any:
        try:
            return dev[name].constraint
        except (KeyError, AttributeError):
            return None

    def info(self) -> ScannerInfo:
        with self._lock:
            dev = self._open()
            modes_raw = self._constraint(dev, "mode") or ["Color"]
            sources_raw = self._constraint(dev, "source") or ["Flatbed"]
            res = self._constraint(dev, "resolution") or (75, 600, 1)
            br_x = self._constraint(dev, "br_x") or (0.0, 215.9, 0.0)
            br_y = self._constraint(dev, "br_y") or (0.0, 297.0, 0.0)
        modes = tuple(m for m in ColourMode if _pick(list(modes_raw), MODE_WORDS[m]))
        sources = tuple(s for s in Source if _pick(list(sources_raw), SOURCE_WORDS[s]))
        if isinstance(res, tuple):
            min_dpi, max_dpi = int(res[0]), int(res[1])
        else:
            min_dpi, max_dpi = int(min(res)), int(max(res))
        return ScannerInfo(self.device, self.model, modes or (ColourMode.COLOUR,),
                           sources or (Source.FLATBED,), max(1, min_dpi), max_dpi,
                           float(br_x[1]), float(br_y[1]))

    def _set(self, dev: Any, name: str, value: Any) -> None:
        try:
            setattr(dev, name, value)
        except AttributeError:
            log.debug("SANE device %s has no option %s", self.device, name)
        except self._sane._sane.error as err:
            raise map_sane_error(err, f"set {name}={value!r}") from err

    def scan(self, options: ScanOptions) -> Image.Image:
        with self._lock:
            dev = self._open()
            modes = list(self._constraint(dev, "mode") or [])
            sources = list(self._constraint(dev, "source") or [])
            mode = _pick(modes, MODE_WORDS[options.mode])
            if mode:
                self._set(dev, "mode", mode)
            source = _pick(sources, SOURCE_WORDS[options.source])
            if source:
                self._set(dev, "source", source)
            self._set(dev, "depth", 8)  # 16 bits gives wrongly sized images through python-sane
            # SANE's "preview" asks for the backend's quick low-quality pass (ignored where
            # the device has no such option); reset to False for every full scan.
            self._set(dev, "preview", int(options.preview))
            self._set(dev, "resolution", options.dpi)
            self._set(dev, "tl_x", 0.0)
            self._set(dev, "tl_y", 0.0)
            self._set(dev, "br_x", float(options.width_mm))
            self._set(dev, "br_y", float(options.height_mm))
            try:
                with _sigpipe_kept_ignored():
                    image: Image.Image = dev.scan()
            except self._sane._sane.error as err:
                raise map_sane_error(err, "scan") from err
            except (OSError, RuntimeError) as err:
                raise errors.DeviceUnplugged(f"SANE scan: {err}") from err
        image.info["dpi"] = (options.dpi, options.dpi)
        return image

    def cancel(self) -> None:
        dev = self._dev
        if dev is not None:
            try:
                with _sigpipe_kept_ignored():
                    dev.cancel()
            except self._sane._sane.error as err:
                log.debug("SANE cancel: %s", err)

    def close(self) -> None:
        global _init_count
        if self._closed:
            return
        self._closed = True
        if self._dev is not None:
            try:
                with _sigpipe_kept_ignored():
                    self._dev.close()
            except self._sane._sane.error:
                pass
            self._dev = None
        with _init_lock:
            _init_count -= 1
            if _init_count == 0:
                with _sigpipe_kept_ignored():
                    self._sane.exit()

    # Options the test backend (and only it) has, to inject faults in tests and demos.
    def set_raw_option(self, name: str, value: Any) -> None:
        with self._lock:
            self._set(self._open(), name, value)
