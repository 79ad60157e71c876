"""« Appeler un médiateur » from inside a practice page, by touch on the real app (Kivy
offscreen), against a real `kiosk-server run` (uvicorn subprocess on SQLite): the request carries
the procedure and the step, the resident is told honestly what happened, and the procedure
stays where it was, with what was typed."""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from server.helpers import make_tenant, open_migrated

from kiosk.i18n import translate_to
from kiosk.screens.kit import ui
from kiosk.screens.practice.fields import TextField
from kiosk.sync import ServerConnection
from kiosk.sync.help import HelpDesk
from kiosk.sync.link import ServerLink
from kiosk_server import live
from kiosk_server.demo import spawn_server
from kiosk_wire.schema import EndReason, Language

from .helpers import queued_records
from .practice_play import advance_to, fill_field, open_practice

pytestmark = pytest.mark.display

PROCEDURE = "caf-trimestrielle"


class HelpServer:
    def __init__(self, data_dir: Path) -> None:
        url = f"sqlite:///{data_dir / 'server.sqlite'}"
        self.engine = open_migrated(url)
        self.tenant = make_tenant(self.engine)
        self.process = spawn_server(data_dir)

    def link(self) -> ServerLink:
        return ServerLink.checked(self.process.url, self.tenant.token, timeout_s=10)

    def open_requests(self) -> list[dict[str, Any]]:
        with self.engine.begin() as conn:
            return live.open_help_requests(conn)

    def mediator_answers(self, request_id: str) -> None:
        """ "J'arrive" in the console."""
        with self.engine.begin() as conn:
            assert live.acknowledge_help(conn, request_id)


@pytest.fixture
def help_server(tmp_path: Path) -> Iterator[HelpServer]:
    data_dir = tmp_path / "server-data"
    data_dir.mkdir()
    server = HelpServer(data_dir)
    try:
        yield server
    finally:
        server.process.stop()
        server.engine.dispose()


@pytest.fixture
def help_desk(ui_app: Any, help_server: HelpServer) -> Iterator[HelpDesk]:
    """The app's help desk, linked to the running server (the UI suite's app has none)."""
    runtime = ui_app.runtime
    before = runtime.connection
    desk = HelpDesk(runtime.core, help_server.link(), schedule=runtime.schedule)
    desk.add_listener(runtime.help_calls.desk_changed)   # what KioskRuntime.open_parts wires
    runtime.connection = ServerConnection(desk)
    try:
        yield desk
    finally:
        desk.wait_idle()
        runtime.connection = before


def start_practice(driver: Any, app: Any, lang: Language = Language.FR) -> Any:
    """A resident some pages into the procedure, on the page correcting a salary."""
    app.start_session(lang, set())
    app.ui.set_language(lang.value)    # what touching the language on the welcome screen does
    driver.frames(2)
    screen = open_practice(driver, app, PROCEDURE, "alone")
    advance_to(driver, screen, "correction")
    driver.frames(2)
    assert screen.run.step > 2
    return screen


def first_text_field(screen: Any) -> TextField:
    return next(f for f in screen.view.fields.values() if isinstance(f, TextField))


def test_mediator_is_called_from_the_page_with_where_the_resident_is_and_comes(
        driver, ui_app, help_server, help_desk, ui_artifacts):
    screen = start_practice(driver, ui_app)
    run, page, step = screen.run, screen.run.page, screen.run.step
    typed = first_text_field(screen)
    fill_field(driver, screen, typed, "12")
    typed_value = typed.get()
    assert typed_value

    driver.tap(screen.ids.call_mediator)
    help_desk.wait_idle()
    driver.frames(3)
    overlay = screen.overlay
    assert overlay.parent is not None
    assert overlay.title == "Un médiateur a été prévenu."
    assert "Restez devant la borne" in screen.help_call._card.txt
    assert screen.help_status == "Un médiateur a été prévenu."

    [request] = help_server.open_requests()
    assert (request["procedure_id"], request["step"]) == (PROCEDURE, step)
    assert request["request_id"] == str(help_desk.request_id)

    help_server.mediator_answers(request["request_id"])
    help_desk.poll()                   # what the next heartbeat does
    driver.frames(3)
    assert overlay.title == "Un médiateur arrive."
    assert "il vient vers vous" in screen.help_call._card.txt
    driver.screenshot(ui_artifacts / "practice-help-call-coming-fr.png")

    driver.tap(overlay.ids.close)
    assert overlay.parent is None
    assert driver.screen() is screen and screen.run is run and run.page is page
    assert first_text_field(screen).get() == typed_value, "what was typed is still there"
    assert screen.help_status == "Un médiateur arrive."
    assert screen.ids.help_status.opacity == 1, "the status stays written under the button"
    driver.screenshot(ui_artifacts / "practice-help-call-status-fr.png")

    ui_app.runtime.core.end(EndReason.FINISHED, offer_survey=False)
    driver.frames(2)
    assert screen.help_status == ""
    [record] = queued_records(ui_app)[-1:]
    assert record["help_requests"] == 1
    kinds = [a["kind"] for a in record["activities"]]
    assert "help" in kinds and "practice" in kinds


def test_when_the_server_cannot_be_reached_the_resident_is_sent_to_the_desk(
        driver, ui_app, help_server, help_desk, ui_artifacts):
    where = translate_to("en", ui_app.runtime.settings.get("kiosk.where_to_go"))
    screen = start_practice(driver, ui_app, Language.EN)
    help_server.process.stop()         # the network or the server is down

    said: list[str] = []
    hook, aloud = ui.speak_hook, ui.read_aloud
    ui.speak_hook, ui.read_aloud = said.append, True
    try:
        driver.tap(screen.ids.call_mediator)
        help_desk.wait_idle()
        driver.frames(3)
    finally:
        ui.speak_hook, ui.read_aloud = hook, aloud
    assert said[-1].startswith(f"We could not reach a mediator.\nGo to {where}"), said
    assert screen.overlay.title == "We could not reach a mediator."
    assert where in screen.help_call._card.txt
    assert screen.overlay.tone == "warning"
    driver.screenshot(ui_artifacts / "practice-help-call-go-to-desk-en.png")
    driver.tap(screen.overlay.ids.close)
    assert driver.screen() is screen and screen.run.page.id == "correction"
    ui_app.runtime.core.end(EndReason.FINISHED, offer_survey=False)
    assert queued_records(ui_app)[-1]["help_requests"] == 1
