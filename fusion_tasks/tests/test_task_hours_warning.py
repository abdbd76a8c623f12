"""Moving a task on its form outside the technician's working time: a warning, never a refusal."""

from odoo.tests import Form, tagged

from .common import FusionTasksCase, toronto

ONCHANGE_LOGGER = "odoo.tests.form.onchange"


@tagged("post_install", "-at_install")
class TestTaskHoursWarning(FusionTasksCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # Wednesday, November 4, 2026, 10:00-11:30 (Toronto)
        cls.task = cls._create_task_for(cls.tech_1, toronto(2026, 11, 4, 10), toronto(2026, 11, 4, 11, 30))

    @classmethod
    def _create_task_for(cls, technician, start, end):
        return cls.env["fusion.technician.task"].create(
            {
                "technician_id": technician.id,
                "partner_id": cls.client.id,
                "scheduled_start": start,
                "scheduled_end": end,
            }
        )

    def _move_warning(self, task, **changes):
        """The warning the form shows after ``changes`` (applied in order), or None."""
        values = {"scheduled_start": task.scheduled_start, "scheduled_end": task.scheduled_end}
        warning = None
        for name, value in changes.items():
            # the form sends the duration it showed before the change
            duration = (values["scheduled_end"] - values["scheduled_start"]).total_seconds() / 3600
            values[name] = value.id if hasattr(value, "id") else value
            result = task.onchange(
                dict(values, duration=duration),
                [name],
                {"scheduled_start": {}, "scheduled_end": {}, "duration": {}, "technician_id": {}},
            )
            if "scheduled_end" in result.get("value", {}):
                values["scheduled_end"] = result["value"]["scheduled_end"]
            warning = result.get("warning")
        return warning

    def test_move_to_a_sunday_warns_naming_the_day(self):
        warning = self._move_warning(self.task, scheduled_start=toronto(2026, 11, 29, 9))
        self.assertEqual(warning["title"], "Outside working hours")
        self.assertEqual(
            warning["message"],
            "FT Alice does not work on Sunday, November 29, 2026 at 9:00 \N{EN DASH} 10:30 a.m. (Eastern Time). "
            "Save anyway only if this was agreed with them.",
        )

    def test_move_to_the_evening_warns_with_the_working_hours(self):
        warning = self._move_warning(self.task, scheduled_start=toronto(2026, 11, 5, 18))
        self.assertEqual(warning["title"], "Outside working hours")
        self.assertIn(
            "FT Alice works 9:00 a.m. \N{EN DASH} 5:00 p.m. on Thursday, November 5, 2026: "
            "this task is at 6:00 \N{EN DASH} 7:30 p.m. (Eastern Time).",
            warning["message"],
        )

    def test_running_past_the_end_of_the_day_warns(self):
        warning = self._move_warning(self.task, scheduled_end=toronto(2026, 11, 4, 17, 30))
        self.assertIn("this task is at 10:00 a.m. \N{EN DASH} 5:30 p.m.", warning["message"])

    def test_move_inside_working_hours_says_nothing(self):
        # the end follows the start (15:30-17:00): the check sees the moved end, not the old one
        self.assertIsNone(self._move_warning(self.task, scheduled_start=toronto(2026, 11, 2, 15, 30)))
        self.assertIsNone(self._move_warning(self.task, scheduled_end=toronto(2026, 11, 4, 17)))
        self.assertIsNone(self._move_warning(self.task, technician_id=self.tech_2))

    def test_move_into_time_off_warns(self):
        self.env["resource.calendar.leaves"].create(
            {
                "name": "FT Alice dentist",
                "calendar_id": self.calendar.id,
                "resource_id": self.tech_1.resource_ids.id,
                "date_from": toronto(2026, 11, 6, 13),
                "date_to": toronto(2026, 11, 6, 17),
                "time_type": "leave",
            }
        )
        warning = self._move_warning(self.task, scheduled_start=toronto(2026, 11, 6, 14))
        self.assertEqual(warning["title"], "Technician on time off")
        self.assertIn(
            "FT Alice has time off on Friday, November 6, 2026 at 2:00 \N{EN DASH} 3:30 p.m. (Eastern Time).",
            warning["message"],
        )
        self.assertIsNone(
            self._move_warning(self.task, scheduled_start=toronto(2026, 11, 6, 10)), "the morning is free"
        )

    def test_reassigning_to_someone_who_does_not_work_that_day_warns(self):
        leave = self.env["resource.calendar.leaves"].create(
            {
                "name": "FT Bob day off",
                "calendar_id": self.calendar.id,
                "resource_id": self.tech_2.resource_ids.id,
                "date_from": toronto(2026, 11, 4, 0),
                "date_to": toronto(2026, 11, 5, 0),
                "time_type": "leave",
            }
        )
        self.assertTrue(leave)
        warning = self._move_warning(self.task, technician_id=self.tech_2)
        self.assertIn("FT Bob has time off on Wednesday, November 4, 2026", warning["message"])

    def test_technician_without_working_hours_is_not_judged(self):
        self.tech_2.resource_ids.calendar_id = False
        self.assertIsNone(self._move_warning(self.task, technician_id=self.tech_2))
        self.assertIsNone(
            self._move_warning(self.task, technician_id=self.tech_2, scheduled_start=toronto(2026, 11, 29, 9))
        )

    def test_saving_after_a_warning_works(self):
        with self.assertLogs(ONCHANGE_LOGGER, "WARNING") as logs, Form(self.task) as form:
            form.scheduled_start = toronto(2026, 11, 29, 9)
            self.assertEqual(form.scheduled_end, toronto(2026, 11, 29, 10, 30))
        self.assertIn("FT Alice does not work on Sunday, November 29, 2026", logs.output[0])
        self.assertEqual(
            (self.task.scheduled_start, self.task.scheduled_end),
            (toronto(2026, 11, 29, 9), toronto(2026, 11, 29, 10, 30)),
            "the task was saved on the Sunday",
        )
