"""Scanner contract, run against SANE's test backend AND the demo scanner."""
from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest

from kiosk.devices import errors, open_scanner
from kiosk.devices.demo_scanner import DemoScanner
from kiosk.devices.scanner import ColourMode, Scanner, ScannerState, ScanOptions, Source
from kiosk_wire import config


@dataclass
class ScannerRig:
    scanner: Scanner
    inject: Callable[[str], None]   # "jammed" | "no_docs" | "cover_open" | "clear"


SANE_FAULTS = {"jammed": "SANE_STATUS_JAMMED", "no_docs": "SANE_STATUS_NO_DOCS",
               "cover_open": "SANE_STATUS_COVER_OPEN", "busy": "SANE_STATUS_DEVICE_BUSY",
               "io": "SANE_STATUS_IO_ERROR", "clear": "Default"}
DEMO_FAULTS = {"jammed": errors.ScannerJam, "no_docs": errors.NoDocument,
               "cover_open": errors.CoverOpen, "busy": errors.DeviceBusy,
               "io": errors.DeviceUnplugged, "clear": None}


@pytest.fixture(params=["demo", pytest.param("sane", marks=pytest.mark.sane)])
def rig(request: pytest.FixtureRequest) -> Iterator[ScannerRig]:
    if request.param == "demo":
        demo = DemoScanner()
        yield ScannerRig(Scanner(demo), lambda fault: demo.inject(DEMO_FAULTS[fault]))
        return
    request.getfixturevalue("sane_config")
    settings = config.defaults().with_overrides({"devices.scanner_backend": "sane",
                                                 "devices.scanner_device": "test:0"})
    scanner = open_scanner(settings)
    assert scanner.backend_name == "sane"
    backend = scanner.backend
    backend.set_raw_option("test_picture", "Color pattern")
    yield ScannerRig(scanner, lambda fault: backend.set_raw_option("read_return_value",
                                                                   SANE_FAULTS[fault]))
    scanner.close()


def test_colour_a4_scan_at_300_dpi(rig):
    assert rig.scanner.state is ScannerState.READY
    image = rig.scanner.scan(ScanOptions(mode=ColourMode.COLOUR, dpi=300))
    assert image.mode == "RGB"
    assert abs(image.width - 2480) <= 1 and abs(image.height - 3508) <= 1
    assert rig.scanner.state is ScannerState.READY


def test_preview_is_a_quick_low_resolution_scan(rig):
    image = rig.scanner.preview()
    assert abs(image.width - 620) <= 1  # A4 at 75 dpi


def test_scanner_lists_its_modes_and_sources(rig):
    info = rig.scanner.info()
    assert ColourMode.COLOUR in info.modes and ColourMode.GREY in info.modes
    assert set(info.sources) == {Source.FLATBED, Source.FEEDER}
    assert info.max_height_mm >= 297


@pytest.mark.parametrize("fault, error, state, message", [
    ("jammed", errors.ScannerJam, ScannerState.JAMMED,
     "Le papier est coincé dans le scanner. Prévenez un médiateur."),
    ("no_docs", errors.NoDocument, ScannerState.READY,
     "Aucun document n'est en place. Posez votre document et réessayez."),
    ("cover_open", errors.CoverOpen, ScannerState.COVER_OPEN,
     "Le capot du scanner est ouvert. Fermez-le et réessayez."),
    ("busy", errors.DeviceBusy, ScannerState.READY,
     "L'appareil est occupé. Patientez un instant et réessayez."),
    ("io", errors.DeviceUnplugged, ScannerState.ABSENT,
     "L'appareil a été débranché. Prévenez un médiateur."),
])
def test_faults_give_the_right_plain_message(rig, fault, error, state, message):
    rig.inject(fault)
    try:
        with pytest.raises(error) as err:
            rig.scanner.scan(ScanOptions(dpi=50))
        assert err.value.shown() == message
        assert rig.scanner.state is state
    finally:
        rig.inject("clear")
    rig.scanner.refresh()
    rig.scanner.scan(ScanOptions(dpi=50))  # and the next scan works again
    assert rig.scanner.state is ScannerState.READY


def test_feeder_empties_after_ten_pages(rig):
    pages = rig.scanner.scan_feeder(ScanOptions(mode=ColourMode.GREY, dpi=50))
    assert len(pages) == 10
    assert all(p.mode == "L" for p in pages)
    assert rig.scanner.state is ScannerState.READY


def test_feeder_document_scan_gives_one_pdf_registered_for_wipe(rig, core):
    from pypdf import PdfReader

    from kiosk.documents.scanning import ScanService
    from kiosk_wire.schema import ActivityKind

    result = ScanService(rig.scanner, core, dpi=50).scan_document(feeder=True,
                                                                  mode=ColourMode.GREY)
    assert result.pages == 10 and len(PdfReader(str(result.pdf)).pages) == 10
    assert result.pdf.parent == core.session.workspace.path
    assert [(a.kind, a.pages) for a in core.session.activities] == [(ActivityKind.SCAN, 10)]


def test_a_second_scan_while_one_runs_is_refused_as_busy(rig):
    import threading

    started, release = threading.Event(), threading.Event()
    outcome: list[str] = []

    def listener(old, new):
        if new is ScannerState.BUSY:
            started.set()
            release.wait(10)  # hold the first scan here while the second one is tried

    rig.scanner.add_listener(listener)
    first = threading.Thread(target=lambda: outcome.append(rig.scanner.scan(
        ScanOptions(dpi=50)).mode))
    first.start()
    assert started.wait(10)
    try:
        with pytest.raises(errors.DeviceBusy) as err:
            rig.scanner.scan(ScanOptions(dpi=50))
        assert err.value.shown() == "L'appareil est occupé. Patientez un instant et réessayez."
        assert rig.scanner.refresh() is ScannerState.BUSY  # the panel's poll does not block
    finally:
        release.set()
        first.join(30)
    assert outcome == ["RGB"] and rig.scanner.state is ScannerState.READY


@pytest.mark.sane
def test_id_copy_through_sane_when_detection_is_unsure_uses_the_residents_crop(sane_config,
                                                                              core):
    """SANE's test picture is no card: the detection says so, the resident's crop is used."""
    from pypdf import PdfReader

    from kiosk.documents.card import ID1_MM
    from kiosk.documents.scanning import ScanService, Side
    from kiosk.media.paper import mm_to_px

    scanner = open_scanner(config.defaults().with_overrides({
        "devices.scanner_backend": "sane", "devices.scanner_device": "test:0"}))
    try:
        scanner.backend.set_raw_option("test_picture", "Color pattern")
        copy = ScanService(scanner, core, dpi=150).id_copy()
        detection = copy.scan(Side.RECTO)
        assert not detection.confident  # a full page of colour bars is not a card
        copy.adjust_crop(Side.RECTO, (100, 100, 100 + 506, 100 + 319))
        assert copy.cropped(Side.RECTO).size == (mm_to_px(ID1_MM[0], 150),
                                                 mm_to_px(ID1_MM[1], 150))
        copy.set_watermark("CAF")
        result = copy.build()
        assert len(PdfReader(str(result.pdf)).pages) == 1
    finally:
        scanner.close()


@pytest.mark.sane
def test_sane_preview_uses_the_devices_preview_mode_and_the_next_scan_does_not(sane_config):
    settings = config.defaults().with_overrides({"devices.scanner_backend": "sane",
                                                 "devices.scanner_device": "test:0"})
    scanner = open_scanner(settings)
    try:
        backend = scanner.backend
        small = scanner.preview()
        assert bool(backend._open().preview) is True      # SANE's own quick pass
        full = scanner.scan(ScanOptions(dpi=300))
        assert bool(backend._open().preview) is False     # never left on for a real scan
        assert small.width * 3 < full.width
    finally:
        scanner.close()
