"""After the visit: the contract keeps its visits (smart button, past visits list) and says
what happened in one readable note."""

from datetime import date

from lxml import etree

from odoo.fields import Command
from odoo.tests import TransactionCase, freeze_time, tagged
from odoo.tools.safe_eval import safe_eval

from .common import FROZEN_NOW, BookingFixturesMixin, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestVisitHistory(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def _finish_visit(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        with freeze_time("2027-01-12 16:30:00"):  # Tuesday 11:30 in Toronto
            task.with_user(self.technician).action_start()
            task.with_user(self.technician).action_done()
        return task

    def test_the_contract_remembers_its_past_visits(self):
        task = self._finish_visit()
        contract = self.contract
        self.assertFalse(contract.task_id, "the Booking tab is free for the next cycle")
        self.assertEqual(contract.task_ids, task, "the done visit stays in the history")
        self.assertEqual(contract.visit_count, 1)
        action = contract.action_view_visits()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]).task_id, task)
        # a booking cancelled later in the next cycle is no visit
        contract.next_due_date = "2027-01-25"
        self._book(contract, toronto(2027, 1, 13, 10, 0)).action_cancel()
        self.assertEqual(contract.visit_count, 1, "cancelled bookings are not counted as visits")
        arch = contract.get_views([(False, "form")])["views"]["form"]["arch"]
        form = etree.fromstring(arch)
        self.assertTrue(form.xpath("//button[@name='action_view_visits']"), "a Visits smart button")
        columns = [node.get("name") for node in form.xpath("//field[@name='task_ids']/list/field")]
        for column in ("scheduled_start", "technician_id", "state"):
            self.assertIn(column, columns)

    def test_one_note_with_dates_in_words(self):
        task = self._finish_visit()
        notes = self.contract.message_ids.filtered(lambda m: "due on" in (m.body or "") or "due 20" in (m.body or ""))
        self.assertEqual(len(notes), 1, "one note about the visit, not two")
        self.assertIn(task.name, notes.body)
        self.assertIn("January 12, 2027", notes.body)
        self.assertIn("July 12, 2027", notes.body)
        self.assertIn(self.technician.name, notes.body)
        self.assertNotIn("2027-07-12", notes.body)
        self.assertEqual(self.contract.next_due_date, date(2027, 7, 12))

    def test_booked_contract_hides_pause_and_cancel(self):
        self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        arch = self.contract.get_views([(False, "form")])["views"]["form"]["arch"]
        header = etree.fromstring(arch).xpath("//header")[0]

        def visible(button_name):
            button = header.xpath(f"button[@name='{button_name}']")[0]
            expression = button.get("invisible", "False")
            values = {"state": self.contract.state, "is_booked": self.contract.is_booked}
            return not safe_eval(expression, values)

        self.assertTrue(self.contract.is_booked)
        self.assertFalse(visible("action_cancel"), "no Cancel Contract while a visit is booked")
        self.assertFalse(visible("action_pause"), "no Pause while a visit is booked")
        self.contract.cancel_booking()
        self.assertTrue(visible("action_cancel"))
        self.assertTrue(visible("action_pause"))

    def test_done_button_of_a_visit_asks_for_confirmation(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        arch = task.with_user(self.technician).get_views([(False, "form")])["views"]["form"]["arch"]
        confirms = [node.get("confirm") for node in etree.fromstring(arch).xpath("//button[@name='action_done']")]
        self.assertIn("Mark this visit as done? The maintenance contract then moves to its next due date.", confirms)
        self.assertTrue(all(confirms), "every Done button asks first")

    def test_technicians_read_contracts_without_office_buttons(self):
        """Technicians may open the contract of their visit, but booking, pausing and cancelling
        are office work: no button that would end in an access error."""
        office_buttons = {"action_open_booking_wizard", "action_cancel_booking", "action_pause", "action_cancel"}

        def header_buttons(user):
            arch = self.contract.with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
            return {node.get("name") for node in etree.fromstring(arch).xpath("//header/button")}

        self._book(self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician)
        self.assertFalse(header_buttons(self.technician) & office_buttons)
        self.assertEqual(self.contract.with_user(self.technician).state, "active", "their visit's unit is readable")
        stranger = self._create_booking_contract(self._create_booking_client("H3 Stranger", "stranger@h3.example"))
        Contract = self.env["fusion.repair.maintenance.contract"].with_user(self.technician)
        self.assertEqual(Contract.search([("id", "in", (self.contract | stranger).ids)]), self.contract)
        office = self.env["res.users"].create(
            {
                "name": "H3 Office Oscar",
                "login": "office.oscar@h3.example.com",
                "group_ids": [Command.link(self.env.ref("sales_team.group_sale_salesman").id)],
            }
        )
        self.assertLessEqual(office_buttons, header_buttons(office))

    def test_booked_note_for_the_office_only_below_the_title(self):
        """The note "cancel the booking before pausing or cancelling" is for those who have these
        buttons (not technicians), and it sits below the title, clear of the BOOKED ribbon."""
        self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        office = self.env["res.users"].create(
            {
                "name": "H3 Office Olga",
                "login": "office.olga@h3.example.com",
                "group_ids": [Command.link(self.env.ref("sales_team.group_sale_salesman").id)],
            }
        )

        def booked_notes(user):
            arch = self.contract.with_user(user).get_views([(False, "form")])["views"]["form"]["arch"]
            sheet = etree.fromstring(arch).xpath("//sheet")[0]
            notes = sheet.xpath(".//div[contains(@class, 'o_fc_contract_booked_note')]")
            return sheet, notes

        _sheet, notes = booked_notes(self.technician)
        self.assertFalse(notes, "a technician can neither pause nor cancel: no advice to do so")
        sheet, notes = booked_notes(office)
        self.assertEqual(len(notes), 1)
        self.assertIn("cancel the booking before pausing or cancelling", notes[0].text)
        values = {"state": self.contract.state, "is_booked": self.contract.is_booked}
        self.assertFalse(safe_eval(notes[0].get("invisible"), values), "shown while booked")
        children = list(sheet)
        title = sheet.xpath("div[contains(@class, 'oe_title')]")[0]
        ribbons = sheet.xpath("widget[@name='web_ribbon']")
        self.assertGreater(children.index(notes[0]), children.index(title), "below the title")
        self.assertTrue(all(children.index(notes[0]) > children.index(ribbon) for ribbon in ribbons))
