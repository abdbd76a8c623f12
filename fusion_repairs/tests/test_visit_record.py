"""The visit on record: the checklist copied at booking, answered on site, finished or not done."""

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import Form, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, toronto

VISIT_DAY = "2027-01-12 16:00:00"  # 11:00 in Toronto, during the visit booked below
ONE_PIXEL_PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestVisitRecord(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        Item = cls.env["fusion.repair.maintenance.checklist.item"]
        cls.item_edges = Item.create(
            {"category_id": cls.category.id, "sequence": 1, "name": "Safety edges stop travel", "safety_critical": True}
        )
        cls.item_battery = Item.create(
            {"category_id": cls.category.id, "sequence": 2, "name": "Battery voltage", "reading_unit": "V"}
        )
        cls.item_noise = Item.create(
            {"category_id": cls.category.id, "sequence": 3, "name": "Ride smooth", "required": False}
        )
        cls.office_user = cls.env["res.users"].create(
            {
                "name": "H3 Office Ophelia",
                "login": "office.ophelia@h3.example.com",
                "group_ids": [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        cls.contract.user_id = cls.office_user

    def _book_visit(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician)
        return task, task.maintenance_visit_id

    def _answer(self, task, results):
        """Answer the checklist as the technician does on the task form."""
        with Form(task.with_user(self.technician)) as form:
            for index, (result, reading) in enumerate(results):
                with form.visit_line_ids.edit(index) as line:
                    line.result = result
                    if reading:
                        line.reading = reading

    def test_checklist_is_copied_at_booking_and_follows_the_booking(self):
        task, visit = self._book_visit()
        self.assertTrue(visit.name.startswith("VISIT/"))
        self.assertEqual(visit.contract_id, self.contract)
        self.assertEqual(visit.technician_id, self.technician)
        self.assertEqual(visit.serial, "SL-H3-0001")
        self.assertEqual(visit.visit_date.isoformat(), "2027-01-12")
        self.assertEqual(visit.line_ids.mapped("name"), ["Safety edges stop travel", "Battery voltage", "Ride smooth"])
        self.assertEqual(visit.line_ids.mapped("safety_critical"), [True, False, False])
        self.assertEqual(visit.line_ids.mapped("required"), [True, True, False])
        # a later change of the category's list does not rewrite a booked visit
        self.item_noise.name = "Ride smooth and quiet"
        self.assertEqual(visit.line_ids[2].name, "Ride smooth")
        # moved: the same visit, on the new day; cancelled: the visit is cancelled too
        self._book(self.contract, toronto(2027, 1, 13, 10, 0))
        self.assertEqual(task.maintenance_visit_id, visit)
        self.assertEqual(visit.visit_date.isoformat(), "2027-01-13")
        self.contract.cancel_booking()
        self.assertEqual(visit.state, "cancelled")

    def test_a_required_check_left_unanswered_blocks_done(self):
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            self._answer(task, [("pass", None)])
            with self.assertRaisesRegex(UserError, "Not answered yet: Battery voltage"):
                task.with_user(self.technician).action_finish_visit()
            with self.assertRaisesRegex(UserError, "Not answered yet: Battery voltage"):
                task.with_user(self.technician).action_done()
            self.assertEqual((task.state, visit.state), ("scheduled", "planned"))
            self.assertTrue(self.contract.is_booked, "nothing rolled forward")

    def test_finished_visit_is_signed_passed_and_rolls_the_contract(self):
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            task.with_user(self.technician).action_start()
            self._answer(task, [("pass", None), ("pass", "25.4")])
            action = task.with_user(self.technician).action_finish_visit()
            wizard = Form(self.env[action["res_model"]].with_user(self.technician).with_context(action["context"]))
            self.assertEqual(wizard.result, "passed")
            self.assertEqual(wizard.signed_by, "H3 Margaret Wilson")
            wizard.signature = ONE_PIXEL_PNG
            wizard.save().action_confirm()
            self.assertEqual((task.state, visit.state, visit.result), ("done", "done", "passed"))
            self.assertEqual(visit.signed_by, "H3 Margaret Wilson")
            self.assertTrue(visit.signature and visit.signed_on and visit.arrival_time and visit.departure_time)
            self.assertEqual(visit.line_ids[1].reading, "25.4")
            self.assertEqual(self.contract.last_service_date.isoformat(), "2027-01-12")
            self.assertEqual(self.contract.next_due_date.isoformat(), "2027-07-12")
            # done: read-only for the technician
            with self.assertRaises(AccessError):
                visit.line_ids[0].with_user(self.technician).result = "fail"
            with self.assertRaises(AccessError):
                visit.with_user(self.technician).notes = "changed afterwards"
            # a manager's correction is tracked on the visit
            visit.line_ids[1].with_user(self.env.ref("base.user_admin")).reading = "25.1"
            self.assertTrue(visit.message_ids.filtered(lambda m: "Checklist corrected" in str(m.body)))

    def test_a_failed_check_makes_a_failed_visit_and_remarks_a_remarked_one(self):
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            self._answer(task, [("fail", None), ("pass", "24.9")])
            action = task.with_user(self.technician).action_finish_visit()
            wizard = Form(self.env[action["res_model"]].with_user(self.technician).with_context(action["context"]))
            self.assertEqual(wizard.result, "failed")
            self.assertEqual(wizard.failed_checks, "Safety edges stop travel")
            wizard.save().action_confirm()
            self.assertEqual(visit.result, "failed")

    def test_not_done_does_not_roll_forward_and_asks_the_office_to_rebook(self):
        task, visit = self._book_visit()
        with freeze_time(VISIT_DAY):
            due, repair = self.contract.next_due_date, task.repair_order_id
            action = task.with_user(self.technician).action_visit_not_done()
            wizard = (
                self.env[action["res_model"]]
                .with_user(self.technician)
                .with_context(action["context"])
                .create({"reason": "client_absent", "note": "No answer at the door at 10:15."})
            )
            wizard.action_confirm()
            self.assertEqual((visit.state, visit.result, visit.not_done_reason), ("done", "not_done", "client_absent"))
            self.assertEqual(task.state, "done")
            self.assertEqual(self.contract.next_due_date, due, "the contract does not roll forward")
            self.assertFalse(self.contract.last_service_date)
            self.assertFalse(self.contract.is_booked, "the client (or the office) can book again")
            self.assertEqual(repair.state, "cancel")
            activity = self.contract.activity_ids.filtered(lambda a: "Rebook maintenance visit" in (a.summary or ""))
            self.assertEqual(activity.user_id, self.office_user)
            self.assertIn("Client absent", activity.summary)
            self.assertTrue(self.contract._get_available_slots(), "a new time can be booked")
            note = self.contract.message_ids.filtered(lambda m: "could not be done" in str(m.body))
            self.assertIn("No answer at the door at 10:15. The unit still needs", note.preview)

    def test_technicians_cannot_set_the_result_or_state_of_a_visit(self):
        _task, visit = self._book_visit()
        as_technician = visit.with_user(self.technician)
        for values in ({"result": "passed"}, {"state": "done"}, {"certificate_number": "CERT/X"}):
            with self.subTest(values=values), self.assertRaises(AccessError):
                as_technician.write(values)
        self.assertEqual((visit.state, visit.result), ("planned", False))
        other_technician = self._create_booking_technician("H3 Other Tech")
        with self.assertRaises(AccessError):
            visit.with_user(other_technician).read(["name"])
