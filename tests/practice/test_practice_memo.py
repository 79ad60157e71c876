"""The memo sheet ("fiche mémo") printed through the real print path: a PDF written in the
session's private directory, sent by the print service to the private cupsd (cups-pdf queue),
counted against the quota, and gone with the session. No Kivy needed."""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.devices.printer import JobState
from kiosk.documents.printing import PrintService
from kiosk.media.pdf import count_pages
from kiosk.practice import load_catalogue
from kiosk.practice.memo import write_memo
from kiosk.sessions import open_core
from kiosk_wire import config
from kiosk_wire.schema import ActivityKind, EndReason, Language


@pytest.fixture
def catalogue():
    return load_catalogue(config.defaults())


def memo_text(path: Path) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)


@pytest.mark.parametrize("lang", ["fr", "en", "ar"])
def test_every_memo_sheet_is_a_pdf_with_its_title_and_steps(catalogue, tmp_path, lang):
    for procedure in catalogue.procedures:
        path = write_memo(procedure, tmp_path / f"{procedure.id}-{lang}.pdf", lang)
        assert count_pages(path) >= 1
        if lang == "ar":   # Arabic is drawn shaped, in visual order: not extractable as is
            continue
        text = " ".join(memo_text(path).split())
        assert " ".join(procedure.memo.title.get(lang).split()) in text
        first_step = procedure.memo.steps[0].get(lang).split()
        assert " ".join(first_step[:4]) in text, procedure.id


@pytest.mark.cups
def test_memo_sheet_is_printed_through_cups_and_wiped_with_the_session(cups_server, catalogue,
                                                                       tmp_path):
    from kiosk.devices import open_printer

    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "s"),
        "devices.printer_backend": "cups", "devices.cups_server": cups_server.address,
        "devices.printer_queue": cups_server.queue})
    core = open_core(settings)
    printer = open_printer(settings)
    try:
        core.start(Language.FR)
        service = PrintService(printer, core, quota_pages=20)
        memo = write_memo(catalogue.get("caf-trimestrielle"), core.new_file(".pdf", "document"))
        job = service.submit(memo)
        assert service.wait(job, timeout=60).state is JobState.COMPLETED
        assert count_pages(cups_server.wait_for_pdf(job.job_id, timeout=60)) == \
            count_pages(memo)
        assert [a.kind for a in core.session.activities] == [ActivityKind.PRINT]
        summary = core.end(EndReason.FINISHED, offer_survey=False)
        assert not memo.exists()
        assert summary.prints == 1 and summary.documents == 1
    finally:
        printer.close()
