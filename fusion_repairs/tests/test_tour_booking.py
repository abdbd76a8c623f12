"""In headless Chromium: the client opens the link of the reminder email, picks a time,
confirms and sees the confirmation (tour ``fusion_repairs_maintenance_booking``)."""

from urllib.parse import urlsplit

from odoo.tests import HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingHttpMixin


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingTour(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def test_client_books_from_the_emailed_link(self):
        self.contract._send_due_reminder(30)
        reminder = self.contract.message_ids.filtered(lambda m: m.subject and "Time to book" in m.subject)
        links = self._links(reminder.body)
        self.assertTrue(links)
        path = urlsplit(links[0]).path
        self.start_tour(path, "fusion_repairs_maintenance_booking", login=None)
        task = self.contract.task_id
        self.assertTrue(self.contract.is_booked)
        self.assertEqual(task.scheduled_start.strftime("%Y-%m-%d %H:%M:%S"), "2027-01-12 15:00:00")
        self.assertTrue(task.calendar_event_id and task.repair_order_id)
        confirmation = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)
        self.assertEqual(len(confirmation), 1, "one booking, one confirmation email")
