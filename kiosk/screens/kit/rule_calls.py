"""A kv rule whose widget is gone has nothing to set.

Kivy frees a widget's kv bindings on the shared ``ui`` state (and the translator) from a weak
reference callback, once the cyclic garbage collector has found the widget unreachable. The
collector runs in whichever thread happens to allocate, and the kiosk has threads that allocate
plenty: the browser service imports and drives Playwright in its own. Such a collection first
clears every weak reference to its garbage, then runs the callbacks one by one, in Python; between
two of them the interpreter may hand over to Kivy's thread, which can then change the text size,
the contrast or the language and run the rules of a widget that is already dead but not yet
unbound. Kivy's ``call_fn`` then raised ``ReferenceError`` out of the resident's tap (seen in
full test runs, after a browsing session's start, as an intermittent failure of the monkey test).

Kivy skips such rules itself where it expects them (``Builder.sync`` for canvas rules,
``Builder.unbind_widget``, its ``WeakMethod``); this does the same for property rules, and for
those alone: a ``ReferenceError`` whose rule targets a live widget still propagates.
"""
from __future__ import annotations

from typing import Any

import kivy.lang.builder as kv_builder


def _widget_gone(element: Any) -> bool:
    try:
        element.__class__  # noqa: B018 - a weak proxy raises on any use once its widget is freed
    except ReferenceError:
        return True
    return False


def skip_rules_of_freed_widgets() -> bool:
    """Make Kivy's Builder skip a property rule whose widget has been freed. Applies to the
    bindings created afterwards (``create_handler`` reads ``call_fn`` as it binds): call it
    before any widget is built. Idempotent; True once installed."""
    call_fn = kv_builder.call_fn
    if getattr(call_fn, "skips_freed_widgets", False):
        return True

    def call_rule(args: Any, instance: Any, value: Any) -> Any:
        try:
            return call_fn(args, instance, value)
        except ReferenceError:
            if _widget_gone(args[0]):  # (element, key, value, rule, idmap): element is gone
                return None
            raise

    call_rule.skips_freed_widgets = True  # type: ignore[attr-defined]
    kv_builder.call_fn = call_rule
    return True
