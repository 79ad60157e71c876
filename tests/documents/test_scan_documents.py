"""The scan flow and the session's documents without a display: steps, going back, the crop
mapping between the preview and the scan, the watermark's rules, one print service and quota
for every screen, and the list forgotten when the session ends. Demo scanner and printer."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.documents.scan_flow import DocType, ScanFlow, Step
from kiosk.documents.session_documents import DocumentKind
from kiosk.documents.watermark import WatermarkError
from kiosk.runtime import KioskRuntime
from kiosk.sessions.clock import ManualClock
from kiosk_wire import config
from kiosk_wire.schema import EndReason


@pytest.fixture
def runtime(tmp_path: Path):
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"),
        "kiosk.session_dir": str(tmp_path / "sessions"),
        "devices.printer_backend": "demo",
        "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo",
        "devices.hotplug_backend": "demo",
        "devices.scan_dpi": 150,
        "devices.print_quota_pages": 5,
    })
    rt = KioskRuntime(settings, clock=ManualClock())
    rt.core.start()
    yield rt
    rt.close()


def test_card_copy_goes_recto_crop_verso_crop_watermark_result(runtime):
    scanner = runtime.scanner.backend
    flow = ScanFlow(runtime.documents)
    flow.choose(DocType.RESIDENCE_PERMIT)
    assert flow.step is Step.PLACE and flow.watermark_on
    scanner.place("id_recto")
    flow.scan()
    assert flow.step is Step.CROP and flow.detection_confident()
    flow.accept_crop()
    assert flow.step is Step.PLACE
    scanner.place("id_verso")
    flow.scan()
    flow.accept_crop()
    assert flow.step is Step.WATERMARK
    with pytest.raises(WatermarkError):
        flow.set_watermark(True, "   ")
    with pytest.raises(WatermarkError):
        flow.set_watermark(True, "x" * 101)
    flow.set_watermark(True, "Préfecture")
    doc = flow.build()
    assert flow.step is Step.RESULT and doc.kind is DocumentKind.ID_COPY and doc.pages == 1
    assert flow.idcopy.sides == {}  # the originals go once the output exists


def test_crop_preview_maps_back_to_the_scan_pixels(runtime):
    runtime.scanner.backend.place("id_recto")
    flow = ScanFlow(runtime.documents)
    flow.choose(DocType.ID_CARD)
    flow.scan()
    preview = flow.crop_preview()
    side = flow.idcopy.sides[flow.side]
    detected = side.detection.box
    mapped = preview.to_scan(preview.box)
    assert all(abs(a - b) <= preview.factor for a, b in zip(mapped, detected, strict=True))
    left, top, right, bottom = preview.box
    flow.adjust_crop(preview, (left + 10, top + 10, right - 10, bottom - 10))
    adjusted = side.detection.box
    assert adjusted[0] > detected[0] and adjusted[2] < detected[2]
    assert not side.detection.automatic  # the resident's box is kept as is


def test_back_from_first_place_returns_to_the_type_list(runtime):
    flow = ScanFlow(runtime.documents)
    flow.choose(DocType.OTHER)
    flow.back()
    assert flow.step is Step.TYPE


def test_documents_are_offered_then_forgotten_at_session_end(runtime):
    desk = runtime.documents
    flow = ScanFlow(desk)
    flow.choose(DocType.PROOF)
    flow.scan()
    flow.scan(feeder=True)  # the demo feeder holds 10 sheets
    assert len(flow.pages) == 11
    flow.pages_done()
    flow.set_watermark(False)
    doc = flow.build()
    sample = desk.sample()
    assert [d.doc_id for d in desk.documents()] == [sample.doc_id, doc.doc_id]
    assert doc.pages == 11 and doc.path.exists()
    runtime.core.end(EndReason.FINISHED, offer_survey=False)
    assert desk.documents() == []
    assert not doc.path.exists() and not sample.path.exists()


def test_one_print_service_and_quota_for_every_screen(runtime):
    assert runtime.print_service is runtime.documents.prints
    assert runtime.documents.remaining_pages() == 5
    runtime.print_service.submit(runtime.documents.sample().path)
    assert runtime.documents.remaining_pages() == 4
    assert runtime.reset_print_quota()
    assert runtime.documents.remaining_pages() == 5


def test_a_scanned_document_is_offered_to_a_practice_upload_field(runtime):
    from kiosk.practice.flow import PracticeFlow

    flow = ScanFlow(runtime.documents)
    flow.choose(DocType.PROOF)
    flow.scan()
    flow.pages_done()
    flow.set_watermark(False)
    doc = flow.build()
    offered = PracticeFlow(runtime).scanned_documents()
    assert [d.path for d in offered] == [doc.path]


def test_documents_may_be_scanned_in_grey_cards_stay_in_colour(runtime):
    flow = ScanFlow(runtime.documents)
    flow.choose(DocType.OTHER)
    flow.colour = False
    flow.scan()
    assert flow.pages[0].mode == "L"
    flow.choose(DocType.ID_CARD)
    flow.colour = False
    runtime.scanner.backend.place("id_recto")
    flow.scan()
    assert flow.idcopy.sides[flow.side].scan.mode == "RGB"
