"""Booking follow-ups seen by the client: when booking opens, what is emailed on a move or a
cancellation (and to whom), and the wording of the pages, emails and chatter."""

import re
from datetime import timedelta

import lxml.html
import pytz
import vobject

from odoo.fields import Command
from odoo.tests import HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, OFFICE_PHONE, BookingHttpMixin, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingFollowUp(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.env["ir.config_parameter"].sudo().set_param("fusion_repairs.reminder_bands", "30,7,1")
        cls.responsible = cls.env["res.users"].create(
            {
                "name": "H5 Office Rita",
                "login": "rita.h5@example.com",
                "email": "rita.h5@example.com",
                "group_ids": [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        cls.contract.user_id = cls.responsible
        cls.contract.message_subscribe(partner_ids=cls.responsible.partner_id.ids)

    def _messages(self, word):
        return self.contract.message_ids.filtered(lambda m: m.subject and word in m.subject)

    # ------------------------------------------------------------------
    # P2a: online booking opens N days before the due date
    # ------------------------------------------------------------------

    def test_booking_opens_thirty_days_before_the_due_date(self):
        self.contract.next_due_date = "2027-07-25"  # just serviced: due in six months
        response = self._open(self.contract.booking_token)
        doc = self._doc(response)
        self.assertFalse(self._slot_starts(doc), "no time is offered months ahead")
        text = self._text(doc, "o_fc_booking_not_open")
        self.assertIn("You can book this visit from Friday, June 25, 2027. We will email you a reminder.", text)
        self.assertIn(OFFICE_PHONE, text)
        self.assertFalse(doc.find_class("o_fc_no_slots"))
        self.assertFalse(doc.find_class("o_fc_booking_form"), "no 'Book this time' button without times")
        # a time posted anyway (with a valid session token) is refused, nothing is booked
        self.contract.next_due_date = "2027-01-25"
        csrf = self._csrf(self._doc(self._open(self.contract.booking_token)))
        self.contract.next_due_date = "2027-07-25"
        before = self._booking_snapshot()
        response = self._confirm(self.contract.booking_token, "2027-01-13 15:00:00", csrf)
        self.assertIn("opens on Friday, June 25, 2027", self._page_text(response))
        self.assertEqual(self._booking_snapshot(), before)
        # the largest configured band decides
        self.env["ir.config_parameter"].sudo().set_param("fusion_repairs.reminder_bands", "7,45")
        self.assertEqual(self.contract._get_booking_opening_date().isoformat(), "2027-06-10")

    def test_due_soon_and_overdue_are_open_and_the_office_may_book_early(self):
        self.assertFalse(self.contract._get_booking_opening_label(), "due in two weeks: open")
        self.contract.next_due_date = "2026-12-01"  # overdue
        self.assertTrue(self._slot_starts(self._doc(self._open(self.contract.booking_token))))
        self.contract.next_due_date = "2027-07-25"
        action = self.contract.action_open_booking_wizard()
        wizard = self.env[action["res_model"]].browse(action["res_id"])
        self.assertIn("Online booking opens for the client on Friday, June 25, 2027", wizard.opening_note)
        self.assertTrue(wizard.available_line_ids, "staff may book now")
        wizard.slot_line_id = wizard.available_line_ids[0]
        wizard.action_book()
        self.assertTrue(self.contract.is_booked)

    # ------------------------------------------------------------------
    # P2b: cancellation and move emails
    # ------------------------------------------------------------------

    def test_cancel_from_the_page_emails_the_client_a_cancelling_ics(self):
        self._book_first_slot(day="Wednesday")
        booked = self._messages("booked")
        uid = re.search(rb"UID:(\S+)", booked.attachment_ids.raw).group(1)
        doc = self._doc(self._open(self.contract.booking_token))
        self._cancel(self.contract.booking_token, self._csrf(doc, "o_fc_cancel_form"))
        cancelled = self._messages("cancelled")
        self.assertEqual(len(cancelled), 1)
        self.assertIn("Wednesday, January 13, 2027", cancelled.subject)
        self.assertIn("has been cancelled", str(cancelled.body))
        self.assertEqual(cancelled.notification_ids.res_partner_id, self.client)
        ics = cancelled.attachment_ids.filtered(lambda a: a.name.endswith(".ics"))
        self.assertIn(b"METHOD:CANCEL", ics.raw)
        self.assertIn(b"STATUS:CANCELLED", ics.raw)
        self.assertIn(b"UID:" + uid, ics.raw, "the same event as the confirmation is removed")

    def test_cancel_from_the_office_emails_the_client(self):
        self._book(self.contract, toronto(2027, 1, 13, 10, 0))
        self.contract.action_cancel_booking()
        cancelled = self._messages("cancelled")
        self.assertEqual(len(cancelled), 1)
        self.assertEqual(cancelled.notification_ids.res_partner_id, self.client)

    def test_the_clients_calendar_file_is_written_for_the_client(self):
        self.product.default_code = "SL-H3-INTERNAL"
        self._book_first_slot(day="Wednesday")
        raw = self._messages("booked").attachment_ids.filtered(lambda a: a.name.endswith(".ics")).raw
        unfolded = raw.replace(b"\r\n ", b"").decode()
        vevent = vobject.readOne(raw.decode()).vevent
        # nothing internal: no technician email or full name, no product code, no contract
        self.assertNotIn(self.technician.email, unfolded)
        self.assertNotIn("Tremblay", unfolded)
        self.assertNotIn("SL-H3-INTERNAL", unfolded)
        self.assertNotIn(self.contract.name, unfolded)
        self.assertNotIn("Organized by", unfolded)
        # the company organizes, the client attends
        self.assertEqual(vevent.organizer.value, "MAILTO:office-h3@example.com")
        self.assertEqual(vevent.organizer.params["CN"], [self.company.name])
        self.assertEqual([a.value for a in vevent.contents["attendee"]], ["MAILTO:margaret.h3@example.com"])
        self.assertIn("H3 Freecurve Stair Lift", vevent.summary.value)
        self.assertIn("12 Queen St E", vevent.location.value)
        description = vevent.description.value
        self.assertIn("Wednesday, January 13, 2027, 9:00 \u2013 10:00 a.m.", description, "the arrival window")
        self.assertIn("Your technician: Samuel.", description)
        self.assertIn(OFFICE_PHONE, description)
        self.assertIn("How to prepare", description)
        self.assertIn(self.contract._get_visit_preparation_items()[0], description)
        self.assertEqual(vevent.sequence.value, "0")
        # the entry spans the time the client must be home: from the start of the 9-10 a.m.
        # window to its end plus the 1 h 30 visit (11:30 a.m.), not 9:00-10:30
        self.assertEqual(vevent.dtstart.value, toronto(2027, 1, 13, 9, 0).replace(tzinfo=pytz.utc))
        self.assertEqual(vevent.dtend.value, toronto(2027, 1, 13, 11, 30).replace(tzinfo=pytz.utc))
        self.assertIn("please be at home from 9:00 a.m. until about 11:30 a.m.", description)
        task = self.contract.task_id
        self.assertEqual(task.scheduled_end - task.scheduled_start, timedelta(hours=1, minutes=30))
        # a move keeps the UID and raises the SEQUENCE, with the same kind of span; the
        # cancelling file removes that same event
        uid = vevent.uid.value
        task = self._book(self.contract, toronto(2027, 1, 14, 13, 0))
        moved = vobject.readOne(self.contract._get_booking_ics(task).decode()).vevent
        self.assertEqual(moved.uid.value, uid)
        self.assertEqual(moved.sequence.value, "1")
        self.assertEqual(moved.dtstart.value, toronto(2027, 1, 14, 13, 0).replace(tzinfo=pytz.utc))
        self.assertEqual(moved.dtend.value, toronto(2027, 1, 14, 15, 30).replace(tzinfo=pytz.utc))
        self.assertIn("until about 3:30 p.m.", moved.description.value)
        cancelling = vobject.readOne(self.contract._get_booking_ics(task, cancelled=True).decode())
        self.assertEqual(cancelling.method.value, "CANCEL")
        self.assertEqual(cancelling.vevent.uid.value, uid)
        self.assertEqual(cancelling.vevent.sequence.value, "2")
        self.assertNotIn("please be at home", cancelling.vevent.description.value)

    # ------------------------------------------------------------------
    # P2c: client emails to the client only
    # ------------------------------------------------------------------

    def test_followers_get_no_copy_of_client_emails(self):
        self.assertIn(self.responsible.partner_id, self.contract.message_partner_ids)
        self._book_first_slot(day="Wednesday")
        confirmation = self._messages("booked")
        self.assertIn(confirmation, self.contract.message_ids, "visible in the chatter")
        self.assertEqual(confirmation.notification_ids.res_partner_id, self.client, "the client only")
        mails = self.env["mail.mail"].search([("mail_message_id", "=", confirmation.id)])
        self.assertEqual(mails.recipient_ids, self.client)
        # the due reminder too
        self.contract.cancel_booking()
        self.contract._send_due_reminder(30)
        reminder = self.contract.message_ids.filtered(lambda m: m.subject and "Time to book" in m.subject)
        self.assertEqual(len(reminder), 1)
        self.assertEqual(reminder.notification_ids.res_partner_id, self.client)

    def test_office_emails_go_to_the_client_only(self):
        """Sent by staff, the template's sender (the company) is no recipient either."""
        self.contract.company_id.email = "office.copy@example.com"
        self._book_first_slot(day="Wednesday")
        office = self.env.ref("base.user_admin")
        confirmation = self.contract.with_user(office)._send_booking_confirmation(moved=True)
        self.assertEqual(confirmation.partner_ids, self.client)
        mails = self.env["mail.mail"].search([("mail_message_id", "=", confirmation.id)])
        self.assertEqual(mails.recipient_ids, self.client)

    # ------------------------------------------------------------------
    # P3: wording
    # ------------------------------------------------------------------

    def test_client_actions_are_authored_by_the_client_in_the_chatter(self):
        self._book_first_slot(day="Wednesday")
        note = self.contract.message_ids.filtered(lambda m: "Maintenance visit booked" in str(m.body))
        self.assertEqual(note.author_id, self.client, "not Public user")
        doc = self._doc(self._open(self.contract.booking_token))
        self._cancel(self.contract.booking_token, self._csrf(doc, "o_fc_cancel_form"))
        note = self.contract.message_ids.filtered(lambda m: "cancelled; the client can book again" in str(m.body))
        self.assertEqual(note.author_id, self.client)
        for message in self.contract.message_ids:
            text = re.sub(r"<[^>]+>", "", str(message.body))
            self.assertNotIn("((", text.replace(" ", ""))
            self.assertNotIn("a.m..", text)
            self.assertNotIn("p.m..", text)

    def test_page_wording(self):
        doc = self._doc(self._open(self.contract.booking_token))
        intro = self._text(doc, "o_fc_timezone")
        self.assertIn("window in which the technician arrives", intro)
        self.assertIn("takes about 1 hour 30 minutes.", intro)
        labels = [" ".join(n.text_content().split()) for n in doc.find_class("o_fc_slot_time")]
        self.assertEqual(labels[0], "10:00 \u2013 11:00 a.m.", "one label per time, the arrival window")
        self.assertFalse(doc.find_class("o_fc_slot_window"), "the time is not repeated")
        # on a phone the label may wrap at the dash only, never leaving "a.m." alone
        parts = doc.find_class("o_fc_slot_time")[0].xpath("./span[contains(@class, 'text-nowrap')]")
        self.assertEqual([p.text_content() for p in parts], ["10:00", "11:00 a.m."])
        self.assertFalse(doc.xpath("//label[contains(@class, 'o_fc_slot')]//small"), "nothing small on a slot")
        self._book_first_slot(day="Wednesday")
        response = self._open(self.contract.booking_token)
        doc = self._doc(response)
        text = self._page_text(response)
        self.assertNotIn("a.m..", text)
        self.assertNotIn("((", text.replace(" ", ""))
        self.assertIn("until Tuesday, January 12, 2027, 9:00 a.m.", self._text(doc, "o_fc_change_until"))
        self.assertIn("your current booking", self._text(doc, "o_fc_booking_form"))
        # no blank line in the address (the client has no street2)
        address = lxml.html.tostring(doc.find_class("o_fc_visit_address")[0].xpath(".//address")[0]).decode()
        parts = [re.sub(r"<[^>]+>", "", part).strip() for part in re.split(r"<br\s*/?>", address)]
        self.assertEqual(parts, ["12 Queen St E", "Toronto  M4B 1B3", "Canada"])
        email = self._messages("booked")
        body = re.sub(r"<[^>]+>", "", str(email.body))
        self.assertNotIn("a.m..", body)
        self.assertNotIn("((", body.replace(" ", ""))
        self.assertIn("9:00 \u2013 10:00 a.m.", body)
        self.assertNotIn("<br><br>", str(email.body))
        location = self.contract.task_id.calendar_event_id.location
        self.assertNotIn(", ,", location)

    def test_get_on_the_form_addresses_goes_back_to_the_page(self):
        before = self._booking_snapshot()
        for suffix in ("/confirm", "/cancel"):
            response = self._open(self.contract.booking_token, suffix)
            self.assertEqual(response.status_code, 200, suffix)
            self.assertTrue(response.url.endswith(f"/repairs/maintenance/book/{self.contract.booking_token}"))
            self.assertIn("Book your maintenance visit", self._page_text(response))
        self.assertEqual(self._booking_snapshot(), before)
