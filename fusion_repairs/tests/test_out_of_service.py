"""A failed safety-critical check takes the unit out of service: the client is told at once not
to use it, one corrective repair order is opened, the office gets an urgent activity, reminders
and online booking stop; the unit is back in service when that repair is done."""

from datetime import date, datetime

from lxml import etree

from odoo.addons.fusion_repairs.lib.booking_slots import BookingError
from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, HttpCase, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, OFFICE_PHONE, BookingFixturesMixin, BookingHttpMixin, slot_value, toronto

VISIT_DAY = "2027-01-12 16:00:00"  # 11:00 in Toronto, during the visit booked below
REPAIR_DAY = "2027-01-20 16:00:00"  # the corrective repair is done a week later
ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
SUBJECT = "Please stop using your H3 Freecurve Stair Lift"
EDGE_NOTE = "The left edge does not stop the carriage"


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestOutOfService(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        Item = cls.env["fusion.repair.maintenance.checklist.item"]
        Item.create(
            {"category_id": cls.category.id, "sequence": 1, "name": "Safety edges stop travel", "safety_critical": True}
        )
        Item.create({"category_id": cls.category.id, "sequence": 2, "name": "Battery voltage", "reading_unit": "V"})
        cls.office_user = cls.env["res.users"].create(
            {
                "name": "H3 Office Oscar",
                "login": "office.oscar@h3.example.com",
                "group_ids": [
                    Command.link(cls.env.ref("sales_team.group_sale_salesman").id),
                    Command.link(cls.env.ref("stock.group_stock_user").id),
                ],
            }
        )
        cls.contract.user_id = cls.office_user
        cls.activity_type = cls.env.ref("fusion_repairs.mail_activity_type_unit_out_of_service")

    # ------------------------------------------------------------------
    # The visit, as the technician does it
    # ------------------------------------------------------------------

    def _visit(self, edges, battery, note=None):
        """Book, then on the visit day answer the two checks and finish with a signature."""
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician)
        visit = task.maintenance_visit_id
        with freeze_time(VISIT_DAY):
            with Form(task.with_user(self.technician)) as form:
                with form.visit_line_ids.edit(0) as line:
                    line.result = edges
                    line.note = note or False
                with form.visit_line_ids.edit(1) as line:
                    line.result = battery
                    line.reading = "24.9"
            action = task.with_user(self.technician).action_finish_visit()
            wizard = Form(self.env[action["res_model"]].with_user(self.technician).with_context(action["context"]))
            wizard.signature = ONE_PIXEL_PNG
            wizard.save().action_confirm()
        return task, visit

    def _emails(self):
        return self.contract.message_ids.filtered(lambda m: m.subject == SUBJECT)

    def _corrective_repairs(self):
        return self.env["repair.order"].search([("x_fc_maintenance_contract_id", "=", self.contract.id)])

    def _urgent_activities(self):
        return self.contract.activity_ids.filtered(lambda a: a.activity_type_id == self.activity_type)

    # ------------------------------------------------------------------
    # Out of service
    # ------------------------------------------------------------------

    def test_failed_safety_check_takes_the_unit_out_of_service(self):
        task, visit = self._visit("fail", "pass", note=EDGE_NOTE)
        contract = self.contract
        self.assertEqual((task.state, visit.result), ("done", "failed"))
        self.assertTrue(visit.out_of_service, "the visit's report says 'Failed: out of service'")
        # on the contract: since when and why
        self.assertTrue(contract.x_fc_out_of_service)
        self.assertEqual(contract.x_fc_out_of_service_since, datetime(2027, 1, 12, 16, 0))
        self.assertIn(f"Safety edges stop travel: {EDGE_NOTE}", contract.x_fc_out_of_service_reason)
        self.assertIn(visit.name, contract.x_fc_out_of_service_reason)
        self.assertNotIn("Battery voltage", contract.x_fc_out_of_service_reason)

        # the client is emailed at once, client only, in plain words with the office phone
        email = self._emails()
        self.assertEqual(len(email), 1)
        self.assertEqual(email.partner_ids, self.client)
        self.assertEqual(email.notified_partner_ids, self.client, "no copy to the office or the followers")
        self.assertEqual(email.author_id, self.company.partner_id)
        body = " ".join(str(email.body).split())
        for words in ("please stop using your H3 Freecurve Stair Lift", "Safety edges stop travel", EDGE_NOTE):
            self.assertIn(words, body)
        self.assertIn(OFFICE_PHONE, body)
        self.assertLess(body.index(OFFICE_PHONE), body.index("Safety edges stop travel"), "the phone comes first")

        # one corrective repair order for the unit, linked to the contract and the visit
        repair = self._corrective_repairs()
        self.assertEqual(len(repair), 1)
        self.assertEqual(repair.x_fc_maintenance_visit_id, visit)
        self.assertEqual((repair.partner_id, repair.product_id), (self.client, self.product))
        self.assertEqual(repair.priority, "1")
        self.assertIn("Safety edges stop travel", str(repair.internal_notes))
        self.assertNotEqual(repair, task.repair_order_id, "not the visit's own repair order")
        self.assertEqual(task.repair_order_id.state, "done", "the visit's own repair order is closed as usual")
        self.assertTrue(contract.x_fc_out_of_service, "closing the visit's own order changes nothing")

        # an urgent activity, due today, for the contract's responsible
        activity = self._urgent_activities()
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.office_user)
        self.assertEqual(activity.date_deadline, date(2027, 1, 12))
        self.assertIn(repair.name, activity.summary)

        # never twice for the same visit
        visit._handle_failed_safety_checks()
        self.assertEqual(len(self._corrective_repairs()), 1)
        self.assertEqual(len(self._emails()), 1)
        self.assertEqual(len(self._urgent_activities()), 1)

        # the history on the contract: a smart button per kind
        self.assertEqual(contract.visit_count, 1)
        action = contract.action_view_visits()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), visit)
        self.assertEqual(contract.corrective_repair_count, 1)
        action = contract.action_view_corrective_repairs()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), repair)
        self.assertEqual(contract.certificate_count, 0, "a failed visit certifies nothing")
        action = contract.action_view_certificates()
        self.assertFalse(self.env[action["res_model"]].search(action["domain"]))

    def test_reminders_and_booking_stop_while_out_of_service(self):
        self._visit("fail", "pass")
        other = self._create_booking_contract(
            self._create_booking_client("H3 Other Client", "other.h3@example.com"),
            serial="SL-H3-0002",
            next_due_date="2027-01-15",
        )
        self.contract.next_due_date = "2027-01-15"  # both in the 7-day band
        self.assertNotIn(self.contract, self.contract.search(self.contract._get_reminder_domain()))
        with self.enter_registry_test_mode():
            self.env.ref("fusion_repairs.ir_cron_maintenance_due_reminders").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(other.reminder_band_sent, 7, "the job ran")
        self.assertEqual(self.contract.reminder_band_sent, 0)
        self.assertFalse(self.contract.message_ids.filtered(lambda m: m.subject and "Time to book" in m.subject))
        # the booking door refuses, and creates nothing
        tasks = self.env["fusion.technician.task"].search_count([("maintenance_contract_id", "=", self.contract.id)])
        with self.assertRaises(BookingError) as caught:
            self.contract.book_slot(toronto(2027, 1, 14, 10, 0))
        self.assertEqual(caught.exception.reason, "out_of_service")
        self.assertIn("do not use it", str(caught.exception))
        self.assertIn(OFFICE_PHONE, str(caught.exception))
        self.assertEqual(
            self.env["fusion.technician.task"].search_count([("maintenance_contract_id", "=", self.contract.id)]),
            tasks,
        )
        # the office is told in its own words (and has no Book button meanwhile)
        with self.assertRaisesRegex(UserError, "is out of service: its corrective repair must be done"):
            self.contract.action_open_booking_wizard()

    def test_a_failed_check_that_is_not_safety_critical_is_just_failed(self):
        _task, visit = self._visit("pass", "fail", note=None)
        self.assertEqual(visit.result, "failed")
        self.assertFalse(visit.out_of_service)
        self.assertFalse(self.contract.x_fc_out_of_service)
        self.assertFalse(self._emails())
        self.assertFalse(self._corrective_repairs())
        self.assertFalse(self._urgent_activities())
        self.assertFalse(self.contract._get_booking_block_reason())

    def test_finishing_the_corrective_repair_returns_the_unit_to_service(self):
        _task, _visit = self._visit("fail", "pass", note=EDGE_NOTE)
        repair = self._corrective_repairs()
        token = self.contract.sudo().booking_token
        with freeze_time(REPAIR_DAY):
            repair.action_validate()
            repair.action_repair_start()
            repair.with_user(self.office_user).action_repair_end()
        self.assertEqual(repair.state, "done")
        contract = self.contract
        self.assertFalse(contract.x_fc_out_of_service)
        self.assertFalse(contract.x_fc_out_of_service_since or contract.x_fc_out_of_service_reason)
        # the next cycle starts from the repair: due date, new link, reminders reset
        self.assertEqual(contract.last_service_date, date(2027, 1, 20))
        self.assertEqual(contract.next_due_date, date(2027, 7, 20))
        self.assertNotEqual(contract.sudo().booking_token, token)
        self.assertEqual(contract.reminder_band_sent, 0)
        note = contract.message_ids.filtered(lambda m: "Back in service" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn(repair.name, note.body)
        self.assertIn("July 20, 2027", note.body)
        self.assertFalse(self._urgent_activities(), "the urgent activity is closed")
        self.assertFalse(contract._get_booking_block_reason(), "the client can book again")

    def test_only_the_office_returns_a_unit_to_service_by_hand(self):
        self._visit("fail", "pass")
        due = self.contract.next_due_date
        with self.assertRaises(AccessError):
            self.contract.with_user(self.technician).action_return_to_service()
        self.assertTrue(self.contract.x_fc_out_of_service)
        self.contract.with_user(self.office_user).action_return_to_service()
        self.assertFalse(self.contract.x_fc_out_of_service)
        self.assertEqual(self.contract.next_due_date, due, "the due date is left as it is")
        notes = self.contract.message_ids.filtered(lambda m: "Returned to service by H3 Office Oscar" in str(m.body))
        self.assertEqual(len(notes), 1)

    def test_technicians_see_the_history_of_their_own_visits_only(self):
        self._visit("fail", "pass")
        other = self._create_booking_technician("H3 Other Tech")
        as_technician = self.contract.with_user(self.technician)
        self.assertEqual(as_technician.visit_count, 1)
        action = as_technician.action_view_visits()
        self.assertEqual(len(self.env[action["res_model"]].with_user(self.technician).search(action["domain"])), 1)
        self.assertFalse(
            self.env[action["res_model"]].with_user(other).search(action["domain"]), "another technician sees none"
        )

    def test_the_contract_form_shows_the_status_and_the_history(self):
        self._visit("fail", "pass")

        def arch(user, view_type="form"):
            views = self.contract.with_user(user).get_views([(False, view_type)])["views"]
            return etree.fromstring(views[view_type]["arch"])

        form = arch(self.office_user)
        for button in (
            "action_view_visits",
            "action_view_certificates",
            "action_view_corrective_repairs",
            "action_return_to_service",
        ):
            self.assertTrue(form.xpath(f"//button[@name='{button}']"), button)
        self.assertTrue(form.xpath("//widget[@name='web_ribbon'][@title='Out of Service']"))
        alert = form.xpath("//div[contains(@class, 'o_fc_out_of_service_alert')]")[0]
        self.assertTrue(alert.xpath(".//field[@name='x_fc_out_of_service_since']"))
        self.assertTrue(alert.xpath(".//field[@name='x_fc_out_of_service_reason']"))
        self.assertIn("x_fc_out_of_service", arch(self.office_user, "list").get("decoration-danger"))
        self.assertTrue(arch(self.office_user, "search").xpath("//filter[@name='out_of_service']"))
        # the technician opens the form of their visit's unit, without the office's parts
        tech_form = arch(self.technician)
        self.assertTrue(tech_form.xpath("//button[@name='action_view_visits']"))
        self.assertFalse(tech_form.xpath("//button[@name='action_view_corrective_repairs']"))
        self.assertFalse(tech_form.xpath("//button[@name='action_return_to_service']"))
        self.assertTrue(Form(self.contract.with_user(self.technician)).x_fc_out_of_service)


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestOutOfServiceBookingPage(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def _take_out_of_service(self):
        self.contract.write(
            {
                "x_fc_out_of_service": True,
                "x_fc_out_of_service_since": FROZEN_NOW,
                "x_fc_out_of_service_reason": "Failed safety checks: Safety edges stop travel",
            }
        )

    def test_the_page_of_an_out_of_service_unit_offers_no_times(self):
        self._take_out_of_service()
        response = self._open(self.contract.booking_token)
        self.assertEqual(response.status_code, 200)
        doc = self._doc(response)
        message = self._text(doc, "o_fc_booking_blocked")
        self.assertIn("Please do not use your H3 Freecurve Stair Lift", message)
        self.assertIn("did not pass its last safety inspection and is out of service", message)
        self.assertIn(OFFICE_PHONE, message)
        self.assertFalse(self._slot_starts(doc), "no times offered")
        self.assertFalse(doc.find_class("o_fc_booking_form"))
        self.assertNotIn("Book your maintenance visit", self._page_text(response))
        self.assertNotIn("Failed safety checks", self._page_text(response), "the office's notes stay inside")

    def test_a_posted_booking_is_refused_and_creates_nothing(self):
        doc = self._doc(self._open(self.contract.booking_token))
        csrf, slot = self._csrf(doc), self._enabled_slot_starts(doc)[0]
        self.assertEqual(slot, slot_value(toronto(2027, 1, 12, 10, 0)))
        self._take_out_of_service()  # e.g. while the page was open
        before = self._booking_snapshot()
        response = self._confirm(self.contract.booking_token, slot, csrf, "")
        self.assertEqual(response.status_code, 200)
        self.assertIn("error=out_of_service", response.url)
        doc = self._doc(response)
        self.assertIn("Please do not use your H3 Freecurve Stair Lift", self._text(doc, "o_fc_booking_blocked"))
        self.assertFalse(self._slot_starts(doc))
        self.assertEqual(self._booking_snapshot(), before, "nothing was created")
