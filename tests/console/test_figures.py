"""The dashboards' figures agree with the seed they were computed from, at every grain the
queries read (daily rows for a site, monthly territory rows above)."""
from __future__ import annotations

import datetime as dt

from console.conftest import InProcess
from kiosk_server.console import figures
from kiosk_server.queries import Period, Scope
from kiosk_wire import catalogue


def _total(table: figures.Table, col: int = 1) -> int:
    return sum(int(r[col]) for r in table.rows)


def test_sessions_per_month_week_and_day_add_up_to_the_seed(console_app: InProcess):
    seed = console_app.seed
    period = Period.last_months(12, seed.today)
    scopes = {"site": (Scope(site_id=seed.sites["FS Lille"]), ["FS Lille"]),
              "territory": (Scope(territory_id=seed.territories["Nord"]),
                            seed.territory_sites("Nord")),
              "national": (Scope(), None)}
    with console_app.engine.connect() as conn:
        for name, (scope, sites) in scopes.items():
            expected = len(seed.sessions(sites))
            for grain in ("mois", "semaine"):
                table = figures.sessions_over_time(conn, scope, period, grain)
                assert _total(table) == expected, (name, grain)
            days = Period(seed.today - dt.timedelta(days=30), seed.today)
            table = figures.sessions_over_time(conn, scope, days, "jour")
            assert _total(table) == len(seed.sessions(sites, days.start, days.end)), name


def test_heat_map_and_weekdays_count_every_session_of_the_months(console_app: InProcess):
    seed = console_app.seed
    period = Period.last_months(12, seed.today)
    scope = Scope(territory_id=seed.territories["Nord"])
    expected = len(seed.sessions(seed.territory_sites("Nord")))
    with console_app.engine.connect() as conn:
        heat = figures.heat_map(conn, scope, period)
        weekdays = figures.by_weekday(conn, scope, period)
    assert sum(sum(r[1:]) for r in heat.rows) == expected
    assert _total(weekdays) == expected
    monday = sum(1 for r in seed.sessions(seed.territory_sites("Nord"))
                 if dt.date.fromisoformat(r["day"]).weekday() == 0)
    assert weekdays.rows[0] == ["Lundi", monday]


def test_funnel_shows_where_attempts_stop(console_app: InProcess):
    seed = console_app.seed
    period = Period.last_months(12, seed.today)
    site = "FS Roubaix"
    attempts = [a for r in seed.sessions([site]) for a in r["activities"]
                if a["kind"] == "practice" and a["procedure_id"] == "caf-trimestrielle"]
    with console_app.engine.connect() as conn:
        table = figures.funnel(conn, Scope(site_id=seed.sites[site]), period, "caf-trimestrielle")
    steps = attempts[0]["steps_total"]
    # The seeded records count 8 steps, the shipped procedure 10: numbers only, no wrong title.
    assert [r[0] for r in table.rows] == [f"Étape {i} sur {steps}" for i in range(1, steps + 1)
                                          ] + ["Démarche terminée"]
    for i, row in enumerate(table.rows[:-1], start=1):
        assert row[1] == sum(1 for a in attempts if a["steps_reached"] >= i)
        assert row[2] == sum(1 for a in attempts if a["steps_reached"] == i - 1)
    assert table.rows[-1][1] == sum(1 for a in attempts if a["completed"])


def test_custom_period_presets_and_errors():
    today = dt.date(2026, 11, 22)
    assert figures.resolve_period("mois_precedent", None, None, today)[0] == Period(
        dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    assert figures.resolve_period("12_mois", None, None, today)[0] == Period(
        dt.date(2025, 12, 1), dt.date(2026, 11, 30))
    assert figures.resolve_period("inconnu", None, None, today)[1] == "novembre 2026"
    for start, end, message in (("2026-13-01", "2026-11-01", "Dates invalides"),
                                ("2026-11-10", "2026-11-01", "avant son début"),
                                ("2020-01-01", "2026-11-01", "3 ans")):
        try:
            figures.resolve_period("perso", start, end, today)
        except figures.PeriodError as err:
            assert message in str(err)
        else:
            raise AssertionError(f"{start}..{end} accepted")


def test_funnel_steps_carry_their_page_titles():
    titles = catalogue.shipped()["cv-guide"].steps_fr
    read = {"procedure_id": "cv-guide", "attempts": 10, "completed": 4,
            "steps": [{"step": i, "reached": 10 - i} for i in range(1, len(titles) + 1)]}
    table = figures.funnel(None, Scope(), Period.last_months(1), "cv-guide", read)  # type: ignore[arg-type]
    assert table.rows[1][0] == f"Étape 2 sur {len(titles)} : Quel métier cherchez-vous ?"
    assert [r[0].split(" : ", 1)[1] for r in table.rows[:-1]] == list(titles)


def test_the_stop_table_names_the_step_by_its_title():
    titles = catalogue.shipped()["cv-guide"].steps_fr
    read = {"cv-guide": {"procedure_id": "cv-guide", "attempts": 10, "completed": 2,
                         "steps": [{"step": 1, "reached": 9}, {"step": 2, "reached": 3}]
                         + [{"step": i, "reached": 2} for i in range(3, len(titles) + 1)]}}
    table = figures.drop_offs(None, Scope(), Period.last_months(1), ["cv-guide"], read)  # type: ignore[arg-type]
    # 9 reached step 1, 3 step 2: most stop before step 2, and the table says which page it is.
    assert table.rows[0][2] == f"Étape 2 sur {len(titles)} : {titles[1]}"


def test_daily_series_show_days_without_sessions_and_mark_the_running_month(
        console_app: InProcess):
    seed = console_app.seed
    days = Period(seed.today - dt.timedelta(days=59), seed.today)
    scope = Scope(site_id=seed.sites["FS Roubaix"])
    per_day: dict[str, int] = {}
    for r in seed.sessions(["FS Roubaix"], days.start, days.end):
        per_day[r["day"]] = per_day.get(r["day"], 0) + 1
    with console_app.engine.connect() as conn:
        daily = figures.sessions_over_time(conn, scope, days, "jour")
        months = figures.sessions_over_time(conn, scope, Period.last_months(3, seed.today),
                                            "mois")
        this_month = figures.sessions_over_time(
            conn, scope, Period.last_months(1, seed.today), "jour")
    expected = [(days.start + dt.timedelta(days=i)) for i in range(60)]
    assert [r[0].day for r in daily.rows] == expected  # every day, in order
    assert [r[1] for r in daily.rows] == [per_day.get(str(d), 0) for d in expected]
    assert 0 in [r[1] for r in daily.rows], "the seed leaves days without a session"
    assert str(months.rows[-1][0]).endswith("(en cours)")
    assert not any(str(r[0]).endswith("(en cours)") for r in months.rows[:-1])
    assert this_month.rows[-1][0].day == seed.today  # no row for days still to come
