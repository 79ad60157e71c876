"""The monthly reports (kiosk_server/monthly_reports.py) in the console: the list of the reports
of the sites a manager may see (an admin: every site), and each one's PDF. Mediators have no
statistics, so no reports; a report of a site out of the user's places is "Accès refusé", as an
unknown one is (ids cannot be probed)."""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from kiosk_server import monthly_reports
from kiosk_server.console import access
from kiosk_server.console.auth import ConsoleDenied, ConsoleUser
from kiosk_server.console.web import console, download, page, user_of
from kiosk_server.tenancy import Role

router = APIRouter()


def _site_ids(conn: Any, user: ConsoleUser) -> list[int] | None:
    if user.role is Role.MEDIATOR:
        raise ConsoleDenied("Accès refusé : les rapports sont réservés aux responsables de site "
                            "et aux administrateurs.")
    if user.role is Role.ADMIN:
        return None
    return [s["id"] for s in access.live_sites(conn, user)]


@router.get("/console/rapports", include_in_schema=False)
def reports_page(request: Request) -> Response:
    user = user_of(request)
    with console(request).engine.connect() as conn:
        reports = monthly_reports.reports_of(conn, _site_ids(conn, user))
    for r in reports:
        r["label"] = monthly_reports.month_label(r["month"])
    return page(request, "reports.html", user, section="reports", reports=reports)


@router.get("/console/rapports/{report_id}.pdf", include_in_schema=False)
def report_file(request: Request, report_id: int) -> Response:
    user = user_of(request)
    with console(request).engine.connect() as conn:
        allowed = _site_ids(conn, user)
        row = monthly_reports.report(conn, report_id)
    if row is None or (allowed is not None and row.site_id not in allowed):
        raise ConsoleDenied()
    name = monthly_reports.filename(row.site, row.month)
    return download(bytes(row.pdf), name, "application/pdf")
