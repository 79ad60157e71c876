"""Guided mode and hints on a practice page: the next thing to touch highlighted and its hint
shown in the page's flow below it (never over it), the page scrolled to show both (and the
simulated phone with a hint about the code it shows); in autonomous mode a hint only when
"Aide" is touched (counted as a hint used).

A mixin of :class:`kiosk.screens.practice.page.PracticePageScreen`, which owns the run, the
page's view and the page template: what it must give is the protocol :class:`GuideHost`, the
type of ``self`` here with the mixin's own methods (:class:`GuidedPage`).
"""
from __future__ import annotations

from typing import Any, Protocol

from kivy.clock import Clock

from kiosk.i18n import _
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.model import FieldType
from kiosk.screens.practice.page_view import PageView
from kiosk.screens.practice.widgets import tx

# Fields awaiting a code the simulated phone shows.
CODE_TYPES = frozenset({FieldType.SMS_CODE, FieldType.EMAIL_CODE})


class GuideHost(Protocol):
    """What PracticePageScreen gives the guide: kv ids, the screen manager's name and
    manager, whether the simulated phone shows, the run and the page's view."""
    ids: Any
    manager: Any
    name: str
    has_sms: bool
    view: PageView | None
    _guided_for: Any

    @property
    def run(self) -> PracticeRun | None: ...


class GuidedPage(GuideHost, Protocol):
    """The host with the guide mixed in: the type of ``self`` here (its methods call each
    other)."""
    def _show_hint(self, target: Any, text: str, below: Any = None,
                   along: tuple[Any, ...] = ()) -> None: ...

    def _code_source(self, fld: Any) -> tuple[Any, ...]: ...

    def dismiss_hint(self) -> None: ...

    def _scroll_to(self, *widgets: Any) -> None: ...


class PageGuide:
    def _update_guide(self: GuidedPage, *_args: Any) -> None:
        run, view = self.run, self.view
        if run is None or view is None or run.mode is not Mode.GUIDED or run.page.end:
            return
        fld, hint = run.guide()
        for page_field in view.fields.values():
            page_field.frame.highlighted = fld is not None and page_field.id == fld.id
        view.button.highlighted = fld is None
        key = (run.page.id, fld.id if fld else None)
        if key == self._guided_for:
            return
        self._guided_for = key
        target = view.fields[fld.id].target if fld is not None else view.button
        whole = view.fields[fld.id].frame if fld is not None else view.button
        along = self._code_source(fld)
        self._scroll_to(*along, whole)
        if hint is not None:
            Clock.schedule_once(
                lambda _dt: self._show_hint(target, tx(hint.text), whole, along), 0)
        else:
            self.dismiss_hint()

    def _show_hint(self: GuidedPage, target: Any, text: str, below: Any = None,
                   along: tuple[Any, ...] = ()) -> None:
        """The hint in the page's flow under ``below`` (the whole field: its label, box and
        message stay together), pointing at ``target``, with ``along`` in view too."""
        if self.manager is None or self.manager.current != self.name:
            return
        self.ids.page.show_hint(target, text, below, along)

    def _code_source(self: GuidedPage, fld: Any) -> tuple[Any, ...]:
        """The simulated phone, for a hint on a field awaiting the code it shows: the hint
        says to read it there, so the phone comes into view with the hint (the phone is above
        the site: at x2 it would otherwise be scrolled away)."""
        if fld is not None and fld.type in CODE_TYPES and self.has_sms:
            return (self.ids.phone,)
        return ()

    def ask_hint(self: GuidedPage) -> None:
        """ "Aide": the hint for what to do now (counted as a hint used)."""
        run, view = self.run, self.view
        if run is None or view is None:
            return
        hint = run.request_hint()
        if hint is None:
            self._show_hint(self.ids.help, _("Lisez la page puis touchez le bouton du site "
                                             "pour continuer."))
            return
        target = view.fields[hint.field].target if hint.field in view.fields else view.button
        whole = view.fields[hint.field].frame if hint.field in view.fields else view.button
        along = self._code_source(view.fields[hint.field].field
                                  if hint.field in view.fields else None)
        self._scroll_to(*along, whole)
        Clock.schedule_once(lambda _dt: self._show_hint(target, tx(hint.text), whole, along), 0)

    def dismiss_hint(self: GuidedPage) -> None:
        self.ids.page.dismiss_hint()

    def _scroll_to(self: GuidedPage, *widgets: Any) -> None:
        """What the guide points at, into view; not while a field is being typed in: that
        field keeps the view (the page template keeps it above the keyboard)."""
        page = self.ids.page
        if self.view is not None and page.keyboard is None:
            page.reveal(*widgets)
