"""The ORM-free reminder band rules, tested alone (no database)."""

from odoo.addons.fusion_repairs.lib.reminder_bands import (
    band_to_send,
    band_windows,
    due_band,
    format_bands,
    parse_bands,
)
from odoo.tests import BaseCase

BANDS = (1, 7, 30)


class TestReminderBands(BaseCase):
    def test_parse_bands(self):
        self.assertEqual(parse_bands("30,7,1"), (1, 7, 30))
        self.assertEqual(parse_bands(" 7, 30 ,1, 7 ,"), (1, 7, 30), "spaces, duplicates, trailing comma")
        self.assertEqual(parse_bands("14"), (14,))
        self.assertEqual(parse_bands([30, 7]), (7, 30))

    def test_parse_bands_refuses_bad_input(self):
        for value in ("", "   ", ",", "thirty", "30,7.5", "30,0", "30,-7", None):
            with self.subTest(value=value), self.assertRaises(ValueError):
                parse_bands(value)

    def test_format_bands(self):
        self.assertEqual(format_bands((1, 7, 30)), "30,7,1")
        self.assertEqual(format_bands(parse_bands("1, 30,7")), "30,7,1")

    def test_nothing_before_the_widest_band(self):
        self.assertIsNone(due_band(31, BANDS))
        self.assertIsNone(band_to_send(31, BANDS, 0))
        self.assertIsNone(band_to_send(365, BANDS, 0))

    def test_each_band_in_turn(self):
        self.assertEqual(band_to_send(30, BANDS, 0), 30)
        self.assertEqual(band_to_send(8, BANDS, 0), 30)
        self.assertEqual(band_to_send(7, BANDS, 30), 7)
        self.assertEqual(band_to_send(2, BANDS, 30), 7)
        self.assertEqual(band_to_send(1, BANDS, 7), 1)

    def test_never_twice_for_a_band(self):
        self.assertIsNone(band_to_send(30, BANDS, 30))
        self.assertIsNone(band_to_send(10, BANDS, 30))
        self.assertIsNone(band_to_send(7, BANDS, 7))
        self.assertIsNone(band_to_send(1, BANDS, 1))
        self.assertIsNone(band_to_send(-3, BANDS, 1))

    def test_never_a_less_urgent_band_after_a_more_urgent_one(self):
        self.assertIsNone(band_to_send(20, BANDS, 7), "due date moved later: no 30-day band again")

    def test_catch_up_sends_only_the_most_urgent(self):
        # the job did not run for weeks: 30 and 7 were both missed
        self.assertEqual(band_to_send(1, BANDS, 0), 1)
        self.assertEqual(band_to_send(5, BANDS, 0), 7)
        self.assertEqual(band_to_send(0, BANDS, 30), 1)

    def test_overdue_gets_one_last_reminder(self):
        self.assertEqual(band_to_send(-10, BANDS, 0), 1)
        self.assertEqual(band_to_send(-10, BANDS, 7), 1)
        self.assertIsNone(band_to_send(-10, BANDS, 1))

    def test_band_windows_match_band_to_send(self):
        windows = band_windows(BANDS)
        self.assertEqual(windows, [(1, None), (7, 1), (30, 7)])
        for days_left in range(-5, 40):
            for already_sent in (0, *BANDS):
                expected = band_to_send(days_left, BANDS, already_sent)
                matching = [
                    band
                    for band, lower in windows
                    if days_left <= band
                    and (lower is None or days_left > lower)
                    and (already_sent == 0 or already_sent > band)
                ]
                with self.subTest(days_left=days_left, already_sent=already_sent):
                    self.assertEqual(matching[0] if matching else None, expected)
                    self.assertLessEqual(len(matching), 1)

    def test_single_band(self):
        self.assertEqual(band_to_send(14, (14,), 0), 14)
        self.assertIsNone(band_to_send(14, (14,), 14))
