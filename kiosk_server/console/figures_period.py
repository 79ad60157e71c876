"""The period filter: presets ("ce mois-ci", "les 12 derniers mois"...) and custom ranges,
checked and worded in French for the user."""
from __future__ import annotations

import calendar
import datetime as dt

from kiosk_server.console import labels as L
from kiosk_server.queries import Period

PRESETS: dict[str, str] = {
    "mois": "Ce mois-ci",
    "mois_precedent": "Le mois dernier",
    "30_jours": "Les 30 derniers jours",
    "3_mois": "Les 3 derniers mois",
    "12_mois": "Les 12 derniers mois",
    "annee": "Cette année",
    "perso": "Période personnalisée",
}
MAX_SPAN_DAYS = 3 * 366
MAX_DAILY_DAYS = 92  # longer periods are drawn per week or per month


class PeriodError(ValueError):
    """A custom period that cannot be used; the message is French, for the user."""

def resolve_period(preset: str | None, start: str | None, end: str | None,
                   today: dt.date | None = None) -> tuple[Period, str]:
    today = today or dt.date.today()
    preset = preset if preset in PRESETS else "mois"
    if preset == "perso":
        try:
            first = dt.date.fromisoformat((start or "").strip())
            last = dt.date.fromisoformat((end or "").strip())
        except ValueError:
            raise PeriodError("Dates invalides : indiquez un début et une fin au format "
                              "jj/mm/aaaa.") from None
        if last < first:
            raise PeriodError("La fin de la période est avant son début.")
        if (last - first).days > MAX_SPAN_DAYS:
            raise PeriodError("La période ne peut pas dépasser 3 ans.")
        return Period(first, last), f"du {first:%d/%m/%Y} au {last:%d/%m/%Y}"
    month_start = today.replace(day=1)
    if preset == "mois_precedent":
        last = month_start - dt.timedelta(days=1)
        return Period(last.replace(day=1), last), L.month(last)
    if preset == "30_jours":
        return Period(today - dt.timedelta(days=29), today), PRESETS[preset].lower()
    if preset == "3_mois":
        return Period.last_months(3, today), PRESETS[preset].lower()
    if preset == "12_mois":
        return Period.last_months(12, today), PRESETS[preset].lower()
    if preset == "annee":
        return Period(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)), str(today.year)
    return Period(month_start, month_start.replace(
        day=calendar.monthrange(today.year, today.month)[1])), L.month(today)
