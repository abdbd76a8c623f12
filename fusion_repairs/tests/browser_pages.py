"""The client's booking pages in headless Chromium (Playwright, Debian's /usr/bin/chromium), for
the accessibility tests: a page per state, at a given width, with axe-core's rules run on it.

Not a test module itself: ``test_booking_accessibility`` and ``test_booking_keyboard`` use it.
axe-core comes from npm (``package.json`` at the repository root pins it; ``npm ci`` installs
it, ``.ci/run`` does that); nothing of it is copied into the repository.
"""

import contextlib
import json
import os
import resource
import shutil
from pathlib import Path

from odoo.tests.common import HOST, TEST_CURSOR_COOKIE_NAME

REPO_DIR = Path(__file__).resolve().parents[2]
AXE_JS = Path(os.environ.get("FUSION_AXE_JS") or REPO_DIR / "node_modules" / "axe-core" / "axe.min.js")
# Debian's Chromium (Playwright downloads no browser of its own here)
CHROMIUM = os.environ.get("FUSION_CHROMIUM") or next(
    (path for name in ("chromium", "chromium-browser", "google-chrome") if (path := shutil.which(name))),
    "/usr/bin/chromium",
)
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run"]
INSTALL_HINT = (
    "Install the test tools: `npm ci` at the repository root ({repo}: package.json pins axe-core; "
    "`bash .ci/run` does it too) and `pip install -r requirements.txt` (playwright; the browser is "
    "Debian's chromium: `apt-get install chromium`)."
)
# WCAG 2.0, 2.1 and 2.2, levels A and AA
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# the smallest target a finger or a shaky hand can hit (WCAG 2.5.5, AAA: the spec asks it)
MIN_TARGET_PX = 44
# what a person can click or focus on these pages
INTERACTIVE = "a[href], button, summary, input:not([type=hidden]), select, textarea, [tabindex]:not([tabindex='-1'])"


def axe_source():
    """axe-core's script, or a failure that says how to install it (never a skip)."""
    if not AXE_JS.is_file():
        raise AssertionError(f"axe-core is missing ({AXE_JS} not found). " + INSTALL_HINT.format(repo=REPO_DIR))
    return AXE_JS.read_text(encoding="utf-8")


def sync_playwright():
    try:
        from playwright.sync_api import sync_playwright as start
    except ImportError as error:
        raise AssertionError(f"playwright is missing ({error}). " + INSTALL_HINT.format(repo=REPO_DIR)) from error
    if not Path(CHROMIUM).exists():
        raise AssertionError(f"Chromium is missing ({CHROMIUM}). " + INSTALL_HINT.format(repo=REPO_DIR))
    return start()


class BrowserPagesMixin:
    """Mixed into an ``HttpCase`` (with ``BookingHttpMixin``): ``with self._browser() as
    browser`` then ``browser.new_page(...)`` opens pages served by this test's server, in its
    transaction."""

    @contextlib.contextmanager
    def _browser(self):
        with self.allow_requests(), contextlib.ExitStack() as stack:
            # Odoo's server caps the process's address space (limit_memory_hard): Chromium
            # reserves more than that and dies at start; Odoo lifts the cap for its own
            # Chromium as well. Playwright's driver and its Chromium inherit the limit at start.
            soft, hard = resource.getrlimit(resource.RLIMIT_AS)
            resource.setrlimit(resource.RLIMIT_AS, (hard, hard))
            try:
                playwright = stack.enter_context(sync_playwright())
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            finally:
                resource.setrlimit(resource.RLIMIT_AS, (soft, hard))
            try:
                yield _Browser(self, browser)
            finally:
                browser.close()
                self._wait_remaining_requests()

    # ------------------------------------------------------------------
    # axe-core
    # ------------------------------------------------------------------

    def _axe_violations(self, page):
        """axe-core's WCAG 2.x A/AA violations of the page as it is now, with the collapsed
        parts (``<details>``) opened, so that what they hide is checked too."""
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        if not page.evaluate("typeof window.axe === 'object'"):
            page.add_script_tag(content=axe_source())
        return page.evaluate(
            """async (tags) => {
                const results = await axe.run(document, {
                    runOnly: { type: "tag", values: tags },
                    resultTypes: ["violations"],
                });
                return results.violations.map((v) => ({
                    id: v.id,
                    impact: v.impact,
                    help: v.help,
                    helpUrl: v.helpUrl,
                    nodes: v.nodes.map((n) => ({
                        target: n.target.join(" "),
                        summary: n.failureSummary,
                    })),
                }));
            }""",
            AXE_TAGS,
        )

    @staticmethod
    def _format_violations(violations):
        lines = []
        for violation in violations:
            lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
            for node in violation["nodes"]:
                summary = " ".join((node["summary"] or "").split())
                lines.append(f"    {node['target']}: {summary}")
        return "\n".join(lines)

    # ------------------------------------------------------------------
    # Targets
    # ------------------------------------------------------------------

    def _small_targets(self, page):
        """The visible interactive elements of the page smaller than 44 x 44 px. A radio
        button hidden under its label (Bootstrap's ``btn-check``) is measured by its label,
        which is what is clicked."""
        return page.evaluate(
            """([selector, minimum]) => {
                const small = [];
                for (let el of document.querySelectorAll(selector)) {
                    if (el.matches("input.btn-check") && el.labels && el.labels.length) {
                        el = el.labels[0];
                    }
                    const style = getComputedStyle(el);
                    if (style.visibility === "hidden" || style.display === "none") continue;
                    if (el.closest("details:not([open]) > :not(summary)")) continue;
                    const box = el.getBoundingClientRect();
                    if (!box.width && !box.height) continue;  // not rendered (visually hidden)
                    if (el.matches(".visually-hidden, .visually-hidden-focusable, .sr-only")) continue;
                    if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
                        const text = (el.innerText || el.getAttribute("aria-label") || el.value || "").trim();
                        small.push(`${el.tagName.toLowerCase()}.${[...el.classList].join(".")} "${text.slice(0, 40)}": `
                            + `${box.width.toFixed(1)} x ${box.height.toFixed(1)} px`);
                    }
                }
                return small;
            }""",
            [INTERACTIVE, MIN_TARGET_PX],
        )


class _Browser:
    def __init__(self, case, browser):
        self.case = case
        self.browser = browser

    def new_page(self, width, height=800, **kwargs):
        context = self.browser.new_context(viewport={"width": width, "height": height}, **kwargs)
        context.add_cookies(
            [{"name": TEST_CURSOR_COOKIE_NAME, "value": self.case.http_request_key, "domain": HOST, "path": "/"}]
        )
        page = context.new_page()
        page.set_default_timeout(30000)
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.js_errors = errors
        return page

    def goto(self, page, path):
        response = page.goto(self.case.base_url() + path, wait_until="networkidle")
        return response


def dumps(value):
    return json.dumps(value, indent=1, ensure_ascii=False)
