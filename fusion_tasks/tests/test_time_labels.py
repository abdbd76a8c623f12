"""The time labels of the task form's warnings, alone (no database)."""

from datetime import datetime

import pytz

from odoo.addons.fusion_tasks.lib import time_labels
from odoo.tests import BaseCase, tagged

TORONTO = pytz.timezone("America/Toronto")


def local(*args):
    return TORONTO.localize(datetime(*args))


@tagged("post_install", "-at_install")
class TestTimeLabels(BaseCase):
    def setUp(self):
        super().setUp()
        self.locale = time_labels.babel_locale("en_US")

    def test_english_reads_the_canadian_way(self):
        self.assertEqual(str(self.locale), "en_CA")
        self.assertEqual(time_labels.format_local_time(local(2026, 11, 23, 9, 30), self.locale), "9:30 a.m.")

    def test_a_window_says_am_or_pm_once(self):
        morning = time_labels.format_local_window(local(2026, 11, 23, 9), local(2026, 11, 23, 10, 30), self.locale)
        self.assertEqual(morning, "9:00 \N{EN DASH} 10:30 a.m.")
        noon = time_labels.format_local_window(local(2026, 11, 23, 11, 30), local(2026, 11, 23, 12, 30), self.locale)
        self.assertEqual(noon, "11:30 a.m. \N{EN DASH} 12:30 p.m.")

    def test_other_languages_keep_their_own_format(self):
        french = time_labels.babel_locale("fr_CA")
        self.assertEqual(str(french), "fr_CA")
        self.assertEqual(time_labels.format_local_time(local(2026, 11, 23, 14, 5), french), "14 h 05")
