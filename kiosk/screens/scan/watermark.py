"""The watermark step of the scan screen: choose who the copy is for from a list, or type it on
the on-screen keyboard (at most 100 characters), or go without; the text that will be written
across the copy is shown as it is chosen (id-copies.md).

A mixin of :class:`kiosk.screens.scan.scan.ScanScreen`, which declares the Kivy properties used
here (``watermark_on``, ``purpose``, ``watermark_txt``, ``typing``) and owns the flow.
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kiosk.documents.scan_flow import ScanFlow
from kiosk.documents.watermark import PURPOSES, WatermarkError
from kiosk.i18n import N_, _
from kiosk.screens import device_fault
from kiosk.screens.kit import FormField, KioskKeyboard, PictoButton, tr
from kiosk.screens.kit.choice_pictograms import OTHER_PURPOSE_PICTOGRAM, PURPOSE_PICTOGRAMS

BUSY_BUILD = N_("Préparation de votre document…")


class WatermarkStep:
    # Declared by ScanScreen (Kivy properties, the flow, kv ids) or the other mixins.
    ids: Any
    flow: ScanFlow | None
    busy: bool
    watermark_on: bool
    purpose: str
    watermark_txt: str
    typing: bool
    _field: FormField | None
    _run: Callable[[str, Callable[[], Any], Callable[[Any], None]], None]
    _built: Callable[[Any], None]

    def _build_purposes(self) -> None:
        purposes = self.ids.purposes
        purposes.clear_widgets()
        for purpose in PURPOSES:
            button = PictoButton(txt=tr(purpose), icon=PURPOSE_PICTOGRAMS[purpose])
            button.purpose = purpose
            # The purpose is printed in French whatever the screen language: the body
            # receiving the copy reads French (see Watermark.text).
            button.bind(on_release=lambda b: self.pick_purpose(b.purpose))
            purposes.add_widget(button)
        other = PictoButton(txt=tr(N_("Autre : l'écrire")), icon=OTHER_PURPOSE_PICTOGRAM)
        other.bind(on_release=lambda _b: self.start_typing())
        self.ids["wm_other"] = other
        purposes.add_widget(other)

    def toggle_watermark(self) -> None:
        self.watermark_on = not self.watermark_on
        if not self.watermark_on:
            self.stop_typing()
        self._update_watermark_txt()

    def pick_purpose(self, purpose: str) -> None:
        self.purpose = purpose
        self.watermark_on = True
        self.stop_typing()
        self.ids.fault.clear()
        self._update_watermark_txt()

    def start_typing(self) -> None:
        self.typing = True
        self.watermark_on = True
        area = self.ids.purpose_area
        area.clear_widgets()
        field = FormField(label=_("Pour qui est cette copie ? Touchez « Valider » quand "
                                  "c'est écrit."), max_length=100)
        field.value = ""
        field.focused = True
        field.bind(value=lambda _f, v: self._typed(v))
        keyboard = KioskKeyboard()
        field.bind(on_submit=lambda *_a: self.stop_typing())
        area.add_widget(field)
        # in the page template's dock, above the bar (the header gives it room): inside the
        # step, at x2 the field went above the step's top, over the header
        self.ids.page.dock_keyboard(keyboard, field)
        self._field = field
        self.ids["purpose_field"] = field
        self.ids["purpose_keyboard"] = keyboard

    def _typed(self, value: str) -> None:
        self.purpose = value
        self._update_watermark_txt()

    def stop_typing(self) -> None:
        self.typing = False
        self.ids.page.undock_keyboard()
        self.ids.purpose_area.clear_widgets()
        self._field = None

    def _update_watermark_txt(self) -> None:
        if self.flow is None:
            return
        if self.watermark_on:
            self.watermark_txt = _("Sur la copie : « {text} »").format(
                text=self.flow.watermark_text(self.purpose))
        else:
            self.watermark_txt = _("Sans filigrane.")

    def watermark_continue(self) -> None:
        flow = self.flow
        if flow is None or self.busy:
            return
        try:
            flow.set_watermark(self.watermark_on, self.purpose)
        except WatermarkError as err:
            self.ids.fault.show(device_fault.describe(err))
            return
        self.stop_typing()
        self._run(BUSY_BUILD, flow.build, self._built)
