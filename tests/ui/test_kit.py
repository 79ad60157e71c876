"""The widget kit used by every screen: keyboard layouts, form fields, hint bubble, RTL text."""
from __future__ import annotations

import string

import pytest

from kiosk.screens.kit.layouts import FRENCH_ACCENTED, Layout, typeable

from .helpers import key_button, type_on


def test_azerty_types_every_french_letter_in_both_cases():
    keys = typeable(Layout.AZERTY)
    letters = string.ascii_letters + FRENCH_ACCENTED + FRENCH_ACCENTED.upper()
    assert [c for c in letters if c not in keys] == []
    assert set("éèêëàâäùûüôöîïçœæ") <= keys and {"Œ", "Æ", "Ç", "É"} <= keys


def test_numeric_pad_has_only_digits_and_email_layout_has_the_usual_endings():
    assert typeable(Layout.NUMERIC) == set("0123456789")
    assert {"@", ".", ".fr", ".com"} <= typeable(Layout.EMAIL)


@pytest.mark.display
class TestOnScreen:
    def make(self, ui_app, driver, kind, validator=None, example=""):
        from kivy.uix.boxlayout import BoxLayout

        from kiosk.screens.kit import FormField, KioskKeyboard

        box = BoxLayout(orientation="vertical")
        field = FormField(label="Votre nom", example=example, kind=kind)
        field.validator = validator
        keyboard = KioskKeyboard()
        keyboard.attach(field)
        box.add_widget(field)
        box.add_widget(keyboard)
        screen = driver.screen()
        screen.add_widget(box)
        driver.frames(2)
        return box, field, keyboard

    def test_typing_accented_capitals_on_the_azerty_keyboard(self, ui_app, driver):
        box, field, keyboard = self.make(ui_app, driver, "text")
        try:
            type_on(driver, keyboard, "Œuvre ÉLÉ")
            driver.tap(key_button(keyboard, "{backspace}"))
            assert field.value == "Œuvre ÉL"
        finally:
            box.parent.remove_widget(box)

    def test_number_field_gets_the_numeric_pad_and_refuses_letters(self, ui_app, driver):
        box, field, keyboard = self.make(ui_app, driver, "number")
        try:
            assert keyboard.layout == "numeric"
            type_on(driver, keyboard, "75")
            field.type_text("x")
            assert field.value == "75"
        finally:
            box.parent.remove_widget(box)

    def test_email_field_gets_the_email_layout(self, ui_app, driver):
        box, field, keyboard = self.make(ui_app, driver, "email")
        try:
            assert keyboard.layout == "email"
            for key in ("a", "@", "b", ".fr"):
                driver.tap(key_button(keyboard, key))
            assert field.value == "a@b.fr"
        finally:
            box.parent.remove_widget(box)

    def test_validation_message_is_live_and_in_plain_words(self, ui_app, driver):
        def postcode(value):
            missing = 5 - len(value)
            return f"Il manque {missing} chiffre(s)." if missing > 0 else None

        box, field, keyboard = self.make(ui_app, driver, "number", postcode, "75011")
        try:
            type_on(driver, keyboard, "750")
            assert field.message == "Il manque 2 chiffre(s)." and not field.valid
            type_on(driver, keyboard, "11")
            assert field.message == "" and field.valid
        finally:
            box.parent.remove_widget(box)

    def test_hint_bubble_points_at_its_widget_and_can_be_read_aloud(self, ui_app, driver):
        from kiosk.screens.kit import HintBubble, ui

        said = []
        hook, ui.speak_hook = ui.speak_hook, said.append
        ui.read_aloud = True
        try:
            target = driver.screen().ids.start
            bubble = HintBubble()
            bubble.show(target, "Touchez ici.", ui_app.root)
            driver.frames(2)
            tip_x, tip_y = bubble.arrow_points[4], bubble.arrow_points[5]
            tx, ty = target.to_window(*target.pos)
            assert tx <= tip_x <= tx + target.width
            assert tip_y in (ty, ty + target.height)  # touches the target's edge
            assert said == ["Touchez ici."]
            driver.tap(bubble.ids.ok)
            assert bubble.parent is None
        finally:
            ui.speak_hook = hook
            ui.read_aloud = False


def test_arabic_is_shaped_and_each_wrapped_line_reads_right_to_left():
    from bidi.algorithm import get_display

    from kiosk.screens.kit.text import rtl_lines, shape

    text = "سيساعدك أحد الوسطاء في المحطة"
    lines = rtl_lines(text, 120, lambda s: 10 * len(s))
    assert len(lines) > 1
    # The first visual line holds the first words (wrapping happened before reordering).
    assert lines[0] == shape("سيساعدك أحد")
    assert all("\u0627" not in line for line in lines)  # letters replaced by joined forms
    assert get_display("abc") == "abc"
