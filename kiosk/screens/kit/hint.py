"""A hint bubble that points at a widget and can be read aloud."""
from __future__ import annotations

from typing import Any

from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, StringProperty
from kivy.uix.floatlayout import FloatLayout

from kiosk.screens.kit.rules import load_input_rules
from kiosk.screens.kit.state import ui

ARROW_DP = 18


class HintBubble(FloatLayout):
    """Shown above (or below, when there is no room) its target, with an arrow pointing at it."""

    txt = StringProperty("")
    target = ObjectProperty(None, allownone=True)
    arrow_points = ListProperty([0, 0, 0, 0, 0, 0])
    below = BooleanProperty(False)

    def show(self, target: Any, text: str, parent: Any) -> None:
        self.txt = text
        self.target = target
        if self.parent is None:
            parent.add_widget(self)
        self.place()
        if ui.read_aloud:
            ui.speak(text)

    def place(self, *_args: Any) -> None:
        target, box = self.target, self.ids.get("box")
        if target is None or box is None or self.parent is None:
            return
        from kivy.metrics import dp

        tx, ty = target.to_window(*target.pos)
        arrow = dp(ARROW_DP)
        box.width = min(self.parent.width - dp(32), dp(560) * max(1.0, ui.text_scale * 0.8))
        cx = tx + target.width / 2
        box.x = max(dp(16), min(cx - box.width / 2, self.parent.width - box.width - dp(16)))
        self.below = ty + target.height + arrow + box.height > self.parent.height
        if self.below:
            box.top = ty - arrow
            tip_y, base_y = ty, ty - arrow
        else:
            box.y = ty + target.height + arrow
            tip_y, base_y = ty + target.height, ty + target.height + arrow
        self.arrow_points = [cx - arrow, base_y, cx + arrow, base_y, cx, tip_y]

    def dismiss(self) -> None:
        if self.parent is not None:
            self.parent.remove_widget(self)
        self.target = None


load_input_rules()  # the rules of the kit's input widgets (kit_input.kv), once
