"""Moving a task on its form: changing Start alone moves End too, keeping the task's length."""

from odoo.exceptions import ValidationError
from odoo.tests import Form, tagged

from .common import FusionTasksCase, toronto


@tagged("post_install", "-at_install")
class TestTaskMove(FusionTasksCase):
    def test_changing_start_keeps_the_length(self):
        task = self._create_task(self.tech_1, toronto(2026, 11, 4, 10), toronto(2026, 11, 4, 11, 30))
        # the next day the technician is busy: a task stretched over two days would clash
        self._create_task(self.tech_1, toronto(2026, 11, 3, 10), toronto(2026, 11, 3, 11))
        with Form(task) as form:
            form.scheduled_start = toronto(2026, 11, 2, 10)
            self.assertEqual(form.scheduled_end, toronto(2026, 11, 2, 11, 30), "End follows at once")
            self.assertEqual(form.duration, 1.5)
        self.assertEqual(
            (task.scheduled_start, task.scheduled_end), (toronto(2026, 11, 2, 10), toronto(2026, 11, 2, 11, 30))
        )

    def test_changing_start_twice_keeps_the_length(self):
        task = self._create_task(self.tech_1, toronto(2026, 11, 4, 10), toronto(2026, 11, 4, 11, 30))
        with Form(task) as form:
            form.scheduled_start = toronto(2026, 11, 5, 9)
            form.scheduled_start = toronto(2026, 11, 5, 13)
        self.assertEqual(
            (task.scheduled_start, task.scheduled_end), (toronto(2026, 11, 5, 13), toronto(2026, 11, 5, 14, 30))
        )

    def test_a_new_length_chosen_in_the_form_is_kept(self):
        task = self._create_task(self.tech_1, toronto(2026, 11, 4, 10), toronto(2026, 11, 4, 11, 30))
        with Form(task) as form:
            form.scheduled_end = toronto(2026, 11, 4, 12)
            form.scheduled_start = toronto(2026, 11, 4, 14)
        self.assertEqual(task.scheduled_end, toronto(2026, 11, 4, 16), "the two hours chosen are kept")

    def test_a_new_task_gets_an_hour_by_default(self):
        form = Form(self.env["fusion.technician.task"])
        form.technician_id = self.tech_1
        form.scheduled_start = toronto(2026, 11, 4, 10)
        self.assertEqual(form.scheduled_end, toronto(2026, 11, 4, 11))
        task = form.save()
        self.assertEqual(task.duration, 1.0)

    def test_moving_onto_another_task_is_still_refused_and_changes_nothing(self):
        task = self._create_task(self.tech_1, toronto(2026, 11, 4, 10), toronto(2026, 11, 4, 11, 30))
        self._create_task(self.tech_1, toronto(2026, 11, 5, 10), toronto(2026, 11, 5, 11))
        form = Form(task)
        form.scheduled_start = toronto(2026, 11, 5, 10, 30)
        with self.assertRaisesText(ValidationError, "FT Alice already has a task at that time."):
            form.save()
        task.invalidate_recordset()
        self.assertEqual(
            (task.scheduled_start, task.scheduled_end), (toronto(2026, 11, 4, 10), toronto(2026, 11, 4, 11, 30))
        )
        self.assertEqual(task.duration, 1.5)
