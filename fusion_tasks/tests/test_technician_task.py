"""Technician tasks: numbering, the overlap guarantee, the state buttons,
the calendar event that follows its task, access rights."""

from datetime import datetime

import psycopg2
from psycopg2.errors import ExclusionViolation

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from .common import FusionTasksCase, toronto


@tagged("post_install", "-at_install", "fusion_tasks")
class TestTechnicianTask(FusionTasksCase):
    def _task_count(self):
        return self.env["fusion.technician.task"].search_count([])

    def test_task_gets_a_sequence_number_and_client_address(self):
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10), task_type="maintenance")
        self.assertTrue(task.name.startswith("TASK/"))
        self.assertEqual(task.state, "scheduled")
        self.assertEqual(task.partner_zip, "M4B 1B3")
        self.assertEqual(task.partner_phone, "+1 416 555 0100")
        self.assertEqual(task.duration, 1.0)
        task.duration = 1.5
        self.assertEqual(task.scheduled_end, toronto(2026, 5, 4, 10, 30))

    # ------------------------------------------------------------------
    # Overlap guarantee
    # ------------------------------------------------------------------

    def test_overlapping_task_is_refused_with_a_readable_message(self):
        self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 11))
        count = self._task_count()
        with self.assertRaisesText(ValidationError, "FT Alice already has a task at that time"):
            self._create_task(self.tech_1, toronto(2026, 5, 4, 10), toronto(2026, 5, 4, 12))
        self.assertEqual(self._task_count(), count, "nothing was created")

    def test_overlap_within_one_create_is_refused(self):
        count = self._task_count()
        with self.assertRaisesText(ValidationError, "FT Alice already has a task"):
            self.env["fusion.technician.task"].create(
                [
                    {
                        "technician_id": self.tech_1.id,
                        "scheduled_start": toronto(2026, 5, 4, 9),
                        "scheduled_end": toronto(2026, 5, 4, 11),
                    },
                    {
                        "technician_id": self.tech_1.id,
                        "scheduled_start": toronto(2026, 5, 4, 10),
                        "scheduled_end": toronto(2026, 5, 4, 12),
                    },
                ]
            )
        self.assertEqual(self._task_count(), count)

    def test_moving_a_task_onto_another_is_refused(self):
        self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        other = self._create_task(self.tech_2, toronto(2026, 5, 4, 9, 30), toronto(2026, 5, 4, 10, 30))
        with self.assertRaisesText(ValidationError, "FT Alice already has a task at that time"):
            other.technician_id = self.tech_1
        other.invalidate_recordset()
        self.assertEqual(other.technician_id, self.tech_2, "the task kept its technician")

    def test_touching_tasks_and_other_technicians_are_allowed(self):
        self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        after = self._create_task(self.tech_1, toronto(2026, 5, 4, 10), toronto(2026, 5, 4, 11))
        before = self._create_task(self.tech_1, toronto(2026, 5, 4, 8), toronto(2026, 5, 4, 9))
        same_time = self._create_task(self.tech_2, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        self.assertTrue(after and before and same_time)

    def test_cancelled_task_does_not_block_but_reopening_it_would(self):
        cancelled = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        cancelled.action_cancel()
        replacement = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        self.assertEqual(replacement.state, "scheduled")
        with self.assertRaisesText(ValidationError, "FT Alice already has a task"):
            cancelled.state = "scheduled"
        cancelled.invalidate_recordset()
        self.assertEqual(cancelled.state, "cancelled")

    def test_end_before_start_is_refused(self):
        count = self._task_count()
        with self.assertRaises(ValidationError), mute_logger("odoo.sql_db"):
            self._create_task(self.tech_1, toronto(2026, 5, 4, 10), toronto(2026, 5, 4, 9))
        self.assertEqual(self._task_count(), count)

    def test_database_refuses_overlap_even_without_the_application_check(self):
        """Raw SQL, as a concurrent transaction that passed the Python check
        would do: PostgreSQL itself refuses the second task."""
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        insert = """
            INSERT INTO fusion_technician_task
                   (name, task_type, technician_id, scheduled_start, scheduled_end, state, company_id)
            VALUES ('RAW', 'other', %s, %s, %s, %s, %s)
        """
        with self.assertRaises(ExclusionViolation), mute_logger("odoo.sql_db"), self.env.cr.savepoint():
            self.env.cr.execute(
                insert,
                (
                    self.tech_1.id,
                    toronto(2026, 5, 4, 9, 30),
                    toronto(2026, 5, 4, 10, 30),
                    "scheduled",
                    task.company_id.id,
                ),
            )
        # cancelled rows are outside the constraint; touching rows are fine
        self.env.cr.execute(
            insert,
            (self.tech_1.id, toronto(2026, 5, 4, 9, 30), toronto(2026, 5, 4, 10, 30), "cancelled", task.company_id.id),
        )
        self.env.cr.execute(
            insert, (self.tech_1.id, toronto(2026, 5, 4, 10), toronto(2026, 5, 4, 11), "scheduled", task.company_id.id)
        )

    def test_concurrent_transaction_cannot_book_the_same_time(self):
        """A second connection inserting an overlapping task while ours is
        not committed yet is held back by PostgreSQL (it would fail once we
        commit): there is no window where both could succeed."""
        admin = self.env.ref("base.user_admin")
        start, end = datetime(2091, 3, 5, 14), datetime(2091, 3, 5, 15)
        self._create_task(admin, start, end)
        self.env.flush_all()
        insert = """
            INSERT INTO fusion_technician_task
                   (name, task_type, technician_id, scheduled_start, scheduled_end, state, company_id)
            VALUES ('OTHER TX', 'other', %s, %s, %s, 'scheduled', %s)
        """
        with self.registry.cursor() as other_cr:
            other_cr.execute("SET LOCAL lock_timeout = '1s'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable), mute_logger("odoo.sql_db"):
                other_cr.execute(
                    insert, (admin.id, datetime(2091, 3, 5, 14, 30), datetime(2091, 3, 5, 15, 30), self.env.company.id)
                )
            other_cr.rollback()

    # ------------------------------------------------------------------
    # State buttons
    # ------------------------------------------------------------------

    def test_start_then_done(self):
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        task.action_start()
        self.assertEqual(task.state, "in_progress")
        with self.assertRaisesText(UserError, "Only scheduled tasks can be started"):
            task.action_start()
        task.action_done()
        self.assertEqual(task.state, "done")

    def test_done_directly_from_scheduled(self):
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        task.action_done()
        self.assertEqual(task.state, "done")

    def test_next_weeks_visit_cannot_be_started_or_done_early(self):
        # Monday 4 May 2026 at 9:00 in Toronto; "now" is the Friday before, 8 p.m. (Saturday in UTC)
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        with freeze_time("2026-05-02 00:00:00"):
            for action in (task.with_user(self.tech_1).action_start, task.with_user(self.tech_1).action_done):
                with self.assertRaisesText(UserError, "is planned for Monday, May 4, 2026"):
                    action()
        self.assertEqual(task.state, "scheduled", "nothing changed")
        with freeze_time("2026-05-04 12:30:00"):  # 8:30 a.m. on the day: the technician arrives early
            task.with_user(self.tech_1).action_start()
            task.with_user(self.tech_1).action_done()
        self.assertEqual(task.state, "done")

    def test_done_task_cannot_be_cancelled_restarted_or_deleted(self):
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        task.action_done()
        with self.assertRaisesText(UserError, "cannot be cancelled"):
            task.action_cancel()
        with self.assertRaisesText(UserError, "Only scheduled tasks can be started"):
            task.action_start()
        with self.assertRaisesText(UserError, "cannot be deleted"):
            task.unlink()
        self.assertEqual(task.state, "done")

    def test_cancelled_task_cannot_be_started_or_done(self):
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        task.action_cancel()
        with self.assertRaisesText(UserError, "Only scheduled tasks can be started"):
            task.action_start()
        with self.assertRaisesText(UserError, "Only scheduled or started tasks can be marked done"):
            task.action_done()
        self.assertEqual(task.state, "cancelled")

    def test_state_changes_are_logged_in_the_chatter(self):
        task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10)).with_context(
            tracking_disable=False
        )
        self.env.cr.precommit.clear()  # as after the commit of the creation
        task.action_start()
        self.env.cr.precommit.run()
        tracked = task.message_ids.tracking_value_ids.filtered(lambda v: v.field_id.name == "state")
        self.assertEqual(tracked.mapped("new_value_char"), ["In Progress"], "the chatter shows the status change")

    # ------------------------------------------------------------------
    # Calendar event
    # ------------------------------------------------------------------

    def _task_with_event(self):
        event = self.env["calendar.event"].create(
            {
                "name": "FT Visit Margaret",
                "start": toronto(2026, 5, 4, 9),
                "stop": toronto(2026, 5, 4, 10),
                "partner_ids": [Command.set((self.tech_1.partner_id | self.client).ids)],
            }
        )
        task = self._create_task(
            self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10), calendar_event_id=event.id
        )
        return task, event

    def test_cancel_archives_the_calendar_event(self):
        task, event = self._task_with_event()
        task.action_cancel()
        self.assertEqual(task.state, "cancelled")
        self.assertFalse(event.active)

    def test_rescheduling_moves_the_calendar_event(self):
        task, event = self._task_with_event()
        task.write({"scheduled_start": toronto(2026, 5, 5, 13), "scheduled_end": toronto(2026, 5, 5, 14, 30)})
        self.assertEqual((event.start, event.stop), (toronto(2026, 5, 5, 13), toronto(2026, 5, 5, 14, 30)))

    def test_new_technician_replaces_the_old_one_on_the_event(self):
        task, event = self._task_with_event()
        event.user_id = self.tech_1
        task.technician_id = self.tech_2
        self.assertEqual(event.partner_ids, self.tech_2.partner_id | self.client)
        self.assertEqual(event.user_id, self.tech_2, "the event now belongs to the new technician")

    # ------------------------------------------------------------------
    # Access rights
    # ------------------------------------------------------------------

    def test_technician_sees_and_updates_only_own_tasks(self):
        own = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        other = self._create_task(self.tech_2, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        Task = self.env["fusion.technician.task"].with_user(self.tech_1)
        visible = Task.search([("id", "in", (own | other).ids)])
        self.assertEqual(visible, own.with_user(self.tech_1))
        own.with_user(self.tech_1).action_start()
        self.assertEqual(own.state, "in_progress")
        with self.assertRaises(AccessError):
            other.with_user(self.tech_1).action_start()
        self.assertEqual(other.state, "scheduled")
        with self.assertRaisesText(AccessError, "Only dispatchers can reassign"):
            own.with_user(self.tech_1).technician_id = self.tech_2
        self.assertEqual(own.technician_id, self.tech_1)

    def test_dispatcher_sees_and_plans_every_task(self):
        dispatcher = self._create_technician("FT Dispatcher", groups=("fusion_tasks.group_fusion_dispatcher",))
        self.assertTrue(dispatcher.has_group("fusion_tasks.group_fusion_technician"), "dispatcher implies technician")
        own = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        other = self._create_task(self.tech_2, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        Task = self.env["fusion.technician.task"].with_user(dispatcher)
        self.assertEqual(set(Task.search([("id", "in", (own | other).ids)]).ids), set((own | other).ids))
        created = Task.create(
            {
                "technician_id": self.tech_2.id,
                "partner_id": self.client.id,
                "scheduled_start": toronto(2026, 5, 4, 11),
                "scheduled_end": toronto(2026, 5, 4, 12),
            }
        )
        self.assertEqual(created.technician_id, self.tech_2)

    def test_technician_cannot_create_tasks(self):
        with self.assertRaises(AccessError):
            self.env["fusion.technician.task"].with_user(self.tech_1).create(
                {
                    "technician_id": self.tech_1.id,
                    "scheduled_start": toronto(2026, 5, 4, 9),
                    "scheduled_end": toronto(2026, 5, 4, 10),
                }
            )

    def test_admin_is_field_service_manager(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("fusion_tasks.group_fusion_manager"))
        self.assertTrue(admin.has_group("fusion_tasks.group_fusion_dispatcher"))
