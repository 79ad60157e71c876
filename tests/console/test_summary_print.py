"""The printable summary really prints on one A4 page with real names and big figures (issue
#19: it took two pages, the procedures table lost its "%" and the last key-figure card was
cut): Chromium prints it to PDF (pages counted with pypdf), and in print layout no card, value
or cell overflows its box. SQLite and PostgreSQL, `kiosk-server run` in its own process."""
from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from console.conftest import log_in
from kiosk_server import tables as t
from kiosk_server.ingest import ingest
from kiosk_server.tenancy import KioskIdentity
from kiosk_wire import catalogue
from kiosk_wire.schema import SessionRecord

pytestmark = [pytest.mark.browser]

OVERFLOWING = """(selector) => [...document.querySelectorAll(selector)]
    .filter(e => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
    .map(e => e.textContent.trim())"""


def _every_procedure(console_server: Any) -> int:
    """FS Rennes practises every shipped procedure (the longest names), with every theme; its
    sessions are then made a national site's (a 7-digit count), to print the widest figures."""
    seed = console_server.seed
    site = seed.sites["FS Rennes"]
    kiosk_id, _ = seed.kiosks[("FS Rennes", "borne-1")]
    who = KioskIdentity(kiosk_id, site, seed.territories["Bretagne"], "borne-1")
    rng = random.Random(6)
    records = []
    for entry in catalogue.shipped().values():
        for _ in range(rng.randint(3, 9)):
            steps = max(1, len(entry.steps_fr))
            reached = rng.randint(1, steps)
            records.append(SessionRecord.model_validate({
                "event_id": str(uuid.uuid4()), "day": str(seed.today), "hour": 10,
                "duration_min": 25, "language": "fr", "accessibility": [],
                "end_reason": "finished",
                "activities": [{"kind": "practice", "procedure_id": entry.id,
                                "theme": entry.theme, "steps_total": steps,
                                "steps_reached": reached, "completed": reached == steps}]}))
    ingest(console_server.engine, who, records)
    with console_server.engine.begin() as conn:
        a = t.agg_sessions
        row = conn.execute(sa.select(a.c.period, a.c.kiosk_id, a.c.language, a.c.end_reason,
                                     a.c.duration_bucket)
                           .where(a.c.grain == "D", a.c.site_id == site,
                                  a.c.period == seed.today).limit(1)).one()
        for grain, period in (("D", row.period), ("M", row.period.replace(day=1))):
            conn.execute(a.update().where(a.c.grain == grain, a.c.site_id == site,
                                          a.c.period == period, a.c.kiosk_id == row.kiosk_id,
                                          a.c.language == row.language,
                                          a.c.end_reason == row.end_reason,
                                          a.c.duration_bucket == row.duration_bucket)
                         .values(sessions=a.c.sessions + 1_234_567,
                                 duration_min=a.c.duration_min + 98_765_432))
    return site


def test_the_summary_prints_on_one_a4_page_with_nothing_cut(browser_page, console_server,
                                                            artifacts_dir, tmp_path):
    site = _every_procedure(console_server)
    page = browser_page
    log_in(page, "admin")
    page.goto(f"/console/summary?site={site}&periode=3_mois")
    page.emulate_media(media="print")
    engine = "postgres" if console_server.database_url.startswith("postgresql") else "sqlite"
    page.screenshot(path=str(artifacts_dir / f"{engine}-summary-print.png"), full_page=True)
    pdf = artifacts_dir / f"{engine}-summary.pdf"
    page.pdf(path=str(pdf), format="A4", prefer_css_page_size=True)
    assert len(PdfReader(str(pdf)).pages) == 1
    text = PdfReader(str(pdf)).pages[0].extract_text()
    assert "1 2" in text.replace("\u202f", " ")  # the 7-digit count is printed

    assert page.locator("li.kpi").count() == 10
    assert page.evaluate(OVERFLOWING, "li.kpi, li.kpi .value, li.kpi .label") == []
    assert page.evaluate(OVERFLOWING, ".summary-grid td, .summary-grid thead th, "
                                      "#summary-par_jour th") == []
    top = page.locator(".summary-grid section").filter(has_text="Démarches les plus pratiquées")
    header = top.locator("thead th").all_inner_texts()
    rate = header.index("Taux de réussite")
    rates = [r.locator("td").nth(rate - 1).inner_text() for r in top.locator("tbody tr").all()]
    assert len(rates) == 5 and all(r.endswith("%") for r in rates), rates
    # Every card and table inside the printed sheet's width.
    width = page.evaluate("document.querySelector('.sheet').getBoundingClientRect().right")
    rights = page.evaluate("[...document.querySelectorAll('li.kpi, .summary-grid section')]"
                           ".map(e => e.getBoundingClientRect().right)")
    assert max(rights) <= width + 1
