"""A string shown to a resident, in the three kiosk languages (French is the source).

Procedures carry their translations inline (``{fr: ..., en: ..., ar: ...}``) so a mediator
writes one file per procedure and the checker can tell exactly which string lacks which
language. The engine's own messages (kiosk.practice.messages) are :class:`CatalogueText`: the
same interface, translated by the kiosk's gettext catalogues like every other kiosk string.
"""
from __future__ import annotations

from dataclasses import dataclass

from kiosk.i18n import ngettext_to, translate_to

LANGUAGES: tuple[str, ...] = ("fr", "en", "ar")


class _KeepMissing(dict[str, object]):
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


@dataclass(frozen=True)
class CatalogueText(Text):
    """A kiosk string whose translations are in the gettext catalogues (kiosk/locale), not
    inline: ``en`` and ``ar`` stay empty here and :meth:`get` asks the catalogue."""

    def get(self, lang: str = "fr") -> str:
        if lang == "fr" or lang not in LANGUAGES:
            return self.fr
        return translate_to(lang, self.fr)

    def missing(self) -> tuple[str, ...]:
        """Languages whose catalogue has no translation (gettext then gives the source back)."""
        return tuple(lang for lang in LANGUAGES if lang != "fr" and self.get(lang) == self.fr)


@dataclass(frozen=True)
class CataloguePlural(CatalogueText):
    """A catalogue string with a plural form chosen by its ``count`` parameter ("1 essai
    refusé", "3 essais refusés"; Arabic has six forms), never "essai(s)"."""

    plural: str = ""

    def get(self, lang: str = "fr") -> str:
        """The singular form (a count of one)."""
        return ngettext_to(lang if lang in LANGUAGES else "fr", self.fr, self.plural or self.fr, 1)

    def missing(self) -> tuple[str, ...]:
        return tuple(lang for lang in LANGUAGES if lang != "fr"
                     and ngettext_to(lang, self.fr, self.plural, 2) == self.plural)

    def format(self, lang: str = "fr", **params: object) -> str:
        count = params.get("count", 1)
        n = count if isinstance(count, int) else 1
        target = lang if lang in LANGUAGES else "fr"
        text = ngettext_to(target, self.fr, self.plural or self.fr, n)
        try:
            return text.format_map(_KeepMissing(params))
        except (ValueError, IndexError):
            return text
