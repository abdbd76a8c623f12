"""The client's booking pages, over HTTP with real CSRF tokens: every path and every bad input."""

import re

from odoo.tests import HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, OFFICE_PHONE, BookingHttpMixin, slot_value, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingPages(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    # ------------------------------------------------------------------
    # The page
    # ------------------------------------------------------------------

    def test_page_shows_unit_fee_zone_and_free_times(self):
        response = self._open(self.contract.booking_token)
        self.assertEqual(response.status_code, 200)
        doc = self._doc(response)
        self.assertEqual(self._text(doc, "o_fc_equipment"), "H3 Freecurve Stair Lift")
        self.assertEqual(self._text(doc, "o_fc_serial"), "SL-H3-0001")
        self.assertEqual(self._text(doc, "o_fc_due_date"), "Monday, January 25, 2027")
        self.assertRegex(self._text(doc, "o_fc_fee"), r"149\.00.*\+ applicable tax")
        self.assertEqual(self._text(doc, "o_fc_tz_label"), "Eastern Time (Toronto)")
        self.assertIn(OFFICE_PHONE, self._text(doc, "o_fc_booking_office"))
        # free times grouped by local day, each a radio button carrying its UTC start
        days = [" ".join(legend.text_content().split()) for legend in doc.find_class("o_fc_day_label")]
        self.assertEqual(days[0], "Tuesday, January 12, 2027")
        self.assertNotIn("Saturday, January 16, 2027", days)
        starts = self._slot_starts(doc)
        self.assertEqual(
            starts, [s["start"].strftime("%Y-%m-%d %H:%M:%S") for s in self.contract._get_available_slots()]
        )
        self.assertEqual(starts[0], "2027-01-12 15:00:00")
        for start in starts:
            self.assertRegex(start, r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")
        first_label = doc.xpath("//label[@data-slot-start='2027-01-12 15:00:00']")[0]
        self.assertEqual(" ".join(first_label.text_content().split()), "10:00 \u2013 11:00 a.m.")
        self.assertTrue(self._csrf(doc))
        self.assertIn("noindex", response.headers.get("X-Robots-Tag", ""))

    def test_get_never_changes_data(self):
        before = self._booking_snapshot()
        for _i in range(2):
            self.assertEqual(self._open(self.contract.booking_token).status_code, 200)
        self._open(self.contract.booking_token, "?notice=booked&error=taken")
        # the POST routes only lead back to the page on GET
        response = self._open(self.contract.booking_token, "/confirm?slot_start=2027-01-12 15:00:00")
        self.assertEqual(response.status_code, 200)
        self.assertTrue(response.url.endswith(self.contract.booking_token))
        self.assertEqual(self._open(self.contract.booking_token, "/cancel").status_code, 200)
        self.assertEqual(self._booking_snapshot(), before)

    # ------------------------------------------------------------------
    # Links that open nothing
    # ------------------------------------------------------------------

    def assertFriendlyPage(self, response, expected_status=404, visit_done=False):
        self.assertEqual(response.status_code, expected_status)
        doc = self._doc(response)
        for script in doc.xpath("//script | //style"):
            script.drop_tree()  # what the client reads (random tokens in scripts may contain "149")
        text = " ".join(doc.text_content().split())
        self.assertIn(OFFICE_PHONE, text)
        if visit_done:
            self.assertIn("This visit is done", text)
        else:
            self.assertIn("This booking link is no longer active", text)
            self.assertIn("If you have a newer email from us, please use its link.", text)
            self.assertNotIn("expired", text)
        for secret in ("H3 Freecurve", "SL-H3-0001", "H3 Margaret", "Queen St", "January 25", "149"):
            self.assertNotIn(secret, text)
        self.assertFalse(doc.xpath("//input[@name='slot_start']"))

    def test_unknown_and_malformed_tokens_get_the_friendly_page(self):
        before = self._booking_snapshot()
        real = self.contract.booking_token
        for token in (real[:-1] + ("A" if real[-1] != "A" else "B"), "x" * 43, "abc", "y" * 200, "%27%20OR%201=1"):
            self.assertFriendlyPage(self._open(token))
        # posting to an unknown link books nothing either
        doc = self._doc(self._open(real))
        self.assertFriendlyPage(self._confirm("x" * 43, self._slot_starts(doc)[0], self._csrf(doc)))
        self.assertFriendlyPage(self._cancel("x" * 43, self._csrf(doc)))
        self.assertEqual(self._booking_snapshot(), before)

    def test_cancelled_or_paused_contract_link_reveals_nothing(self):
        token = self.contract.booking_token
        self.contract.action_pause()
        self.assertFriendlyPage(self._open(token))
        self.contract.action_resume()
        self.contract.action_cancel()
        self.assertFriendlyPage(self._open(token))
        doc_other = self._doc(self._open(self._create_booking_contract(self.client).booking_token))
        response = self._confirm(token, self._slot_starts(doc_other)[0], self._csrf(doc_other))
        self.assertFriendlyPage(response)
        self.assertFalse(self._booking_records()["tasks"])

    # ------------------------------------------------------------------
    # Booking
    # ------------------------------------------------------------------

    def test_confirm_books_and_shows_the_confirmation(self):
        slot, response = self._book_first_slot()
        self.assertEqual(slot, "2027-01-12 15:00:00")
        self.assertEqual(response.status_code, 200)
        self.assertIn("notice=booked", response.url)
        doc = self._doc(response)
        self.assertIn("Your visit is booked", self._text(doc, "o_fc_booking_confirmed"))
        self.assertEqual(self._text(doc, "o_fc_visit_day"), "Tuesday, January 12, 2027")
        self.assertIn("arrives between 10:00 a.m. and 11:00 a.m.", self._text(doc, "o_fc_visit_window"))
        self.assertIn("Eastern Time (Toronto)", self._text(doc, "o_fc_visit_window"))
        self.assertEqual(self._text(doc, "o_fc_visit_technician"), "Samuel")
        self.assertIn("12 Queen St E", self._text(doc, "o_fc_visit_address"))
        self.assertIn("pets", self._text(doc, "o_fc_prepare"))
        self.assertIn(OFFICE_PHONE, self._text(doc, "o_fc_booking_office"))
        # the records
        task = self.contract.task_id
        self.assertTrue(self.contract.is_booked)
        self.assertEqual(task.scheduled_start, toronto(2027, 1, 12, 10, 0))
        self.assertEqual(task.task_type, "maintenance")
        self.assertTrue(task.calendar_event_id and task.repair_order_id)
        # the confirmation email, in the contract's chatter, with the visit as an .ics
        message = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)
        self.assertEqual(len(message), 1)
        self.assertIn(self.client, message.partner_ids)
        self.assertIn("Tuesday, January 12, 2027", message.subject)
        body = str(message.body)
        self.assertIn("10:00 \u2013 11:00 a.m.", body)
        self.assertIn("can no longer be changed online", body, "booked inside the 24 h cut-off")
        self.assertIn("Samuel", body)
        self.assertIn("149.00", body)
        ics = message.attachment_ids.filtered(lambda a: a.name.endswith(".ics"))
        self.assertEqual(len(ics), 1)
        self.assertEqual(ics.mimetype, "text/calendar")
        self.assertIn(b"BEGIN:VCALENDAR", ics.raw)
        self.assertIn(b"DTSTART:20270112T150000Z", ics.raw)
        mail = self.env["mail.mail"].search([("mail_message_id", "=", message.id)])
        self.assertTrue(mail, "the confirmation is queued for sending")
        # sent in the company's name from the public page, with the template's sender address
        company_email = self.contract.company_id.email
        self.assertTrue(company_email and company_email in (message.email_from or ""), message.email_from)
        # the link keeps showing the booking; this visit is already within the 24 h cut-off
        doc = self._doc(self._open(self.contract.booking_token))
        self.assertEqual(self._text(doc, "o_fc_visit_day"), "Tuesday, January 12, 2027")
        self.assertIn("can no longer be changed online", self._text(doc, "o_fc_booking_locked"))

    def test_booked_page_offers_other_times_and_cancel_before_the_cutoff(self):
        slot, _response = self._book_first_slot(day="Wednesday")
        doc = self._doc(self._open(self.contract.booking_token))
        self.assertEqual(self._text(doc, "o_fc_visit_day"), "Wednesday, January 13, 2027")
        self.assertIn("until Tuesday, January 12, 2027, 9:00 a.m.", self._text(doc, "o_fc_change_until"))
        self.assertTrue(self._csrf(doc, "o_fc_cancel_form"))
        self.assertNotIn(slot, self._enabled_slot_starts(doc), "the current time is not offered again")
        self.assertIn(slot, self._slot_starts(doc))
        self.assertIn("your current booking", self._text(doc, "o_fc_booking_form"))
        confirmation = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)
        self.assertIn("until", str(confirmation.body))
        self.assertNotIn("a.m..", confirmation.body.striptags())
        self.assertIn(self.contract.booking_url, self._links(confirmation.body))

    def test_client_without_email_books_too(self):
        self.client.email = False
        _slot, response = self._book_first_slot()
        text = self._page_text(response)
        self.assertIn("Your visit is booked", text)
        self.assertNotIn("has been emailed", text)
        self.assertTrue(self.contract.is_booked)
        self.assertFalse(self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject))

    def test_missing_or_wrong_csrf_is_refused(self):
        doc = self._doc(self._open(self.contract.booking_token))
        slot = self._slot_starts(doc)[0]
        before = self._booking_snapshot()
        for csrf in (None, "forged-token"):
            response = self._confirm(self.contract.booking_token, slot, csrf)
            self.assertEqual(response.status_code, 200, "the booking page again, not an error page")
            page = self._doc(response)
            self.assertIn("nothing has been changed", self._text(page, "o_fc_booking_error"))
            self.assertIn(slot, self._slot_starts(page), "with the free times to choose again")
        self.assertEqual(self._booking_snapshot(), before)
        self._book(self.contract, slot)
        before = self._booking_snapshot()
        response = self._cancel(self.contract.booking_token, None)
        self.assertIn("nothing has been changed", self._text(self._doc(response), "o_fc_booking_error"))
        self.assertEqual(self._booking_snapshot(), before)
        self.assertTrue(self.contract.is_booked, "the visit is still booked")

    def test_a_notice_is_shown_only_while_it_is_true(self):
        token = self.contract.booking_token
        self._book_first_slot()
        doc = self._doc(self._open(token, "?notice=cancelled"))
        self.assertFalse(doc.find_class("o_fc_booking_cancelled"), "an old address must not contradict the booking")
        self.assertTrue(doc.find_class("o_fc_booking_details"))
        self.assertTrue(self._doc(self._open(token, "?notice=booked")).find_class("o_fc_booking_confirmed"))
        self.contract.cancel_booking()
        doc = self._doc(self._open(token, "?notice=moved"))
        self.assertFalse(doc.find_class("o_fc_booking_confirmed"), "no visit is booked any more")
        self.assertTrue(self._doc(self._open(token, "?notice=cancelled")).find_class("o_fc_booking_cancelled"))

    def test_bad_slot_values_are_refused_on_the_page(self):
        token = self.contract.booking_token
        doc = self._doc(self._open(token))
        csrf = self._csrf(doc)
        offered = self._slot_starts(doc)
        cases = {
            "garbage": "could not be read",
            "2027-01-12T15:00:00": "could not be read",
            "": "could not be read",
            "2027-01-10 15:00:00": "already passed",
            "2027-01-11 20:00:00": "at least 24 hours ahead",
            "2027-02-15 15:00:00": "up to 21 days ahead",
            "2027-01-12 15:07:00": "not one of the offered start times",
            "2027-01-12 23:00:00": "No technician is available",
            "2027-01-16 15:00:00": "No technician is available",
        }
        before = self._booking_snapshot()
        for value, message in cases.items():
            response = self._confirm(token, value, csrf)
            self.assertEqual(response.status_code, 200, value)
            doc = self._doc(response)
            self.assertIn(message, self._text(doc, "o_fc_booking_error"), value)
            # a normal page with the free times again
            self.assertEqual(self._slot_starts(doc), offered, value)
        self.assertEqual(self._booking_snapshot(), before)

    def test_slot_taken_meanwhile_gives_fresh_times(self):
        token = self.contract.booking_token
        doc = self._doc(self._open(token))
        slot = self._slot_starts(doc)[0]
        # another client books the only technician at that time while the page is open
        other = self._create_booking_contract(self._create_booking_client("H3 Faster", "faster@h3.example"))
        self._book(other, slot)
        before = self._booking_snapshot()
        response = self._confirm(token, slot, self._csrf(doc))
        self.assertEqual(response.status_code, 200)
        doc = self._doc(response)
        self.assertIn("That time was just taken", self._text(doc, "o_fc_booking_error"))
        fresh = self._slot_starts(doc)
        self.assertTrue(fresh)
        self.assertNotIn(slot, fresh)
        self.assertEqual(self._booking_snapshot(), before)
        self.assertFalse(self.contract.is_booked)

    def test_double_click_books_once(self):
        token = self.contract.booking_token
        doc = self._doc(self._open(token))
        slot, csrf = self._slot_starts(doc)[0], self._csrf(doc)
        first = self._confirm(token, slot, csrf)
        second = self._confirm(token, slot, csrf)
        for response in (first, second):
            self.assertIn("Your visit is booked", self._page_text(response))
        records = self._booking_records()
        self.assertEqual((len(records["tasks"]), len(records["events"]), len(records["repairs"])), (1, 1, 1))
        confirmations = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)
        self.assertEqual(len(confirmations), 1, "one confirmation email")

    def test_reschedule_moves_the_visit(self):
        # Wednesday 10:00: more than the 24 h cut-off away, so it can still be changed
        slot, _response = self._book_first_slot(day="Wednesday")
        self.assertEqual(slot, "2027-01-13 14:00:00")
        task = self.contract.task_id
        event, repair = task.calendar_event_id, task.repair_order_id
        doc = self._doc(self._open(self.contract.booking_token))
        self.assertIn("Need a different time?", self._page_text(self._open(self.contract.booking_token)))
        new_slot = "2027-01-13 18:00:00"  # Wednesday 1:00 p.m., overlaps nothing but the buffer
        self.assertIn(new_slot, self._enabled_slot_starts(doc))
        response = self._confirm(self.contract.booking_token, new_slot, self._csrf(doc))
        doc = self._doc(response)
        self.assertIn("Your visit has been moved", self._page_text(response))
        self.assertEqual(self._text(doc, "o_fc_visit_day"), "Wednesday, January 13, 2027")
        self.assertIn("1:00 p.m. and 2:00 p.m.", self._text(doc, "o_fc_visit_window"))
        records = self._booking_records()
        self.assertEqual((records["tasks"], records["events"], records["repairs"]), (task, event, repair))
        self.assertEqual(task.scheduled_start, toronto(2027, 1, 13, 13, 0))
        self.assertEqual(event.start, task.scheduled_start)
        self.assertEqual(repair.schedule_date, task.scheduled_start)
        confirmations = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)
        self.assertEqual(len(confirmations), 1, "the first booking")
        moved = self.contract.message_ids.filtered(lambda m: m.subject and "moved" in m.subject)
        self.assertEqual(len(moved), 1, "a new email for the new time says it moved")
        self.assertIn("Wednesday, January 13, 2027", moved.subject)
        self.assertIn("has been moved", str(moved.body))
        ics = moved.attachment_ids.filtered(lambda a: a.name.endswith(".ics"))
        self.assertIn(b"DTSTART:20270113T180000Z", ics.raw)
        self.assertIn(b"SEQUENCE:1", ics.raw, "the client's calendar replaces the first time")
        first_ics = confirmations.attachment_ids.filtered(lambda a: a.name.endswith(".ics"))
        self.assertIn(b"SEQUENCE:0", first_ics.raw)

    def test_a_stale_book_form_does_not_move_a_visit_booked_meanwhile(self):
        """Two tabs (or two people of the household) open the link; the first books, the
        second still shows "Book this time": its post must not move the visit."""
        token = self.contract.booking_token
        stale = self._doc(self._open(token))
        self.assertEqual(self._seen_booking(stale), "", "the page shows no visit")
        self.assertIn("Book this time", self._text(stale, "o_fc_booking_submit_button"))
        slot, _response = self._book_first_slot(day="Wednesday")
        task = self.contract.task_id
        before = self._booking_snapshot()
        other_slot = next(s for s in self._slot_starts(stale) if s.startswith("2027-01-14"))
        response = self._confirm(token, other_slot, self._csrf(stale), self._seen_booking(stale))
        self.assertEqual(response.status_code, 200)
        doc = self._doc(response)
        self.assertEqual(
            self._text(doc, "o_fc_booking_error"),
            "This visit was already booked, perhaps by someone else in your household. "
            "You can move it below if needed.",
        )
        self.assertFalse(doc.find_class("o_fc_booking_moved"))
        self.assertEqual(self._text(doc, "o_fc_visit_day"), "Wednesday, January 13, 2027", "the visit booked first")
        self.assertEqual(self._seen_booking(doc), slot, "a move from this page is now possible")
        self.assertIn("Move my visit to this time", self._text(doc, "o_fc_booking_submit_button"))
        self.assertEqual(self._booking_snapshot(), before, "nothing moved, no email")
        self.assertEqual(slot_value(task.scheduled_start), slot)
        # the same post again (a double click on the first tab) is no move: it shows the booking
        response = self._confirm(token, slot, self._csrf(stale), self._seen_booking(stale))
        self.assertIn("Your visit is booked", self._page_text(response))
        self.assertEqual(self._booking_snapshot(), before)
        # the page showing the visit moves it
        response = self._confirm(token, other_slot, self._csrf(doc), self._seen_booking(doc))
        self.assertIn("Your visit has been moved", self._page_text(response))
        self.assertEqual(task.scheduled_start.date().isoformat(), "2027-01-14")
        self.assertEqual(len(self.contract.message_ids.filtered(lambda m: m.subject and "moved" in m.subject)), 1)
        # the message is not repeated by an old address once it is no longer true
        self.contract.cancel_booking()
        self.assertFalse(self._doc(self._open(token, "?error=already_booked")).find_class("o_fc_booking_error"))

    def test_a_stale_book_form_after_the_cutoff_does_not_offer_a_move(self):
        token = self.contract.booking_token
        stale = self._doc(self._open(token))
        self._book(self.contract, toronto(2027, 1, 11, 14, 0), ignore_min_notice=True)
        before = self._booking_snapshot()
        slot = self._slot_starts(stale)[0]
        response = self._confirm(token, slot, self._csrf(stale), self._seen_booking(stale))
        doc = self._doc(response)
        text = self._text(doc, "o_fc_booking_error")
        self.assertIn("already booked", text)
        self.assertNotIn("move it below", text)
        self.assertIn("can no longer be changed online", self._text(doc, "o_fc_booking_locked"))
        self.assertEqual(self._booking_snapshot(), before)

    def test_cancel_reopens_booking(self):
        slot, _response = self._book_first_slot(day="Wednesday")
        task = self.contract.task_id
        event, repair = task.calendar_event_id, task.repair_order_id
        doc = self._doc(self._open(self.contract.booking_token))
        response = self._cancel(self.contract.booking_token, self._csrf(doc, "o_fc_cancel_form"))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Your visit has been cancelled", self._page_text(response))
        self.assertEqual(task.state, "cancelled")
        self.assertFalse(event.active)
        self.assertEqual(repair.state, "cancel")
        self.assertFalse(self.contract.is_booked)
        doc = self._doc(response)
        self.assertIn(slot, self._enabled_slot_starts(doc), "the freed time can be booked again")
        self.assertFalse(doc.find_class("o_fc_cancel_form"))
        # and booking again works from the same link
        _slot, response = self._book_first_slot(day="Wednesday")
        self.assertIn("Your visit is booked", self._page_text(response))
        self.assertEqual(self.contract.task_id.state, "scheduled")

    def test_after_cutoff_changes_are_refused_with_the_phone_number(self):
        # booked by the office for this afternoon: less than 24 h away
        soon = toronto(2027, 1, 11, 14, 0)
        task = self._book(self.contract, soon, ignore_min_notice=True)
        token = self.contract.booking_token
        response = self._open(token)
        doc = self._doc(response)
        self.assertIn("can no longer be changed online", self._text(doc, "o_fc_booking_locked"))
        self.assertIn(OFFICE_PHONE, self._text(doc, "o_fc_booking_locked"))
        self.assertFalse(self._slot_starts(doc))
        self.assertFalse(doc.find_class("o_fc_cancel_form"))
        # forged POSTs (CSRF from another page of the session) are refused as well
        csrf = self._csrf(self._doc(self._open(self._create_booking_contract(self.client).booking_token)))
        before = self._booking_snapshot()
        for response in (
            self._confirm(token, "2027-01-13 18:00:00", csrf),
            self._cancel(token, csrf),
        ):
            self.assertEqual(response.status_code, 200)
            text = self._text(self._doc(response), "o_fc_booking_error")
            self.assertIn("can no longer be changed online", text)
            self.assertIn(OFFICE_PHONE, text)
        self.assertEqual(self._booking_snapshot(), before)
        self.assertEqual(task.state, "scheduled")

    # ------------------------------------------------------------------
    # The emailed links
    # ------------------------------------------------------------------

    def test_the_mails_link_opens_the_page(self):
        self.contract._send_due_reminder(30)
        reminder = self.contract.message_ids.filtered(lambda m: m.subject and "Time to book" in m.subject)
        self.assertEqual(len(reminder), 1)
        links = set(self._links(reminder.body))
        self.assertEqual(links, {self.contract.booking_url})
        response = self.url_open(links.pop())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self._text(self._doc(response), "o_fc_equipment"), "H3 Freecurve Stair Lift")
        # the confirmation's "View my visit" link opens the booked visit
        _slot, _response = self._book_first_slot()
        confirmation = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)
        link = self._links(confirmation.body)[0]
        doc = self._doc(self.url_open(link))
        self.assertEqual(self._text(doc, "o_fc_visit_day"), "Tuesday, January 12, 2027")

    def test_old_link_after_the_visit_says_it_is_done(self):
        _slot, _response = self._book_first_slot()
        old_token = self.contract.booking_token
        task = self.contract.task_id
        with freeze_time(task.scheduled_end):  # the technician finishes on the visit day
            task.action_start()
            task.action_done()
        self.assertNotEqual(self.contract.booking_token, old_token)
        self.assertFriendlyPage(self._open(old_token), expected_status=200, visit_done=True)
        # the new cycle's link opens a fresh booking page, which says when booking opens
        doc = self._doc(self._open(self.contract.booking_token))
        self.assertFalse(self._slot_starts(doc), "the next visit is months away")
        self.assertIn("You can book this visit from", self._text(doc, "o_fc_booking_not_open"))
        self.assertFalse(doc.find_class("o_fc_booking_details"))
        self.assertTrue(re.match(r"^[A-Za-z0-9_-]{43}$", self.contract.booking_token))
