"""The booking's two doors (the client's link, office staff) and what they guarantee."""

from unittest.mock import patch

import psycopg2.errors

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Command
from odoo.tests import Form, HttpCase, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, OFFICE_PHONE, BookingFixturesMixin, BookingHttpMixin, toronto

Contract = "fusion.repair.maintenance.contract"


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingDoors(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.office_user = cls.env["res.users"].create(
            {
                "name": "H3 Office Odile",
                "login": "office.odile@h3.example.com",
                "email": "office.odile@h3.example.com",
                "group_ids": [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)],
            }
        )

    def _client_emails(self, word):
        return self.contract.message_ids.filtered(lambda m: m.subject and word in m.subject)

    def test_office_books_moves_and_is_told_what_happened(self):
        door = self.contract.with_user(self.office_user)
        booked = door.book_slot(toronto(2027, 1, 12, 10, 0))
        self.assertEqual(booked["status"], "booked")
        self.assertEqual(self.contract.task_id.id, booked["task_id"])
        self.assertEqual(len(self._client_emails("is booked")), 1)
        moved = door.book_slot(toronto(2027, 1, 13, 10, 0))
        self.assertEqual(moved, {"status": "moved", "task_id": booked["task_id"]})
        self.assertEqual(len(self._client_emails("moved")), 1)
        # the same time again (a double click, or Book on the current visit): no second email
        again = door.book_slot(toronto(2027, 1, 13, 10, 0))
        self.assertEqual(again["status"], "unchanged")
        self.assertEqual(len(self._client_emails("moved")), 1)
        self.assertEqual(len(self._client_emails("is booked")), 1)

    def test_technician_cannot_book_or_cancel(self):
        self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        before = self._booking_snapshot()
        as_technician = self.contract.with_user(self.technician)
        for call in (
            lambda: as_technician.book_slot(toronto(2027, 1, 13, 10, 0)),
            lambda: as_technician.book_slot(toronto(2027, 1, 13, 10, 0), by="client"),
            lambda: as_technician.cancel_booking(),
            lambda: as_technician.cancel_booking(by="client"),
            lambda: as_technician.action_cancel_booking(),
            lambda: as_technician.action_new_booking_link(),
            lambda: self.contract.task_id.with_user(self.technician).action_cancel(),
        ):
            with self.subTest(call=call), self.assertRaises(AccessError):
                call()
        self.assertEqual(self._booking_snapshot(), before)

    def test_dispatcher_cancelling_the_task_cancels_through_the_contract(self):
        dispatcher = self.env["res.users"].create(
            {
                "name": "H3 Dispatcher Dora",
                "login": "dora.h3@example.com",
                "group_ids": [Command.link(self.env.ref("fusion_tasks.group_fusion_dispatcher").id)],
            }
        )
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        task.with_user(dispatcher).action_cancel()
        self.assertEqual(task.state, "cancelled")
        self.assertEqual(task.repair_order_id.state, "cancel")
        self.assertFalse(self.contract.is_booked)
        self.assertEqual(len(self._client_emails("cancelled")), 1, "the client is told")
        notes = self.contract.message_ids.filtered(lambda m: "cancelled; the client can book again" in str(m.body))
        self.assertTrue(notes)

    def test_technician_who_cannot_do_the_visit_tells_the_contracts_responsible(self):
        self.contract.user_id = self.office_user
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician)
        before = self._booking_snapshot()
        action = task.with_user(self.technician).action_report_cannot_do()
        wizard = (
            self.env[action["res_model"]]
            .with_user(self.technician)
            .with_context(action.get("context", {}))
            .create({"task_id": task.id, "reason": "The stair lift is behind a locked gate."})
        )
        wizard.action_confirm()
        # on the contract: its responsible (a sales user) cannot open technicians' tasks
        self.assertFalse(task.activity_ids)
        activity = self.contract.activity_ids.filtered(lambda a: a.user_id == self.office_user)
        self.assertEqual(len(activity), 1)
        self.assertIn("locked gate", activity.with_user(self.office_user).summary + str(activity.note))
        self.assertEqual(activity.with_user(self.office_user).res_name, self.contract.display_name)
        after = self._booking_snapshot()
        self.assertEqual(after["tasks"], before["tasks"], "the visit stays booked until the office decides")
        self.assertEqual(after["contracts"], before["contracts"])
        self.assertFalse(self._client_emails("cancelled"))

    def test_visit_event_is_private(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        self.assertEqual(task.calendar_event_id.privacy, "private")

    def test_cancel_is_all_or_nothing_when_the_repair_order_cannot_be_cancelled(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        repair = task.repair_order_id
        repair.state = "done"  # work recorded: core refuses to cancel it
        before = self._booking_snapshot()
        with self.assertRaisesRegex(UserError, "was not cancelled, because its repair order"):
            self.contract.with_user(self.office_user).cancel_booking()
        self.assertEqual(self._booking_snapshot(), before)
        self.assertEqual(task.state, "scheduled")
        self.assertTrue(task.calendar_event_id.active)
        self.assertFalse(self._client_emails("cancelled"))

    def test_the_client_of_a_booked_visit_cannot_be_changed(self):
        self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        before = self._booking_snapshot()
        buyer = self._create_booking_client("H3 Second Owner", "second.owner@h3.example")
        with self.assertRaisesRegex(UserError, "a maintenance visit is booked. Cancel the visit first"):
            self.contract.with_user(self.office_user).partner_id = buyer
        self.assertEqual(self.contract.partner_id, self.client)
        self.assertEqual(self._booking_snapshot(), before)

    def test_office_sees_no_button_it_cannot_open(self):
        from lxml import etree

        self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        arch = self.contract.with_user(self.office_user).get_views([(False, "form")])["views"]["form"]["arch"]
        buttons = {node.get("name") for node in etree.fromstring(arch).xpath("//button")}
        self.assertNotIn("action_view_task", buttons, "a sales user cannot open technicians' tasks")
        self.assertNotIn("action_view_repair_order", buttons)
        self.assertIn("action_cancel_booking", buttons)

    def test_start_and_done_only_from_the_planned_day(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        self.assertFalse(task.with_user(self.technician).planned_day_reached, "tomorrow's visit")
        with freeze_time("2027-01-12 14:00:00"):
            task.invalidate_recordset(["planned_day_reached"])
            self.assertTrue(task.with_user(self.technician).planned_day_reached)

    def test_a_new_client_gets_a_new_link(self):
        old_token = self.contract.booking_token
        buyer = self._create_booking_client("H3 New Owner", "new.owner@h3.example")
        self.contract.with_user(self.office_user).partner_id = buyer
        self.assertNotEqual(self.contract.booking_token, old_token)
        self.assertFalse(self.env[Contract].search([("booking_token", "=", old_token)]))

    def test_office_revokes_a_leaked_link(self):
        old_token = self.contract.booking_token
        self.contract.with_user(self.office_user).action_new_booking_link()
        self.assertNotEqual(self.contract.booking_token, old_token)
        self.assertTrue(self.contract.message_ids.filtered(lambda m: "New booking link issued" in str(m.body)))

    def test_the_link_is_for_the_office_only(self):
        self._book(self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician)
        as_technician = self.contract.with_user(self.technician)
        self.assertEqual(as_technician.name, self.contract.name, "the technician reads their visit's unit")
        for field in ("booking_token", "booking_url"):
            with self.subTest(field=field), self.assertRaises(AccessError):
                as_technician.read([field])
        self.assertTrue(self.contract.with_user(self.office_user).booking_url.endswith(self.contract.booking_token))

    def test_settings_keep_zero_hours(self):
        settings = self.env["res.config.settings"].create({})
        settings.x_fc_booking_min_notice_hours = 0
        settings.x_fc_booking_cutoff_hours = 0
        settings.execute()
        self.assertEqual(self.contract._get_booking_settings()["min_notice_hours"], 0)
        self.assertEqual(self.contract._get_booking_settings()["cutoff_hours"], 0)
        reopened = self.env["res.config.settings"].create({})
        self.assertEqual((reopened.x_fc_booking_min_notice_hours, reopened.x_fc_booking_cutoff_hours), (0, 0))
        # a visit can now be booked for the next free time on the grid
        self.assertLess(self.contract._get_available_slots()[0]["start"], toronto(2027, 1, 12, 0, 0))

    def test_overlap_is_taken_but_another_refusal_is_not(self):
        """Only the technician's overlap is "just taken"; another refusal keeps its own text."""
        with (
            patch.object(
                type(self.env[Contract]),
                "_prepare_booking_repair_values",
                side_effect=ValidationError("The repair order needs an operation type."),
            ),
            self.assertRaises(ValidationError) as caught,
        ):
            self.contract.book_slot(toronto(2027, 1, 12, 10, 0))
        self.assertNotIn("just taken", str(caught.exception))
        self.assertFalse(self.contract.task_id)


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestReminderTransientErrors(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.contract.next_due_date = "2027-01-15"  # inside the 7-day band

    def test_a_passing_database_error_is_retried_not_stamped(self):
        cron = self.env.ref("fusion_repairs.ir_cron_maintenance_due_reminders")
        with (
            patch.object(
                type(self.env["mail.thread"]),
                "message_post",
                side_effect=psycopg2.errors.SerializationFailure("could not serialize access"),
            ),
            self.enter_registry_test_mode(),
        ):
            cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(self.contract.reminder_band_sent, 0, "not handled: the next run sends it")
        self.assertFalse(self.contract.message_ids.filtered(lambda m: "was not sent" in str(m.body)))
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(self.contract.reminder_band_sent, 7)
        self.assertTrue(self.contract.message_ids.filtered(lambda m: m.subject and "Time to book" in m.subject))

    def test_a_mail_problem_is_logged_on_the_contract(self):
        with patch.object(
            type(self.env["mail.compose.message"]),
            "_prepare_mail_values",
            side_effect=ValueError("SMTP template broken"),
        ):
            self.contract._send_due_reminder(7)
        self.assertEqual(self.contract.reminder_band_sent, 7)
        self.assertTrue(self.contract.message_ids.filtered(lambda m: "SMTP template broken" in str(m.body)))


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookingPagePrivacy(BookingHttpMixin, HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def test_no_referrer_and_no_tracking_scripts(self):
        website = self.env["website"].get_current_website()
        website.write(
            {
                "google_analytics_key": "G-H3TRACKING",
                "custom_code_head": '<script src="https://tracker.example.com/h3.js"></script>',
            }
        )
        for token in (self.contract.booking_token, "unknown-token-h3-0000000000"):
            response = self._open(token)
            with self.subTest(token=token):
                self.assertEqual(response.headers.get("Referrer-Policy"), "no-referrer")
                self.assertNotIn("googletagmanager", response.text)
                self.assertNotIn("tracker.example.com", response.text)
        # the rest of the website keeps them
        self.assertIn("G-H3TRACKING", self.url_open("/contactus").text)

    def test_cancelling_a_visit_already_cancelled_says_so(self):
        self._book(self.contract, toronto(2027, 1, 13, 10, 0))
        doc = self._doc(self._open(self.contract.booking_token))
        csrf = self._csrf(doc, "o_fc_cancel_form") or self._csrf(doc)
        self.contract.cancel_booking()  # meanwhile, in another tab
        text = self._page_text(self._cancel(self.contract.booking_token, csrf))
        self.assertIn("There was no booked visit to cancel: it may have been cancelled already", text)

    def test_an_internal_refusal_reaches_the_client_as_a_plain_sentence(self):
        doc = self._doc(self._open(self.contract.booking_token))
        slot = self._enabled_slot_starts(doc)[0]
        before = self._booking_snapshot()
        with patch.object(
            type(self.env[Contract]),
            "_prepare_booking_repair_values",
            side_effect=ValidationError("stock.rule 42: no route for WH/Repair (internal)"),
        ):
            response = self._confirm(self.contract.booking_token, slot, self._csrf(doc), "")
        text = self._page_text(response)
        self.assertIn("We could not make that change online, and nothing has been changed.", text)
        self.assertIn(OFFICE_PHONE, text)
        self.assertNotIn("stock.rule", text)
        self.assertEqual(self._booking_snapshot(), before)


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestOfficeWizardDoor(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.office_user = cls.env["res.users"].create(
            {
                "name": "H3 Office Omar",
                "login": "office.omar@h3.example.com",
                "group_ids": [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)],
            }
        )

    def test_book_on_the_current_visit_sends_no_second_email(self):
        self._book(self.contract, toronto(2027, 1, 13, 10, 0))
        emails = len(self.contract.message_ids.filtered(lambda m: m.subject and "visit" in m.subject))
        action = self.contract.with_user(self.office_user).action_open_booking_wizard()
        wizard = self.env[action["res_model"]].with_user(self.office_user).browse(action["res_id"])
        with Form(wizard) as form:
            form.booking_date = toronto(2027, 1, 13, 10, 0).date()
            form.slot_line_id = wizard.line_ids.filtered("is_current")
        result = wizard.action_book()
        self.assertIn("nothing changed", result["params"]["message"])
        self.assertEqual(len(self.contract.message_ids.filtered(lambda m: m.subject and "visit" in m.subject)), emails)
