"""One page of a procedure as the kiosk draws it (kiosk/screens/practice/page_view.py), for the
console's preview: the same texts, in the same order, from the procedure's parsed YAML.

The kiosk's page is built from the loaded procedure; the server may not import the terminal
(tests/test_layering.py), so this follows page_view.PageView's order by hand and
tests/ui/test_procedure_preview_matches.py holds the two together: title, intro, paragraphs,
table, the scam trap's lookalike link, the "all fields" line, each field's label (help and
choices under it), the site's button (« Continuer » when the page names none; the last page's
« Terminer l'exercice et voir mon bilan »). In French, English or Arabic: a text's translation,
the French where it has none (as the kiosk does), and the kiosk's own words in that language
(:data:`WORDS`, the kiosk's catalogue's; tests/server/test_procedure_preview.py holds them
together).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

RIBBON = "SIMULATION — rien n'est envoyé. Les informations viennent de votre fiche d'exercice."
ALL_REQUIRED = "Tous les champs sont obligatoires."
CONTINUE = "Continuer"
FINISH = "Terminer l'exercice et voir mon bilan"
CLICK_HERE = "Cliquez ici"
LANGUAGES = ("fr", "en", "ar")
# The kiosk's words on a practice page, as its catalogues (kiosk/locale) translate them.
WORDS: dict[str, dict[str, str]] = {
    "en": {RIBBON: "SIMULATION — nothing is sent. The details come from your exercise sheet.",
           ALL_REQUIRED: "All fields are required.", CONTINUE: "Continue",
           FINISH: "Finish the exercise and see my summary", CLICK_HERE: "Click here"},
    "ar": {RIBBON: "محاكاة — لا يُرسل أي شيء. المعلومات مأخوذة من بطاقة التمرين.",
           ALL_REQUIRED: "جميع الحقول إلزامية.", CONTINUE: "متابعة",
           FINISH: "إنهاء التمرين ورؤية حصيلتي", CLICK_HERE: "انقر هنا"},
}


def word(french: str, lang: str) -> str:
    """One of the kiosk's own words in ``lang``."""
    return WORDS.get(lang, {}).get(french, french)


def in_lang(text: Any, lang: str = "fr") -> str:
    """A text in ``lang`` (a {fr: .., en: .., ar: ..} mapping, else a plain string as some
    values are), its French when it has no such translation."""
    if isinstance(text, dict):
        return str(text.get(lang) or text.get("fr") or "")
    return "" if text is None else str(text)


@dataclass
class FieldPreview:
    id: str
    type: str
    label: str
    help: str = ""
    options: list[str] = field(default_factory=list)


@dataclass
class PagePreview:
    operator: str
    address: str
    primary: str
    title: str
    paragraphs: list[str]
    table: list[list[str]]  # the header first
    scam_link: str
    all_required: bool
    fields: list[FieldPreview]
    button: str
    end: bool
    all_required_text: str = ALL_REQUIRED

    def texts(self) -> list[str]:
        """The page's body texts in the order the kiosk shows them (title to button)."""
        out = [self.title, *self.paragraphs, *[cell for row in self.table for cell in row]]
        if self.scam_link:
            out.append(self.scam_link)
        if self.all_required:
            out.append(self.all_required_text)
        out += [f.label for f in self.fields]
        return [*out, self.button]


def _colour(value: Any) -> str:
    """The operator's colour, only as a #rrggbb (it goes into a style attribute)."""
    text = str(value or "")
    return text if re.fullmatch(r"#[0-9a-fA-F]{6}", text) else "#1b4f8e"


def page_preview(data: dict[str, Any], index: int, lang: str = "fr") -> PagePreview:
    def say(text: Any) -> str:  # the page's texts in the language asked
        return in_lang(text, lang)

    page = data["pages"][index]
    operator = data.get("operator")
    operator = operator if isinstance(operator, dict) else {}
    colours = operator.get("colours")
    colours = colours if isinstance(colours, dict) else {}
    paragraphs = [say(page.get("intro"))] if say(page.get("intro")) else []
    paragraphs += [say(p) for p in page.get("content") or []]
    table = page.get("table")
    rows = [[say(c) for c in table.get("header") or []],
            *[[say(c) for c in row] for row in table.get("rows") or []]
            ] if isinstance(table, dict) else []
    scam = next((t for t in page.get("traps") or []
                 if isinstance(t, dict) and t.get("kind") == "scam_link"), None)
    fields = [FieldPreview(str(f.get("id", "")), str(f.get("type", "text")),
                           say(f.get("label")), say(f.get("help")),
                           [say(o.get("label")) for o in f.get("options") or []
                            if isinstance(o, dict)])
              for f in page.get("fields") or [] if isinstance(f, dict)]
    required = [f for f in page.get("fields") or []
                if isinstance(f, dict) and f.get("required", True)]
    end = bool(page.get("end"))
    return PagePreview(
        operator=str(operator.get("name", "")), address=str(operator.get("address", "")),
        primary=_colour(colours.get("primary")), title=say(page.get("title")),
        paragraphs=paragraphs, table=rows,
        scam_link=(say(scam.get("label")) or word(CLICK_HERE, lang)) if scam else "",
        all_required=bool(required) and len(fields) > 1, fields=fields,
        button=word(FINISH, lang) if end else (say(page.get("button")) or word(CONTINUE, lang)),
        end=end, all_required_text=word(ALL_REQUIRED, lang))
