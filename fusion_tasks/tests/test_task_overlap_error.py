"""The overlap refusal has its own type, ``TaskOverlapError``: callers (e.g. online
booking) can tell "that time was just taken" from any other refusal."""

import psycopg2

from odoo.addons.fusion_tasks.exceptions import TaskOverlapError
from odoo.exceptions import ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import FusionTasksCase, toronto

RAW_INSERT = """
    INSERT INTO fusion_technician_task
           (name, task_type, technician_id, scheduled_start, scheduled_end, state, company_id)
    VALUES ('RAW', 'other', %s, %s, %s, 'scheduled', %s)
"""


@tagged("post_install", "-at_install", "fusion_tasks")
class TestTaskOverlapError(FusionTasksCase):
    def test_overlap_on_create_and_on_move_is_a_task_overlap_error(self):
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 11))
        with self.assertRaisesText(TaskOverlapError, "FT Alice already has a task at that time"):
            self._create_task(self.tech_1, toronto(2026, 5, 4, 10), toronto(2026, 5, 4, 12))
        other = self._create_task(self.tech_2, toronto(2026, 5, 4, 10), toronto(2026, 5, 4, 12))
        with self.assertRaisesText(TaskOverlapError, "FT Alice already has a task at that time"):
            other.technician_id = self.tech_1
        with self.assertRaises(TaskOverlapError):
            self.env["fusion.technician.task"].create(
                [
                    {"technician_id": self.tech_2.id, "scheduled_start": start, "scheduled_end": end}
                    for start, end in [
                        (toronto(2026, 5, 5, 9), toronto(2026, 5, 5, 11)),
                        (toronto(2026, 5, 5, 10), toronto(2026, 5, 5, 12)),
                    ]
                ]
            )
        other.invalidate_recordset()
        self.assertEqual(other.technician_id, self.tech_2)
        self.assertTrue(issubclass(TaskOverlapError, ValidationError), "callers catching ValidationError still do")
        self.assertEqual(task.state, "scheduled")

    def _database_error(self, start, end):
        """The real error PostgreSQL raises for a row written past the application checks."""
        with mute_logger("odoo.sql_db"), self.assertRaises(psycopg2.IntegrityError) as capture:
            with self.env.cr.savepoint():
                self.env.cr.execute(RAW_INSERT, (self.tech_1.id, start, end, self.company.id))
        return capture.exception

    def test_exclusion_constraint_violation_becomes_a_task_overlap_error(self):
        self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        self.env.flush_all()
        exc = self._database_error(toronto(2026, 5, 4, 9, 30), toronto(2026, 5, 4, 10, 30))
        error = self.env["fusion.technician.task"]._sql_error_to_exception(exc)
        self.assertIsInstance(error, TaskOverlapError)
        self.assertIn("FT Alice already has a task at that time", str(error))

    def test_other_refusals_stay_plain_validation_errors(self):
        exc = self._database_error(toronto(2026, 5, 6, 10), toronto(2026, 5, 6, 9))  # ends before it starts
        error = self.env["fusion.technician.task"]._sql_error_to_exception(exc)
        self.assertIsInstance(error, ValidationError)
        self.assertNotIsInstance(error, TaskOverlapError)
        with self.assertRaises(ValidationError) as capture, mute_logger("odoo.sql_db"):
            self._create_task(self.tech_1, toronto(2026, 5, 6, 10), toronto(2026, 5, 6, 9))
        self.assertNotIsInstance(capture.exception, TaskOverlapError)
        self.assertIn("must end after it starts", str(capture.exception))
