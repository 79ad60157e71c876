"""Smoke test: the private cupsd prints a PDF through the cups-pdf queue, from pycups."""
from __future__ import annotations

from pathlib import Path

import pytest
from fpdf import FPDF
from harness.cups import IPP_JOB_COMPLETED
from pypdf import PdfReader

pytestmark = pytest.mark.cups


def _three_page_pdf(path: Path) -> Path:
    pdf = FPDF(format="A4")
    pdf.set_font("helvetica", size=24)
    for number in range(1, 4):
        pdf.add_page()
        pdf.cell(text=f"Kiosk test page {number}")
    pdf.output(str(path))
    return path


def test_pdf_printed_on_cups_pdf_queue_comes_out_with_every_page(
        cups_server, cups_client, tmp_path, artifacts_dir):
    assert cups_server.queue in cups_client.getPrinters()
    document = _three_page_pdf(tmp_path / "three-pages.pdf")
    watcher = cups_server.watch_jobs(cups_client)
    try:
        job_id = cups_client.printFile(cups_server.queue, str(document), "kiosk smoke test", {})
        assert watcher.wait(job_id, timeout=60) == IPP_JOB_COMPLETED
    finally:
        watcher.close()

    output = cups_server.wait_for_pdf(job_id, timeout=60)
    # PreserveJobFiles/PreserveJobHistory No: nothing of the finished job stays in the spool.
    assert not list(cups_server.spool_dir.glob(f"[cd]{job_id:05d}*"))
    assert output.parent == cups_server.pdf_out_dir
    assert len(PdfReader(output).pages) == 3
    (artifacts_dir / "cups-pdf-output.pdf").write_bytes(output.read_bytes())


def test_stopped_queue_and_rejecting_queue_are_visible_to_clients(cups_server, cups_client):
    try:
        cups_server.disable_queue("paper jam (test)")
        cups_server.reject_jobs("maintenance (test)")
        attributes = cups_client.getPrinterAttributes(cups_server.queue)
        assert attributes["printer-state"] == 5  # IPP_PRINTER_STOPPED
        assert attributes["printer-is-accepting-jobs"] is False
        assert attributes["printer-state-message"] in ("paper jam (test)", "maintenance (test)")
    finally:
        cups_server.enable_queue()
        cups_server.accept_jobs()
    attributes = cups_client.getPrinterAttributes(cups_server.queue)
    assert attributes["printer-state"] == 3  # IPP_PRINTER_IDLE
    assert attributes["printer-is-accepting-jobs"] is True
