"""Charts stay readable with real procedure names (issue #19): horizontal bars keep most of the
chart's width, the axis shows a cut name and the full one is in its tooltip and the table."""
from __future__ import annotations

import re

from console.conftest import InProcess
from kiosk_server.console import charts
from kiosk_server.console import labels as L


def _bars(svg: str) -> list[float]:
    return [float(w) for w in re.findall(r'<rect[^>]*class="rect reactive tooltip-trigger"'
                                         r'[^>]*width="([\d.]+)"', svg)
            + re.findall(r'<rect[^>]*width="([\d.]+)"[^>]*class="rect reactive tooltip-trigger"',
                         svg)]


def test_long_procedure_names_no_longer_crush_the_bars(console_app: InProcess):
    console_app.login("resp-nord")
    page = console_app.client.get("/console/stats/demarches?periode=12_mois").text
    for key in ("demarches", "autonomie"):
        svg = re.search(rf'id="figure-{key}".*?(<svg.*?</svg>)', page, re.DOTALL).group(1)
        longest = L.procedure("impots-premiere-connexion")
        assert len(longest) > charts.BAR_LABEL_CHARS
        # the axis label is cut, its <title> (the browser's tooltip) says it in full
        assert f"<title>{longest}</title>".replace("'", "&#39;") in svg.replace("'", "&#39;")
        assert longest[:charts.BAR_LABEL_CHARS - 1] + "…" in svg
        widths = _bars(svg)
        assert widths, key
        assert max(widths) >= 0.4 * 600, (key, max(widths))  # the biggest bar: 40 % or more
    table = re.search(r'id="table-demarches".*?</table>', page, re.DOTALL).group(0)
    assert L.procedure("impots-premiere-connexion").replace("'", "&#39;") in table
