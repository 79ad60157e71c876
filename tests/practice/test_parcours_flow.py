"""A parcours followed through the practice flow, without a display: the real runtime (session
core, local store, demo printer and scanner), the engine playing the persona's answers. A step
finished is marked done and its activity tagged with the parcours id and rank (an exercise
outside the parcours is not); the progress card goes to the printer as a session file; laid on
the scanner at the next session, it resumes the parcours; everything goes with the session."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from PIL import Image

from kiosk.devices.printer import JobState
from kiosk.practice.engine import Mode
from kiosk.practice.flow import PracticeFlow
from kiosk.practice.parcours_card import CardReading
from kiosk.practice.solution import page_solution
from kiosk.runtime import KioskRuntime
from kiosk.sessions.clock import ManualClock
from kiosk_wire import config
from kiosk_wire.schema import EndReason


@pytest.fixture
def runtime(tmp_path: Path):
    settings = config.defaults().with_overrides({
        "kiosk.data_dir": str(tmp_path / "data"), "kiosk.session_dir": str(tmp_path / "s"),
        "devices.printer_backend": "demo", "devices.scanner_backend": "demo",
        "devices.reader_backend": "demo", "devices.hotplug_backend": "demo",
        "practice.card_key": "a-fleet-key-for-this-test"})
    rt = KioskRuntime(settings, clock=ManualClock())
    yield rt
    rt.close()


def finish(flow: PracticeFlow, procedure_id: str) -> None:
    run = flow.start(flow.catalogue.get(procedure_id), Mode.AUTONOMOUS)
    for _ in range(40):
        if run.page.end:
            break
        assert run.submit(page_solution(run.page, run.procedure, run.sms_code)).ok
    flow.leave()


def test_finishing_the_short_version_of_a_step_counts_for_the_parcours(runtime):
    """« Version courte (première fois) » is offered first to a first-timer: finishing it counts
    for its parcours step (the card and "2 sur 5" follow), while its activity keeps its own id
    so the statistics still tell the two versions apart."""
    core = runtime.core
    core.start()
    flow = PracticeFlow(runtime)
    parcours = flow.parcours.offered()["initiation"]
    step = parcours.steps.index("identite-numerique-connexion")
    flow.parcours.follow(parcours)
    finish(flow, "identite-numerique-connexion-courte")
    progress = flow.parcours.progress
    assert progress is not None and progress.done == {step}
    tags = [(a.procedure_id, a.parcours_id, a.parcours_step) for a in core.session.activities]
    assert tags == [("identite-numerique-connexion-courte", "initiation", step + 1)]
    assert flow.parcours.card_worth_printing()
    core.end(EndReason.FINISHED, offer_survey=False)


def test_a_parcours_step_is_tagged_printed_on_a_card_and_resumed(runtime, tmp_path):
    core = runtime.core
    core.start()
    flow = PracticeFlow(runtime)
    parcours = flow.parcours.offered()["demarches-emploi"]
    flow.parcours.follow(parcours)
    assert not flow.parcours.card_worth_printing()
    finish(flow, "cv-guide")
    finish(flow, "arnaques-reperer")           # not a step of this parcours
    progress = flow.parcours.progress
    assert progress is not None and progress.done == {0}
    assert progress.next_procedure() == "email-premiere-adresse"
    tags = [(a.procedure_id, a.parcours_id, a.parcours_step) for a in core.session.activities]
    assert tags == [("cv-guide", "demarches-emploi", 1), ("arnaques-reperer", None, None)]

    assert flow.parcours.card_worth_printing()
    job = flow.print_card("fr")
    assert job.pages == 1 and not flow.parcours.card_worth_printing()
    card = [Path(a.ref) for a in core.session.artefacts if a.kind == "file"][-1]
    assert card.exists()
    assert runtime.print_service.wait(job, timeout=30).state is JobState.COMPLETED
    printed = runtime.printer.backend.output_for(job.job_id)   # what came out of the printer
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(printed),
                    str(tmp_path / "scan")], check=True, capture_output=True)
    core.end(EndReason.FINISHED, offer_survey=False)
    assert flow.parcours.progress is None and not card.exists()

    core.start()
    scanner = runtime.scanner
    assert scanner is not None
    scanner.backend.place("letter")            # a page without a card's code
    assert flow.parcours.read_card(scanner.scan()).reading is CardReading.NO_CODE
    scanner.backend.place(Image.open(tmp_path / "scan.png").convert("RGB"))
    reading = flow.parcours.read_card(scanner.scan())
    assert reading.reading is CardReading.OK and flow.parcours.progress is None
    flow.parcours.resume(reading)
    resumed = flow.parcours.progress
    assert resumed is not None and resumed.parcours.id == "demarches-emploi"
    assert resumed.done == {0} and not flow.parcours.card_worth_printing()
