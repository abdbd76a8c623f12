"""A client who uses only the keyboard, with the page zoomed to 200 % (a 1366 x 768 laptop: a
683 x 384 px viewport at device scale 2), books a visit, moves it and cancels it from the
emailed link: Tab, Shift+Tab, Enter and Space only, never the mouse. Every stop of the focus is
visibly marked, at least 44 x 44 px and not hidden under the sticky header or the "Book" bar;
every control of each page reached is at least 44 x 44 px; nothing on the pages times out.
"""

import os
import time

from odoo.tests import HttpCase, freeze_time, tagged

from .browser_pages import BrowserPagesMixin, dumps
from .common import FROZEN_NOW, BookingHttpMixin, slot_value

# 200 % of a 1366 x 768 screen
ZOOMED = {"width": 683, "height": 384, "device_scale_factor": 2}
# WCAG 2.2.1: a time limit longer than 20 hours is no time limit for a client
NO_TIME_LIMIT_S = 20 * 3600
MAX_TABS = 80
# a folder to keep a screenshot of each focus stop in (to look at them)
SCREENSHOTS = os.environ.get("FUSION_A11Y_SCREENSHOTS")

# what the focused element is, and how it shows it has the focus
FOCUS_JS = """() => {
    const el = document.activeElement;
    if (!el || el === document.body || el === document.documentElement) return null;
    // a radio button hidden under its label (btn-check): the label is what shows the focus
    const shown = el.matches("input.btn-check") && el.labels && el.labels.length ? el.labels[0] : el;
    const style = getComputedStyle(shown);
    const box = shown.getBoundingClientRect();
    const points = [[0.5, 0.5], [0.2, 0.5], [0.8, 0.5], [0.5, 0.25], [0.5, 0.75]];
    const seen = points.some(([x, y]) => {
        const hit = document.elementFromPoint(box.left + box.width * x, box.top + box.height * y);
        return hit && (hit === shown || shown.contains(hit) || hit === el);
    });
    return {
        what: `${el.tagName.toLowerCase()}${el.className ? "." + [...el.classList].join(".") : ""}`
            + ` "${(shown.innerText || el.value || "").trim().replace(/\\s+/g, " ").slice(0, 50)}"`,
        outline: style.outlineStyle !== "none" ? parseFloat(style.outlineWidth) : 0,
        width: box.width,
        height: box.height,
        seen,
    };
}"""


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingKeyboard(BrowserPagesMixin, BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        # the office lets clients change a visit up to 2 hours before: the first free time,
        # booked first, can then be moved and cancelled from the page
        cls.env["ir.config_parameter"].sudo().set_param("fusion_repairs.booking_cutoff_hours", "2")

    # ------------------------------------------------------------------
    # The keyboard
    # ------------------------------------------------------------------

    def _focus(self, page):
        """What has the focus; fails if its focus is not visible, too small or hidden."""
        focus = page.evaluate(FOCUS_JS)
        if focus is None:
            return None
        # the browser may still be scrolling the focused control into view (smooth scrolling)
        for _i in range(20):
            if focus["seen"]:
                break
            page.wait_for_timeout(100)
            focus = page.evaluate(FOCUS_JS)
        self.assertGreaterEqual(focus["outline"], 2, f"no visible focus indicator on {focus['what']}")
        self.assertTrue(
            focus["width"] >= 43.5 and focus["height"] >= 43.5,
            f"focused target smaller than 44 x 44 px: {focus['what']} {focus['width']:.1f} x {focus['height']:.1f}",
        )
        self.assertTrue(focus["seen"], f"the focused {focus['what']} is hidden (sticky header or bar?)")
        return focus

    def _tab_to(self, page, selector, backwards=False):
        """Press Tab (Shift+Tab) until the focus is on ``selector``; every stop is checked."""
        key = "Shift+Tab" if backwards else "Tab"
        stops = []
        for _i in range(MAX_TABS):
            page.keyboard.press(key)
            focus = self._focus(page)
            stops.append(focus and focus["what"])
            if SCREENSHOTS:
                self._shots = getattr(self, "_shots", 0) + 1
                page.screenshot(path=os.path.join(SCREENSHOTS, f"keyboard_{self._shots:03d}.png"))
            if page.evaluate("(selector) => !!document.activeElement?.matches(selector)", selector):
                return stops
        self.fail(f"{key} never reached {selector}; the focus went through:\n{dumps(stops)}")

    def _press(self, page, key, navigates=False):
        if navigates:
            with page.expect_navigation(wait_until="networkidle"):
                page.keyboard.press(key)
        else:
            page.keyboard.press(key)

    # ------------------------------------------------------------------
    # The page as a whole
    # ------------------------------------------------------------------

    def assertPageUsable(self, page, state):
        small = self._small_targets(page)
        self.assertFalse(small, f"{state}: targets smaller than 44 x 44 px at 200 % zoom:\n{dumps(small)}")
        self.assertFalse(page.js_errors, f"{state}: JavaScript errors")
        # nothing times out: no refresh, a form that still works tomorrow
        self.assertFalse(page.locator("meta[http-equiv='refresh' i]").count(), f"{state}: the page refreshes itself")
        now = time.time()  # the server's (frozen) clock
        for token in page.locator("input[name='csrf_token']").evaluate_all("(inputs) => inputs.map((i) => i.value)"):
            expires = int(token.rpartition("o")[2])
            self.assertGreater(expires - now, NO_TIME_LIMIT_S, f"{state}: a form expires within 20 hours")
        session = [c for c in page.context.cookies() if c["name"] == "session_id"]
        self.assertTrue(session, f"{state}: no session cookie")
        if session[0]["expires"] > 0:  # by the browser's clock
            browser_now = page.evaluate("() => Date.now() / 1000")
            self.assertGreater(session[0]["expires"] - browser_now, NO_TIME_LIMIT_S, f"{state}: the session expires")

    def _checked_slot(self, page):
        return page.evaluate("() => document.querySelector(\"input[name='slot_start']:checked\")?.value || null")

    # ------------------------------------------------------------------
    # The test
    # ------------------------------------------------------------------

    def test_book_move_and_cancel_with_the_keyboard_at_200_percent_zoom(self):
        contract = self.contract
        with self._browser() as browser:
            page = browser.new_page(**ZOOMED)
            browser.goto(page, self._page_url(contract.booking_token))
            self.assertPageUsable(page, "free times")

            # the first stop (the portal's link) skips the website's menu; Enter jumps to the content
            page.keyboard.press("Tab")
            self.assertIn("Skip to Content", self._focus(page)["what"])
            page.keyboard.press("Enter")

            # Book without a time: the page asks for one and puts the focus on the first time
            self._tab_to(page, "button.o_fc_booking_submit_button")
            self._press(page, "Enter")
            page.wait_for_selector(".o_fc_choose_first:has-text('Please choose a time above first.')")
            self.assertTrue(page.evaluate("() => document.activeElement.name === 'slot_start'"))
            self._focus(page)
            # Space picks it; the picked time is said in words
            self._press(page, "Space")
            first = self._checked_slot(page)
            self.assertEqual(first, "2027-01-12 15:00:00")
            page.wait_for_selector(".o_fc_selected_slot:has-text('You picked')")
            self._tab_to(page, "button.o_fc_booking_submit_button")
            self._press(page, "Enter", navigates=True)

            page.wait_for_selector(".o_fc_booking_confirmed:has-text('Your visit is booked')")
            self.assertPageUsable(page, "confirmation")
            self.env.invalidate_all()
            self.assertTrue(contract.is_booked)
            self.assertEqual(slot_value(contract.task_id.scheduled_start), first)

            # move: open "Need a different time?", Tab into the times, Space, Tab to the button
            self._tab_to(page, ".o_fc_reschedule > summary")
            self._press(page, "Enter")
            self.assertTrue(page.evaluate("() => document.querySelector('.o_fc_reschedule').open"))
            self._tab_to(page, "input[name='slot_start']")
            self._press(page, "Space")
            new_slot = self._checked_slot(page)
            self.assertTrue(new_slot and new_slot != first, "another time is picked")
            self._tab_to(page, "button.o_fc_booking_submit_button")
            self._press(page, "Enter", navigates=True)

            page.wait_for_selector(".o_fc_booking_moved:has-text('Your visit has been moved')")
            self.assertPageUsable(page, "visit moved")
            self.env.invalidate_all()
            self.assertEqual(slot_value(contract.task_id.scheduled_start), new_slot)

            # cancel: open "Cancel my visit" with Space, Tab to the "Yes" button; Shift+Tab
            # goes back to where it came from; Enter cancels
            self._tab_to(page, ".o_fc_booking_cancel_box > summary")
            self._press(page, "Space")
            self._tab_to(page, ".o_fc_cancel_form button[type='submit']")
            self._tab_to(page, ".o_fc_booking_cancel_box > summary", backwards=True)
            self._tab_to(page, ".o_fc_cancel_form button[type='submit']")
            task = contract.task_id
            self._press(page, "Enter", navigates=True)

            page.wait_for_selector(".o_fc_booking_cancelled:has-text('Your visit has been cancelled')")
            self.assertPageUsable(page, "visit cancelled")
            self.env.invalidate_all()
            self.assertFalse(contract.is_booked)
            self.assertEqual(task.state, "cancelled")
            self.assertFalse(page.js_errors)
