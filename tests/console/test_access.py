"""Accounts and scope, in process (the real app and database, no browser): log in, lockout,
logout, CSRF, and the scope check on every route, with pages and exports outside the scope
refused whatever the menus show."""
from __future__ import annotations

import re
from html import unescape

from console.conftest import InProcess
from kiosk_server.console import auth


def test_login_with_the_right_password_opens_the_users_home_page(console_app: InProcess):
    console_app.login("med-lille")
    home = console_app.client.get("/console", follow_redirects=False)
    assert home.headers["location"] == f"/console/live/{console_app.seed.sites['FS Lille']}"
    assert "set-cookie" not in home.headers  # the front door does not touch the session


def test_session_cookie_is_http_only_and_same_site_strict(console_app: InProcess):
    form = console_app.client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    answer = console_app.client.post("/console/login", follow_redirects=False, data={
        "username": "admin", "password": "motdepasse-solide-1", "csrf": token})
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "Secure" not in cookie  # plain HTTP here; set when the request came over HTTPS


def test_wrong_password_is_refused_in_french_and_five_failures_lock_the_account(
        console_app: InProcess):
    client = console_app.client
    for _ in range(auth.LOCK_AFTER):
        form = client.get("/console/login")
        token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
        answer = client.post("/console/login", data={"username": "resp-nord",
                                                     "password": "pas le bon", "csrf": token})
        assert answer.status_code == 401
    assert "Identifiant ou mot de passe incorrect" in answer.text or "bloqué" in answer.text
    form = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    locked = client.post("/console/login", data={"username": "resp-nord",
                                                 "password": "motdepasse-solide-1",
                                                 "csrf": token})
    assert locked.status_code == 401 and "bloqué pendant 15 minutes" in locked.text
    assert "Traceback" not in locked.text


def test_many_logins_from_one_address_are_slowed_down(console_app: InProcess):
    from kiosk_server.ratelimit import RateLimiter

    client = console_app.client
    # The same limit with a stopped clock: no token comes back while the test runs.
    client.app.state.console.login_limiter = RateLimiter(20, burst=10, clock=lambda: 0.0)
    form = client.get("/console/login")
    token = re.search(r'name="csrf" value="([^"]+)"', form.text).group(1)
    codes = []
    for i in range(12):  # a different user name each time: the per-name lockout never trips
        codes.append(client.post("/console/login", data={
            "username": f"inconnu-{i}", "password": "pas le bon", "csrf": token}).status_code)
    assert codes == [401] * 10 + [429] * 2
    refused = client.post("/console/login", data={
        "username": "admin", "password": "motdepasse-solide-1", "csrf": token})
    assert refused.status_code == 429 and "patientez une minute" in refused.text


def test_login_without_the_forms_csrf_token_is_refused(console_app: InProcess):
    answer = console_app.client.post("/console/login", data={
        "username": "admin", "password": "motdepasse-solide-1"}, follow_redirects=False)
    assert answer.status_code == 403 and "Formulaire refusé" in answer.text


def test_logout_ends_the_session(console_app: InProcess):
    csrf = console_app.login("admin")
    out = console_app.client.post("/console/logout", data={"csrf": csrf}, follow_redirects=False)
    assert out.status_code == 303
    again = console_app.client.get("/console/stats/synthese", follow_redirects=False,
                                   headers={"Accept": "text/html"})
    assert again.status_code == 303 and again.headers["location"].startswith("/console/login")


def test_pages_need_a_session(console_app: InProcess):
    for path in ("/console/stats/synthese", "/console/admin", "/console/export.xlsx",
                 f"/console/live/{console_app.seed.sites['FS Lille']}"):
        answer = console_app.client.get(path, follow_redirects=False,
                                        headers={"Accept": "text/html"})
        assert answer.status_code == 303, path
        assert console_app.client.get(path, follow_redirects=False).status_code == 401, path


def test_posts_without_csrf_token_are_refused_and_change_nothing(console_app: InProcess):
    from kiosk_server import live

    console_app.login("med-lille")
    site = console_app.seed.sites["FS Lille"]
    kiosk_id = console_app.seed.kiosks[("FS Lille", "borne-1")][0]
    url = f"/console/live/{site}/kiosks/{kiosk_id}/command"
    refused = console_app.client.post(url, data={"kind": "out_of_order"})
    assert refused.status_code == 403
    forged = console_app.client.post(url, data={"kind": "out_of_order", "csrf": "forged"})
    assert forged.status_code == 403
    accented = console_app.client.post(url, data={"kind": "out_of_order", "csrf": "périmé"})
    assert accented.status_code == 403 and "Formulaire refusé" in unescape(accented.text)
    with console_app.engine.connect() as conn:
        assert live.commands_of(conn, kiosk_id) == []


def test_mediator_sees_only_their_site_whatever_the_url(console_app: InProcess):
    seed = console_app.seed
    csrf = console_app.login("med-lille")
    client = console_app.client
    assert client.get(f"/console/live/{seed.sites['FS Lille']}").status_code == 200
    for path in (f"/console/live/{seed.sites['FS Rennes']}",
                 f"/console/live/{seed.sites['FS Rennes']}/events",
                 f"/console/live/{seed.sites['FS Roubaix']}", "/console/live/99999",
                 "/console/stats/synthese", "/console/export.csv", "/console/admin",
                 f"/console/admin/kiosks/{seed.kiosks[('FS Lille', 'borne-1')][0]}"):
        answer = client.get(path)
        assert answer.status_code == 403, path
        assert "Accès refusé" in answer.text
    rennes_kiosk = seed.kiosks[("FS Rennes", "borne-1")][0]
    # A command to another site's kiosk, through their own site's URL or the other's.
    for site in ("FS Lille", "FS Rennes"):
        answer = client.post(f"/console/live/{seed.sites[site]}/kiosks/{rennes_kiosk}/command",
                             data={"kind": "end_session", "csrf": csrf})
        assert answer.status_code == 403


def test_manager_cannot_see_or_export_another_territory(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-nord")
    client = console_app.client
    bretagne, rennes = seed.territories["Bretagne"], seed.sites["FS Rennes"]
    for path in (f"/console/export.xlsx?territoire={bretagne}",
                 f"/console/export.csv?site={rennes}", f"/console/summary?site={rennes}",
                 f"/console/stats/synthese?lieu=t:{bretagne}", f"/console/live/{rennes}",
                 "/console/admin"):
        assert client.get(path).status_code == 403, path
    own = client.get(f"/console/export.csv?territoire={seed.territories['Nord']}")
    assert own.status_code == 200
    site_manager = InProcess(client, console_app.engine, seed)
    client.cookies.clear()
    site_manager.login("resp-lille")
    assert client.get(f"/console/export.csv?territoire={seed.territories['Nord']}"
                      ).status_code == 403  # a site manager does not see the whole territory
    assert client.get(f"/console/export.csv?site={seed.sites['FS Roubaix']}").status_code == 403
    assert client.get(f"/console/export.csv?site={seed.sites['FS Lille']}").status_code == 200


def test_csv_export_has_coop_labels_and_the_seeds_total(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-nord")
    lille = seed.sites["FS Lille"]
    start, end = seed.today.replace(day=1), seed.today
    answer = console_app.client.get(
        f"/console/export.csv?site={lille}&periode=perso&debut={start}&fin={end}")
    text = answer.content.decode("utf-8-sig")
    assert answer.headers["content-disposition"].startswith("attachment;")
    lines = [line.split(";") for line in text.splitlines()]
    expected = len(seed.sessions(["FS Lille"], start, end))
    assert ["Totaux", "Sessions", str(expected)] in lines
    durations = [line[1] for line in lines if line[0] == "Durée des sessions"]
    assert durations[1:] == ["Moins de 30 min", "30 min à 1 h", "1 h à 2 h", "2 h et plus"]


def test_survey_counts_below_the_threshold_are_shown_masked(console_app: InProcess):
    console_app.login("admin")
    lille = console_app.seed.sites["FS Lille"]
    page = console_app.client.get(f"/console/stats/questionnaire?site={lille}&periode=12_mois")
    assert page.status_code == 200
    rows = re.findall(r'<th scope="row">([^<]*)</th><td[^>]*>([^<]*)</td>', page.text)
    assert rows, "survey tables are empty"
    for label, cell in rows:  # a count is masked or publishable; the masked sum is a sum
        value = cell.replace("\u202f", "")
        assert value == "masqué" or int(value) >= 5 or label.startswith("Masqué"), cell
    assert "&lt; 5" not in page.text  # a complement may be large: never labelled "< 5"
    assert re.search(r"<th scope=\"row\">70 ans et plus</th><td class=\"num\">masqué</td>",
                     page.text)
    exported = console_app.client.get(f"/console/export.csv?site={lille}&periode=12_mois")
    lines = exported.content.decode("utf-8-sig").splitlines()
    assert "Questionnaire : tranche d'âge;70 ans et plus;masqué" in lines


def test_admin_creates_a_kiosk_whose_token_works_then_revokes_it(console_app: InProcess):
    seed = console_app.seed
    csrf = console_app.login("admin")
    client = console_app.client
    created = client.post("/console/admin/kiosks", data={
        "csrf": csrf, "site": seed.sites["FS Roubaix"], "name": "borne-accueil"})
    assert created.status_code == 200 and "n'est affiché qu'une seule fois" in created.text
    token = re.search(r'<code class="token" id="token">([^<]+)</code>', created.text).group(1)
    beat = {"state": "idle", "app_version": "0.1.0"}
    headers = {"Authorization": f"Bearer {token}"}
    assert client.post("/api/v1/heartbeat", json=beat, headers=headers).status_code == 200
    kiosk_id = int(re.search(r"/console/admin/kiosks/(\d+)", created.text).group(1))
    saved = client.post(f"/console/admin/kiosks/{kiosk_id}/settings", data={
        "csrf": csrf, "idle_timeout_s": "240", "print_quota_pages": "12",
        "banner": "Fermeture à 16 h aujourd'hui", "procedures_mode": "some",
        "procedure": ["caf-trimestrielle", "cv-guide"]}, follow_redirects=False)
    assert saved.status_code == 303
    reply = client.post("/api/v1/heartbeat", json=beat, headers=headers).json()["settings"]
    pushed = {k: v for k, v in reply.items() if v is not None}
    assert pushed == {"idle_timeout_s": 240, "print_quota_pages": 12,
                      "banner": "Fermeture à 16 h aujourd'hui",
                      "enabled_procedures": ["caf-trimestrielle", "cv-guide"]}
    bad = client.post(f"/console/admin/kiosks/{kiosk_id}/settings", data={
        "csrf": csrf, "idle_timeout_s": "3"})
    assert bad.status_code == 400 and "entre 10 et 3600 secondes" in bad.text
    rotated = client.post(f"/console/admin/kiosks/{kiosk_id}/rotate", data={"csrf": csrf})
    assert "L'ancien jeton ne fonctionne plus" in unescape(rotated.text)
    new_token = re.search(r'<code class="token" id="token">([^<]+)</code>', rotated.text).group(1)
    assert new_token != token
    assert client.post("/api/v1/heartbeat", json=beat, headers=headers).status_code == 401
    headers = {"Authorization": f"Bearer {new_token}"}
    assert client.post("/api/v1/heartbeat", json=beat, headers=headers).status_code == 200
    client.post(f"/console/admin/kiosks/{kiosk_id}/revoke", data={"csrf": csrf})
    assert client.post("/api/v1/heartbeat", json=beat, headers=headers).status_code == 401


def test_admin_creates_users_with_scopes_and_refuses_weak_passwords(console_app: InProcess):
    seed = console_app.seed
    csrf = console_app.login("admin")
    client = console_app.client
    weak = client.post("/console/admin/users", data={
        "csrf": csrf, "username": "nouveau", "password": "court", "role": "mediator",
        "place": f"s:{seed.sites['FS Rennes']}"})
    assert weak.status_code == 400 and "au moins 10 caractères" in weak.text
    made = client.post("/console/admin/users", data={
        "csrf": csrf, "username": "nouveau", "password": "un-mot-de-passe-long",
        "role": "mediator", "place": f"s:{seed.sites['FS Rennes']}"}, follow_redirects=False)
    assert made.status_code == 303
    client.cookies.clear()
    InProcess(client, console_app.engine, seed).login("nouveau", "un-mot-de-passe-long")
    assert client.get(f"/console/live/{seed.sites['FS Rennes']}").status_code == 200
    assert client.get(f"/console/live/{seed.sites['FS Lille']}").status_code == 403


def test_every_period_preset_renders(console_app: InProcess):
    from kiosk_server.console.figures import PRESETS

    console_app.login("admin")
    for preset in PRESETS:
        if preset == "perso":
            continue
        page = console_app.client.get(f"/console/stats/synthese?periode={preset}")
        assert page.status_code == 200, preset
        assert f'value="{preset}" selected' in page.text


def test_custom_period_with_bad_dates_is_explained_in_french(console_app: InProcess):
    console_app.login("admin")
    page = console_app.client.get("/console/stats/synthese?periode=perso&debut=2026-10-10"
                                  "&fin=2026-10-01")
    assert page.status_code == 400 and "La fin de la période est avant son début" in page.text


def test_a_page_that_cannot_be_built_gets_a_french_page_and_the_api_keeps_json(
        console_app: InProcess):
    console_app.login("admin")
    # The database disappears under the running app (a dropped table stands for an outage).
    with console_app.engine.begin() as conn:
        conn.exec_driver_sql("ALTER TABLE agg_sessions RENAME TO agg_sessions_gone")
    try:
        page = console_app.client.get("/console/stats/synthese")
        assert page.status_code == 503 and "Réessayez dans un moment" in page.text
        assert "Traceback" not in page.text
        api = console_app.client.post("/api/v1/events", json={"records": []},
                                      headers={"Authorization": "Bearer x"})
        assert api.headers["content-type"].startswith("application/json")
    finally:
        with console_app.engine.begin() as conn:
            conn.exec_driver_sql("ALTER TABLE agg_sessions_gone RENAME TO agg_sessions")


def test_an_unknown_console_address_gets_a_french_page_and_the_api_keeps_its_json(
        console_app: InProcess):
    console_app.login("med-lille")
    browser = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}
    answer = console_app.client.get("/console/cette-page-n-existe-pas", headers=browser)
    assert answer.status_code == 404 and answer.headers["content-type"].startswith("text/html")
    assert "Page introuvable" in unescape(answer.text)
    api = console_app.client.get("/api/v1/n-existe-pas", headers=browser)
    assert api.status_code == 404 and api.json()["error"] == "not_found"
    script = console_app.client.get("/console/cette-page-n-existe-pas",
                                    headers={"accept": "application/json"})
    assert script.status_code == 404 and script.json()["error"] == "not_found"
