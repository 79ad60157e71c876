"""Labels keep their texture, not a second copy of their pixels.

Kivy's SDL2 text provider renders a label into an SDL surface, copies the pixels out for the
texture and keeps the surface on the label until its next rendering: every label on every
screen built so far held a full RGBA copy of its text image (~7 MB after the bench journey,
more with text x2, and the screens stay built). The copy is never read again: the texture is
what is drawn, and a new rendering makes a new surface. So the surface is let go as soon as
the pixels are out.
"""
from __future__ import annotations

from typing import Any

from kivy.core.text import Label as CoreLabel


def release_surfaces_after_rendering(cls: Any = CoreLabel) -> bool:
    """Make Kivy's text provider (``cls``; markup labels derive from it) drop its surface once
    rendered. True when it is the SDL2 provider (the one that keeps one); another provider is
    left as it is. Idempotent."""
    if cls.__name__ != "LabelSDL2":
        return False
    render_end = cls._render_end
    if getattr(render_end, "releases_surface", False):
        return True

    def _render_end(self: Any) -> Any:
        try:
            return render_end(self)
        finally:
            self._surface = None

    _render_end.releases_surface = True  # type: ignore[attr-defined]
    cls._render_end = _render_end
    return True
