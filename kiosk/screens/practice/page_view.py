"""The body of one practice page, built in Python from the procedure: breadcrumb, title,
text, table, QR code, the lookalike link of the scam trap, the form's fields and the site's
button. The page screen (:mod:`kiosk.screens.practice.page`) keeps one per page and language
and only reloads its values on a revisit.

The view knows nothing of the screen: what the resident does on it is raised as Kivy events
(``on_submit``, ``on_finish``, ``on_scam_link``, ``on_field_changed``, ``on_focus_request``,
``on_field_submit``) that the screen binds, as Electrum's Kivy screens do.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kivy.factory import Factory
from kivy.metrics import dp
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.i18n import _
from kiosk.practice.engine import PracticeRun
from kiosk.practice.flow import ScannedDocument
from kiosk.practice.model import Page, Table, TrapKind
from kiosk.screens.kit import BigButton, DirBox, KLabel
from kiosk.screens.practice.fields import PageField, TextField, build_field
from kiosk.screens.practice.operator import hex_colour, readable_on
from kiosk.screens.practice.widgets import Notice, PageButton, QrView, ScamLink, tx


class PageView(BoxLayout):
    """The body of one page of the operator's site (built in Python from the procedure).
    ``scanned``: the session's documents, offered to the page's upload fields."""

    __events__ = ("on_submit", "on_finish", "on_scam_link", "on_field_changed",
                  "on_focus_request", "on_field_submit")

    def __init__(self, run: PracticeRun, page: Page, scanned: list[ScannedDocument] | None = None,
                 **kwargs: Any) -> None:
        super().__init__(orientation="vertical", size_hint_y=None, spacing=dp(14),
                         padding=(dp(32), dp(20), dp(32), dp(28)), **kwargs)
        self.bind(minimum_height=self.setter("height"))
        self.page = page
        procedure = run.procedure
        operator = procedure.operator
        self.breadcrumb = Factory.PageSmall()
        self.add_widget(self.breadcrumb)
        self.title_label = Factory.PageTitle(txt=tx(page.title))
        self.add_widget(self.title_label)
        self.notice = Notice()   # added under the title only when there is something to say
        self.summary: Any = None  # the error summary, made on the first errors
        if page.intro:
            self.add_widget(KLabel(txt=tx(page.intro)))
        for paragraph in page.content:
            self.add_widget(KLabel(txt=tx(paragraph)))
        if page.table is not None:
            self.add_widget(self._table(page.table))
        self.qr: QrView | None = None
        if page.qr:
            self.qr = QrView(data=page.qr, size_hint=(None, None), size=(dp(220), dp(220)))
            line = DirBox(size_hint_y=None, height=dp(220))
            line.add_widget(self.qr)
            line.add_widget(Widget())
            self.add_widget(line)
        self.scam: ScamLink | None = None
        trap = page.trap(TrapKind.SCAM_LINK)
        if trap is not None:
            self.scam = ScamLink(txt=tx(trap.label) or _("Cliquez ici"),
                                 address=trap.link or "")
            self.scam.bind(on_release=lambda _w: self.dispatch("on_scam_link"))
            self.add_widget(self.scam)
        self.fields: dict[str, PageField] = {}
        if any(f.required for f in page.fields) and len(page.fields) > 1:
            self.add_widget(Factory.PageSmall(txt=_("Tous les champs sont obligatoires.")))
        for fld in page.fields:
            page_field = build_field(fld, run, self._field_changed, self.values, scanned or [])
            if isinstance(page_field, TextField):
                page_field.form.bind(
                    on_focus_request=lambda form: self.dispatch("on_focus_request", form),
                    on_submit=lambda form: self.dispatch("on_field_submit", form))
            self.fields[fld.id] = page_field
            self.add_widget(page_field.frame)
        self.button: PageButton | BigButton
        if page.end:
            self.button = BigButton(txt=_("Terminer l'exercice et voir mon bilan"))
            self.button.bind(on_release=lambda _w: self.dispatch("on_finish"))
        else:
            self.button = PageButton(txt=tx(page.button) or _("Continuer"),
                                     primary=hex_colour(operator.primary),
                                     ink=readable_on(operator.primary))
            self.button.bind(on_release=lambda _w: self.dispatch("on_submit"))
        row = DirBox(size_hint_y=None, padding=(0, dp(10), 0, 0))
        self.button.bind(height=lambda _b, h: setattr(row, "height", h + dp(16)))
        row.height = self.button.height + dp(16)
        row.add_widget(self.button)
        row.add_widget(Widget())   # the site's button sits at the start of the line
        self.add_widget(row)

    # Default handlers of the events (Kivy requires one per event); the screen binds its own.
    def on_submit(self) -> None:
        """The site's button: send the page."""

    def on_finish(self) -> None:
        """The last page's button: the exercise is over."""

    def on_scam_link(self) -> None:
        """The lookalike link was touched."""

    def on_field_changed(self, page_field: PageField) -> None:
        """A field's value changed."""

    def on_focus_request(self, form: Any) -> None:
        """A typed field was touched: it wants the keyboard."""

    def on_field_submit(self, form: Any) -> None:
        """« Valider » on the keyboard while a typed field had it."""

    def _field_changed(self, page_field: PageField) -> None:
        self.dispatch("on_field_changed", page_field)

    @staticmethod
    def _table(table: Table) -> GridLayout:
        grid = GridLayout(cols=len(table.header), size_hint_y=None, spacing=0)
        grid.bind(minimum_height=grid.setter("height"))
        for cell in table.header:
            grid.add_widget(Factory.PageTableHead(txt=tx(cell)))
        for number, row in enumerate(table.rows):
            for cell in row:
                table_cell = Factory.PageTableCell(txt=tx(cell))
                table_cell.odd = number % 2 == 1
                grid.add_widget(table_cell)
        return grid

    def values(self) -> dict[str, Any]:
        return {fid: f.get() for fid, f in self.fields.items()}

    def show_errors(self, title: str, entries: list[tuple[str, str, Any]]) -> None:
        """The page's error summary under its title (kit/errors.py); empty: none."""
        from kiosk.screens.kit.errors import ErrorSummary

        if self.summary is None:
            self.summary = ErrorSummary()
        if entries:
            self.summary.show(title, entries)
            if self.summary.parent is None:
                self.add_widget(self.summary, index=self.children.index(self.title_label))
        elif self.summary.parent is not None:
            self.remove_widget(self.summary)

    def field_fixed(self, field_id: str, title: Callable[[int], str]) -> None:
        """A corrected field leaves the summary, whose title counts those left (« 2 erreurs »
        stayed over one entry); the summary goes with the last one."""
        summary = self.summary
        if summary is None or summary.parent is None:
            return
        if summary.fixed(field_id):
            self.remove_widget(summary)
        else:
            summary.title = title(summary.left())

    def show_notice(self, text: str, tone: str = "error") -> None:
        self.notice.txt = text
        self.notice.tone = tone
        if text and self.notice.parent is None:
            index = self.children.index(self.title_label)
            self.add_widget(self.notice, index=index)   # just under the title
        elif not text and self.notice.parent is not None:
            self.remove_widget(self.notice)
