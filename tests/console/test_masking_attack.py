"""The small-count protection cannot be undone by arithmetic (issues #19 and #12): as one
territory manager, export every filter combination (the territory, each site, each kiosk; every
run of whole months), then attack as the issue's audit did — territory − other site, site −
kiosk, three months − the other months, one survey table against another — with linear algebra
over everything published (survey answers, autonomy per procedure, official sites opened), and
each masked group with the published rule itself. Generated data, built to hold many small
counts; SQLite and PostgreSQL."""
from __future__ import annotations

import calendar
import datetime as dt
import itertools
import random
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from server.helpers import open_migrated, server_settings

from console.conftest import InProcess, _database
from console.seed import Seed, seed
from kiosk_server.app import create_app
from kiosk_server.console import labels as L
from kiosk_server.console.figures_survey import MASKED_ROW
from kiosk_server.disclosure import hidden_cells, protected
from kiosk_server.ingest import ingest
from kiosk_server.official_site_figures import OFFICIAL_SITES
from kiosk_server.queries import AUTONOMY_LEVELS, SURVEY_CATEGORIES
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire.schema import SessionRecord

THRESHOLD = 5
PROCEDURES = {"ants-pre-demande": "papiers_elections_citoyennete",
              "caf-trimestrielle": "social_sante"}
SURVEY_TITLES = {a: f"Questionnaire : {L.SURVEY_ATTRIBUTES[a][0].lower()}"
                 for a in SURVEY_CATEGORIES}
SURVEY_LABELS = {a: {label: code for code, label in L.SURVEY_ATTRIBUTES[a][1].items()}
                 for a in SURVEY_CATEGORIES}
AUTONOMY_COLUMNS = list(L.PRACTICE_AUTONOMY)  # codes in the table's column order
SITES_TITLE = "Sites officiels les plus ouverts"
SITE_KEYS = {L.official_site(k): k for k in OFFICIAL_SITES}
BROWSED = {"caf": 8, "ameli": 5, "impots": 3, "msa": 1, "local": 1}  # a few common, rare ones


def _months_back(today: dt.date, n: int) -> dt.date:
    index = today.year * 12 + today.month - 1 - n
    return dt.date(index // 12, index % 12 + 1, 1)


def _record(rng: random.Random, day: dt.date) -> dict[str, Any]:
    """Skewed choices: a few popular answers, many rare ones (the small counts to protect)."""
    procedure = rng.choice(list(PROCEDURES))
    level = rng.choices(["autonomous", "partly_autonomous", "guided", None], [6, 3, 1, 1])[0]
    survey = None if rng.random() < 0.3 else {
        "age_bracket": rng.choices(list(SURVEY_CATEGORIES["age_bracket"]),
                                   [1, 1, 2, 6, 8, 4, 2, 1])[0],
        "autonomy": rng.choices(list(SURVEY_CATEGORIES["autonomy"]), [2, 4, 8, 1])[0],
        "satisfaction": rng.choices(list(SURVEY_CATEGORIES["satisfaction"]), [1, 3, 9, 1])[0]}
    opened = [] if rng.random() < 0.5 else sorted(set(rng.choices(
        list(BROWSED), list(BROWSED.values()), k=rng.randint(1, 2))))
    return {"event_id": str(uuid.uuid4()), "schema_version": 1, "day": str(day), "hour": 10,
            "duration_min": 15, "language": "fr", "accessibility": [], "end_reason": "finished",
            "help_requests": 0, "survey": survey,
            "official_sites": [{"site": k, "minutes": rng.randint(1, 30)} for k in opened],
            "activities": [{"kind": "practice", "procedure_id": procedure,
                            "theme": PROCEDURES[procedure], "steps_total": 6,
                            "steps_reached": 6, "completed": True, "hints_used": 0,
                            "errors": 0, "pages": 0, "autonomy": level}]}


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def generated(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[InProcess, Any]]:
    url = _database(request, tmp_path)
    engine = open_migrated(url)
    data: Seed = seed(engine, per_kiosk=0)
    rng = random.Random(19)
    months = [_months_back(data.today, n) for n in (4, 3, 2, 1)]
    truth: dict[tuple[Any, ...], int] = {}  # atom -> true count
    for (site, name), (kiosk_id, _token) in data.kiosks.items():
        territory = data.territories[data.site_territory[site]]
        who = KioskIdentity(kiosk_id, data.sites[site], territory, name)
        records = []
        for month in months:
            days = calendar.monthrange(month.year, month.month)[1]
            for _ in range(rng.randint(6, 40)):
                records.append(_record(rng, month.replace(day=rng.randint(1, days))))
        ingest(engine, who, [SessionRecord.model_validate(r) for r in records])
        for r in records:
            month = dt.date.fromisoformat(r["day"]).replace(day=1)
            for a in r["activities"]:
                key = ("autonomie", a["procedure_id"], data.sites[site], month,
                       a["autonomy"] or "")
                truth[key] = truth.get(key, 0) + 1
            if r["survey"]:
                for attribute, code in r["survey"].items():
                    key = ("enquete", attribute, data.sites[site], month, code)
                    truth[key] = truth.get(key, 0) + 1
            for use in r["official_sites"]:  # sessions, and apart the minutes
                key = ("sites", "official", data.sites[site], month, use["site"])
                truth[key] = truth.get(key, 0) + 1
                truth[("minutes", *key)] = truth.get(("minutes", *key), 0) + use["minutes"]
    app = create_app(server_settings(tmp_path, url), engine)
    with TestClient(app, base_url="http://testserver", raise_server_exceptions=False) as client:
        console = InProcess(client, engine, data)
        yield console, (months, truth)
    engine.dispose()


def _export(console: InProcess, place: str, first: dt.date, last: dt.date) -> list[list[str]]:
    end = last.replace(day=calendar.monthrange(last.year, last.month)[1])
    answer = console.client.get(f"/console/export.csv?periode=perso&debut={first}&fin={end}"
                                f"&lieu={place}")
    assert answer.status_code == 200, answer.text
    return [line.split(";") for line in answer.content.decode("utf-8-sig").splitlines()]


def _number(cell: str) -> int | None:
    return None if cell == "masqué" else int(cell)


def _published(lines: list[list[str]]) -> Iterator[tuple[str, str, str, int | None]]:
    """(group, row key, column code, value) of every protected figure of one export; group is
    'enquete:<attribute>', 'autonomie:<procedure>' or 'sites:official'; column '*' is the
    masked sum, '=' the total; row key 'minutes' for an official site's minutes."""
    procedures = {L.procedure(p): p for p in PROCEDURES}
    for line in lines:
        if line[0] == SITES_TITLE and line[1] != "Site officiel":
            if line[1] == MASKED_ROW:
                assert line[3] == "—"  # a hidden atom's minutes are never published
                yield "sites:official", "", "*", int(line[2])
            else:
                yield "sites:official", "", SITE_KEYS[line[1]], int(line[2])
                yield "sites:official", "minutes", SITE_KEYS[line[1]], int(line[3])
        for attribute, title in SURVEY_TITLES.items():
            if line[0] == title and line[1] != L.SURVEY_ATTRIBUTES[attribute][0]:
                column = "*" if line[1] == MASKED_ROW else SURVEY_LABELS[attribute][line[1]]
                yield f"enquete:{attribute}", "", column, _number(line[2])
        if line[0] == "Autonomie par démarche" and line[1] in procedures:
            group = f"autonomie:{procedures[line[1]]}"
            yield group, "", "=", int(line[2])
            for code, cell in zip(AUTONOMY_COLUMNS, line[3:3 + len(AUTONOMY_COLUMNS)],
                                  strict=True):
                yield group, "", code, _number(cell)
            yield group, "", "*", int(line[3 + len(AUTONOMY_COLUMNS)])


def _atoms_of(group: str, site: int, month: dt.date) -> list[tuple[Any, ...]]:
    kind, what = group.split(":")
    codes = (SURVEY_CATEGORIES[what] if kind == "enquete" else OFFICIAL_SITES
             if kind == "sites" else AUTONOMY_LEVELS)
    return [(kind, what, site, month, code) for code in codes]


def test_no_masked_count_can_be_recovered_across_places_periods_and_tables(generated):
    console, (months, truth) = generated
    data = console.seed
    console.login("resp-nord")
    nord = data.territories["Nord"]
    sites = {data.sites[s] for s in data.territory_sites("Nord")}
    places = {f"t:{nord}": sites} | {f"s:{s}": {s} for s in sites} | {
        f"k:{kid}": set() for (site, _n), (kid, _t) in data.kiosks.items()
        if data.sites[site] in sites}
    runs = [(i, j) for i in range(len(months)) for j in range(i, len(months))]

    # What the finest exports (one site, one month) say: which atoms are hidden. The official
    # sites' table leaves a site whose atoms are all hidden out: their hidden atoms are those
    # the rule picks (the test runs in the server's process, with its secret order) and the
    # export must agree: each site shown at its true count, the others summed in "Masqué".
    hidden: set[tuple[Any, ...]] = set()
    masked_groups: list[tuple[list[tuple[Any, ...]], int]] = []
    for site, month in itertools.product(sites, months):
        rows: dict[str, dict[str, int | None]] = {"sites:official": {}}
        for group, row, column, value in _published(_export(console, f"s:{site}", month, month)):
            if row != "minutes":
                rows.setdefault(group, {})[column] = value
        for group, cells in rows.items():
            atoms = _atoms_of(group, site, month)
            if group == "sites:official":
                counts = {a[-1]: truth.get(a, 0) for a in atoms}
                chosen = hidden_cells(counts, THRESHOLD, (site, month, "official_sites"))
                these = [a for a in atoms if a[-1] in chosen]
                assert {k: v for k, v in cells.items() if k != "*"} == {
                    k: v for k, v in counts.items() if v and k not in chosen}
                assert cells.get("*", 0) == sum(counts[k] for k in chosen)
            else:
                these = [a for a in atoms if a[-1] in cells and cells[a[-1]] is None]
            hidden.update(these)
            if these and sum(truth.get(a, 0) for a in these):
                masked_groups.append((these, cells.get("*", 0)))
    assert len(hidden) >= 20, "the generated data must hold small counts to protect"
    assert any(a[0] == "sites" and truth.get(a) for a in hidden), "official sites masked too"

    # Every figure of every filter, as an equation over the atoms (documented meaning: a level
    # counts its visible atoms, "Masqué" its hidden ones, the total all of them).
    groups = [f"enquete:{a}" for a in SURVEY_CATEGORIES] + [
        f"autonomie:{p}" for p in PROCEDURES] + ["sites:official"]
    atoms = [a for g in groups for s in sorted(sites) for m in months for a in _atoms_of(g, s, m)]
    index = {a: i for i, a in enumerate(atoms)}
    equations, values = [], []
    for place, place_sites in places.items():
        for i, j in runs:
            lines = _export(console, place, months[i], months[j])
            figures = list(_published(lines))
            if not place_sites:  # one kiosk: protected tables are not published
                assert not figures, place
                continue
            for group, row_key, column, value in figures:
                if value is None:
                    continue
                involved = [a for s in place_sites for m in months[i:j + 1]
                            for a in _atoms_of(group, s, m)]
                if column == "*":
                    involved = [a for a in involved if a in hidden]
                elif column != "=":
                    involved = [a for a in involved if a[-1] == column and a not in hidden]
                if row_key == "minutes":  # an official site's minutes: its visible atoms'
                    assert value == sum(truth.get(("minutes", *a), 0) for a in involved)
                    continue
                row = np.zeros(len(atoms))
                for a in involved:
                    row[index[a]] = 1
                assert value == sum(truth.get(a, 0) for a in involved), (place, group, column)
                equations.append(row)
                values.append(value)
    matrix = np.array(equations)
    _u, singular, vt = np.linalg.svd(matrix)
    rank = int((singular > 1e-8).sum())
    null_space = vt[rank:]
    recovered = [a for a in hidden if np.abs(null_space[:, index[a]]).max() < 1e-8]
    assert not recovered, f"masked counts recovered by differencing: {recovered[:5]}"

    # Each masked group attacked with the published rule: every split of its sum that the rule
    # would have masked the same way is possible; none may leave a cell one possible value.
    for group_atoms, total in masked_groups:
        site_month_row = {a[-1]: truth.get(a, 0) for a in _atoms_of(
            f"{group_atoms[0][0]}:{group_atoms[0][1]}", group_atoms[0][2], group_atoms[0][3])}
        hidden_here = frozenset(a[-1] for a in group_atoms)
        assert sum(site_month_row[n] for n in hidden_here) == total
        possible = _possible(site_month_row, hidden_here)
        assert all(len(v) >= 2 for v in possible.values()), (site_month_row, total, possible)


def _could_hide(row: dict[str, int], hidden: frozenset[str]) -> bool:
    """Whether the published rule (docs/privacy.md) could hide exactly ``hidden`` in ``row``,
    for some order of the complements: what an attacker who knows the rule but not the
    server's secret order can check."""
    total = sum(row.values())
    if total == 0 or total < THRESHOLD:
        return hidden == (frozenset(row) if total else frozenset())
    primary = {k for k, v in row.items() if 0 < v < THRESHOLD}
    eligible = {k for k, v in row.items() if v >= THRESHOLD}
    if not primary:
        return not hidden
    if hidden == frozenset(row) and not eligible and not protected(
            [row[k] for k in primary], THRESHOLD):
        return True  # no complement could protect: the zeros are hidden too
    extra = hidden - primary
    if not primary <= hidden or not extra <= eligible:
        return False
    for order in itertools.permutations(extra):
        steps = [primary | set(order[:i]) for i in range(len(order) + 1)]
        if protected([row[k] for k in steps[-1]], THRESHOLD) and not any(
                protected([row[k] for k in step], THRESHOLD) for step in steps[:-1]):
            return True
    return False


def _possible(row: dict[str, int], hidden: frozenset[str]) -> dict[str, set[int]]:
    """Every value each hidden cell can take, given the visible cells, the hidden sum and the
    rule."""
    names = sorted(hidden)
    possible: dict[str, set[int]] = {n: set() for n in names}
    for split in _splits(sum(row[n] for n in names), len(names)):
        candidate = row | dict(zip(names, split, strict=True))
        if _could_hide(candidate, hidden):
            for n, v in zip(names, split, strict=True):
                possible[n].add(v)
    return possible


def _splits(total: int, parts: int) -> Iterator[tuple[int, ...]]:
    if parts == 1:
        yield (total,)
        return
    for first in range(total + 1):
        for rest in _splits(total - first, parts - 1):
            yield (first, *rest)


@pytest.mark.parametrize("row", [
    {"a": 4, "b": 4, "c": 4, "d": 0},             # the row of 12: not "4 each"
    {"a": 1, "b": 1, "c": 0, "d": 10},            # two ones would be pinned: a complement
    {"a": 5, "b": 4, "c": 4},                     # beside a visible 5 ("smallest first" leaked)
    {"a": 4, "b": 6, "c": 6, "d": 0},
    {"a": 3, "b": 5, "c": 5, "d": 20},
    {"a": 2, "b": 0, "c": 0, "d": 0},             # "all 2 did a": everything hidden
    {"a": 1, "b": 40, "c": 0, "d": 0},
])
def test_the_rule_leaves_every_masked_cell_two_values_or_more(row: dict[str, int]):
    hidden = hidden_cells(row, THRESHOLD, ("site", "month"))
    assert hidden and all(row[k] >= THRESHOLD or k in hidden for k in row if row[k])
    assert _could_hide(row, hidden)
    assert all(len(v) >= 2 for v in _possible(row, hidden).values())


def test_no_row_of_up_to_three_cells_gives_a_masked_count_away():
    """Every row of 2 or 3 categories with counts 0 to 12, under several secret orders."""
    for size in (2, 3):
        for values in itertools.product(range(13), repeat=size):
            row = dict(zip("abc", values, strict=False))
            for key in range(3):
                hidden = hidden_cells(row, THRESHOLD, key)
                if hidden:
                    possible = _possible(row, hidden)
                    assert all(len(v) >= 2 for v in possible.values()), (row, possible)
