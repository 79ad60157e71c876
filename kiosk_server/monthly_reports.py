"""Monthly reports: on the 1st of each month, every site's summary of the month before as a PDF
(kiosk_server/console/report_pdf.py), kept in ``monthly_reports`` for the console to list and
serve, and e-mailed when a relay is set (kiosk_server/report_mail.py).

Scheduled the way the server already does its periodic work (the retention purge): a task in
every server process (app.py) runs a pass at start and then every ``CHECK_EVERY_S``. A pass makes
the reports still missing for the last whole month, so a server that was down on the 1st
catches up when it comes back, and no timer or cron has to be installed beside the service.
Several processes may run passes at once: a (site, month) has one row (a unique key), the first
insert wins and the others are dropped; an e-mail is sent by whoever claims the row's
``mailed_at`` first, and given back if the relay fails (retried at the next pass).
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from kiosk_server import tables as t
from kiosk_server.console import exports, report_pdf
from kiosk_server.console.labels import MONTHS
from kiosk_server.console.summary import summary
from kiosk_server.procedures import titles
from kiosk_server.queries import Period, Scope
from kiosk_server.report_mail import Mailer, MailError

log = logging.getLogger(__name__)

CHECK_EVERY_S = 3600


def last_whole_month(today: dt.date) -> Period:
    first = today.replace(day=1)
    end = first - dt.timedelta(days=1)
    return Period(end.replace(day=1), end)


def month_label(month: dt.date) -> str:
    return f"{MONTHS[month.month - 1]} {month.year}"


def filename(site: str, month: dt.date) -> str:
    """``rapport_fs-lille_2026-11-01_2026-11-30.pdf``: named as the console's exports are
    (ASCII, ISO dates), whatever the site's name."""
    return exports.filename("rapport", site, last_whole_month(
        (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)), "pdf")


def _sites_without_report(conn: Connection, month: dt.date) -> list[Any]:
    done = sa.select(t.monthly_reports.c.site_id).where(t.monthly_reports.c.month == month)
    return list(conn.execute(
        sa.select(t.sites.c.id, t.sites.c.name, t.territories.c.name.label("territory"))
        .select_from(t.sites.join(t.territories))
        .where(t.sites.c.id.not_in(done)).order_by(t.sites.c.id)))


def make_report(engine: Engine, site: Any, period: Period, today: dt.date) -> bool:
    """Make and keep one site's report; False when another process kept it first."""
    with engine.connect() as conn:
        titles.refresh(conn)  # procedures written in the console named by title
        content = summary(conn, Scope(site_id=site.id), period)
    pdf = report_pdf.render(content, f"{site.name} ({site.territory})",
                            month_label(period.start), period.start, period.end, today)
    try:
        with engine.begin() as conn:
            conn.execute(t.monthly_reports.insert().values(
                site_id=site.id, month=period.start, pdf=pdf,
                created_at=dt.datetime.now(dt.UTC)))
    except sa.exc.IntegrityError:
        return False
    return True


def mail_unsent(engine: Engine, mailer: Mailer, month: dt.date) -> int:
    """E-mail the month's reports not yet sent; returns how many went."""
    with engine.connect() as conn:
        waiting = [r.id for r in conn.execute(
            sa.select(t.monthly_reports.c.id).where(t.monthly_reports.c.month == month,
                                                    t.monthly_reports.c.mailed_at.is_(None)))]
    sent = 0
    for report_id in waiting:
        with engine.begin() as conn:  # claim it: another process may be at the same row
            claimed = conn.execute(t.monthly_reports.update()
                                   .where(t.monthly_reports.c.id == report_id,
                                          t.monthly_reports.c.mailed_at.is_(None))
                                   .values(mailed_at=dt.datetime.now(dt.UTC))).rowcount
        if not claimed:
            continue
        site, pdf = _report_with_site(engine, report_id)
        label = month_label(month)
        try:
            mailer.send(f"Bornes · {site} · rapport de {label}",
                        f"Bonjour,\n\nVoici le résumé d'activité des bornes de {site} pour "
                        f"{label} (PDF joint).\nIl reste téléchargeable dans la console, page "
                        "« Rapports mensuels ».\n", filename(site, month), pdf)
            sent += 1
        except MailError:
            log.exception("monthly report %s not e-mailed; tried again at the next pass",
                          report_id)
            with engine.begin() as conn:
                conn.execute(t.monthly_reports.update()
                             .where(t.monthly_reports.c.id == report_id)
                             .values(mailed_at=None))
    return sent


def _report_with_site(engine: Engine, report_id: int) -> tuple[str, bytes]:
    with engine.connect() as conn:
        row = conn.execute(sa.select(t.sites.c.name, t.monthly_reports.c.pdf)
                           .select_from(t.monthly_reports.join(t.sites))
                           .where(t.monthly_reports.c.id == report_id)).one()
    return row.name, bytes(row.pdf)


def run_pass(engine: Engine, mailer: Mailer | None, today: dt.date | None = None) -> int:
    """Make the last whole month's missing reports (and e-mail them); returns how many made."""
    today = today or dt.date.today()
    period = last_whole_month(today)
    with engine.connect() as conn:
        sites = _sites_without_report(conn, period.start)
    made = 0
    for site in sites:
        try:
            made += make_report(engine, site, period, today)
        except report_pdf.ReportError:
            log.exception("monthly reports cannot be made on this server")
            break
    if mailer is not None:
        mail_unsent(engine, mailer, period.start)
    return made


# --- the console's side ----------------------------------------------------------------------
def reports_of(conn: Connection, site_ids: list[int] | None) -> list[dict[str, Any]]:
    """The kept reports of some sites (None: every site), newest month first."""
    r = t.monthly_reports.c
    q = (sa.select(r.id, r.site_id, r.month, r.created_at, r.mailed_at,
                   sa.func.length(r.pdf).label("size"), t.sites.c.name.label("site"),
                   t.territories.c.name.label("territory"))
         .select_from(t.monthly_reports.join(t.sites).join(t.territories))
         .order_by(r.month.desc(), t.territories.c.name, t.sites.c.name))
    if site_ids is not None:
        q = q.where(r.site_id.in_(site_ids))
    return [dict(row._mapping) for row in conn.execute(q)]


def report(conn: Connection, report_id: int) -> Any:
    """(site_id, site, month, pdf) of one report, or None."""
    return conn.execute(sa.select(t.monthly_reports.c.site_id, t.sites.c.name.label("site"),
                                  t.monthly_reports.c.month, t.monthly_reports.c.pdf)
                        .select_from(t.monthly_reports.join(t.sites))
                        .where(t.monthly_reports.c.id == report_id)).first()
