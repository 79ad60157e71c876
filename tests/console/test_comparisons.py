"""Comparisons (issue #19): every key figure against the previous period and the same period
last year, in words and with an arrow; a territory's sites side by side; a site against its
territory's median. Expected figures are computed from the generated records (SQLite and
PostgreSQL)."""
from __future__ import annotations

import datetime as dt
import re
import statistics
from html import unescape

from server.helpers import record

from console.conftest import InProcess
from kiosk_server import tenancy
from kiosk_server.console import figures_compare as fc
from kiosk_server.console import figures_overview as fo
from kiosk_server.console import site_months
from kiosk_server.ingest import ingest
from kiosk_server.queries import Period, Scope
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import SessionRecord


def _kpi_block(page: str, label: str) -> str:
    block = re.search(rf'<li class="kpi" data-kpi="{re.escape(label)}">(.*?)</li>', page,
                      re.DOTALL)
    assert block, label
    return unescape(re.sub(r"<[^>]+>", " ", block.group(1)))


def test_previous_and_last_year_periods():
    october = Period(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert fc.previous(october) == Period(dt.date(2026, 9, 1), dt.date(2026, 9, 30))
    assert fc.last_year(october) == Period(dt.date(2025, 10, 1), dt.date(2025, 10, 31))
    quarter = Period(dt.date(2026, 9, 1), dt.date(2026, 11, 30))
    assert fc.previous(quarter) == Period(dt.date(2026, 6, 1), dt.date(2026, 8, 31))
    days = Period(dt.date(2026, 11, 10), dt.date(2026, 11, 19))
    assert fc.previous(days) == Period(dt.date(2026, 10, 31), dt.date(2026, 11, 9))
    leap = Period(dt.date(2028, 2, 1), dt.date(2028, 2, 29))
    assert fc.last_year(leap) == Period(dt.date(2027, 2, 1), dt.date(2027, 2, 28))
    # This month, on the 5th: compared on 5 days, with the first 5 days of the month before.
    now = fc.elapsed(Period(dt.date(2026, 12, 1), dt.date(2026, 12, 31)), dt.date(2026, 12, 5))
    assert fc.previous(now) == Period(dt.date(2026, 11, 1), dt.date(2026, 11, 5))
    assert fc.change(120, 100, "x").words == "en hausse de 20 %"
    assert fc.change(80, 100, "x").arrow == "▼"
    assert fc.change(5, 0, "x").words == "pas de données à comparer"


def test_key_figures_say_their_change_against_the_previous_period(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-nord")
    first = (seed.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    last = seed.today.replace(day=1) - dt.timedelta(days=1)
    before = fc.previous(Period(first, last))
    nord = seed.territory_sites("Nord")
    now_n = len(seed.sessions(nord, first, last))
    before_n = len(seed.sessions(nord, before.start, before.end))
    page = console_app.client.get(f"/console/stats/synthese?periode=mois_precedent"
                                  f"&territoire={seed.territories['Nord']}").text
    block = _kpi_block(page, "Sessions")
    words = fc.change(now_n, before_n, "").words
    assert f"{words} par rapport à la période précédente" in block, block
    assert ("▲" if now_n > before_n else "▼" if now_n < before_n else "=") in block
    assert "pas de données à comparer par rapport à la même période l'an dernier" in block


def test_a_territory_manager_sees_its_sites_side_by_side(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-nord")
    page = console_app.client.get(f"/console/stats/synthese?periode=3_mois"
                                  f"&territoire={seed.territories['Nord']}").text
    table = re.search(r'id="table-sites".*?</table>', page, re.DOTALL).group(0)
    rows = dict(re.findall(r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', table))
    period = Period.last_months(3, seed.today)
    for site in seed.territory_sites("Nord"):
        expected = len(seed.sessions([site], period.start, period.end))
        assert rows[site].replace("\u202f", "") == str(expected)
    assert "FS Rennes" not in table
    assert "Taux de réussite" in table and "%" in table


def _side_by_side(app: InProcess, territory: int) -> dict[str, str]:
    page = app.client.get(f"/console/stats/synthese?periode=3_mois&territoire={territory}").text
    table = re.search(r'id="table-sites".*?</table>', page, re.DOTALL).group(0)
    return {name: n.replace("\u202f", "") for name, n in re.findall(
        r'<th scope="row">([^<]+)</th><td class="num">([^<]+)</td>', table)}


def test_a_late_record_of_a_past_month_shows_in_the_sites_side_by_side(console_app: InProcess):
    """The sites' months are kept between views (console.site_months); a record of last month
    that arrives now (a kiosk back online) must still count at the next view."""
    seed = console_app.seed
    console_app.login("resp-nord")
    nord = seed.territories["Nord"]
    before = _side_by_side(console_app, nord)
    again = _side_by_side(console_app, nord)  # the months kept: same figures
    assert again == before
    lille = seed.sites["FS Lille"]
    site_page = f"/console/stats/synthese?periode=3_mois&site={lille}"
    sessions_before = _kpi_block(console_app.client.get(site_page).text, "Sessions")
    kiosk_id = next(k for (site, _name), (k, _token) in seed.kiosks.items() if site == "FS Lille")
    last_month = seed.today.replace(day=1) - dt.timedelta(days=3)
    ingest(console_app.engine, KioskIdentity(kiosk_id, lille, nord, "borne"),
           [SessionRecord.model_validate(record(day=last_month)) for _ in range(2)])
    after = _side_by_side(console_app, nord)
    assert int(after["FS Lille"]) == int(before["FS Lille"]) + 2
    assert after["FS Roubaix"] == before["FS Roubaix"]
    sessions_after = _kpi_block(console_app.client.get(site_page).text, "Sessions")
    assert _first_number(sessions_after) == _first_number(sessions_before) + 2


def _first_number(text: str) -> int:
    return int(re.search(r"\d[\d\u202f]*", text).group(0).replace("\u202f", ""))


def test_a_site_manager_sees_the_territory_median(console_app: InProcess):
    seed = console_app.seed
    console_app.login("resp-lille")
    two = console_app.client.get(
        f"/console/stats/synthese?periode=3_mois&site={seed.sites['FS Lille']}").text
    # Nord has 2 sites: their median and Lille's figure would give Roubaix's.
    assert 'id="table-mediane"' not in two
    with console_app.engine.begin() as conn:
        tourcoing = tenancy.create_site(conn, seed.territories["Nord"], "FS Tourcoing")
        kiosk_id, _token = tenancy.create_kiosk(conn, tourcoing, "borne-1")
    who = KioskIdentity(kiosk_id, tourcoing, seed.territories["Nord"], "borne-1")
    ingest(console_app.engine, who, [SessionRecord.model_validate(
        record(day=seed.today - dt.timedelta(days=i))) for i in range(7)])
    page = unescape(console_app.client.get(
        f"/console/stats/synthese?periode=3_mois&site={seed.sites['FS Lille']}").text)
    table = re.search(r'id="table-mediane".*?</table>', page, re.DOTALL).group(0)
    period = Period.last_months(3, seed.today)
    counts = [len(seed.sessions([s], period.start, period.end))
              for s in seed.territory_sites("Nord")] + [7]
    mine = len(seed.sessions(["FS Lille"], period.start, period.end))
    row = re.search(r'<th scope="row">Sessions</th>(.*?)</tr>', table).group(1)
    cells = [c.replace("\u202f", "") for c in re.findall(r"<td[^>]*>([^<]*)</td>", row)]
    median = statistics.median(counts)
    assert cells[0] == str(mine)
    assert cells[1] == (str(int(median)) if median == int(median) else str(median))
    assert cells[2].startswith("▲ au-dessus" if mine > median else "▼ en dessous")
    assert "FS Roubaix" not in table and "Tourcoing" not in table  # no other site by name


def test_a_period_is_read_as_its_whole_months_and_its_edge_days():
    parts = fo.period_parts(Scope(), Period(dt.date(2026, 1, 15), dt.date(2026, 4, 10)))
    assert parts == [Period(dt.date(2026, 1, 15), dt.date(2026, 1, 31)),
                     Period(dt.date(2026, 2, 1), dt.date(2026, 3, 31)),
                     Period(dt.date(2026, 4, 1), dt.date(2026, 4, 10))]
    inside = Period(dt.date(2026, 1, 3), dt.date(2026, 1, 20))
    assert fo.period_parts(Scope(), inside) == [inside]
    site = Period(dt.date(2026, 1, 15), dt.date(2026, 4, 10))
    assert fo.period_parts(Scope(site_id=1), site) == [site]  # a site reads its days anyway


def test_key_figures_read_in_parts_are_those_of_the_days(console_app: InProcess, monkeypatch):
    seed = console_app.seed
    period = Period(seed.today - dt.timedelta(days=70), seed.today)  # whole months inside
    assert len(fo.period_parts(Scope(), period)) > 1
    places = {Scope(): list(seed.sites), Scope(territory_id=seed.territories["Nord"]):
              seed.territory_sites("Nord"), Scope(site_id=seed.sites["FS Lille"]): ["FS Lille"]}
    with console_app.engine.connect() as conn:
        for scope, sites in places.items():
            in_parts = fo.kpis(conn, scope, period)
            assert fo.kpis(conn, scope, period) == in_parts  # a site's months kept: the same
            with monkeypatch.context() as m:
                m.setattr(fo, "period_parts", lambda _scope, whole: [whole])
                m.setattr(site_months, "month_parts", lambda whole: [whole])
                assert fo.kpis(conn, scope, period) == in_parts
            assert dict(in_parts)["Sessions"] == len(seed.sessions(sites, period.start,
                                                                    period.end))


def test_each_sites_autonomy_in_the_comparisons_is_what_its_own_autonomy_table_publishes(
        console_app: InProcess):
    """site_months protects each site's atom rows itself (row by row, kept per month): its
    sums are those of the site's "Autonomie par démarche" table, masked atoms left out."""
    from kiosk_server import queries

    period = Period.last_months(3)
    checked = 0
    with console_app.engine.connect() as conn:
        for threshold in (2, 5, 11):
            sites = list(console_app.seed.sites.values())
            figures = site_months.site_figures(conn, sites, period, threshold)
            for site in sites:
                rows = queries.autonomy_by_procedure(conn, Scope(site_id=site), period,
                                                     threshold)
                alone = [r["levels"]["autonomous"] for r in rows]
                assert (figures[site].published, figures[site].autonomous) == (
                    sum(r["attempts"] - r["masked"] for r in rows),
                    sum(n for n in alone if isinstance(n, int)))
                checked += sum(r["masked"] > 0 for r in rows)
    assert checked  # some atoms were hidden: the comparison covers the masking


def test_autonomy_kept_month_by_month_publishes_what_the_whole_period_does(
        console_app: InProcess):
    """"Autonomie par démarche" sums its months' protected figures, each month kept per server
    process (kiosk_server.autonomy_months): the same rows, masked cells and "masqué" labels as
    protecting the period's atoms at once."""
    from kiosk_server import autonomy_months, queries

    period = Period.last_months(3)
    masked = 0
    with console_app.engine.connect() as conn:
        for threshold in (2, 5, 11):
            for scope in (Scope(), Scope(territory_id=console_app.seed.territories["Nord"]),
                          Scope(site_id=console_app.seed.sites["FS Lille"])):
                sums: dict[str, autonomy_months.ProcedureSums] = {}
                for _month, part in site_months.each_month(
                        conn, ("test-autonomy", scope.territory_id, scope.site_id, threshold),
                        period, lambda m, s=scope, th=threshold: autonomy_months.month_sums(
                            conn, s, m, th)):
                    autonomy_months.add_months(sums, part)
                whole = queries.autonomy_by_procedure(conn, scope, period, threshold)
                assert autonomy_months.published(sums, threshold) == whole
                masked += sum(r["masked"] for r in whole)
    assert masked  # hidden atoms were part of the comparison


def test_survey_answers_kept_month_by_month_publish_what_the_whole_period_does(
        console_app: InProcess):
    """"Questionnaire" sums its months' protected rows (disclosure.summed): the same cells,
    "masqué" labels, hidden sum and hidden atoms as protecting the period's atoms at once."""
    from kiosk_server import queries
    from kiosk_server.disclosure import summed

    period = Period.last_months(3)
    masked = 0
    with console_app.engine.connect() as conn:
        for threshold in (2, 5, 11):
            for scope in (Scope(), Scope(territory_id=console_app.seed.territories["Nord"]),
                          Scope(site_id=console_app.seed.sites["FS Lille"])):
                for attribute in queries.SURVEY_CATEGORIES:
                    months = [queries.survey_breakdown(conn, scope, Period(m, m), attribute,
                                                       threshold)
                              for m in site_months.months_of(period)]
                    whole = queries.survey_breakdown(conn, scope, period, attribute, threshold)
                    assert summed(months) == whole
                    masked += whole.masked
    assert masked  # hidden atoms were part of the comparison
