"""The ORM-free booking helpers alone: parsing a posted slot, refusing bad ones, local labels."""

from datetime import date, datetime

from odoo.addons.fusion_repairs.lib import booking_slots as bs
from odoo.tests import BaseCase, tagged

TZ = "America/Toronto"
NOW = datetime(2027, 1, 11, 15, 0)  # Monday 10:00 in Toronto


@tagged("post_install", "-at_install")
class TestBookingSlotsLib(BaseCase):
    def test_parse_slot_start_accepts_only_the_page_format(self):
        self.assertEqual(bs.parse_slot_start("2027-01-12 14:00:00"), datetime(2027, 1, 12, 14, 0))
        for tampered in (
            None,
            "",
            "2027-01-12T14:00:00",
            "2027-01-12 14:00",
            "2027-02-30 14:00:00",
            "tomorrow",
            "2027-01-12 14:00:00; DROP TABLE",
            ["2027-01-12 14:00:00"],
        ):
            self.assertIsNone(bs.parse_slot_start(tampered), tampered)

    def test_check_slot_start_reasons(self):
        def check(value, **kwargs):
            return bs.check_slot_start(value, NOW, TZ, **kwargs)

        self.assertIsNone(check(datetime(2027, 1, 12, 15, 0)))  # Tuesday 10:00
        self.assertEqual(check(None), bs.SLOT_INVALID)
        self.assertEqual(check(datetime(2027, 1, 11, 14, 0)), bs.SLOT_PAST)
        self.assertEqual(check(datetime(2027, 1, 11, 20, 0)), bs.SLOT_TOO_SOON)
        self.assertIsNone(check(datetime(2027, 1, 11, 20, 0), min_notice_hours=0))  # office override
        self.assertEqual(check(datetime(2027, 2, 1, 15, 0)), bs.SLOT_TOO_FAR)
        self.assertEqual(check(datetime(2027, 1, 12, 15, 7)), bs.SLOT_OFF_GRID)
        self.assertEqual(check(datetime(2027, 1, 12, 15, 30, 5)), bs.SLOT_OFF_GRID)
        self.assertIsNone(check(datetime(2027, 1, 12, 15, 30)))
        self.assertEqual(check(datetime(2027, 1, 12, 15, 30), grid_minutes=60), bs.SLOT_OFF_GRID)

    def test_labels_in_toronto_across_clock_changes(self):
        # 9:00 local is 13:00 UTC in summer time and 14:00 UTC in winter
        self.assertEqual(bs.format_time(datetime(2027, 11, 5, 13, 0), TZ, "en_US"), "9:00 a.m.")
        self.assertEqual(bs.format_time(datetime(2027, 11, 8, 14, 0), TZ, "en_US"), "9:00 a.m.")
        self.assertEqual(bs.format_time(datetime(2028, 3, 10, 14, 0), TZ), "9:00 a.m.")
        self.assertEqual(bs.format_time(datetime(2028, 3, 13, 13, 0), TZ), "9:00 a.m.")
        self.assertEqual(bs.format_day(datetime(2027, 11, 8, 14, 0), TZ), "Monday, November 8, 2027")
        # late evening UTC is still the same local day
        self.assertEqual(bs.format_day(datetime(2027, 11, 9, 3, 0), TZ), "Monday, November 8, 2027")
        self.assertEqual(bs.format_day_date(date(2027, 1, 25)), "Monday, January 25, 2027")

    def test_timezone_label_names_the_zone(self):
        self.assertEqual(bs.timezone_label(TZ), "Eastern Time (Toronto)")
        self.assertEqual(bs.timezone_label("America/Vancouver", "en_US"), "Pacific Time (Vancouver)")
        self.assertEqual(bs.timezone_label("UTC"), "UTC")

    def test_group_slots_by_local_day(self):
        slots = [
            {"start": datetime(2027, 11, 8, 14, 0), "technician_ids": [2]},
            {"start": datetime(2027, 11, 5, 13, 0), "technician_ids": [1]},
            {"start": datetime(2027, 11, 5, 20, 30), "technician_ids": [1, 2]},
        ]
        days = bs.group_slots_by_day(slots, TZ, "en_CA", arrival_minutes=60)
        self.assertEqual([day["label"] for day in days], ["Friday, November 5, 2027", "Monday, November 8, 2027"])
        friday = days[0]["slots"]
        self.assertEqual([s["value"] for s in friday], ["2027-11-05 13:00:00", "2027-11-05 20:30:00"])
        self.assertEqual([s["label"] for s in friday], ["9:00 a.m.", "4:30 p.m."])
        self.assertEqual(friday[1]["window_label"], "4:30 \u2013 5:30 p.m.")
        self.assertEqual(days[1]["slots"][0]["label"], "9:00 a.m.")

    def test_first_name(self):
        self.assertEqual(bs.first_name("Samuel Tremblay"), "Samuel")
        self.assertEqual(bs.first_name(""), "")

    def test_one_full_stop_after_a_time(self):
        self.assertEqual(
            bs.end_sentence("until Sunday, November 22, 2026, 9:00 a.m."), "until Sunday, November 22, 2026, 9:00 a.m."
        )
        self.assertEqual(bs.end_sentence("You picked Monday, 12:30 p.m."), "You picked Monday, 12:30 p.m.")
        self.assertEqual(bs.end_sentence("until Sunday, 14:00"), "until Sunday, 14:00.")

    def test_visit_length_in_words(self):
        self.assertEqual(bs.format_duration(1), "1 hour")
        self.assertEqual(bs.format_duration(1.5), "1 hour 30 minutes")
        self.assertEqual(bs.format_duration(2), "2 hours")
        self.assertEqual(bs.format_duration(0.75), "45 minutes")
        self.assertEqual(bs.format_duration(2.25), "2 hours 15 minutes")

    def test_window_label_says_a_m_once(self):
        self.assertEqual(
            bs.format_window(datetime(2027, 1, 12, 13, 0), datetime(2027, 1, 12, 14, 0), TZ), "8:00 \u2013 9:00 a.m."
        )
        self.assertEqual(
            bs.format_window(datetime(2027, 1, 12, 16, 30), datetime(2027, 1, 12, 17, 30), TZ),
            "11:30 a.m. \u2013 12:30 p.m.",
        )

    def test_date_time_and_zone_without_nested_brackets(self):
        label = bs.format_datetime_words(datetime(2027, 1, 12, 15, 0), TZ)
        self.assertEqual(label, "Tuesday, January 12, 2027, 10:00 a.m. Eastern Time (Toronto)")
        self.assertNotIn("((", label.replace(" ", ""))
        self.assertNotIn("))", label.replace(" ", ""))
