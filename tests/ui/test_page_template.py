"""The page template every resident screen is built on (kiosk/screens/kit/page.py), by touch on
the real app: the bottom bar in the same place everywhere, the text-size button under the
finger, hints beside their target, errors shown one way with a summary that leads to the
field, the typefaces."""
from __future__ import annotations

import pytest

from kiosk.practice.engine import Mode
from kiosk.practice.solution import page_solution
from kiosk.screens.kit import KLabel, ui
from kiosk.screens.kit.fonts import (
    ARABIC_BOLD,
    ARABIC_REGULAR,
    LATIN_BOLD,
    LATIN_RANGES,
    LATIN_REGULAR,
    WIDE_REGULAR,
)
from kiosk.screens.layout_audit import window_box
from kiosk_wire.schema import Language

from .practice_play import open_practice, play_page

pytestmark = pytest.mark.display

RESIDENT_SCREENS = ["home", "scan", "print", "practice_catalogue", "help_call"]


def start_session(app, driver, lang: str = "fr") -> None:
    ui.set_language(lang)   # chosen on the welcome screen
    app.start_session(Language(lang), set())
    driver.frames(2)


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_bottom_bar_actions_keep_their_place_on_every_screen(driver, ui_app, lang):
    start_session(ui_app, driver, lang)
    places: dict[str, set] = {}
    for name in RESIDENT_SCREENS:
        ui_app.show(name)
        driver.frames(3)
        ids = driver.screen().ids
        for slot in ("bar_back", "bar_help", "bar_mediator", "bar_home"):
            box = window_box(ids[slot])
            places.setdefault(slot, set()).add((round(box.x), round(box.y), round(box.w)))
    assert all(len(p) == 1 for p in places.values()), places
    help_x = next(iter(places["bar_help"]))[0]
    mediator_x = next(iter(places["bar_mediator"]))[0]
    assert (mediator_x > help_x) == (lang == "fr"), "right-to-left mirrors the bar"


def test_a_screen_without_the_bar_draws_none_of_its_words_or_pictograms(driver, ui_app):
    # The welcome screen offers no action in the bar: the bar and its four buttons are not
    # built at all (their widgets, words and pictograms were, at every start, before the first
    # frame); the bar's band takes no room.
    from kiosk.screens.kit.page_bar import BarButton

    ui_app.show("welcome")
    driver.frames(2)
    ids = driver.screen().ids
    assert ids.page.actions == []
    assert not any(slot in ids or slot in ids.page.ids
                   for slot in ("bar_back", "bar_help", "bar_mediator", "bar_home"))
    assert not [w for w in ids.page.walk() if isinstance(w, BarButton)]
    assert ids.page.ids.bar.height == 0
    start_session(ui_app, driver)
    ui_app.show("home")
    driver.frames(2)
    ids = driver.screen().ids
    assert ids.bar_help.txt == "Aide" and ids.bar_help.icon == "info"
    assert ids.page.ids.bar.height >= ids.bar_help.natural_height


def test_a_page_given_its_first_action_later_builds_its_bar_then(driver, ui_app):
    from kiosk.screens.kit.page import PageTemplate

    page = PageTemplate(actions=[])
    driver.frames(1)
    assert "bar_back" not in page.ids
    actions: list[str] = []
    page.bind(on_action=lambda _page, action: actions.append(action))
    page.actions = ["back", "home"]
    assert page.ids.bar_back.offered and not page.ids.bar_help.offered
    page.ids.bar_back.dispatch("on_release")
    assert actions == ["back"]
    page.actions = ["help"]
    assert page.ids.bar_help.offered and not page.ids.bar_back.offered


def test_text_size_button_stays_under_the_finger(driver, ui_app):
    button = driver.screen().ids.large_text
    x, y = button.to_window(button.center_x, button.center_y)
    for expected in (1.5, 2.0, 1.0):
        driver.tap_at(x, y)
        driver.frames(2)
        assert ui.text_scale == expected
        assert button.collide_point(*button.to_widget(x, y))


def test_help_hint_is_shown_below_what_it_explains_and_covers_nothing(driver, ui_app):
    start_session(ui_app, driver)
    driver.tap(driver.screen().ids.bar_help)
    driver.frames(3)
    page = driver.screen().ids.page
    hint = page.hint
    assert hint.parent == page.ids.content and hint.txt  # ids are weak proxies
    assert window_box(hint).top <= window_box(page.ids.header).y + 1
    for tile in driver.screen().ids.tiles.children:
        assert not window_box(hint).overlaps(window_box(tile))
    driver.tap(hint.ids.ok)
    assert hint.parent is None


def test_a_guided_hint_sits_under_its_whole_field_and_the_typed_field_keeps_the_view(
        driver, ui_app):
    from kiosk.screens.layout_audit import Box, focus_problems

    from .practice_play import type_on_keyboard, visible

    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, "caf-trimestrielle", mode="guided")
    driver.frames(3)
    view, bubble = screen.view, screen.bubble
    first, hint = screen.run.guide()
    assert first is not None and hint is not None and bubble.txt == hint.text.fr
    frame = view.fields[first.id].frame
    # in the site's flow, right under the field (label, box and message together)
    assert bubble.parent is view and view.children.index(bubble) == view.children.index(frame) - 1
    assert window_box(bubble).top <= window_box(frame).y + 1
    form = view.fields[first.id].form
    visible(driver, screen, form)
    driver.tap(form.ids.box)
    value = page_solution(screen.run.page, screen.run.procedure, screen.run.sms_code)[first.id]
    type_on_keyboard(driver, screen.keyboard, str(value))
    driver.frames(3)
    following, _hint = screen.run.guide()
    assert following is not None and following.id != first.id   # the guide moved on...
    assert view.children.index(bubble) == view.children.index(
        view.fields[following.id].frame) - 1
    # ...and the field being typed in stayed where the resident sees it, above the keyboard
    assert screen.keyboard.target is form
    window = Box(0, 0, driver.window.width, driver.window.height)
    assert focus_problems(form, screen.keyboard, window, "connexion") == []


def test_practice_errors_are_listed_on_top_lead_to_the_field_and_go_when_fixed(driver, ui_app):
    start_session(ui_app, driver)
    screen = open_practice(driver, ui_app, "caf-trimestrielle", mode="autonomous")
    assert screen.run.mode is Mode.AUTONOMOUS
    right = page_solution(screen.run.page, screen.run.procedure, screen.run.sms_code)["nir"]
    play_page(driver, screen, {"nir": "291077511203428"})   # 15 digits where 13 are asked
    view = screen.view
    summary = view.summary
    assert summary is not None and summary.parent is view
    field = view.fields["nir"]
    label = field.form.label
    (entry,) = summary.ids.entries.children
    assert entry.txt.startswith(label.rstrip(" :*")), "the entry names the field as shown"
    assert field.form.message.startswith(label.rstrip(" :*"))
    assert field.frame.error and not field.form.valid

    screen.ids.scroller.scroll_to(entry, animate=False)
    driver.frames(2)
    driver.tap(entry)
    driver.frames(3)
    assert screen.keyboard.target is field.form, "the entry leads to the field, keyboard open"
    field.form.value = ""
    for ch in str(right):
        field.form.type_text(ch)
    driver.frames(2)
    assert summary.parent is None, "the summary goes once the field is corrected"


def test_labels_draw_in_atkinson_hyperlegible_and_arabic_in_the_shipped_arabic_face(driver, ui_app):
    label = KLabel(txt="Bonjour, ça va ?")
    assert label.font_name == LATIN_REGULAR
    label.txt = "العربية"
    assert label.font_name == ARABIC_REGULAR
    assert label.text != label.txt, "Arabic is shaped even in a French interface"
    label.txt = "افتح موقع ameli"  # Latin inside Arabic stays in the Arabic face
    assert label.font_name == ARABIC_REGULAR
    label.txt = "⌫"  # a sign neither shipped face has
    assert label.font_name == WIDE_REGULAR
    label.txt = "Encore"
    assert label.font_name == LATIN_REGULAR
    bold = KLabel(txt="العربية", font_name=LATIN_BOLD)
    assert bold.font_name == ARABIC_BOLD, "bold Arabic stays bold"


def test_every_arabic_message_shaped_is_drawn_by_the_shipped_arabic_face():
    """Every Arabic translation, joined as the screens join it, has all its glyphs in Kiosk
    Arabic (shipped with the package), and the ranges the kiosk picks faces by match the fonts."""
    from pathlib import Path

    from babel.messages.pofile import read_po
    from fontTools.ttLib import TTFont

    from kiosk.screens.kit.arabic_ranges import ARABIC_RANGES
    from kiosk.screens.kit.fonts import arabic_covers
    from kiosk.screens.kit.text import _reshape

    cmaps = [set(TTFont(path).getBestCmap()) for path in (ARABIC_REGULAR, ARABIC_BOLD)]
    listed = {c for start, end in ARABIC_RANGES for c in range(start, end + 1)}
    assert listed == cmaps[0] & cmaps[1]
    po = Path(ARABIC_REGULAR).parents[1] / "locale" / "ar" / "LC_MESSAGES" / "kiosk.po"
    with po.open("rb") as f:
        catalog = read_po(f)
    texts = [s for m in catalog if m.id for s in
             (m.string if isinstance(m.string, tuple) else (m.string,)) if s]
    assert len(texts) > 500
    not_drawn = [t for t in texts if not (arabic_covers(t) and arabic_covers(_reshape(t)))]
    assert not_drawn == []
    licence = (Path(ARABIC_REGULAR).parent / "OFL-KioskArabic.txt").read_text()
    assert "SIL Open Font License" in licence and "Noto Project Authors" in licence


def test_the_shipped_typeface_has_every_glyph_the_kiosk_asks_it_for():
    from fontTools.ttLib import TTFont

    for path in (LATIN_REGULAR, LATIN_BOLD):
        cmap = TTFont(path).getBestCmap()
        missing = [hex(c) for start, end in LATIN_RANGES for c in range(start, end + 1)
                   if c not in cmap]
        assert missing == [], path
    from pathlib import Path

    assert "SIL Open Font License" in (Path(LATIN_REGULAR).parent / "OFL.txt").read_text()


def test_preshaped_arabic_is_what_shaping_gives():
    from kiosk.screens.kit.text import PRESHAPED, shape

    assert all(shape(logical) == shown for logical, shown in PRESHAPED.items())


def _edge_of(button) -> tuple[list[float], tuple[float, ...]]:
    """The border a button draws (points, colour): the Line after the last Color."""
    from kivy.graphics import Color, Line

    colour: tuple[float, ...] = ()
    for instruction in button.canvas.before.children:
        if isinstance(instruction, Color):
            colour = tuple(instruction.rgba)
        elif isinstance(instruction, Line):
            return list(instruction.points), colour
    return [], colour


def test_every_page_says_whose_kiosk_it_is_and_buttons_follow_the_dsfr(driver, ui_app):
    """The header's identity (DSFR brand block without the Marianne): « Borne numérique » and
    the place's name, gone while the keyboard is open. Buttons as the DSFR's: a secondary one
    white with a blue France border, a primary one filled, no border."""
    place = ui.place
    ui.place = "France Services de Lille-Moulins"
    try:
        start_session(ui_app, driver)
        ui_app.show("practice_catalogue")
        driver.frames(3)
        screen = driver.screen()
        page = screen.ids.page
        words = page.ids.identity_words
        assert words.txt == "Borne numérique · France Services de Lille-Moulins"
        box = window_box(words)
        assert page.ids.identity.opacity == 1 and box.y >= 0 and box.top <= driver.window.height

        points, colour = _edge_of(screen.ids.bar_back)
        assert points and colour == tuple(ui.palette.on_secondary), "secondary: bordered"
        assert tuple(ui.palette.secondary) == tuple(ui.palette.surface), "on a white face"
        assert _edge_of(screen.ids.bar_mediator)[0] == [], "a filled button has no border"

        driver.tap(screen.ids.search.ids.box)   # the keyboard opens: the room goes to the field
        driver.frames(3)
        assert page.keyboard is not None
        assert page.ids.identity.height == 0 and page.ids.identity.opacity == 0
    finally:
        ui.place = place


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_at_large_text_the_identity_is_a_one_line_strip_and_the_home_tiles_stay_on_screen(
        driver, ui_app, lang):
    """At x1.5 and x2 the header keeps the kiosk's identity, compact: the place's name alone
    on one line at x1's size, and every home tile still whole on screen."""
    place, scale = ui.place, ui.text_scale
    ui.place = "France Services de Lille-Moulins"
    try:
        start_session(ui_app, driver, lang)
        for size in (1.5, 2.0):
            ui.text_scale = size
            driver.frames(4)
            driver.screen().ids.scroller.scroll_y = 1   # the page as it opens, at its top
            driver.frames(2)
            page = driver.screen().ids.page
            words = page.ids.identity_words
            assert words.txt == "France Services de Lille-Moulins"
            assert page.ids.identity.opacity == 1 and page.ids.identity.height > 0
            assert len(words.text.split("\n")) == 1
            box = window_box(words)
            assert box.y >= 0 and box.top <= driver.window.height
            bar_top = window_box(driver.screen().ids.bar_home).top
            tiles = driver.screen().ids.tiles.children
            # at x2 the tiles keep their size and the page scrolls to the second row, by
            # design; at x1.5 all six fit, as without the identity; the first row always does
            whole = tiles if size == 1.5 else tiles[3:]
            for tile in whole:
                tile_box = window_box(tile)
                assert tile_box.y >= bar_top - 1 and tile_box.top <= box.y + 1, (size, tile.txt)
    finally:
        ui.place, ui.text_scale = place, scale


def test_a_radio_answer_has_its_mark_on_the_start_side_filled_when_chosen(driver, ui_app):
    from kiosk.screens.kit import IconView, RadioOption

    option = RadioOption(txt="Oui", size=(600, 80))
    [mark] = [w for w in option.children if isinstance(w, IconView)]
    [words] = [w for w in option.children if isinstance(w, KLabel)]
    for rtl in (False, True):
        ui.rtl = rtl
        try:
            option.do_layout()
            assert (mark.x > words.x) if rtl else (mark.x < words.x), "mark on the start side"
        finally:
            ui.rtl = False
    assert mark.name == "radio_off"
    option.active = True
    assert mark.name == "radio_on" and tuple(mark.colour) == tuple(ui.palette.primary)


def test_the_focused_field_has_a_dsfr_focus_ring_two_dp_outside_it(driver, ui_app):
    """DSFR focus: a 2 dp ring 2 dp clear of the focused field, in a colour of its own
    (3:1 against the page: tests/ui/test_theme_contrast.py), in both contrasts."""
    from kivy.graphics import Color, Line
    from kivy.metrics import dp

    from kiosk.screens.kit import FormField

    def ring(field):
        instructions = field.ids.box.canvas.before.children
        colour = None
        rings = []
        for instruction in instructions:
            if isinstance(instruction, Color):
                colour = tuple(instruction.rgba)
            elif isinstance(instruction, Line):
                xs, ys = instruction.points[0::2], instruction.points[1::2]
                box = (min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)) if xs else None
                rings.append((colour, box, instruction.width))
        return rings[-1]

    field = FormField(label="Nom", pos=(100, 300), size_hint=(None, None), width=400)
    driver.window.add_widget(field)   # drawn: a Line's points are made when it is drawn
    try:
        for high_contrast in (False, True):
            ui.high_contrast = high_contrast
            try:
                field.focused = False
                driver.frames(1)
                assert ring(field)[0][3] == 0, "no ring without the focus"
                field.focused = True
                driver.frames(1)
                colour, (x, y, w, h), width = ring(field)
                assert colour == tuple(ui.palette.focus_ring)
                box = field.ids.box
                assert x == pytest.approx(box.x - dp(6)) and w == pytest.approx(box.width + dp(12))
                assert y == pytest.approx(box.y - dp(6)) and h == pytest.approx(box.height + dp(12))
                assert width > 1 and width == pytest.approx(dp(1), rel=0.01)   # 2 dp wide
            finally:
                ui.high_contrast = False
    finally:
        driver.window.remove_widget(field)


def test_guided_mode_panel_and_the_focus_ring_are_told_apart(driver, ui_app):
    """Guided mode's "fill this one now" is a tinted panel with a thick start line (DSFR's
    callout look), in colours of its own: the focus ring of the field typed in lies wholly on
    the panel, 6 dp or more clear of the line, 3:1 against both (a frame in the focus blue,
    4 dp outside the ring, read as one thick frame). Both contrasts, both directions."""
    from kivy.graphics import Color, Line, Rectangle
    from kivy.metrics import dp

    from kiosk.screens.kit import FormField
    from kiosk.screens.practice.widgets import FieldFrame
    from kiosk.theme import contrast_ratio

    def drawn(canvas):
        colour, found = None, []
        for instruction in canvas.children:
            if isinstance(instruction, Color):
                colour = tuple(instruction.rgba)
            elif isinstance(instruction, (Line, Rectangle)):
                found.append((colour, instruction))
        return found

    frame = FieldFrame(pos=(100, 300), size_hint=(None, None), width=700)
    field = FormField(label="Numéro de sécurité sociale", example="1 84 12 75 ...")
    frame.add_widget(field)
    driver.window.add_widget(frame)
    try:
        for high_contrast in (False, True):
            for rtl in (False, True):
                ui.high_contrast, ui.rtl = high_contrast, rtl
                try:
                    frame.highlighted, field.focused = True, True
                    driver.frames(2)
                    palette = ui.palette
                    assert contrast_ratio(palette.guide_edge, palette.focus_ring) >= 3
                    assert contrast_ratio(palette.focus_ring, palette.guide) >= 3
                    shapes = drawn(frame.canvas.before)
                    [panel] = [i for c, i in shapes if isinstance(i, Rectangle)
                               and c == tuple(palette.guide)]
                    assert tuple(panel.pos) == tuple(frame.pos)
                    assert tuple(panel.size) == tuple(frame.size)
                    [edge] = [i for c, i in shapes if isinstance(i, Line)
                              and c == tuple(palette.guide_edge) and i.points]
                    edge_x = edge.points[0]
                    *_rest, (ring_colour, ring) = drawn(field.ids.box.canvas.before)
                    assert ring_colour == tuple(palette.focus_ring)
                    xs, ys = ring.points[0::2], ring.points[1::2]
                    outer = ring.width   # a Line of width w is 2w wide
                    left, right = min(xs) - outer, max(xs) + outer
                    assert frame.x <= left and right <= frame.right
                    assert frame.y <= min(ys) - outer and max(ys) + outer <= frame.top
                    if rtl:
                        assert edge_x == pytest.approx(frame.right - dp(3))
                        gap = (edge_x - edge.width) - right
                    else:
                        assert edge_x == pytest.approx(frame.x + dp(3))
                        gap = left - (edge_x + edge.width)
                    assert gap >= dp(6), f"{gap} px of panel between the line and the ring"
                    frame.highlighted = False
                    driver.frames(1)
                    assert tuple(panel.size) == (0, 0) and not edge.points
                finally:
                    ui.high_contrast, ui.rtl = False, False
                    field.focused = False
    finally:
        driver.window.remove_widget(frame)


def test_the_language_changes_after_a_translated_widget_was_freed(driver, ui_app):
    """A widget whose kv used _() is dropped and freed (a form field of a closed page): the
    next change of language goes on, the dead entry is let go (it raised ReferenceError)."""
    import gc

    from kiosk.screens.kit import FormField
    from kiosk.screens.kit.text import tr

    def build_and_drop() -> None:
        FormField(label="Nom", example="Dupont")

    build_and_drop()
    gc.collect()
    try:
        ui.set_language("en")
        ui.set_language("fr")
    finally:
        ui.set_language("fr")
    before = len(tr._observers)
    build_and_drop()
    gc.collect()
    ui.set_language("ar")
    ui.set_language("fr")
    assert len(tr._observers) <= before


@pytest.mark.parametrize("lang", ["fr", "ar"])
def test_at_large_text_a_long_title_keeps_two_lines_ending_with_an_ellipsis(driver, ui_app, lang):
    """A long procedure's title took three lines of the header at x2, pushing the form into the
    lower half of the screen: two lines at most there, the cut shown by « … », the whole title
    still read aloud; at x1 it is whole."""
    long_title = {
        "fr": "Déclarer un changement de situation à la caisse d'allocations familiales après "
              "un déménagement, une naissance ou une séparation, et joindre les justificatifs",
        "ar": "التصريح بتغيير الوضع لدى صندوق المنح العائلية بعد الانتقال إلى مسكن جديد أو ولادة "
              "طفل أو انفصال، وإرفاق الوثائق الداعمة المطلوبة لكل حالة من هذه الحالات",
    }[lang]
    scale = ui.text_scale
    try:
        start_session(ui_app, driver, lang)
        ui_app.show("help_call")
        driver.frames(2)
        screen = driver.screen()
        page = screen.ids.page
        before = page.title
        page.title = long_title
        try:
            for size, clamped in ((1.0, False), (2.0, True), (1.5, True)):
                ui.text_scale = size
                driver.frames(4)
                title = page.ids.header_title
                lines = title.text.split("\n")
                if clamped:
                    assert len(lines) == 2, (size, lines)
                    assert "…" in lines[1]
                    assert title.texture_size[1] <= title.height + 1
                else:
                    assert len(lines) >= 3 or "…" not in title.text
                    assert "…" not in title.text
                assert title.texture_size[0] <= title.width + 1
            assert long_title in screen.speech_text()
        finally:
            page.title = before
    finally:
        ui.text_scale = scale
        ui.set_language("fr")
