"""In headless Chromium on a 390 px phone (tour ``fusion_repairs_technician_visit``): the
technician opens the day's visit, answers the checklist, has the client sign and finishes."""

from odoo.tests import HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestTechnicianVisitTour(BookingFixturesMixin, HttpCase):
    browser_size = "390x844"
    touch_enabled = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.technician.password = cls.technician.login
        Item = cls.env["fusion.repair.maintenance.checklist.item"]
        Item.create(
            {"category_id": cls.category.id, "sequence": 1, "name": "Safety edges stop travel", "safety_critical": True}
        )
        Item.create({"category_id": cls.category.id, "sequence": 2, "name": "Battery voltage", "reading_unit": "V"})

    def test_technician_answers_the_checklist_and_finishes_on_a_phone(self):
        result = self.contract.book_slot(toronto(2027, 1, 12, 10, 0), technician=self.technician)
        task = self.env["fusion.technician.task"].browse(result["task_id"])
        with freeze_time("2027-01-12 15:30:00"):
            self.start_tour(
                "/odoo/action-fusion_tasks.fusion_technician_task_action_my",
                "fusion_repairs_technician_visit",
                login=self.technician.login,
            )
            visit = task.maintenance_visit_id
            self.assertEqual((task.state, visit.state, visit.result), ("done", "done", "passed"))
            self.assertEqual(visit.line_ids.mapped("result"), ["pass", "pass"])
            self.assertEqual(visit.line_ids[1].reading, "25.4")
            self.assertTrue(visit.signature)
            self.assertEqual(visit.signed_by, "H3 Margaret Wilson")
            self.assertEqual(self.contract.next_due_date.isoformat(), "2027-07-12")
