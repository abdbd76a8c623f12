"""The ORM-free availability arithmetic, alone (no database)."""

import random
import zoneinfo
from datetime import datetime, timedelta

import pytz

from odoo.addons.fusion_tasks.lib import availability as av
from odoo.tests import BaseCase, tagged

TORONTO = pytz.timezone("America/Toronto")
ST_JOHNS = pytz.timezone("America/St_Johns")
UTC = pytz.utc


def local(*args, tz=TORONTO):
    return tz.localize(datetime(*args))


def utc(*args):
    return UTC.localize(datetime(*args))


def pairs(intervals):
    return [(start, stop) for start, stop, _records in intervals]


def workday(year, month, day, tz=TORONTO, hour_from=9, hour_to=17):
    return av.make_intervals([(local(year, month, day, hour_from, tz=tz), local(year, month, day, hour_to, tz=tz))])


@tagged("post_install", "-at_install", "fusion_tasks")
class TestIntervalArithmetic(BaseCase):
    def test_make_intervals_merges_and_drops_empty(self):
        intervals = av.make_intervals(
            [
                (utc(2026, 5, 4, 9), utc(2026, 5, 4, 10)),
                (utc(2026, 5, 4, 10), utc(2026, 5, 4, 11)),  # touching: merged
                (utc(2026, 5, 4, 10, 30), utc(2026, 5, 4, 12)),  # overlapping: merged
                (utc(2026, 5, 4, 14), utc(2026, 5, 4, 14)),  # empty: dropped
            ]
        )
        self.assertEqual(pairs(intervals), [(utc(2026, 5, 4, 9), utc(2026, 5, 4, 12))])

    def test_busy_time_widened_by_the_travel_buffer(self):
        work = workday(2026, 5, 4)  # 9-17 EDT = 13-21 UTC
        busy = [(local(2026, 5, 4, 11), local(2026, 5, 4, 12))]
        free = av.free_intervals(work, busy, timedelta(minutes=30))
        self.assertEqual(
            pairs(free),
            [
                (utc(2026, 5, 4, 13), utc(2026, 5, 4, 14, 30)),
                (utc(2026, 5, 4, 16, 30), utc(2026, 5, 4, 21)),
            ],
        )
        for start, stop in pairs(free):
            self.assertEqual(start.tzinfo, UTC)
            self.assertEqual(stop.tzinfo, UTC)

    def test_no_buffer_keeps_back_to_back_visits(self):
        work = workday(2026, 5, 4)
        busy = [(local(2026, 5, 4, 11), local(2026, 5, 4, 12))]
        free = av.free_intervals(work, busy)
        self.assertEqual(
            pairs(free),
            [
                (utc(2026, 5, 4, 13), utc(2026, 5, 4, 15)),
                (utc(2026, 5, 4, 16), utc(2026, 5, 4, 21)),
            ],
        )

    def test_busy_outside_working_hours_changes_nothing(self):
        work = workday(2026, 5, 4)
        busy = [(local(2026, 5, 4, 18), local(2026, 5, 4, 20))]
        free = av.free_intervals(work, busy, timedelta(minutes=30))
        self.assertEqual(pairs(free), [(utc(2026, 5, 4, 13), utc(2026, 5, 4, 21))])

    def test_busy_covering_the_day_leaves_nothing(self):
        work = workday(2026, 5, 4)
        busy = [(local(2026, 5, 4, 8), local(2026, 5, 4, 18))]
        self.assertFalse(av.free_intervals(work, busy))

    def test_clip_and_total(self):
        work = workday(2026, 5, 4) | workday(2026, 5, 5)
        clipped = av.clip(work, local(2026, 5, 4, 15), local(2026, 5, 5, 10))
        self.assertEqual(av.total_seconds(clipped), 3 * 3600)

    def test_fits(self):
        gaps = av.free_intervals(workday(2026, 5, 4), [])
        self.assertTrue(av.fits(gaps, datetime(2026, 5, 4, 13), datetime(2026, 5, 4, 21)))
        self.assertFalse(av.fits(gaps, datetime(2026, 5, 4, 20, 30), datetime(2026, 5, 4, 21, 30)))


@tagged("post_install", "-at_install", "fusion_tasks")
class TestGrid(BaseCase):
    def _starts(self, gaps_by_key, hours=1, grid=30, tz=TORONTO, earliest=None, latest=None):
        earliest = earliest or utc(2000, 1, 1)
        latest = latest or utc(2100, 1, 1)
        return av.bookable_starts(gaps_by_key, timedelta(hours=hours), grid, tz, earliest, latest)

    def test_visit_must_fit_in_the_gap(self):
        slots = self._starts({1: workday(2026, 5, 4)}, hours=1.5, grid=60)
        self.assertEqual([start.astimezone(TORONTO).hour for start, _keys in slots], [9, 10, 11, 12, 13, 14, 15])
        self.assertEqual(slots[-1][0] + timedelta(hours=1.5), local(2026, 5, 4, 16, 30))

    def test_grid_aligned_in_the_zone_on_both_sides_of_spring_forward(self):
        # 2026-03-08: Toronto moves from UTC-5 to UTC-4
        gaps = {1: workday(2026, 3, 6) | workday(2026, 3, 9)}
        slots = self._starts(gaps)
        friday = [start for start, _keys in slots if start.date() == datetime(2026, 3, 6).date()]
        monday = [start for start, _keys in slots if start.date() == datetime(2026, 3, 9).date()]
        self.assertEqual(friday[0], utc(2026, 3, 6, 14))
        self.assertEqual(monday[0], utc(2026, 3, 9, 13))
        self.assertEqual(len(friday), len(monday), "15 half-hour starts on both days")
        for start in friday + monday:
            wall = start.astimezone(TORONTO)
            self.assertIn(wall.minute, (0, 30))
            self.assertTrue(9 <= wall.hour < 17)

    def test_grid_aligned_in_the_zone_on_both_sides_of_fall_back(self):
        # 2026-11-01: Toronto moves from UTC-4 to UTC-5
        gaps = {1: workday(2026, 10, 30) | workday(2026, 11, 2)}
        slots = self._starts(gaps)
        self.assertEqual(slots[0][0], utc(2026, 10, 30, 13))
        monday = [start for start, _keys in slots if start.date() == datetime(2026, 11, 2).date()]
        self.assertEqual(monday[0], utc(2026, 11, 2, 14))
        self.assertEqual(monday[-1], utc(2026, 11, 2, 21))  # 16:00 local, ends at 17:00

    def test_gap_across_the_change_counts_real_hours(self):
        # a night gap from midnight to 5:00 local with an hourly grid
        spring = {1: av.make_intervals([(local(2026, 3, 8, 0), local(2026, 3, 8, 5))])}
        walls = [start.astimezone(TORONTO).hour for start, _keys in self._starts(spring, grid=60)]
        self.assertEqual(walls, [0, 1, 3, 4])  # 2:00 does not exist: four real hours
        autumn = {1: av.make_intervals([(local(2026, 11, 1, 0), local(2026, 11, 1, 5))])}
        walls = [start.astimezone(TORONTO).hour for start, _keys in self._starts(autumn, grid=60)]
        self.assertEqual(walls, [0, 1, 1, 2, 3, 4])  # 1:00 happens twice: six real hours

    def test_half_hour_zone_aligns_on_local_time(self):
        # St. John's is UTC-2:30 in summer: local 9:00 is 11:30 UTC
        gaps = {1: workday(2026, 7, 6, tz=ST_JOHNS)}
        slots = self._starts(gaps, grid=60, tz=ST_JOHNS)
        self.assertEqual(slots[0][0], utc(2026, 7, 6, 11, 30))
        self.assertTrue(all(start.astimezone(ST_JOHNS).minute == 0 for start, _keys in slots))

    def test_earliest_and_latest_bounds(self):
        gaps = {1: workday(2026, 5, 4)}
        slots = self._starts(gaps, earliest=local(2026, 5, 4, 10, 10), latest=local(2026, 5, 4, 12))
        walls = [start.astimezone(TORONTO).strftime("%H:%M") for start, _keys in slots]
        self.assertEqual(walls, ["10:30", "11:00", "11:30"])  # 12:00 itself is excluded

    def test_latest_before_earliest_gives_nothing(self):
        gaps = {1: workday(2026, 5, 4)}
        self.assertEqual(self._starts(gaps, earliest=local(2026, 5, 4, 12), latest=local(2026, 5, 4, 11)), [])

    def test_keys_of_every_gap_where_the_visit_fits(self):
        gaps = {
            7: workday(2026, 5, 4, hour_from=9, hour_to=12),
            3: workday(2026, 5, 4, hour_from=10, hour_to=17),
        }
        slots = dict(self._starts(gaps, grid=60))
        self.assertEqual(slots[local(2026, 5, 4, 9).astimezone(UTC)], [7])
        self.assertEqual(slots[local(2026, 5, 4, 10).astimezone(UTC)], [3, 7])
        self.assertEqual(slots[local(2026, 5, 4, 12).astimezone(UTC)], [3])

    def test_first_fit(self):
        gaps = {
            7: workday(2026, 5, 5),
            3: workday(2026, 5, 4, hour_from=13, hour_to=17),
            5: workday(2026, 5, 4, hour_from=13, hour_to=15),
        }
        start, keys = av.first_fit(gaps, timedelta(hours=1), 30, TORONTO, local(2026, 5, 4, 8), local(2026, 5, 9))
        self.assertEqual(start, local(2026, 5, 4, 13).astimezone(UTC))
        self.assertEqual(keys, [3, 5])
        self.assertEqual(
            av.first_fit(gaps, timedelta(hours=9), 30, TORONTO, local(2026, 5, 4, 8), local(2026, 5, 9)), (None, [])
        )

    def test_align_up_and_on_grid(self):
        self.assertEqual(av.align_up(local(2026, 5, 4, 9, 1), 30, TORONTO), utc(2026, 5, 4, 13, 30))
        self.assertEqual(av.align_up(local(2026, 5, 4, 9, 30), 30, TORONTO), utc(2026, 5, 4, 13, 30))
        self.assertTrue(av.is_on_grid(utc(2026, 11, 2, 14, 30), 30, TORONTO))
        self.assertFalse(av.is_on_grid(utc(2026, 11, 2, 14, 15), 30, TORONTO))
        self.assertFalse(av.is_on_grid(utc(2026, 7, 6, 12), 60, ST_JOHNS))

    def test_bad_grid_is_refused(self):
        with self.assertRaises(ValueError):
            self._starts({1: workday(2026, 5, 4)}, grid=0)

    def test_naive_datetimes_are_utc(self):
        self.assertEqual(av.as_utc(datetime(2026, 5, 4, 13)), utc(2026, 5, 4, 13))
        self.assertEqual(av.to_naive_utc(local(2026, 5, 4, 9)), datetime(2026, 5, 4, 13))


@tagged("post_install", "-at_install", "fusion_tasks")
class TestTimestamps(BaseCase):
    def test_subtract_matches_intervals_arithmetic(self):
        """The fast sweep gives the same free time as Intervals, on random data."""
        rng = random.Random(42)
        day = utc(2026, 5, 4)
        for _case in range(200):
            work = av.make_intervals(
                (day + timedelta(minutes=start), day + timedelta(minutes=start + rng.randint(1, 240)))
                for start in sorted(rng.sample(range(0, 2000, 5), 6))
            )
            busy = [
                (day + timedelta(minutes=start), day + timedelta(minutes=start + rng.randint(1, 120)))
                for start in (rng.randrange(-60, 2100) for _busy in range(rng.randint(0, 8)))
            ]
            buffer = timedelta(minutes=rng.choice((0, 15, 30)))
            expected = av.to_timestamps(av.free_intervals(work, busy, buffer))
            widened = [(low - buffer.seconds, high + buffer.seconds) for low, high in av.to_timestamps_outer(busy)]
            self.assertEqual(av.subtract_timestamps(av.to_timestamps(work), widened), expected)

    def test_subtract_clips_and_keeps_untouched_time(self):
        base = [(0, 100), (200, 300)]
        self.assertEqual(av.subtract_timestamps(base, [], 50, 250), [(50, 100), (200, 250)])
        self.assertEqual(av.subtract_timestamps(base, [(90, 210)]), [(0, 90), (210, 300)])
        self.assertEqual(av.subtract_timestamps(base, [(-10, 400)]), [])
        self.assertEqual(
            av.subtract_timestamps(base, [(20, 30), (10, 25), (250, 260)]), [(0, 10), (30, 100), (200, 250), (260, 300)]
        )

    def test_rounding_to_whole_seconds(self):
        free = [(utc(2026, 5, 4, 13, 0, 0, 500000), utc(2026, 5, 4, 14, 0, 0, 500000))]
        start, stop = av.to_timestamps(free)[0]
        self.assertEqual((start, stop), (av.timestamp(utc(2026, 5, 4, 13, 0, 1)), av.timestamp(utc(2026, 5, 4, 14))))
        start, stop = av.to_timestamps_outer(free)[0]
        self.assertEqual((start, stop), (av.timestamp(utc(2026, 5, 4, 13)), av.timestamp(utc(2026, 5, 4, 14, 0, 1))))

    def test_offset_table_reads_pytz_and_probes_other_zones(self):
        start, stop = av.timestamp(utc(2026, 3, 1)), av.timestamp(utc(2026, 11, 30))
        for tz in (TORONTO, zoneinfo.ZoneInfo("America/Toronto")):
            table = av.OffsetTable(tz, start, stop)
            self.assertEqual(table.offsets, [-5 * 3600, -4 * 3600, -5 * 3600])
            self.assertEqual(table.times[1:], [av.timestamp(utc(2026, 3, 8, 7)), av.timestamp(utc(2026, 11, 1, 6))])
            self.assertEqual(table.offset_at(av.timestamp(utc(2026, 7, 1))), -4 * 3600)

    def test_grid_with_steps_that_do_not_divide_the_change(self):
        """A 45-minute grid is counted from local midnight: after the change,
        its UTC instants move (the general path, not the lattice one)."""
        gaps = {1: workday(2026, 10, 30) | workday(2026, 11, 2)}
        for tz in (TORONTO, zoneinfo.ZoneInfo("America/Toronto")):
            slots = av.bookable_starts(gaps, timedelta(hours=1), 45, tz, utc(2026, 10, 29), utc(2026, 11, 5))
            walls = {start.astimezone(TORONTO).strftime("%H:%M") for start, _keys in slots}
            self.assertEqual(
                walls, {"09:00", "09:45", "10:30", "11:15", "12:00", "12:45", "13:30", "14:15", "15:00", "15:45"}
            )
            self.assertEqual(len(slots), 20)
