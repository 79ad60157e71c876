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


@pytest.mark.display
def test_a_disabled_button_of_every_kind_has_readable_grey_words_in_both_contrasts(
        ui_app, driver):
    """DSFR disabled buttons: a grey face and grey words that still read (the palette's
    minimum against the face, as the colour audit measures what is drawn); Kivy's own white
    at 30 % vanished on the mediator panel's white and red faces."""
    from kivy.uix.boxlayout import BoxLayout

    from kiosk.screens.colour_audit import seen_labels, text_contrast_problems
    from kiosk.screens.kit import (
        BigButton,
        IconView,
        PictoButton,
        RadioOption,
        SpeakButton,
        Tile,
        ToggleOption,
        ui,
    )
    from kiosk.screens.kit.icons import rendered_icon
    from kiosk.screens.layout_audit import Box

    box = BoxLayout(orientation="vertical", size=driver.window.size)
    buttons = [BigButton(txt=f"Bouton {kind}", kind=kind)
               for kind in ("primary", "secondary", "danger", "help")]
    buttons += [PictoButton(txt="Carte d'identité", icon="scan"),
                RadioOption(txt="Oui", active=True),
                ToggleOption(txt="Contraste", icon="contrast", active=True),
                ToggleOption(txt="Lecture"),
                Tile(txt="Copier", icon="print", size_hint_y=None, height=200), SpeakButton()]
    for button in buttons:
        button.disabled = True
        box.add_widget(button)
    screen = Box(0, 0, driver.window.width, driver.window.height)
    driver.window.add_widget(box)
    try:
        for high_contrast in (False, True):
            ui.high_contrast = high_contrast
            driver.frames(2)
            words = list(seen_labels(box, screen))
            assert len(words) >= len(buttons), "every button's words are checked"
            assert text_contrast_problems(box, screen, ui.palette, "disabled") == []
            icons = [w for w in box.walk() if isinstance(w, IconView) and w.name]
            assert len(icons) >= 5
            for icon in icons:   # the pictogram drawn in the words' grey
                side = int(min(icon.size))
                assert icon._quad.texture is rendered_icon(icon.name, side, False), icon.name
                assert tuple(icon._tint.rgba) == tuple(ui.palette.on_disabled), icon.name
    finally:
        ui.high_contrast = False
        driver.window.remove_widget(box)
