"""The scan/copy screens driven by simulated touches on the real app (Kivy offscreen), with the
demo scanner and the demo printer (the real SANE and CUPS stacks are covered by the device
tests): an ID copy recto/verso, watermarked and printed; a multi-page document; faults.
Screenshots of every step are saved as test artifacts."""
from __future__ import annotations

import time
from pathlib import Path

import pytest
from kivy.metrics import dp
from pypdf import PdfReader

from kiosk import theme
from kiosk.devices import errors
from kiosk.screens.driver import FingerTouch, touch_targets, visible_widgets
from kiosk.screens.kit import KLabel, ui
from kiosk.sessions.state import SessionState

from .helpers import key_button, type_on

pytestmark = pytest.mark.display


# --- helpers --------------------------------------------------------------------------------------
def start_session(driver, lang: str = "fr") -> None:
    driver.tap(driver.screen().ids[f"lang_{lang}"])
    driver.tap(driver.screen().ids.start)
    assert driver.screen().name == "home"


def wait_ready(driver, screen) -> None:
    screen.wait_idle(lambda: driver.frames(1))
    driver.frames(2)


def shoot(driver, out: Path, name: str) -> None:
    shot = driver.screenshot(out / f"{name}.png")
    assert shot.stat().st_size > 10_000, f"{shot} looks empty"
    overflowing = [w.txt[:60] for w in visible_widgets(driver.app.root)
                   if isinstance(w, KLabel) and w.txt and w.overflows()]
    assert overflowing == [], f"{name}: text overflows its box"
    minimum = dp(theme.MIN_TOUCH_DP) - 0.5
    small = [getattr(t, "txt", "") or type(t).__name__ for t in touch_targets(driver.app.root)
             if t.width < minimum or t.height < minimum]
    assert small == [], f"{name}: touch targets below {theme.MIN_TOUCH_DP} dp"


def type_button(screen, doc_type: str):
    return next(b for b in screen.ids.types.children if b.doc_type == doc_type)


def purpose_button(screen, purpose: str):
    return next(b for b in screen.ids.purposes.children if getattr(b, "purpose", "") == purpose)


def tap_scrolled(driver, scroll, widget) -> None:
    """Scroll until the widget shows (as a finger would), then tap it."""
    driver.frames(3)  # layout settled (large text re-flows the grid) before scrolling
    scroll.scroll_to(widget, padding=10, animate=False)
    driver.frames(3)
    driver.tap(widget)


def drag(driver, start: tuple[float, float], end: tuple[float, float], steps: int = 5) -> None:
    touch = FingerTouch(*start)
    touch.down()
    for i in range(1, steps + 1):
        touch.move_to(start[0] + (end[0] - start[0]) * i / steps,
                      start[1] + (end[1] - start[1]) * i / steps)
    touch.up()
    driver.frames(1)


def follow_job(driver, screen, limit: int = 500) -> None:
    """Let the print screen poll its job until it is finished (the demo printer takes ~0.5 s)."""
    for _ in range(limit):
        if not screen.job_running:
            return
        time.sleep(0.05)
        driver.frames(1)
        screen.poll()
    raise TimeoutError("print job never finished")


def session_files(core) -> list[Path]:
    root = core.workspace_root
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


@pytest.fixture
def demo_devices(ui_app):
    """The demo backends behind the facades, reset to a ready state after the test."""
    scanner = ui_app.runtime.scanner.backend
    printer = ui_app.runtime.printer.backend
    yield scanner, printer
    scanner.inject(None)
    scanner.place("letter")
    printer.inject(None)
    ui_app.runtime.printer.refresh()


# --- the flows ------------------------------------------------------------------------------------
def stepper(screen) -> tuple[int, int]:
    """ "Étape n sur m" of the page template's header."""
    return int(screen.ids.page.step), int(screen.ids.page.steps)


def copy_id_card(driver, ui_app, demo_devices, out: Path | None, purpose: str = "CAF"):
    """Home -> scan -> carte d'identité -> recto -> verso -> watermark -> result, by touch."""
    scanner, _printer = demo_devices
    driver.tap(driver.screen().ids.tile_scan)
    screen = driver.screen()
    assert screen.name == "scan" and screen.step == "type"
    assert screen.ids.page.steps == 0   # the route is not known before the document is
    out and shoot(driver, out, "01-type")

    driver.tap(type_button(screen, "id_card"))
    assert screen.step == "place" and screen.face == "front"
    assert stepper(screen) == (2, 7) and (ui.language != "fr" or screen.ids.page.ids.
                                          next_label.txt == "Étape suivante : Vérifier le recto")
    out and shoot(driver, out, "02-place-recto")
    scanner.place("id_recto")
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    assert screen.step == "crop", screen.ids.fault.message
    out and shoot(driver, out, "03-crop-recto")

    # Move the top-left handle outwards and back by touch: the crop follows the finger.
    editor = screen.ids.crop_editor
    before = list(editor.box)
    tl = editor.to_window(*editor.handle_points()[0])
    drag(driver, tl, (tl[0] - 20, tl[1] + 20))
    wait_ready(driver, screen)
    assert editor.box[0] < before[0] and editor.box[1] < before[1]
    tl = editor.to_window(*editor.handle_points()[0])
    drag(driver, tl, (tl[0] + 20, tl[1] - 20))
    wait_ready(driver, screen)
    driver.tap(screen.ids.rotate)   # a quarter turn and back: the rotate button works
    wait_ready(driver, screen)
    assert screen.flow.idcopy.sides[screen.flow.side].quarter_turns == 1
    out and shoot(driver, out, "04-crop-recto-rotated")
    for _ in range(3):
        driver.tap(screen.ids.rotate)
        wait_ready(driver, screen)
    driver.tap(screen.ids.accept)

    assert screen.step == "place" and screen.face == "back" and stepper(screen) == (4, 7)
    out and shoot(driver, out, "05-place-verso")
    scanner.place("id_verso")
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    assert screen.step == "crop"
    driver.tap(screen.ids.accept)

    assert screen.step == "watermark" and stepper(screen) == (6, 7)
    assert screen.watermark_on, "an ID copy is watermarked by default"
    assert "organismes demandent une copie sans filigrane" in screen.ids.wm_warning.txt \
        or ui.language != "fr"
    assert screen.ids.wm_intro.txt and screen.ids.wm_intro.txt in screen.speech_text()
    tap_scrolled(driver, screen.ids.wm_scroll, purpose_button(screen, purpose))
    out and shoot(driver, out, "06-watermark")
    driver.tap(screen.ids.wm_continue)
    wait_ready(driver, screen)
    assert screen.step == "result", screen.ids.fault.message
    assert stepper(screen) == (7, 7) and screen.ids.page.next_step == ""
    # Every scan or copy ends with the reminder to take the original back, in the language shown.
    from kiosk.i18n import _
    from kiosk.sessions.end_words import GLASS_REMINDER
    assert _(GLASS_REMINDER) in screen.ids.body.txt
    out and shoot(driver, out, "07-result")
    return screen


def test_id_copy_recto_verso_watermarked_printed_then_wiped(driver, ui_app, demo_devices,
                                                            artifacts_dir):
    out = artifacts_dir / "fr"
    core = ui_app.runtime.core
    _scanner, printer = demo_devices
    start_session(driver)
    screen = copy_id_card(driver, ui_app, demo_devices, out)

    doc = screen.flow.result
    assert doc.watermarked and doc.pages == 1
    assert doc.path.parent == core.session.workspace.path  # made through core.new_file
    assert "CAF" in screen.ids.result_title.txt
    assert [d.doc_id for d in ui_app.runtime.documents.documents()] == [doc.doc_id]

    driver.tap(screen.ids.to_print)
    printing = driver.screen()
    assert printing.name == "print" and printing.selected == doc.doc_id
    assert "Il vous reste 20 pages" in printing.ids.quota.txt
    out and shoot(driver, out, "08-print-choose")
    driver.tap(printing.ids.print_button)
    job = printing._job
    follow_job(driver, printing)
    assert printing.ids.status.txt == "Impression terminée : 1 page"
    shoot(driver, out, "09-print-done")
    printed = printer.output_for(job.job_id)
    assert len(PdfReader(str(printed)).pages) == 1
    assert printer.spool_files() == []

    driver.tap(printing.ids.home)
    driver.tap(driver.screen().ids.tile_done)
    driver.answer()  # "Oui, terminer et tout effacer"
    assert core.state is SessionState.ENDING
    assert session_files(core) == []
    assert not doc.path.exists()
    assert ui_app.runtime.documents.documents() == []
    assert screen.flow.result_image is None and screen.crop_image is None
    assert screen.purpose == "" and screen.result_txt == ""  # nothing typed outlives the visit


def test_multi_page_document_scan_makes_one_pdf(driver, ui_app, demo_devices, artifacts_dir):
    out = artifacts_dir / "fr-document"
    start_session(driver)
    driver.tap(driver.screen().ids.tile_scan)
    screen = driver.screen()
    driver.tap(type_button(screen, "proof"))
    assert screen.step == "place" and stepper(screen) == (2, 5)
    driver.tap(screen.ids.colour)  # a letter in grey: smaller, as legible
    assert not screen.flow.colour
    shoot(driver, out, "01-place-page")
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    assert screen.step == "pages" and screen.ids.pages_count.txt == "1 page scannée"
    assert stepper(screen) == (3, 5)
    shoot(driver, out, "02-pages")
    driver.tap(screen.ids.add_page)
    assert stepper(screen) == (2, 5)   # another page: placing it again, as asked
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    assert screen.ids.pages_count.txt == "2 pages scannées"
    driver.tap(screen.ids.pages_done)

    assert screen.step == "watermark" and not screen.watermark_on  # not an ID document
    assert stepper(screen) == (4, 5)
    shoot(driver, out, "03-watermark-off")
    driver.tap(screen.ids.wm_continue)
    wait_ready(driver, screen)
    assert screen.step == "result"
    shoot(driver, out, "04-result")
    doc = screen.flow.result
    assert doc.pages == 2 and not doc.watermarked
    assert PdfReader(str(doc.path)).pages[0].images[0].image.mode == "L"  # scanned in grey
    assert len(PdfReader(str(doc.path)).pages) == 2
    # Offered to a practice procedure's upload field: registered as a scan of this session.
    labels = [a.label for a in ui_app.runtime.core.session.artefacts if a.ref == str(doc.path)]
    assert labels == ["scan"]

    # Two pages on a queue that can print both sides: the choice is offered.
    driver.tap(screen.ids.to_print)
    printing = driver.screen()
    assert printing.can_duplex and printing.can_colour
    driver.tap(printing.ids.duplex)
    assert printing.duplex
    shoot(driver, out, "05-print-two-sided")
    driver.tap(printing.ids.print_button)
    follow_job(driver, printing)
    assert printing.ids.status.txt == "Impression terminée : 2 pages"


def test_watermark_purpose_typed_on_the_keyboard(driver, ui_app, demo_devices):
    start_session(driver)
    driver.tap(driver.screen().ids.tile_scan)
    screen = driver.screen()
    driver.tap(type_button(screen, "passport"))
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    driver.tap(screen.ids.pages_done)
    assert screen.watermark_on  # a passport is an ID document
    driver.tap(screen.ids.wm_continue)  # on, but no purpose yet: a plain message, nothing lost
    assert screen.step == "watermark"
    assert screen.ids.fault.message == ("Écrivez à qui la copie est destinée, "
                                        "ou choisissez dans la liste.")
    tap_scrolled(driver, screen.ids.wm_scroll, screen.ids.wm_other)
    type_on(driver, screen.ids.purpose_keyboard, "Agence Léa")
    driver.tap(key_button(screen.ids.purpose_keyboard, "{enter}"))
    assert not screen.typing
    assert "Agence Léa" in screen.ids.wm_preview.txt
    driver.tap(screen.ids.wm_continue)
    wait_ready(driver, screen)
    assert screen.step == "result" and screen.flow.result.watermarked
    assert screen.flow.purpose == "Agence Léa"


def test_scanner_without_document_says_what_to_do(driver, ui_app, demo_devices, artifacts_dir):
    scanner, _printer = demo_devices
    start_session(driver)
    driver.tap(driver.screen().ids.tile_scan)
    screen = driver.screen()
    driver.tap(type_button(screen, "id_card"))
    scanner.inject(errors.NoDocument)
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    fault = screen.ids.fault
    assert screen.step == "place"
    assert fault.message == "Aucun document n'est en place. Posez votre document et réessayez."
    assert "Réessayer" in fault.advice
    shoot(driver, artifacts_dir / "fr-faults", "scanner-no-document")
    scanner.place("id_recto")
    driver.tap(fault.ids.retry)
    wait_ready(driver, screen)
    assert screen.step == "crop" and not fault.message


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_id_copy_screens_in_other_languages(driver, ui_app, demo_devices, artifacts_dir, lang):
    start_session(driver, lang)
    screen = copy_id_card(driver, ui_app, demo_devices, artifacts_dir / lang, purpose="Banque")
    assert screen.flow.result.watermarked


def test_id_copy_screens_at_the_largest_text_size(driver, ui_app, demo_devices, artifacts_dir):
    driver.tap(driver.screen().ids.large_text)
    driver.tap(driver.screen().ids.large_text)
    assert ui.text_scale == 2.0
    start_session(driver)
    screen = copy_id_card(driver, ui_app, demo_devices, artifacts_dir / "fr-x2")
    assert screen.flow.result.watermarked


def test_back_button_goes_one_step_back_and_keeps_what_was_scanned(driver, ui_app, demo_devices):
    scanner, _printer = demo_devices
    start_session(driver)
    driver.tap(driver.screen().ids.tile_scan)
    screen = driver.screen()
    driver.tap(type_button(screen, "id_card"))
    driver.tap(screen.ids.back)
    assert screen.step == "type"  # wrong document chosen: back to the list
    driver.tap(type_button(screen, "residence_permit"))
    scanner.place("id_recto")
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    driver.tap(screen.ids.accept)
    assert screen.step == "place" and screen.face == "back"
    driver.tap(screen.ids.back)
    assert screen.step == "crop" and screen.crop_image is not None  # the recto, not rescanned
    driver.tap(screen.ids.accept)
    scanner.place("id_verso")
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    driver.tap(screen.ids.accept)
    assert screen.step == "watermark"
    driver.tap(screen.ids.back)
    assert screen.step == "crop"
    driver.tap(screen.ids.accept)
    assert screen.step == "watermark"
    assert set(screen.flow.idcopy.sides) == {"recto", "verso"}


@pytest.fixture
def usb_key(ui_app, tmp_path):
    """A USB key as the automounter leaves it: a real mount (tmpfs named after a block device
    node) announced through the demo hotplug backend. Needs root (mount), as on the kiosk."""
    import subprocess

    from kiosk.devices.hotplug import DeviceKind
    from kiosk.devices.usb_storage import StoragePolicy

    node = "/dev/sdz1"
    mount_point = tmp_path / "usb-key"
    mount_point.mkdir()
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", node, str(mount_point)],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount a test key here: {done.stderr.strip()}")
    devices = ui_app.runtime.devices
    policy, devices.usb_storage.policy = devices.usb_storage.policy, StoragePolicy.OFFER
    devices.hotplug.backend.plug(DeviceKind.STORAGE, "usb-key-1", "Clé de test", (node,))
    yield mount_point
    devices.hotplug.backend.unplug("usb-key-1")
    devices.usb_storage.policy = policy
    subprocess.run(["umount", str(mount_point)], check=False)


def test_result_saved_on_the_residents_usb_key_when_offered(driver, ui_app, demo_devices,
                                                            usb_key, artifacts_dir):
    start_session(driver)
    driver.tap(driver.screen().ids.tile_scan)
    screen = driver.screen()
    driver.tap(type_button(screen, "other"))
    driver.tap(screen.ids.scan_button)
    wait_ready(driver, screen)
    driver.tap(screen.ids.pages_done)
    driver.tap(screen.ids.wm_continue)
    wait_ready(driver, screen)
    for _ in range(100):  # the hotplug facade debounces, then tells the screen on the clock
        if screen.usb_ready:
            break
        time.sleep(0.02)
        driver.frames(1)
    assert screen.usb_ready
    shoot(driver, artifacts_dir / "fr-document", "06-result-usb-key")
    said: list[str] = []   # what the busy panel said while the key was written
    screen.bind(busy_text=lambda _s, text: said.append(text))
    driver.tap(screen.ids.to_usb)
    wait_ready(driver, screen)
    assert said == ["Enregistrement sur votre clé USB… Ne la retirez pas."]
    assert screen.busy_panel.parent is None   # gone once it is written
    saved = list(usb_key.iterdir())
    assert len(saved) == 1 and saved[0].suffix == ".pdf"
    assert saved[0].read_bytes() == screen.flow.result.path.read_bytes()
    assert "clé USB" in screen.ids.notice.txt
