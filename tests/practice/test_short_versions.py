"""A procedure's short first-timer version (``short:``): kept pages, ways around the pages left
out, its own statistics id, the debrief's way to the full version, and the checker's messages
about it (in French, with the line)."""
from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from kiosk.cli import main
from kiosk.practice.catalogue import SHIPPED_DIR, load_catalogue
from kiosk.practice.checker import check_paths
from kiosk.practice.debrief import build_debrief
from kiosk.practice.engine import Mode, PracticeRun
from kiosk.practice.model import Variant
from kiosk.sessions.clock import ManualClock
from kiosk_wire.catalogue import MANIFEST
from kiosk_wire.schema import Activity

from .play import play_to_end

CATALOGUE = load_catalogue()
FRANCECONNECT = "identite-numerique-connexion"
# The procedures where a first-timer version helps most (issue #17, item 6).
WITH_SHORT = {"identite-numerique-connexion", "ameli-compte", "caf-trimestrielle",
              "impots-premiere-connexion", "ants-pre-demande"}


def run_of(procedure, mode=Mode.AUTONOMOUS) -> PracticeRun:
    return PracticeRun(procedure, mode, clock=ManualClock(), rng=random.Random(3))


def line_of(text: str, words: str) -> int:
    return next(n for n, line in enumerate(text.splitlines(), 1) if words in line)


def with_short(tmp_path: Path, pages: str, text: str | None = None) -> tuple[Path, str]:
    """The FranceConnect procedure, its short version keeping ``pages``."""
    text = text or (SHIPPED_DIR / f"{FRANCECONNECT}.yaml").read_text(encoding="utf-8")
    text = re.sub(r"^  pages: \[.*\]$", f"  pages: [{pages}]", text, count=1, flags=re.MULTILINE)
    path = tmp_path / f"{FRANCECONNECT}.yaml"
    path.write_text(text, encoding="utf-8")
    return path, text


def test_the_main_first_connections_have_a_short_version():
    assert {p.full_id for p in CATALOGUE.shorts()} >= WITH_SHORT
    for procedure in CATALOGUE.shorts():
        full = CATALOGUE.get(procedure.full_id)
        assert procedure.variant is Variant.SHORT and full.variant is Variant.FULL
        assert procedure.id == f"{full.id}-courte"
        assert procedure.title.fr == f"{full.title.fr} (version courte)"
        assert len(procedure.pages) < len(full.pages)
        assert procedure.duration_min < full.duration_min
        assert procedure.summary.missing() == ()
        assert CATALOGUE.get(procedure.id) is procedure
        assert procedure.id not in CATALOGUE.ids()   # offered on its full version's start


def test_the_short_version_skips_the_pages_left_out_along_their_own_way():
    short = CATALOGUE.get(f"{FRANCECONNECT}-courte")
    assert [p.id for p in short.pages] == ["service", "choix_compte", "compte_sante",
                                           "connexion_impots", "code", "fin"]
    # "code" led to "autorisation", then "retour": both left out, so it goes on to "fin".
    assert [b.page for b in short.page("code").next] == ["fin"]
    visited = play_to_end(run_of(short))
    assert visited == ["service", "choix_compte", "connexion_impots", "code", "fin"]
    # The full version is untouched.
    full = CATALOGUE.get(FRANCECONNECT)
    assert [b.page for b in full.page("code").next] == ["autorisation"]


def test_statistics_keep_the_short_version_apart_with_catalogue_ids_only():
    short = CATALOGUE.get("ameli-compte-courte")
    run = run_of(short, Mode.GUIDED)
    play_to_end(run)
    activity = run.activity()
    assert activity.procedure_id == "ameli-compte-courte"
    assert activity.steps_total == activity.steps_reached == len(short.pages)
    Activity.model_validate(activity.model_dump())   # the wire schema takes it as it is
    # The server knows it, with its own steps (the funnel's "étape 3 sur 7").
    manifest = {row["id"]: row for row in json.loads(MANIFEST.read_text())["procedures"]}
    assert len(manifest["ameli-compte-courte"]["steps_fr"]) == activity.steps_total
    assert len(manifest["ameli-compte"]["steps_fr"]) > activity.steps_total


def test_after_the_short_version_the_debrief_offers_the_full_one():
    short = CATALOGUE.get("caf-trimestrielle-courte")
    run = run_of(short)
    play_to_end(run)
    debrief = build_debrief(run, "fr", CATALOGUE.procedures)
    assert debrief.suggested is CATALOGUE.get("caf-trimestrielle")
    assert any(line.startswith("Vous avez réussi la version courte.") and
               "« Faire sa déclaration trimestrielle (RSA, prime d'activité) »" in line
               for line in debrief.next_steps), debrief.next_steps
    english = build_debrief(run, "en", CATALOGUE.procedures)
    assert not any("version courte" in line for line in english.next_steps)
    # After the full version, another exercise: never its own short version.
    full = run_of(CATALOGUE.get("caf-trimestrielle"))
    play_to_end(full)
    after = build_debrief(full, "fr", CATALOGUE.procedures)
    assert after.suggested is not None and after.suggested.variant is Variant.FULL
    assert not any("version courte" in line for line in after.next_steps)


def test_a_short_version_left_half_way_offers_to_try_again():
    run = run_of(CATALOGUE.get("ants-pre-demande-courte"))
    debrief = build_debrief(run, "fr", CATALOGUE.procedures)
    assert debrief.suggested is None
    assert any("reprendre cet exercice" in line for line in debrief.next_steps)


def test_a_page_the_short_version_names_but_the_file_lacks_is_refused_with_its_line(tmp_path):
    path, text = with_short(tmp_path, "service, choix_compte, conexion_impots, code, fin")
    report = check_paths([path])
    assert not report.ok
    line = line_of(text, "  pages: [service")
    message = ("la version courte garde la page « conexion_impots », qui n'existe pas. Pages "
               "existantes : service, choix_compte")
    assert [(f.line, f.message[:len(message)]) for f in report.errors] == [(line, message)]
    result = CliRunner().invoke(main, ["procedures", "check", str(path)])
    assert result.exit_code == 1
    assert f"{path}:{line}: la version courte garde la page « conexion_impots »" in result.output


def test_a_page_kept_twice_is_refused(tmp_path):
    path, text = with_short(tmp_path, "service, choix_compte, code, code, fin")
    [finding] = check_paths([path]).errors
    assert finding.line == line_of(text, "  pages: [service")
    assert finding.message == ("la page « code » est deux fois dans la version courte : "
                               "gardez-la une seule fois")


def test_a_page_left_out_without_a_way_on_is_refused_with_the_fix(tmp_path):
    text = (SHIPPED_DIR / f"{FRANCECONNECT}.yaml").read_text(encoding="utf-8")
    # Every option has its own way: the full version is fine, but the choice page has no
    # way without condition for the short version to follow once it is left out.
    text = text.replace("      - {page: connexion_impots}",
                        "      - {field: fournisseur, equals: impots, page: connexion_impots}")
    assert check_paths([SHIPPED_DIR / f"{FRANCECONNECT}.yaml"]).ok
    path, text = with_short(tmp_path, "service, connexion_impots, code, fin", text)
    [finding] = check_paths([path]).errors
    assert finding.line == line_of(text, "  pages: [service")
    assert finding.message == (
        "la version courte saute la page « choix_compte » qui suit « service », mais on ne "
        "sait pas où aller après elle (elle n'a pas de suite sans condition vers une page "
        "gardée) : gardez « choix_compte » ou la page qui la suit")


def test_a_kept_page_the_short_version_never_reaches_is_named(tmp_path):
    # "compte_sante" is reached only through the choice page, left out here.
    path, text = with_short(tmp_path, "service, compte_sante, connexion_impots, code, fin")
    [finding] = check_paths([path]).errors
    assert finding.line == line_of(text, "  - id: compte_sante")
    assert finding.message.startswith(
        "dans la version courte (short:) : la page « compte_sante » n'est jamais atteinte")


def test_a_file_taking_the_short_versions_id_is_refused(tmp_path):
    text = (SHIPPED_DIR / f"{FRANCECONNECT}.yaml").read_text(encoding="utf-8")
    (tmp_path / "a.yaml").write_text(text, encoding="utf-8")
    other = text.replace(f"id: {FRANCECONNECT}\n", f"id: {FRANCECONNECT}-courte\n", 1)
    other = other[:other.index("# The short first-timer")] + other[other.index("debrief:"):]
    (tmp_path / "b.yaml").write_text(other, encoding="utf-8")
    report = check_paths([tmp_path])
    [finding] = report.errors
    id_line = next(n for n, t in enumerate(other.splitlines(), 1) if t.startswith("id: "))
    assert id_line > 1   # the file opens with its comment: the finding points at the id itself
    assert finding.file == tmp_path / "b.yaml" and finding.line == id_line
    assert finding.message.startswith(
        f"l'identifiant « {FRANCECONNECT}-courte » est déjà pris par la version courte de ")
    # A site's file with a shipped short version's id is refused too.
    result = CliRunner().invoke(main, ["procedures", "check", str(tmp_path / "b.yaml")])
    assert result.exit_code == 1
    assert f"l'identifiant « {FRANCECONNECT}-courte » est déjà pris" in result.output


@pytest.mark.parametrize("mode", [Mode.GUIDED, Mode.AUTONOMOUS])
def test_a_procedure_without_short_version_is_offered_as_before(mode):
    procedure = CATALOGUE.get("caf-demenagement")
    assert procedure.short is None
    run = run_of(procedure, mode)
    play_to_end(run)
    assert run.activity().procedure_id == "caf-demenagement"
