"""The console at 320 CSS pixels wide (WCAG 1.4.10, reflow: a 1280 px screen at 400 % zoom), with
JavaScript off: no page scrolls sideways (a wide table scrolls inside its own box), and every box
that scrolls sideways can be scrolled from the keyboard — it takes the focus as a named region
(tabindex="0", role="region", aria-label) or holds something that does (WCAG 2.1.1, axe's
scrollable-region-focusable). Then axe-core on the statistics pages beyond their default view:
other periods (a day-by-day month, a year by month, a custom range) and filters (a territory, a
site, a kiosk), where other tables and notes appear."""
from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from console.a11y import axe_problems
from console.conftest import ConsoleServer, log_in
from kiosk_server.console.figures import PAGES

pytestmark = [pytest.mark.browser]

# Runs in the page: how far the page itself scrolls sideways, and the boxes that scroll
# sideways with no way in for the keyboard.
_REFLOW_JS = r"""
() => {
  const root = document.documentElement;
  const stuck = [];
  for (const el of document.querySelectorAll("body *")) {
    const s = getComputedStyle(el);
    if (!["auto", "scroll"].includes(s.overflowX)) continue;
    if (el.scrollWidth <= el.clientWidth + 1) continue;
    const region = el.getAttribute("tabindex") === "0" && el.getAttribute("role") === "region"
      && (el.getAttribute("aria-label") || "").trim();
    const inside = el.querySelector("a[href], button, input, select, textarea, [tabindex]");
    if (!region && !inside) stuck.push(el.tagName.toLowerCase() + "." + el.className);
  }
  // What sticks out (outside any box that scrolls), innermost first: the failure names it.
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    if (el.getBoundingClientRect().right <= root.clientWidth + 1) continue;
    let boxed = false;
    for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
      if (["auto", "scroll"].includes(getComputedStyle(e).overflowX)) boxed = true;
    }
    if (!boxed)
      out.push(el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
               + " " + (el.textContent || "").trim().slice(0, 30));
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const range = document.createRange(); range.selectNodeContents(n);
    if (n.textContent.trim() && range.getBoundingClientRect().right > root.clientWidth + 1)
      out.push("text in " + n.parentElement.tagName.toLowerCase() + " "
               + n.textContent.trim().slice(0, 30));
  }
  const wide = Math.max(root.scrollWidth, document.body.scrollWidth);
  return {overflow: wide - root.clientWidth, stuck: stuck, out: out.slice(-6)};
}
"""


@pytest.fixture
def narrow(chromium: Any, console_server: ConsoleServer) -> Iterator[Any]:
    """A phone-sized window, 320 x 640 CSS pixels, JavaScript off."""
    context = chromium.new_context(base_url=console_server.url, locale="fr-FR",
                                   viewport={"width": 320, "height": 640},
                                   java_script_enabled=False)
    try:
        yield context.new_page()
    finally:
        context.close()


def _reflow(page: Any, path: str, found: dict[str, str]) -> None:
    answer = page.goto(path)
    assert answer is not None and answer.status == 200, (path, answer and answer.status)
    seen = page.evaluate(_REFLOW_JS)
    if seen["overflow"] > 0:
        found[path] = f"the page scrolls {seen['overflow']} px sideways: {seen['out']}"
    if seen["stuck"]:
        found[path] = f"boxes that scroll out of the keyboard's reach: {seen['stuck']}"


@pytest.mark.slow  # some 20 pages in one browser: ~10 s per engine
def test_every_console_page_reflows_at_320_px_and_its_wide_tables_scroll_by_keyboard(
        narrow, console_server):
    page, seed = narrow, console_server.seed
    found: dict[str, str] = {}
    _reflow(page, "/console/login", found)
    log_in(page, "resp-nord")
    for code in PAGES:
        _reflow(page, f"/console/stats/{code}?periode=12_mois", found)
    _reflow(page, "/console/stats/frequentation?periode=mois&par=jour", found)
    _reflow(page, "/console/summary?periode=mois_precedent", found)
    _reflow(page, "/console/rapports", found)
    _reflow(page, "/console/live", found)
    _reflow(page, f"/console/live/{seed.sites['FS Lille']}", found)
    page.context.clear_cookies()
    log_in(page, "admin")
    for path in ("/console/admin",
                 f"/console/admin/kiosks/{seed.kiosks[('FS Lille', 'borne-1')][0]}",
                 f"/console/admin/users/{seed.users['med-lille']}",
                 f"/console/admin/sites/{seed.sites['FS Lille']}"):
        _reflow(page, path, found)
    page.context.clear_cookies()
    log_in(page, "resp-lille")
    lille = seed.sites["FS Lille"]
    for path in ("/console/procedures", f"/console/procedures/sites/{lille}",
                 "/console/parcours", "/console/parcours/new", "/console/sites/browser",
                 f"/console/sites/{lille}/browser"):
        _reflow(page, path, found)
    assert not found, "\n".join(f"{path}: {what}" for path, what in found.items())


@pytest.mark.slow  # ~16 views, one axe run each: ~10 s per engine
def test_statistics_pages_pass_axe_in_other_periods_and_filters(browser_page, console_server):
    page, seed = browser_page, console_server.seed
    nord, lille = seed.territories["Nord"], seed.sites["FS Lille"]
    kiosk = seed.kiosks[("FS Lille", "borne-1")][0]
    views = [f"periode=mois&par=jour&territoire={nord}",
             f"periode=12_mois&par=mois&site={lille}",
             f"periode=perso&debut={seed.today.replace(day=1).isoformat()}"
             f"&fin={seed.today.isoformat()}&site={lille}&borne={kiosk}",
             "periode=annee&par=semaine"]
    log_in(page, "admin")
    found: dict[str, list[str]] = {}
    for code in PAGES:
        for query in views:
            path = f"/console/stats/{code}?{query}"
            answer = page.goto(path)
            assert answer is not None and answer.status == 200, path
            page.wait_for_load_state("load")
            problems = axe_problems(page)
            if problems:
                found[path] = problems
    assert not found, "\n".join(f"{path}:\n  " + "\n  ".join(p) for path, p in found.items())
