"""The visit: technicians see and finish their maintenance tasks; finishing rolls the contract
forward and closes the repair order; cancelling frees the contract."""

from datetime import date

from odoo.tests import TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestMaintenanceVisit(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def _book_visit(self, contract=None, start=None):
        return self._book(contract or self.contract, start or toronto(2027, 1, 12, 10, 0))

    def test_technician_sees_the_visit_with_equipment_and_serial(self):
        task = self._book_visit()
        as_technician = self.env["fusion.technician.task"].with_user(self.technician)
        mine = as_technician.search([("technician_id", "=", self.technician.id)])
        self.assertIn(task, mine)
        visit = mine.filtered(lambda t: t == task)
        self.assertEqual(visit.maintenance_product_id.name, "H3 Freecurve Stair Lift")
        self.assertEqual(visit.maintenance_serial, "SL-H3-0001")
        self.assertEqual(visit.partner_street, "12 Queen St E")
        self.assertEqual(visit.partner_phone, "+1 416 555 0100")
        arch = as_technician.get_views([(False, "form")])["views"]["form"]["arch"]
        for field in ("maintenance_product_id", "maintenance_serial", "partner_phone"):
            self.assertIn(f'name="{field}"', arch)
        # the My Tasks card on the phone names the unit too
        card_view = self.env.ref("fusion_tasks.fusion_technician_task_view_kanban_my")
        card = as_technician.get_views([(card_view.id, "kanban")])["views"]["kanban"]["arch"]
        self.assertIn('name="maintenance_product_id"', card)

    def test_finishing_the_visit_rolls_the_contract_forward(self):
        task = self._book_visit()
        repair = task.repair_order_id
        old_token = self.contract.booking_token
        with freeze_time("2027-01-12 16:30:00"):  # Tuesday 11:30 in Toronto
            task.with_user(self.technician).action_start()
            task.with_user(self.technician).action_done()
        contract = self.contract
        self.assertEqual(task.state, "done")
        self.assertEqual(contract.last_service_date, date(2027, 1, 12))
        self.assertEqual(contract.next_due_date, date(2027, 7, 12), "six months after the service")
        self.assertNotEqual(contract.booking_token, old_token, "a new link for the next cycle")
        self.assertEqual(contract.reminder_band_sent, 0)
        self.assertFalse(contract.is_booked)
        self.assertFalse(contract.task_id or contract.repair_order_id or contract.calendar_event_id)
        self.assertEqual(repair.state, "done", "the repair order is closed")
        self.assertEqual(task.maintenance_contract_id, contract, "the visit stays in the unit's history")
        self.assertEqual(self.env["fusion.technician.task"]._find_done_visit_by_token(old_token), task)
        self.assertFalse(self.env["fusion.technician.task"]._find_done_visit_by_token(contract.booking_token))
        # the next cycle can be booked with the new link
        self.assertTrue(contract._get_available_slots())

    def test_service_date_is_the_local_visit_day(self):
        # last visit of Tuesday: 3:30 p.m. to 5:00 p.m. in Toronto, i.e. 22:00 UTC
        task = self._book_visit(start=toronto(2027, 1, 12, 15, 30))
        with freeze_time("2027-01-12 23:30:00"):  # 6:30 p.m. Tuesday in Toronto, Wednesday in UTC
            task.action_done()
        self.assertEqual(self.contract.last_service_date, date(2027, 1, 12))

    def test_closing_the_task_days_later_keeps_the_visit_day(self):
        task = self._book_visit()
        with freeze_time("2027-01-15 14:00:00"):
            task.action_done()
        self.assertEqual(self.contract.last_service_date, date(2027, 1, 12))
        self.assertEqual(self.contract.next_due_date, date(2027, 7, 12))

    def test_tracked_unit_without_serial_leaves_a_note_instead_of_failing(self):
        product = self._create_serial_tracked_product()
        contract = self._create_booking_contract(self.client, product=product)
        task = self._book_visit(contract)
        repair = task.repair_order_id
        with freeze_time("2027-01-12 17:00:00"):
            task.action_done()
        self.assertEqual(task.state, "done")
        self.assertEqual(contract.last_service_date, date(2027, 1, 12), "the contract still rolls forward")
        self.assertNotEqual(repair.state, "done")
        for record in (repair, contract):
            notes = record.message_ids.filtered(lambda m: "could not be closed" in str(m.body))
            self.assertEqual(len(notes), 1, record)
            self.assertIn("serial number", str(notes.body))

    def test_cancelling_the_task_frees_the_contract(self):
        task = self._book_visit()
        event, repair = task.calendar_event_id, task.repair_order_id
        task.action_cancel()
        self.assertFalse(self.contract.is_booked)
        self.assertFalse(self.contract.task_id)
        self.assertEqual(repair.state, "cancel")
        self.assertFalse(event.active)
        self.assertIn(toronto(2027, 1, 12, 10, 0), [s["start"] for s in self.contract._get_available_slots()])
