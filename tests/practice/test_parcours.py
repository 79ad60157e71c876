"""Parcours files and the progress card, without a display: the shipped parcours check clean,
a wrong file gets its problem with file:line in French, the card's QR code holds only the
parcours and the exercises done and is refused once altered, and it is read back from the
printed PDF as a scanner sees it (poppler, zxing-cpp)."""
from __future__ import annotations

import subprocess

import pytest
from PIL import Image

from kiosk.documents.codes import read_qr_texts
from kiosk.practice import load_catalogue
from kiosk.practice.parcours_card import (
    CardReading,
    decode,
    encode,
    load_key,
    read_codes,
)
from kiosk.practice.parcours_file import SHIPPED_PARCOURS_DIR, check_parcours
from kiosk.practice.parcours_pdf import write_card
from kiosk_wire import config
from kiosk_wire.schema import Activity, ActivityKind

KEY = b"fleet-key-for-tests"


@pytest.fixture(scope="module")
def catalogue():
    return load_catalogue(config.defaults())


@pytest.fixture(scope="module")
def shipped(catalogue):
    report = check_parcours([SHIPPED_PARCOURS_DIR], catalogue.ids())
    assert report.findings == []
    return {p.id: p for p in report.parcours}


def test_the_two_seed_parcours_check_clean_and_name_catalogue_procedures(shipped, catalogue):
    assert set(shipped) == {"initiation", "demarches-emploi"}
    assert shipped["initiation"].title.fr == "Parcours initiation"
    assert shipped["demarches-emploi"].title.fr == "Démarches emploi"
    for parcours in shipped.values():
        assert parcours.goal.missing() == () and parcours.title.missing() == ()
        assert all(pid in catalogue.ids() for pid in parcours.steps)


def test_an_unknown_procedure_is_named_with_its_file_and_line(tmp_path, catalogue):
    file = tmp_path / "mon-parcours.yaml"
    file.write_text(
        "id: mon-parcours\n"
        "title: {fr: \"Mon parcours\", en: \"My parcours\", ar: \"مساري\"}\n"
        "goal: {fr: \"Un but\", en: \"A goal\", ar: \"هدف\"}\n"
        "procedures:\n"
        "  - cv-guide\n"
        "  - caf-inconnue\n"
        "  - cv-guide\n", encoding="utf-8")
    report = check_parcours([tmp_path], catalogue.ids())
    assert report.parcours == []
    assert [str(f) for f in report.errors] == [
        f"{file}:6: « caf-inconnue » n'est pas une démarche du catalogue : vérifiez "
        "l'identifiant (la liste : `kiosk procedures list`)",
        f"{file}:7: « cv-guide » est déjà l'exercice de la ligne 5 : un exercice n'apparaît "
        "qu'une fois dans un parcours",
    ]


def test_a_missing_translation_and_an_unknown_key_are_refused_with_their_line(tmp_path,
                                                                              catalogue):
    file = tmp_path / "p.yaml"
    file.write_text("id: p\ntitle: {fr: \"P\"}\ngoal: {fr: \"B\", en: \"G\", ar: \"ه\"}\n"
                    "procedure:\n  - cv-guide\n", encoding="utf-8")
    messages = [str(f) for f in check_parcours([file], catalogue.ids()).errors]
    assert f"{file}:2: traduction manquante (en) pour « title » : ajoutez en: \"...\" (d'ici " \
           "là, le parcours n'est pas proposé)" in messages
    assert any(m.startswith(f"{file}:4: « procedure » n'est pas un mot connu ici")
               for m in messages)
    assert any(m.startswith(f"{file}:1: il manque « procedures »") for m in messages)


def test_the_card_holds_only_the_parcours_and_the_steps_done_and_reads_back(shipped):
    parcours = shipped["initiation"]
    text = encode(parcours, [0, 2], KEY)
    prefix, pid, done, signature = text.split(":")
    assert (prefix, pid, done) == ("kp1", "initiation", "5") and len(signature) == 22
    result = decode(text, shipped, KEY)
    assert result.reading is CardReading.OK
    assert result.content is not None and result.content.done == {0, 2}


@pytest.mark.parametrize("forge", [
    lambda t: t.replace(":5:", ":1f:"),                           # more exercises done
    lambda t: t.replace("kp1:initiation:", "kp1:demarches-emploi:"),  # another parcours
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),            # a signature changed
    lambda t: t.rsplit(":", 1)[0],                                # the signature cut off
])
def test_an_altered_card_is_refused_as_tampered(shipped, forge):
    forged = forge(encode(shipped["initiation"], [0, 2], KEY))
    assert decode(forged, shipped, KEY).reading is CardReading.TAMPERED


def test_a_card_signed_with_another_fleets_key_is_refused(shipped):
    text = encode(shipped["initiation"], [0], b"another fleet")
    assert decode(text, shipped, KEY).reading is CardReading.TAMPERED


def test_other_codes_and_empty_scans_are_told_apart(shipped):
    assert read_codes([], shipped, KEY).reading is CardReading.NO_CODE
    assert read_codes(["https://www.service-public.fr"], shipped, KEY).reading \
        is CardReading.NOT_A_CARD
    unknown = encode(shipped["initiation"], [0], KEY).replace("initiation", "autre")
    assert read_codes([unknown], shipped, KEY).reading is CardReading.UNKNOWN_PARCOURS


def test_without_a_fleet_key_each_kiosk_makes_its_own_private_one(tmp_path):
    key = load_key("", tmp_path)
    assert load_key("", tmp_path) == key and len(key) == 64
    assert (tmp_path / "parcours-card.key").stat().st_mode & 0o077 == 0
    assert load_key("fleet", tmp_path) == b"fleet"


def test_the_printed_card_is_read_back_from_its_pdf_as_a_scanner_sees_it(shipped, catalogue,
                                                                         tmp_path):
    parcours = shipped["demarches-emploi"]
    titles = {pid: catalogue.get(pid).title for pid in parcours.steps}
    pdf = write_card(parcours, frozenset({1}), encode(parcours, [1], KEY), titles,
                     tmp_path / "card.pdf", "ar")
    subprocess.run(["pdftoppm", "-r", "150", "-png", "-singlefile", str(pdf),
                    str(tmp_path / "card")], check=True, capture_output=True)
    scanned = Image.open(tmp_path / "card.png")
    result = read_codes(read_qr_texts(scanned), shipped, KEY)
    assert result.reading is CardReading.OK
    assert result.content is not None and result.content.done == {1}


def test_a_parcours_step_goes_in_the_record_only_as_an_id_and_a_rank():
    step = Activity(kind=ActivityKind.PRACTICE, procedure_id="cv-guide",
                    parcours_id="demarches-emploi", parcours_step=1)
    assert step.parcours_step == 1
    with pytest.raises(ValueError):
        Activity(kind=ActivityKind.PRACTICE, procedure_id="cv-guide", parcours_id="x")
    with pytest.raises(ValueError):
        Activity(kind=ActivityKind.PRINT, parcours_id="x", parcours_step=1)
    with pytest.raises(ValueError):
        Activity(kind=ActivityKind.PRACTICE, procedure_id="cv-guide",
                 parcours_id="Mon parcours !", parcours_step=1)


def test_a_record_without_parcours_is_sent_as_before(tmp_path):
    import datetime as dt
    import uuid

    from kiosk_wire.schema import EndReason, Language, SessionRecord

    record = SessionRecord(event_id=uuid.uuid4(), day=dt.date(2026, 12, 5), hour=10,
                           duration_min=5, language=Language.FR, end_reason=EndReason.FINISHED,
                           activities=[Activity(kind=ActivityKind.PRACTICE,
                                                procedure_id="cv-guide")])
    assert "parcours_id" not in record.to_wire()["activities"][0]



def test_the_parcours_command_lists_the_shipped_ones_and_fails_on_an_unknown_step(tmp_path):
    from click.testing import CliRunner

    from kiosk.cli import main

    result = CliRunner().invoke(main, ["procedures", "parcours"])
    assert result.exit_code == 0, result.output
    assert "initiation           Parcours initiation" in result.output
    assert "  3. france-travail-inscription" in result.output
    file = tmp_path / "p.yaml"
    file.write_text("id: p\ntitle: {fr: P, en: P, ar: P}\ngoal: {fr: B, en: G, ar: G}\n"
                    "procedures:\n  - nope\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["procedures", "parcours", str(file)])
    assert result.exit_code == 1
    assert f"{file}:5: « nope » n'est pas une démarche du catalogue" in result.output
    assert "1 problème à corriger." in result.output
