"""Dashboards filtered by kiosk, comfort options one by one, autonomy per procedure: on the
pages, in the CSV and XLSX exports, from figures the tests compute from what they ingested;
a kiosk outside the user's scope is refused whatever the URL (SQLite and PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import html
import io
import re
import uuid

import openpyxl

from console.conftest import InProcess
from kiosk_server.ingest import ingest
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import SessionRecord

KPI = re.compile(r'data-kpi="([^"]+)"><span class="value">([^<]+)</span>')


def kpis(html: str) -> dict[str, int]:
    return {k: int(v.replace("\u202f", "").replace(" ", "")) for k, v in KPI.findall(html)}


def table_rows(html: str, key: str) -> dict[str, list[str]]:
    """The rows of the figure's table: label -> its cells as shown."""
    body = re.search(rf'<table class="data" id="table-{key}">.*?<tbody>(.*?)</tbody>', html,
                     re.DOTALL)
    assert body, f"no table {key}"
    out = {}
    for row in re.findall(r"<tr>(.*?)</tr>", body.group(1), re.DOTALL):
        label = re.search(r'<th scope="row">(.*?)</th>', row).group(1)
        out[label] = [c.replace("\u202f", "").replace("&lt;", "<")
                      for c in re.findall(r"<td[^>]*>(.*?)</td>", row)]
    return out


def this_month(seed) -> str:
    return f"periode=perso&debut={seed.today.replace(day=1)}&fin={seed.today}"


def test_the_kiosk_filter_shows_one_kiosks_figures(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-nord")
    start = seed.today - dt.timedelta(days=60)
    period = f"periode=perso&debut={start}&fin={seed.today}"
    for name in ("borne-1", "borne-2"):
        kiosk_id = seed.kiosks[("FS Lille", name)][0]
        page = console_app.client.get(f"/console/stats/synthese?{period}&lieu=k:{kiosk_id}")
        assert page.status_code == 200, page.text
        mine = [r for r in seed.kiosk_records[("FS Lille", name)]
                if start <= dt.date.fromisoformat(r["day"]) <= seed.today]
        figures = kpis(page.text)
        assert figures["Sessions"] == len(mine)
        assert figures["Appels à un médiateur"] == sum(r["help_requests"] for r in mine)
        assert figures["Démarches terminées"] == sum(
            a["completed"] for r in mine for a in r["activities"] if a["kind"] == "practice")
        assert f"Borne {name} · FS Lille (Nord)" in page.text
        assert f'<option value="k:{kiosk_id}" selected>' in page.text
    whole = console_app.client.get(f"/console/stats/synthese?{period}"
                                   f"&lieu=s:{seed.sites['FS Lille']}")
    assert kpis(whole.text)["Sessions"] == len(seed.sessions(["FS Lille"], start, seed.today))


def test_the_filter_offers_the_kiosks_of_the_site_in_view_only_within_scope(
        console_app: InProcess):
    seed = console_app.seed

    def offered(path: str) -> set[int]:
        return set(map(int, re.findall(r'<option value="k:(\d+)"',
                                       console_app.client.get(path).text)))

    lille = {seed.kiosks[("FS Lille", "borne-1")][0], seed.kiosks[("FS Lille", "borne-2")][0]}
    console_app.login("resp-lille")  # one site: its kiosks at once
    assert offered("/console/stats/synthese") == lille
    console_app.client.cookies.clear()
    console_app.login("resp-nord")  # a territory: a site's kiosks once that site is shown
    page = console_app.client.get("/console/stats/synthese").text
    assert offered("/console/stats/synthese") == set()
    assert "choisissez d'abord son site" in page
    assert offered(f"/console/stats/synthese?site={seed.sites['FS Lille']}") == lille
    roubaix = seed.kiosks[("FS Roubaix", "borne-1")][0]
    assert offered(f"/console/stats/synthese?borne={roubaix}") == {roubaix}
    rennes = seed.sites["FS Rennes"]
    assert console_app.client.get(f"/console/stats/synthese?site={rennes}").status_code == 403


def test_a_kiosk_outside_the_users_scope_is_refused_by_url(console_app: InProcess):
    seed = console_app.seed
    client = console_app.client
    rennes_kiosk = seed.kiosks[("FS Rennes", "borne-1")][0]
    roubaix_kiosk = seed.kiosks[("FS Roubaix", "borne-1")][0]
    lille_kiosk = seed.kiosks[("FS Lille", "borne-1")][0]
    console_app.login("resp-nord")
    for query in (f"borne={rennes_kiosk}", f"lieu=k:{rennes_kiosk}", "borne=99999",
                  f"site={seed.sites['FS Lille']}&borne={roubaix_kiosk}",  # not that site's
                  "borne=abc"):
        for path in ("/console/stats/synthese", "/console/stats/demarches",
                     "/console/export.csv", "/console/export.xlsx", "/console/summary"):
            answer = client.get(f"{path}?{query}")
            assert answer.status_code == 403, (path, query)
            assert "FS Rennes" not in answer.text
    assert client.get(f"/console/export.csv?borne={roubaix_kiosk}").status_code == 200
    summary = client.get(f"/console/summary?borne={roubaix_kiosk}")
    assert summary.status_code == 200 and "Borne borne-1 · FS Roubaix (Nord)" in summary.text
    client.cookies.clear()
    console_app.login("resp-lille")  # a site manager: their site's kiosks only
    assert client.get(f"/console/stats/synthese?borne={roubaix_kiosk}").status_code == 403
    assert client.get(f"/console/export.xlsx?borne={roubaix_kiosk}").status_code == 403
    assert client.get(f"/console/stats/synthese?borne={lille_kiosk}").status_code == 200
    client.cookies.clear()
    console_app.login("med-lille")  # a mediator: no dashboards, even of their own kiosk
    assert client.get(f"/console/stats/synthese?borne={lille_kiosk}").status_code == 403
    assert client.get(f"/console/export.csv?borne={lille_kiosk}").status_code == 403


def practice(procedure: str, autonomy: str | None) -> dict:
    activity = {"kind": "practice", "procedure_id": procedure, "theme": "social_sante",
                "steps_total": 4, "steps_reached": 4, "completed": True}
    if autonomy:
        activity["autonomy"] = autonomy
    return activity


def session(day: dt.date, options: list[str], activities: list[dict]) -> SessionRecord:
    return SessionRecord.model_validate({
        "event_id": str(uuid.uuid4()), "day": str(day), "hour": 10, "duration_min": 20,
        "language": "fr", "accessibility": options, "end_reason": "finished",
        "activities": activities})


def test_comfort_options_and_autonomy_per_procedure_on_the_page_and_in_exports(
        console_app: InProcess):
    """A fresh site's kiosk: 3 sessions with large text + read aloud, 2 with high contrast,
    1 with none; autonomy on caf-trimestrielle: 8 autonomous, 6 partly, 2 guided (small: masked, and
    partly with it, as the total is shown)."""
    seed = console_app.seed
    from kiosk_server import tenancy

    with console_app.engine.begin() as conn:
        site = tenancy.create_site(conn, seed.territories["Nord"], "EPN Tourcoing")
        kiosk_id, _token = tenancy.create_kiosk(conn, site, "borne-1")
    who = KioskIdentity(kiosk_id, site, seed.territories["Nord"], "borne-1")
    day = seed.today
    levels = ["autonomous"] * 8 + ["partly_autonomous"] * 6 + ["guided"] * 2
    options = ([["large_text", "read_aloud"]] * 3 + [["high_contrast"]] * 2 + [[]] * 11)
    ingest(console_app.engine, who, [session(day, o, [practice("caf-trimestrielle", level)])
                                     for o, level in zip(options, levels, strict=True)])
    console_app.login("resp-nord")
    query = f"{this_month(seed)}&lieu=k:{kiosk_id}"

    synthese = console_app.client.get(f"/console/stats/synthese?{query}").text
    comfort = table_rows(synthese, "confort")
    assert {k: v[0] for k, v in comfort.items()} == {
        "Grands caractères": "3", "Contraste renforcé": "2", "Lecture à voix haute": "3",
        "Au moins une option": "5", "Aucune option": "11"}
    # Autonomy levels are published per site at finest (site - kiosk would undo masking).
    assert 'id="table-autonomie"' not in console_app.client.get(
        f"/console/stats/demarches?{query}").text
    site_query = f"{this_month(seed)}&lieu=s:{site}"
    demarches = console_app.client.get(f"/console/stats/demarches?{site_query}").text
    autonomy = table_rows(demarches, "autonomie")
    title = html.unescape(next(iter(autonomy)))  # as the page shows it: escaped HTML
    row = autonomy[next(iter(autonomy))]
    # guided (2) is small; partly (6) or autonomous (8), in the server's secret order, is hidden
    # with it (16 - 6 - 8 would give it away); the other is shown; "Masqué" sums the hidden.
    assert row[:2] == ["16", "masqué"] and row[4] == "0" and row[6] == "—"
    assert sorted(row[2:4]) in (["6", "masqué"], ["8", "masqué"])
    hidden = 6 if row[2] == "masqué" else 8
    assert row[5] == str(2 + hidden)
    assert "Avec guidage" in demarches and "Autonome avec guidage en cas de besoin" in demarches
    chart = re.search(r'id="figure-autonomie".*?</svg>', demarches, re.DOTALL).group(0)
    assert 'role="img"' in chart and "Autonome" in chart

    csv_lines = console_app.client.get(f"/console/export.csv?{site_query}").content.decode(
        "utf-8-sig").splitlines()
    assert ("Autonomie par démarche;Démarche;Tentatives;Avec guidage;"
            "Autonome avec guidage en cas de besoin;Autonome;Non évaluée;Masqué;"
            "Part « Autonome »") in csv_lines
    assert f"Autonomie par démarche;{title};{';'.join(row)}" in csv_lines
    assert "Options de confort;Lecture à voix haute;3" in csv_lines
    assert "Options de confort;Au moins une option;5" in csv_lines

    site_book = openpyxl.load_workbook(io.BytesIO(
        console_app.client.get(f"/console/export.xlsx?{site_query}").content), read_only=True)
    sheet = [row for row in site_book["Autonomie par démarche"].iter_rows(values_only=True)]
    assert sheet[0][:7] == ("Démarche", "Tentatives", "Avec guidage",
                            "Autonome avec guidage en cas de besoin", "Autonome", "Non évaluée",
                            "Masqué")
    assert sheet[1][:7] == (title, *[c if c == "masqué" else int(c) for c in row[:6]])
    book = openpyxl.load_workbook(io.BytesIO(
        console_app.client.get(f"/console/export.xlsx?{query}").content), read_only=True)
    comfort_sheet = {row[0]: row[1] for row in
                     book["Options de confort"].iter_rows(values_only=True) if row[0]}
    assert comfort_sheet["Contraste renforcé"] == 2
    totals = {row[0]: row[1] for row in book["Totaux"].iter_rows(values_only=True) if row[0]}
    assert totals["Lieu"] == "Borne borne-1 · EPN Tourcoing (Nord)"
    assert totals["Sessions"] == 16


def test_a_sites_page_puts_its_kiosks_side_by_side(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-lille")
    start = seed.today - dt.timedelta(days=30)
    query = f"periode=perso&debut={start}&fin={seed.today}&site={seed.sites['FS Lille']}"
    page = console_app.client.get(f"/console/stats/synthese?{query}").text
    rows = table_rows(page, "bornes")
    for name in ("borne-1", "borne-2"):
        mine = [r for r in seed.kiosk_records[("FS Lille", name)]
                if start <= dt.date.fromisoformat(r["day"]) <= seed.today]
        assert rows[name][0] == str(len(mine))
        assert rows[name][2] == str(sum(r["help_requests"] for r in mine))
    lines = console_app.client.get(f"/console/export.csv?{query}").content.decode(
        "utf-8-sig").splitlines()
    assert any(line.startswith(f"Sessions par borne;borne-1;{rows['borne-1'][0]};")
               for line in lines)
    one_kiosk = console_app.client.get(
        f"/console/stats/synthese?{query}&borne={seed.kiosks[('FS Lille', 'borne-1')][0]}").text
    assert 'id="table-bornes"' not in one_kiosk
