"""The console's procedure editor (in process, both engines): a procedure from a template,
its checker findings beside their fields, fixed through the form and saved as a new version;
page structure changed by buttons; each page previewed as the kiosk draws it."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlencode

import sqlalchemy as sa
import yaml

from kiosk_server import tables as t
from kiosk_server.procedures.preview import RIBBON, WORDS

INSCRIPTION = "/console/procedures/lille-inscription/edit"
PAGES = "/console/procedures/lille-pages/edit"
ITEMS = "/console/procedures/lille-items/edit"


def _form_of(html: str) -> list[tuple[str, str]]:
    """The editor form's controls as a browser would post them (name, value), in order."""
    form = html[html.index('id="editor"'):]
    out: list[tuple[str, str]] = []
    for match in re.finditer(
            r'<input (?:type="hidden" )?(?:id="[^"]*" )?name="([^"]+)" value="([^"]*)"'
            r'|<textarea id="[^"]*" name="([^"]+)"[^>]*>(.*?)</textarea>'
            r'|<select id="[^"]*" name="([^"]+)">(.*?)</select>', form, re.S):
        if match.group(1):
            out.append((unescape(match.group(1)), unescape(match.group(2))))
        elif match.group(3):
            out.append((unescape(match.group(3)), unescape(match.group(4))))
        else:
            chosen = re.search(r"<option selected>([^<]*)</option>|"
                               r"<option value=\"([^\"]*)\" selected>", match.group(6))
            value = "" if chosen is None else chosen.group(1) if chosen.group(1) is not None \
                else chosen.group(2)
            out.append((unescape(match.group(5)), unescape(value)))
    return out


def _post(app, url: str, pairs: list[tuple[str, str]], follow: bool = False):
    """A form posted with its controls in order, repeated names and all, as a browser does."""
    return app.client.post(url, content=urlencode(pairs).encode(), follow_redirects=follow,
                           headers={"content-type": "application/x-www-form-urlencoded"})


def _resent(html: str) -> list[tuple[str, str]]:
    """What an unsaved preview's language button posts: the form it carries and its op."""
    form = html[html.index('id="preview-resend"'):html.index("</form>",
                                                           html.index('id="preview-resend"'))]
    pairs = [(unescape(n), unescape(v)) for n, v in
             re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)]
    op = re.search(r'name="op" value="(preview:\d+)"', form)
    assert op is not None
    return [*pairs, ("op", op.group(1))]


def _beside(html: str, path: str) -> str:
    block = re.search(rf'data-path="{re.escape(path)}">(.*?)</div>', html, re.S)
    assert block is not None, path
    return unescape(re.sub(r"<[^>]+>", " ", block.group(1)))


def test_a_procedure_from_a_template_shows_its_findings_beside_their_fields_and_is_fixed(
        console_app):
    app = console_app
    csrf = app.login("med-lille")
    listing = app.client.get("/console/procedures")
    assert "Créer depuis le modèle" in listing.text
    page = app.client.post("/console/procedures/from-template", follow_redirects=True, data={
        "csrf": csrf, "template": "formulaire-simple", "new_id": "lille-inscription"})
    assert page.url.path == "/console/procedures/lille-inscription/edit"
    assert "3 problème(s) à corriger" in page.text
    assert "absent de la fiche persona" in _beside(page.text, "pages.1.fields.0.persona")
    assert "n'est pas sur la page" in _beside(page.text, "pages.1.hints.0.field")
    assert "n'existe pas" in _beside(page.text, "pages.1.next")
    assert "id: lille-inscription" not in page.text  # forms, not the file

    fixed = {"pages.1.fields.0.persona": "email", "pages.1.hints.0.field": "email",
             "pages.1.next": "fin"}
    posted = [(name, fixed.get(name, value)) for name, value in _form_of(page.text)]
    checked = _post(app, INSCRIPTION,
                    pairs=[("csrf", csrf), ("op", "check"), *posted])
    assert checked.status_code == 200 and "Aucun problème bloquant." in checked.text
    saved = _post(app, INSCRIPTION, follow=True,
                  pairs=[("csrf", csrf), ("op", "save"), *posted])
    assert "Aucun problème bloquant." in saved.text
    with app.engine.connect() as conn:
        row = conn.execute(sa.select(t.procedure_versions.c.yaml, t.procedure_versions.c.errors)
                           .where(t.procedure_versions.c.procedure_id == "lille-inscription",
                                  t.procedure_versions.c.version == 2)).one()
    assert row.errors == 0
    assert row.yaml.startswith("# Modèle « formulaire en ligne simple »")  # comments kept
    assert yaml.safe_load(row.yaml)["pages"][1]["next"] == "fin"


def test_pages_are_added_moved_and_removed_by_buttons_without_saving(console_app):
    app = console_app
    csrf = app.login("med-lille")
    page = app.client.post("/console/procedures/from-template", follow_redirects=True, data={
        "csrf": csrf, "template": "formulaire-simple", "new_id": "lille-pages"})
    form = _form_of(page.text)
    added = _post(app, PAGES,
                pairs=[("csrf", csrf), ("op", "page-add"), *form])
    assert "Page 4 : page4" in added.text and 'id="unsaved"' in added.text
    live = _post(app, PAGES, pairs=[("csrf", csrf), ("op", "preview:3"), *_form_of(added.text)])
    assert "changements non enregistrés" in unescape(live.text) and RIBBON in unescape(live.text)
    assert "<h2 data-kiosk=\"text\">Page 4</h2>" in live.text
    # Its language buttons post the same unsaved form again: the page in English, then Arabic.
    again = _resent(live.text)
    english = _post(app, PAGES + "?langue=en", pairs=again)
    assert RIBBON not in unescape(english.text)
    assert WORDS["en"][RIBBON] in unescape(english.text) and "changements non enregistrés" in \
        unescape(english.text) and "<h2 data-kiosk=\"text\">Page 4</h2>" in english.text
    arabic = _post(app, PAGES + "?langue=ar", pairs=_resent(english.text))
    assert 'lang="ar" dir="rtl"' in arabic.text and WORDS["ar"][RIBBON] in unescape(arabic.text)
    moved = _post(app, PAGES,
                pairs=[("csrf", csrf), ("op", "page-up:3"), *_form_of(added.text)])
    assert moved.text.index("Page 3 : page4") < moved.text.index("Page 4 : fin")
    removed = _post(app, PAGES,
                pairs=[("csrf", csrf), ("op", "page-remove:2"),
                                    *_form_of(moved.text)])
    assert "page4" not in removed.text and "Page 3 : fin" in removed.text
    with app.engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(t.procedure_versions)
                             .where(t.procedure_versions.c.procedure_id == "lille-pages")
                             ).scalar()
    assert count == 1  # nothing saved until « Enregistrer »
    bad = _post(app, PAGES,
                pairs=[("csrf", csrf), ("op", "check"), *form,
                                ("duration_min#int", "dix")])
    assert bad.status_code == 400 and "n'est pas un nombre" in unescape(bad.text)
    assert 'value="dix"' in bad.text  # what was typed is still there


def test_each_page_is_previewed_with_the_kiosks_texts_and_ribbon(console_app):
    app = console_app
    csrf = app.login("med-lille")
    app.client.post("/console/procedures/copy", data={
        "csrf": csrf, "source": "mairie-liste-electorale", "new_id": "lille-listes"})
    preview = app.client.get("/console/procedures/lille-listes/1/preview/3")
    assert preview.status_code == 200
    text = unescape(preview.text)
    assert RIBBON in text
    order = [text.index(s) for s in (
        "Votre identité", "Tous les champs sont obligatoires.", "Nom de naissance", "Prénoms",
        "Date de naissance (JJ/MM/AAAA)", "Commune de naissance", "Continuer")]
    assert order == sorted(order)
    last = unescape(app.client.get("/console/procedures/lille-listes/1/preview/7").text)
    assert "Terminer l'exercice et voir mon bilan" in last
    assert app.client.get("/console/procedures/lille-listes/1/preview/8").status_code != 200


def test_a_case_and_its_indice_are_removed_and_a_persona_value_added_by_buttons(console_app):
    app = console_app
    csrf = app.login("med-lille")
    page = app.client.post("/console/procedures/from-template", follow_redirects=True, data={
        "csrf": csrf, "template": "formulaire-simple", "new_id": "lille-items"})
    assert "Retirer : Case 1" in unescape(page.text)
    removed = _post(app, ITEMS, pairs=[("csrf", csrf), ("op", "remove:pages.1.fields.0"),
                                       *_form_of(page.text)])
    assert 'data-path="pages.1.fields.0.id"' not in removed.text
    assert 'name="pages.1.fields#list"' in removed.text  # the page keeps an empty list
    added = _post(app, ITEMS, pairs=[("csrf", csrf), ("op", "value-add"),
                                     *_form_of(removed.text)])
    assert 'data-path="persona.values.1.key"' in added.text
    refused = _post(app, ITEMS, pairs=[("csrf", csrf), ("op", "remove:pages.1.title"),
                                       *_form_of(page.text)])
    assert refused.status_code == 400 and "Élément introuvable." in unescape(refused.text)


def test_shipped_procedures_come_back_the_same_through_the_web_form(console_app):
    """Rendered as the editor's HTML, posted back as a browser would, saved: same procedure."""
    app = console_app
    csrf = app.login("med-lille")
    for source in ("mairie-liste-electorale", "aide-juridictionnelle-demande"):
        new_id = f"web-{source}"[:60]
        app.client.post("/console/procedures/copy", data={
            "csrf": csrf, "source": source, "new_id": new_id})
        html = app.client.get(f"/console/procedures/{new_id}/edit").text
        _post(app, f"/console/procedures/{new_id}/edit", follow=True,
              pairs=[("csrf", csrf), ("op", "save"), *_form_of(html)])
        with app.engine.connect() as conn:
            texts = dict(conn.execute(sa.select(t.procedure_versions.c.version,
                                                t.procedure_versions.c.yaml)
                                      .where(t.procedure_versions.c.procedure_id == new_id)
                                      ).all())
        assert set(texts) == {1, 2}, source
        assert yaml.safe_load(texts[2]) == yaml.safe_load(texts[1]), source


def test_removing_a_page_leads_the_pages_that_led_to_it_to_the_page_after(console_app):
    app = console_app
    csrf = app.login("med-lille")
    page = app.client.post("/console/procedures/copy", follow_redirects=True, data={
        "csrf": csrf, "source": "mairie-rendez-vous", "new_id": "lille-sans-creneau"})
    editor = app.client.get("/console/procedures/lille-sans-creneau/edit")
    assert dict(_form_of(editor.text))["pages.0.next"] == "creneau"
    removed = _post(app, "/console/procedures/lille-sans-creneau/edit",
                    pairs=[("csrf", csrf), ("op", "page-remove:1"), *_form_of(editor.text)])
    assert "Elle était la suite de la page 1, qui mène maintenant à la page « coordonnees »." \
        in unescape(removed.text)
    assert dict(_form_of(removed.text))["pages.0.next"] == "coordonnees"
    assert "Aucun problème bloquant." in removed.text
    assert page.status_code == 200


def test_the_preview_page_switches_language(console_app):
    app = console_app
    csrf = app.login("med-lille")
    app.client.post("/console/procedures/copy", data={
        "csrf": csrf, "source": "mairie-rendez-vous", "new_id": "lille-langues"})
    french = app.client.get("/console/procedures/lille-langues/1/preview/1").text
    assert 'href="?langue=ar"' in french and RIBBON.replace("'", "&#39;") in french
    arabic = app.client.get("/console/procedures/lille-langues/1/preview/1?langue=ar").text
    assert 'lang="ar" dir="rtl"' in arabic and WORDS["ar"][RIBBON] in arabic
    assert "?langue=ar\">Page suivante" in arabic


def test_the_editors_script_gets_the_findings_by_field_as_json_only_with_the_forms_csrf(
        console_app):
    app = console_app
    csrf = app.login("med-lille")
    page = app.client.post("/console/procedures/from-template", follow_redirects=True, data={
        "csrf": csrf, "template": "formulaire-simple", "new_id": "lille-json"})
    form = [(n, "" if n == "title.fr" else v) for n, v in _form_of(page.text) if n != "csrf"]
    url = "/console/procedures/lille-json/edit"
    as_json = {"accept": "application/json",
               "content-type": "application/x-www-form-urlencoded"}
    answer = app.client.post(url, headers=as_json,
                             content=urlencode([("csrf", csrf), ("op", "check"), *form]))
    assert answer.status_code == 200
    found = answer.json()
    assert "vide" in found["beside"]["title.fr"][0]["message"] and found["errors"] >= 1
    refused = app.client.post(url, headers=as_json,
                              content=urlencode([("csrf", "x"), ("op", "check"), *form]))
    assert refused.status_code == 403 and refused.json()["error"] == "csrf"
    with app.engine.connect() as conn:  # nothing saved
        assert conn.execute(sa.select(sa.func.count()).select_from(t.procedure_versions)
                            .where(t.procedure_versions.c.procedure_id == "lille-json")
                            ).scalar() == 1
