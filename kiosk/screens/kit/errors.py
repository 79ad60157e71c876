"""Errors shown the same way on every screen (DSFR "error" alerts).

- at the field: a red line on its start side, an error pictogram and a message that names the
  field by the label the resident sees (:func:`field_error`), drawn by FieldFrame / FormField;
- at the top of the page, an :class:`ErrorSummary`: "2 problems on this page" and one entry
  per field; touching an entry takes you to the field. An entry goes as soon as its field is
  corrected, the summary when none is left.
"""
from __future__ import annotations

from collections.abc import Callable

from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.kit.text import tr

Builder.load_string("""
#:import ui kiosk.screens.kit.state.ui
#:import theme kiosk.theme
#:import FONT_BOLD kiosk.screens.kit.text.FONT_BOLD

<ErrorLink@BigButton>:
    kind: 'secondary'
    align: 'start'
    font_size: dp(theme.FONT_BODY) * ui.text_scale
    height: max(dp(theme.MIN_TOUCH_DP) * (0.6 + 0.4 * ui.text_scale), self.texture_size[1] + dp(16))
    field_id: ''

<ErrorSummary>:
    orientation: 'vertical'
    size_hint_y: None
    height: self.minimum_height
    padding: dp(20), dp(14), dp(16), dp(14)
    spacing: dp(10)
    canvas.before:
        Color:
            rgba: ui.palette.surface
        Rectangle:
            pos: self.pos
            size: self.size
        Color:
            rgba: ui.palette.error
        Line:  # the DSFR error mark: a thick line on the start side
            points: (self.right - dp(3), self.y, self.right - dp(3), self.top) if ui.rtl else (self.x + dp(3), self.y, self.x + dp(3), self.top)
            width: dp(4)
    DirBox:
        size_hint_y: None
        height: max(summary_title.height, dp(36) * ui.text_scale)
        spacing: dp(12)
        IconView:
            name: 'error'
            size_hint_x: None
            width: dp(36) * ui.text_scale
            colour: ui.palette.error
        KLabel:
            id: summary_title
            pos_hint: {'center_y': 0.5}
            txt: root.title
            font_name: FONT_BOLD
            color: ui.palette.error
    BoxLayout:
        id: entries
        orientation: 'vertical'
        size_hint_y: None
        height: self.minimum_height
        spacing: dp(8)
""")


def field_error(label: str, message: str) -> str:
    """An error message that names its field by the label shown on screen."""
    if not message or not label:
        return message
    return tr("{field} : {message}").format(field=label.rstrip(" :*"), message=message)


class ErrorSummary(BoxLayout):
    """The list of a page's errors, at its top; each entry leads to its field."""

    title = StringProperty("")

    def show(self, title: str, entries: list[tuple[str, str, Callable[[], None]]]) -> None:
        """``entries``: (field id, words, what touching it does)."""
        self.title = title
        box = self.ids.entries
        box.clear_widgets()
        for field_id, words, go in entries:
            link = Factory.ErrorLink(txt=words)
            link.field_id = field_id
            link.bind(on_release=lambda _w, go=go: go())
            box.add_widget(link)

    def fixed(self, field_id: str) -> bool:
        """Drop the entry of a corrected field; True when no error is left."""
        box = self.ids.entries
        for link in list(box.children):
            if link.field_id == field_id:
                box.remove_widget(link)
        return not box.children
