"""The ORM-free stagger of the backfill: overdue units spread over the next weeks, a daily cap."""

from collections import Counter
from datetime import date, timedelta

from odoo.addons.fusion_repairs.lib.backfill_schedule import stagger_due_dates, working_days
from odoo.tests import BaseCase, tagged

# Friday 8 January 2027: tomorrow is a Saturday, the window starts on Monday the 11th
TODAY = date(2027, 1, 8)


@tagged("post_install", "-at_install")
class TestBackfillSchedule(BaseCase):
    def test_future_and_today_dates_are_kept(self):
        result = stagger_due_dates([("later", date(2027, 6, 1)), ("today", TODAY)], TODAY)
        self.assertEqual(result, {"later": date(2027, 6, 1), "today": TODAY})

    def test_overdue_units_are_spread_over_the_window_oldest_first(self):
        units = [(f"u{i}", date(2020, 1, 1) + timedelta(days=30 * i)) for i in range(5)]
        result = stagger_due_dates(reversed(units), TODAY, weeks=8)
        dates = [result[key] for key, _due in units]
        self.assertEqual(dates, sorted(dates), "the oldest unit comes first")
        self.assertEqual(len(set(dates)), 5, "five units, five days: nobody is flooded")
        self.assertEqual(dates[0], date(2027, 1, 11), "the first one is due on the next working day")
        self.assertGreater(dates[-1], TODAY + timedelta(weeks=6), "the last ones are due weeks later")
        self.assertLessEqual(dates[-1], TODAY + timedelta(weeks=8))
        self.assertTrue(all(day > TODAY for day in dates), "an overdue unit is never due in the past")

    def test_no_weekend(self):
        units = [(i, date(2019, 3, 1)) for i in range(300)]
        result = stagger_due_dates(units, TODAY, weeks=2, daily_cap=20)
        self.assertFalse([day for day in result.values() if day.weekday() >= 5])
        result = stagger_due_dates(units, TODAY, weeks=2, daily_cap=20, skip_weekends=False)
        self.assertIn(date(2027, 1, 9), result.values(), "weekends allowed when asked")

    def test_daily_cap_holds_and_overflow_continues_after_the_window(self):
        units = [(i, date(2018, 1, 1) + timedelta(days=i)) for i in range(250)]
        result = stagger_due_dates(units, TODAY, weeks=2, daily_cap=20)
        per_day = Counter(result.values())
        self.assertEqual(max(per_day.values()), 20)
        self.assertEqual(sum(per_day.values()), 250)
        # 10 working days x 20 = 200 in the window, 50 more on the next 3 working days
        window_end = date(2027, 1, 22)
        self.assertEqual(sum(n for day, n in per_day.items() if day <= window_end), 200)
        self.assertEqual(max(per_day), date(2027, 1, 27))
        self.assertEqual(result[0], date(2027, 1, 11))
        self.assertEqual(result[249], date(2027, 1, 27), "the most recent overdue unit comes last")

    def test_existing_load_counts_toward_the_cap(self):
        load = {date(2027, 1, 11): 19, date(2027, 1, 12): 20}
        units = [(i, date(2020, 1, 1)) for i in range(3)]
        result = stagger_due_dates(units, TODAY, weeks=1, daily_cap=20, load=load)
        self.assertEqual(Counter(result.values())[date(2027, 1, 11)], 1, "one free place on Monday")
        self.assertNotIn(date(2027, 1, 12), result.values(), "Tuesday is full already")
        self.assertEqual(load[date(2027, 1, 11)], 19, "the caller's load is not changed")

    def test_bad_settings_are_refused(self):
        with self.assertRaises(ValueError):
            stagger_due_dates([], TODAY, weeks=0)
        with self.assertRaises(ValueError):
            stagger_due_dates([], TODAY, daily_cap=0)

    def test_working_days(self):
        days = working_days(TODAY)
        self.assertEqual([next(days) for _i in range(3)], [TODAY, date(2027, 1, 11), date(2027, 1, 12)])

    def test_units_keeping_their_date_count_toward_the_cap(self):
        monday = date(2027, 1, 11)
        units = [(f"due{i}", monday) for i in range(20)] + [("old", date(2020, 1, 1))]
        result = stagger_due_dates(units, TODAY, weeks=1, daily_cap=20)
        self.assertEqual(result["due0"], monday)
        self.assertEqual(result["old"], date(2027, 1, 12), "Monday has 20 units due already")
