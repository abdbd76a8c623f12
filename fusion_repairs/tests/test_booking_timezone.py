"""Toronto clock changes: the page shows local times that match the stored UTC starts, in the
weeks of the November (back to EST) and March (forward to EDT) changes."""

from odoo.tests import HttpCase, freeze_time, tagged

from .common import BookingHttpMixin


@tagged("post_install", "-at_install")
class TestBookingTimeZones(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def _day_slots(self, doc, day_label):
        """``[(data-slot-start, visible time)]`` of one local day on the page."""
        fieldsets = [f for f in doc.find_class("o_fc_booking_day") if day_label in f.text_content()]
        self.assertEqual(len(fieldsets), 1, f"{day_label} is offered once")
        return [
            (
                label.get("data-slot-start"),
                " ".join(label.find_class("o_fc_slot_time")[0].text_content().split()),
            )
            for label in fieldsets[0].xpath(".//label[@data-slot-start]")
        ]

    def assertDay(self, doc, day_label, first, last):
        slots = self._day_slots(doc, day_label)
        self.assertEqual(slots[0], first, day_label)
        self.assertEqual(slots[-1], last, day_label)
        self.assertEqual(len(slots), 14, "9:00 to 3:30 p.m. every half hour")

    def assertBooked(self, slot, day_label, window):
        doc = self._doc(self._open(self.contract.booking_token))
        response = self._confirm(self.contract.booking_token, slot, self._csrf(doc))
        doc = self._doc(response)
        self.assertEqual(self._text(doc, "o_fc_visit_day"), day_label)
        self.assertIn(f"arrives between {window}", self._text(doc, "o_fc_visit_window"))
        self.assertEqual(self.contract.task_id.scheduled_start.strftime("%Y-%m-%d %H:%M:%S"), slot)
        message = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)[:1]
        self.assertIn(day_label, message.subject)
        ics = message.attachment_ids.filtered(lambda a: a.name.endswith(".ics"))
        self.assertIn(("DTSTART:%sZ" % slot.replace("-", "").replace(" ", "T").replace(":", "")).encode(), ics.raw)

    def test_november_clock_change_week(self):
        # Wednesday 3 November 2027, 8:00 EDT; clocks go back on Sunday 7 November
        with freeze_time("2027-11-03 12:00:00"):
            doc = self._doc(self._open(self.contract.booking_token))
            self.assertEqual(self._text(doc, "o_fc_tz_label"), "Eastern Time (Toronto)")
            days = [" ".join(d.text_content().split()) for d in doc.find_class("o_fc_day_label")]
            self.assertNotIn("Saturday, November 6, 2027", days)
            self.assertNotIn("Sunday, November 7, 2027", days)
            # before the change 9:00 is 13:00 UTC (UTC-4) ...
            self.assertDay(
                doc,
                "Friday, November 5, 2027",
                ("2027-11-05 13:00:00", "9:00 \u2013 10:00 a.m."),
                ("2027-11-05 19:30:00", "3:30 \u2013 4:30 p.m."),
            )
            # ... after it, 14:00 UTC (UTC-5)
            self.assertDay(
                doc,
                "Monday, November 8, 2027",
                ("2027-11-08 14:00:00", "9:00 \u2013 10:00 a.m."),
                ("2027-11-08 20:30:00", "3:30 \u2013 4:30 p.m."),
            )
            self.assertBooked("2027-11-08 14:00:00", "Monday, November 8, 2027", "9:00 a.m. and 10:00 a.m.")

    def test_march_clock_change_week(self):
        # Wednesday 8 March 2028, 8:00 EST; clocks go forward on Sunday 12 March
        with freeze_time("2028-03-08 13:00:00"):
            doc = self._doc(self._open(self.contract.booking_token))
            self.assertDay(
                doc,
                "Friday, March 10, 2028",
                ("2028-03-10 14:00:00", "9:00 \u2013 10:00 a.m."),
                ("2028-03-10 20:30:00", "3:30 \u2013 4:30 p.m."),
            )
            self.assertDay(
                doc,
                "Monday, March 13, 2028",
                ("2028-03-13 13:00:00", "9:00 \u2013 10:00 a.m."),
                ("2028-03-13 19:30:00", "3:30 \u2013 4:30 p.m."),
            )
            self.assertBooked("2028-03-10 20:30:00", "Friday, March 10, 2028", "3:30 p.m. and 4:30 p.m.")
