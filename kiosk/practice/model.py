"""A practice procedure as typed data: what the loader builds and the engine runs.

The engine knows nothing about any one procedure; everything specific (pages, fields, hints,
traps, branches, debrief, memo) is here, read from one YAML file per procedure.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from pathlib import Path
from typing import Any

from kiosk.i18n import N_
from kiosk.practice.text import CatalogueText, Text
from kiosk_wire.schema import Theme


class FieldType(str, Enum):
    TEXT = "text"
    DATE = "date"
    NUMBER = "number"
    CHOICE = "choice"
    CHECKBOX = "checkbox"
    PASSWORD = "password"
    SMS_CODE = "sms_code"
    EMAIL_CODE = "email_code"    # a code received by e-mail, in the simulated phone's mailbox
    DOCUMENT_UPLOAD = "document_upload"
    CONSENT = "consent"
    SIGNATURE = "signature"
    CAPTCHA = "captcha"


class TrapKind(str, Enum):
    SESSION_EXPIRED = "session_expired"   # waiting too long on the page loses it
    WRONG_FORMAT = "wrong_format"         # right value, format the site refuses
    SCAM_LINK = "scam_link"               # a lookalike link offered on the page
    # The captcha is a field (type captcha) so it can be placed and hinted like any other.


class Level(str, Enum):
    BEGINNER = "debutant"
    INTERMEDIATE = "intermediaire"
    ADVANCED = "avance"


class Variant(str, Enum):
    """Which version of a procedure a run plays: the full one, or the short first-timer one a
    procedure may declare (``short:``, kiosk.practice.variants)."""

    FULL = "complete"
    SHORT = "courte"


# Translated in the kiosk's gettext catalogues, like the engine's messages.
LEVEL_LABELS: dict[Level, Text] = {
    Level.BEGINNER: CatalogueText(N_("Débutant")),
    Level.INTERMEDIATE: CatalogueText(N_("Intermédiaire")),
    Level.ADVANCED: CatalogueText(N_("Avancé")),
}


@dataclass(frozen=True)
class Option:
    value: str
    label: Text


@dataclass(frozen=True)
class ValidatorSpec:
    name: str
    params: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Sample:
    """A sample document the person can attach instead of a scan of their own."""

    id: str
    label: Text


@dataclass(frozen=True)
class Field:
    id: str
    type: FieldType
    label: Text
    help: Text | None = None
    required: bool = True
    persona: str | None = None        # key of the persona value to type
    expected: str | None = None       # a fixed right answer (quiz, captcha text)
    validators: tuple[ValidatorSpec, ...] = ()
    rules: dict[str, Any] = field(default_factory=dict)   # password rules
    same_as: str | None = None        # "confirm your password"
    digits: int = 6                   # sms_code / email_code: the code's length on the real site
    options: tuple[Option, ...] = ()
    samples: tuple[Sample, ...] = ()
    errors: dict[str, Text] = field(default_factory=dict)  # message key -> override
    line: int = 0


@dataclass(frozen=True)
class Hint:
    text: Text
    field: str | None = None
    line: int = 0


@dataclass(frozen=True)
class Trap:
    kind: TrapKind
    after_s: float = 0.0              # session_expired
    restart: str | None = None        # session_expired: page to go back to (default: this one)
    field: str | None = None          # wrong_format: the field whose format is strict
    format: str | None = None         # wrong_format: a regular expression the site demands
    message: Text | None = None       # wrong_format / scam_link explanation
    link: str | None = None           # scam_link: the lookalike address shown
    label: Text | None = None         # scam_link: the link's text
    line: int = 0


@dataclass(frozen=True)
class Branch:
    page: str
    field: str | None = None
    equals: str | None = None
    line: int = 0

    def applies(self, value: Any) -> bool:
        if self.field is None:
            return True
        return str(value if value is not None else "") == str(self.equals)


@dataclass(frozen=True)
class Table:
    header: tuple[Text, ...]
    rows: tuple[tuple[Text, ...], ...]


@dataclass(frozen=True)
class Page:
    id: str
    title: Text
    intro: Text | None = None
    content: tuple[Text, ...] = ()
    table: Table | None = None
    fields: tuple[Field, ...] = ()
    hints: tuple[Hint, ...] = ()
    traps: tuple[Trap, ...] = ()
    next: tuple[Branch, ...] = ()
    end: bool = False
    button: Text | None = None
    qr: str | None = None             # a fictional code the page shows as a QR code
    line: int = 0

    def field(self, field_id: str) -> Field | None:
        return next((f for f in self.fields if f.id == field_id), None)

    def trap(self, kind: TrapKind) -> Trap | None:
        return next((t for t in self.traps if t.kind is kind), None)


@dataclass(frozen=True)
class Logo:
    """A neutral logo we draw ourselves: a shape, initials, a colour. Never a real logo."""

    shape: str
    initials: str
    colour: str


@dataclass(frozen=True)
class Operator:
    name: str
    tagline: Text
    primary: str
    secondary: str
    text: str
    logo: Logo
    address: str            # the fictional site address shown in the fake browser bar


@dataclass(frozen=True)
class PersonaValue:
    key: str
    label: Text
    value: str
    validators: tuple[ValidatorSpec, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Persona:
    name: str
    card: Text
    values: tuple[PersonaValue, ...]

    def value(self, key: str) -> str | None:
        found = next((v for v in self.values if v.key == key), None)
        return found.value if found else None


@dataclass(frozen=True)
class Memo:
    title: Text
    steps: tuple[Text, ...]
    tips: tuple[Text, ...] = ()


@dataclass(frozen=True)
class Procedure:
    id: str
    title: Text
    summary: Text
    operator: Operator
    theme: Theme
    level: Level
    duration_min: int
    persona: Persona
    pages: tuple[Page, ...]
    start: str
    remember: tuple[Text, ...]         # debrief: what to remember for the real site
    memo: Memo
    keywords: tuple[str, ...] = ()
    source: Path | None = None          # the file it was read from
    real_service: str = ""              # the real service it copies, its official site and
    real_site: str = ""                 # the official page it follows, with when it was
    source_page: str = ""               # last checked (docs/procedure-sources.md lists them)
    source_checked: str = ""
    # The version of a procedure published from the console (kiosk.practice.published); None
    # for a shipped one or a site's own file. The session record carries it, never the text.
    published_version: int | None = None
    # The short first-timer version (its own id, ``<id>-courte``, so the statistics keep the
    # two apart with ids only), and, on that short version, the full one's id.
    variant: Variant = Variant.FULL
    short: Procedure | None = None
    full_id: str | None = None

    @property
    def real_address(self) -> str | None:
        """The real site as a person reads and types it: 'www.caf.fr', no 'https://'."""
        if not self.real_site:
            return None
        return self.real_site.removeprefix("https://").rstrip("/")

    def page(self, page_id: str) -> Page:
        for page in self.pages:
            if page.id == page_id:
                return page
        raise KeyError(f"procedure {self.id}: no page {page_id!r}")

    def shown_value(self, key: str, lang: str = "fr") -> str | None:
        """A persona value as the person sees it on the site: for a choice, the option's
        label in ``lang`` ("Mardi 17 mars"), not its internal value ("2026-03-17")."""
        value = self.persona.value(key)
        for page in self.pages:
            for fld in page.fields:
                if fld.persona == key and fld.type is FieldType.CHOICE:
                    for option in fld.options:
                        if option.value == value:
                            return option.label.get(lang)
        return value

    def persona_rows(self, lang: str = "fr") -> list[tuple[str, str]]:
        """The persona card's lines (label, value as shown), for the card and the checker."""
        return [(v.label.get(lang), self.shown_value(v.key, lang) or v.value)
                for v in self.persona.values]
