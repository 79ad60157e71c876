"""A national year of raw statistics, generated straight into a server database for benchmarks.

What a real fleet would have sent: 13 territories, ~2,000 sites, ~5,000 kiosks, and N session
records over the 12 calendar months up to today, with 1-3 activities each (plus one ``help``
activity per help request, as the kiosk records them). Every value comes from the vocabularies
of kiosk_wire/schema.py and the shipped practice catalogue (ids, themes, step counts), so the
console renders them and a record read back validates as a ``SessionRecord``.

Distributions are plausible rather than measured: busy and quiet sites (log-normal), weekdays
busier than Saturday and almost nothing on Sunday, August and Christmas dips, opening hours
9-12 and 13-17 with peaks at 10 and 14, the tax declaration season, ~12 % of sessions in
English or Arabic, ~17 % with a comfort option, a survey answered in about a third of sessions.

Fast because no Python object per record: numpy draws each column for a chunk of 250,000
records, and the rows go in with one ``executemany`` per chunk (SQLite, journal off and
synchronous off for the generation only) or ``COPY`` (PostgreSQL). Event ids are valid UUID4s
whose first 12 hex digits count up, so the primary key grows in order (no random B-tree
inserts). Same seed, same rows on both engines.

The aggregates the console reads are NOT built here: ``kiosk_server.rebuild.rebuild_aggregates``
builds them from these raw rows (see bench/datasets.py).
"""
from __future__ import annotations

import datetime as dt
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import sqlalchemy as sa

from kiosk_wire.catalogue import shipped_parcours
from kiosk_wire.schema import Accessibility, AgeBracket, Satisfaction, SurveyAutonomy

CHUNK = 250_000
GENERATOR_VERSION = 1  # bump when the rows change, so cached datasets are rebuilt

REGIONS = [  # name, weight (population, millions; drives sites and sessions)
    ("Auvergne-Rhône-Alpes", 8.1), ("Bourgogne-Franche-Comté", 2.8), ("Bretagne", 3.4),
    ("Centre-Val de Loire", 2.6), ("Corse", 0.35), ("Grand Est", 5.6), ("Hauts-de-France", 6.0),
    ("Île-de-France", 12.3), ("Normandie", 3.3), ("Nouvelle-Aquitaine", 6.1),
    ("Occitanie", 6.0), ("Pays de la Loire", 3.9), ("Provence-Alpes-Côte d'Azur", 5.1),
]

# Procedure popularity and its season (months 1-12 with a multiplier).
POPULARITY = {
    "caf-trimestrielle": 14, "ameli-compte": 12, "impots-premiere-connexion": 9,
    "france-travail-inscription": 10, "ants-pre-demande": 11, "identite-numerique-connexion": 7,
    "email-premiere-adresse": 8, "mairie-rendez-vous": 5, "rendez-vous-medical": 6,
    "retraite-releve-carriere": 4, "mairie-liste-electorale": 3, "ent-college": 3,
    "cv-guide": 4, "arnaques-reperer": 4,
}
SEASONS = {"impots-premiere-connexion": {4: 3.0, 5: 3.5, 6: 1.5},
           "ent-college": {9: 4.0, 10: 1.5}, "mairie-liste-electorale": {1: 2.0, 2: 2.0},
           "cv-guide": {9: 1.5}}

LANGUAGES = (["fr", "en", "ar"], [0.88, 0.04, 0.08])
END_REASONS = (["finished", "idle_timeout", "mediator", "remote", "crash_recovered"],
               [0.70, 0.19, 0.08, 0.025, 0.005])
HELP_COUNTS = ([0, 1, 2, 3], [0.78, 0.16, 0.05, 0.01])
SURVEY_SHARE = 0.35
# The kiosk's browser: share of sessions that opened official sites, which ones (allowlist keys,
# "local" for a place's own), minutes on each.
BROWSING_SHARE = 0.15
OFFICIAL_SITES = (["caf", "ameli", "france_travail", "impots", "ants", "service_public",
                   "assurance_retraite", "local"],
                  [0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.05, 0.05])
AGES = ([a.value for a in AgeBracket],
        [0.005, 0.02, 0.07, 0.17, 0.27, 0.20, 0.19, 0.075])
SURVEY_AUTONOMY = ([a.value for a in SurveyAutonomy], [0.42, 0.30, 0.18, 0.10])
SATISFACTION = ([s.value for s in Satisfaction], [0.06, 0.16, 0.68, 0.10])
PRACTICE_AUTONOMY = (["guided", "partly_autonomous", "autonomous"], [0.48, 0.32, 0.20])
# Accessibility: independent options; the row holds the sorted, comma-separated set.
ACCESS_OPTIONS = [(Accessibility.LARGE_TEXT.value, 0.11), (Accessibility.HIGH_CONTRAST.value, 0.03),
                  (Accessibility.READ_ALOUD.value, 0.05)]
WEEKDAY_WEIGHT = [1.0, 1.05, 0.95, 1.0, 0.9, 0.30, 0.01]
MONTH_WEIGHT = {1: 1.0, 2: 1.0, 3: 1.05, 4: 1.1, 5: 1.05, 6: 1.0, 7: 0.75, 8: 0.45, 9: 1.15,
                10: 1.1, 11: 1.0, 12: 0.8}
HOURS = np.arange(24)
WEEKDAY_HOURS = np.array([0] * 8 + [3, 9, 12, 10, 4, 3, 10, 9, 7, 4, 1] + [0] * 5, float)
SATURDAY_HOURS = np.array([0] * 9 + [8, 10, 6] + [0] * 12, float)


def _p(weights: Any) -> np.ndarray:
    w = np.asarray(weights, float)
    return w / w.sum()


@dataclass(frozen=True)
class ProcedureInfo:
    id: str
    theme: str
    steps_total: int


def catalogue_procedures() -> list[ProcedureInfo]:
    """Ids, themes and step counts of the shipped catalogue (what a kiosk would report)."""
    from kiosk.practice.catalogue import load_catalogue
    from kiosk.practice.engine import page_depths

    return [ProcedureInfo(p.id, p.theme.value, max(page_depths(p).values()))
            for p in load_catalogue().procedures]


@dataclass(frozen=True)
class Fleet:
    territories: int
    sites: int
    kiosks: int

    @classmethod
    def for_records(cls, records: int) -> Fleet:
        """~5,000 sessions per site and year (2,000 sites for 10M), 2.5 kiosks per site."""
        sites = max(len(REGIONS), min(2000, records // 5000))
        return cls(len(REGIONS), sites, sites * 5 // 2)


@dataclass
class Generated:
    records: int
    activities: int
    first_day: dt.date
    last_day: dt.date
    seconds: float
    fleet: Fleet


def period_days(today: dt.date) -> tuple[dt.date, dt.date]:
    """The 12 calendar months up to today (the console's "12 derniers mois"), ending today."""
    index = today.year * 12 + today.month - 1 - 11
    return dt.date(index // 12, index % 12 + 1, 1), today


# --- tenancy ---------------------------------------------------------------------------------
def _tenancy(rng: np.random.Generator, fleet: Fleet, when: dt.datetime
             ) -> tuple[list[dict], list[dict], list[dict], np.ndarray]:
    """Rows of territories, sites and kiosks (ids 1..n in order), and each kiosk's weight."""
    territories = [{"id": i + 1, "name": name, "created_at": when}
                   for i, (name, _w) in enumerate(REGIONS)]
    site_territory = rng.choice(len(REGIONS), size=fleet.sites, p=_p([w for _n, w in REGIONS]))
    site_territory[:len(REGIONS)] = np.arange(len(REGIONS))  # every territory has a site
    sites, per_territory = [], [0] * len(REGIONS)
    for i, tid in enumerate(site_territory.tolist()):
        per_territory[tid] += 1
        kind = "France Services" if i % 3 else "Espace public numérique"
        sites.append({"id": i + 1, "territory_id": tid + 1, "created_at": when,
                      "name": f"{kind} {REGIONS[tid][0]} n° {per_territory[tid]}"})
    # Busy and quiet sites; every site has at least one kiosk, busy ones more.
    site_busy = rng.lognormal(0.0, 0.6, size=fleet.sites)
    extra = rng.choice(fleet.sites, size=fleet.kiosks - fleet.sites, p=_p(site_busy))
    kiosk_site = np.sort(np.concatenate([np.arange(fleet.sites), extra]))
    kiosks, per_site = [], [0] * fleet.sites
    for i, sid in enumerate(kiosk_site.tolist()):
        per_site[sid] += 1
        kiosks.append({"id": i + 1, "site_id": sid + 1, "name": f"borne-{per_site[sid]}",
                       "created_at": when, "pushed_settings": "{}"})
    counts = np.bincount(kiosk_site, minlength=fleet.sites)
    kiosk_weight = site_busy[kiosk_site] / counts[kiosk_site] * rng.uniform(0.7, 1.3, fleet.kiosks)
    return territories, sites, kiosks, kiosk_weight


# --- records -----------------------------------------------------------------------------------
@dataclass
class Columns:
    """One chunk: record columns (length n) and activity columns (length m)."""

    records: list[tuple]
    activities: list[tuple]
    site_uses: list[tuple]


SESSION_COLUMNS = ("event_id", "kiosk_id", "site_id", "territory_id", "schema_version", "day",
                   "hour", "duration_min", "language", "accessibility", "end_reason",
                   "help_requests", "age_bracket", "autonomy", "satisfaction", "received_at")
SITE_USE_COLUMNS = ("event_id", "site", "minutes")
ACTIVITY_COLUMNS = ("event_id", "position", "kind", "procedure_id", "theme", "steps_total",
                    "steps_reached", "completed", "hints_used", "errors", "pages", "autonomy",
                    "parcours_id", "parcours_step", "procedure_version")


class RecordGenerator:
    def __init__(self, seed: int, fleet: Fleet, first: dt.date, last: dt.date,
                 kiosk_weight: np.ndarray, kiosk_site: np.ndarray, site_territory: np.ndarray,
                 procedures: list[ProcedureInfo], postgres: bool) -> None:
        self.rng = np.random.default_rng(seed + 1)
        self.site_rng = np.random.default_rng(seed + 2)  # its own: the other columns unchanged
        self.version_rng = np.random.default_rng(seed + 3)  # likewise
        self.first = first
        self.days = [first + dt.timedelta(days=i) for i in range((last - first).days + 1)]
        self.day_text = np.array([d.isoformat() for d in self.days], dtype=object)
        self.received = np.array([f"{d.isoformat()} 18:30:00" + ("+00" if postgres else ".000000")
                                  for d in self.days], dtype=object)
        holidays = _public_holidays({d.year for d in self.days})
        self.day_p = _p([0.02 if d in holidays else WEEKDAY_WEIGHT[d.weekday()]
                         * MONTH_WEIGHT[d.month] * (0.5 if d.month == 12 and d.day > 22 else 1)
                         for d in self.days])
        self.weekday = np.array([d.weekday() for d in self.days])
        self.month = np.array([d.month for d in self.days])
        self.kiosk_p = _p(kiosk_weight)
        self.kiosk_site, self.site_territory = kiosk_site, site_territory
        self.procs = procedures
        self.proc_id = np.array([p.id for p in procedures], dtype=object)
        self.proc_theme = np.array([p.theme for p in procedures], dtype=object)
        self.proc_steps = np.array([p.steps_total for p in procedures])
        base = np.array([POPULARITY.get(p.id, 3) for p in procedures], float)
        self.proc_p_by_month = {m: _p(base * [SEASONS.get(p.id, {}).get(m, 1.0)
                                              for p in procedures]) for m in range(1, 13)}
        combos = []
        for mask in range(8):
            combos.append(",".join(sorted(ACCESS_OPTIONS[b][0] for b in range(3)
                                          if mask >> b & 1)))
        self.access_text = np.array(combos, dtype=object)
        self.postgres = postgres

    def chunk(self, start: int, n: int) -> Columns:
        rng = self.rng
        kiosk = rng.choice(len(self.kiosk_p), size=n, p=self.kiosk_p)
        site = self.kiosk_site[kiosk]
        territory = self.site_territory[site - 1]
        day = rng.choice(len(self.days), size=n, p=self.day_p)
        weekend = self.weekday[day] >= 5
        hour = np.where(weekend, rng.choice(HOURS, size=n, p=_p(SATURDAY_HOURS)),
                        rng.choice(HOURS, size=n, p=_p(WEEKDAY_HOURS)))
        end_reason = rng.choice(END_REASONS[0], size=n, p=END_REASONS[1])
        minutes = rng.lognormal(np.log(22), 0.65, size=n)
        minutes = np.where(end_reason == "idle_timeout", minutes * 0.6, minutes)
        duration = np.clip(5 * np.rint(minutes / 5), 0, 240).astype(np.int64)
        language = rng.choice(LANGUAGES[0], size=n, p=LANGUAGES[1])
        access_mask = sum((rng.random(n) < p).astype(np.int64) << b
                          for b, (_o, p) in enumerate(ACCESS_OPTIONS))
        helps = rng.choice(HELP_COUNTS[0], size=n, p=HELP_COUNTS[1])
        surveyed = rng.random(n) < SURVEY_SHARE
        age = np.where(surveyed, rng.choice(AGES[0], size=n, p=AGES[1]), None)
        s_aut = np.where(surveyed, rng.choice(SURVEY_AUTONOMY[0], size=n, p=SURVEY_AUTONOMY[1]),
                         None)
        satisfaction = np.where(surveyed, rng.choice(SATISFACTION[0], size=n, p=SATISFACTION[1]),
                                None)
        ids = self._event_ids(start, n)
        records = list(zip(
            ids, (kiosk + 1).tolist(), site.tolist(), territory.tolist(), [1] * n,
            self.day_text[day].tolist(),
            hour.tolist(), duration.tolist(), language.tolist(),
            self.access_text[access_mask].tolist(), end_reason.tolist(), helps.tolist(),
            age.tolist(), s_aut.tolist(), satisfaction.tolist(), self.received[day].tolist(),
            strict=True))
        return Columns(records, self._activities(ids, day, helps), self._site_uses(ids))

    def _event_ids(self, start: int, n: int) -> list[str]:
        tail = self.rng.integers(0, 2**62, size=n, dtype=np.int64).tolist()
        out = []
        for i, r in enumerate(tail, start):
            h = f"{i:012x}4{r & 0xfff:03x}{8 + (r >> 12 & 3):x}{r >> 14 & 0xfffffffffffffff:015x}"
            out.append(f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:32]}")
        return out

    def _activities(self, ids: list[str], day: np.ndarray, helps: np.ndarray) -> list[tuple]:
        """1-3 things done per session, in the order practice, scan, copy, print, then one
        ``help`` activity per help request."""
        rng, n = self.rng, len(ids)
        practice = rng.random(n) < 0.72
        scan = rng.random(n) < 0.24
        copy = rng.random(n) < 0.14
        printed = rng.random(n) < 0.33
        practice |= ~(scan | copy | printed)  # every session did something
        proc = np.empty(n, dtype=np.int64)
        months = self.month[day]
        for m in np.unique(months):
            sel = months == m
            proc[sel] = rng.choice(len(self.procs), size=int(sel.sum()),
                                   p=self.proc_p_by_month[int(m)])
        total = self.proc_steps[proc]
        completed = rng.random(n) < 0.56
        # Those who stop mostly stop early, and at least reached the first page.
        stop = np.floor(total * rng.random(n) ** 1.4).astype(np.int64)
        reached = np.where(completed, total, np.minimum(np.maximum(stop, 1), total - 1))
        autonomy = rng.choice(PRACTICE_AUTONOMY[0], size=n, p=PRACTICE_AUTONOMY[1])
        hints = np.where(autonomy == "autonomous", 0, rng.poisson(1.4, n)
                         + (autonomy == "partly_autonomous"))
        errors = rng.poisson(0.9, n)
        pages = {k: np.minimum(rng.geometric(0.45, n), 20) for k in ("scan", "copy", "print")}
        # A fifth of the practice runs of a procedure that is a step of a shipped parcours are
        # made as that step (drawn last: the columns above keep their values for a seed).
        in_parcours = (rng.random(n) < 0.2).tolist()
        steps_of = {pid: (parcours.id, rank) for parcours in shipped_parcours().values()
                    for rank, pid in enumerate(parcours.steps, 1)}
        # One run in twenty as of a version published from the console (1 to 3).
        version_l = np.where(self.version_rng.random(n) < 0.05,
                             self.version_rng.integers(1, 4, n), 0).tolist()
        rows: list[tuple] = []
        practice_l, scan_l, copy_l, print_l = (practice.tolist(), scan.tolist(), copy.tolist(),
                                                printed.tolist())
        proc_l, reached_l, total_l = proc.tolist(), reached.tolist(), total.tolist()
        completed_l, autonomy_l = completed.tolist(), autonomy.tolist()
        hints_l, errors_l, helps_l = hints.tolist(), errors.tolist(), helps.tolist()
        pages_l = {k: v.tolist() for k, v in pages.items()}
        proc_id, proc_theme = self.proc_id.tolist(), self.proc_theme.tolist()
        for i, eid in enumerate(ids):
            pos = 0
            if practice_l[i]:
                p = proc_l[i]
                step = steps_of.get(proc_id[p]) if in_parcours[i] else None
                rows.append((eid, 0, "practice", proc_id[p], proc_theme[p], total_l[i],
                             reached_l[i], completed_l[i], hints_l[i], errors_l[i], 0,
                             autonomy_l[i], *(step or (None, None)), version_l[i] or None))
                pos = 1
            for kind, flags in (("scan", scan_l), ("copy", copy_l), ("print", print_l)):
                if flags[i]:
                    rows.append((eid, pos, kind, None, None, 0, 0, False, 0, 0,
                                 pages_l[kind][i], None, None, None, None))
                    pos += 1
            for _ in range(helps_l[i]):
                rows.append((eid, pos, "help", None, None, 0, 0, False, 0, 0, 0, None, None,
                             None, None))
                pos += 1
        return rows


    def _site_uses(self, ids: list[str]) -> list[tuple]:
        """Official sites opened in the kiosk's browser: one or two per browsing session."""
        rng, n = self.site_rng, len(ids)
        browsing = (rng.random(n) < BROWSING_SHARE).tolist()
        keys, weights = OFFICIAL_SITES
        first = rng.choice(len(keys), size=n, p=_p(weights)).tolist()
        second = rng.choice(len(keys), size=n, p=_p(weights)).tolist()
        both = (rng.random(n) < 0.3).tolist()
        minutes = np.minimum(rng.geometric(0.08, size=(n, 2)), 120).tolist()
        rows: list[tuple] = []
        for i, eid in enumerate(ids):
            if not browsing[i]:
                continue
            rows.append((eid, keys[first[i]], minutes[i][0]))
            if both[i] and second[i] != first[i]:
                rows.append((eid, keys[second[i]], minutes[i][1]))
        return rows


def _public_holidays(years: set[int]) -> set[dt.date]:
    """Fixed-date French public holidays (Easter-based ones left out: close enough)."""
    fixed = [(1, 1), (5, 1), (5, 8), (7, 14), (8, 15), (11, 1), (11, 11), (12, 25)]
    return {dt.date(y, m, d) for y in years for m, d in fixed}


# --- writing -------------------------------------------------------------------------------------
def generate(engine: sa.Engine, records: int, seed: int = 1, today: dt.date | None = None,
             progress: Any = None) -> Generated:
    """Fill an empty, migrated server database with a fleet and ``records`` session records.

    Raises ValueError if the database already holds tenancy or statistics rows."""
    t0 = time.perf_counter()
    first, last = period_days(today or dt.date.today())
    fleet = Fleet.for_records(records)
    rng = np.random.default_rng(seed)
    when = dt.datetime.now(dt.UTC).replace(microsecond=0)
    territories, sites, kiosks, kiosk_weight = _tenancy(rng, fleet, when)
    from kiosk_server import tables as t

    with engine.begin() as conn:
        for table in (t.territories, t.session_records):
            if conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
                raise ValueError(f"the database is not empty ({table.name})")
        conn.execute(t.territories.insert(), territories)
        conn.execute(t.sites.insert(), sites)
        conn.execute(t.kiosks.insert(), kiosks)
        if engine.dialect.name == "postgresql":  # explicit ids: move the sequences past them
            for table in (t.territories, t.sites, t.kiosks):
                conn.exec_driver_sql(f"SELECT setval('{table.name}_id_seq', "
                                     f"(SELECT max(id) FROM {table.name}))")
    gen = RecordGenerator(seed, fleet, first, last, kiosk_weight,
                          np.array([k["site_id"] for k in kiosks]),
                          np.array([s["territory_id"] for s in sites]),
                          catalogue_procedures(), engine.dialect.name == "postgresql")
    chunks = _chunks(gen, records)
    n_activities = (_write_sqlite(engine, chunks, progress) if engine.dialect.name == "sqlite"
                    else _write_postgres(engine, chunks, progress))
    return Generated(records, n_activities, first, last, time.perf_counter() - t0, fleet)


def _chunks(gen: RecordGenerator, records: int) -> Iterator[Columns]:
    done = 0
    while done < records:
        n = min(CHUNK, records - done)
        yield gen.chunk(done, n)
        done += n


def _write_sqlite(engine: sa.Engine, chunks: Iterator[Columns], progress: Any) -> int:
    """One private connection, journal off: a crash mid-generation leaves a broken file, which
    is thrown away (the cache only keeps finished datasets)."""
    path = engine.url.database
    assert path, "an SQLite file database"
    engine.dispose()  # WAL mode can only be left with no other connection open
    con = sqlite3.connect(path, isolation_level=None)
    try:
        con.execute("PRAGMA journal_mode=OFF")
        con.execute("PRAGMA synchronous=OFF")
        con.execute("PRAGMA cache_size=-262144")  # 256 MB
        rec_sql = (f"INSERT INTO session_records ({', '.join(SESSION_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(SESSION_COLUMNS))})")
        act_sql = (f"INSERT INTO activities ({', '.join(ACTIVITY_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(ACTIVITY_COLUMNS))})")
        use_sql = (f"INSERT INTO site_uses ({', '.join(SITE_USE_COLUMNS)}) "
                   f"VALUES ({', '.join('?' * len(SITE_USE_COLUMNS))})")
        activities = done = 0
        for cols in chunks:
            con.execute("BEGIN")
            con.executemany(rec_sql, cols.records)
            con.executemany(act_sql, cols.activities)
            con.executemany(use_sql, cols.site_uses)
            con.execute("COMMIT")
            activities += len(cols.activities)
            done += len(cols.records)
            if progress:
                progress(done)
        con.execute("PRAGMA journal_mode=WAL")
        con.execute("ANALYZE")
    finally:
        con.close()
    return activities


def _write_postgres(engine: sa.Engine, chunks: Iterator[Columns], progress: Any) -> int:
    """COPY, one transaction per chunk."""
    activities = done = 0
    raw = engine.raw_connection()
    try:
        dbapi: Any = raw.driver_connection
        for cols in chunks:
            with dbapi.cursor() as cur:
                with cur.copy(f"COPY session_records ({', '.join(SESSION_COLUMNS)}) "
                              "FROM STDIN") as copy:
                    for row in cols.records:
                        copy.write_row(row)
                with cur.copy(f"COPY activities ({', '.join(ACTIVITY_COLUMNS)}) "
                              "FROM STDIN") as copy:
                    for row in cols.activities:
                        copy.write_row(row)
                with cur.copy(f"COPY site_uses ({', '.join(SITE_USE_COLUMNS)}) "
                              "FROM STDIN") as copy:
                    for row in cols.site_uses:
                        copy.write_row(row)
            dbapi.commit()
            activities += len(cols.activities)
            done += len(cols.records)
            if progress:
                progress(done)
    finally:
        raw.close()
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE session_records")
        conn.exec_driver_sql("VACUUM ANALYZE activities")
        conn.exec_driver_sql("VACUUM ANALYZE site_uses")
    return activities


def month_span(first: dt.date, last: dt.date) -> int:
    return (last.year - first.year) * 12 + last.month - first.month + 1

