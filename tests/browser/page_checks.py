"""What a person with a phone, a finger or a screen reader would notice, measured in the page."""

from __future__ import annotations

from pathlib import Path

INTERACTIVE_ROLES = {"button", "link", "textbox", "combobox", "checkbox", "spinbutton", "slider", "radio",
                     "switch", "searchbox", "menuitem", "tab"}

# Each visible control: its size, or that of the label wrapping it (a checkbox's target is its label).
TARGETS_JS = """() => [...document.querySelectorAll('button, a[href], input, select, textarea')]
  .filter((e) => e.offsetParent !== null && !e.closest('[hidden]'))
  .map((e) => {
    const target = e.type === 'checkbox' && e.closest('label') ? e.closest('label') : e;
    const box = target.getBoundingClientRect();
    return {what: e.outerHTML.slice(0, 80), width: box.width, height: box.height};
  })"""

# WCAG contrast of every visible text against the background it is drawn on.
CONTRAST_JS = """() => {
  const rgb = (text) => (text.match(/[\\d.]+/g) || []).map(Number);
  const lum = ([r, g, b]) => [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; })
    .reduce((sum, v, i) => sum + v * [0.2126, 0.7152, 0.0722][i], 0);
  const background = (element) => {
    for (let e = element; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0.5)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const problems = [];
  for (const e of document.querySelectorAll('body *')) {
    if (e.closest('svg') || e.offsetParent === null) continue;
    if (![...e.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
    const style = getComputedStyle(e);
    if (e.disabled || e.closest('[disabled]')) continue;
    const a = lum(rgb(style.color)), b = lum(background(e));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    const size = parseFloat(style.fontSize), bold = Number(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) problems.push(`${e.outerHTML.slice(0, 80)}: ${ratio.toFixed(2)} < ${needed}`);
  }
  return problems;
}"""


def small_targets(page, minimum: float = 44) -> list[str]:
    return [f"{t['what']} is {t['width']:.0f}×{t['height']:.0f}" for t in page.evaluate(TARGETS_JS)
            if t["width"] < minimum or t["height"] < minimum]


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def unnamed_controls(page) -> list[str]:
    """Controls that a screen reader would announce without a name, from Chromium's accessibility tree."""
    session = page.context.new_cdp_session(page)
    try:
        nodes = session.send("Accessibility.getFullAXTree")["nodes"]
    finally:
        session.detach()
    problems = []
    for node in nodes:
        role = node.get("role", {}).get("value")
        if node.get("ignored") or role not in INTERACTIVE_ROLES:
            continue
        if not (node.get("name", {}).get("value") or "").strip():
            problems.append(f"{role} #{node.get('backendDOMNodeId')}")
    return problems


def low_contrast(page) -> list[str]:
    return page.evaluate(CONTRAST_JS)


AXE = Path(__file__).resolve().parent / "vendor" / "axe-core" / "axe.min.js"


def accessibility_violations(page, impacts: tuple[str, ...] = ("serious", "critical")) -> list[str]:
    """axe-core's findings on the page as shown, those of the given impact, one line each."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.add_script_tag(path=str(AXE))
    results = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                            ".map((v) => ({id: v.id, impact: v.impact, help: v.help,"
                            " nodes: v.nodes.map((n) => n.target.join(' ')).slice(0, 5)}))")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {', '.join(v['nodes'])}" for v in results
            if v["impact"] in impacts]
