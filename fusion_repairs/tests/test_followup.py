"""Office follow-up (SPEC flow 7): the daily "call to book" and "overdue" jobs, run the way
the scheduler runs them, as the office sees their result (activities on the contracts).

Monday 11 January 2027 (``FROZEN_NOW``); reminder bands 30,7 (the last reminder is 7 days
before the due date), so a contract due on the 15th needs a call from the 9th on.
"""

import logging
from contextlib import contextmanager
from datetime import date
from unittest.mock import patch

from odoo import Command
from odoo.addons.mail.tests.common import MailCase
from odoo.tests import HttpCase, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, toronto

CONTRACT_MODEL = "fusion.repair.maintenance.contract"
JOB_LOGGER = "odoo.addons.fusion_repairs.models.maintenance_contract_followup"


class FollowupFixturesMixin(BookingFixturesMixin):
    @classmethod
    def _setup_followup_fixtures(cls):
        cls._setup_booking_fixtures()
        env = cls.env
        params = env["ir.config_parameter"].sudo()
        params.set_param("fusion_repairs.reminder_bands", "30,7")
        params.set_param("fusion_repairs.followup_unbooked_enabled", "True")
        params.set_param("fusion_repairs.followup_overdue_enabled", "True")
        params.set_param("fusion_repairs.followup_escalation_days", "10")
        cls.office_user = env["res.users"].create(
            {
                "name": "H3 Office Olivia Followup",
                "login": "office.olivia.followup@h3.example.com",
                "email": "office.olivia.followup@h3.example.com",
                "group_ids": [Command.link(env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        cls.manager = env["res.users"].create(
            {
                "name": "H3 Manager Marc Followup",
                "login": "manager.marc.followup@h3.example.com",
                "email": "manager.marc.followup@h3.example.com",
                "group_ids": [Command.link(env.ref("fusion_tasks.group_fusion_manager").id)],
            }
        )
        cls.company.x_fc_followup_escalation_user_id = cls.manager
        cls.call_type = env.ref("fusion_repairs.mail_activity_type_maintenance_call_to_book")
        cls.overdue_type = env.ref("fusion_repairs.mail_activity_type_maintenance_overdue")
        cls.unbooked_cron = env.ref("fusion_repairs.ir_cron_maintenance_unbooked_followup")
        cls.overdue_cron = env.ref("fusion_repairs.ir_cron_maintenance_overdue_followup")

    @classmethod
    def _followup_contract(cls, name, phone, due, serial):
        client = cls._create_booking_client(name, name.lower().replace(" ", ".") + "@h3-followup.example.com")
        client.phone = phone
        return cls._create_booking_contract(client, serial=serial, next_due_date=due, user_id=cls.office_user.id)

    def _activities(self, contract, activity_type, done=False):
        """The contract's activities of ``activity_type``: open ones, or done ones."""
        return (
            self.env["mail.activity"]
            .with_context(active_test=False)
            .search(
                [
                    ("res_model", "=", CONTRACT_MODEL),
                    ("res_id", "=", contract.id),
                    ("activity_type_id", "=", activity_type.id),
                    ("active", "=", not done),
                ]
            )
        )


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestOfficeFollowup(FollowupFixturesMixin, MailCase, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_followup_fixtures()
        # last reminder on 8 January: needs a call; bookable (due in 4 days)
        cls.unbooked = cls._followup_contract("H3 Walter Unbooked", "+1 416 555 0142", "2027-01-15", "SL-H3-FU-1")
        # due on 5 January, nothing booked: 6 days overdue
        cls.overdue = cls._followup_contract("H3 Olive Overdue", "+1 647 555 0177", "2027-01-05", "SL-H3-FU-2")
        # first reminder only (30 days): nobody calls yet
        cls.later = cls._followup_contract("H3 Lena Later", "+1 416 555 0190", "2027-02-10", "SL-H3-FU-3")

    @contextmanager
    def _on(self, day):
        """Run on ``day`` (10:00 in Toronto)."""
        with freeze_time(f"{day} 15:00:00"):
            yield

    def _run(self, cron, day=None):
        with self._on(day or FROZEN_NOW[:10]), self.mock_mail_gateway(), self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.env.invalidate_all()

    def _book_as_office(self, contract, slot):
        result = contract.with_user(self.office_user).book_slot(slot, notify=False)
        return self.env["fusion.technician.task"].browse(result["task_id"])

    # ------------------------------------------------------------------
    # Call to book
    # ------------------------------------------------------------------

    def test_call_to_book_is_raised_once_with_the_phone_and_follows_the_due_date(self):
        self._run(self.unbooked_cron)
        activity = self._activities(self.unbooked, self.call_type)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.office_user, "the contract's responsible")
        self.assertIn("H3 Walter Unbooked", activity.summary)
        self.assertIn("+1 416 555 0142", activity.summary)
        self.assertIn("+1 416 555 0142", str(activity.note))
        self.assertIn("SL-H3-FU-1", str(activity.note))
        self.assertEqual(activity.date_deadline, date(2027, 1, 15), "call before it is due")
        self.assertFalse(self._activities(self.later, self.call_type), "not before the last reminder")
        self.assertFalse(self._activities(self.unbooked, self.overdue_type), "not overdue yet")

        self._run(self.unbooked_cron, "2027-01-12")
        self.assertEqual(self._activities(self.unbooked, self.call_type), activity, "no second activity")

        # the client asked for a few more days: the office moves the due date
        self.unbooked.next_due_date = date(2027, 1, 18)
        self._run(self.unbooked_cron, "2027-01-12")
        self.assertEqual(self._activities(self.unbooked, self.call_type), activity, "the same activity")
        self.assertEqual(activity.date_deadline, date(2027, 1, 18), "its deadline follows the due date")

        # a new phone number shows on the same activity
        self.unbooked.partner_id.phone = "+1 905 555 0101"
        self._run(self.unbooked_cron, "2027-01-13")
        self.assertEqual(self._activities(self.unbooked, self.call_type), activity)
        self.assertIn("+1 905 555 0101", activity.summary)

        # handed to a colleague: the job does not take it back
        activity.user_id = self.manager
        self._run(self.unbooked_cron, "2027-01-14")
        self.assertEqual(self._activities(self.unbooked, self.call_type).user_id, self.manager)

    def test_office_booking_closes_the_call_and_a_cancellation_raises_it_again(self):
        self._run(self.unbooked_cron)
        activity = self._activities(self.unbooked, self.call_type)
        self.assertTrue(activity)

        task = self._book_as_office(self.unbooked, toronto(2027, 1, 12, 10))
        self.assertFalse(self._activities(self.unbooked, self.call_type), "no open call left")
        done = self._activities(self.unbooked, self.call_type, done=True)
        self.assertEqual(done, activity)
        self.assertIn("Booked for Tuesday, January 12, 2027", done.feedback)
        self.assertIn(task.technician_id.name, done.feedback)
        message = self.unbooked.message_ids.filtered(lambda m: m.mail_activity_type_id == self.call_type)
        self.assertEqual(len(message), 1, "marked done in the chatter")
        self.assertEqual(message.author_id, self.office_user.partner_id)

        self._run(self.unbooked_cron, "2027-01-12")
        self.assertFalse(self._activities(self.unbooked, self.call_type), "booked: nothing to call about")

        self.unbooked.with_user(self.office_user).cancel_booking(notify=False)
        self._run(self.unbooked_cron, "2027-01-12")
        self.assertEqual(len(self._activities(self.unbooked, self.call_type)), 1, "the client must be called again")

    def test_the_clients_own_booking_closes_the_call(self):
        self._run(self.unbooked_cron)
        self.unbooked.sudo().book_slot(toronto(2027, 1, 12, 10), by="client", notify=False)
        done = self._activities(self.unbooked, self.call_type, done=True)
        self.assertEqual(len(done), 1)
        self.assertIn("Booked online by the client for Tuesday, January 12, 2027", done.feedback)

    def test_call_done_by_staff_is_not_raised_again_in_the_same_cycle(self):
        self._run(self.unbooked_cron)
        self._activities(self.unbooked, self.call_type).with_user(self.office_user).action_feedback(
            feedback="Left a message"
        )
        self._run(self.unbooked_cron, "2027-01-12")
        self.assertFalse(self._activities(self.unbooked, self.call_type))
        self.assertEqual(len(self._activities(self.unbooked, self.call_type, done=True)), 1)

    def test_call_to_book_off_switch(self):
        settings = self.env["res.config.settings"].create({"x_fc_followup_unbooked": False})
        settings.execute()
        self.assertFalse(self.env["res.config.settings"].create({}).x_fc_followup_unbooked, "the switch stays off")
        self._run(self.unbooked_cron)
        self.assertFalse(self._activities(self.unbooked, self.call_type))
        # the other job is not switched off with it
        self._run(self.overdue_cron)
        self.assertEqual(len(self._activities(self.overdue, self.overdue_type)), 1)

    def test_paused_contract_has_its_call_closed(self):
        self._run(self.unbooked_cron)
        self.unbooked.action_pause()
        self._run(self.unbooked_cron, "2027-01-12")
        self.assertFalse(self._activities(self.unbooked, self.call_type))
        done = self._activities(self.unbooked, self.call_type, done=True)
        self.assertIn("paused", done.feedback)

    def test_contract_without_responsible_goes_to_the_escalation_user(self):
        self.unbooked.user_id = False
        self._run(self.unbooked_cron)
        self.assertEqual(self._activities(self.unbooked, self.call_type).user_id, self.manager)

    def test_escalation_user_defaults_to_a_field_service_manager(self):
        self.manager.active = False  # the chosen "Escalate to" user left the company
        self.unbooked.user_id = False
        self._run(self.unbooked_cron)
        user = self._activities(self.unbooked, self.call_type).user_id
        self.assertTrue(user)
        self.assertNotEqual(user, self.manager)
        self.assertTrue(user.active and not user.share)
        self.assertIn(self.env.ref("fusion_tasks.group_fusion_manager"), user.all_group_ids)
        self.assertIn(self.company, user.company_ids)

    def test_a_broken_contract_does_not_stop_the_others(self):
        before = self._followup_contract("H3 Bea Before", "+1 416 555 0111", "2027-01-14", "SL-H3-FU-B1")
        broken = self._followup_contract("H3 Bob Broken", "+1 416 555 0112", "2027-01-14", "SL-H3-FU-B2")
        after = self._followup_contract("H3 Al After", "+1 416 555 0113", "2027-01-14", "SL-H3-FU-B3")
        contract_class = type(self.env[CONTRACT_MODEL])
        original = contract_class._prepare_followup_activity_values

        def fails_for_broken(contract, *args, **kwargs):
            if contract.id == broken.id:
                # a real database error: without its own savepoint the whole transaction,
                # and every contract after this one, would be lost
                contract.env.cr.execute("SELECT 1 / 0")
            return original(contract, *args, **kwargs)

        with (
            patch.object(contract_class, "_prepare_followup_activity_values", fails_for_broken),
            self.assertLogs(JOB_LOGGER, level=logging.WARNING) as logs,
        ):
            self._run(self.unbooked_cron)
        for contract in (before, after, self.unbooked):
            with self.subTest(contract=contract.partner_id.name):
                self.assertEqual(len(self._activities(contract, self.call_type)), 1)
        self.assertFalse(self._activities(broken, self.call_type))
        self.assertFalse(broken.followup_unbooked_due_date, "not stamped: the next run tries again")
        self.assertIn(broken.display_name, "\n".join(logs.output))

        self._run(self.unbooked_cron, "2027-01-12")
        self.assertEqual(len(self._activities(broken, self.call_type)), 1, "retried on the next run")
        self.assertEqual(len(self._activities(before, self.call_type)), 1)

    def test_many_contracts_in_small_batches(self):
        contracts = self.unbooked
        for index in range(4):
            contracts |= self._followup_contract(
                f"H3 Batch Client {index}", f"+1 416 555 02{index}0", "2027-01-14", f"SL-H3-FU-BATCH-{index}"
            )
        with self.mock_mail_gateway(), self.enter_registry_test_mode(), self.registry.cursor() as cr:
            env = self.env(cr=cr)
            env[CONTRACT_MODEL]._cron_maintenance_unbooked_followup(batch_size=2)
        self.env.invalidate_all()
        for contract in contracts:
            self.assertEqual(len(self._activities(contract, self.call_type)), 1)

    # ------------------------------------------------------------------
    # Overdue
    # ------------------------------------------------------------------

    def test_overdue_is_raised_once_then_escalated_to_the_manager(self):
        self._run(self.overdue_cron)
        activity = self._activities(self.overdue, self.overdue_type)
        self.assertEqual(len(activity), 1)
        self.assertEqual(activity.user_id, self.office_user, "the responsible first")
        self.assertIn("H3 Olive Overdue", activity.summary)
        self.assertIn("+1 647 555 0177", activity.summary)
        self.assertEqual(activity.date_deadline, date(2027, 1, 15), "due on the 5th + 10 days: escalation day")
        self.assertFalse(self._activities(self.unbooked, self.overdue_type), "the 15th is not overdue")

        self._run(self.overdue_cron, "2027-01-12")
        self.assertEqual(self._activities(self.overdue, self.overdue_type), activity, "no second activity")
        # the office corrects the due date: the deadline follows
        self.overdue.next_due_date = date(2027, 1, 4)
        self._run(self.overdue_cron, "2027-01-12")
        self.assertEqual(self._activities(self.overdue, self.overdue_type), activity)
        self.assertEqual(activity.date_deadline, date(2027, 1, 14))
        self.assertEqual(activity.user_id, self.office_user, "not escalated before 10 days")

        self._run(self.overdue_cron, "2027-01-14")
        self.assertEqual(self._activities(self.overdue, self.overdue_type), activity, "the same activity")
        self.assertEqual(activity.user_id, self.manager, "10 days overdue: the manager has it")
        self.assertIn("Escalated", str(activity.note))
        self.assertIn(self.office_user.name, str(activity.note), "names the responsible")
        notes = self.overdue.message_ids.filtered(lambda m: "escalated to" in (m.body or ""))
        self.assertEqual(len(notes), 1)
        self.assertIn(self.manager.name, notes.body)

        self._run(self.overdue_cron, "2027-01-20")
        self.assertEqual(self._activities(self.overdue, self.overdue_type), activity)
        self.assertEqual(activity.user_id, self.manager)
        self.assertEqual(
            len(self.overdue.message_ids.filtered(lambda m: "escalated to" in (m.body or ""))), 1, "escalated once"
        )

    def test_no_escalation_when_set_to_never(self):
        self.env["res.config.settings"].create({"x_fc_followup_escalation_days": 0}).execute()
        self._run(self.overdue_cron, "2027-02-20")
        activity = self._activities(self.overdue, self.overdue_type)
        self.assertEqual(activity.user_id, self.office_user)
        self.assertEqual(activity.date_deadline, date(2027, 1, 6), "the first overdue day")

    def test_overdue_closed_by_office_booking(self):
        self._run(self.overdue_cron)
        self._run(self.unbooked_cron)
        self.assertTrue(self._activities(self.overdue, self.overdue_type))
        self.assertTrue(self._activities(self.overdue, self.call_type), "an overdue unit still needs a call")
        self._book_as_office(self.overdue, toronto(2027, 1, 12, 14))
        for activity_type in (self.overdue_type, self.call_type):
            with self.subTest(activity_type=activity_type.name):
                self.assertFalse(self._activities(self.overdue, activity_type))
                self.assertIn("Booked for", self._activities(self.overdue, activity_type, done=True).feedback)
        self._run(self.overdue_cron, "2027-01-12")
        self.assertFalse(self._activities(self.overdue, self.overdue_type))

    def test_overdue_closed_when_the_contract_rolls_forward(self):
        self._run(self.overdue_cron)
        self.assertTrue(self._activities(self.overdue, self.overdue_type))
        # e.g. the unit is back in service after its corrective repair: a new cycle starts
        self.overdue._roll_forward(date(2027, 1, 11), what="Back in service.")
        self.assertFalse(self._activities(self.overdue, self.overdue_type))
        done = self._activities(self.overdue, self.overdue_type, done=True)
        self.assertIn("next maintenance due on July 11, 2027", done.feedback)
        self._run(self.overdue_cron, "2027-01-12")
        self.assertFalse(self._activities(self.overdue, self.overdue_type))

    def test_overdue_off_switch(self):
        self.env["res.config.settings"].create({"x_fc_followup_overdue": False}).execute()
        self._run(self.overdue_cron)
        self.assertFalse(self._activities(self.overdue, self.overdue_type))


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestOfficeFollowupOverRpc(FollowupFixturesMixin, HttpCase):
    """Anyone logged in can call a model method over ``/web/dataset/call_kw``: the jobs are
    private, so a portal user (or any user) is refused and nothing is created."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_followup_fixtures()
        cls.unbooked = cls._followup_contract("H3 Walter Rpc", "+1 416 555 0142", "2027-01-15", "SL-H3-FU-RPC1")
        cls.overdue = cls._followup_contract("H3 Olive Rpc", "+1 647 555 0177", "2027-01-05", "SL-H3-FU-RPC2")
        cls.portal_password = "H3-portal-followup-2027"
        cls.portal_user = cls.env["res.users"].create(
            {
                "name": "H3 Portal Followup",
                "login": "portal.followup@h3.example.com",
                "password": cls.portal_password,
                "partner_id": cls.unbooked.partner_id.id,
                "group_ids": [Command.set([cls.env.ref("base.group_portal").id])],
            }
        )
        cls.office_user.password = "H3-office-followup-2027"

    def _rpc(self, method, args=None, kwargs=None):
        response = self.url_open(
            f"/web/dataset/call_kw/{CONTRACT_MODEL}.{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"model": CONTRACT_MODEL, "method": method, "args": args or [], "kwargs": kwargs or {}},
            },
        )
        self.assertLess(response.status_code, 500, response.text[:500])
        return response.json()

    def _followup_activities(self):
        return self.env["mail.activity"].search_count(
            [
                ("res_model", "=", CONTRACT_MODEL),
                ("activity_type_id", "in", (self.call_type | self.overdue_type).ids),
            ]
        )

    def test_the_jobs_are_refused_over_rpc(self):
        calls = [
            ("_cron_maintenance_unbooked_followup", [], {}),
            ("_cron_maintenance_overdue_followup", [], {}),
            ("_run_followup_job", ["overdue"], {}),
            ("_followup_sync", [[self.overdue.id], "overdue", self.overdue_type.id, "2027-01-11", [7, 30], {}], {}),
            ("_close_followups_on_booking", [[self.unbooked.id]], {}),
        ]
        before = self._followup_activities()
        for login, password in (
            (self.portal_user.login, self.portal_password),
            (self.office_user.login, "H3-office-followup-2027"),
        ):
            self.authenticate(login, password)
            for method, args, kwargs in calls:
                with self.subTest(user=login, method=method):
                    answer = self._rpc(method, args, kwargs)
                    self.assertIn("error", answer, f"not refused: {answer.get('result')!r}")
                    self.assertEqual(answer["error"]["data"]["name"], "odoo.exceptions.AccessError")
        self.env.invalidate_all()
        self.assertEqual(self._followup_activities(), before, "nothing created")
        self.assertFalse(self.overdue.followup_overdue_due_date)
