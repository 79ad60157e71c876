"""The "Coop" export (issue #19): a site's identifiers typed by an admin (checked, in French),
the Coop's codes and labels (checked against the vocabulary of La Coop de la médiation
numérique's data model), ISO dates, numbers as numbers, and a tidy CSV per site × day ×
dimension; figures computed from the generated records (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import io
import re
import uuid

import openpyxl

from console.conftest import InProcess
from kiosk_server.console import coop
from kiosk_server.ingest import ingest
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import SessionRecord, Theme

# The @map values of enum Thematique, TrancheAge and Autonomie in
# inclusion-numerique/coop-mediation-numerique, apps/web/prisma/schema.prisma (read 2026-12-05).
COOP_THEMATIQUES = {
    "diagnostic_numerique", "prendre_en_main_du_materiel", "maintenance_de_materiel",
    "gere_ses_contenus_numeriques", "navigation_sur_internet", "email", "bureautique",
    "reseaux_sociaux", "sante", "banque_et_achats_en_ligne", "entrepreneuriat",
    "insertion_professionnelle", "securite_numerique", "parentalite", "scolarite_et_numerique",
    "creer_avec_le_numerique", "culture_numerique", "intelligence_artificielle",
    "aide_aux_demarches_administratives", "papiers_elections_citoyennete", "famille_scolarite",
    "social_sante", "travail_formation", "logement", "transports_mobilite", "argent_impots",
    "justice", "etrangers_europe", "loisirs_sports_culture", "associations"}
COOP_TRANCHES = {"moins_de_douze", "douze_dix_huit", "dix_huit_vingt_quatre",
                 "vingt_cinq_trente_neuf", "quarante_cinquante_neuf", "soixante_soixante_neuf",
                 "soixante_dix_plus", "non_communique"}
COOP_AUTONOMIE = {"entierement_accompagne", "partiellement_autonome", "autonome"}


def _siret(first13: str) -> str:
    for d in "0123456789":
        digits = first13 + d
        total = sum((int(c) * 2 - 9 if int(c) * 2 > 9 else int(c) * 2) if i % 2 else int(c)
                    for i, c in enumerate(reversed(digits)))
        if total % 10 == 0:
            return digits
    raise AssertionError


def test_every_theme_has_its_coop_code_and_label():
    assert set(coop.THEMES) == COOP_THEMATIQUES
    assert {coop.THEME_CODE[t.value] for t in Theme} <= COOP_THEMATIQUES
    assert coop.theme("gerer_ses_contenus_numeriques")[0] == "gere_ses_contenus_numeriques"
    assert coop.theme("travail_formation_entreprise") == (
        "travail_formation", "Travail - Formation - Entreprise")
    assert {c for c, _l in coop.AGE_BRACKETS.values()} == COOP_TRANCHES
    assert {c for c, _l in coop.AUTONOMY.values()} - {"non_evaluee"} == COOP_AUTONOMIE


def test_an_admin_types_a_sites_identifiers_and_bad_ones_are_refused(console_app: InProcess):
    lille = console_app.seed.sites["FS Lille"]
    csrf = console_app.login("admin")
    client = console_app.client
    assert f'href="/console/admin/sites/{lille}"' in client.get("/console/admin").text
    bad = client.post(f"/console/admin/sites/{lille}/identifiers",
                      data={"csrf": csrf, "siret": "12345678901234", "code_insee": "59000 ",
                            "cartography_id": ""})
    assert bad.status_code == 400 and "Le SIRET compte 14 chiffres" in bad.text
    siret = _siret("7328293200007")
    good = client.post(f"/console/admin/sites/{lille}/identifiers", follow_redirects=False,
                       data={"csrf": csrf, "siret": f"{siret[:3]} {siret[3:]}",
                             "code_insee": "59350", "cartography_id": "Coop-numérique_abc__x1"})
    assert good.status_code == 303
    page = client.get(f"/console/admin/sites/{lille}").text
    assert f'value="{siret}"' in page and 'value="59350"' in page
    refused = client.post(f"/console/admin/sites/{lille}/identifiers",
                          data={"siret": siret, "code_insee": "", "cartography_id": ""})
    assert refused.status_code == 403  # no CSRF token
    console_app.login("resp-nord")
    assert client.get(f"/console/admin/sites/{lille}").status_code == 403


def test_coop_export_speaks_the_coops_codes_with_dates_and_numbers(console_app: InProcess):
    seed = console_app.seed
    lille = seed.sites["FS Lille"]
    kiosk_id, _ = seed.kiosks[("FS Lille", "borne-1")]
    who = KioskIdentity(kiosk_id, lille, seed.territories["Nord"], "borne-1")
    ingest(console_app.engine, who, [SessionRecord.model_validate({
        "event_id": str(uuid.uuid4()), "day": str(seed.today), "hour": 10, "duration_min": 20,
        "language": "fr", "accessibility": [], "end_reason": "finished",
        "activities": [{"kind": "practice", "procedure_id": "france-travail-inscription",
                        "theme": "travail_formation_entreprise", "steps_total": 4,
                        "steps_reached": 4, "completed": True}]})])
    csrf = console_app.login("admin")
    siret = _siret("7328293200007")
    console_app.client.post(f"/console/admin/sites/{lille}/identifiers",
                            data={"csrf": csrf, "siret": siret, "code_insee": "59350",
                                  "cartography_id": ""})
    console_app.login("resp-nord")
    query = f"periode=3_mois&territoire={seed.territories['Nord']}"
    answer = console_app.client.get(f"/console/export-coop.xlsx?{query}")
    assert answer.status_code == 200
    assert re.search(r'filename="coop_territoire-nord_\d{4}-\d\d-01_\d{4}-\d\d-\d\d\.xlsx"',
                     answer.headers["content-disposition"])
    book = openpyxl.load_workbook(io.BytesIO(answer.content))
    places = list(book["Lieux"].iter_rows(min_row=2, values_only=True))
    assert ("FS Lille", "Nord", siret, "59350", None) in places
    months = [n for n in book.sheetnames if n.startswith("Coop ")]
    assert months[-1] == f"Coop {seed.today:%Y-%m}" and len(months) == 3
    sessions: dict[str, int] = {}
    codes: dict[str, set[str]] = {}
    for name in months:
        for row in book[name].iter_rows(min_row=2, values_only=True):
            site, _s, _insee, _carto, month, dimension, code, _label, value = row
            assert isinstance(month, dt.datetime) and month.day == 1
            assert isinstance(value, int) or value == "masqué"
            codes.setdefault(dimension, set()).add(code)
            if dimension == "sessions":
                sessions[site] = sessions.get(site, 0) + value
    first = dt.date.fromisoformat(months[0][5:] + "-01")
    for site in seed.territory_sites("Nord"):
        extra = 1 if site == "FS Lille" else 0
        assert sessions[site] == len(seed.sessions([site], first, seed.today)) + extra
    assert codes["thematique"] <= COOP_THEMATIQUES and "travail_formation" in codes["thematique"]
    assert codes["duree"] <= {"30", "60", "120", "more"}
    assert codes["tranche_age"] <= COOP_TRANCHES | {"masque"}
    assert codes["autonomie"] <= COOP_AUTONOMIE | {"non_evaluee", "masque"}


def test_tidy_csv_has_one_row_per_site_day_and_dimension(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-lille")
    start, end = seed.today - dt.timedelta(days=13), seed.today
    lines = console_app.client.get(
        f"/console/export-coop.csv?periode=perso&debut={start}&fin={end}"
        f"&site={seed.sites['FS Lille']}").content.decode("utf-8-sig").splitlines()
    rows = [line.split(";") for line in lines]
    assert rows[0] == ["site_id", "site", "territoire", "siret", "code_insee",
                       "id_cartographie_nationale", "debut", "fin", "dimension", "code",
                       "libelle", "valeur"]
    per_day: dict[str, int] = {}
    for r in seed.sessions(["FS Lille"], start, end):
        per_day[r["day"]] = per_day.get(r["day"], 0) + 1
    shown = {r[6]: int(r[11]) for r in rows[1:] if r[8] == "sessions"}
    assert shown == per_day
    keys = [(r[0], r[6], r[8], r[9]) for r in rows[1:]]
    assert len(keys) == len(set(keys))  # one row per site x day x dimension x code
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", r[6]) for r in rows[1:])
    assert console_app.client.get(
        f"/console/export-coop.csv?periode=mois&borne="
        f"{seed.kiosks[('FS Lille', 'borne-1')][0]}").status_code == 403
