"""The official sites of the kiosks' browser in the console (issue #12): the sites a session
used are stored, counted per site and exported ("Sites officiels les plus ouverts"), and the
live view says which official site a kiosk shows (its name, never an address)."""
from __future__ import annotations

import csv
import datetime as dt
import io
import re
from html import unescape

import openpyxl
import sqlalchemy as sa
from server.helpers import record

from console.conftest import InProcess
from kiosk_server import live, retention
from kiosk_server import tables as t
from kiosk_server.ingest import ingest
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import Heartbeat, KioskState, SessionRecord


def _lille_kiosk(app: InProcess, name: str = "borne-1") -> KioskIdentity:
    seed = app.seed
    return KioskIdentity(seed.kiosks[("FS Lille", name)][0], seed.sites["FS Lille"],
                         seed.territories["Nord"], name)


def _browsed(app: InProcess, day: dt.date, uses: list[list[tuple[str, int]]]) -> list[str]:
    """One session per item, each with its official sites; returns their event ids."""
    records = [SessionRecord.model_validate(record(
        day=day, official_sites=[{"site": s, "minutes": m} for s, m in sites]))
        for sites in uses]
    ingest(app.engine, _lille_kiosk(app), records)
    ingest(app.engine, _lille_kiosk(app), records)  # sent again: counted once
    return [str(r.event_id) for r in records]


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", unescape(html)))


def test_sites_opened_are_counted_per_site_shown_and_exported_small_counts_masked(
        console_app: InProcess):
    app, seed = console_app, console_app.seed
    month = dt.date(2020, 1, 1)  # a month of its own: the seed's sessions are recent
    _browsed(app, month.replace(day=6),
             [[("caf", 2), ("ameli", 3)]] * 6 + [[("caf", 2)]] * 6 + [[("local", 5)]] * 4
             + [[("impots", 1)]] * 3)
    app.login("resp-lille")
    lille = seed.sites["FS Lille"]
    # A day range reads its whole months (the atoms are site x month).
    query = f"periode=perso&debut={month}&fin={month.replace(day=6)}&site={lille}"

    page = _text(app.client.get(f"/console/stats/synthese?{query}").text)
    table = page[page.index("Sites officiels les plus ouverts"):]
    assert table.index("CAF 12 24 2") < table.index("ameli (Assurance Maladie) 6 18 3")
    # 4 and 3 sessions are small counts: summed in one line, their sites and minutes unsaid
    assert "Masqué (petits effectifs et compléments) 7 — —" in table
    assert "Sites ajoutés par le lieu" not in table and "Impôts" not in table.split("Langues")[0]

    rows = list(csv.reader(io.StringIO(app.client.get(f"/console/export.csv?{query}").text,
                                       newline=""), delimiter=";"))
    ours = [r[1:4] for r in rows if r and r[0] == "Sites officiels les plus ouverts"]
    assert ours == [["Site officiel", "Sessions", "Minutes"], ["CAF", "12", "24"],
                    ["ameli (Assurance Maladie)", "6", "18"],
                    ["Masqué (petits effectifs et compléments)", "7", "—"]]

    book = openpyxl.load_workbook(io.BytesIO(app.client.get(f"/console/export.xlsx?{query}")
                                             .content))
    sheet = book["Sites officiels ouverts"]
    assert [[c.value for c in row][:3] for row in sheet.iter_rows(min_row=2, max_row=4)] == [
        ["CAF", 12, 24], ["ameli (Assurance Maladie)", 6, 18],
        ["Masqué (petits effectifs et compléments)", 7, "—"]]

    # One kiosk: not published (site − kiosk would give the hidden counts back).
    kiosk = seed.kiosks[("FS Lille", "borne-1")][0]
    one = _text(app.client.get(f"/console/stats/synthese?periode=perso&debut={month}"
                               f"&fin={month.replace(day=31)}&lieu=k:{kiosk}").text)
    shown = one[one.index("Sites officiels les plus ouverts"):one.index("Langues utilisées")]
    assert "Aucune donnée" in shown and "CAF" not in shown


def test_a_session_without_the_browser_counts_for_no_site_and_retention_purges_the_uses(
        console_app: InProcess):
    app = console_app
    # Within the retention period (the server's own purge runs in the background: an older
    # session could be gone before it is looked at), before the seed's 80 days.
    old = app.seed.today - dt.timedelta(days=200)
    ids = _browsed(app, old, [[("impots", 4)], []])
    # (The seed's own recent sessions opened sites too: only this test's two are looked at.)
    these = t.site_uses.c.event_id.in_(ids)
    with app.engine.connect() as conn:
        stored = conn.execute(sa.select(t.site_uses.c.event_id, t.site_uses.c.site)
                              .where(these)).all()
    assert stored == [(ids[0], "impots")]
    retention.purge(app.engine, months=6)
    with app.engine.connect() as conn:
        assert conn.execute(sa.select(sa.func.count()).select_from(t.site_uses)
                            .where(these)).scalar_one() == 0
        kept = conn.execute(sa.select(sa.func.sum(t.agg_official_sites.c.sessions))
                            .where(t.agg_official_sites.c.grain == "D",
                                   t.agg_official_sites.c.period == old)).scalar_one()
    assert kept == 1  # the figures stay, the raw uses go with their records


def _card(html: str, kiosk_id: int) -> str:
    start = html.index(f'data-kiosk="{kiosk_id}"')
    return _text(html[start - 200:html.index("</li>", start)])


def test_the_live_view_says_which_official_site_a_kiosk_shows(console_app: InProcess):
    app = console_app
    browsing, other = _lille_kiosk(app, "borne-1"), _lille_kiosk(app, "borne-2")
    with app.engine.begin() as conn:
        live.record_heartbeat(conn, browsing, Heartbeat(
            state=KioskState.ACTIVE, app_version="0.2.0", session_seconds=60,
            official_site="caf"))
        live.record_heartbeat(conn, other, Heartbeat(state=KioskState.ACTIVE,
                                                     app_version="0.2.0", session_seconds=60))
    app.login("med-lille")
    html = app.client.get(f"/console/live/{browsing.site_id}").text
    assert "Sur un site officiel : CAF · caf.fr" in _card(html, browsing.kiosk_id)
    assert "site officiel" not in _card(html, other.kiosk_id)
    assert "https://" not in _card(html, browsing.kiosk_id)

    with app.engine.begin() as conn:  # the session ended: nothing left of the browsing
        live.record_heartbeat(conn, browsing, Heartbeat(state=KioskState.IDLE,
                                                        app_version="0.2.0"))
    html = app.client.get(f"/console/live/{browsing.site_id}").text
    assert "site officiel" not in _card(html, browsing.kiosk_id)


def test_a_periods_official_sites_are_the_sum_of_its_months_protected_one_by_one(
        console_app: InProcess):
    """The console keeps each month's protected sums (site_months.each_month): a quarter read
    month by month publishes exactly what protecting its atoms all at once does."""
    from kiosk_server.console import site_months
    from kiosk_server.official_site_figures import MonthSums, month_sums, official_sites, published
    from kiosk_server.queries import Period, Scope

    app = console_app
    for day, n in ((dt.date(2020, 1, 6), 3), (dt.date(2020, 2, 9), 9), (dt.date(2020, 3, 2), 4)):
        _browsed(app, day, [[("caf", 2), ("impots", 1)]] * n + [[("ameli", 4)]] * (12 - n))
    quarter = Period(dt.date(2020, 1, 1), dt.date(2020, 3, 31))
    with app.engine.connect() as conn:
        for scope in (Scope(), Scope(territory_id=app.seed.territories["Nord"])):
            whole = official_sites(conn, scope, quarter, 5)
            sums = MonthSums()
            for _month, part in site_months.each_month(
                    conn, ("test", scope.territory_id), quarter,
                    lambda m, scope=scope: month_sums(conn, scope, m, m, 5)):
                sums.add(part)
            assert whole is not None and whole.masked > 0  # something was hidden
            assert published(sums) == whole
