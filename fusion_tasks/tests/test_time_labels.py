"""The time labels shared by the task form's warnings and the booking pages, alone (no database)."""

from datetime import datetime

import pytz

from odoo.addons.fusion_tasks.lib import time_labels
from odoo.tests import BaseCase, tagged

TORONTO = "America/Toronto"


def utc(*args):
    """Naive UTC datetime of a wall-clock time in Toronto."""
    return pytz.timezone(TORONTO).localize(datetime(*args)).astimezone(pytz.utc).replace(tzinfo=None)


@tagged("post_install", "-at_install")
class TestTimeLabels(BaseCase):
    def test_english_reads_the_canadian_way(self):
        self.assertEqual(str(time_labels.babel_locale("en_US")), "en_CA")
        self.assertEqual(time_labels.format_time(utc(2026, 11, 23, 9, 30), TORONTO, "en_US"), "9:30 a.m.")

    def test_a_window_says_am_or_pm_once(self):
        morning = time_labels.format_window(utc(2026, 11, 23, 9), utc(2026, 11, 23, 10, 30), TORONTO, "en_US")
        self.assertEqual(morning, "9:00 \N{EN DASH} 10:30 a.m.")
        noon = time_labels.format_window(utc(2026, 11, 23, 11, 30), utc(2026, 11, 23, 12, 30), TORONTO, "en_US")
        self.assertEqual(noon, "11:30 a.m. \N{EN DASH} 12:30 p.m.")

    def test_other_languages_keep_their_own_format(self):
        self.assertEqual(str(time_labels.babel_locale("fr_CA")), "fr_CA")
        self.assertEqual(time_labels.format_time(utc(2026, 11, 23, 14, 5), TORONTO, "fr_CA"), "14 h 05")
