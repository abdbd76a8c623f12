"""After a visit, the unit's booking link lists its past visits (date, result, technician's first
name) and serves their certificates as PDF, with the link's token only: nothing of any other
unit or client."""

from odoo.tests import Form, HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, toronto
from .test_visit_certificate import ONE_PIXEL_PNG, VISIT_DAY, CertificateFixturesMixin

AFTER_VISIT = "2027-01-13 15:00:00"


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingHistory(CertificateFixturesMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_certificate_fixtures()
        cls.other_client = cls._create_booking_client("H3 Other History Client", "other.history@h3.example.com")
        cls.other_contract = cls._create_booking_contract(cls.other_client, serial="SL-H3-HIST-OTHER")

    def _finish_visit(self, contract, hour, render_pdf=True):
        """Book a visit on Tuesday and finish it there as the technician does (client signs)."""
        task = self._book(contract, toronto(2027, 1, 12, hour), technician=self.technician, notify=False)
        with freeze_time(VISIT_DAY if hour <= 11 else "2027-01-12 19:00:00"):
            with Form(task.with_user(self.technician)) as form:
                for index in range(len(task.visit_line_ids)):
                    with form.visit_line_ids.edit(index) as line:
                        line.result = "pass"
            action = task.with_user(self.technician).action_finish_visit()
            context = {**action["context"], "force_report_rendering": render_pdf}
            wizard = Form(self.env[action["res_model"]].with_user(self.technician).with_context(**context))
            wizard.signature = ONE_PIXEL_PNG
            wizard.save().action_confirm()
        return task.maintenance_visit_id

    def test_the_link_lists_past_visits_and_downloads_their_certificate(self):
        visit = self._finish_visit(self.contract, 10)
        self.assertTrue(visit.certificate_attachment_id, "the visit got its certificate PDF")
        token = self.contract.booking_token  # the next cycle's link, as in the next reminder
        with freeze_time(AFTER_VISIT):
            doc = self._doc(self._open(token))
            rows = doc.find_class("o_fc_past_visit")
            self.assertEqual(len(rows), 1)
            self.assertEqual(self._text(doc, "o_fc_past_visit_date"), "Tuesday, January 12, 2027")
            self.assertEqual(self._text(doc, "o_fc_past_visit_result"), "Passed")
            self.assertEqual(self._text(doc, "o_fc_past_visit_technician"), "technician: Samuel")
            self.assertNotIn("Tremblay", self._text(doc, "o_fc_booking_history"))
            links = rows[0].xpath(".//a[contains(@class, 'o_fc_certificate_download')]/@href")
            self.assertEqual(links, [f"/repairs/maintenance/book/{token}/certificate/{visit.id}.pdf"])

            response = self.url_open(links[0])
            self.assertEqual(response.status_code, 200)
            self.assertEqual(response.headers["Content-Type"], "application/pdf")
            self.assertTrue(response.content.startswith(b"%PDF"))
            self.assertEqual(response.content, visit.certificate_attachment_id.raw)
            self.assertIn("no-store", response.headers.get("Cache-Control", ""))

    def test_another_units_visit_or_a_wrong_token_gets_nothing(self):
        visit = self._finish_visit(self.contract, 10)
        other_visit = self._finish_visit(self.other_contract, 14, render_pdf=False)
        # give the other unit's visit a certificate PDF too, so that only ownership refuses it
        other_visit.sudo().write(
            {
                "certificate_number": "CERT/2027/99999",
                "certificate_attachment_id": self.env["ir.attachment"]
                .sudo()
                .create(
                    {
                        "name": "CERT-2027-99999.pdf",
                        "raw": visit.certificate_attachment_id.raw,
                        "mimetype": "application/pdf",
                        "res_model": other_visit._name,
                        "res_id": other_visit.id,
                    }
                )
                .id,
            }
        )
        token = self.contract.booking_token
        other_token = self.other_contract.booking_token
        with freeze_time(AFTER_VISIT):
            # each page lists its own unit only
            doc = self._doc(self._open(token))
            self.assertEqual(len(doc.find_class("o_fc_past_visit")), 1)
            self.assertNotIn("99999", self._text(doc, "o_fc_booking_history"))
            self.assertNotIn("SL-H3-HIST-OTHER", self._page_text(self._open(token)))
            other_doc = self._doc(self._open(other_token))
            self.assertNotIn(visit.certificate_number, self._text(other_doc, "o_fc_booking_history"))

            for url in (
                f"/repairs/maintenance/book/{token}/certificate/{other_visit.id}.pdf",
                f"/repairs/maintenance/book/{other_token}/certificate/{visit.id}.pdf",
                f"/repairs/maintenance/book/{token[:-2]}xx/certificate/{visit.id}.pdf",
                f"/repairs/maintenance/book/{token}/certificate/999999999.pdf",
            ):
                response = self.url_open(url)
                self.assertEqual(response.status_code, 404, url)
                self.assertFalse(response.content.startswith(b"%PDF"), url)
                self.assertIn("We could not find that certificate", self._page_text(response))
                self.assertNotIn("H3 Other History Client", self._page_text(response))
            # the other unit's own link does serve its own certificate
            response = self.url_open(f"/repairs/maintenance/book/{other_token}/certificate/{other_visit.id}.pdf")
            self.assertTrue(response.content.startswith(b"%PDF"))

    def test_the_done_visits_own_link_lists_it_with_its_certificate(self):
        old_token = self.contract.booking_token  # the link of the reminder, used to book
        visit = self._finish_visit(self.contract, 10)
        other_visit = self._finish_visit(self.other_contract, 14, render_pdf=False)
        self.assertNotEqual(self.contract.booking_token, old_token)
        with freeze_time(AFTER_VISIT):
            response = self._open(old_token)
            self.assertEqual(response.status_code, 200)
            doc = self._doc(response)
            self.assertIn("This visit is done", self._page_text(response))
            self.assertEqual(self._text(doc, "o_fc_past_visit_date"), "Tuesday, January 12, 2027")
            self.assertEqual(self._text(doc, "o_fc_past_visit_result"), "Passed")
            links = doc.xpath("//a[contains(@class, 'o_fc_certificate_download')]/@href")
            self.assertEqual(links, [f"/repairs/maintenance/book/{old_token}/certificate/{visit.id}.pdf"])
            response = self.url_open(links[0])
            self.assertTrue(response.content.startswith(b"%PDF"))
            # the old link opens nothing of another unit
            response = self.url_open(f"/repairs/maintenance/book/{old_token}/certificate/{other_visit.id}.pdf")
            self.assertEqual(response.status_code, 404)
            # an unknown link still shows no list at all
            response = self._open("A" * 43)
            self.assertFalse(self._doc(response).find_class("o_fc_booking_history"))

    def test_no_section_before_the_first_visit(self):
        doc = self._doc(self._open(self.contract.booking_token))
        self.assertFalse(doc.find_class("o_fc_booking_history"))
