"""The ORM-free availability arithmetic, alone (no database): the timestamp
functions the engine really uses (``subtract_timestamps``, ``grid_starts``),
its conversions and the local days of a zone."""

import random
import zoneinfo
from datetime import date, datetime, timedelta

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


def ts(value):
    return int(av.timestamp(value))


def workday(year, month, day, tz=TORONTO, hour_from=9, hour_to=17):
    """``[(start_ts, stop_ts)]`` of a working day, ``hour_from``-``hour_to`` local."""
    return [(ts(local(year, month, day, hour_from, tz=tz)), ts(local(year, month, day, hour_to, tz=tz)))]


def free(work, busy, buffer=timedelta(0), low=None, high=None):
    """What the engine does: work minus busy time widened by the travel buffer."""
    widened = [(ts(start) - buffer.seconds, ts(stop) + buffer.seconds) for start, stop in busy]
    return av.subtract_timestamps(work, widened, low, high)


@tagged("post_install", "-at_install", "fusion_tasks")
class TestFreeTime(BaseCase):
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
        gaps = free(work, [(local(2026, 5, 4, 11), local(2026, 5, 4, 12))], timedelta(minutes=30))
        self.assertEqual(
            gaps,
            [
                (ts(utc(2026, 5, 4, 13)), ts(utc(2026, 5, 4, 14, 30))),
                (ts(utc(2026, 5, 4, 16, 30)), ts(utc(2026, 5, 4, 21))),
            ],
        )
        # back to Intervals of aware UTC datetimes at the engine's edge
        for start, stop in pairs(av.from_timestamps(gaps)):
            self.assertEqual(start.tzinfo, UTC)
            self.assertEqual(stop.tzinfo, UTC)
        self.assertEqual(pairs(av.from_timestamps(gaps))[0], (utc(2026, 5, 4, 13), utc(2026, 5, 4, 14, 30)))

    def test_no_buffer_keeps_back_to_back_visits(self):
        gaps = free(workday(2026, 5, 4), [(local(2026, 5, 4, 11), local(2026, 5, 4, 12))])
        self.assertEqual(
            gaps,
            [(ts(utc(2026, 5, 4, 13)), ts(utc(2026, 5, 4, 15))), (ts(utc(2026, 5, 4, 16)), ts(utc(2026, 5, 4, 21)))],
        )

    def test_busy_outside_working_hours_changes_nothing(self):
        work = workday(2026, 5, 4)
        self.assertEqual(free(work, [(local(2026, 5, 4, 18), local(2026, 5, 4, 20))], timedelta(minutes=30)), work)

    def test_busy_covering_the_day_leaves_nothing(self):
        self.assertEqual(free(workday(2026, 5, 4), [(local(2026, 5, 4, 8), local(2026, 5, 4, 18))]), [])

    def test_clipped_to_the_period(self):
        work = workday(2026, 5, 4) + workday(2026, 5, 5)
        clipped = free(work, [], low=ts(local(2026, 5, 4, 15)), high=ts(local(2026, 5, 5, 10)))
        self.assertEqual(sum(stop - start for start, stop in clipped), 3 * 3600)

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
            expected = av.to_timestamps(
                work - av.make_intervals((start - buffer, stop + buffer) for start, stop in busy)
            )
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
        gaps = [(utc(2026, 5, 4, 13, 0, 0, 500000), utc(2026, 5, 4, 14, 0, 0, 500000))]
        self.assertEqual(av.to_timestamps(gaps)[0], (ts(utc(2026, 5, 4, 13, 0, 1)), ts(utc(2026, 5, 4, 14))))
        self.assertEqual(av.to_timestamps_outer(gaps)[0], (ts(utc(2026, 5, 4, 13)), ts(utc(2026, 5, 4, 14, 0, 1))))

    def test_naive_datetimes_are_utc(self):
        self.assertEqual(av.as_utc(datetime(2026, 5, 4, 13)), utc(2026, 5, 4, 13))
        self.assertEqual(av.to_naive_utc(local(2026, 5, 4, 9)), datetime(2026, 5, 4, 13))
        self.assertEqual(av.timestamp(datetime(2026, 5, 4, 13)), utc(2026, 5, 4, 13).timestamp())


@tagged("post_install", "-at_install", "fusion_tasks")
class TestGrid(BaseCase):
    def _starts(self, gaps_by_key, hours=1, grid=30, tz=TORONTO, earliest=None, latest=None, first_only=False):
        """``grid_starts`` as the engine calls it, read back as sorted ``(aware UTC start, keys)``."""
        earliest = earliest or utc(2000, 1, 1)
        latest = latest or utc(2100, 1, 1)
        slots = av.grid_starts(
            gaps_by_key, hours * 3600, grid, tz, earliest.timestamp(), latest.timestamp(), first_only=first_only
        )
        return [(datetime.fromtimestamp(start, UTC), keys) for start, keys in sorted(slots.items())]

    def test_visit_must_fit_in_the_gap(self):
        slots = self._starts({1: workday(2026, 5, 4)}, hours=1.5, grid=60)
        self.assertEqual([start.astimezone(TORONTO).hour for start, _keys in slots], [9, 10, 11, 12, 13, 14, 15])
        self.assertEqual(slots[-1][0] + timedelta(hours=1.5), local(2026, 5, 4, 16, 30))

    def test_grid_aligned_in_the_zone_on_both_sides_of_spring_forward(self):
        # 2026-03-08: Toronto moves from UTC-5 to UTC-4
        slots = self._starts({1: workday(2026, 3, 6) + workday(2026, 3, 9)})
        friday = [start for start, _keys in slots if start.date() == date(2026, 3, 6)]
        monday = [start for start, _keys in slots if start.date() == date(2026, 3, 9)]
        self.assertEqual(friday[0], utc(2026, 3, 6, 14))
        self.assertEqual(monday[0], utc(2026, 3, 9, 13))
        self.assertEqual(len(friday), len(monday), "15 half-hour starts on both days")
        for start in friday + monday:
            wall = start.astimezone(TORONTO)
            self.assertIn(wall.minute, (0, 30))
            self.assertTrue(9 <= wall.hour < 17)

    def test_grid_aligned_in_the_zone_on_both_sides_of_fall_back(self):
        # 2026-11-01: Toronto moves from UTC-4 to UTC-5
        slots = self._starts({1: workday(2026, 10, 30) + workday(2026, 11, 2)})
        self.assertEqual(slots[0][0], utc(2026, 10, 30, 13))
        monday = [start for start, _keys in slots if start.date() == date(2026, 11, 2)]
        self.assertEqual(monday[0], utc(2026, 11, 2, 14))
        self.assertEqual(monday[-1], utc(2026, 11, 2, 21))  # 16:00 local, ends at 17:00

    def test_gap_across_the_change_counts_real_hours(self):
        # a night gap from midnight to 5:00 local with an hourly grid
        spring = {1: [(ts(local(2026, 3, 8, 0)), ts(local(2026, 3, 8, 5)))]}
        walls = [start.astimezone(TORONTO).hour for start, _keys in self._starts(spring, grid=60)]
        self.assertEqual(walls, [0, 1, 3, 4])  # 2:00 does not exist: four real hours
        autumn = {1: [(ts(local(2026, 11, 1, 0)), ts(local(2026, 11, 1, 5)))]}
        walls = [start.astimezone(TORONTO).hour for start, _keys in self._starts(autumn, grid=60)]
        self.assertEqual(walls, [0, 1, 1, 2, 3, 4])  # 1:00 happens twice: six real hours

    def test_half_hour_zone_aligns_on_local_time(self):
        # St. John's is UTC-2:30 in summer: local 9:00 is 11:30 UTC
        slots = self._starts({1: workday(2026, 7, 6, tz=ST_JOHNS)}, grid=60, tz=ST_JOHNS)
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
            3: workday(2026, 5, 4, hour_from=10, hour_to=17),
            7: workday(2026, 5, 4, hour_from=9, hour_to=12),
        }
        slots = dict(self._starts(gaps, grid=60))
        self.assertEqual(slots[local(2026, 5, 4, 9).astimezone(UTC)], [7])
        self.assertEqual(slots[local(2026, 5, 4, 10).astimezone(UTC)], [3, 7])
        self.assertEqual(slots[local(2026, 5, 4, 12).astimezone(UTC)], [3])

    def test_first_start_of_each_key(self):
        """``first_only`` (the next-free-slot search): each key's earliest start only."""
        gaps = {
            3: workday(2026, 5, 4, hour_from=13, hour_to=17),
            5: workday(2026, 5, 4, hour_from=13, hour_to=15),
            7: workday(2026, 5, 5),
        }
        earliest, latest = local(2026, 5, 4, 8), local(2026, 5, 9)
        slots = self._starts(gaps, earliest=earliest, latest=latest, first_only=True)
        self.assertEqual(slots, [(local(2026, 5, 4, 13).astimezone(UTC), [3, 5]), (utc(2026, 5, 5, 13), [7])])
        self.assertEqual(self._starts(gaps, hours=9, earliest=earliest, latest=latest, first_only=True), [])

    def test_bad_grid_is_refused(self):
        with self.assertRaises(ValueError):
            self._starts({1: workday(2026, 5, 4)}, grid=0)

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
        gaps = {1: workday(2026, 10, 30) + workday(2026, 11, 2)}
        for tz in (TORONTO, zoneinfo.ZoneInfo("America/Toronto")):
            slots = self._starts(gaps, grid=45, tz=tz, earliest=utc(2026, 10, 29), latest=utc(2026, 11, 5))
            walls = {start.astimezone(TORONTO).strftime("%H:%M") for start, _keys in slots}
            self.assertEqual(
                walls, {"09:00", "09:45", "10:30", "11:15", "12:00", "12:45", "13:30", "14:15", "15:00", "15:45"}
            )
            self.assertEqual(len(slots), 20)


@tagged("post_install", "-at_install", "fusion_tasks")
class TestLocalDays(BaseCase):
    def test_ordinary_day(self):
        self.assertEqual(av.local_day_start_utc(date(2026, 5, 4), "America/Toronto"), datetime(2026, 5, 4, 4))
        self.assertEqual(
            av.local_day_bounds_utc(date(2026, 5, 4), TORONTO), (datetime(2026, 5, 4, 4), datetime(2026, 5, 5, 4))
        )
        self.assertEqual(av.local_day_start_utc(date(2026, 5, 4), "UTC"), datetime(2026, 5, 4))
        # east of Greenwich, the local day starts the day before in UTC
        self.assertEqual(av.local_day_start_utc(date(2026, 5, 4), "Asia/Kolkata"), datetime(2026, 5, 3, 18, 30))

    def test_daylight_saving_days_last_23_and_25_hours(self):
        for tz in ("America/Toronto", TORONTO, zoneinfo.ZoneInfo("America/Toronto")):
            start, end = av.local_day_bounds_utc(date(2026, 3, 8), tz)  # spring forward
            self.assertEqual((start, end), (datetime(2026, 3, 8, 5), datetime(2026, 3, 9, 4)))
            self.assertEqual(end - start, timedelta(hours=23))
            start, end = av.local_day_bounds_utc(date(2026, 11, 1), tz)  # fall back
            self.assertEqual((start, end), (datetime(2026, 11, 1, 4), datetime(2026, 11, 2, 5)))
            self.assertEqual(end - start, timedelta(hours=25))

    def test_day_without_midnight_starts_at_its_first_instant(self):
        # 2026-09-06 in Santiago: clocks jump from 00:00 (UTC-4) to 01:00 (UTC-3)
        for tz in ("America/Santiago", zoneinfo.ZoneInfo("America/Santiago")):
            start, end = av.local_day_bounds_utc(date(2026, 9, 6), tz)
            self.assertEqual(start, datetime(2026, 9, 6, 4))
            self.assertEqual(av.as_utc(start).astimezone(pytz.timezone("America/Santiago")).hour, 1)
            self.assertEqual(end - start, timedelta(hours=23))
            # 2026-04-05: 00:00 (UTC-3) goes back to 23:00 (UTC-4): the day starts at the new midnight
            self.assertEqual(av.local_day_start_utc(date(2026, 4, 5), tz), datetime(2026, 4, 5, 4))

    def test_datetime_is_taken_as_its_date(self):
        self.assertEqual(av.local_day_start_utc(datetime(2026, 5, 4, 15, 30), TORONTO), datetime(2026, 5, 4, 4))
