"""The page template every resident screen is built on.

Three fixed parts, top to bottom:

- a **header**: where you are (the title, a read-aloud button) and, on multi-step flows,
  "Étape n sur m", a step bar and "Étape suivante : …";
- a **scrolling content area**: what the screen's kv puts inside ``PageTemplate`` lands there;
  when the on-screen keyboard is docked (between the content and the bottom bar) the content
  shrinks and scrolls so that the focused field, its label and its error stay in view;
- a **bottom bar** with the same four slots in the same place on every screen: Back, Help,
  Call a mediator, Home (or End on the home screen). A slot a screen does not offer stays
  empty, so the others never move. The bar's words grow at most ×1.3: at ×2 it keeps its
  place on a 800 px high screen with the keyboard open. A page offering no action (welcome,
  end, out of order) has no bar at all: it is built with the page's first action (PageBar).

Right-to-left languages mirror the whole template (DirBox). A screen reacts to a bar action
by defining ``page_back`` / ``page_help`` / ``page_mediator`` / ``page_home`` / ``page_end``;
without one the template does the usual thing (see :meth:`PageTemplate.default_action`).
"""
from __future__ import annotations

import sys
from enum import Enum
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    StringProperty,
)
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.screens.kit.page_bar import BAR_BUTTONS, PageBar
from kiosk.screens.kit.rules import HERE, load_kv
from kiosk.screens.kit.state import ui
from kiosk.screens.kit.widgets import DirBox

# The bar's words and icons grow with the text size up to this factor only.
BAR_SCALE_MAX = 1.3


class PageAction(str, Enum):
    BACK = "back"
    HELP = "help"
    MEDIATOR = "mediator"
    HOME = "home"
    END = "end"


# Slot order, start to end (mirrored in right-to-left languages). Home and End share a slot.
BAR_SLOTS: tuple[tuple[PageAction, ...], ...] = (
    (PageAction.BACK,), (PageAction.HELP,), (PageAction.MEDIATOR,),
    (PageAction.HOME, PageAction.END),
)
DEFAULT_ACTIONS = [a.value for a in (PageAction.BACK, PageAction.HELP, PageAction.MEDIATOR,
                                     PageAction.HOME)]


class TextSizeButton(ButtonBehavior, DirBox):
    """The text-size switch, in every page's header. Its size and place do not depend on the
    text size, so a second tap lands on it again (×1 → ×1,5 → ×2 → ×1)."""

    def on_release(self) -> None:
        from kiosk import theme

        ui.text_scale = theme.next_text_scale(ui.text_scale)


def scale_words(scale: float) -> str:
    return {1.0: "×1", 1.5: "×1,5", 2.0: "×2"}.get(scale, f"×{scale:g}")


class StepBar(Widget):
    """The DSFR stepper's bar: one segment per step, the done ones filled."""

    step = NumericProperty(0)
    steps = NumericProperty(0)


class InlineHint(BoxLayout):
    """A hint put in the page's flow below what it talks about: it cannot cover it."""

    txt = StringProperty("")

    __events__ = ("on_dismiss",)

    def on_dismiss(self) -> None:
        pass


class PageTemplate(BoxLayout):
    """Header, scrolling content and bottom bar (see the module docstring)."""

    title = StringProperty("")
    step = NumericProperty(0)          # 1-based; 0: not a multi-step flow
    steps = NumericProperty(0)
    next_step = StringProperty("")     # "Étape suivante : …" (already translated)
    actions = ListProperty(DEFAULT_ACTIONS)
    keyboard = ObjectProperty(None, allownone=True)
    # False: the content fills the area without scrolling (screens whose panels scroll on
    # their own, e.g. the scan steps); the header and the bar stay the same.
    scrolls = BooleanProperty(True)
    content_padding = ListProperty([dp(32), dp(20), dp(32), dp(20)])
    content_spacing = NumericProperty(dp(18))  # between the content's blocks
    bar_height = NumericProperty(0)  # the action bar's, once built (PageBar)

    __events__ = ("on_action",)

    # header, scroller, keyboard dock, bottom bar: the template's own children (page.kv)
    OWN_PARTS = 4

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._reveal_trigger = Clock.create_trigger(self._reveal_now, -1)
        self._revealed: tuple[Any, ...] = ()
        self._hint: InlineHint | None = None

    def on_scrolls(self, _inst: Any, scrolls: bool) -> None:
        """A page that does not scroll has no scroll view at all: a ScrollView holds touches
        back to tell a tap from a swipe, which lost taps on the scroll views inside it."""
        scroller, content = self.ids.get("scroller"), self.ids.get("content")
        if scroller is None or content is None:
            return  # before the class rule: on_kv_post comes back here
        if not scrolls and content.parent == scroller:
            # the widgets themselves, not the ids' weak proxies: Kivy compares with "is"
            scroller, content = content.parent, scroller.children[0]
            index = self.children.index(scroller)
            scroller.remove_widget(content)
            self.remove_widget(scroller)
            self._unused_scroller = scroller  # kept: the ids' weak proxies to it stay valid
            super().add_widget(content, index=index)

    def on_kv_post(self, base_widget: Any) -> None:
        self.build_bar()
        Clock.schedule_once(lambda _dt: self.on_scrolls(self, self.scrolls), -1)
        # While the keyboard is docked, any change of size (text size, a message appearing,
        # the keyboard's own rows) brings the focused field back into view.
        self.ids.content.bind(height=self._keep_focus)
        self.ids.scroller.bind(height=self._keep_focus)

    # -- action bar ---------------------------------------------------------------------------
    def on_actions(self, _inst: Any, actions: list[str]) -> None:
        bar = self.ids.get("page_bar")
        if bar is not None:
            bar.actions = list(actions)
        elif actions:
            self.build_bar()

    def build_bar(self) -> None:
        """Make the action bar if the page offers an action and has none yet; its buttons are
        then the page's ids (bar_back, bar_help, bar_mediator, bar_home)."""
        holder = self.ids.get("bar")
        if not self.actions or holder is None or "page_bar" in self.ids:
            return
        bar = PageBar(self)
        bar.bind(natural_height=self.setter("bar_height"))
        self.bar_height = bar.natural_height
        holder.add_widget(bar)
        self.ids["page_bar"] = bar
        for name in BAR_BUTTONS:
            self.ids[name] = bar.ids[name]

    # -- content ------------------------------------------------------------------------------
    def add_widget(self, widget: Widget, *args: Any, **kwargs: Any) -> None:
        """Children given in a screen's kv go into the scrolling content area. (Kivy applies
        the class rule, which adds the template's own parts, before the screen's children.)"""
        if len(self.children) >= self.OWN_PARTS and "content" in self.ids \
                and not getattr(widget, "is_banner", False):
            self.ids.content.add_widget(widget, *args, **kwargs)
        else:
            super().add_widget(widget, *args, **kwargs)

    def content_children(self) -> list[Widget]:
        return list(reversed(self.ids.content.children))

    # -- keyboard -----------------------------------------------------------------------------
    def dock_keyboard(self, keyboard: Any, field: Any) -> None:
        """Show the on-screen keyboard above the bottom bar, typing into ``field``, and keep
        the field (label, box and message) in view above it whatever changes size."""
        if self.keyboard is not None and self.keyboard.target is not field:
            self._follow(self.keyboard.target, False)
        keyboard.attach(field)
        field.focused = True
        if keyboard.parent is not None and keyboard.parent is not self.ids.dock:
            keyboard.parent.remove_widget(keyboard)
        if keyboard.parent is None:
            self.ids.dock.add_widget(keyboard)
        self.keyboard = keyboard
        self._follow(field, True)
        self.reveal(field)

    def undock_keyboard(self) -> None:
        keyboard = self.keyboard
        if keyboard is None:
            return
        if keyboard.target is not None:
            keyboard.target.focused = False
            self._follow(keyboard.target, False)
        if keyboard.parent is not None:
            keyboard.parent.remove_widget(keyboard)
        self.keyboard = None

    def _follow(self, field: Any, on: bool) -> None:
        if field is None:
            return
        for prop in ("pos", "size"):
            (field.fbind if on else field.funbind)(prop, self._keep_focus)

    def _keep_focus(self, *_args: Any) -> None:
        keyboard = self.keyboard
        if keyboard is not None and keyboard.parent is not None and keyboard.target is not None:
            self._watch((keyboard.target,))
            self._reveal_trigger()
        elif self._hint is not None and self._hint in self._revealed:
            self._reveal_trigger()   # the hint and its target, while the hint's words lay out

    def reveal(self, *widgets: Any) -> None:
        """Scroll the content so ``widgets`` (the band from the highest to the lowest) are in
        view once the layout has settled; the top of the band first when it does not fit."""
        self._watch(widgets)
        self._reveal_trigger()

    def _watch(self, widgets: tuple[Any, ...]) -> None:
        """Reveal ``widgets`` again whenever a layout pass moves them (a hint's words laid
        out, a phone's message: the band's places settle a pass after the content's size)."""
        for w in self._revealed:
            try:
                w.funbind("y", self._reveal_trigger)
            except (AttributeError, ReferenceError):  # None, or a widget gone with its page
                pass
        self._revealed = widgets
        for w in widgets:
            if w is not None:
                w.fbind("y", self._reveal_trigger)

    def _reveal_now(self, *_args: Any) -> None:
        """The least scroll that shows the whole band (its top first when it is taller than
        the view). Computed from the widgets' places in the content, which do not depend on
        the scroll: called again whenever a layout pass moves them, it settles."""
        widgets = [w for w in self._revealed if w is not None and w.parent is not None]
        scroller = self.ids.get("scroller")
        if not widgets or scroller is None or not self.scrolls:
            return
        content = self.ids.content
        spare = content.height - scroller.height
        if spare <= 0:
            scroller.scroll_y = 1
            return
        high = max(content.to_widget(*w.to_window(w.x, w.top))[1] for w in widgets)
        low = min(content.to_widget(*w.to_window(w.x, w.y))[1] for w in widgets)
        # a margin around the band when there is room for it
        margin = max(0.0, min(dp(8), (scroller.height - (high - low)) / 2))
        top = content.top - high - margin       # from the content's top, downwards
        bottom = content.top - low + margin
        view = (1 - scroller.scroll_y) * spare          # the content's offset at the view's top
        if bottom - top > scroller.height or top < view:
            view = top
        elif bottom > view + scroller.height:
            view = bottom - scroller.height
        scroll_y = max(0.0, min(1.0, 1 - view / spare))
        if abs(scroll_y - scroller.scroll_y) * spare > 0.5:  # a pixel: moving moves them again
            scroller.scroll_y = scroll_y

    # -- bottom bar ---------------------------------------------------------------------------
    def on_action(self, action: str) -> None:
        screen = self.screen()
        handler = getattr(screen, f"page_{action}", None)
        if handler is not None:
            handler()
        else:
            self.default_action(action)

    def default_action(self, action: str) -> None:
        """Back and Home go to the home screen; Help shows the page's help text (the screen's
        ``help_text``, else its instructions) under the header; Call a mediator opens the help
        call; End ends the session."""
        app = App.get_running_app()
        if action in (PageAction.BACK, PageAction.HOME):
            app.show("home")
        elif action == PageAction.MEDIATOR:
            app.show("help_call")
        elif action == PageAction.END:
            from kiosk_wire.schema import EndReason

            app.runtime.core.end(EndReason.FINISHED)
        elif action == PageAction.HELP:
            screen = self.screen()
            text = getattr(screen, "help_text", "") if screen else ""
            if not text and screen is not None:  # the screen's own instructions
                text = screen.speech_text().partition("\n")[2] or screen.speech_text()
            if text:
                self.show_hint(self.ids.header_title, text)

    def screen(self) -> Any:
        widget = self.parent
        while widget is not None and not hasattr(widget, "manager"):
            widget = widget.parent
        return widget

    # -- hints ----------------------------------------------------------------------------------
    @property
    def hint(self) -> InlineHint:
        """The page's one hint (reused: tests and screens hold on to it)."""
        if self._hint is None:
            self._hint = InlineHint()
            self._hint.bind(on_dismiss=lambda *_a: self.dismiss_hint())
        return self._hint

    def show_hint(self, target: Any, text: str, below: Any = None,
                  along: tuple[Any, ...] = ()) -> InlineHint:
        """A hint that never covers its target: it is put in the flow of the page right below
        the row that holds the target (in the nearest vertical list around it), or below
        ``below`` (a whole field: label, box and message); for a target outside the content
        (header, bottom bar) at the top of the content. The page then scrolls to show both,
        the target first; while a field is being typed in, that field keeps the view (a hint
        never takes the place of what is being typed). ``along``: what the hint speaks of
        elsewhere on the page (the simulated phone with the code to type), shown with it."""
        hint = self.hint
        self.dismiss_hint()
        hint.txt = text
        row, flow = flow_row(below if below is not None else target, self.ids.content)
        index = flow.children.index(row) if row is not None else len(flow.children)
        flow.add_widget(hint, index=index)
        if ui.read_aloud:
            ui.speak(text)
        keyboard = self.keyboard
        if keyboard is not None and keyboard.target is not None:
            self.reveal(keyboard.target, hint)
        else:
            self.reveal(*along, *(w for w in (row, hint) if w is not None))
        return hint

    def dismiss_hint(self) -> None:
        hint = self._hint
        if hint is not None and hint in self._revealed:
            self._watch(())
        if hint is not None and hint.parent is not None:
            hint.parent.remove_widget(hint)

    def set_banner(self, widget: Widget) -> None:
        """A band above the header that never scrolls away (the practice's SIMULATION
        ribbon)."""
        if widget.parent is None:
            widget.is_banner = True
            self.add_widget(widget, index=len(self.children))


def flow_row(target: Any, content: Widget) -> tuple[Any, Widget]:
    """(the ancestor of ``target`` that is an item of a vertical list, that list); the list
    is the nearest vertical BoxLayout of unbounded height (it grows with what is put in it)
    inside ``content``. (None, content) when the target is not in the content."""
    # the widgets themselves: kv ids are weak proxies, which "is" never matches
    target, content = target.__self__, content.__self__
    inside, widget = False, target
    while widget is not None and widget is not widget.parent:
        if widget is content:
            inside = True
            break
        widget = widget.parent
    if not inside:
        return None, content
    row = target
    while row.parent is not None and row is not content:
        parent = row.parent
        if (isinstance(parent, BoxLayout) and parent.orientation == "vertical"
                and parent.size_hint_y is None):
            return row, parent
        row = parent
    return None, content


# page.kv imports helpers from this module; Kivy resolves them by getattr on the package,
# which does not know this module until its import ends (see kiosk/screens/kit/__init__.py).
sys.modules["kiosk.screens.kit"].page = sys.modules[__name__]  # type: ignore[attr-defined]
load_kv(HERE / "page.kv")
