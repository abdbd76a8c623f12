"""Technicians cannot replan their tasks, even past the form (ORM and JSON-RPC):
only the buttons change a task's state, cancelling is the office's, and
"Cannot Do This Visit" tells the office without changing the task."""

from datetime import datetime

from odoo.exceptions import AccessError, UserError
from odoo.fields import Command
from odoo.tests import HttpCase, freeze_time, tagged

from .common import FusionTasksCase, toronto

TECH_PASSWORD = "ft-tech-Password-1"


class ProtectedFieldsMixin:
    """A task of FT Alice, and a value that changes each dispatcher-only field."""

    def _setup_protected(self):
        self.task = self._create_task(self.tech_1, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        self.other_company = self.env["res.company"].create({"name": "FT Other Company"})
        self.other_client = self.env["res.partner"].create({"name": "FT Other Client"})
        self.event = self.env["calendar.event"].create(
            {"name": "FT Event", "start": datetime(2026, 5, 4, 13), "stop": datetime(2026, 5, 4, 14)}
        )
        self.new_values = {
            "technician_id": self.tech_2.id,
            "partner_id": self.other_client.id,
            "scheduled_start": "2026-05-04 15:00:00",
            "scheduled_end": "2026-05-04 18:00:00",
            "duration": 3.0,
            "task_type": "repair",
            "state": "done",
            "company_id": self.other_company.id,
            "calendar_event_id": self.event.id,
            "name": "TASK/HACKED",
            "cannot_do_reported": True,
        }

    def _snapshot(self, task):
        task.invalidate_recordset()
        return {name: task[name] for name in self.new_values}


@tagged("post_install", "-at_install", "fusion_tasks")
class TestTaskProtection(ProtectedFieldsMixin, FusionTasksCase):
    def setUp(self):
        super().setUp()
        self._setup_protected()
        self.dispatcher = self._create_technician("FT Dispatch", groups=("fusion_tasks.group_fusion_dispatcher",))

    def test_protected_fields_cover_the_planning_and_links(self):
        fields = self.env["fusion.technician.task"]._get_dispatcher_only_fields()
        self.assertLessEqual(set(self.new_values), fields)

    def test_technician_cannot_change_any_protected_field(self):
        before = self._snapshot(self.task)
        as_technician = self.task.with_user(self.tech_1)
        for name, value in self.new_values.items():
            with self.subTest(field=name), self.assertRaisesText(AccessError, "Only dispatchers can"):
                as_technician.write({name: value})
            self.assertEqual(self._snapshot(self.task), before, f"{name}: nothing changed")

    def test_technician_may_send_unchanged_values_and_write_notes(self):
        as_technician = self.task.with_user(self.tech_1)
        as_technician.write(
            {
                "technician_id": self.tech_1.id,
                "partner_id": self.client.id,
                "scheduled_start": toronto(2026, 5, 4, 9),
                "state": "scheduled",
                "name": self.task.name,
                "notes": "<p>Ring twice</p>",
            }
        )
        self.assertIn("Ring twice", str(self.task.notes))

    def test_technician_uses_the_buttons_on_their_own_task_only(self):
        other = self._create_task(self.tech_2, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        with freeze_time("2026-05-04 14:00:00"):
            self.task.with_user(self.tech_1).action_start()
            self.assertEqual(self.task.state, "in_progress")
            self.task.with_user(self.tech_1).action_done()
            self.assertEqual(self.task.state, "done")
            for action in ("action_start", "action_done", "action_report_cannot_do"):
                with self.subTest(action=action), self.assertRaises(AccessError):
                    getattr(other.with_user(self.tech_1), action)()
        self.assertEqual(other.state, "scheduled")

    def test_technician_cannot_cancel(self):
        with self.assertRaisesText(AccessError, "Only dispatchers can cancel a task"):
            self.task.with_user(self.tech_1).action_cancel()
        self.assertEqual(self.task.state, "scheduled")
        arch = self.task.with_user(self.tech_1).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertNotIn('name="action_cancel"', arch, "no Cancel button for technicians")
        self.assertIn('name="action_report_cannot_do"', arch)
        arch = self.task.with_user(self.dispatcher).get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="action_cancel"', arch)

    def test_dispatcher_can_do_everything(self):
        event = self.event
        as_dispatcher = self.task.with_user(self.dispatcher)
        as_dispatcher.write(
            {
                "technician_id": self.tech_2.id,
                "partner_id": self.other_client.id,
                "scheduled_start": toronto(2026, 5, 4, 11),
                "scheduled_end": toronto(2026, 5, 4, 12),
                "task_type": "repair",
                "calendar_event_id": event.id,
                "name": "TASK/RENAMED",
            }
        )
        self.assertEqual(self.task.technician_id, self.tech_2)
        self.assertEqual(self.task.scheduled_start, toronto(2026, 5, 4, 11))
        self.assertEqual(self.task.name, "TASK/RENAMED")
        as_dispatcher.duration = 2
        self.assertEqual(self.task.scheduled_end, toronto(2026, 5, 4, 13))
        as_dispatcher.action_cancel()
        self.assertEqual(self.task.state, "cancelled")
        self.assertFalse(event.active, "its calendar event is archived")
        other = self._create_task(self.tech_2, toronto(2026, 5, 5, 9), toronto(2026, 5, 5, 10))
        with freeze_time("2026-05-05 14:00:00"):
            other.with_user(self.dispatcher).action_start()
            other.with_user(self.dispatcher).action_done()
        self.assertEqual(other.state, "done")

    # ------------------------------------------------------------------
    # Cannot Do This Visit
    # ------------------------------------------------------------------

    def _report(self, task, user, reason):
        action = task.with_user(user).action_report_cannot_do()
        self.assertEqual(action["res_model"], "fusion.technician.task.cannot.do")
        Wizard = self.env[action["res_model"]].with_user(user).with_context(action["context"])
        wizard = Wizard.create({"reason": reason})
        self.assertEqual(wizard.task_id, task)
        return wizard.action_confirm()

    def test_cannot_do_tells_the_office_and_leaves_the_task_alone(self):
        office = self.dispatcher
        task = (
            self.env["fusion.technician.task"]
            .with_user(office)
            .create(
                {
                    "technician_id": self.tech_1.id,
                    "partner_id": self.client.id,
                    "scheduled_start": toronto(2026, 5, 5, 9),
                    "scheduled_end": toronto(2026, 5, 5, 10),
                }
            )
            .with_env(self.env)
        )
        before = self._snapshot(task)
        self._report(task, self.tech_1, "The lift part has not arrived.\nNeeds a second person.")
        after = self._snapshot(task)
        self.assertTrue(after.pop("cannot_do_reported"), "the task is flagged for the office")
        before.pop("cannot_do_reported")
        self.assertEqual(after, before, "same time, technician, state")
        self.assertEqual(task._get_office_user(), office, "the dispatcher who planned it")
        activity = task.activity_ids
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, office)
        self.assertEqual(activity.activity_type_id, self.env.ref("fusion_tasks.mail_activity_type_cannot_do"))
        self.assertEqual(
            activity.summary, "FT Alice cannot do this visit: The lift part has not arrived. Needs a second person."
        )
        self.assertIn("Needs a second person", str(activity.note))
        note = task.message_ids.filtered(lambda message: "cannot do this visit" in str(message.body))
        self.assertTrue(note, "a note in the chatter")
        self.assertEqual(note[0].author_id, self.tech_1.partner_id)
        self.assertIn("has not arrived", str(note[0].body))
        # the office moves it: the flag goes
        task.with_user(office).write(
            {"scheduled_start": toronto(2026, 5, 6, 9), "scheduled_end": toronto(2026, 5, 6, 10)}
        )
        self.assertFalse(task.cannot_do_reported)

    def test_cannot_do_office_user_fallbacks(self):
        # created by the superuser (inactive): the first active dispatcher of the company
        dispatchers = self.env["res.users"].search(
            [
                ("all_group_ids", "in", self.env.ref("fusion_tasks.group_fusion_dispatcher").id),
                ("share", "=", False),
                ("company_ids", "in", self.company.id),
                ("id", "!=", self.tech_1.id),
            ],
            order="id",
        )
        self.assertEqual(self.task._get_office_user(), dispatchers[0])
        # a task created by its own technician goes to a dispatcher too
        self.task.sudo().create_uid = self.tech_1
        self.assertNotEqual(self.task._get_office_user(), self.tech_1)
        # nobody else: the administrator
        (dispatchers - self.env.ref("base.user_admin")).write({"active": False})
        self.env.ref("base.user_admin").group_ids = [
            Command.unlink(self.env.ref("fusion_tasks.group_fusion_manager").id)
        ]
        self.assertEqual(self.task._get_office_user(), self.env.ref("base.user_admin"))

    def test_cannot_do_needs_a_reason_an_open_task_and_its_technician(self):
        with self.assertRaises(UserError):
            self._report(self.task, self.tech_1, "   ")
        other = self._create_task(self.tech_2, toronto(2026, 5, 4, 9), toronto(2026, 5, 4, 10))
        wizard = (
            self.env["fusion.technician.task.cannot.do"]
            .with_user(self.tech_1)
            .create({"task_id": other.id, "reason": "Not mine"})
        )
        with self.assertRaises(AccessError):
            wizard.action_confirm()
        self.assertFalse(other.activity_ids)
        self.assertFalse(other.cannot_do_reported)
        self.task.action_cancel()
        with self.assertRaises(UserError):
            self.task.with_user(self.tech_1).action_report_cannot_do()


@tagged("post_install", "-at_install", "fusion_tasks")
class TestTaskProtectionRpc(ProtectedFieldsMixin, HttpCase, FusionTasksCase):
    """What the browser (or any script with the technician's session) can send."""

    def setUp(self):
        super().setUp()
        self._setup_protected()
        self.tech_1.password = TECH_PASSWORD
        self.authenticate(self.tech_1.login, TECH_PASSWORD)

    def _call(self, method, args):
        return self.make_jsonrpc_request(
            f"/web/dataset/call_kw/fusion.technician.task/{method}",
            {"model": "fusion.technician.task", "method": method, "args": args, "kwargs": {}},
        )

    def test_json_rpc_write_of_each_protected_field_is_refused(self):
        before = self._snapshot(self.task)
        for name, value in self.new_values.items():
            with self.subTest(field=name):
                with self.assertRaises(Exception) as capture:
                    self._call("write", [[self.task.id], {name: value}])
                self.assertEqual(str(capture.exception), "odoo.exceptions.AccessError")
                self.env.invalidate_all()
                self.assertEqual(self._snapshot(self.task), before, f"{name}: unchanged in the database")
        # what a technician may do still works over RPC
        self.assertTrue(self._call("write", [[self.task.id], {"notes": "<p>Gate code 42</p>"}]))
        self.env.invalidate_all()
        self.assertIn("Gate code 42", str(self.task.notes))

    def test_json_rpc_cancel_is_refused(self):
        with self.assertRaises(Exception) as capture:
            self._call("action_cancel", [[self.task.id]])
        self.assertEqual(str(capture.exception), "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertEqual(self.task.state, "scheduled")
