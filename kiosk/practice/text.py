"""A string shown to a resident, in the three kiosk languages (French is the source).

Procedures carry their translations inline (``{fr: ..., en: ..., ar: ...}``) so a mediator
writes one file per procedure and the checker can tell exactly which string lacks which
language. Engine messages use the same type (kiosk.practice.messages).
"""
from __future__ import annotations

from dataclasses import dataclass

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")


class _KeepMissing(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


@dataclass(frozen=True)
class Text:
    fr: str
    en: str = ""
    ar: str = ""

    def get(self, lang: str = "fr") -> str:
        """The string in ``lang``; French when that translation is missing (never empty)."""
        value = getattr(self, lang, "") if lang in LANGUAGES else ""
        return value or self.fr

    def format(self, lang: str = "fr", **params: object) -> str:
        """The string with ``{name}`` placeholders filled; a stray brace written by a
        mediator is shown as is rather than breaking the page."""
        text = self.get(lang)
        if not params:
            return text
        try:
            return text.format_map(_KeepMissing(params))
        except (ValueError, IndexError):
            return text

    def missing(self) -> tuple[str, ...]:
        """Languages without a translation."""
        return tuple(lang for lang in LANGUAGES if not getattr(self, lang).strip())

    @classmethod
    def from_data(cls, data: object) -> Text:
        if isinstance(data, str):
            return cls(fr=data)
        if isinstance(data, dict):
            return cls(fr=str(data.get("fr", "")), en=str(data.get("en", "") or ""),
                       ar=str(data.get("ar", "") or ""))
        raise TypeError(f"not a translatable string: {data!r}")
