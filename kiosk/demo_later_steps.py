"""The gallery's later states (``kiosk demo --headless``), in the hardest comfort setting
(Arabic, text x2, high contrast): an ID copy's steps with their step counter (the recto to
place, the crop, the watermark with the keyboard open to type who the copy is for, the
result), and a help call made from a practice page (the card, then the call's status and
« Annuler mon appel » with the keyboard open); and a practice page's box to tick (DSFR
checkbox), sent unticked (its error) then ticked. Each stop is screenshot and audited by
:class:`kiosk.demo.Tour`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.demo import Tour

PROCEDURE = "caf-trimestrielle"
PAGE = "correction"
TICK_PROCEDURE, TICK_PAGE, TICK_FIELD = "ameli-compte", "conditions", "cgu"


def id_copy_steps(tour: Tour, tag: str) -> None:
    app = tour.app
    if not (app.has_screen("scan") and "scan" in tour._tile_routes()):
        return
    scanner = tour.runtime.scanner.backend
    app.show("scan")
    scan = tour.d.screen()

    def ready() -> None:
        scan.wait_idle(lambda: tour.d.frames(1))
        tour.d.frames(2)

    scan.choose("id_card")
    tour.stop(f"scan-place-recto-{tag}")
    scanner.place("id_recto")
    scan.scan()
    ready()
    tour.stop(f"scan-crop-{tag}")
    scan.accept_crop()
    scanner.place("id_verso")
    scan.scan()
    ready()
    scan.accept_crop()
    ready()
    scan.ids.wm_scroll.scroll_to(scan.ids.purposes.children[-1], animate=False)   # the first
    tour.d.frames(2)
    tour.stop(f"scan-watermark-purposes-{tag}")   # each purpose with its pictogram
    scan.ids.wm_scroll.scroll_to(scan.ids.wm_other, animate=False)   # a swipe to it
    tour.d.frames(2)
    tour.d.tap(scan.ids.wm_other)
    tour.stop(f"scan-watermark-keyboard-{tag}")
    scan.pick_purpose("CAF")
    scan.watermark_continue()
    ready()
    tour.stop(f"scan-result-{tag}")
    scanner.place("letter")
    scan.reset()


def help_call_on_a_practice_page(tour: Tour, tag: str) -> None:
    """The desk's answer is given as its listener would: the demo may run without a server."""
    from kiosk.help_calls import HelpView

    app = tour.app
    if not (app.has_screen("practice_catalogue") and "practice_catalogue" in tour._tile_routes()):
        return
    app.show("practice_catalogue")
    tour.d.frames(2)
    tour.d.screen().open_procedure(PROCEDURE)
    tour.d.frames(2)
    tour.d.screen().begin("guided")
    tour.d.frames(2)
    page: Any = tour.d.screen()
    run = page.run
    from kiosk.practice.solution import page_solution

    while run.page.id != PAGE and not run.page.end:
        if not run.submit(page_solution(run.page, run.procedure, run.sms_code)).ok:
            break
    page.show_page()
    tour.d.frames(2)
    page.help_call.help.view = HelpView.NOTIFIED
    page.help_call._changed(HelpView.NOTIFIED, True)
    tour.stop(f"practice-help-call-{tag}")
    tour.d.tap(page.overlay.ids.close)
    typed = next((f for f in page.view.fields.values() if hasattr(f, "form")), None)
    if typed is not None:
        page.focus_field(typed.form)
    tour.stop(f"practice-help-call-status-keyboard-{tag}")
    page.help_call.forget()
    page.quit()


def box_to_tick(tour: Tour, tag: str) -> None:
    """A consent sent unticked (the box and its row red, the message naming it), then ticked."""
    app = tour.app
    if not (app.has_screen("practice_catalogue") and "practice_catalogue" in tour._tile_routes()):
        return
    app.show("practice_catalogue")
    tour.d.frames(2)
    tour.d.screen().open_procedure(TICK_PROCEDURE)
    tour.d.frames(2)
    tour.d.screen().begin("autonomous")
    tour.d.frames(2)
    page: Any = tour.d.screen()
    run = page.run
    from kiosk.practice.solution import page_solution

    while run.page.id != TICK_PAGE and not run.page.end:
        if not run.submit(page_solution(run.page, run.procedure, run.sms_code)).ok:
            break
    page.show_page()
    tour.d.frames(2)
    tick = page.view.fields.get(TICK_FIELD)
    if tick is None:
        page.leave_exercise()
        return
    page.submit()   # « Continuer » with the box left empty
    tour.d.frames(2)
    page.ids.scroller.scroll_to(tick.frame, animate=False)
    tour.stop(f"practice-tick-error-{tag}")
    tour.d.tap(tick.toggle)
    page.ids.scroller.scroll_to(tick.frame, animate=False)
    tour.stop(f"practice-tick-{tag}")
    page.leave_exercise()   # not quit(): what was ticked would be asked about first
