"""Printing contract, run against the private cupsd (cups-pdf queue) AND the demo printer."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rigs import PrinterRig, cups_printer_rig, demo_printer_rig

from kiosk.devices import errors
from kiosk.devices.printer import JobState, PrinterState, PrintOptions
from kiosk.documents.printing import PRINT_JOB, PrintService
from kiosk.media import samples
from kiosk.media.pdf import images_to_pdf
from kiosk.sessions import open_core
from kiosk.sessions.workspace import Artefact
from kiosk_wire import config
from kiosk_wire.schema import ActivityKind, EndReason


@pytest.fixture(params=["demo", pytest.param("cups", marks=pytest.mark.cups)])
def rig(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[PrinterRig]:
    if request.param == "demo":
        yield demo_printer_rig(tmp_path / "demo-printer")
        return
    server = request.getfixturevalue("cups_server")
    settings = config.defaults().with_overrides({
        "devices.printer_backend": "cups", "devices.cups_server": server.address,
        "devices.printer_queue": server.queue})
    made = cups_printer_rig(server, settings)
    yield made
    made.start()
    made.accept()
    made.printer.close()


def letter_pdf(path: Path, pages: int) -> Path:
    return images_to_pdf([samples.letter_page(50, i + 1) for i in range(pages)], path, 50)


def test_printed_pdf_comes_out_with_its_page_count_and_a_plain_message(rig, core, tmp_path):
    service = PrintService(rig.printer, core, quota_pages=20)
    assert rig.printer.state is PrinterState.READY
    job = service.submit(letter_pdf(tmp_path / "two.pdf", 2))
    status = service.wait(job, timeout=60)
    assert status.state is JobState.COMPLETED
    assert status.message() == "Impression terminée : 2 pages"
    assert rig.output_pages(job.job_id) == 2
    assert [(a.kind, a.pages) for a in core.session.activities] == [(ActivityKind.PRINT, 2)]
    assert Artefact(PRINT_JOB, str(job.job_id), "print") in core.session.artefacts


def test_stopped_queue_is_refused_with_its_plain_message(rig, core, tmp_path):
    service = PrintService(rig.printer, core, quota_pages=20)
    rig.stop()
    try:
        with pytest.raises(errors.PrinterStopped) as err:
            service.submit(letter_pdf(tmp_path / "one.pdf", 1))
        assert err.value.shown() == "L'imprimante est arrêtée. Prévenez un médiateur."
        assert rig.printer.state is PrinterState.STOPPED
        assert service.used() == 0 and core.session.activities == []
    finally:
        rig.start()
    assert rig.printer.refresh() is PrinterState.READY


def test_queue_refusing_jobs_is_refused_with_its_plain_message(rig, core, tmp_path):
    service = PrintService(rig.printer, core, quota_pages=20)
    rig.reject()
    try:
        with pytest.raises(errors.JobRejected) as err:
            service.submit(letter_pdf(tmp_path / "one.pdf", 1))
        assert "refuse les impressions" in err.value.shown()
        assert rig.printer.state is PrinterState.REJECTING
    finally:
        rig.accept()


def test_quota_is_counted_before_anything_is_sent(rig, core, tmp_path):
    service = PrintService(rig.printer, core, quota_pages=3)
    spool_before = rig.spool_files()
    with pytest.raises(errors.QuotaExceeded) as err:
        service.submit(letter_pdf(tmp_path / "two.pdf", 2), PrintOptions(copies=2))
    assert (err.value.requested, err.value.remaining) == (4, 3)
    assert "nombre de pages autorisé" in err.value.shown()
    assert rig.spool_files() == spool_before and core.session.artefacts == []
    job = service.submit(letter_pdf(tmp_path / "three.pdf", 3))
    assert service.remaining() == 0 and job.pages == 3
    with pytest.raises(errors.QuotaExceeded):
        service.submit(letter_pdf(tmp_path / "one.pdf", 1))
    service.reset_quota()  # the mediator grants a new quota
    assert service.remaining() == 3
    service.wait(job, timeout=60)


def test_unreadable_document_is_refused_plainly(rig, core, tmp_path):
    bad = tmp_path / "bad.pdf"
    bad.write_bytes(b"not a pdf at all")
    with pytest.raises(errors.InvalidDocument) as err:
        PrintService(rig.printer, core, quota_pages=20).submit(bad)
    assert err.value.shown() == "Ce document ne peut pas être imprimé : il est vide ou abîmé."


def test_session_end_cancels_and_purges_queued_jobs_leaving_no_job_file(rig, core, tmp_path):
    service = PrintService(rig.printer, core, quota_pages=20)
    done = service.submit(letter_pdf(tmp_path / "one.pdf", 1))
    assert service.wait(done, timeout=60).state is JobState.COMPLETED
    # A job still waiting when the resident leaves (queue stopped: it stays in the spool).
    rig.stop()
    try:
        waiting = rig.printer.backend.submit(letter_pdf(tmp_path / "w.pdf", 1), "kiosk",
                                             PrintOptions())
        core.register(Artefact(PRINT_JOB, str(waiting), "print"))
        assert rig.spool_files(), "the waiting job's file should be in the spool"
        summary = core.end(EndReason.FINISHED, offer_survey=False)
        assert summary.failures == 0 and summary.prints == 2
        assert rig.spool_files() == []
        assert rig.printer.job_status(waiting).state is JobState.CANCELED
    finally:
        rig.start()


def test_crash_recovery_purges_the_jobs_of_the_interrupted_session(rig, tmp_path):
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram")})
    crashed = open_core(settings)
    PrintService(rig.printer, crashed, quota_pages=20)
    crashed.start()
    rig.stop()
    try:
        job_id = rig.printer.backend.submit(letter_pdf(tmp_path / "w.pdf", 1), "kiosk",
                                            PrintOptions())
        crashed.register(Artefact(PRINT_JOB, str(job_id), "print"))
        assert rig.spool_files()
        # The process dies here; the next start builds the print service, then recovers.
        restarted = open_core(settings)
        PrintService(rig.printer, restarted, quota_pages=20)
        assert restarted.recover() == 1
        assert rig.spool_files() == []
    finally:
        rig.start()


def test_paper_running_out_during_a_job_is_told_plainly(tmp_path, core):
    """Demo only: cups-pdf cannot run out of paper; the CUPS side is the state table's test."""
    from kiosk.devices.demo_printer import DemoPrinter
    from kiosk.devices.printer import Printer

    demo = DemoPrinter(tmp_path / "out", job_seconds=0.2)
    service = PrintService(Printer(demo), core, quota_pages=20)
    job = service.submit(letter_pdf(tmp_path / "one.pdf", 1))
    demo.inject(PrinterState.PAPER_OUT)
    status = service.status(job)
    assert not status.state.finished
    assert status.message() == "Plus de papier : prévenez un médiateur."
    with pytest.raises(errors.PaperOut):
        service.submit(letter_pdf(tmp_path / "two.pdf", 1))
    demo.inject(None)  # a mediator loads paper: the job comes out
    assert service.wait(job, timeout=30).state is JobState.COMPLETED


@pytest.mark.cups
def test_cups_queue_capabilities_are_read_and_unsupported_options_dropped(cups_server, core,
                                                                          tmp_path):
    made = cups_printer_rig(cups_server, config.defaults().with_overrides({
        "devices.printer_backend": "cups", "devices.cups_server": cups_server.address,
        "devices.printer_queue": cups_server.queue}))
    caps = made.printer.capabilities()
    assert caps.colour and not caps.duplex and caps.max_copies == 99  # cups-pdf: simplex
    service = PrintService(made.printer, core, quota_pages=20)
    job = service.submit(letter_pdf(tmp_path / "one.pdf", 1),
                         PrintOptions(copies=2, duplex=True, colour=False))
    assert job.pages == 2
    assert service.wait(job, timeout=60).state is JobState.COMPLETED
    assert made.output_pages(job.job_id) >= 1
    made.printer.close()


def test_quota_starts_afresh_for_the_next_resident(tmp_path):
    from kiosk.devices.demo_printer import DemoPrinter
    from kiosk.devices.printer import Printer

    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "ram")})
    core = open_core(settings)
    service = PrintService(Printer(DemoPrinter(tmp_path / "out", 0.05)), core, quota_pages=2)
    core.start()
    service.submit(letter_pdf(tmp_path / "two.pdf", 2))
    assert service.remaining() == 0
    core.end(EndReason.FINISHED, offer_survey=False)
    core.start()
    assert service.remaining() == 2


def test_cancelled_job_is_told_plainly_and_leaves_nothing(rig, core, tmp_path):
    from kiosk.documents.printing import PrintJob

    service = PrintService(rig.printer, core, quota_pages=20)
    rig.stop()  # held in the queue, so the cancel surely finds it waiting
    try:
        job_id = rig.printer.backend.submit(letter_pdf(tmp_path / "one.pdf", 1), "kiosk",
                                            PrintOptions())
        service.cancel(PrintJob(job_id, 1))
        status = rig.printer.job_status(job_id)
        assert status.state is JobState.CANCELED
        assert status.message() == "Impression annulée."
        assert rig.spool_files() == []
    finally:
        rig.start()


@pytest.mark.parametrize("fault, error", [
    (PrinterState.PAPER_OUT, errors.PaperOut), (PrinterState.PAPER_JAM, errors.PaperJam),
    (PrinterState.COVER_OPEN, errors.PrinterCoverOpen),
    (PrinterState.OFFLINE, errors.PrinterOffline)])
def test_each_printer_fault_refuses_the_job_with_its_own_message(tmp_path, core, fault, error):
    from kiosk.devices.demo_printer import DemoPrinter
    from kiosk.devices.printer import STATE_MESSAGES, Printer

    demo = DemoPrinter(tmp_path / "out")
    printer = Printer(demo)
    demo.inject(fault)
    with pytest.raises(error) as err:
        PrintService(printer, core, quota_pages=20).submit(letter_pdf(tmp_path / "a.pdf", 1))
    assert err.value.shown() == STATE_MESSAGES[fault] == printer.message()
    assert core.session.activities == []


@pytest.mark.cups
def test_print_server_going_away_shows_the_printer_offline(cups_server, tmp_path, core):
    """A second private cupsd, stopped under the kiosk's feet (the shared one stays up)."""
    import os
    import shutil

    from harness.cups import CupsServer

    from kiosk.devices import open_printer

    root = tmp_path / "second"
    root.mkdir()
    os.chmod(tmp_path, 0o755)
    os.chmod(root, 0o755)
    server = CupsServer.start(root, shutil.which("cupsd") or "/usr/sbin/cupsd")
    try:
        printer = open_printer(config.defaults().with_overrides({
            "devices.printer_backend": "cups", "devices.cups_server": server.address,
            "devices.printer_queue": server.queue}))
        assert printer.state is PrinterState.READY
        seen: list[PrinterState] = []
        printer.add_listener(lambda old, new: seen.append(new))
    finally:
        server.stop()
    assert printer.refresh() is PrinterState.OFFLINE and seen == [PrinterState.OFFLINE]
    with pytest.raises(errors.PrinterOffline) as err:
        PrintService(printer, core, quota_pages=20).submit(letter_pdf(tmp_path / "a.pdf", 1))
    assert err.value.shown() == "L'imprimante n'est pas joignable. Prévenez un médiateur."


def test_demo_printouts_do_not_outlive_the_session(tmp_path, core):
    from kiosk.devices.demo_printer import DemoPrinter
    from kiosk.devices.printer import Printer

    demo = DemoPrinter(tmp_path / "out", job_seconds=0.05)
    service = PrintService(Printer(demo), core, quota_pages=20)
    job = service.submit(letter_pdf(tmp_path / "a.pdf", 1))
    assert service.wait(job, timeout=30).state is JobState.COMPLETED
    assert demo.output_for(job.job_id).exists()  # the "paper", visible during the session
    core.end(EndReason.FINISHED, offer_survey=False)
    assert not demo.output_for(job.job_id).exists()


def test_a_job_sent_from_a_worker_thread_reaches_the_configured_print_server(rig, core,
                                                                             tmp_path):
    """The memo sheet and the parcours card are built and sent on a worker thread: libcups
    keeps the server and port per thread, so the configured ones must hold there too."""
    import threading

    service = PrintService(rig.printer, core, quota_pages=20)
    pdf = letter_pdf(tmp_path / "one.pdf", 1)
    sent: list[object] = []
    worker = threading.Thread(target=lambda: sent.append(_submit_or_error(service, pdf)))
    worker.start()
    worker.join()
    job = sent[0]
    assert not isinstance(job, Exception), job
    assert service.wait(job, timeout=60).state is JobState.COMPLETED


def _submit_or_error(service: PrintService, pdf: Path) -> object:
    try:
        return service.submit(pdf)
    except errors.DeviceError as err:
        return err
