"""The console editor's form data: every shipped procedure goes YAML → form → YAML unchanged,
and the checker's findings land beside the control they concern."""
from __future__ import annotations

import pytest
import yaml

from kiosk.practice.catalogue import SHIPPED_DIR
from kiosk_server.procedures import editor_form
from kiosk_server.procedures.checking import CheckFinding, check_yaml
from kiosk_server.procedures.editor_form import EditorRefused

SHIPPED = sorted(SHIPPED_DIR.glob("*.yaml"))


def test_every_shipped_procedure_comes_back_the_same_from_the_editor_form():
    assert len(SHIPPED) > 20
    for path in SHIPPED:
        text = path.read_text(encoding="utf-8")
        original = yaml.safe_load(text)
        pairs = editor_form.flatten(original)
        # What a browser posts: names and text values only, CRLF in multi-line values.
        posted = [(name, value.replace("\n", "\r\n")) for name, value in pairs]
        again = editor_form.dump(editor_form.unflatten(posted), text)
        assert yaml.safe_load(again) == original, path.name
        assert again.startswith(editor_form.header_comments(text))


def test_the_text_written_from_the_form_passes_the_checker_as_the_file_did():
    text = (SHIPPED_DIR / "mairie-rendez-vous.yaml").read_text(encoding="utf-8")
    again = editor_form.dump(editor_form.unflatten(editor_form.flatten(yaml.safe_load(text))),
                             text)
    assert check_yaml(text).errors == 0
    assert check_yaml(again).errors == 0


def test_a_finding_is_shown_beside_its_control_or_the_first_control_under_it():
    names = ["id", "title.fr", "pages.0.id", "pages.0.title.fr", "pages.0.next",
             "duration_min#int"]
    next_wrong = CheckFinding(12, "page inconnue", path=("pages", 0, "next"))
    page_wrong = CheckFinding(10, "page sans champ", path=("pages", 0))
    duration = CheckFinding(5, "durée", path=("duration_min",))
    whole = CheckFinding(1, "format", path=())
    beside, elsewhere = editor_form.findings_by_control(
        [next_wrong, page_wrong, duration, whole], names)
    assert beside == {"pages.0.next": [next_wrong], "pages.0.id": [page_wrong],
                      "duration_min": [duration]}
    assert elsewhere == [whole]


def test_a_number_that_is_not_one_is_refused_in_french_and_kept_as_typed():
    data = editor_form.unflatten([("id", "x"), ("duration_min#int", "dix")])
    assert editor_form.refusals(data) == ["« dix » n'est pas un nombre (duration_min)."]
    assert editor_form.flatten(data) == [("id", "x"), ("duration_min#int", "dix")]
    with pytest.raises(EditorRefused, match="n'est pas un nombre"):
        editor_form.dump(data)


def test_a_missing_translation_gets_a_control_and_is_written_only_when_filled():
    pairs = editor_form.flatten({"title": {"fr": "Bienvenue"}})
    assert pairs == [("title.fr", "Bienvenue"), ("title.en#opt", ""), ("title.ar#opt", "")]
    assert editor_form.unflatten(pairs) == {"title": {"fr": "Bienvenue"}}
    filled = [(n, "Welcome" if n == "title.en#opt" else v) for n, v in pairs]
    assert editor_form.unflatten(filled) == {"title": {"fr": "Bienvenue", "en": "Welcome"}}


def test_the_editor_offers_the_procedures_own_pages_cases_and_persona_values_to_choose():
    from kiosk_server.procedures import editor_view

    text = editor_view.template_text("formulaire-simple", "essai")
    data = editor_form.parse(text)
    controls = {c.path: c for g in editor_view.groups(data, {}) for c in g.controls}
    assert controls["pages.1.next"].choices == ["accueil", "formulaire", "fin"]
    assert controls["pages.1.fields.0.persona"].choices == ["email"]
    assert controls["pages.1.hints.0.field"].choices == ["email"]
    assert controls["pages.1.fields.0.label.fr"].label == "Case 1 › Libellé (français)"
    assert controls["pages.1.fields.0.id"].starts_item == ("pages.1.fields.0", "Case 1")
    assert editor_view.plain('traduction manquante en arabe (ar) pour « X » : ajoutez ar: "..."'
                             ) == ("traduction manquante en arabe (ar) pour « X » : remplissez "
                                   "« arabe » juste en dessous")


def test_comments_in_the_middle_of_the_file_are_kept_above_their_value_even_moved():
    lines = (SHIPPED_DIR / "mairie-rendez-vous.yaml").read_text(encoding="utf-8").splitlines()
    at = lines.index("  - id: creneau")
    lines[at:at] = ["  # Le créneau : deux listes, jour puis heure.", "  # (deux lignes)"]
    at = next(n for n, line in enumerate(lines) if line.strip() == "next: coordonnees")
    lines.insert(at, "    # vers les coordonnées")
    text = "\n".join(lines) + "\n"
    data = editor_form.unflatten(editor_form.flatten(yaml.safe_load(text)))
    data["pages"][0], data["pages"][1] = data["pages"][1], data["pages"][0]  # « Monter »

    again = editor_form.dump(data, text).splitlines()
    page = again.index("- id: creneau")
    assert again[page - 2:page] == ["# Le créneau : deux listes, jour puis heure.",
                                    "# (deux lignes)"]
    assert again[again.index("  # vers les coordonnées") + 1] == "  next: coordonnees"
    assert yaml.safe_load("\n".join(again)) == data


def test_a_hash_inside_a_multi_line_text_is_text_not_a_comment():
    text = ("format: 1\nid: essai\nintro:\n  fr: |\n    Première ligne\n    # pas un "
            "commentaire\n# un vrai commentaire\nduration_min: 5\n")
    data = yaml.safe_load(text)
    again = editor_form.dump(data, text)
    assert yaml.safe_load(again) == data
    assert again.count("# pas un commentaire") == 1
    assert again.splitlines()[again.splitlines().index("duration_min: 5") - 1] == \
        "# un vrai commentaire"


def test_comments_at_the_end_of_a_line_stay_with_their_value_even_moved_or_edited():
    lines = (SHIPPED_DIR / "mairie-rendez-vous.yaml").read_text(encoding="utf-8").splitlines()
    at = lines.index("  - id: creneau")
    lines[at] += "  # la page du créneau"
    at = next(n for n, line in enumerate(lines) if line.strip() == "next: coordonnees")
    lines[at] += "   # vers les coordonnées"
    at = next(n for n, line in enumerate(lines) if line.startswith("duration_min:"))
    lines[at] += "  # minutes, à revoir"
    # A # inside a quoted text is text; a comment after a block scalar's | is dropped.
    lines.insert(at + 1, 'operator_note: "Salle #2"  # la salle')
    lines.insert(at + 2, "long_note: |  # dit autrement")
    lines.insert(at + 3, "  Une ligne # pas un commentaire")
    text = "\n".join(lines) + "\n"
    data = editor_form.unflatten(editor_form.flatten(yaml.safe_load(text)))
    data["pages"][0], data["pages"][1] = data["pages"][1], data["pages"][0]  # « Monter »
    data["duration_min"] = 9  # the value changed in the form: its comment stays

    again = editor_form.dump(data, text)
    assert yaml.safe_load(again) == data
    written = again.splitlines()
    assert "- id: creneau  # la page du créneau" in written
    assert "  next: coordonnees  # vers les coordonnées" in written
    assert "duration_min: 9  # minutes, à revoir" in written
    assert "operator_note: 'Salle #2'  # la salle" in written or \
        'operator_note: "Salle #2"  # la salle' in written
    assert "dit autrement" not in again and again.count("# pas un commentaire") == 1
