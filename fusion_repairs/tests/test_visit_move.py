"""An office user moves a booked maintenance visit on the task form (Field Service): the visit
moves as a whole, exactly as when it is moved through booking."""

from datetime import timedelta

import vobject

from odoo.exceptions import ValidationError
from odoo.fields import Command
from odoo.tests import Form, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestVisitMovedOnTheTask(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.dispatcher = cls.env["res.users"].create(
            {
                "name": "H8 Dispatcher Dana",
                "login": "dana.h8@example.com",
                "email": "dana.h8@example.com",
                "group_ids": [Command.link(cls.env.ref("fusion_tasks.group_fusion_dispatcher").id)],
            }
        )

    def _book_visit(self, start=None):
        """Book as the office does, with the client's confirmation email."""
        return self._book(self.contract, start or toronto(2027, 1, 13, 10, 0))

    def _client_emails(self, word):
        return self.contract.message_ids.filtered(lambda m: m.subject and word in m.subject)

    def _calendar_mails(self, event):
        """Stock calendar notifications (invitation, "Date updated") about ``event``."""
        return self.env["mail.message"].search(
            [("model", "=", "calendar.event"), ("res_id", "=", event.id), ("partner_ids", "!=", False)]
        )

    @staticmethod
    def _ics(message):
        attachment = message.attachment_ids.filtered(lambda a: a.name.endswith(".ics"))
        return vobject.readOne(attachment.raw.decode()).vevent

    def _move_on_the_form(self, task, start, user=None):
        with Form(task.with_user(user or self.dispatcher)) as form:
            form.scheduled_start = start

    def test_moving_the_task_moves_the_whole_visit_and_tells_the_client(self):
        task = self._book_visit()
        event, repair = task.calendar_event_id, task.repair_order_id
        booked_ics = self._ics(self._client_emails("booked"))
        new_start = toronto(2027, 1, 14, 13, 0)

        self._move_on_the_form(task, new_start)

        self.assertEqual((task.scheduled_start, task.scheduled_end), (new_start, new_start + timedelta(hours=1.5)))
        self.assertEqual((event.start, event.stop), (task.scheduled_start, task.scheduled_end))
        self.assertEqual(repair.schedule_date, new_start, "the repair order follows")
        self.assertEqual(self.contract.task_id, task, "the same visit, not a new one")
        note = self.contract.message_ids.filtered(lambda m: "Maintenance visit moved from" in str(m.body))
        self.assertEqual(len(note), 1)
        self.assertIn("Wednesday, January 13, 2027", str(note.body))
        self.assertIn("Thursday, January 14, 2027, 1:00", str(note.body))
        moved = self._client_emails("moved")
        self.assertEqual(len(moved), 1, "one branded email")
        self.assertIn("Thursday, January 14, 2027", moved.subject)
        self.assertEqual(moved.notification_ids.res_partner_id, self.client, "to the client only")
        ics = self._ics(moved)
        self.assertEqual(ics.uid.value, booked_ics.uid.value, "the same calendar entry")
        self.assertGreater(int(ics.sequence.value), int(booked_ics.sequence.value), "replaces the old time")
        self.assertEqual(ics.dtstart.value.replace(tzinfo=None), new_start)
        self.assertFalse(self._calendar_mails(event), "no stock 'Date updated' email to client or technician")

    def test_moving_through_booking_sends_one_email(self):
        task = self._book_visit()
        self._book(self.contract, toronto(2027, 1, 14, 13, 0))
        self.assertEqual(len(self._client_emails("moved")), 1, "book_slot emails the client once")
        notes = self.contract.message_ids.filtered(lambda m: "Maintenance visit moved from" in str(m.body))
        self.assertEqual(len(notes), 1)
        self.assertFalse(self._calendar_mails(task.calendar_event_id))

    def test_changing_only_the_end_is_not_a_move(self):
        task = self._book_visit()
        with Form(task.with_user(self.dispatcher)) as form:
            form.scheduled_end = task.scheduled_start + timedelta(hours=2)
        self.assertEqual(task.calendar_event_id.stop, task.scheduled_end)
        self.assertEqual(task.repair_order_id.schedule_date, toronto(2027, 1, 13, 10, 0))
        self.assertFalse(self._client_emails("moved"))
        self.assertFalse(self._calendar_mails(task.calendar_event_id))

    def test_moving_onto_another_task_changes_nothing(self):
        task = self._book_visit()
        other_client = self._create_booking_client("H8 Other Client", "other.h8@example.com")
        self.env["fusion.technician.task"].create(
            {
                "technician_id": self.technician.id,
                "partner_id": other_client.id,
                "scheduled_start": toronto(2027, 1, 14, 13, 0),
                "scheduled_end": toronto(2027, 1, 14, 14, 0),
            }
        )
        before = self._booking_snapshot()
        with self.assertRaises(ValidationError):
            task.with_user(self.dispatcher).write(
                {"scheduled_start": toronto(2027, 1, 14, 13, 0), "scheduled_end": toronto(2027, 1, 14, 14, 30)}
            )
        self.assertEqual(self._booking_snapshot(), before)
        self.assertFalse(self._client_emails("moved"))

    def test_a_visit_moved_into_the_past_is_recorded_without_emailing(self):
        task = self._book_visit()
        past = toronto(2027, 1, 8, 10, 0)
        task.with_user(self.dispatcher).write({"scheduled_start": past, "scheduled_end": past + timedelta(hours=1.5)})
        self.assertEqual(task.repair_order_id.schedule_date, past)
        self.assertTrue(self.contract.message_ids.filtered(lambda m: "Maintenance visit moved from" in str(m.body)))
        self.assertFalse(self._client_emails("moved"))

    def test_other_tasks_of_the_client_are_not_visits(self):
        """A task that is not the contract's booked visit moves alone."""
        task = self._book_visit()
        self.contract.cancel_booking()
        self.assertEqual(task.state, "cancelled")
        messages = len(self.contract.message_ids)
        other = self.env["fusion.technician.task"].create(
            {
                "task_type": "maintenance",
                "technician_id": self.technician.id,
                "partner_id": self.client.id,
                "maintenance_contract_id": self.contract.id,
                "scheduled_start": toronto(2027, 1, 15, 10, 0),
                "scheduled_end": toronto(2027, 1, 15, 11, 0),
            }
        )
        other.write({"scheduled_start": toronto(2027, 1, 15, 13, 0), "scheduled_end": toronto(2027, 1, 15, 14, 0)})
        self.assertEqual(len(self.contract.message_ids), messages, "the contract is not told")
