"""A scanner without hardware: returns sample pages (a letter, or an ID card on the bed).

What lies on the glass is chosen with :meth:`DemoScanner.place` ("letter", "id_recto",
"id_verso", or any Pillow image); the feeder holds ``feeder_pages`` letters; a fault can be
injected for the next scan, as the SANE test backend's ``read-return-value`` does. A real flatbed
takes seconds per page: :meth:`DemoScanner.hold` makes full scans (not previews) wait, like a
slow scanner, until :meth:`release` or :meth:`cancel` (then ``ScanCancelled``, as SANE says).
"""
from __future__ import annotations

import threading

from PIL import Image

from kiosk.devices import errors
from kiosk.devices.scanner import ColourMode, ScannerInfo, ScanOptions, Source
from kiosk.media.paper import Side, mm_to_px


class DemoScanner:
    name = "demo"

    def __init__(self, feeder_pages: int = 10) -> None:
        self.on_glass: str | Image.Image = "letter"
        self.feeder_pages = feeder_pages
        self._fault: type[errors.DeviceError] | None = None
        self._busy = False
        self.scans = 0
        self._go = threading.Event()
        self._go.set()
        self._cancelled = False

    def place(self, what: str | Image.Image) -> None:
        self.on_glass = what

    def load_feeder(self, pages: int) -> None:
        self.feeder_pages = pages

    def inject(self, fault: type[errors.DeviceError] | None) -> None:
        """The next scan fails with this fault (ScannerJam, NoDocument, CoverOpen...)."""
        self._fault = fault

    def info(self) -> ScannerInfo:
        return ScannerInfo("demo:0", "Scanner de démonstration",
                           (ColourMode.COLOUR, ColourMode.GREY, ColourMode.LINEART),
                           (Source.FLATBED, Source.FEEDER), 50, 600, 216.0, 297.0)

    def hold(self) -> None:
        """Full scans wait (a slow scanner) until :meth:`release` or :meth:`cancel`."""
        self._cancelled = False
        self._go.clear()

    def release(self) -> None:
        self._go.set()

    def scan(self, options: ScanOptions) -> Image.Image:
        if not options.preview:
            self._go.wait()
            if self._cancelled:
                self._cancelled = False
                raise errors.ScanCancelled("demo scanner: cancelled")
        if self._fault is not None:
            fault, self._fault = self._fault, None
            raise fault("demo scanner: injected fault")
        # The sample pictures (Pillow's drawing and fonts, segno: ~10 MB resident) load at the
        # first scan: a demo kiosk whose residents never scan does not carry them.
        from kiosk.media import samples

        dpi = options.dpi
        if options.source is Source.FEEDER:
            if self.feeder_pages <= 0:
                raise errors.NoDocument("demo scanner: feeder empty")
            self.feeder_pages -= 1
            image = samples.letter_page(dpi, self.scans + 1)
        elif isinstance(self.on_glass, Image.Image):
            image = self.on_glass.copy()
        elif self.on_glass in ("id_recto", "id_verso"):
            image = samples.card_on_bed(Side(self.on_glass.removeprefix("id_")), dpi)
        else:
            image = samples.letter_page(dpi, self.scans + 1)
        size = (mm_to_px(options.width_mm, dpi), mm_to_px(options.height_mm, dpi))
        if image.size != size:
            canvas = Image.new("RGB", size, samples.BED_COLOUR)
            canvas.paste(image, (0, 0))
            image = canvas
        if options.mode is ColourMode.GREY:
            image = image.convert("L")
        elif options.mode is ColourMode.LINEART:
            image = image.convert("1")
        image.info["dpi"] = (dpi, dpi)
        self.scans += 1
        return image

    def cancel(self) -> None:
        if not self._go.is_set():  # a held scan stops, as a real one does on sane_cancel
            self._cancelled = True
            self._go.set()

    def close(self) -> None:
        pass
