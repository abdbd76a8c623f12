"""What a portal user or a technician can do to a booked visit over JSON-RPC
(``/web/dataset/call_kw``), as any logged-in account can call it from a browser console.

The visit is booked by the office first. Every door of the contract (booking, cancelling,
the office buttons, the reminder cron) and every planning field of the visit's task must be
refused with an ``AccessError`` (or the "private method" error, also an ``AccessError``),
and nothing may change: no task, calendar event or repair order, no new booking link, no
contract state, no message. A technician reads the contract of their own visit, but never
its booking link, and never another client's contract.
"""

import contextlib
from datetime import timedelta

from odoo import Command
from odoo.tests import HttpCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingHttpMixin, toronto

ACCESS_ERROR = "odoo.exceptions.AccessError"
CONTRACT_MODEL = "fusion.repair.maintenance.contract"
TASK_MODEL = "fusion.technician.task"
PORTAL_PASSWORD = "H3-portal-pass-2027"
TECHNICIAN_PASSWORD = "H3-tech-pass-2027"
# what technicians must never change on a task (the dispatcher plans, the booking service links)
PROTECTED_TASK_FIELDS = (
    "technician_id",
    "partner_id",
    "scheduled_start",
    "scheduled_end",
    "duration",
    "task_type",
    "state",
    "company_id",
    "calendar_event_id",
    "name",
    "maintenance_contract_id",
    "repair_order_id",
    "booking_ics_sequence",
)


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingAccessOverRpc(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        env = cls.env
        cls.other_client = cls._create_booking_client("H3 Other Client Rpc", "other.rpc@h3.example.com")
        cls.other_contract = cls._create_booking_contract(cls.other_client, serial="SL-H3-RPC-OTHER")
        cls.other_technician = cls._create_booking_technician("Other Technician H3 Rpc")
        cls.other_company = env["res.company"].create({"name": "H3 Other Company Rpc"})
        cls.technician.write({"password": TECHNICIAN_PASSWORD, "company_ids": [Command.link(cls.other_company.id)]})
        cls.portal_user = env["res.users"].create(
            {
                "name": "H3 Portal Client Rpc",
                "login": "portal.rpc@h3.example.com",
                "password": PORTAL_PASSWORD,
                "partner_id": cls.other_client.id,
                "group_ids": [Command.set([env.ref("base.group_portal").id])],
            }
        )
        # the visit booked by the office: Tuesday 12 January 2027, 10:00 in Toronto
        cls.task = cls._book_class(cls.contract, toronto(2027, 1, 12, 10))
        # two more contracts of the same client that the technician can read (an old,
        # cancelled visit of theirs): one active and not booked, one paused, so that the
        # office buttons are refused for lack of rights, not because of the booking
        cls.idle_contract = cls._create_booking_contract(cls.client, serial="SL-H3-RPC-IDLE")
        cls.paused_contract = cls._create_booking_contract(cls.client, serial="SL-H3-RPC-PAUSED")
        cls.paused_contract.action_pause()
        for contract, day in ((cls.idle_contract, 14), (cls.paused_contract, 15)):
            old_visit = env["fusion.technician.task"].create(
                {
                    "task_type": "maintenance",
                    "technician_id": cls.technician.id,
                    "partner_id": cls.client.id,
                    "scheduled_start": toronto(2027, 1, day, 9),
                    "scheduled_end": toronto(2027, 1, day, 10, 30),
                    "maintenance_contract_id": contract.id,
                }
            )
            old_visit.state = "cancelled"
        cls.all_contracts = cls.contract | cls.idle_contract | cls.paused_contract | cls.other_contract

    @classmethod
    def _book_class(cls, contract, slot_start):
        result = contract.book_slot(slot_start, notify=False)
        return cls.env["fusion.technician.task"].browse(result["task_id"])

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _rpc(self, model, method, args, kwargs=None):
        """The JSON answer of ``/web/dataset/call_kw`` as the web client sends it."""
        response = self.url_open(
            f"/web/dataset/call_kw/{model}.{method}",
            json={
                "jsonrpc": "2.0",
                "method": "call",
                "id": 1,
                "params": {"model": model, "method": method, "args": args, "kwargs": kwargs or {}},
            },
        )
        self.assertLess(response.status_code, 500, response.text[:500])
        return response.json()

    def assertRefused(self, answer, error_name=ACCESS_ERROR):
        self.assertIn("error", answer, f"not refused, answered: {answer.get('result')!r}")
        error = answer["error"]["data"]
        self.assertEqual(error["name"], error_name, f"refused for another reason: {error.get('message')}")

    def _protected_task_values(self):
        return {
            "technician_id": self.other_technician.id,
            "partner_id": self.other_client.id,
            "scheduled_start": (self.task.scheduled_start + timedelta(days=1)).strftime("%Y-%m-%d %H:%M:%S"),
            "scheduled_end": (self.task.scheduled_end + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M:%S"),
            "duration": 4.0,
            "task_type": "other",
            "state": "cancelled",
            "company_id": self.other_company.id,
            "calendar_event_id": False,
            "name": "H3 renamed by hand",
            "maintenance_contract_id": False,
            "repair_order_id": False,
            "booking_ics_sequence": self.task.booking_ics_sequence + 7,
        }

    def _task_state(self):
        self.env.invalidate_all()
        task = self.task.sudo()
        values = {}
        for name in PROTECTED_TASK_FIELDS:
            value = task[name]
            values[name] = value.id if hasattr(value, "_name") else value
        return values

    def _everything(self):
        """All a caller could have changed: the booking records, the contracts and the task."""
        snapshot = self._booking_snapshot(self.all_contracts)
        snapshot["states"] = [(c.id, c.state, c.booking_token) for c in self.all_contracts.sudo()]
        snapshot["task"] = self._task_state()
        snapshot["wizards"] = self.env["fusion.repair.maintenance.booking.wizard"].sudo().search_count([])
        return snapshot

    def _contract_calls(self):
        """(label, method, args, kwargs) of every door of the contracts, on each contract."""
        other_slot = "2027-01-13 15:00:00"  # Wednesday 10:00 in Toronto, free
        calls = []
        for label, contract in (
            ("booked", self.contract),
            ("idle", self.idle_contract),
            ("paused", self.paused_contract),
        ):
            ids = [contract.id]
            calls += [
                (f"{label}.book_slot", "book_slot", [ids, other_slot], {}),
                (f"{label}.book_slot(by=client)", "book_slot", [ids, other_slot], {"by": "client"}),
                (
                    f"{label}.book_slot(technician, ignore_min_notice)",
                    "book_slot",
                    [ids, "2027-01-11 20:00:00"],
                    {"technician": self.technician.id, "ignore_min_notice": True, "notify": False},
                ),
                (f"{label}.cancel_booking", "cancel_booking", [ids], {}),
                (f"{label}.cancel_booking(by=client)", "cancel_booking", [ids], {"by": "client", "notify": False}),
                (f"{label}.action_cancel_booking", "action_cancel_booking", [ids], {}),
                (f"{label}.action_open_booking_wizard", "action_open_booking_wizard", [ids], {}),
                (f"{label}.action_new_booking_link", "action_new_booking_link", [ids], {}),
                (f"{label}.action_pause", "action_pause", [ids], {}),
                (f"{label}.action_resume", "action_resume", [ids], {}),
                (f"{label}.action_cancel", "action_cancel", [ids], {}),
                (f"{label}.write(booking_token)", "write", [ids, {"booking_token": "A" * 43}], {}),
                (f"{label}.action_return_to_service", "action_return_to_service", [ids], {}),
                (f"{label}.write(x_fc_out_of_service)", "write", [ids, {"x_fc_out_of_service": True}], {}),
                (
                    f"{label}.search_read(booking_token)",
                    "search_read",
                    [],
                    {"domain": [("id", "=", contract.id)], "fields": ["booking_token"]},
                ),
                (
                    f"{label}.search_read(booking_url)",
                    "search_read",
                    [],
                    {"domain": [("id", "=", contract.id)], "fields": ["booking_url"]},
                ),
                (
                    f"{label}.search_count(booking_token = ...)",
                    "search_count",
                    [[("id", "=", contract.id), ("booking_token", "=", contract.booking_token)]],
                    {},
                ),
            ]
        calls += [
            ("cron_maintenance_due_reminders", "cron_maintenance_due_reminders", [], {}),
            ("_cron_maintenance_due_reminders", "_cron_maintenance_due_reminders", [], {}),
        ]
        return calls

    @contextlib.contextmanager
    def _isolated(self):
        """Undo whatever a call that should have been refused did, so that one hole does
        not hide or cause the next check's result."""
        self.env.flush_all()
        self.env.cr.execute("SAVEPOINT h3_rpc_check")
        try:
            yield
        finally:
            self.env.cr.execute("ROLLBACK TO SAVEPOINT h3_rpc_check")
            self.env.cr.execute("RELEASE SAVEPOINT h3_rpc_check")
            self.env.invalidate_all()
            self.env.transaction.clear()

    def _check_refused(self, before, model, method, args, kwargs=None):
        with self._isolated():
            self.assertRefused(self._rpc(model, method, args, kwargs))
            self.assertEqual(self._everything(), before)

    def _assert_everything_refused(self, login, password):
        self.authenticate(login, password)
        before = self._everything()
        for label, method, args, kwargs in self._contract_calls():
            with self.subTest(user=login, call=label):
                self._check_refused(before, CONTRACT_MODEL, method, args, kwargs)
        values = self._protected_task_values()
        for name in PROTECTED_TASK_FIELDS:
            with self.subTest(user=login, task_field=name):
                self._check_refused(before, TASK_MODEL, "write", [[self.task.id], {name: values[name]}])
        with self.subTest(user=login, call="task.action_cancel"):
            self._check_refused(before, TASK_MODEL, "action_cancel", [[self.task.id]])
        with self.subTest(user=login, call="task.write(all protected fields)"):
            self._check_refused(before, TASK_MODEL, "write", [[self.task.id], values])
        self.assertEqual(self._everything(), before)

    # ------------------------------------------------------------------
    # Tests
    # ------------------------------------------------------------------

    def test_fixture_booking_is_in_place(self):
        self.assertTrue(self.contract.is_booked)
        self.assertEqual(self.contract.task_id, self.task)
        self.assertEqual(self.task.technician_id, self.technician)
        self.assertTrue(self.task.calendar_event_id and self.task.repair_order_id)
        self.assertFalse(self.idle_contract.is_booked)
        self.assertEqual(self.paused_contract.state, "paused")

    def test_portal_user_is_refused_everything(self):
        self._assert_everything_refused(self.portal_user.login, PORTAL_PASSWORD)

    def test_technician_is_refused_everything(self):
        self._assert_everything_refused(self.technician.login, TECHNICIAN_PASSWORD)

    def test_technician_reads_own_contract_but_not_its_link_nor_other_contracts(self):
        self.authenticate(self.technician.login, TECHNICIAN_PASSWORD)
        before = self._everything()
        answer = self._rpc(CONTRACT_MODEL, "read", [[self.contract.id], ["name", "next_due_date"]])
        self.assertNotIn("error", answer, answer.get("error"))
        self.assertEqual(answer["result"][0]["name"], self.contract.name)
        # the whole record, as the form view reads it: no link in it
        answer = self._rpc(CONTRACT_MODEL, "read", [[self.contract.id]])
        self.assertNotIn("error", answer, answer.get("error"))
        self.assertNotIn("booking_token", answer["result"][0])
        self.assertNotIn("booking_url", answer["result"][0])
        self.assertNotIn(self.contract.booking_token, str(answer["result"]))
        for field in ("booking_token", "booking_url"):
            with self.subTest(read=field):
                self.assertRefused(self._rpc(CONTRACT_MODEL, "read", [[self.contract.id], ["name", field]]))
        # fields_get does not even list them
        answer = self._rpc(CONTRACT_MODEL, "fields_get", [], {"attributes": ["type"]})
        self.assertNotIn("booking_token", answer["result"])
        self.assertNotIn("booking_url", answer["result"])
        # another client's contract: neither read nor found
        with self.subTest(read="other client's contract"):
            self.assertRefused(self._rpc(CONTRACT_MODEL, "read", [[self.other_contract.id], ["name"]]))
        answer = self._rpc(CONTRACT_MODEL, "search_read", [], {"domain": [], "fields": ["name"]})
        self.assertNotIn(self.other_contract.id, [row["id"] for row in answer["result"]])
        self.assertIn(self.contract.id, [row["id"] for row in answer["result"]])
        self.assertEqual(self._everything(), before)

    def test_portal_user_reads_nothing(self):
        self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
        for label, contract in (("their own partner's", self.other_contract), ("another client's", self.contract)):
            with self.subTest(contract=label):
                self.assertRefused(self._rpc(CONTRACT_MODEL, "read", [[contract.id], ["name"]]))
        self.assertRefused(self._rpc(CONTRACT_MODEL, "search_read", [], {"domain": [], "fields": ["name"]}))
        self.assertRefused(self._rpc(TASK_MODEL, "read", [[self.task.id], ["name"]]))
