"""``book_slot`` / ``cancel_booking``: the one method the website and the office both call."""

from datetime import timedelta

from odoo.addons.fusion_repairs.lib import booking_slots as bs
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, freeze_time, tagged

from .common import FROZEN_NOW, BookingFixturesMixin, toronto


@tagged("post_install", "-at_install")
@freeze_time(FROZEN_NOW)
class TestBookSlot(BookingFixturesMixin, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking_fixtures()

    def assertRefused(self, reason, slot_start, contract=None, **kwargs):
        contract = contract or self.contract
        before = self._booking_snapshot(contract)
        with self.assertRaises(UserError) as caught:
            self._book(contract, slot_start, **kwargs)
        if reason:
            self.assertEqual(getattr(caught.exception, "reason", None), reason, caught.exception)
        self.assertEqual(self._booking_snapshot(contract), before, "a refused booking changes nothing")
        return caught.exception

    def test_slots_follow_skill_zone_notice_and_duration(self):
        slots = self.contract._get_available_slots()
        starts = [slot["start"] for slot in slots]
        # 24 h notice from Monday 10:00: Tuesday 10:00 is the first; a 1.5 h visit in a 9-17 day
        self.assertEqual(starts[0], toronto(2027, 1, 12, 10, 0))
        self.assertIn(toronto(2027, 1, 12, 15, 30), starts)
        self.assertNotIn(toronto(2027, 1, 12, 16, 0), starts)
        self.assertTrue(all(slot["technician_ids"] == [self.technician.id] for slot in slots))
        # a client outside the zone, or a category without the skill's technicians, gets none
        outside = self._create_booking_contract(
            self._create_booking_client("H3 Far Client", "far@h3.example", "K1A 0A6")
        )
        self.assertEqual(outside._get_available_slots(), [])

    def test_book_creates_task_event_and_repair_order_linked(self):
        start = toronto(2027, 1, 12, 10, 0)
        task = self._book(self.contract, start)
        contract = self.contract
        self.assertEqual(task.task_type, "maintenance")
        self.assertEqual(task.state, "scheduled")
        self.assertEqual(task.technician_id, self.technician)
        self.assertEqual(task.partner_id, self.client)
        self.assertEqual((task.scheduled_start, task.scheduled_end), (start, start + timedelta(hours=1.5)))
        self.assertEqual(task.maintenance_contract_id, contract)
        event, repair = task.calendar_event_id, task.repair_order_id
        self.assertTrue(event and repair)
        self.assertEqual(
            (contract.task_id, contract.calendar_event_id, contract.repair_order_id), (task, event, repair)
        )
        self.assertTrue(contract.is_booked)
        # the event: technician and client attend, it points back to the contract
        self.assertEqual(event.partner_ids, self.technician.partner_id | self.client)
        self.assertEqual(event.user_id, self.technician)
        self.assertEqual((event.res_model, event.res_id), (contract._name, contract.id))
        self.assertEqual((event.start, event.stop), (task.scheduled_start, task.scheduled_end))
        self.assertIn("Queen St E", event.location)
        # the repair order: the client's unit, on the visit's date
        self.assertEqual(repair.partner_id, self.client)
        self.assertEqual(repair.product_id, self.product)
        self.assertEqual(repair.schedule_date, start)
        self.assertEqual(repair.user_id, self.technician)
        # no core calendar invitation: our own confirmation is sent by the caller
        invitations = self.env["mail.mail"].search([("model", "=", "calendar.attendee")])
        self.assertFalse(invitations.filtered(lambda mail: self.client in mail.recipient_ids))
        self.assertTrue(any("booked" in str(message.body) for message in contract.message_ids))

    def test_repair_order_takes_the_units_lot(self):
        product = self._create_serial_tracked_product()
        lot = self.env["stock.lot"].create({"name": "H3-LOT-42", "product_id": product.id})
        contract = self._create_booking_contract(self.client, product=product, lot_id=lot.id)
        task = self._book(contract, toronto(2027, 1, 12, 13, 0))
        self.assertEqual(task.repair_order_id.lot_id, lot)

    def test_least_loaded_technician_gets_the_visit(self):
        second = self._create_booking_technician("H3 Beatrice Roy")
        busy, free = (self.technician, second) if self.technician.id < second.id else (second, self.technician)
        # the busy one already has a visit on Tuesday afternoon
        other = self._create_booking_contract(self._create_booking_client("H3 Other", "other@h3.example"))
        self._book(other, toronto(2027, 1, 12, 14, 0), technician=busy)
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        self.assertEqual(task.technician_id, free)

    def test_requested_technician_must_be_free_and_qualified(self):
        unqualified = self._create_booking_technician("H3 Unskilled", skills=self.env["fusion.technician.skill"])
        error = self.assertRefused(None, toronto(2027, 1, 12, 10, 0), technician=unqualified)
        self.assertIn("H3 Unskilled", str(error))
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0), technician=self.technician)
        self.assertEqual(task.technician_id, self.technician)

    def test_bad_slots_are_refused_and_create_nothing(self):
        self.assertRefused(bs.SLOT_INVALID, None)
        self.assertRefused(bs.SLOT_INVALID, "not a date")
        self.assertRefused(bs.SLOT_PAST, toronto(2027, 1, 11, 9, 0))
        self.assertRefused(bs.SLOT_TOO_SOON, toronto(2027, 1, 11, 15, 0))
        self.assertRefused(bs.SLOT_TOO_FAR, toronto(2027, 2, 2, 10, 0))
        self.assertRefused(bs.SLOT_OFF_GRID, toronto(2027, 1, 12, 10, 10))
        # on the grid but outside working hours, or on a weekend
        self.assertRefused("unavailable", toronto(2027, 1, 12, 20, 0))
        self.assertRefused("unavailable", toronto(2027, 1, 16, 10, 0))
        self.assertFalse(self._booking_records()["tasks"])

    def test_taken_slot_is_refused_as_taken(self):
        other = self._create_booking_contract(self._create_booking_client("H3 Quick", "quick@h3.example"))
        self._book(other, toronto(2027, 1, 12, 10, 0))
        error = self.assertRefused("taken", toronto(2027, 1, 12, 10, 0))
        self.assertIn("just taken", str(error))
        # within the travel buffer of the other visit: taken as well
        self.assertRefused("taken", toronto(2027, 1, 12, 11, 30))

    def test_inactive_contract_cannot_be_booked(self):
        self.contract.action_pause()
        self.assertRefused("inactive", toronto(2027, 1, 12, 10, 0))
        self.contract.action_resume()
        self.contract.action_cancel()
        error = self.assertRefused("inactive", toronto(2027, 1, 12, 10, 0))
        self.assertIn("416-555-0199", str(error))

    def test_office_may_ignore_the_minimum_notice(self):
        soon = toronto(2027, 1, 11, 14, 0)  # this afternoon
        self.assertRefused(bs.SLOT_TOO_SOON, soon)
        task = self._book(self.contract, soon, ignore_min_notice=True)
        self.assertEqual(task.scheduled_start, soon)

    def test_same_slot_twice_returns_the_same_booking(self):
        start = toronto(2027, 1, 12, 10, 0)
        task = self._book(self.contract, start)
        before = self._booking_snapshot()
        self.assertEqual(self._book(self.contract, start), task)
        self.assertEqual(self._book(self.contract, bs.format_slot_start(start)), task)
        self.assertEqual(self._booking_snapshot(), before)

    def test_reschedule_moves_the_same_records(self):
        task = self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        event, repair = task.calendar_event_id, task.repair_order_id
        # 30 minutes later overlaps the current visit: its own slot counts as free
        later = toronto(2027, 1, 12, 10, 30)
        self.assertIn(later, [slot["start"] for slot in self.contract._get_available_slots()])
        moved = self._book(self.contract, later)
        self.assertEqual(moved, task)
        records = self._booking_records()
        self.assertEqual((records["tasks"], records["events"], records["repairs"]), (task, event, repair))
        self.assertEqual((task.scheduled_start, task.scheduled_end), (later, later + timedelta(hours=1.5)))
        self.assertEqual((event.start, event.stop), (task.scheduled_start, task.scheduled_end))
        self.assertEqual(repair.schedule_date, later)
        self.assertTrue(self.contract.is_booked)

    def test_cancel_booking_cancels_all_three_and_reopens(self):
        start = toronto(2027, 1, 12, 10, 0)
        task = self._book(self.contract, start)
        event, repair = task.calendar_event_id, task.repair_order_id
        self.assertEqual(self.contract.cancel_booking(), {"status": "cancelled", "task_id": task.id})
        self.assertEqual(task.state, "cancelled")
        self.assertFalse(event.active)
        self.assertEqual(repair.state, "cancel")
        self.assertFalse(self.contract.is_booked)
        self.assertFalse(self.contract.task_id or self.contract.calendar_event_id or self.contract.repair_order_id)
        # the slot is free again and the contract can be booked again, with new records
        self.assertIn(start, [slot["start"] for slot in self.contract._get_available_slots()])
        again = self._book(self.contract, start)
        self.assertNotEqual(again, task)
        self.assertEqual(again.state, "scheduled")

    def test_booked_contract_gets_no_due_reminder(self):
        reminded = self._create_booking_contract(
            self._create_booking_client("H3 Reminded", "reminded@h3.example"), next_due_date="2027-01-15"
        )
        self.contract.next_due_date = "2027-01-15"
        self._book(self.contract, toronto(2027, 1, 12, 10, 0))
        cron = self.env.ref("fusion_repairs.ir_cron_maintenance_due_reminders")
        with self.enter_registry_test_mode():
            cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(reminded.reminder_band_sent, 7, "the unbooked contract got its 7-day reminder")
        self.assertEqual(self.contract.reminder_band_sent, 0, "the booked contract got none")
