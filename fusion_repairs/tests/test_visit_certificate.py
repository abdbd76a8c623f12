"""Inspection certificates: a passed visit of a safety-critical unit gets a numbered PDF, emailed
to the client, and a public page that confirms it without any client data."""

import os
import random
import string
import subprocess
import tempfile
from datetime import date, timedelta
from unittest.mock import patch

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, HttpCase, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingHttpMixin, toronto

VISIT_DAY = "2027-01-12 16:00:00"  # 11:00 in Toronto, during the visits booked below
ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
CERTIFICATE_ROUTE = "/repairs/certificate"


def pdf_text(content):
    """The text of a PDF, as ``pdftotext`` (poppler-utils) reads it."""
    with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as pdf:
        pdf.write(content)
    try:
        result = subprocess.run(
            ["pdftotext", "-layout", pdf.name, "-"], capture_output=True, check=True, text=True, timeout=60
        )
    finally:
        os.unlink(pdf.name)
    return " ".join(result.stdout.split())


class CertificateFixturesMixin(BookingHttpMixin):
    @classmethod
    def _setup_certificate_fixtures(cls):
        cls._setup_booking_fixtures()
        cls.category.safety_critical = True
        Item = cls.env["fusion.repair.maintenance.checklist.item"]
        Item.create(
            {"category_id": cls.category.id, "sequence": 1, "name": "Safety edges stop travel", "safety_critical": True}
        )
        Item.create({"category_id": cls.category.id, "sequence": 2, "name": "Battery voltage", "reading_unit": "V"})
        cls.company.x_fc_contractor_registration = "TSSA-REG-77123"
        cls.technician.x_fc_licence_number = "EDM-445566"
        cls.contract.device_licence_number = "LIC-SL-9001"


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestVisitCertificate(CertificateFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_certificate_fixtures()

    def _book_visit(self, contract=None, hour=10):
        task = self._book(contract or self.contract, toronto(2027, 1, 12, hour, 0), technician=self.technician)
        return task, task.maintenance_visit_id

    def _answer(self, task, results):
        with Form(task.with_user(self.technician)) as form:
            for index, (result, reading) in enumerate(results):
                with form.visit_line_ids.edit(index) as line:
                    line.result = result
                    if reading:
                        line.reading = reading

    def _finish_with_wizard(self, task, render_pdf=True):
        """Finish as the technician does on the phone: the client signs, the visit closes."""
        context = {"force_report_rendering": True} if render_pdf else {}
        action = task.with_user(self.technician).action_finish_visit()
        wizard = Form(
            self.env[action["res_model"]].with_user(self.technician).with_context(**action["context"], **context)
        )
        wizard.signature = ONE_PIXEL_PNG
        wizard.save().action_confirm()

    def _create_office_user(self):
        return self.env["res.users"].create(
            {
                "name": "H3 Office Olivia",
                "login": "office.olivia@h3.example.com",
                "group_ids": [Command.link(self.env.ref("sales_team.group_sale_salesman").id)],
            }
        )

    def _certificate_number_tail(self, visit):
        return int(visit.certificate_number.rsplit("/", 1)[1])

    def test_passed_safety_visit_issues_a_numbered_certificate_pdf_and_emails_it(self):
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            self._answer(task, [("pass", None), ("pass", "25.4")])
            self._finish_with_wizard(task)
        self.assertEqual((visit.state, visit.result), ("done", "passed"))
        self.assertRegex(visit.certificate_number, r"^CERT/2027/\d{5}$")
        self.assertEqual(len(visit.certificate_token), 32)
        # valid until the contract's next due date after the roll-forward
        self.assertEqual(visit.certificate_valid_until, date(2027, 7, 12))
        self.assertEqual(self.contract.next_due_date, visit.certificate_valid_until)

        # the PDF on the visit says what was certified
        attachment = visit.certificate_attachment_id
        self.assertEqual((attachment.res_model, attachment.res_id), (visit._name, visit.id))
        self.assertEqual(attachment.mimetype, "application/pdf")
        self.assertEqual(attachment.name, visit.certificate_number.replace("/", "-") + ".pdf")
        text = pdf_text(attachment.raw)
        for expected in (
            "Safety Inspection Certificate",
            visit.certificate_number,
            "SL-H3-0001",
            "LIC-SL-9001",
            "TSSA-REG-77123",
            "EDM-445566",
            "Samuel Tremblay H3",
            "H3 Margaret Wilson",
            "12 Queen St E",
            "H3 Freecurve Stair Lift",
            "H3 Stair Lift",
            "Safety edges stop travel",
            "Pass",
            "25.4 V",
            "Passed",
            "January 12, 2027",
            "July 12, 2027",
        ):
            self.assertIn(expected, text)

        # the client got it by email, through the visit's chatter, and nobody else
        email = visit.message_ids.filtered(lambda m: m.message_type == "comment" and m.attachment_ids)
        self.assertEqual(len(email), 1)
        self.assertIn(visit.certificate_number, email.subject)
        self.assertIn("July 12, 2027", str(email.body))
        self.assertEqual(email.attachment_ids.mapped("name"), [attachment.name])
        self.assertEqual(email.attachment_ids.raw, attachment.raw)
        self.assertEqual(email.notification_ids.res_partner_id, self.client)
        self.assertEqual(email.partner_ids, self.client)
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", email.id)])
        self.assertEqual(mails.recipient_ids, self.client)

        # the contract says so, with the PDF
        note = self.contract.message_ids.filtered(lambda m: visit.certificate_number in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn("emailed to the client", str(note.body))
        self.assertEqual(note.attachment_ids, attachment)

        # the office prints the issued PDF again (not a new one)
        office = self._create_office_user()
        action = visit.with_user(office).action_print_certificate()
        self.assertEqual(action["report_name"], "fusion_repairs.report_inspection_certificate")
        printed, _type = (
            self.env["ir.actions.report"]
            .with_user(office)
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("fusion_repairs.action_report_inspection_certificate", visit.ids)
        )
        self.assertEqual(printed, attachment.raw)

    def test_done_pressed_directly_gives_the_same_valid_until(self):
        """Done on the task rolls the contract before the visit closes; the wizard closes the visit
        first: the certificate's validity is the new due date either way."""
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            self._answer(task, [("pass", None), ("pass", "25.4")])
            task.with_user(self.technician).action_done()
        self.assertTrue(visit.certificate_number)
        self.assertEqual(visit.certificate_valid_until, self.contract.next_due_date)
        self.assertEqual(visit.certificate_valid_until, date(2027, 7, 12))

    def test_two_visits_get_consecutive_numbers(self):
        other_client = self._create_booking_client("H3 Arthur Bell", "arthur.h3@example.com")
        other_contract = self._create_booking_contract(other_client, serial="SL-H3-0002")
        task_1, visit_1 = self._book_visit()
        task_2, visit_2 = self._book_visit(other_contract, hour=13)
        with freeze_time(VISIT_DAY):
            for task in (task_1, task_2):
                self._answer(task, [("pass", None), ("pass", "25.0")])
                self._finish_with_wizard(task, render_pdf=False)
        self.assertEqual(self._certificate_number_tail(visit_2), self._certificate_number_tail(visit_1) + 1)
        self.assertNotEqual(visit_1.certificate_token, visit_2.certificate_token)

    def test_passed_with_remarks_is_certified_too(self):
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            self._answer(task, [("pass", None), ("pass", "23.9")])
            visit.with_user(self.technician).notes = "<p>Battery getting weak: replace within a year.</p>"
            self._finish_with_wizard(task, render_pdf=False)
        self.assertEqual(visit.result, "passed_remarks")
        self.assertTrue(visit.certificate_number)

    def test_no_certificate_for_a_failed_visit_or_a_unit_that_is_not_safety_critical(self):
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            self._answer(task, [("fail", None), ("pass", "25.0")])
            self._finish_with_wizard(task, render_pdf=False)
        self.assertEqual(visit.result, "failed")
        self.assertFalse(visit.certificate_number or visit.certificate_attachment_id)

        self.category.safety_critical = False
        other_client = self._create_booking_client("H3 Arthur Bell", "arthur.h3@example.com")
        other_contract = self._create_booking_contract(other_client, serial="SL-H3-0002")
        task, visit = self._book_visit(other_contract, hour=13)
        with freeze_time(VISIT_DAY):
            self._answer(task, [("pass", None), ("pass", "25.0")])
            self._finish_with_wizard(task, render_pdf=False)
        self.assertEqual(visit.result, "passed")
        self.assertFalse(visit.certificate_number or visit.certificate_attachment_id)
        self.assertFalse(visit.message_ids.filtered(lambda m: m.message_type == "comment"))

    def test_a_failed_safety_visit_prints_a_report_out_of_service_not_a_certificate(self):
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            self._answer(task, [("fail", None), ("pass", "24.9")])
            self._finish_with_wizard(task)
        self.assertEqual((visit.result, visit.out_of_service), ("failed", True))
        self.assertFalse(visit.certificate_number)
        office = self._create_office_user()
        action = visit.with_user(office).action_print_inspection_report()
        self.assertEqual(action["report_name"], "fusion_repairs.report_inspection_certificate")
        pdf, _kind = (
            self.env["ir.actions.report"]
            .with_context(force_report_rendering=True)
            ._render_qweb_pdf("fusion_repairs.action_report_inspection_certificate", visit.ids)
        )
        text = pdf_text(pdf)
        for expected in (
            "Inspection Report",
            "Failed: out of service",
            "Do not use this unit",
            "Safety edges stop travel",
        ):
            self.assertIn(expected, text)
        for absent in ("Safety Inspection Certificate", "Valid until", "Check this certificate"):
            self.assertNotIn(absent, text)

    def test_no_pdf_still_numbers_the_certificate_and_tells_the_office(self):
        task, visit = self._book_visit()
        missing = UserError("Unable to find Wkhtmltopdf on this system. The PDF can not be created.")
        with (
            freeze_time(VISIT_DAY),
            patch.object(type(self.env["ir.actions.report"]), "_render_qweb_pdf", side_effect=missing),
        ):
            self._answer(task, [("pass", None), ("pass", "25.0")])
            self._finish_with_wizard(task)
        self.assertEqual((task.state, visit.state, visit.result), ("done", "done", "passed"))
        self.assertTrue(visit.certificate_number)
        self.assertFalse(visit.certificate_attachment_id)
        self.assertFalse(visit.message_ids.filtered(lambda m: m.message_type == "comment"), "no email without PDF")
        note = self.contract.message_ids.filtered(lambda m: "could not be made" in str(m.body))
        self.assertIn("Wkhtmltopdf", str(note.body))
        self.assertIn(visit.certificate_number, str(note.body))

    def test_a_mail_problem_is_noted_and_never_fails_the_visit(self):
        self.client.email = False
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            self._answer(task, [("pass", None), ("pass", "25.0")])
            self._finish_with_wizard(task)
        self.assertEqual((task.state, visit.result), ("done", "passed"))
        self.assertTrue(visit.certificate_attachment_id)
        note = self.contract.message_ids.filtered(lambda m: visit.certificate_number in str(m.body))
        self.assertIn("could not be emailed to the client", str(note.body))
        self.assertIn("no email address", str(note.body))

    def test_technicians_cannot_set_certificate_fields(self):
        _task, visit = self._book_visit()
        for values in ({"certificate_valid_until": "2030-01-01"}, {"certificate_attachment_id": False}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                visit.with_user(self.technician).write(values)
        with self.assertRaises(AccessError):
            visit.with_user(self.technician).read(["certificate_token"])


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestCertificatePage(CertificateFixturesMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_certificate_fixtures()
        booked = cls.contract.book_slot(toronto(2027, 1, 12, 10, 0), technician=cls.technician)
        task = cls.env["fusion.technician.task"].browse(booked["task_id"])
        cls.visit = task.maintenance_visit_id
        cls.visit.sudo().write(
            {
                "state": "done",
                "result": "passed",
                "certificate_number": "CERT/2027/00042",
                "certificate_token": "h3-" + "Q" * 29,
                "certificate_valid_until": "2027-07-12",
            }
        )

    def _page(self, token):
        return self.url_open(f"{CERTIFICATE_ROUTE}/{token}")

    def test_page_confirms_the_certificate_without_client_data(self):
        response = self._page(self.visit.certificate_token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers.get("Cache-Control"), "no-store")
        self.assertEqual(response.headers.get("Referrer-Policy"), "no-referrer")
        self.assertIn("noindex", response.headers.get("X-Robots-Tag", ""))
        text = self._page_text(response)
        for expected in (
            "CERT/2027/00042",
            "H3 Freecurve Stair Lift",
            "H3 Stair Lift",
            "SL-H3-0001",
            "January 12, 2027",
            "Passed",
            "July 12, 2027",
            "genuine",
            self.company.name,
        ):
            self.assertIn(expected, text)
        for private in ("H3 Margaret Wilson", "Margaret", "12 Queen St E", "margaret.h3@example.com", "555 0100"):
            self.assertNotIn(private, text)

    def test_an_expired_certificate_says_so(self):
        self.visit.sudo().certificate_valid_until = date(2027, 1, 11) - timedelta(days=1)
        text = self._page_text(self._page(self.visit.certificate_token))
        self.assertIn("no longer current", text)

    def test_unknown_code_shows_nothing(self):
        real = self.visit.certificate_token
        for token in (real[:-1] + "R", "x" * 32, "abc", "y" * 300, "%27%20OR%201=1"):
            with self.subTest(token=token):
                response = self._page(token)
                self.assertEqual(response.status_code, 404)
                text = self._page_text(response)
                self.assertIn("No certificate matches this code", text)
                self.assertNotIn("CERT/2027", text)
                self.assertNotIn("SL-H3-0001", text)

    def test_random_codes_never_break_the_page(self):
        rng = random.Random(8)
        alphabet = string.ascii_letters + string.digits + "-_.~%'\"<>!*();:@&=+$,?#[] "
        for _index in range(50):
            token = "".join(rng.choice(alphabet) for _char in range(rng.randint(1, 80)))
            with self.subTest(token=token):
                response = self._page(token)
                self.assertLess(response.status_code, 500)
                self.assertNotIn("CERT/2027/00042", response.text)
