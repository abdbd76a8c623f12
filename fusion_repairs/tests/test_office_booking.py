"""Office booking: the "Book Maintenance" wizard on a contract, for a client on the phone."""

from odoo.exceptions import UserError
from odoo.fields import Command
from odoo.tests import Form, TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestOfficeBooking(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()
        cls.office_user = cls.env["res.users"].create(
            {
                "name": "H3 Office Olivia",
                "login": "office.olivia@h3.example.com",
                "email": "office.olivia@h3.example.com",
                "group_ids": [Command.link(cls.env.ref("sales_team.group_sale_salesman").id)],
            }
        )

    def _open_wizard(self, contract=None, **values):
        contract = (contract or self.contract).with_user(self.office_user)
        action = contract.action_open_booking_wizard()
        self.assertEqual(action["res_model"], "fusion.repair.maintenance.booking.wizard")
        wizard = self.env[action["res_model"]].with_user(self.office_user).browse(action["res_id"])
        form = Form(wizard)
        for name, value in values.items():
            setattr(form, name, value)
        return form.save()

    def _pick(self, wizard, start):
        """Choose the day and the time of ``start`` as staff do in the form."""
        line = wizard.line_ids.filtered(lambda line: line.slot_start == start)
        self.assertTrue(line, f"{start} is offered")
        with Form(wizard) as form:
            form.booking_date = line.slot_date
            form.slot_line_id = line
        return wizard

    def test_wizard_lists_the_clients_free_times(self):
        wizard = self._open_wizard()
        expected = [slot["start"] for slot in self.contract._get_available_slots()]
        self.assertEqual(wizard.line_ids.filtered(lambda line: not line.short_notice).mapped("slot_start"), expected)
        # the first free day is proposed, no time is chosen for staff
        self.assertEqual(wizard.booking_date.isoformat(), "2027-01-12")
        self.assertEqual(wizard.booking_day_label, "Tuesday, January 12, 2027")
        self.assertFalse(wizard.slot_line_id)
        before = self._booking_snapshot()
        with self.assertRaisesRegex(UserError, "Choose the time of the visit first"):
            wizard.action_book()
        self.assertEqual(self._booking_snapshot(), before, "nothing booked")
        first = wizard.available_line_ids[0]
        self.assertEqual(first.slot_start, toronto(2027, 1, 12, 10, 0))
        self.assertEqual(first.day_label, "Tuesday, January 12, 2027")
        self.assertEqual(first.display_name, "10:00 \u2013 11:00 a.m.")
        self.assertEqual(first.technician_ids, self.technician)
        self.assertEqual(wizard.tz_label, "Eastern Time (Toronto)")

    def test_wizard_shows_one_day_at_a_time_not_a_flat_list(self):
        """180 rows with the day repeated on each were unusable: the time list shows only the
        chosen day's windows, each named by its window alone."""
        wizard = self._open_wizard()
        self.assertGreater(len(wizard.line_ids), 40, "three weeks of free times")
        day = wizard.available_line_ids
        self.assertEqual(set(day.mapped("slot_date")), {wizard.booking_date})
        self.assertLessEqual(len(day), 20)
        for line in day:
            self.assertNotIn("2027", line.display_name, "no repeated day on each time")
        with Form(wizard) as form:
            form.slot_line_id = day[0]
            form.booking_date = wizard.line_ids[-1].slot_date
            self.assertFalse(form.slot_line_id, "the time of the other day is dropped, none is guessed")
        wizard.booking_date = toronto(2027, 1, 16, 12, 0).date()  # a Saturday: nobody works
        self.assertFalse(wizard.available_line_ids)
        self.assertIn("next free day is Monday, January 18, 2027", wizard.day_note)

    def test_staff_may_ignore_the_minimum_notice(self):
        wizard = self._open_wizard()
        self.assertFalse(
            [s for s in wizard._lines_for_options().mapped("slot_start") if s < toronto(2027, 1, 12, 0, 0)]
        )
        self.assertEqual(wizard.booking_date.isoformat(), "2027-01-12")
        wizard = self._open_wizard(ignore_min_notice=True)
        self.assertEqual(wizard.booking_date.isoformat(), "2027-01-11", "today is proposed")
        self._pick(wizard, toronto(2027, 1, 11, 14, 0)).action_book()
        self.assertEqual(self.contract.task_id.scheduled_start, toronto(2027, 1, 11, 14, 0))

    def test_book_from_the_wizard(self):
        wizard = self._pick(self._open_wizard(), toronto(2027, 1, 12, 11, 0))
        result = wizard.action_book()
        self.assertEqual(result["params"]["type"], "success")
        self.assertIn("Samuel Tremblay H3", result["params"]["message"])
        task = self.contract.task_id
        self.assertEqual(task.scheduled_start, toronto(2027, 1, 12, 11, 0))
        self.assertTrue(task.calendar_event_id and task.repair_order_id)
        self.assertTrue(self.contract.is_booked)
        confirmation = self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject)
        self.assertEqual(len(confirmation), 1)
        self.assertEqual(confirmation.author_id, self.company.partner_id, "sent in the company's name")
        self.assertTrue(confirmation.attachment_ids.filtered(lambda a: a.name.endswith(".ics")))

    def test_choosing_a_technician_lists_only_their_times(self):
        second = self._create_booking_technician("Beatrice Roy H3")
        # Samuel is busy on Tuesday morning; Beatrice is free
        other = self._create_booking_contract(self._create_booking_client("H3 Busy Day", "busy@h3.example"))
        self._book(other, toronto(2027, 1, 12, 10, 0), technician=self.technician)
        wizard = self._open_wizard()
        self.assertIn(toronto(2027, 1, 12, 10, 0), wizard.available_line_ids.mapped("slot_start"))
        self.assertEqual(wizard.technician_option_ids, self.technician | second)
        wizard = self._open_wizard(technician_id=self.technician, send_confirmation=False)
        starts = wizard.available_line_ids.mapped("slot_start")
        self.assertTrue(starts)
        self.assertNotIn(toronto(2027, 1, 12, 10, 0), starts, "Samuel's busy morning is not offered")
        self.assertTrue(all(self.technician in line.technician_ids for line in wizard.available_line_ids))
        self._pick(wizard, starts[0]).action_book()
        self.assertEqual(self.contract.task_id.technician_id, self.technician)
        self.assertFalse(self.contract.message_ids.filtered(lambda m: m.subject and "booked" in m.subject))

    def test_reschedule_and_cancel_from_the_contract(self):
        task = self._book(self.contract, toronto(2027, 1, 13, 10, 0))
        wizard = self._open_wizard()
        self.assertIn("Wednesday, January 13, 2027", wizard.current_visit)
        self.assertEqual(wizard.booking_date.isoformat(), "2027-01-13", "opens on the booked visit's day")
        current = wizard.line_ids.filtered("is_current")
        self.assertEqual(current.slot_start, task.scheduled_start)
        self.assertIn("current booking", current.display_name)
        self._pick(wizard, toronto(2027, 1, 14, 13, 0)).action_book()
        self.assertEqual(self.contract.task_id, task, "moved, not booked twice")
        self.assertEqual(task.scheduled_start, toronto(2027, 1, 14, 13, 0))
        moved = self.contract.message_ids.filtered(lambda m: m.subject and "moved" in m.subject)
        self.assertEqual(len(moved), 1, "the client is told the visit moved")
        self.assertIn("Thursday, January 14, 2027", moved.subject)
        self.assertTrue(moved.attachment_ids.filtered(lambda a: a.name.endswith(".ics")))
        self.contract.with_user(self.office_user).action_cancel_booking()
        self.assertEqual(task.state, "cancelled")
        self.assertEqual(task.repair_order_id.state, "cancel")
        self.assertFalse(self.contract.is_booked)

    def test_taken_meanwhile_is_refused_in_the_wizard(self):
        wizard = self._open_wizard()
        line = wizard.available_line_ids[0]
        self._pick(wizard, line.slot_start)
        other = self._create_booking_contract(self._create_booking_client("H3 Faster", "faster@h3.example"))
        self._book(other, line.slot_start)
        before = self._booking_snapshot()
        with self.assertRaisesRegex(UserError, "just taken"):
            wizard.action_book()
        self.assertEqual(self._booking_snapshot(), before)

    def test_no_free_time_says_why(self):
        far_away = self._create_booking_client("H3 Ottawa Client", "ottawa@h3.example", zip_code="K1A 0B1")
        wizard = self._open_wizard(self._create_booking_contract(far_away))
        self.assertFalse(wizard.line_ids)
        self.assertIn("No qualified technician serves postal code K1A 0B1", wizard.day_note)
        self.technician.x_fc_technician_skill_ids = False
        wizard = self._open_wizard()
        self.assertIn(f"No technician has the skill {self.skill.name}", wizard.day_note)

    def test_paused_contract_cannot_be_booked(self):
        self.contract.action_pause()
        with self.assertRaises(UserError):
            self.contract.with_user(self.office_user).action_open_booking_wizard()
