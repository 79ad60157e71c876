"""A parcours followed by touch across two visits: chosen in the catalogue, two exercises
played (the next one suggested on the debrief, "2 sur 5"), the progress card printed at the end
of the session through the real CUPS path (private cupsd, cups-pdf queue), its QR code read back
from the printed PDF; at the next visit a tampered card is refused in plain French and the
printed card, laid on the scanner, resumes the parcours where it was left.

The scanner here is the demo backend with the printed page placed on its glass: SANE's test
backend scans only its own test patterns, never a given sheet. The page is the PDF cupsd
printed, rasterised by poppler as a scanner would see it at the card's resolution."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from kiosk.devices.printer import JobState
from kiosk.documents.codes import read_qr_texts
from kiosk.practice import parcours_card
from kiosk.practice.qr import qr_image
from kiosk.screens.practice.parcours_resume import CARD_SCAN_DPI
from kiosk_wire.schema import Language

from .helpers import queued_records

# slow: ~12 s, of which ~5 s are cupsd's cups-pdf turning the card into its PDF; the card's
# content, its signature and its reading from a printed PDF are checked in seconds, without a
# display, by tests/practice/test_parcours.py.
pytestmark = [pytest.mark.display, pytest.mark.cups, pytest.mark.slow]

PARCOURS = "initiation"


def start_session(app, driver):
    app.start_session(Language.FR, set())
    driver.frames(2)
    assert driver.screen().name == "home"


def to_catalogue(driver):
    driver.tap(driver.screen().ids.tile_practice)
    driver.frames(2)
    catalogue = driver.screen()
    assert catalogue.name == "practice_catalogue"
    return catalogue


def play_exercise(driver):
    """From the start screen of an exercise to its debrief: the start and last pages by touch,
    the pages between answered with the persona's values through the engine (not what this
    test is about: tests/ui/test_practice_screens.py plays pages by touch)."""
    from kiosk.practice.solution import page_solution

    start = driver.screen()
    assert start.name == "practice_start"
    start.ids.scroller.scroll_to(start.ids.guided, animate=False)
    driver.frames(2)
    driver.tap(start.ids.guided)
    page = driver.screen()
    assert page.name == "practice_page"
    run = page.run
    for _ in range(40):
        if run.page.end:
            break
        result = run.submit(page_solution(run.page, run.procedure, run.sms_code))
        assert result.ok, (run.page.id, {k: e.text() for k, e in result.errors.items()})
    assert run.completed
    page.show_page()
    driver.frames(2)
    page.ids.scroller.scroll_to(page.view.button, animate=False)
    driver.frames(2)
    driver.tap(page.view.button)          # "Terminer l'exercice et voir mon bilan"
    debrief = driver.screen()
    assert debrief.name == "practice_debrief"
    return debrief


def rasterise(pdf: Path, dpi: int) -> Image.Image:
    prefix = pdf.with_suffix("")
    subprocess.run(["pdftoppm", "-r", str(dpi), "-png", "-singlefile", str(pdf), str(prefix)],
                   check=True, capture_output=True)
    return Image.open(prefix.with_suffix(".png")).convert("RGB")


def read_on_scanner(driver, app, image):
    resume = driver.screen()
    assert resume.name == "practice_parcours_resume"
    app.runtime.scanner.backend.place(image)
    driver.tap(resume.ids.read_card)
    resume.wait_idle(lambda: driver.frames(1))
    driver.frames(2)
    return resume


@pytest.fixture
def cups_prints(ui_app, cups_server):
    """The app's print service sends to the private cupsd for this test only."""
    from kiosk.devices import open_printer
    from kiosk.documents.printing import PRINT_JOB, PrintService
    from kiosk_wire import config

    runtime = ui_app.runtime
    settings = config.defaults().with_overrides({
        "devices.printer_backend": "cups", "devices.cups_server": cups_server.address,
        "devices.printer_queue": cups_server.queue})
    printer = open_printer(settings)
    before = runtime.documents.prints
    service = PrintService(printer, runtime.core, quota_pages=20)
    runtime.documents.prints = service
    try:
        yield service
    finally:
        runtime.documents.prints = before
        if before is not None:
            runtime.core.disposers.register(PRINT_JOB, before._dispose)
        printer.close()


def test_a_parcours_is_followed_printed_on_a_card_and_resumed_at_the_next_visit(
        driver, ui_app, cups_server, cups_prints, tmp_path, ui_artifacts):
    runtime = ui_app.runtime
    start_session(ui_app, driver)
    catalogue = to_catalogue(driver)
    button = catalogue.parcours_button(PARCOURS)
    assert button is not None and "Parcours initiation" in button.txt
    driver.frames(2)
    driver.tap(button)
    parcours_screen = driver.screen()
    assert parcours_screen.name == "practice_parcours"
    assert parcours_screen.ids.progress.txt == "Exercices faits : 0 sur 5"
    steps = catalogue.flow.parcours.progress.parcours.steps

    # Exercise 1, started from the parcours; the debrief suggests exercise 2.
    driver.tap(parcours_screen.ids.start_next)
    assert driver.screen().procedure.id == steps[0]
    debrief = play_exercise(driver)
    assert debrief.ids.parcours.txt == "Parcours initiation : Exercices faits : 1 sur 5"
    second = runtime.practice.get(steps[1])
    assert debrief.ids.parcours_next.txt == f"Exercice suivant : {second.title.fr}"
    debrief.ids.scroller.scroll_to(debrief.ids.parcours_next, animate=False)
    driver.frames(2)
    driver.tap(debrief.ids.parcours_next)
    assert driver.screen().procedure.id == steps[1]
    debrief = play_exercise(driver)
    assert debrief.ids.parcours.txt.endswith("2 sur 5")
    driver.screenshot(ui_artifacts / "parcours-debrief.png")

    # "J'ai terminé": the card is offered first and printed through cupsd.
    debrief.page_home()
    driver.frames(2)
    driver.tap(driver.screen().ids.tile_done)
    card_screen = driver.screen()
    assert card_screen.name == "practice_parcours_card"
    assert "2 exercices" in card_screen.ids.body.txt
    driver.tap(card_screen.ids.print_card)
    card_screen.wait_idle(lambda: driver.frames(1))
    assert card_screen.printed, card_screen.print_status
    driver.screenshot(ui_artifacts / "parcours-card-screen.png")
    job = card_screen.last_job
    assert cups_prints.wait(job, timeout=60).state is JobState.COMPLETED
    printed = Path(cups_server.wait_for_pdf(job.job_id, timeout=60))
    card_pdf = tmp_path / "card.pdf"
    card_pdf.write_bytes(printed.read_bytes())
    scanned = rasterise(card_pdf, CARD_SCAN_DPI)

    # The card's QR code: the parcours, the two exercises done, a signature; nothing else.
    texts = read_qr_texts(scanned)
    assert len(texts) == 1
    prefix, parcours_id, done, signature = texts[0].split(":")
    assert (prefix, parcours_id, done) == ("kp1", PARCOURS, "3") and len(signature) == 22

    # The usual confirmation, then the wipe; the record counts the two steps, nothing more.
    before = len(queued_records(ui_app))
    driver.tap(card_screen.ids.finish)
    driver.answer(confirm=True)
    driver.frames(2)
    runtime.core.complete(None)
    records = queued_records(ui_app)
    assert len(records) == before + 1
    tagged = [(a["procedure_id"], a.get("parcours_id"), a.get("parcours_step"))
              for a in records[-1]["activities"] if a["kind"] == "practice"]
    assert tagged == [(steps[0], PARCOURS, 1), (steps[1], PARCOURS, 2)]
    assert catalogue.flow.parcours.progress is None, "the parcours goes with the session"

    # Next visit: a card whose code was altered (a third exercise "done") is refused.
    start_session(ui_app, driver)
    catalogue = to_catalogue(driver)
    catalogue.ids.scroller.scroll_to(catalogue.ids.resume_card, animate=False)
    driver.frames(2)
    driver.tap(catalogue.ids.resume_card)
    forged = texts[0].replace(f":{PARCOURS}:3:", f":{PARCOURS}:7:")
    sheet = Image.new("RGB", scanned.size, "white")
    sheet.paste(qr_image(forged, scale=4), (100, 100))
    resume = read_on_scanner(driver, ui_app, sheet)
    assert resume.ids.status.txt == parcours_card.READING_MESSAGES[
        parcours_card.CardReading.TAMPERED]
    assert resume.refused and catalogue.flow.parcours.progress is None

    # The printed card resumes the parcours at its third exercise.
    read_on_scanner(driver, ui_app, scanned)
    resumed = driver.screen()
    assert resumed.name == "practice_parcours"
    assert resumed.ids.status.txt == "Votre carte est lue : le parcours reprend."
    assert resumed.ids.progress.txt == "Exercices faits : 2 sur 5"
    third = runtime.practice.get(steps[2])
    assert resumed.ids.start_next.txt == f"Commencer : {third.title.fr}"
    driver.screenshot(ui_artifacts / "parcours-resumed.png")
