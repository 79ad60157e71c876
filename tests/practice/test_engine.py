"""The practice engine on every procedure of the catalogue, and on the traps of the main ones."""
from __future__ import annotations

import random

import pytest

from kiosk.practice.catalogue import load_catalogue
from kiosk.practice.debrief import build_debrief
from kiosk.practice.engine import Mode, Outcome, PracticeRun
from kiosk.practice.messages import MESSAGES
from kiosk.practice.model import FieldType
from kiosk.practice.solution import page_solution
from kiosk.sessions.clock import ManualClock
from kiosk_wire.schema import ActivityKind, Autonomy

from .play import EMPTY_MESSAGE_KEY, empty_value, play_to_end

CATALOGUE = load_catalogue()
# Every procedure, and every short first-timer version (played like any procedure).
IDS = CATALOGUE.ids() + [p.id for p in CATALOGUE.shorts()]


def new_run(procedure_id: str, mode: Mode = Mode.AUTONOMOUS, clock=None) -> PracticeRun:
    return PracticeRun(CATALOGUE.get(procedure_id), mode, clock=clock or ManualClock(),
                       rng=random.Random(7))


@pytest.mark.parametrize("procedure_id", IDS)
def test_persona_run_reaches_the_end_without_errors(procedure_id):
    run = new_run(procedure_id)
    visited = play_to_end(run)
    assert run.page.end and visited[-1] == run.page.id
    activity = run.activity()
    assert activity.kind is ActivityKind.PRACTICE
    assert activity.procedure_id == procedure_id
    assert activity.theme is run.procedure.theme
    assert activity.completed and activity.steps_reached == activity.steps_total >= 4
    assert activity.errors == 0 and activity.hints_used == 0
    assert activity.autonomy is Autonomy.AUTONOMOUS


@pytest.mark.parametrize("procedure_id", IDS)
def test_typical_mistakes_give_plain_messages_and_are_counted(procedure_id):
    """On every page: validate with everything empty, then a date written with dashes and a
    typo in a plain text field; each refusal has its plain message and counts as one error."""
    run = new_run(procedure_id)
    expected_errors = 0
    for _ in range(60):
        if run.completed:
            break
        page = run.page
        solution = page_solution(page, run.procedure, run.sms_code)
        if page.fields:
            result = run.submit({f.id: empty_value(f.type) for f in page.fields})
            refused = {f.id: EMPTY_MESSAGE_KEY.get(f.type, "required")
                       for f in page.fields if f.required and f.type is not FieldType.CHECKBOX}
            assert result.outcome is Outcome.ERRORS or not refused
            assert {k: e.problem.key for k, e in result.errors.items()} == refused
            for field_id, key in refused.items():
                assert result.errors[field_id].text("fr") == MESSAGES[key].fr
            expected_errors += len(refused)
        for fld in page.fields:
            if fld.type is FieldType.DATE:
                wrong = dict(solution, **{fld.id: solution[fld.id].replace("/", "-")})
                result = run.submit(wrong)
                assert result.errors[fld.id].text("fr") == MESSAGES["date.format"].fr
                expected_errors += 1
            elif fld.type is FieldType.TEXT and fld.persona and not fld.validators \
                    and not any(t.field == fld.id for t in page.traps):
                wrong = dict(solution, **{fld.id: solution[fld.id] + "x"})
                result = run.submit(wrong)
                assert result.errors[fld.id].text("fr") == MESSAGES["persona.mismatch"].fr
                assert "Vos informations pour cet exercice" in result.errors[fld.id].text("fr")
                expected_errors += 1
        result = run.submit(page_solution(run.page, run.procedure, run.sms_code))
        assert result.ok, {k: e.text() for k, e in result.errors.items()}
    activity = run.activity()
    assert activity.completed
    assert activity.errors == expected_errors > 0
    assert activity.hints_used == 0


@pytest.mark.parametrize("procedure_id", IDS)
def test_every_message_and_page_text_exists_in_english_and_arabic(procedure_id):
    procedure = CATALOGUE.get(procedure_id)
    for page in procedure.pages:
        for text in (page.title, *page.content, *(f.label for f in page.fields),
                     *(h.text for h in page.hints)):
            assert text.missing() == ()
    assert procedure.persona.card.missing() == ()


@pytest.mark.parametrize("procedure_id", IDS)
def test_guided_mode_highlights_the_next_field_and_counts_hints(procedure_id):
    run = new_run(procedure_id, Mode.GUIDED)
    shown = 0
    for _ in range(60):
        if run.completed:
            break
        field, hint = run.guide()
        needed = [f for f in run.page.fields if f.required and f.type is not FieldType.CHECKBOX]
        if needed:  # the first field still to fill is highlighted (optional ones are skipped)
            assert field is not None and field.id == needed[0].id
            if hint is not None:
                shown += 1
                assert hint.field in (None, field.id) or run.page.field(hint.field) is not None
        run.submit(page_solution(run.page, run.procedure, run.sms_code))
    activity = run.activity()
    assert activity.completed and activity.autonomy is Autonomy.GUIDED
    assert activity.hints_used == shown > 0


def test_asking_for_a_hint_alone_makes_the_run_partly_autonomous():
    run = new_run("ameli-compte")
    hint = run.request_hint()
    assert hint is not None and hint.field == "compte"
    run.request_hint()  # the same hint again is not counted twice
    play_to_end(run)
    activity = run.activity()
    assert activity.hints_used == 1 and activity.autonomy is Autonomy.PARTLY_AUTONOMOUS


# --- traps and branches on the main procedures ---------------------------------------------
def goto(run: PracticeRun, page_id: str) -> None:
    for _ in range(30):
        if run.page.id == page_id:
            return
        assert run.submit(page_solution(run.page, run.procedure, run.sms_code)).ok
    raise AssertionError(f"never reached {page_id}")


def test_nir_is_asked_without_its_key_and_without_spaces_as_ameli_does():
    run = new_run("ameli-compte")
    goto(run, "identification")
    typed = {"nir": "1 79 02 13 055 012", "naissance": "17/02/1979", "code_postal": "13005"}
    result = run.submit(typed)
    assert result.errors["nir"].text() == ("Ce site refuse les espaces : tapez les 13 chiffres à "
                                           "la suite, sans espace.")
    assert "without spaces" in result.errors["nir"].text("en")
    result = run.submit(dict(typed, nir="179021305501215"))  # the whole number, key included
    assert result.errors["nir"].text().startswith("Le site demande 13 chiffres : les 13 premiers")
    assert run.submit(dict(typed, nir="1790213055012")).ok
    assert run.activity().errors == 2
    assert run.page.id == "verification"


def test_ameli_checks_identity_with_the_rib_and_confirms_the_address_by_email():
    run = new_run("ameli-compte")
    goto(run, "verification")
    result = run.submit({"verification": "rib", "iban": "FR76 3000 6000 0112 3456 7890 180"})
    assert result.errors["iban"].problem.key.startswith("iban")
    goto(run, "code_email")
    code = run.sms_code
    assert code is not None and len(code) == 6
    email = run.sms_inbox[-1].fr
    assert email.startswith("E-mail de Caisse Santé Commune") and code in email
    wrong = "000000" if code != "000000" else "111111"
    error = run.submit({"code": wrong}).errors["code"]
    assert error.problem.key == "email_code.wrong" and "reçu par e-mail" in error.text()
    assert run.submit({"code": code}).ok


def test_sms_code_must_be_the_one_on_the_simulated_phone():
    run = new_run("email-premiere-adresse")
    goto(run, "code")
    code = run.sms_code
    assert code is not None and code in run.sms_inbox[-1].fr and len(code) == 6
    wrong = "000000" if code != "000000" else "111111"
    refused = run.submit({"code": wrong}).errors["code"]
    assert refused.problem.key == "sms_code.wrong"
    assert refused.text("fr").endswith("recopiez les 6 chiffres.")
    run.send_sms()  # "renvoyer le code": the old one no longer works
    assert len(run.sms_inbox) == 2
    if run.sms_code != code:
        assert run.submit({"code": code}).errors["code"].problem.key == "sms_code.wrong"
    assert run.submit({"code": run.sms_code}).ok


def test_doctolib_like_code_has_three_digits_as_on_the_real_site():
    """Doctolib's help: "the 3-digit verification code received by SMS" (digits: 3)."""
    run = new_run("rendez-vous-medical")
    goto(run, "code")
    code = run.sms_code
    assert code is not None and len(code) == 3 and code.isdigit()
    assert code in run.sms_inbox[-1].fr
    wrong = "000" if code != "000" else "111"
    error = run.submit({"code": wrong}).errors["code"]
    assert error.text("fr").endswith("recopiez les 3 chiffres.")
    assert error.text("en").endswith("copy the 3 digits.")
    run.send_sms()  # "renvoyer le code" keeps the real site's length
    assert len(run.sms_code or "") == 3
    assert run.submit({"code": run.sms_code}).ok


def test_password_rules_are_shown_ticked_live_and_confirmation_must_match():
    run = new_run("ameli-compte")
    goto(run, "mot_de_passe")
    rules = run.password_rules("mot_de_passe", "riviere")
    assert [(t.fr, ok) for t, ok in rules][:2] == [("Au moins 12 caractères", False),
                                                  ("Une majuscule", False)]
    assert all(ok for _, ok in run.password_rules("mot_de_passe", "Riviere-1979!"))
    result = run.submit({"mot_de_passe": "Riviere-1979!", "confirmation": "Riviere-1979"})
    assert result.errors["confirmation"].problem.key == "password.confirm"
    result = run.submit({"mot_de_passe": "Riviere1979", "confirmation": "Riviere1979"})
    assert result.errors["mot_de_passe"].text() == MESSAGES["password.min_length"].format(n=12)


def test_captcha_respects_capitals():
    run = new_run("ameli-compte")
    goto(run, "conditions")
    result = run.submit({"cgu": True, "captcha": "k7mp2"})
    assert result.errors["captcha"].problem.key == "captcha.wrong"
    assert run.submit({"cgu": True, "captcha": "K7mP2"}).ok


def test_scam_link_is_counted_explained_and_reported_in_the_debrief():
    run = new_run("ants-pre-demande")
    goto(run, "timbre")
    explanation = run.follow_link()
    assert "piège" in explanation.fr and explanation.missing() == ()
    assert run.page.id == "timbre"
    play_to_end(run)
    assert run.activity().errors == 1
    debrief = build_debrief(run, "fr")
    assert any("lien piège" in line for line in debrief.to_work_on)


def test_avoided_scam_link_is_praised_in_the_debrief():
    run = new_run("ants-pre-demande")
    play_to_end(run)
    debrief = build_debrief(run, "ar")
    assert any("لم تلمس الرابط المزيف" in line for line in debrief.went_well)
    assert debrief.remember and debrief.memo.steps


def test_stamp_number_with_spaces_is_refused():
    run = new_run("ants-pre-demande")
    goto(run, "timbre")
    result = run.submit({"timbre": "4417 2069 3821 5570"})
    assert "sans espace" in result.errors["timbre"].text()


def test_choice_that_differs_from_the_persona_card_is_refused():
    run = new_run("ants-pre-demande")
    goto(run, "choix")
    result = run.submit({"titre": "carte_identite", "motif": "renouvellement"})
    assert result.page.id == "choix"
    assert result.errors["titre"].text() == MESSAGES["persona.mismatch"].fr


def _branching_procedure(tmp_path):
    from kiosk.practice.loader import load_procedure

    from .test_checker import _doc_example
    text = _doc_example().replace("        persona: jours\n", "").replace(
        "    next: fin\n  - id: fin\n",
        "    next:\n      - {field: jours, equals: certains, page: detail}\n      - {page: fin}\n"
        "  - id: detail\n    title: {fr: \"Quels jours\", en: \"Which days\", ar: \"أي أيام\"}\n"
        "    next: fin\n  - id: fin\n")
    path = tmp_path / "branching.yaml"
    path.write_text(text, encoding="utf-8")
    return load_procedure(path)


@pytest.mark.parametrize("choice, pages", [("tous", ["enfant", "jours", "fin"]),
                                           ("certains", ["enfant", "jours", "detail", "fin"])])
def test_a_free_choice_picks_the_next_page(tmp_path, choice, pages):
    procedure = _branching_procedure(tmp_path)
    run = PracticeRun(procedure, Mode.AUTONOMOUS, clock=ManualClock())
    visited = [run.page.id]
    run.submit({"enfant": "Yanis", "naissance": "29/02/2016"})
    visited.append(run.page.id)
    run.submit({"jours": choice, "reglement": True})
    visited.append(run.page.id)
    if not run.completed:
        run.submit({})
        visited.append(run.page.id)
    assert visited == pages and run.completed
    activity = run.activity()
    assert activity.steps_total == 4 and activity.steps_reached == 4


def test_session_expires_after_waiting_and_the_page_must_be_typed_again():
    clock = ManualClock()
    run = new_run("ants-pre-demande", clock=clock)
    goto(run, "etat_civil")
    solution = page_solution(run.page, run.procedure)
    clock.advance(601)
    result = run.submit(solution)
    assert result.outcome is Outcome.EXPIRED and result.notice is not None
    assert "expiré" in result.notice.fr
    assert run.page.id == "etat_civil" and run.value("nom") is None
    assert run.submit(solution).ok
    debrief = build_debrief(run)
    assert any("la session a expiré" in line for line in debrief.to_work_on)


def test_expired_session_sends_back_to_the_login_page():
    clock = ManualClock()
    run = new_run("impots-premiere-connexion", clock=clock)
    goto(run, "creation")
    clock.advance(901)
    result = run.submit(page_solution(run.page, run.procedure))
    assert result.outcome is Outcome.EXPIRED and result.page.id == "accueil"


def test_tax_number_length_message_counts_digits():
    run = new_run("impots-premiere-connexion")
    goto(run, "accueil")
    result = run.submit({"numero_fiscal": "204781539602"})
    assert result.errors["numero_fiscal"].text() == (
        "Le numéro fiscal a 13 chiffres. Vous en avez tapé 12. Il est en haut de votre avis "
        "d'impôt.")


def test_prefilled_amount_declared_right_skips_the_correction_page():
    run = new_run("impots-premiere-connexion")
    goto(run, "revenus")
    assert run.submit({"montant_correct": "oui"}).ok is False  # the card says it is wrong
    run2 = new_run("impots-premiere-connexion")
    goto(run2, "revenus")
    run2.submit({"montant_correct": "non"})
    assert run2.page.id == "correction"


def test_amount_with_euro_sign_is_refused_by_the_site():
    run = new_run("caf-trimestrielle")
    goto(run, "correction")
    result = run.submit({"salaire_2": "920 €"})
    assert "sans le signe €" in result.errors["salaire_2"].text()


def test_back_returns_to_the_previous_page_without_counting():
    run = new_run("caf-trimestrielle")
    goto(run, "periode")
    assert run.back().id == "espace"
    assert run.activity().errors == 0


def test_caf_salaries_come_prefilled_and_a_wrong_month_is_corrected():
    run = new_run("caf-trimestrielle")
    goto(run, "salaires")
    assert [cell.fr for row in run.page.table.rows for cell in row][3] == "902 €"
    refused = run.submit({"montants_justes": "oui"})  # validating without comparing
    assert refused.errors["montants_justes"].problem.key == "persona.mismatch"
    assert run.submit({"montants_justes": "non"}).ok and run.page.id == "correction"
    assert run.submit({"salaire_2": "920"}).ok and run.page.id == "autres"


def test_caf_login_is_the_social_security_number_then_a_code_received_by_email():
    run = new_run("caf-trimestrielle")
    assert [f.id for f in run.page.fields] == ["nir", "mot_de_passe"]
    assert run.submit({"nir": "2910775112034", "mot_de_passe": "Lune2025!"}).ok
    assert run.page.id == "verification" and run.page.fields[0].type is FieldType.EMAIL_CODE
    assert run.submit({"code": run.sms_code}).ok and run.page.id == "espace"


def test_impots_offers_franceconnect_and_activates_the_space_by_email():
    run = new_run("impots-premiere-connexion")
    assert {o.value for o in run.page.fields[0].options} == {"franceconnect", "numero_fiscal"}
    assert run.submit({"connexion": "franceconnect"}).ok and run.page.id == "franceconnect"
    assert "FranceConnect" in run.page.content[0].fr
    goto(run, "creation")
    assert "déclaration de revenus" in run.page.fields[0].help.fr
    goto(run, "activation")
    assert run.page.fields[0].type is FieldType.EMAIL_CODE
    assert "8 heures" in run.page.intro.fr and run.sms_inbox[-1].fr.startswith("E-mail de")


def test_abandoned_run_reports_the_step_reached():
    run = new_run("caf-trimestrielle")
    goto(run, "salaires")
    activity = run.activity()
    assert not activity.completed
    assert activity.steps_reached == run.depths["salaires"] < activity.steps_total
    debrief = build_debrief(run)
    from kiosk.practice.progress import progress

    where = progress(run)  # the counter the person saw, not the statistics' rank
    assert any(f"L'exercice s'est arrêté à l'étape {where.step} sur {where.total}" in line
               for line in debrief.to_work_on)


def test_wrong_answer_in_the_scam_quiz_explains_why():
    run = new_run("arnaques-reperer")
    goto(run, "sms_colis")
    result = run.submit({"reponse_colis": "vrai"})
    assert result.errors["reponse_colis"].text().startswith("C'est une arnaque : vous n'attendez")
    assert "scam" in result.errors["reponse_colis"].text("en")
    assert run.submit({"reponse_colis": "arnaque"}).ok
    result = run.submit({"reponse_code": "arnaque"})
    assert result.errors["reponse_code"].text().startswith("Ce message est vrai")


def test_engine_errors_can_be_shown_in_arabic():
    run = new_run("ameli-compte")
    goto(run, "identification")
    result = run.submit({"nir": "", "naissance": "31/04/1979", "code_postal": "1300"})
    assert result.errors["nir"].text("ar") == MESSAGES["required"].get("ar")
    assert result.errors["naissance"].text("ar") \
        == MESSAGES["date.no_such_day"].format("ar", day=31)
    assert result.errors["code_postal"].text("ar") == MESSAGES["postal_code.format"].get("ar")


def test_a_long_stay_on_a_page_is_reported_as_hesitation_in_the_debrief():
    clock = ManualClock()
    run = new_run("caf-trimestrielle", clock=clock)
    goto(run, "salaires")
    clock.advance(200)
    goto(run, "autres")
    debrief = build_debrief(run)
    hesitated = "Page « Vos salaires déjà remplis » : vous avez pris du temps (3 min)"
    assert any(line.startswith(hesitated) for line in debrief.to_work_on)
    assert not any("Mon compte" in line and "temps" in line for line in debrief.to_work_on)


def test_persona_card_shows_choice_answers_as_the_site_labels_them():
    procedure = CATALOGUE.get("mairie-rendez-vous")
    rows = dict(procedure.persona_rows("fr"))
    assert rows["Jour"] == "Mardi 17 mars" and rows["Motif"] == "Passeport"
    assert rows["Téléphone portable"] == "06 45 78 12 90"
    assert dict(procedure.persona_rows("ar"))["اليوم"] == "الثلاثاء 17 مارس"


def test_guide_points_at_the_button_once_every_field_is_filled():
    run = new_run("ameli-compte", Mode.GUIDED)
    goto(run, "contact")
    run.set_value("email", "karim.benali@courriel.exemple")
    field, hint = run.guide()
    assert field is not None and field.id == "telephone" and hint is not None
    assert hint.field == "telephone"
    run.set_value("telephone", "06 12 34 56 78")
    assert run.guide() == (None, None)   # nothing left but the site's button


def test_document_upload_takes_a_session_scan_or_a_sample():
    run = new_run("mairie-liste-electorale")
    goto(run, "justificatifs")
    result = run.submit({"piece_identite": "", "domicile": "photo.jpg"})
    assert result.errors["piece_identite"].text() == MESSAGES["document.required"].fr
    assert result.errors["domicile"].problem.key == "document.required"
    assert run.submit({"piece_identite": "scan:1",
                       "domicile": "sample:facture_exemple"}).ok


def test_a_wrong_choice_with_its_own_page_leads_there_and_counts_as_an_error():
    """The pages that explain a wrong choice are reachable: the real site follows the choice."""
    run = new_run("caf-trimestrielle")
    goto(run, "periode")
    solution = page_solution(run.page, run.procedure)
    result = run.submit({**solution, "changement": "oui"})
    assert result.ok and run.page.id == "changement_info"
    assert run.stats["periode"].field_errors == {"changement": 1}
    assert run.activity().errors == 1


def test_every_page_of_every_procedure_can_be_reached_by_some_answer():
    """No explanation page left unreachable (it would count in steps and funnels for nothing)."""
    for procedure in CATALOGUE.procedures:
        fields = {f.id: f for p in procedure.pages for f in p.fields}
        for page in procedure.pages:
            for branch in page.next:
                if branch.field is None:
                    continue
                run = new_run(procedure.id)
                goto(run, page.id)
                values = page_solution(run.page, run.procedure, run.sms_code)
                if branch.field in values:
                    values[branch.field] = branch.equals
                elif fields[branch.field].persona or fields[branch.field].expected:
                    continue  # tested on an earlier page: the choice was made there
                run.submit(values)
                assert run.page.id == branch.page, (procedure.id, page.id, branch)


def test_the_expiry_counts_from_the_last_thing_done_on_the_page():
    clock = ManualClock()
    run = new_run("ants-pre-demande", clock=clock)
    goto(run, "etat_civil")
    solution = page_solution(run.page, run.procedure)
    clock.advance(400)
    wrong = run.submit({**solution, "taille": "1m65"})  # a retry after 400 s of work
    assert wrong.outcome is Outcome.ERRORS
    clock.advance(500)  # 900 s on the page, but 500 s since the site last heard of it
    assert run.submit(solution).outcome is Outcome.NEXT
    goto_back = new_run("ants-pre-demande", clock=clock)
    goto(goto_back, "etat_civil")
    clock.advance(601)  # really nothing done for 10 minutes
    assert goto_back.submit(solution).outcome is Outcome.EXPIRED


def test_going_back_from_the_end_page_undoes_the_completion():
    run = new_run("caf-trimestrielle")
    play_to_end(run)
    assert run.completed
    run.back()
    assert not run.completed and not run.activity().completed
    run.submit(page_solution(run.page, run.procedure, run.sms_code))
    assert run.completed


def test_an_empty_scan_id_is_no_document():
    from kiosk.practice.fields import check_field
    from kiosk.practice.model import Field
    from kiosk.practice.text import Text

    upload = Field(id="piece", type=FieldType.DOCUMENT_UPLOAD, label=Text("Pièce"))
    assert check_field(upload, "scan:").key == "document.required"
    assert check_field(upload, "scan:3") is None


def test_an_email_typed_without_its_dot_is_almost_right_not_right():
    run = new_run("ameli-compte")
    goto(run, "contact")
    solution = page_solution(run.page, run.procedure)
    result = run.submit({**solution, "email": solution["email"].replace(".", "", 1)})
    assert result.errors["email"].problem.key == "email.almost"
    assert result.errors["email"].text().startswith("Presque ! Dans une adresse e-mail")
    assert run.submit(solution).ok
