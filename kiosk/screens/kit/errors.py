"""Errors shown the same way on every screen (DSFR "error" alerts).

- at the field: a red line on its start side, an error pictogram and a message that names the
  field by the label the resident sees (:func:`field_error`), drawn by FieldFrame / FormField;
- at the top of the page, an :class:`ErrorSummary`: "2 problems on this page" and one entry
  per field; touching an entry takes you to the field. An entry goes as soon as its field is
  corrected (the title then counts those left), the summary when none is left.
"""
from __future__ import annotations

from collections.abc import Callable

from kivy.factory import Factory
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.screens.kit.rules import HERE, load_kv
from kiosk.screens.kit.text import tr

load_kv(HERE / "errors.kv")


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

    def left(self) -> int:
        """How many entries (errors not yet corrected) the summary lists."""
        return len(self.ids.entries.children)
