"""In headless Chromium: office staff book a visit from the contract form with the wizard
(tour ``fusion_repairs_office_booking``): day, time, one Book button."""

from odoo.tests import HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestOfficeBookingTour(BookingFixturesMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def test_staff_book_from_the_contract_form(self):
        self.assertFalse(self.contract.is_booked)
        self.start_tour(
            f"/odoo/action-fusion_repairs.fusion_repair_maintenance_contract_action/{self.contract.id}",
            "fusion_repairs_office_booking",
            login="admin",
        )
        self.assertTrue(self.contract.is_booked)
        task = self.contract.task_id
        # the second window of the first free day (10:00 is the first one)
        self.assertEqual(task.scheduled_start, toronto(2027, 1, 12, 10, 30))
        self.assertEqual(task.technician_id, self.technician)
        confirmation = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)
        self.assertEqual(len(confirmation), 1, "the client is emailed once")
