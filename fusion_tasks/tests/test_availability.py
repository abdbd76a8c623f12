"""The availability engine on fusion.technician.task, on a real database."""

from datetime import date, datetime, timedelta

from odoo.fields import Command
from odoo.tests import tagged

from .common import TORONTO, FusionTasksCase, toronto


@tagged("post_install", "-at_install", "fusion_tasks")
class TestAvailability(FusionTasksCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Task = cls.env["fusion.technician.task"]

    # ------------------------------------------------------------------
    # Time zones and the grid
    # ------------------------------------------------------------------

    def test_slots_start_at_nine_local_on_both_sides_of_fall_back(self):
        # Toronto leaves daylight time on Sunday 2026-11-01
        slots = self._slots(toronto(2026, 10, 30, 7), horizon_days=4, technicians=self.tech_1)
        friday = self._starts(slots, day=date(2026, 10, 30))
        monday = self._starts(slots, day=date(2026, 11, 2))
        self.assertEqual(friday[0], datetime(2026, 10, 30, 13, 0), "9:00 EDT")
        self.assertEqual(monday[0], datetime(2026, 11, 2, 14, 0), "9:00 EST")
        self.assertEqual(friday[-1], datetime(2026, 10, 30, 20, 0), "16:00 EDT, the visit ends at 17:00")
        self.assertEqual(monday[-1], datetime(2026, 11, 2, 21, 0), "16:00 EST, the visit ends at 17:00")
        self.assertFalse(self._starts(slots, day=date(2026, 10, 31)), "nobody works on Saturday")

    def test_slots_start_at_nine_local_on_both_sides_of_spring_forward(self):
        # Toronto enters daylight time on Sunday 2026-03-08
        slots = self._slots(toronto(2026, 3, 6, 7), horizon_days=4, technicians=self.tech_1)
        self.assertEqual(self._starts(slots, day=date(2026, 3, 6))[0], datetime(2026, 3, 6, 14, 0), "9:00 EST")
        self.assertEqual(self._starts(slots, day=date(2026, 3, 9))[0], datetime(2026, 3, 9, 13, 0), "9:00 EDT")
        for slot in slots:
            local_start = TORONTO.fromutc(slot["start"])
            self.assertIn(local_start.minute, (0, 30))
            self.assertEqual(slot["end"] - slot["start"], timedelta(hours=1))

    def test_grid_and_duration_parameters(self):
        slots = self._slots(
            toronto(2026, 5, 4, 7), horizon_days=1, technicians=self.tech_1, grid_minutes=60, duration_hours=2
        )
        self.assertEqual([TORONTO.fromutc(start).hour for start in self._starts(slots)], [9, 10, 11, 12, 13, 14, 15])
        self.assertTrue(all(slot["end"] - slot["start"] == timedelta(hours=2) for slot in slots))

    def test_technician_in_another_zone_works_in_their_own_hours(self):
        vancouver_calendar = self.calendar.copy({"name": "FT 9-17 Vancouver", "tz": "America/Vancouver"})
        west = self._create_technician("FT West", calendar=vancouver_calendar)
        west.resource_ids.tz = "America/Vancouver"
        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=west)
        # 9:00 in Vancouver is 12:00 in Toronto (16:00 UTC): still a Toronto grid point
        self.assertEqual(self._starts(slots)[0], datetime(2026, 5, 4, 16, 0))

    def test_touching_attendances_make_one_stretch_but_lunch_splits_the_day(self):
        split = self.env["resource.calendar"].create(
            {
                "name": "FT split days",
                "tz": "America/Toronto",
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {"name": name, "dayofweek": day, "hour_from": start, "hour_to": stop, "day_period": period}
                    )
                    for name, day, start, stop, period in (
                        ("Mon morning", "0", 9, 12, "morning"),
                        ("Mon afternoon", "0", 12, 17, "afternoon"),
                        ("Tue morning", "1", 9, 12, "morning"),
                        ("Tue afternoon", "1", 13, 17, "afternoon"),
                    )
                ],
            }
        )
        technician = self._create_technician("FT Split", calendar=split)
        starts = self._starts(
            self._slots(toronto(2026, 5, 4, 7), horizon_days=2, technicians=technician, duration_hours=1.5)
        )
        self.assertIn(toronto(2026, 5, 4, 11), starts, "Monday 11:00-12:30 runs across the two attendances")
        self.assertNotIn(toronto(2026, 5, 5, 11), starts, "Tuesday 11:00-12:30 would run into lunch")
        self.assertIn(toronto(2026, 5, 5, 10, 30), starts)
        self.assertIn(toronto(2026, 5, 5, 13), starts)

    # ------------------------------------------------------------------
    # What makes a technician busy
    # ------------------------------------------------------------------

    def test_task_blocks_its_time_plus_travel_buffer(self):
        self._create_task(self.tech_1, toronto(2026, 5, 4, 11), toronto(2026, 5, 4, 12))
        starts = [
            TORONTO.fromutc(start).strftime("%H:%M")
            for start in self._starts(self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=self.tech_1))
        ]
        # a 1-hour visit must end by 10:30 and may start from 12:30
        self.assertIn("09:30", starts)
        self.assertNotIn("10:00", starts)
        self.assertNotIn("12:00", starts)
        self.assertIn("12:30", starts)

    def test_travel_buffer_setting(self):
        self._create_task(self.tech_1, toronto(2026, 5, 4, 11), toronto(2026, 5, 4, 12))
        self.env["res.config.settings"].create({"x_fc_travel_buffer_minutes": 0}).execute()
        starts = [
            TORONTO.fromutc(start).strftime("%H:%M")
            for start in self._starts(self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=self.tech_1))
        ]
        self.assertIn("10:00", starts)
        self.assertIn("12:00", starts)
        self.assertNotIn("11:00", starts)

    def test_cancelled_task_does_not_block(self):
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 11), toronto(2026, 5, 4, 12))
        task.action_cancel()
        starts = self._starts(self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=self.tech_1))
        self.assertIn(toronto(2026, 5, 4, 11), starts)

    def test_leave_removes_the_day(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "FT Alice day off",
                "calendar_id": self.calendar.id,
                "resource_id": self.tech_1.resource_ids.id,
                "date_from": toronto(2026, 5, 5, 0),
                "date_to": toronto(2026, 5, 5, 23, 59),
                "time_type": "leave",
            }
        )
        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=3, technicians=self.tech_1 | self.tech_2)
        self.assertFalse(self._starts(slots, technician=self.tech_1, day=date(2026, 5, 5)))
        self.assertTrue(self._starts(slots, technician=self.tech_2, day=date(2026, 5, 5)))
        self.assertTrue(self._starts(slots, technician=self.tech_1, day=date(2026, 5, 6)))

    def test_public_holiday_of_the_calendar(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "FT Victoria Day",
                "calendar_id": self.calendar.id,
                "date_from": toronto(2026, 5, 18, 0),
                "date_to": toronto(2026, 5, 18, 23, 59),
            }
        )
        slots = self._slots(toronto(2026, 5, 18, 7), horizon_days=1, technicians=self.tech_1 | self.tech_2)
        self.assertEqual(slots, [])

    def test_busy_meeting_the_technician_attends(self):
        event = self.env["calendar.event"].create(
            {
                "name": "FT Team meeting",
                "start": toronto(2026, 5, 4, 14),
                "stop": toronto(2026, 5, 4, 15),
                "partner_ids": [Command.set(self.tech_1.partner_id.ids)],
                "show_as": "busy",
            }
        )
        both = self.tech_1 | self.tech_2
        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=both)
        self.assertNotIn(toronto(2026, 5, 4, 14), self._starts(slots, technician=self.tech_1))
        self.assertNotIn(toronto(2026, 5, 4, 15), self._starts(slots, technician=self.tech_1), "travel buffer")
        self.assertIn(toronto(2026, 5, 4, 15, 30), self._starts(slots, technician=self.tech_1))
        self.assertIn(toronto(2026, 5, 4, 14), self._starts(slots, technician=self.tech_2), "Bob is not invited")

        event.show_as = "free"
        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=both)
        self.assertIn(toronto(2026, 5, 4, 14), self._starts(slots, technician=self.tech_1), "shown as free")

        event.show_as = "busy"
        event.attendee_ids.filtered(lambda a: a.partner_id == self.tech_1.partner_id).state = "declined"
        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=both)
        self.assertIn(toronto(2026, 5, 4, 14), self._starts(slots, technician=self.tech_1), "declined")

    def test_all_day_event_blocks_the_whole_local_day(self):
        self.env["calendar.event"].create(
            {
                "name": "FT Training day",
                "allday": True,
                "start_date": date(2026, 5, 5),
                "stop_date": date(2026, 5, 5),
                "partner_ids": [Command.set(self.tech_1.partner_id.ids)],
                "show_as": "busy",
            }
        )
        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=3, technicians=self.tech_1)
        self.assertFalse(self._starts(slots, day=date(2026, 5, 5)))
        self.assertTrue(self._starts(slots, day=date(2026, 5, 4)))
        self.assertTrue(self._starts(slots, day=date(2026, 5, 6)))

    def test_gaps_are_utc_intervals_minus_busy_time(self):
        self._create_task(self.tech_1, toronto(2026, 5, 4, 12), toronto(2026, 5, 4, 13))
        gaps = self.Task._get_available_gaps(self.tech_1, toronto(2026, 5, 4, 0), toronto(2026, 5, 5, 0))
        pairs = [(start, stop) for start, stop, _records in gaps[self.tech_1.id]]
        self.assertEqual(
            [(s.replace(tzinfo=None), e.replace(tzinfo=None)) for s, e in pairs],
            [
                (toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 11, 30)),
                (toronto(2026, 5, 4, 13, 30), toronto(2026, 5, 4, 17)),
            ],
        )
        self.assertTrue(all(s.utcoffset() == timedelta(0) for s, _e in pairs))

    # ------------------------------------------------------------------
    # Who can come, when
    # ------------------------------------------------------------------

    def test_skill_and_postal_code_filtering(self):
        unskilled = self._create_technician("FT Carl", skills=self.other_skill)
        far_away = self._create_technician("FT Dana", zones=self.other_zone)
        pool = self.tech_1 | unskilled | far_away
        slots = self._slots(
            toronto(2026, 5, 4, 7), horizon_days=1, technicians=pool, skill=self.skill, postal_code=" m4b 1b3 "
        )
        offered = {user_id for slot in slots for user_id in slot["technician_ids"]}
        self.assertEqual(offered, {self.tech_1.id})

        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=pool, postal_code="K1A 0B1")
        self.assertEqual({user_id for slot in slots for user_id in slot["technician_ids"]}, {far_away.id})

        self.assertEqual(self._slots(toronto(2026, 5, 4, 7), postal_code="V5K 0A1"), [], "no zone serves it")
        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=1, technicians=pool, postal_code="")
        self.assertEqual(
            {user_id for slot in slots for user_id in slot["technician_ids"]},
            set(pool.ids),
            "no postal code: no zone filter",
        )

    def test_without_pool_every_qualified_technician_is_offered(self):
        slots = self._slots(toronto(2026, 5, 4, 7), horizon_days=1, skill=self.skill, postal_code="L6A 1A1")
        offered = {user_id for slot in slots for user_id in slot["technician_ids"]}
        self.assertEqual(offered, set((self.tech_1 | self.tech_2).ids))
        self.assertEqual(slots[0]["technician_ids"], sorted((self.tech_1 | self.tech_2).ids))

    def test_minimum_notice(self):
        now = toronto(2026, 5, 4, 10, 10)
        slots = self._slots(now, min_notice_hours=24, horizon_days=3, technicians=self.tech_1)
        self.assertEqual(slots[0]["start"], toronto(2026, 5, 5, 10, 30))
        self.assertTrue(all(slot["start"] >= now + timedelta(hours=24) for slot in slots))

    def test_horizon(self):
        now = toronto(2026, 5, 4, 7)
        slots = self._slots(now, horizon_days=21, technicians=self.tech_1)
        self.assertTrue(all(slot["start"] < now + timedelta(days=21) for slot in slots))
        self.assertEqual(slots[-1]["start"].date(), date(2026, 5, 22), "the last working day of the horizon")
        self.assertEqual(self._slots(now, horizon_days=1, min_notice_hours=48, technicians=self.tech_1), [])

    def test_reschedule_sees_its_own_slot_as_free(self):
        event = self.env["calendar.event"].create(
            {
                "name": "FT Visit",
                "start": toronto(2026, 5, 4, 10),
                "stop": toronto(2026, 5, 4, 11),
                "partner_ids": [Command.set(self.tech_1.partner_id.ids)],
            }
        )
        task = self._create_task(
            self.tech_1, toronto(2026, 5, 4, 10), toronto(2026, 5, 4, 11), calendar_event_id=event.id
        )
        now = toronto(2026, 5, 4, 7)
        self.assertNotIn(
            toronto(2026, 5, 4, 10), self._starts(self._slots(now, horizon_days=1, technicians=self.tech_1))
        )
        starts = self._starts(self._slots(now, horizon_days=1, technicians=self.tech_1, exclude_tasks=task))
        self.assertIn(toronto(2026, 5, 4, 10), starts)
        self.assertIn(toronto(2026, 5, 4, 10, 30), starts)

    def test_find_next_available_slot_picks_the_least_loaded(self):
        Task = self.Task
        # Alice is busy on Monday morning, Bob has more tasks later on
        self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        for day in (5, 6, 7):
            self._create_task(self.tech_2, toronto(2026, 5, day, 15), toronto(2026, 5, day, 16))
        start, technician = Task._find_next_available_slot(self.tech_1 | self.tech_2, 1.0, toronto(2026, 5, 4, 7))
        self.assertEqual((start, technician), (toronto(2026, 5, 4, 9), self.tech_2), "only Bob is free at 9:00")
        start, technician = Task._find_next_available_slot(self.tech_1 | self.tech_2, 1.0, toronto(2026, 5, 4, 11, 5))
        self.assertEqual(
            (start, technician), (toronto(2026, 5, 4, 11, 30), self.tech_1), "both free: Alice has fewer tasks"
        )
        self.assertEqual(
            Task._find_next_available_slot(self.tech_1, timedelta(hours=9), toronto(2026, 5, 4, 7)),
            (False, False),
            "no 9-hour gap in a 9-17 day",
        )

    def test_technician_load(self):
        self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        self._create_task(self.tech_1, toronto(2026, 5, 5, 9), toronto(2026, 5, 5, 10))
        self._create_task(self.tech_1, toronto(2026, 5, 6, 9), toronto(2026, 5, 6, 10)).action_cancel()
        self._create_task(self.tech_1, toronto(2026, 6, 1, 9), toronto(2026, 6, 1, 10))
        load = self.Task._technician_load(self.tech_1 | self.tech_2, toronto(2026, 5, 4, 0), toronto(2026, 5, 11, 0))
        self.assertEqual(load, {self.tech_1.id: 2, self.tech_2.id: 0})

    # ------------------------------------------------------------------
    # Cost
    # ------------------------------------------------------------------

    def _count_queries(self, technicians):
        now = toronto(2026, 5, 4, 7)
        self._slots(now, horizon_days=14, technicians=technicians)  # warm the caches
        self.env.invalidate_all()
        before = self.env.cr.sql_log_count
        slots = self._slots(now, horizon_days=14, technicians=technicians)
        return self.env.cr.sql_log_count - before, slots

    def test_query_count_does_not_depend_on_technicians_or_tasks(self):
        technicians = self.tech_1 | self.tech_2
        for index in range(8):
            technicians |= self._create_technician(f"FT Extra {index}")
        for index, technician in enumerate(technicians):
            for day in range(4, 9):
                self._create_task(
                    technician, toronto(2026, 5, day, 9 + index % 6), toronto(2026, 5, day, 10 + index % 6)
                )
        small, small_slots = self._count_queries(self.tech_1 | self.tech_2)
        large, large_slots = self._count_queries(technicians)
        self.assertTrue(small_slots and large_slots)
        self.assertEqual(small, large, "the same number of queries for 2 and 10 technicians")
        self.assertLessEqual(large, 15)
