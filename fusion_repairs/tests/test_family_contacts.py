"""Family and caregivers kept informed: they receive the client emails (due reminder, booking
confirmed and cancelled) with the same link, and the booking page names them, without their
email or phone."""

from datetime import date, timedelta

from freezegun import freeze_time as at_time

from odoo.addons.mail.tests.common import MailCase
from odoo.tests import HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingHttpMixin, FusionRepairsCommon, unique

TODAY = date(2026, 3, 2)

JANE_EMAIL = "jane.doe.h3@example.com"
JANE_PHONE = "+1 647 555 0177"


def at(day):
    return at_time(f"{day.isoformat()} 12:00:00")


def _informed_contacts(env):
    jane = env["res.partner"].create(
        {"name": "Jane Doe", "email": JANE_EMAIL, "phone": JANE_PHONE, "x_fc_relationship": "daughter"}
    )
    care_home = env["res.partner"].create(
        {"name": "Sunrise Care Home", "email": "desk.h3@sunrise.example.com", "phone": "+1 416 555 0999"}
    )
    return jane, care_home


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestFamilyContactsBooking(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.jane, cls.care_home = _informed_contacts(cls.env)
        cls.contract.informed_partner_ids = cls.jane | cls.care_home

    def _mails_of(self, subject_word):
        messages = self.contract.message_ids.filtered(lambda m: m.subject and subject_word in m.subject)
        self.assertEqual(len(messages), 1, f"one '{subject_word}' email")
        return self.env["mail.mail"].search([("mail_message_id", "=", messages.id)])

    def test_informed_contacts_receive_confirmation_and_cancellation_with_the_link(self):
        self._book_first_slot(day="Wednesday")
        mails = self._mails_of("booked")
        self.assertEqual(mails.recipient_ids, self.client | self.jane | self.care_home)
        for mail in mails:
            self.assertIn(self.contract.booking_token, mail.body_html, "the same link for everyone")

        doc = self._doc(self._open(self.contract.booking_token))
        response = self._cancel(self.contract.booking_token, self._csrf(doc, "o_fc_cancel_form"))
        self.assertIn("Your visit has been cancelled", self._page_text(response))
        self.assertEqual(self._mails_of("cancelled").recipient_ids, self.client | self.jane | self.care_home)

    def test_contact_without_email_is_left_out(self):
        self.care_home.email = False
        self._book_first_slot(day="Wednesday")
        self.assertEqual(self._mails_of("booked").recipient_ids, self.client | self.jane)

    def test_client_without_email_is_reached_through_the_family(self):
        self.client.email = False
        self._book_first_slot(day="Wednesday")
        self.assertEqual(self._mails_of("booked").recipient_ids, self.jane | self.care_home)

    def test_templates_name_the_informed_contacts_as_recipients(self):
        """For a sender that uses the template's own recipients."""
        for xmlid in (
            "fusion_repairs.email_template_maintenance_due_reminder",
            "fusion_repairs.email_template_maintenance_booking_confirmed",
            "fusion_repairs.email_template_maintenance_booking_cancelled",
        ):
            template = self.env.ref(xmlid)
            rendered = template._render_field("partner_to", self.contract.ids)[self.contract.id]
            self.assertEqual(
                {int(pid) for pid in rendered.split(",")},
                set((self.client | self.jane | self.care_home).ids),
                xmlid,
            )

    def test_page_names_them_without_their_email_or_phone(self):
        response = self._open(self.contract.booking_token)
        doc = self._doc(response)
        self.assertEqual(
            self._text(doc, "o_fc_informed_contacts"),
            "We also keep Jane Doe (daughter) and Sunrise Care Home informed.",
        )
        html = response.text
        for secret in (JANE_EMAIL, JANE_PHONE, "desk.h3@sunrise.example.com", "555 0999"):
            self.assertNotIn(secret, html)

    def test_page_without_informed_contacts_says_nothing(self):
        self.contract.informed_partner_ids = False
        doc = self._doc(self._open(self.contract.booking_token))
        self.assertFalse(doc.find_class("o_fc_informed_contacts"))


@tagged("post_install", "-at_install")
class TestFamilyContactsReminder(FusionRepairsCommon, MailCase):
    """The due reminder, sent the way the scheduler sends it."""

    def test_informed_contacts_receive_the_due_reminder(self):
        self.env["ir.config_parameter"].sudo().set_param("fusion_repairs.reminder_bands", "30,7,1")
        jane, care_home = _informed_contacts(self.env)
        with at(TODAY):
            client = self.env["res.partner"].create(
                {"name": unique("Client"), "email": "client.family@example.com", "zip": "M4C 1A1"}
            )
            contract = self._make_contract(
                partner=client, next_due_date=TODAY + timedelta(days=7), informed_partner_ids=(jane | care_home).ids
            )
        with at(TODAY), self.mock_mail_gateway(), self.enter_registry_test_mode():
            self.env.ref("fusion_repairs.ir_cron_maintenance_due_reminders").method_direct_trigger()
        self.env.invalidate_all()
        mails = self.env["mail.mail"].search([("model", "=", contract._name), ("res_id", "=", contract.id)])
        self.assertEqual(mails.recipient_ids, client | jane | care_home)
        self.assertTrue(all(contract.booking_url in mail.body_html for mail in mails))
