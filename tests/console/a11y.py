"""Accessibility checks of a console page in real Chromium: axe-core (4.12, shipped inside the
`axe-playwright-python` test dependency and injected into the page, no CDN) on the WCAG 2.2 A/AA
rules, plus checks of our own it does not make or makes more loosely: text contrast computed
from the rendered colours (WCAG 1.4.3: 4.5:1, 3:1 for large text; chart labels included), the
focus ring against what surrounds it (1.4.11: 3:1), and, from Playwright's
ARIA snapshot (the accessibility tree Chromium exposes), controls without a name, a page without
its one h1, and pages without a language. Each check returns the problems in words, so a
failure names them."""
from __future__ import annotations

import re
from typing import Any

# Runs in the page: every element with text of its own, its colour and the colour it sits on
# (the first ancestor with an opaque background; semi-transparent layers are blended on it).
_CONTRASTS_JS = r"""
() => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    const p = m[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const lum = ([r, g, b]) => { const f = v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3]));
  const backdrop = el => { const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) { layers.push(c); if (c[3] >= 1) break; } }
    let colour = [255, 255, 255];
    for (const layer of layers.reverse()) colour = over(layer, colour);
    return colour; };
  const visible = el => { const r = el.getBoundingClientRect(); const s = getComputedStyle(el);
    return r.width > 1 && r.height > 1 && s.visibility !== "hidden" && s.opacity !== "0"
      && !el.closest("[hidden], .sr-only, .skip, dialog:not([open]), svg"); };
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!own || !visible(el)) continue;
    const s = getComputedStyle(el);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    const fg = parse(s.color), bg = backdrop(el);
    out.push({text: el.textContent.trim().slice(0, 40), tag: el.tagName.toLowerCase(),
              cls: el.className && el.className.baseVal === undefined ? el.className : "",
              ratio: ratio(over(fg, bg), bg),
              large: size >= 24 || (bold && size >= 18.66)});
  }
  // Chart labels (SVG text): their fill on what the chart sits on (the charts draw no
  // background of their own behind their labels).
  for (const el of document.querySelectorAll("svg text")) {
    const r = el.getBoundingClientRect(), s = getComputedStyle(el), fg = parse(s.fill);
    if (r.width < 1 || !fg || !el.textContent.trim() || el.closest("[hidden]")) continue;
    const bg = backdrop(el.closest("svg").parentElement);
    const size = parseFloat(s.fontSize), bold = parseInt(s.fontWeight, 10) >= 700;
    out.push({text: el.textContent.trim().slice(0, 40), tag: "svg text", cls: "",
              ratio: ratio(over([fg[0], fg[1], fg[2], fg[3] * parseFloat(s.fillOpacity)], bg),
                           bg),
              large: size >= 24 || (bold && size >= 18.66)});
  }
  return out;
}
"""

_FOCUS_JS = r"""
() => {
  const parse = c => { const m = c.match(/rgba?\(([^)]+)\)/); if (!m) return null;
    return m[1].split(/[ ,\/]+/).filter(Boolean).map(Number); };
  const lum = ([r, g, b]) => { const f = v => { v /= 255;
    return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b); };
  const ratio = (a, b) => { const x = lum(a), y = lum(b);
    return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  const around = el => { for (let e = el.parentElement; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor); if (c && (c[3] ?? 1) >= 1) return c; }
    return [255, 255, 255]; };
  const out = [];
  const focusable = "a[href], button, input:not([type=hidden]), select, textarea";
  for (const el of document.querySelectorAll(focusable)) {
    const r = el.getBoundingClientRect();
    if (r.width < 1 || el.closest("dialog:not([open]), [hidden]")) continue;
    el.focus();
    const s = getComputedStyle(el);
    const ring = parse(s.outlineColor), width = parseFloat(s.outlineWidth);
    const shown = s.outlineStyle !== "none" && width >= 2 && ring;
    const words = (el.textContent || el.name || "").trim().slice(0, 30);
    out.push({what: el.tagName.toLowerCase() + " " + words,
              ratio: shown ? ratio(ring, around(el)) : 0});
    el.blur();
  }
  return out;
}
"""

NAMED_ROLES = ("button", "link", "textbox", "combobox", "checkbox", "radio", "spinbutton",
               "searchbox", "listbox", "img")


def contrast_problems(page: Any) -> list[str]:
    problems = []
    for item in page.evaluate(_CONTRASTS_JS):
        needed = 3.0 if item["large"] else 4.5
        if item["ratio"] < needed - 0.005:  # rounding of the colours the browser computes
            problems.append(f"{item['ratio']:.2f}:1 < {needed}:1 — <{item['tag']} "
                            f"class=\"{item['cls']}\"> {item['text']!r}")
    return problems


def focus_problems(page: Any) -> list[str]:
    return [f"focus ring {f['ratio']:.2f}:1 < 3:1 — {f['what']!r}"
            for f in page.evaluate(_FOCUS_JS) if f["ratio"] < 3.0]


def tree_problems(page: Any) -> list[str]:
    """From the ARIA snapshot: a control with no accessible name, not exactly one h1, no lang."""
    tree = page.locator("body").aria_snapshot()
    problems = [f"no accessible name: {line.strip()}" for line in tree.splitlines()
                if re.fullmatch(rf"\s*- ({'|'.join(NAMED_ROLES)})(\s*\[[^\]]*\])*:?\s*",
                                line)]
    h1 = len(re.findall(r"^\s*- '?heading .*\[level=1\]", tree, flags=re.M))
    if h1 != 1:
        problems.append(f"{h1} headings of level 1 (one expected)")
    if not page.evaluate("document.documentElement.lang"):
        problems.append("no lang on <html>")
    return problems


# The WCAG 2.0, 2.1 and 2.2 level A and AA rules (axe tags its 2.2 level-A rules wcag2a/wcag21a).
AXE_TAGS = ("wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa")


def axe_problems(page: Any) -> list[str]:
    """One axe-core run on the page as it is; each violated rule in words, with every element
    (CSS selector) that violates it."""
    from axe_playwright_python.sync_playwright import Axe  # test extra; imported where used

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": list(AXE_TAGS)},
                                       "resultTypes": ["violations"]})
    problems = []
    for rule in results.response["violations"]:
        targets = ", ".join(" ".join(map(str, node["target"])) for node in rule["nodes"])
        problems.append(f"axe {rule['id']} ({rule.get('impact') or 'n/a'}): {rule['help']} — "
                        f"{targets}")
    return problems


def page_problems(page: Any) -> list[str]:
    return (axe_problems(page) + contrast_problems(page) + focus_problems(page)
            + tree_problems(page))
