"""axe-core in the browser tests (issue 13, item 6): the vendored `axe.min.js` is loaded from the
app's own static files (so it runs offline and under the page's Content-Security-Policy) and run
on the whole page; the tests allow no serious or critical violation."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import Page

_RUN = """async () => {
  const result = await axe.run(document, { resultTypes: ["violations"] });
  return result.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map(n => n.target.join(" ") + " | " + n.failureSummary),
  }));
}"""


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """Every serious or critical axe violation on the page as it is now (empty: none)."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.add_script_tag(url="/static/vendor/axe.min.js")
    found: list[dict[str, Any]] = page.evaluate(_RUN)
    return [v for v in found if v["impact"] in ("serious", "critical")]
