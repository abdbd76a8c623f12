"""The client's booking pages pass axe-core's WCAG 2.0/2.1/2.2 A and AA rules, in headless
Chromium, on a 390 px phone and a 1366 px laptop, in every state a client can meet: free times
(with and without an error), a visit booked (changeable or not), the confirmation after
booking, a cancelled visit, booking not open yet, a unit out of service, an unknown link and
the link of a visit that is done. Every control on them is at least 44 x 44 px.

Parts added later by other concerns (inherited templates) are checked as they come: the test
looks at whole pages, not at a list of elements.
"""

import os
import re

from odoo.tests import HttpCase, freeze_time, tagged

from .browser_pages import BrowserPagesMixin, axe_source, dumps
from .common import FROZEN_NOW, BookingHttpMixin, toronto

WIDTHS = (390, 1366)
# a folder to keep a full-page screenshot of every state and width in (to look at them)
SCREENSHOTS = os.environ.get("FUSION_A11Y_SCREENSHOTS")


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingAccessibility(BrowserPagesMixin, BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def _page_states(self):
        """(name, path) of every state of the booking pages; the records are made here."""
        contract = self.contract
        booked = self._create_booking_contract(self.client, serial="SL-H3-0002")
        self._book(booked, toronto(2027, 1, 13, 10, 0))  # Wednesday: still changeable
        locked = self._create_booking_contract(self.client, serial="SL-H3-0003")
        self._book(locked, toronto(2027, 1, 11, 14, 0), ignore_min_notice=True)  # today: too late to change
        cancelled = self._create_booking_contract(self.client, serial="SL-H3-0004")
        self._book(cancelled, toronto(2027, 1, 14, 10, 0))
        cancelled.cancel_booking()
        not_open = self._create_booking_contract(self.client, serial="SL-H3-0005", next_due_date="2027-07-25")
        out_of_service = self._create_booking_contract(self.client, serial="SL-H3-0006")
        out_of_service.x_fc_out_of_service = True
        done = self._create_booking_contract(self.client, serial="SL-H3-0007")
        done_token = done.booking_token
        task = self._book(done, toronto(2027, 1, 15, 10, 0))
        with freeze_time(task.scheduled_end):
            task.action_start()
            task.action_done()
        self.assertNotEqual(done.booking_token, done_token)
        # (state, path, what shows that the page is in that state)
        return [
            ("free times", self._page_url(contract.booking_token), ".o_fc_booking_form"),
            ("free times with an error", self._page_url(contract.booking_token, "?error=taken"), ".o_fc_booking_error"),
            ("visit booked, changeable", self._page_url(booked.booking_token), ".o_fc_booking_cancel_box"),
            (
                "confirmation after booking",
                self._page_url(booked.booking_token, "?notice=booked"),
                ".o_fc_booking_confirmed",
            ),
            ("visit moved", self._page_url(booked.booking_token, "?notice=moved"), ".o_fc_booking_moved"),
            (
                "move refused with an error",
                self._page_url(booked.booking_token, "?error=taken"),
                ".o_fc_reschedule .o_fc_booking_form",
            ),
            (
                "confirmation, too late to change",
                self._page_url(locked.booking_token, "?notice=booked"),
                ".o_fc_booking_locked",
            ),
            (
                "visit cancelled",
                self._page_url(cancelled.booking_token, "?notice=cancelled"),
                ".o_fc_booking_cancelled",
            ),
            ("booking not open yet", self._page_url(not_open.booking_token), ".o_fc_booking_not_open"),
            ("unit out of service", self._page_url(out_of_service.booking_token), ".o_fc_booking_blocked"),
            ("unknown link", self._page_url("x" * 43), ".o_fc_booking_unavailable"),
            ("link of a visit that is done", self._page_url(done_token), ".o_fc_booking_unavailable"),
        ]

    def test_every_page_state_passes_axe_at_phone_and_laptop_widths(self):
        axe_source()  # fails at once, saying how to install it, when axe-core is missing
        states = self._page_states()
        problems = []
        with self._browser() as browser:
            for width in WIDTHS:
                page = browser.new_page(width, 844 if width < 500 else 768)
                for name, path, marker in states:
                    response = browser.goto(page, path)
                    self.assertEqual(response.status, 404 if name == "unknown link" else 200, f"{name}: {path}")
                    self.assertTrue(page.locator(marker).count(), f"{name}: {marker} not on the page {path}")
                    if name == "move refused with an error":
                        self.assertTrue(page.locator(".o_fc_booking_error").count(), name)
                    violations = self._axe_violations(page)
                    if SCREENSHOTS:
                        name_part = re.sub(r"\W+", "_", name)
                        page.screenshot(path=os.path.join(SCREENSHOTS, f"{width}_{name_part}.png"), full_page=True)
                    if violations:
                        problems.append(f"{name} at {width} px ({path}):\n{self._format_violations(violations)}")
                    small = self._small_targets(page)
                    if small:
                        problems.append(f"{name} at {width} px: targets smaller than 44 x 44 px:\n" + dumps(small))
                    if page.js_errors:
                        problems.append(f"{name} at {width} px: JavaScript errors: {page.js_errors}")
                        page.js_errors.clear()
                page.context.close()
        self.assertFalse(problems, "\n\n".join(problems))
