"""Dashboards, exports and the printable summary, for managers and admins.

Filters travel in the query string (bookmarkable, shareable with a colleague of the same
scope): ``periode`` (a preset of figures.PRESETS, or ``perso`` with ``debut``/``fin``),
``territoire``, ``site``, ``borne`` (a kiosk), and per page ``par`` (jour/semaine/mois) or
``demarche``. The place is resolved through access.stats_place on every request, exports
included; a kiosk is allowed exactly when its site is.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any
from urllib.parse import urlencode

import sqlalchemy as sa
from fastapi import APIRouter
from sqlalchemy.engine import Connection
from starlette.requests import Request
from starlette.responses import Response

from kiosk_server import tables as t
from kiosk_server.console import access, exports, exports_coop, figures, report_pdf, stats_content
from kiosk_server.console import summary as one_page
from kiosk_server.console.access import Place
from kiosk_server.console.auth import ConsoleDenied, ConsoleUser
from kiosk_server.console.web import XLSX, Console, console, download, page, user_of
from kiosk_server.queries import Period, Scope

router = APIRouter()


@dataclass
class Filters:
    preset: str
    start: str
    end: str
    territory_id: int | None
    site_id: int | None
    extra: dict[str, str]
    kiosk_id: int | None = None

    def query(self, **changes: Any) -> str:
        values: dict[str, Any] = {"periode": self.preset, "territoire": self.territory_id,
                                  "site": self.site_id, "borne": self.kiosk_id, **self.extra}
        if self.preset == "perso":
            values.update(debut=self.start, fin=self.end)
        values.update(changes)
        return urlencode({k: v for k, v in values.items() if v not in (None, "")})


def _int(value: str | None) -> int | None:
    if value is None or value.strip() == "":
        return None
    try:
        return int(value)
    except ValueError:
        raise ConsoleDenied("Filtre invalide.") from None


def _filters(request: Request) -> Filters:
    p = request.query_params
    extra = {k: p[k][:64] for k in ("par", "demarche") if p.get(k)}
    territory, site = _int(p.get("territoire")), _int(p.get("site"))
    kiosk = _int(p.get("borne"))
    place = p.get("lieu")
    if place is not None:  # the filter form's one select: "", "t:<id>", "s:<id>" or "k:<id>"
        territory = _int(place[2:]) if place.startswith("t:") else None
        site = _int(place[2:]) if place.startswith("s:") else None
        kiosk = _int(place[2:]) if place.startswith("k:") else None
    return Filters(p.get("periode") or "mois", p.get("debut", "")[:10], p.get("fin", "")[:10],
                   territory, site, extra, kiosk)


def _place(conn: Connection, user: ConsoleUser, f: Filters) -> Place:
    """The place asked for; a kiosk through its site, so a kiosk outside the user's scope, an
    unknown one, or one named with another site get the same refusal as a forbidden site."""
    if f.kiosk_id is None:
        return access.stats_place(conn, user, f.territory_id, f.site_id)
    kiosk = conn.execute(sa.select(t.kiosks.c.site_id, t.kiosks.c.name)
                         .where(t.kiosks.c.id == f.kiosk_id)).first()
    if kiosk is None or (f.site_id is not None and f.site_id != kiosk.site_id):
        raise ConsoleDenied()
    site = access.stats_place(conn, user, None, kiosk.site_id)
    return replace(site, scope=Scope(site_id=kiosk.site_id, kiosk_id=f.kiosk_id),
                   label=f"Borne {kiosk.name} · {site.label}")


def _with_kiosks(conn: Connection, tree: list[dict[str, Any]], place: Place
                 ) -> list[dict[str, Any]]:
    """The filter's places, with the kiosks of the site in focus (the site shown, or the shown
    kiosk's site; a user's only site): a kiosk is chosen within its site, and a national list
    of every kiosk would weigh more than the page."""
    sites = {s["id"]: s for terr in tree for s in terr["sites"]}
    for s in sites.values():
        s["kiosks"] = []
    focus = place.site_id if place.site_id in sites else (
        next(iter(sites)) if len(sites) == 1 else None)
    if focus is not None:
        for row in conn.execute(sa.select(t.kiosks.c.id, t.kiosks.c.name)
                                .where(t.kiosks.c.site_id == focus).order_by(t.kiosks.c.name)):
            sites[focus]["kiosks"].append({"id": row.id, "name": row.name})
    return tree


def _resolve(ctx: Console, user: ConsoleUser, f: Filters
             ) -> tuple[Place, Period | None, str, str, list[dict[str, Any]]]:
    with ctx.engine.connect() as conn:
        place = _place(conn, user, f)
        tree = _with_kiosks(conn, access.visible_tree(conn, user), place)
    try:
        period, period_label = figures.resolve_period(f.preset, f.start, f.end)
        error = ""
    except figures.PeriodError as err:
        period, period_label, error = None, "", str(err)
    return place, period, period_label, error, tree


@router.get("/console/stats", include_in_schema=False)
@router.get("/console/stats/{name}", include_in_schema=False)
def stats_page(request: Request, name: str = "synthese") -> Response:
    if name not in figures.PAGES:
        raise ConsoleDenied("Cette page n'existe pas.")
    user = user_of(request)
    ctx = console(request)
    f = _filters(request)
    place, period, period_label, error, tree = _resolve(ctx, user, f)
    content = stats_content.PageContent([], [], [])
    if period is not None:
        with ctx.engine.connect() as raw:
            content = stats_content.page_content(raw, name, place, period, ctx.threshold,
                                                 f.extra, _site_ids(place, tree),
                                                 dt.date.today(), heartbeat_s=ctx.heartbeat_s)
    return page(request, "stats.html", user, section="stats", name=name, pages=figures.PAGES,
                presets=figures.PRESETS, filters=f, place=place, period=period,
                period_label=period_label, error=error, tree=tree, tables=content.tables,
                key_figures=content.key_figures, procedures=content.procedures,
                threshold=ctx.threshold,
                status=400 if error else 200)


def _site_ids(place: Place, tree: list[dict[str, Any]]) -> list[int] | None:
    """The sites whose live help calls the figures count; None nationally and for one kiosk
    (help calls are timed per site: a kiosk's figure would be its site's)."""
    if place.scope.kiosk_id is not None:
        return None
    if place.site_id is not None:
        return [place.site_id]
    if place.territory_id is not None:
        return [s["id"] for terr in tree if terr["id"] == place.territory_id for s in terr["sites"]]
    return None


def _export_tables(request: Request) -> tuple[Place, str, Period, list[figures.Table]]:
    user = user_of(request)
    ctx = console(request)
    f = _filters(request)
    place, period, period_label, error, tree = _resolve(ctx, user, f)
    if period is None:
        raise ConsoleDenied(error)
    with ctx.engine.connect() as raw:
        conn: Any = figures.MemoConnection(raw)
        tables = figures.export_tables(conn, place.scope, period, ctx.threshold,
                                       _site_ids(place, tree))
        tables[1:1] = stats_content.comparison_tables(conn, place, period, ctx.threshold,
                                                      ctx.heartbeat_s)
    label = f"{period_label} ({period.start:%d/%m/%Y} – {period.end:%d/%m/%Y})"
    return place, label, period, tables


@router.get("/console/export.csv", include_in_schema=False)
def export_csv(request: Request) -> Response:
    place, label, period, tables = _export_tables(request)
    name = exports.filename("statistiques", place.label, period, "csv")
    return download(exports.to_csv(tables, place.label, label), name, "text/csv; charset=utf-8")


@router.get("/console/export.xlsx", include_in_schema=False)
def export_xlsx(request: Request) -> Response:
    place, label, period, tables = _export_tables(request)
    name = exports.filename("statistiques", place.label, period, "xlsx")
    return download(exports.to_xlsx(tables, place.label, label), name, XLSX)


def _coop(request: Request) -> tuple[Place, Period, list[exports_coop.Site],
                                     list[exports_coop.Fact]]:
    user = user_of(request)
    ctx = console(request)
    f = _filters(request)
    place, period, _label, error, _tree = _resolve(ctx, user, f)
    if period is None:
        raise ConsoleDenied(error)
    if place.scope.kiosk_id is not None:
        raise ConsoleDenied("L'export Coop se fait par site : choisissez le site de la borne.")
    with ctx.engine.connect() as conn:
        sites = exports_coop.sites_of(conn, place.scope)
        rows = exports_coop.facts(conn, sites, period, ctx.threshold)
    return place, period, sites, rows


@router.get("/console/export-coop.xlsx", include_in_schema=False)
def export_coop_xlsx(request: Request) -> Response:
    place, period, sites, rows = _coop(request)
    name = exports.filename("coop", place.label, period, "xlsx")
    return download(exports_coop.to_xlsx(rows, sites, period), name, XLSX)


@router.get("/console/export-coop.csv", include_in_schema=False)
def export_coop_csv(request: Request) -> Response:
    place, period, _sites, rows = _coop(request)
    name = exports.filename("coop", place.label, period, "csv")
    return download(exports_coop.to_csv(rows), name, "text/csv; charset=utf-8")


@router.get("/console/summary", include_in_schema=False)
def summary(request: Request) -> Response:
    """One printable page per place and period (print CSS: A4 portrait)."""
    user = user_of(request)
    ctx = console(request)
    f = _filters(request)
    place, period, period_label, error, _tree = _resolve(ctx, user, f)
    if period is None:
        raise ConsoleDenied(error)
    with ctx.engine.connect() as raw:
        content = one_page.summary(raw, place.scope, period)
    return page(request, "summary.html", user, place=place, period=period,
                period_label=period_label, key_figures=content.key_figures,
                tables=content.tables, filters=f, now_fr=dt.date.today().strftime("%d/%m/%Y"))


@router.get("/console/summary.pdf", include_in_schema=False)
def summary_pdf(request: Request) -> Response:
    """The same page as a PDF made by the server, for any place and period the manager picks
    (the monthly reports are these, made on the 1st for every site)."""
    user = user_of(request)
    ctx = console(request)
    f = _filters(request)
    place, period, period_label, error, _tree = _resolve(ctx, user, f)
    if period is None:
        raise ConsoleDenied(error)
    with ctx.engine.connect() as raw:
        content = one_page.summary(raw, place.scope, period)
    try:
        pdf = report_pdf.render(content, place.label, period_label, period.start, period.end,
                                dt.date.today())
    except report_pdf.ReportError:
        raise ConsoleDenied("Le PDF ne peut pas être fait sur ce serveur (police manquante) : "
                            "imprimez le résumé depuis votre navigateur.") from None
    name = exports.filename("resume", place.label, period, "pdf")
    return download(pdf, name, "application/pdf")
