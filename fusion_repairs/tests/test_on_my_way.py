""" "On my way": the technician of a maintenance visit tells the client, once per trip, with their
first name and the expected arrival time; nobody else can make it send anything."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import HttpCase, freeze_time, tagged

from ..lib import booking_slots, on_my_way
from .common import FROZEN_NOW, BookingHttpMixin, toronto

ACCESS_ERROR = "odoo.exceptions.AccessError"
TASK_MODEL = "fusion.technician.task"
WIZARD_MODEL = "fusion.technician.task.on.my.way"
OTHER_TECH_PASSWORD = "H3-other-tech-2027"
PORTAL_PASSWORD = "H3-portal-omw-2027"
# Tuesday 12 January 2027, 9:02 in Toronto: the morning of the visit booked at 10:00
VISIT_MORNING = "2027-01-12 14:02:10"


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestOnMyWay(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        env = cls.env
        cls.other_technician = cls._create_booking_technician("Olivier Other H3 Omw")
        cls.other_technician.password = OTHER_TECH_PASSWORD
        cls.portal_user = env["res.users"].create(
            {
                "name": "H3 Portal Omw",
                "login": "portal.omw@h3.example.com",
                "password": PORTAL_PASSWORD,
                "group_ids": [Command.set([env.ref("base.group_portal").id])],
            }
        )
        result = cls.contract.book_slot(toronto(2027, 1, 12, 10), technician=cls.technician, notify=False)
        cls.task = env[TASK_MODEL].browse(result["task_id"])

    def _press(self, minutes="30", user=None):
        """The technician presses "On My Way", picks the estimate and confirms."""
        task = self.task.with_user(user or self.technician)
        action = task.action_on_my_way()
        wizard = self.env[action["res_model"]].with_user(user or self.technician)
        wizard = wizard.with_context(**action["context"]).create({"eta_minutes": minutes})
        return wizard.action_confirm()

    def _on_my_way_mails(self):
        return (
            self.env["mail.mail"]
            .sudo()
            .search([("model", "=", TASK_MODEL), ("res_id", "=", self.task.id)])
            .filtered(lambda mail: "on the way" in (mail.subject or ""))
        )

    def _rpc(self, model, method, args, kwargs=None):
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

    def test_arrival_time_is_rounded_and_a_second_press_is_the_same_trip(self):
        now = datetime(2027, 1, 12, 14, 2, 10)
        self.assertEqual(on_my_way.expected_arrival(now, 30), datetime(2027, 1, 12, 14, 30))
        self.assertEqual(on_my_way.expected_arrival(datetime(2027, 1, 12, 14, 3), 15), datetime(2027, 1, 12, 14, 20))
        with self.assertRaises(ValueError):
            on_my_way.expected_arrival(now, 7)
        self.assertTrue(on_my_way.is_same_trip(now, datetime(2027, 1, 12, 14, 9)))
        self.assertFalse(on_my_way.is_same_trip(now, datetime(2027, 1, 12, 14, 30)))
        self.assertFalse(on_my_way.is_same_trip(None, now))

    def test_the_client_gets_one_email_with_the_first_name_and_the_time(self):
        with freeze_time(VISIT_MORNING):
            result = self._press("30")
        self.assertEqual(result["params"]["type"], "success")
        expected_time = booking_slots.format_time(toronto(2027, 1, 12, 9, 30), "America/Toronto", self.client.lang)
        self.assertIn(expected_time, result["params"]["message"])
        mails = self._on_my_way_mails()
        self.assertEqual(len(mails), 1)
        self.assertEqual(mails.recipient_ids, self.client)
        self.assertIn(self.company.email, mails.email_from)
        self.assertEqual(mails.author_id, self.technician.partner_id)
        self.assertNotIn("..", result["params"]["message"])
        self.assertIn("Samuel", mails.subject)
        self.assertIn(expected_time, mails.subject)
        self.assertIn("Samuel", mails.body_html)
        self.assertNotIn("Tremblay", mails.body_html + mails.subject)
        self.assertIn(f"around <strong>{expected_time}</strong>", mails.body_html)
        # the task's chatter keeps what the client received
        self.assertIn(mails.mail_message_id, self.task.message_ids)
        self.assertEqual(self.task.on_my_way_arrival, datetime(2027, 1, 12, 14, 30))

        # a double click (or a second press a few minutes later) sends nothing more
        with freeze_time("2027-01-12 14:05:00"):
            again = self._press("45")
        self.assertEqual(again["params"]["type"], "info")
        self.assertIn("no second email", again["params"]["message"])
        self.assertEqual(len(self._on_my_way_mails()), 1)
        self.assertEqual(self.task.on_my_way_arrival, datetime(2027, 1, 12, 14, 30))

        # a new trip later on (held up, set out again) is a new email with the new time
        with freeze_time("2027-01-12 14:40:00"):
            self._press("15")
        self.assertEqual(len(self._on_my_way_mails()), 2)

    def test_only_on_the_day_of_a_scheduled_maintenance_visit(self):
        with self.assertRaises(UserError):  # Monday: the visit is tomorrow
            self._press("30")
        with freeze_time(VISIT_MORNING):
            self.task.sudo().write({"state": "done"})
            with self.assertRaises(UserError):
                self._press("30")
        self.assertFalse(self._on_my_way_mails())

    def test_a_client_without_email_is_to_be_called(self):
        self.client.email = False
        with freeze_time(VISIT_MORNING), self.assertRaisesRegex(UserError, "please call them"):
            self._press("30")
        self.assertFalse(self.task.on_my_way_sent_at)

    def test_another_technician_or_a_portal_user_is_refused_and_nothing_is_sent(self):
        with freeze_time(VISIT_MORNING):
            with self.assertRaises(AccessError):
                self.task.with_user(self.other_technician).action_on_my_way()
            wizard = self.env[WIZARD_MODEL].create({"task_id": self.task.id, "eta_minutes": "30"})
            with self.assertRaises(AccessError):
                wizard.with_user(self.other_technician).action_confirm()

            self.authenticate(self.other_technician.login, OTHER_TECH_PASSWORD)
            for method, args in (
                ("action_on_my_way", [[self.task.id]]),
                ("_send_on_my_way", [[self.task.id], 30]),
            ):
                answer = self._rpc(TASK_MODEL, method, args)
                self.assertIn("error", answer, f"{method} was not refused: {answer.get('result')!r}")
                self.assertEqual(answer["error"]["data"]["name"], ACCESS_ERROR)
            created = self._rpc(WIZARD_MODEL, "create", [{"task_id": self.task.id, "eta_minutes": "30"}])
            if "result" in created:
                wizard_id = created["result"][0] if isinstance(created["result"], list) else created["result"]
                answer = self._rpc(WIZARD_MODEL, "action_confirm", [[wizard_id]])
                self.assertEqual(answer["error"]["data"]["name"], ACCESS_ERROR)

            self.authenticate(self.portal_user.login, PORTAL_PASSWORD)
            answer = self._rpc(TASK_MODEL, "action_on_my_way", [[self.task.id]])
            self.assertEqual(answer["error"]["data"]["name"], ACCESS_ERROR)
            answer = self._rpc(WIZARD_MODEL, "create", [{"task_id": self.task.id, "eta_minutes": "30"}])
            self.assertEqual(answer["error"]["data"]["name"], ACCESS_ERROR)
        self.assertFalse(self._on_my_way_mails())
        self.assertFalse(self.task.on_my_way_sent_at)
