"""The console's procedures pages: import a YAML file, see the checker's findings by line,
submit, approval by a second person with the right, publish, export, restore, a site's choice
(in process, both engines)."""
from __future__ import annotations

import datetime as dt
import re
from html import unescape

import sqlalchemy as sa
from server.helpers import record
from server.procedure_helpers import broken_yaml, procedure_yaml

from kiosk_server import retention
from kiosk_server import tables as t
from kiosk_wire.bundle import EMPTY_VERSION


def _upload(app, csrf: str, text: str, procedure_id: str = ""):
    return app.client.post("/console/procedures/import",
                           data={"csrf": csrf, "procedure_id": procedure_id},
                           files={"file": ("demarche.yaml", text.encode(), "application/yaml")},
                           follow_redirects=True)


def _act(app, csrf: str, version: int, action: str, **form: str):
    return app.client.post(f"/console/procedures/mairie-lille-rdv/{version}/{action}",
                           data={"csrf": csrf, **form}, follow_redirects=True)


def _site_versions(app) -> dict[str, str | None]:
    with app.engine.connect() as conn:
        return dict(conn.execute(sa.select(t.sites.c.name, t.sites.c.catalogue_version)).all())


def test_a_mediator_writes_a_second_person_approves_and_publishes_to_one_site(console_app):
    app = console_app
    lille = app.seed.sites["FS Lille"]
    csrf = app.login("med-lille")
    page = _upload(app, csrf, procedure_yaml())
    assert page.status_code == 200 and "aucun problème" in page.text
    page = _upload(app, csrf, broken_yaml(), "mairie-lille-rdv")
    assert re.search(r"Ligne \d+ \(pages › \d+ › next\) : ", page.text)  # line and field
    checked = app.client.post("/console/procedures/check", data={"yaml": broken_yaml()},
                              headers={"x-csrf-token": csrf, "accept": "application/json"})
    finding = next(f for f in checked.json()["findings"] if f["path"][-1:] == ["next"])
    assert checked.json()["errors"] >= 1 and finding["line"] > 0 and finding["message"]
    assert 'action="/console/procedures/mairie-lille-rdv/2/submit"' not in page.text
    page = _act(app, csrf, 1, "submit", scope="site", place_site=str(lille))
    assert "Version soumise" in page.text
    refused = _act(app, csrf, 1, "approve")
    assert refused.status_code == 400 and "droit" in refused.text

    csrf = app.login("resp-lille")
    assert "Version approuvée" in _act(app, csrf, 1, "approve").text
    assert "Publiée" in _act(app, csrf, 1, "publish").text
    versions = _site_versions(app)
    assert versions["FS Lille"] not in (None, EMPTY_VERSION)
    assert versions["FS Rennes"] in (None, EMPTY_VERSION)

    exported = app.client.get("/console/procedures/mairie-lille-rdv/1.yaml")
    assert exported.text == procedure_yaml()
    page = _act(app, csrf, 1, "restore")
    assert "Version restaurée" in page.text and 'id="version-3"' in page.text
    assert "mairie-lille-rdv" in app.client.get("/console/procedures").text

    # Residents practise version 1 (one finishes): the manager compares versions.
    _kiosk_id, token = app.seed.kiosks[("FS Lille", "borne-1")]
    practice = [{"kind": "practice", "procedure_id": "mairie-lille-rdv", "steps_total": 5,
                 "steps_reached": reached, "completed": reached == 5, "procedure_version": 1}
                for reached in (5, 1)]
    sent = app.client.post("/api/v1/events", headers={"Authorization": f"Bearer {token}"},
                           json={"records": [record(activities=[a]) for a in practice]})
    assert sent.status_code == 200, sent.text
    figures = app.client.get("/console/procedures/mairie-lille-rdv").text
    row = re.search(r'<table class="data" id="by-version">.*?</table>', figures, re.S).group(0)
    assert re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", row)[4:] == ["1", "2", "50 %", "3.0"]

    # Past the raw records' retention, the comparison is still there (read from aggregates).
    assert retention.purge(app.engine, months=1, today=dt.date(2027, 3, 1)) > 2
    figures = app.client.get("/console/procedures/mairie-lille-rdv").text
    kept = re.search(r'<table class="data" id="by-version">.*?</table>', figures, re.S).group(0)
    assert kept == row


def test_a_procedure_starts_as_a_copy_of_a_shipped_one(console_app):
    app = console_app
    csrf = app.login("med-lille")
    page = app.client.post("/console/procedures/copy", follow_redirects=True, data={
        "csrf": csrf, "source": "mairie-rendez-vous", "new_id": "mairie-lille-rdv"})
    assert page.url.path == "/console/procedures/mairie-lille-rdv"
    assert "aucun problème" in page.text and 'id="version-1"' in page.text
    taken = app.client.post("/console/procedures/copy", data={
        "csrf": csrf, "source": "mairie-rendez-vous", "new_id": "mairie-lille-rdv"})
    assert taken.status_code == 400 and "déjà pris" in taken.text


def test_a_sites_catalogue_is_chosen_by_its_managers_only(console_app):
    app = console_app
    roubaix, lille = app.seed.sites["FS Roubaix"], app.seed.sites["FS Lille"]
    csrf = app.login("resp-nord")
    page = app.client.post(f"/console/procedures/sites/{roubaix}", follow_redirects=True,
                           data={"csrf": csrf, "order": "mairie-rendez-vous\ncaf-trimestrielle"})
    assert "Catalogue du site enregistré" in page.text
    assert "mairie-rendez-vous\ncaf-trimestrielle" in page.text
    bad = app.client.post(f"/console/procedures/sites/{roubaix}",
                          data={"csrf": csrf, "order": "Jean Dupont 06 12"})
    assert bad.status_code == 400 and "identifiant" in bad.text
    csrf = app.login("med-lille")
    denied = app.client.post(f"/console/procedures/sites/{lille}",
                             data={"csrf": csrf, "order": "mairie-rendez-vous"})
    assert denied.status_code == 403
    assert _site_versions(app)["FS Lille"] in (None, EMPTY_VERSION)


def test_the_live_view_shows_which_catalogue_each_kiosk_has(console_app):
    app = console_app
    lille = app.seed.sites["FS Lille"]
    _kiosk_id, token = app.seed.kiosks[("FS Lille", "borne-1")]
    with app.engine.begin() as conn:
        from kiosk_server.procedures import store

        store.set_site_choice(conn, lille, ["mairie-rendez-vous"])
    should = _site_versions(app)["FS Lille"]

    def beat(version: str) -> None:
        answer = app.client.post("/api/v1/heartbeat", headers={"Authorization": f"Bearer {token}"},
                                 json={"state": "idle", "app_version": "0.1.0",
                                       "catalogue_version": version})
        assert answer.status_code == 200 and answer.json()["catalogue_version"] == should

    app.login("med-lille")
    beat(EMPTY_VERSION)
    assert "démarches fournies · le nouveau arrive entre deux sessions" in \
        app.client.get(f"/console/live/{lille}").text
    beat(should)
    assert f"catalogue {should[:8]} · à jour" in app.client.get(f"/console/live/{lille}").text


def test_a_procedure_written_here_is_named_by_its_title_in_the_live_view_and_dashboards(
        console_app):
    app = console_app
    lille = app.seed.sites["FS Lille"]
    csrf = app.login("med-lille")
    _upload(app, csrf, procedure_yaml())
    _act(app, csrf, 1, "submit", scope="site", place_site=str(lille))
    csrf = app.login("resp-lille")
    _act(app, csrf, 1, "approve")
    _act(app, csrf, 1, "publish")
    _kiosk_id, token = app.seed.kiosks[("FS Lille", "borne-1")]
    bearer = {"Authorization": f"Bearer {token}"}
    beat = app.client.post("/api/v1/heartbeat", headers=bearer, json={
        "state": "active", "app_version": "0.1.0", "procedure_id": "mairie-lille-rdv",
        "step": 2})
    assert beat.status_code == 200, beat.text
    live_page = app.client.get(f"/console/live/{lille}").text
    assert "Rendez-vous à Lille" in live_page and ">mairie-lille-rdv" not in live_page

    practice = [{"kind": "practice", "procedure_id": "mairie-lille-rdv", "steps_total": 5,
                 "steps_reached": 5, "completed": True, "procedure_version": 1}] * 12
    sent = app.client.post("/api/v1/events", headers=bearer,
                           json={"records": [record(activities=[a]) for a in practice]})
    assert sent.status_code == 200, sent.text
    dashboard = app.client.get(f"/console/stats/demarches?site={lille}&periode=perso"
                               f"&debut=2026-11-01&fin=2026-11-30").text
    assert "Rendez-vous à Lille" in dashboard and ">mairie-lille-rdv<" not in dashboard


def test_a_parcours_is_saved_from_the_form_refused_a_shipped_id_restored_and_unpublished(
        console_app):
    app = console_app
    lille = app.seed.sites["FS Lille"]
    form = {"title_fr": "Pas à pas", "title_en": "Step by step", "title_ar": "خطوة بخطوة",
            "goal_fr": "Un rendez-vous.", "goal_en": "An appointment.", "goal_ar": "موعد."}
    csrf = app.login("med-lille")
    taken = app.client.post("/console/parcours/save", data={
        "csrf": csrf, "id": "initiation", "step": "mairie-rendez-vous", **form})
    assert taken.status_code == 400 and "déjà pris" in taken.text
    page = app.client.post("/console/parcours/save", follow_redirects=True, data={
        "csrf": csrf, "id": "lille-pas-a-pas", "step": ["mairie-rendez-vous", ""], **form})
    assert "Le vérificateur ne trouve aucun problème." in page.text
    again = app.client.post("/console/parcours/save", follow_redirects=True, data={
        "csrf": csrf, "editing": "lille-pas-a-pas",
        "step": ["mairie-rendez-vous", "demarche-inconnue"], **form})
    assert "« demarche-inconnue » n'est pas une démarche du catalogue" in unescape(again.text)
    # Beside the exercise it concerns (the second), described by it for screen readers.
    beside = re.search(r'<ul class="findings-beside" id="step-2-f">(.*?)</ul>', again.text, re.S)
    assert beside is not None and "demarche-inconnue" in beside.group(1)
    assert 'id="step-2" name="step" aria-describedby="step-2-f"' in again.text
    assert 'id="step-1-f"' not in again.text
    assert 'action="/console/parcours/lille-pas-a-pas/2/submit"' not in again.text
    restored = app.client.post("/console/parcours/lille-pas-a-pas/1/restore",
                               data={"csrf": csrf}, follow_redirects=True)
    assert "Version restaurée" in restored.text and 'id="version-3"' in restored.text
    exported = app.client.get("/console/parcours/lille-pas-a-pas/3.yaml").text
    assert exported == app.client.get("/console/parcours/lille-pas-a-pas/1.yaml").text
    assert "  - mairie-rendez-vous\n" in exported and "inconnue" not in exported

    app.client.post("/console/parcours/lille-pas-a-pas/3/submit", data={
        "csrf": csrf, "scope": "site", "place_site": str(lille)})
    assert app.client.post("/console/parcours/lille-pas-a-pas/3/approve",
                           data={"csrf": csrf}).status_code == 400  # not the author alone
    before = _site_versions(app)["FS Lille"] or EMPTY_VERSION  # None: never computed yet
    csrf = app.login("resp-lille")
    app.client.post("/console/parcours/lille-pas-a-pas/3/approve", data={"csrf": csrf})
    published = app.client.post("/console/parcours/lille-pas-a-pas/3/publish",
                                data={"csrf": csrf}, follow_redirects=True)
    assert "Publié : version 3 (un site)." in published.text
    assert _site_versions(app)["FS Lille"] != before
    app.client.post("/console/parcours/lille-pas-a-pas/unpublish", data={"csrf": csrf})
    assert _site_versions(app)["FS Lille"] == before
