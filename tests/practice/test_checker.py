"""`kiosk procedures check`: passes on the catalogue, names file, line and fix on broken files."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.practice.catalogue import SHIPPED_DIR, load_catalogue
from kiosk.practice.checker import check_paths
from kiosk.practice.loader import schema

BROKEN = Path(__file__).parent / "broken"
DOCS = Path(__file__).parents[2] / "docs"

# file -> (line, words the message must contain)
EXPECTED = {
    "unreachable-page.yaml": [(46, "« oubliee » n'est jamais atteinte")],
    "missing-translation.yaml": [
        (27, "traduction manquante en arabe (ar) pour « Prénom de l'enfant »")],
    "invalid-persona-value.yaml": [(21, "Il n'y a pas de 29 février en 2015")],
    "hint-without-field.yaml": [
        (30, "l'aide pointe vers la case « prenom », qui n'est pas sur la page « enfant »")],
    "branch-never-ends.yaml": [
        (48, "depuis la page « boucle_a », on ne peut jamais arriver à la fin"),
        (51, "depuis la page « boucle_b », on ne peut jamais arriver à la fin")],
    "unknown-key.yaml": [(32, "il manque « title »"), (33, "« titel » n'est pas un mot connu ici")],
    "branch-without-default.yaml": [(32, "terminez la liste next: par une ligne sans condition")],
    "unquoted-value.yaml": [(20, "mettez-la entre guillemets")],
    "bad-indentation.yaml": [(33, "n'est pas du YAML valide")],
}


def test_shipped_catalogue_passes_the_checker():
    report = check_paths([SHIPPED_DIR])
    assert [str(f) for f in report.findings] == []
    assert report.files == len(report.procedures) >= 4


def test_catalogue_has_unique_ids_and_enough_pages():
    catalogue = load_catalogue()
    assert len(set(catalogue.ids())) == len(catalogue.ids())
    for procedure in catalogue.procedures:
        assert 5 <= len(procedure.pages) <= 14, procedure.id


def test_every_broken_example_is_covered_by_an_expectation():
    assert sorted(p.name for p in BROKEN.glob("*.yaml")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_broken_file_is_refused_with_its_line_and_what_to_do(name):
    report = check_paths([BROKEN / name])
    assert not report.ok and report.procedures == []
    found = [(f.line, f.message) for f in report.findings]
    for line, words in EXPECTED[name]:
        assert any(n == line and words in m for n, m in found), (words, found)
    for finding in report.findings:
        assert str(finding).startswith(f"{BROKEN / name}:{finding.line}: ")


def test_check_command_exits_non_zero_and_prints_file_and_line():
    result = CliRunner().invoke(main, ["procedures", "check",
                                       str(BROKEN / "unreachable-page.yaml")])
    assert result.exit_code == 1
    assert f"{BROKEN / 'unreachable-page.yaml'}:46:" in result.output
    assert "1 problème(s) à corriger" in result.output


def test_check_command_without_path_checks_catalogue_and_extra_dir(tmp_path):
    extra = tmp_path / "site-procedures"
    extra.mkdir()
    (extra / "cantine.yaml").write_text(_doc_example(), encoding="utf-8")
    runner = CliRunner(env={"KIOSK_PRACTICE_EXTRA_DIR": str(extra)})
    result = runner.invoke(main, ["procedures", "check"])
    assert result.exit_code == 0, result.output
    count = len(list(SHIPPED_DIR.glob("*.yaml"))) + 1
    assert f"{count} fichier(s) vérifié(s) : tout est correct" in result.output
    (extra / "broken.yaml").write_text((BROKEN / "hint-without-field.yaml").read_text())
    result = runner.invoke(main, ["procedures", "check"])
    assert result.exit_code == 1
    assert "broken.yaml:30:" in result.output


def test_a_broken_site_procedure_is_left_out_but_the_catalogue_still_loads(tmp_path):
    (tmp_path / "broken.yaml").write_text((BROKEN / "missing-translation.yaml").read_text())
    catalogue = load_catalogue([SHIPPED_DIR, tmp_path])
    assert "broken-missing-translation" not in catalogue.ids()
    assert len(catalogue.procedures) == len(list(SHIPPED_DIR.glob("*.yaml")))
    assert catalogue.skipped and catalogue.skipped[0].line == 27


def _doc_example() -> str:
    doc = (DOCS / "writing-a-procedure.md").read_text(encoding="utf-8")
    return next(b for b in re.findall(r"```yaml\n(.*?)```", doc, re.DOTALL)
                if b.startswith("format: 1"))


def test_the_example_of_the_mediator_guide_passes_the_checker(tmp_path):
    path = tmp_path / "mairie-cantine.yaml"
    path.write_text(_doc_example(), encoding="utf-8")
    report = check_paths([path])
    assert [str(f) for f in report.findings] == []


def test_a_missing_path_is_reported():
    report = check_paths([Path("/nonexistent/procedures")])
    assert not report.ok and "n'existe pas" in report.findings[0].message


def test_schema_is_valid_json_schema_and_names_every_theme():
    import jsonschema

    from kiosk_wire.schema import Theme
    jsonschema.Draft202012Validator.check_schema(schema())
    assert set(schema()["properties"]["theme"]["enum"]) == {t.value for t in Theme}


def test_catalogue_search_by_word_ignores_accents_and_case():
    catalogue = load_catalogue()
    assert "ameli-compte" in [p.id for p in catalogue.search("securite sociale")]
    assert "impots-premiere-connexion" in [p.id for p in catalogue.search("IMPÔTS")]
    assert "ants-pre-demande" in [p.id for p in catalogue.search("passport", lang="en")]
    assert catalogue.search("zzzz") == []


def test_unknown_message_name_and_page_without_hint_are_reported(tmp_path):
    text = _doc_example().replace(
        "persona: enfant}",
        "persona: enfant, errors: {persona.mismatch: {fr: \"Non\", en: \"No\", ar: \"لا\"}, "
        "persona.mismatsh: {fr: \"Non\", en: \"No\", ar: \"لا\"}}}").replace(
        "    hints:\n      - {field: jours, text: {fr: \"Votre fiche dit : tous les jours.\", "
        "en: \"Your card says: every day.\", ar: \"تقول بطاقتك: كل الأيام.\"}}\n", "")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    messages = [f.message for f in check_paths([path]).findings]
    assert any("« persona.mismatsh » n'est pas un nom de message connu" in m for m in messages)
    assert any("la page « jours » a des cases mais aucune aide" in m for m in messages)
    assert len(messages) == 2


def test_a_stray_brace_in_a_custom_message_does_not_break_the_page():
    from kiosk.practice.text import Text
    assert Text("Tapez {count} chiffres {oops").format("fr", count=3) \
        == "Tapez {count} chiffres {oops"
    assert Text("Tapez {count} chiffres, {autre}").format("fr", count=3) \
        == "Tapez 3 chiffres, {autre}"


def test_list_command_shows_the_catalogue_by_theme():
    result = CliRunner().invoke(main, ["procedures", "list"])
    assert result.exit_code == 0, result.output
    assert "Social - Santé" in result.output
    assert "ameli-compte" in result.output and "Caisse Santé Commune" in result.output


def test_branch_on_a_value_the_choice_cannot_take_is_reported(tmp_path):
    text = (BROKEN / "branch-never-ends.yaml").read_text(encoding="utf-8").replace(
        "{field: jours, equals: certains, page: boucle_a}",
        "{field: jours, equals: quelques, page: fin}").replace(
        "  - id: boucle_a", "  - id: unused_a").replace("next: boucle_a", "next: fin")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    messages = [(f.line, f.message) for f in check_paths([path]).findings]
    assert any("« quelques » n'est pas une des options de la case « jours »" in m
               for _, m in messages), messages


def test_branch_on_a_field_of_a_later_page_is_reported(tmp_path):
    text = _doc_example().replace(
        "    next: jours\n",
        "    next:\n      - {field: jours, equals: tous, page: fin}\n      - {page: jours}\n")
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    messages = [f.message for f in check_paths([path]).findings]
    assert any("jamais remplie avant d'arriver ici" in m for m in messages), messages


def test_mediator_guide_names_every_theme_field_type_validator_and_trap():
    from kiosk.practice.model import FieldType, TrapKind
    from kiosk.practice.validators import VALIDATORS
    from kiosk_wire.schema import Theme
    guide = (DOCS / "writing-a-procedure.md").read_text(encoding="utf-8")
    words = [t.value for t in Theme] + [f.value for f in FieldType] + list(VALIDATORS) + \
        [k.value for k in TrapKind]
    missing = [w for w in words if f"`{w}`" not in guide]
    assert missing == []


def test_show_command_prints_persona_pages_answers_and_branches():
    result = CliRunner().invoke(main, ["procedures", "show", "ants-pre-demande"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "Vous êtes Camille Martin" in out
    assert "Numéro du timbre fiscal électronique : 4417206938215570" in out
    assert "Étape 1 — Connexion à votre espace [connexion]" in out
    assert "titre=passeport → timbre" in out and "! scam_link" in out
    arabic = CliRunner().invoke(main, ["procedures", "show", "ants-pre-demande", "--lang", "ar"])
    assert "الحالة المدنية" in arabic.output
    missing = CliRunner().invoke(main, ["procedures", "show", "nope"])
    assert missing.exit_code == 1 and "Aucune démarche « nope »" in missing.output


def test_tabs_and_wrong_encoding_are_named_plainly(tmp_path):
    tabbed = tmp_path / "tabs.yaml"
    text = _doc_example().replace("    title: {fr: \"Jours", "\ttitle: {fr: \"Jours")
    tabbed.write_text(text, encoding="utf-8")
    line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("\t"))
    findings = check_paths([tabbed]).findings
    assert [f.line for f in findings] == [line] and "tabulation" in findings[0].message
    latin1 = tmp_path / "latin1.yaml"
    latin1.write_bytes(_doc_example().encode("latin-1", errors="replace"))
    findings = check_paths([latin1]).findings
    assert len(findings) == 1 and "UTF-8" in findings[0].message
