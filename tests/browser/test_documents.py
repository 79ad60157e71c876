"""Documents both ways: a page's upload gets only this session's documents; a site's PDF lands
in the session's documents, prints on the test CUPS queue, and is wiped with the session; an
image becomes a printable A4 PDF; any other file is refused with a plain French message."""
from __future__ import annotations

from pathlib import Path

import pytest

from browser.conftest import STEP_TIMEOUT_S, eventually, require_chromium
from browser.fake_sites import ALLOWED_HOST, TOKEN, FakeSites
from kiosk.browser.browsing import Browsing
from kiosk.browser.transfers import FileRequest, UploadRefused
from kiosk.devices.printer import JobState
from kiosk.documents.scanning import ScanResult
from kiosk.documents.session_documents import DocumentDesk, DocumentKind
from kiosk.media.pdf import images_to_pdf
from kiosk.media.samples import letter_page
from kiosk.sessions import open_core
from kiosk_wire import config
from kiosk_wire.schema import EndReason

pytestmark = pytest.mark.browser


def browsing_session(tmp_path: Path, fake_sites: FakeSites, printer=None, settings=None):
    require_chromium()
    settings = settings or config.defaults().with_overrides(
        {"kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram")})
    core = open_core(settings)
    desk = DocumentDesk(core, None, printer, quota_pages=20)
    browsing = Browsing.from_settings(core, settings, extra_switches=fake_sites.switches(),
                                      documents=desk)
    core.start()
    service = browsing.open()
    service.start().result(STEP_TIMEOUT_S * 2)
    return core, desk, browsing, service


def a_scan(core, desk) -> Path:
    path = core.new_file(".pdf", "scan")
    images_to_pdf([letter_page(50)], path, 50)
    desk.add(ScanResult(path, 1), DocumentKind.SCAN, "Scan")
    return path


def test_an_upload_offers_only_session_documents_and_the_site_receives_the_scan(
        tmp_path: Path, fake_sites: FakeSites):
    core, desk, _browsing, service = browsing_session(tmp_path, fake_sites)
    try:
        scan = a_scan(core, desk)
        asked: list[FileRequest] = []
        service.transfers.on_request = asked.append
        service.open(f"https://{ALLOWED_HOST}/envoi").result(STEP_TIMEOUT_S)
        service.on_page(lambda page: page.click("#upload")).result(STEP_TIMEOUT_S)
        assert eventually(lambda: asked != [])
        assert asked[0] == FileRequest(multiple=False, accept=".pdf,image/*")

        outside = tmp_path / "elsewhere.pdf"
        outside.write_bytes(scan.read_bytes())
        with pytest.raises(UploadRefused):
            service.choose_files([outside]).result(STEP_TIMEOUT_S)
        with pytest.raises(UploadRefused):  # /etc/passwd and friends: never
            service.choose_files([Path("/etc/passwd")]).result(STEP_TIMEOUT_S)

        service.on_page(lambda page: page.click("#upload")).result(STEP_TIMEOUT_S)
        assert eventually(lambda: len(asked) == 2)
        service.choose_files([scan]).result(STEP_TIMEOUT_S)
        before = len(fake_sites.received())
        service.on_page(lambda page: page.click("#send")).result(STEP_TIMEOUT_S)
        assert eventually(lambda: len(fake_sites.received()) > before)
        assert scan.read_bytes() in fake_sites.received()[-1]
        assert outside.read_bytes() == scan.read_bytes()  # same bytes, refused by place
    finally:
        core.end(EndReason.FINISHED, offer_survey=False)


def download(page):  # type: ignore[no-untyped-def]
    with page.expect_download():
        page.click("#download")


def test_a_download_becomes_a_session_document_and_is_wiped(tmp_path: Path,
                                                             fake_sites: FakeSites):
    core, desk, _browsing, service = browsing_session(tmp_path, fake_sites)
    service.open(f"https://{ALLOWED_HOST}/compte").result(STEP_TIMEOUT_S)
    service.on_page(download).result(STEP_TIMEOUT_S)
    assert eventually(lambda: any(d.kind is DocumentKind.DOWNLOAD for d in desk.documents()))
    doc = next(d for d in desk.documents() if d.kind is DocumentKind.DOWNLOAD)
    assert doc.path.is_relative_to(core.session.workspace.path) and doc.pages == 1
    assert TOKEN.encode() in doc.path.read_bytes()
    assert "attestation" not in doc.path.name  # the site's file name is not kept
    core.end(EndReason.FINISHED, offer_survey=False)
    assert not doc.path.exists() and desk.documents() == []


@pytest.mark.cups
def test_a_downloaded_pdf_prints_on_the_test_cups_queue(tmp_path: Path, fake_sites: FakeSites,
                                                       cups_server):
    from kiosk.devices import open_printer

    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram"),
        "devices.printer_backend": "cups", "devices.cups_server": cups_server.address,
        "devices.printer_queue": cups_server.queue})
    printer = open_printer(settings)
    core, desk, _browsing, service = browsing_session(tmp_path, fake_sites, printer, settings)
    try:
        service.open(f"https://{ALLOWED_HOST}/compte").result(STEP_TIMEOUT_S)
        service.on_page(download).result(STEP_TIMEOUT_S)
        assert eventually(lambda: any(d.kind is DocumentKind.DOWNLOAD
                                      for d in desk.documents()))
        doc = next(d for d in desk.documents() if d.kind is DocumentKind.DOWNLOAD)
        assert desk.prints is not None
        job = desk.prints.submit(doc.path)
        assert desk.prints.wait(job, timeout=60).state is JobState.COMPLETED
        assert cups_server.wait_for_pdf(job.job_id, timeout=60).exists()
    finally:
        core.end(EndReason.FINISHED, offer_survey=False)
        printer.close()


def click_download(selector: str):  # type: ignore[no-untyped-def]
    def run(page):  # type: ignore[no-untyped-def]
        with page.expect_download():
            page.click(selector)
    return run


def test_an_image_becomes_a_printable_a4_page_and_other_files_are_refused_in_french(
        tmp_path: Path, fake_sites: FakeSites):
    from pypdf import PdfReader

    from kiosk.browser.downloads import NOT_PRINTABLE

    core, desk, browsing, service = browsing_session(tmp_path, fake_sites)
    refused: list[str] = []
    browsing.on_download_refused = refused.append
    try:
        service.open(f"https://{ALLOWED_HOST}/fichiers").result(STEP_TIMEOUT_S)
        service.on_page(click_download("#image")).result(STEP_TIMEOUT_S)
        assert eventually(lambda: any(d.kind is DocumentKind.DOWNLOAD for d in desk.documents()))
        doc = next(d for d in desk.documents() if d.kind is DocumentKind.DOWNLOAD)
        assert doc.path.suffix == ".pdf" and doc.pages == 1
        assert doc.path.is_relative_to(core.session.workspace.path)
        page = PdfReader(str(doc.path)).pages[0]
        width_mm, height_mm = (float(v) * 25.4 / 72 for v in page.mediabox.upper_right)
        assert abs(width_mm - 210) < 1 and abs(height_mm - 297) < 1  # A4, portrait
        picture = next(iter(page.images)).image
        # turned to portrait and centred: the picture's blue band now runs down the page
        assert picture.height > picture.width
        for height in (0.2, 0.5, 0.8):
            assert picture.getpixel((picture.width // 2, int(picture.height * height)))[2] > 150

        service.on_page(click_download("#docx")).result(STEP_TIMEOUT_S)
        assert eventually(lambda: refused != [])
        assert refused == [NOT_PRINTABLE] and "ne peut pas être ouvert" in refused[0]
        assert len(desk.documents()) == 1  # the Word file is not offered for printing
    finally:
        core.end(EndReason.FINISHED, offer_survey=False)
    assert not doc.path.exists()

