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
    "invalid-persona-value.yaml": [(21, "Il n'y a pas de 29 février en 2015")],
    "hint-without-field.yaml": [
        (30, "l'aide pointe vers la case « prenom », qui n'est pas sur la page « enfant »")],
    "branch-never-ends.yaml": [
        (48, "depuis la page « boucle_a », on ne peut jamais arriver à la fin"),
        (51, "depuis la page « boucle_b », on ne peut jamais arriver à la fin")],
    "unknown-key.yaml": [(32, "il manque « title »"), (33, "« titel » n'est pas un mot connu ici")],
    "branch-without-default.yaml": [(32, "terminez la liste next: par une ligne sans condition")],
    "unquoted-value.yaml": [(20, "mettez-la entre guillemets")],
    "bad-indentation.yaml": [(33, "cette ligne n'est pas alignée avec les lignes de son bloc")],
    "unknown-validator.yaml": [
        (28, "« datte » n'est pas un contrôle connu. Contrôles possibles : nir,")],
    "typographic-quotes.yaml": [
        (33, "ce texte est entouré de guillemets typographiques (“ ” ou ‘ ’")],
    "typographic-quote-key.yaml": [(33, "« “title” » est entouré de guillemets typographiques")],
    "shifted-block.yaml": [(19, ("« values » est bien un mot des fichiers de démarche, mais pas à "
                                 "cet endroit : la ligne est sans doute mal décalée"))],
    "string-label.yaml": [
        (33, 'un texte affiché doit être traduit : écrivez {fr: "...", en: "...", ar: "..."}')],
    "duplicate-persona-key.yaml": [(22, ("« enfant » apparaît deux fois comme clé de la fiche "
                                         "persona (key:) (la première fois ligne 20)"))],
    "colon-in-text.yaml": [(45, "un deux-points de trop sur cette ligne")],
    "digits-on-text-field.yaml": [
        (27, ("digits: ne sert qu'aux cases sms_code ou email_code (la longueur du code reçu) : "
              "pour un nombre de chiffres à taper, écrivez "
              "validators: [{name: digits, count: 5}]"))],
}
DRAFTS = Path(__file__).parent / "drafts"
# What a mediator must never read: the YAML parser's or the schema validator's English, a
# Python repr, doubled format braces.
NOT_FOR_MEDIATORS = re.compile(r"mapping|expected|found|scalar|is not (valid|one of|of type)|"
                               r"Additional properties|\{\{|\}\}|\[\'|Traceback")


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
        assert not NOT_FOR_MEDIATORS.search(finding.message), finding.message


def test_a_french_only_draft_is_checked_with_warnings_and_kept_from_residents(tmp_path):
    report = check_paths([DRAFTS])
    assert report.ok and report.procedures == []
    assert [p.id for p in report.drafts] == ["cantine-brouillon"]
    assert report.errors == [] and len(report.warnings) >= 2
    assert any(f.line == 27 and "traduction manquante en arabe (ar) pour « Prénom de l'enfant »"
               in f.message for f in report.warnings)
    catalogue = load_catalogue([SHIPPED_DIR, DRAFTS])
    assert "cantine-brouillon" not in catalogue.ids()
    assert [p.id for p in catalogue.drafts] == ["cantine-brouillon"]
    assert catalogue.get("cantine-brouillon").title.get("ar") == "Inscrire son enfant à la cantine"
    result = CliRunner().invoke(main, ["procedures", "check", str(DRAFTS)])
    assert result.exit_code == 0, result.output
    warning = f"{DRAFTS / 'cantine-brouillon.yaml'}:27: attention : traduction manquante"
    assert warning in result.output
    assert "1 brouillon à traduire avant de le montrer au public" in result.output


def test_a_draft_with_an_error_is_refused_like_any_file(tmp_path):
    text = (DRAFTS / "cantine-brouillon.yaml").read_text(encoding="utf-8")
    (tmp_path / "p.yaml").write_text(text.replace("next: fin", "next: fni"), encoding="utf-8")
    report = check_paths([tmp_path])
    assert not report.ok and report.drafts == [] and report.procedures == []
    assert any("la page « fni » n'existe pas" in f.message for f in report.errors)


def test_an_empty_folder_or_a_folder_of_txt_files_is_an_error(tmp_path):
    empty = tmp_path / "vide"
    empty.mkdir()
    result = CliRunner().invoke(main, ["procedures", "check", str(empty)])
    assert result.exit_code == 1
    assert "ce dossier ne contient aucune démarche (aucun fichier .yaml)" in result.output
    saved = tmp_path / "notepad"
    saved.mkdir()
    (saved / "cantine.yaml.txt").write_text((BROKEN / "cantine.yaml.txt").read_text())
    result = CliRunner().invoke(main, ["procedures", "check", str(saved)])
    assert result.exit_code == 1
    assert "cantine.yaml.txt: ce fichier se termine par .txt" in result.output
    assert "renommez-le en « cantine.yaml »" in result.output
    result = CliRunner().invoke(main, ["procedures", "check", str(BROKEN / "cantine.yaml.txt")])
    assert result.exit_code == 1 and "renommez-le en « cantine.yaml »" in result.output


def test_a_site_file_reusing_a_shipped_id_is_refused_when_checked_alone(tmp_path):
    text = _doc_example()
    own_id = re.search(r"^id: (\S+)$", text, re.MULTILINE).group(1)
    path = tmp_path / "p.yaml"
    path.write_text(text.replace(f"id: {own_id}", "id: ameli-compte"), encoding="utf-8")
    result = CliRunner().invoke(main, ["procedures", "check", str(path)])
    assert result.exit_code == 1, result.output
    id_line = next(n for n, t in enumerate(text.splitlines(), 1) if t.startswith("id: "))
    assert (f"{path}:{id_line}: l'identifiant « ameli-compte » est déjà pris par la démarche "
            "fournie avec la borne « Créer son compte d'assurance maladie") in result.output
    # The shipped file itself, checked alone, is not a collision with itself.
    shipped = CliRunner().invoke(main, ["procedures", "check",
                                        str(SHIPPED_DIR / "ameli-compte.yaml")])
    assert shipped.exit_code == 0, shipped.output


def test_check_command_exits_non_zero_and_prints_file_and_line():
    result = CliRunner().invoke(main, ["procedures", "check",
                                       str(BROKEN / "unreachable-page.yaml")])
    assert result.exit_code == 1
    assert f"{BROKEN / 'unreachable-page.yaml'}:46:" in result.output
    assert "1 fichier vérifié : 1 problème à corriger." in result.output


def test_check_command_without_path_checks_catalogue_and_extra_dir(tmp_path):
    extra = tmp_path / "site-procedures"
    extra.mkdir()
    (extra / "cantine.yaml").write_text(_doc_example(), encoding="utf-8")
    runner = CliRunner(env={"KIOSK_PRACTICE_EXTRA_DIR": str(extra)})
    result = runner.invoke(main, ["procedures", "check"])
    assert result.exit_code == 0, result.output
    count = len(list(SHIPPED_DIR.glob("*.yaml"))) + 1
    ready = f"{count} fichiers vérifiés : tout est correct ({count} démarches prêtes)."
    assert ready in result.output
    (extra / "broken.yaml").write_text((BROKEN / "hint-without-field.yaml").read_text())
    result = runner.invoke(main, ["procedures", "check"])
    assert result.exit_code == 1
    assert "broken.yaml:30:" in result.output


def test_a_broken_site_procedure_is_left_out_but_the_catalogue_still_loads(tmp_path):
    (tmp_path / "broken.yaml").write_text((BROKEN / "hint-without-field.yaml").read_text())
    catalogue = load_catalogue([SHIPPED_DIR, tmp_path])
    assert "broken-hint-without-field" not in catalogue.ids()
    assert len(catalogue.procedures) == len(list(SHIPPED_DIR.glob("*.yaml")))
    assert catalogue.skipped and catalogue.skipped[0].line == 30


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


def test_a_procedure_without_its_real_service_and_source_is_refused(tmp_path):
    text = "\n".join(line for line in _doc_example().splitlines()
                     if not line.startswith(("real_service:", "source_page:")))
    path = tmp_path / "p.yaml"
    path.write_text(text, encoding="utf-8")
    messages = [f.message for f in check_paths([path]).errors]
    assert any("il manque « real_service »" in m for m in messages), messages
    assert any("il manque « source_page »" in m for m in messages), messages
    wrong = _doc_example().replace('source_checked: "2026-12-05"', 'source_checked: "20/11/2025"')
    path.write_text(wrong, encoding="utf-8")
    messages = [f.message for f in check_paths([path]).errors]
    assert any("s'écrit année-mois-jour" in m for m in messages), messages


def test_the_sources_table_in_docs_is_generated_from_the_procedures():
    from kiosk.practice.sources import DOC, render
    catalogue = load_catalogue()
    assert DOC.read_text(encoding="utf-8") == render(catalogue.procedures), \
        "run: python -m kiosk.practice.sources"
    for procedure in catalogue.procedures:
        assert procedure.source_page.startswith("https://") and procedure.real_service


def test_the_sources_table_says_when_a_source_is_only_a_home_page():
    """A site's home page describes no procedure: listing it bare as « source suivie » would read
    as if the exercise had been checked against an official page."""
    from kiosk.practice.sources import DOC
    table = DOC.read_text(encoding="utf-8")
    email = next(line for line in table.splitlines() if "(`email-premiere-adresse`" in line)
    assert "https://lesbonsclics.fr (page d'accueil seulement" in email
    cv = next(line for line in table.splitlines() if "(`cv-guide`" in line)
    assert "F33336 |" in cv and "page d'accueil seulement" not in cv


def _mutations(data):
    """Copies of a valid procedure that the schema must refuse, one fault each."""
    import copy

    no_title = copy.deepcopy(data)
    del no_title["pages"][0]["title"]
    unknown = copy.deepcopy(data)
    unknown["pages"][0]["titel"] = "Accueil"
    not_a_list = copy.deepcopy(data)
    not_a_list["pages"] = "accueil"
    return [no_title, unknown, not_a_list]


def test_the_quick_schema_check_says_yes_and_no_as_jsonschema_does():
    """The checker asks the quick (Rust) validator first and jsonschema only to explain a
    refusal: both must agree on every shipped file, every broken example and faulty copies."""
    from kiosk.practice import loader, yamlines

    quick, full = loader._quick_validator(), loader._validator()
    documents = []
    for path in sorted([*SHIPPED_DIR.glob("*.yaml"), *BROKEN.glob("*.yaml")]):
        try:
            documents.append(yamlines.load(path.read_text(encoding="utf-8")))
        except Exception:  # noqa: BLE001 - a YAML syntax example has no data to validate
            continue
    shipped = [yamlines.load(p.read_text(encoding="utf-8")) for p in SHIPPED_DIR.glob("*.yaml")]
    documents += [m for data in shipped[:5] for m in _mutations(data)]
    verdicts = [(quick.is_valid(d), not any(True for _ in full.iter_errors(d))) for d in documents]
    assert all(q == f for q, f in verdicts)
    assert sum(not q for q, _ in verdicts) >= 15, "the faulty copies must be refused"


def test_a_kiosk_opening_its_catalogue_trusts_only_the_shipped_files_schema_pass(tmp_path):
    """At start the shipped files skip the JSON Schema pass they passed when the package was
    built (its validator library is ~10 MB resident); a site's file still gets it."""
    import subprocess
    import sys

    (tmp_path / "broken.yaml").write_text((BROKEN / "unknown-validator.yaml").read_text())
    catalogue = load_catalogue([SHIPPED_DIR, tmp_path], at_start=True)
    assert len(catalogue.procedures) == len(list(SHIPPED_DIR.glob("*.yaml")))
    assert [f.file.name for f in catalogue.skipped] == ["broken.yaml"]
    assert [str(f) for f in catalogue.skipped] == [str(f) for f in check_paths([tmp_path]).errors]

    code = ("import sys; from kiosk.practice import load_catalogue; c = load_catalogue(); "
            "print(len(c.procedures), 'jsonschema_rs' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == [str(len(list(SHIPPED_DIR.glob("*.yaml")))), "False"]
