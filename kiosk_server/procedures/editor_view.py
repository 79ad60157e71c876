"""What the console's procedure editor shows and does besides translating (editor_form): the
controls grouped and labelled in French (the procedure, the persona card, each page, the
debrief), the changes of structure its buttons ask for (add, remove, move a page; add a field,
a hint, a trap, a branch, a persona value) and the templates a new procedure starts from.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk_server.procedures.checking import CheckFinding
from kiosk_server.procedures.editor_form import EditorRefused, flatten

TEMPLATES_DIR = Path(__file__).parent / "templates"
TEMPLATES = {"formulaire-simple": "Formulaire en ligne simple (accueil, formulaire, fin)"}

# The words a mediator reads for the procedure's keys (the file's keys are English).
WORDS = {
    "format": "Version du format", "id": "Identifiant", "title": "Titre", "summary": "Résumé",
    "keywords": "Mots-clés", "real_service": "Service réel imité", "real_site": "Site réel",
    "source_page": "Page de référence", "source_checked": "Vérifiée le",
    "operator": "Site imité", "name": "Nom", "tagline": "Slogan", "address": "Adresse du site",
    "colours": "Couleurs", "primary": "principale", "secondary": "secondaire", "text": "Texte",
    "logo": "Logo", "shape": "forme", "initials": "initiales", "colour": "couleur",
    "theme": "Thème", "level": "Niveau", "duration_min": "Durée (minutes)",
    "persona": "Valeur attendue (clé de la fiche)", "card": "Fiche à lire",
    "values": "Valeur", "key": "Clé", "label": "Libellé", "value": "Valeur",
    "validators": "Vérification", "pages": "Page", "intro": "Introduction",
    "content": "Paragraphe", "table": "Tableau", "header": "En-tête", "rows": "Ligne",
    "fields": "Case", "type": "Type de case", "help": "Aide sous la case",
    "required": "Obligatoire", "expected": "Valeur attendue", "options": "Choix",
    "hints": "Indice", "field": "Case concernée", "traps": "Piège", "kind": "Sorte de piège",
    "after_s": "Après (secondes)", "restart": "Reprendre à la page", "message": "Message",
    "link": "Lien trompeur", "next": "Page suivante", "page": "Page", "equals": "Si la valeur est",
    "end": "Dernière page", "button": "Bouton", "qr": "QR code", "debrief": "Bilan",
    "remember": "À retenir", "memo": "Fiche mémo", "steps": "Étape", "start": "Départ",
    "samples": "Exemple de document", "digits": "Chiffres", "errors": "Message d'erreur",
    "fr": "français", "en": "anglais", "ar": "arabe", "same_as": "Identique à la case",
    "rules": "Règle", "past": "passée", "future": "future", "min": "minimum", "max": "maximum",
    "count": "nombre"}
CHOICES = {
    "type": ["text", "date", "number", "choice", "checkbox", "password", "sms_code",
             "email_code", "document_upload", "consent", "signature", "captcha"],
    "kind": ["session_expired", "wrong_format", "scam_link"],
    "level": ["debutant", "intermediaire", "avance"]}
# What a mediator reads for the file's words in the selects (the value stays the file's word).
CHOICE_WORDS = {
    "text": "texte", "date": "date", "number": "nombre", "choice": "choix dans une liste",
    "checkbox": "case à cocher", "password": "mot de passe", "sms_code": "code reçu par SMS",
    "email_code": "code reçu par e-mail", "document_upload": "document à joindre",
    "consent": "accord à cocher", "signature": "signature", "captcha": "captcha",
    "session_expired": "session expirée", "wrong_format": "mauvais format",
    "scam_link": "lien trompeur", "debutant": "débutant", "intermediaire": "intermédiaire",
    "avance": "avancé", "nir": "numéro de sécurité sociale", "numero_fiscal": "numéro fiscal",
    "numero_acces": "numéro d'accès en ligne", "iban": "IBAN", "postal_code": "code postal",
    "email": "adresse e-mail", "phone": "téléphone", "digits": "chiffres"}
VALIDATORS = ["nir", "numero_fiscal", "numero_acces", "iban", "postal_code", "date", "email",
              "phone", "password", "number", "digits"]
LONG = {"card", "intro", "content", "summary", "message", "text", "help"}


@dataclass
class Control:
    name: str      # the posted name (the value's path, with its type mark)
    label: str     # French
    value: str
    choices: list[str] = field(default_factory=list)
    long: bool = False
    marker: bool = False  # an empty list or mapping, kept as a hidden control
    # The first control of a removable item (a case, an indice...): (its path, its name).
    starts_item: tuple[str, str] | None = None
    findings: list[CheckFinding] = field(default_factory=list)

    @property
    def path(self) -> str:
        return self.name.partition("#")[0]

    @property
    def has_error(self) -> bool:
        return any(f.severity.value == "error" for f in self.findings)


_ADD_LANG = re.compile(r' : ajoutez (en|ar): "\.\.\."')


def plain(message: str) -> str:
    """A finding as the editor's reader needs it: the file's syntax becomes the control."""
    message = message.replace("dans persona: values:", "dans le cadre « La fiche persona »")
    return _ADD_LANG.sub(lambda m: f" : remplissez « {WORDS[m.group(1)]} » juste en dessous",
                         message)


@dataclass
class Group:
    title: str
    anchor: str
    page: int | None = None  # the page's index, for its buttons and preview
    controls: list[Control] = field(default_factory=list)


def _label(steps: list[str]) -> str:
    words: list[str] = []
    for step in steps:
        if step.isdigit():
            if words:
                words[-1] = f"{words[-1]} {int(step) + 1}"
            continue
        word = WORDS.get(step, step.replace("~1", ".").replace("~2", ""))
        if step in ("fr", "en", "ar") and words:
            words[-1] = f"{words[-1]} ({word})"
        else:
            words.append(word)
    return " › ".join(words)


def _ids(items: Any, key: str) -> list[str]:
    return [str(i[key]) for i in items if isinstance(i, dict) and i.get(key)] if isinstance(
        items, list) else []


def _choices(data: dict[str, Any], steps: list[str], last: str) -> list[str]:
    """What a control may hold, where the procedure says it: a page for « next », a persona
    value for a case's expected value, a case of the page for an indice..."""
    if "validators" in steps and last in ("validators", "name"):
        return VALIDATORS
    if steps[0] != "pages" or len(steps) < 3 or not steps[1].isdigit():
        return CHOICES.get(last, [])
    persona = data.get("persona")
    pages = data.get("pages")
    page = pages[int(steps[1])] if isinstance(pages, list) else {}
    if last in ("next", "page", "restart"):
        return _ids(pages, "id")
    if last == "persona" and steps[2] == "fields" and isinstance(persona, dict):
        return _ids(persona.get("values"), "key")
    if last in ("field", "same_as") and isinstance(page, dict):
        return _ids(page.get("fields"), "id")
    return CHOICES.get(last, [])


def groups(data: dict[str, Any], beside: dict[str, list[CheckFinding]]) -> list[Group]:
    """The form's controls, one group for the procedure, the persona card, each page and the
    debrief, each labelled in French, with the findings that concern it."""
    page_groups: dict[int, Group] = {}
    head = Group("La démarche", "demarche")
    persona = Group("La fiche persona", "persona")
    tail = Group("Bilan et fiche mémo", "bilan")
    seen_items: set[str] = set()
    for name, value in flatten(data):
        path, _sep, kind = name.partition("#")
        steps = path.split(".")
        last = next((s for s in reversed(steps) if not s.isdigit() and s not in
                     ("fr", "en", "ar")), "")
        control = Control(name, "", value, [] if kind else _choices(data, steps, last),
                          long=last in LONG or "\n" in value or len(value) > 90,
                          marker=kind in ("list", "dict"), findings=beside.get(path, []))
        if steps[0] == "pages" and len(steps) > 1 and steps[1].isdigit():
            index = int(steps[1])
            group = page_groups.get(index)
            if group is None:
                page_id = data["pages"][index].get("id", "") if isinstance(
                    data["pages"][index], dict) else ""
                group = Group(f"Page {index + 1} : {page_id}", f"page-{index + 1}", index)
                page_groups[index] = group
            control.label = _label(steps[2:]) or "Page"
        else:
            group = persona if steps[0] == "persona" else tail if steps[0] in (
                "debrief", "memo") else head
            control.label = _label(steps[1:] if steps[0] == "persona" else steps)
            if steps[0] == "persona" and steps[1:2] == ["name"]:
                control.label = "Nom de la personne"
        item = _item(steps)
        if item and item not in seen_items and not control.marker:
            seen_items.add(item)
            control.starts_item = (item, _label(item.split(".")[2:] if steps[0] == "pages"
                                                else item.split(".")[1:]))
        group.controls.append(control)
    return [head, persona, *[page_groups[n] for n in sorted(page_groups)], tail]


REMOVABLE = {"fields", "hints", "traps", "next", "content", "options", "values"}


def _item(steps: list[str]) -> str:
    """The path of the removable list item a control belongs to (the deepest), or ""."""
    found = ""
    for n in range(1, len(steps) - 1):
        if steps[n] in REMOVABLE and steps[n + 1].isdigit() and (
                steps[0] == "pages" or steps[:2] == ["persona", "values"]):
            found = ".".join(steps[:n + 2])
    return found


def _remove(data: dict[str, Any], path: str) -> str:
    steps = path.split(".")
    node: Any = data
    for step in steps[:-1]:
        node = node[int(step)] if isinstance(node, list) and step.isdigit() else (
            node.get(step) if isinstance(node, dict) else None)
    if not (isinstance(node, list) and steps[-1].isdigit() and int(steps[-1]) < len(node)
            and steps[-2] in REMOVABLE):
        raise EditorRefused("Élément introuvable.")
    node.pop(int(steps[-1]))
    return f"{_label(steps[2:] if steps[0] == 'pages' else steps[1:])} retiré(e)."


def _pages(data: dict[str, Any]) -> list[Any]:
    pages = data.get("pages")
    if not isinstance(pages, list):
        pages = []
        data["pages"] = pages
    return pages


def _page(data: dict[str, Any], index: int) -> dict[str, Any]:
    pages = _pages(data)
    if not 0 <= index < len(pages) or not isinstance(pages[index], dict):
        raise EditorRefused("Page introuvable.")
    page: dict[str, Any] = pages[index]
    return page


def apply(data: dict[str, Any], op: str) -> str:
    """Change the procedure's structure as a button asks (``page-add``, ``page-up:2``...);
    returns what was done, in French."""
    action, _sep, where = op.partition(":")
    if action == "remove":
        return _remove(data, where)
    if action == "value-add":
        persona = data.setdefault("persona", {})
        values = persona.get("values") if isinstance(persona, dict) else None
        if not isinstance(persona, dict):
            raise EditorRefused("La fiche persona est illisible.")
        persona["values"] = [*(values if isinstance(values, list) else []),
                             {"key": "", "label": {"fr": ""}, "value": ""}]
        return "Valeur ajoutée à la fiche : complétez-la puis enregistrez."
    index = int(where) if where.isdigit() else -1
    pages = _pages(data)
    if action == "page-add":
        n = len(pages) + 1
        pages.append({"id": f"page{n}", "title": {"fr": f"Page {n}"},
                      "intro": {"fr": ""}, "next": ""})
        return f"Page {n} ajoutée."
    page = _page(data, index)
    if action == "page-remove":
        pages.pop(index)
        return f"Page {index + 1} retirée." + _lead_past(data, page)
    if action in ("page-up", "page-down"):
        other = index - 1 if action == "page-up" else index + 1
        if not 0 <= other < len(pages):
            raise EditorRefused("Cette page ne peut pas aller plus loin.")
        pages[index], pages[other] = pages[other], pages[index]
        return f"Page {index + 1} déplacée."
    added: dict[str, tuple[str, dict[str, Any]]] = {
        "field-add": ("fields", {"id": "", "type": "text", "label": {"fr": ""}, "persona": ""}),
        "hint-add": ("hints", {"field": "", "text": {"fr": ""}}),
        "trap-add": ("traps", {"kind": "scam_link", "link": "", "label": {"fr": ""},
                               "message": {"fr": ""}}),
        "branch-add": ("next", {"field": "", "equals": "", "page": ""}),
    }
    if action not in added:
        raise EditorRefused("Action inconnue.")
    key, item = added[action]
    current = page.get(key)
    if key == "next" and not isinstance(current, list):
        # A single next page becomes the last branch (taken when no other one matches).
        page[key] = [item, {"page": current or ""}]
    else:
        page[key] = [*(current if isinstance(current, list) else []), item]
    return "Élément ajouté à la page : complétez-le puis enregistrez."


def _lead_past(data: dict[str, Any], removed: dict[str, Any]) -> str:
    """After a page is removed: the pages that led to it (their next page, or a branch) lead
    to the page it led to (its single next page; else to a page to choose, which the checker
    then names), and so does the start. Says which, in French ("" when none did)."""
    gone = removed.get("id")
    after = removed.get("next") if isinstance(removed.get("next"), str) else ""
    moved: list[str] = []
    for number, page in enumerate(_pages(data), 1):
        if not isinstance(page, dict):
            continue
        branches = page.get("next")
        if branches == gone:
            page["next"] = after
            moved.append(str(number))
        elif isinstance(branches, list):
            led = [b for b in branches if isinstance(b, dict) and b.get("page") == gone]
            for branch in led:
                branch["page"] = after
            if led:
                moved.append(str(number))
    if gone and data.get("start") == gone:
        data["start"] = after
        moved.append("de départ")
    if not moved:
        return ""
    one = len(moved) == 1
    where = f"de la page {moved[0]}" if one else \
        "des pages " + ", ".join(moved[:-1]) + " et " + moved[-1]
    if after:
        verb = "mène" if one else "mènent"
        return f" Elle était la suite {where}, qui {verb} maintenant à la page « {after} »."
    return (f" Elle était la suite {where} : choisissez-leur une autre page suivante "
            f"(signalée ci-dessous).")


def template_text(template: str, new_id: str) -> str:
    if template not in TEMPLATES:
        raise EditorRefused("Modèle inconnu.")
    text = (TEMPLATES_DIR / f"{template}.yaml").read_text(encoding="utf-8")
    return text.replace("\nid: modele\n", f"\nid: {new_id}\n", 1)
