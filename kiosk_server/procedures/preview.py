"""One page of a procedure as the kiosk draws it (kiosk/screens/practice/page_view.py), for the
console's preview: the same texts, in the same order, from the procedure's parsed YAML.

The kiosk's page is built from the loaded procedure; the server may not import the terminal
(tests/test_layering.py), so this follows page_view.PageView's order by hand and
tests/ui/test_procedure_preview_matches.py holds the two together: title, intro, paragraphs,
table, the scam trap's lookalike link, the "all fields" line, each field's label (help and
choices under it), the site's button (« Continuer » when the page names none; the last page's
« Terminer l'exercice et voir mon bilan »).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

RIBBON = "SIMULATION — rien n'est envoyé. Les informations viennent de votre fiche d'exercice."
ALL_REQUIRED = "Tous les champs sont obligatoires."
CONTINUE = "Continuer"
FINISH = "Terminer l'exercice et voir mon bilan"


def fr(text: Any) -> str:
    """The French of a text (a {fr: ..} mapping, or a plain string as some values are)."""
    if isinstance(text, dict):
        return str(text.get("fr") or "")
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

    def texts(self) -> list[str]:
        """The page's body texts in the order the kiosk shows them (title to button)."""
        out = [self.title, *self.paragraphs, *[cell for row in self.table for cell in row]]
        if self.scam_link:
            out.append(self.scam_link)
        if self.all_required:
            out.append(ALL_REQUIRED)
        out += [f.label for f in self.fields]
        return [*out, self.button]


def _colour(value: Any) -> str:
    """The operator's colour, only as a #rrggbb (it goes into a style attribute)."""
    text = str(value or "")
    return text if re.fullmatch(r"#[0-9a-fA-F]{6}", text) else "#1b4f8e"


def page_preview(data: dict[str, Any], index: int) -> PagePreview:
    page = data["pages"][index]
    operator = data.get("operator")
    operator = operator if isinstance(operator, dict) else {}
    colours = operator.get("colours")
    colours = colours if isinstance(colours, dict) else {}
    paragraphs = [fr(page.get("intro"))] if fr(page.get("intro")) else []
    paragraphs += [fr(p) for p in page.get("content") or []]
    table = page.get("table")
    rows = [[fr(c) for c in table.get("header") or []],
            *[[fr(c) for c in row] for row in table.get("rows") or []]
            ] if isinstance(table, dict) else []
    scam = next((t for t in page.get("traps") or []
                 if isinstance(t, dict) and t.get("kind") == "scam_link"), None)
    fields = [FieldPreview(str(f.get("id", "")), str(f.get("type", "text")),
                           fr(f.get("label")), fr(f.get("help")),
                           [fr(o.get("label")) for o in f.get("options") or []
                            if isinstance(o, dict)])
              for f in page.get("fields") or [] if isinstance(f, dict)]
    required = [f for f in page.get("fields") or []
                if isinstance(f, dict) and f.get("required", True)]
    end = bool(page.get("end"))
    return PagePreview(
        operator=str(operator.get("name", "")), address=str(operator.get("address", "")),
        primary=_colour(colours.get("primary")), title=fr(page.get("title")),
        paragraphs=paragraphs, table=rows,
        scam_link=(fr(scam.get("label")) or "Cliquez ici") if scam else "",
        all_required=bool(required) and len(fields) > 1, fields=fields,
        button=FINISH if end else (fr(page.get("button")) or CONTINUE), end=end)
