"""One physical unit, one live contract: a serialized unit delivered to a new owner ends the
previous owner's contract for it (at delivery, never at the sale's confirmation)."""

from unittest.mock import patch

from freezegun import freeze_time
from lxml import html

from odoo.addons.fusion_repairs.models.sale_order_line import SaleOrderLine
from odoo.tests import tagged

from .common import unique
from .test_delivery import DeliveryCommon


@tagged("post_install", "-at_install")
class TestUnitChangesOwner(DeliveryCommon):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.new_owner = cls.env["res.partner"].create({"name": unique("Harold New Owner"), "zip": "M4C 1A2"})

    def _sold_and_delivered_to_first_owner(self):
        """A serial-tracked unit sold and delivered to ``self.partner``, then back in stock
        (taken back and refurbished): returns the product, its lot and the first contract."""
        product, lot = self._serialized_product_in_stock(1)
        with freeze_time("2026-02-03 15:00:00"):
            first_order = self._confirm_so(product)
            picking = self._deliver(first_order)
        first = self._contracts_for(first_order)
        self.assertEqual((first.lot_id, first.state), (lot, "active"))
        Quant = self.env["stock.quant"]
        Quant._update_available_quantity(product, picking.location_dest_id, -1.0, lot_id=lot)
        Quant._update_available_quantity(product, self.stock_location, 1.0, lot_id=lot)
        return product, lot, first

    def _sell_and_deliver_to_new_owner(self, product):
        with freeze_time("2026-03-02 15:00:00"):
            order = self._confirm_so(product, partner=self.new_owner)
            picking = self._deliver(order)
        return self._contracts_for(order), picking

    def _live_contracts_of(self, lot):
        return self.Contract.search([("lot_id", "=", lot.id), ("state", "in", ("active", "paused"))])

    @staticmethod
    def _text(message):
        """The note as the user reads it (links as their text)."""
        return html.fromstring(str(message.body)).text_content()

    @staticmethod
    def _notes(contract, text):
        return contract.message_ids.filtered(lambda m: text in str(m.body))

    def test_unit_delivered_to_a_new_owner_ends_the_previous_contract(self):
        product, lot, first = self._sold_and_delivered_to_first_owner()
        new, picking = self._sell_and_deliver_to_new_owner(product)

        self.assertEqual((new.partner_id, new.lot_id, new.state), (self.new_owner, lot, "active"))
        self.assertEqual(first.state, "cancelled", "the previous owner gets no more reminders for the unit")
        self.assertEqual(self._live_contracts_of(lot), new, "one physical unit, one live contract")

        ended = self._notes(first, "this contract ends")
        self.assertEqual(len(ended), 1)
        self.assertEqual(
            self._text(ended),
            f"Unit {lot.name} was delivered to {self.new_owner.name} on March 2, 2026 ({picking.name}): "
            f"this contract ends. The unit continues under {new.name}.",
        )
        self.assertIn(f'data-oe-id="{new.id}"', str(ended.body), "it links to the contract that takes over")
        taken_over = self._notes(new, "Takes over from")
        self.assertEqual(len(taken_over), 1)
        self.assertEqual(self._text(taken_over), f"Takes over from {first.name} of {self.partner.name}.")
        self.assertIn(f'data-oe-id="{first.id}"', str(taken_over.body))

    def test_paused_contract_of_the_previous_owner_ends_too(self):
        product, lot, first = self._sold_and_delivered_to_first_owner()
        first.action_pause()
        new, _picking = self._sell_and_deliver_to_new_owner(product)
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(self._live_contracts_of(lot), new)

    def test_booked_visit_of_the_previous_owner_is_cancelled_first(self):
        product, lot, first = self._sold_and_delivered_to_first_owner()
        visit = self._make_task(first)
        self.assertTrue(first.is_booked)
        new, _picking = self._sell_and_deliver_to_new_owner(product)
        self.assertEqual(visit.state, "cancelled", "no technician is sent to a unit the client no longer has")
        self.assertFalse(
            first.message_ids.filtered(lambda m: m.message_type == "comment" and "cancelled" in (m.subject or "")),
            "the previous owner is not emailed to choose a new time for a unit they no longer have",
        )
        self.assertFalse(first.is_booked)
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(self._live_contracts_of(lot), new)

    def test_started_visit_keeps_the_previous_contract_for_the_office(self):
        product, _lot, first = self._sold_and_delivered_to_first_owner()
        visit = self._make_task(first, state="in_progress")
        new, picking = self._sell_and_deliver_to_new_owner(product)

        self.assertEqual(visit.state, "in_progress", "a visit under way is not cancelled behind the technician")
        self.assertEqual(first.state, "active")
        self.assertEqual(new.state, "active")
        self.assertEqual(first.task_id, visit, "the previous owner keeps the visit")
        ask = self._notes(first, "could not be cancelled")
        self.assertEqual(len(ask), 1)
        self.assertIn(f"delivered to {self.new_owner.name} on March 2, 2026 ({picking.name})", str(ask.body))
        self.assertIn("Please resolve the visit, then cancel this contract.", str(ask.body))
        self.assertTrue(self._notes(new, "is still live for this unit"), "the new contract says it too")
        self.assertFalse(self._notes(new, "Takes over from"))

    def test_units_without_serial_are_not_told_apart(self):
        product = self._make_product()
        with freeze_time("2026-02-03 15:00:00"):
            first = self._contracts_for(self._confirm_so(product))
        new, _picking = self._sell_and_deliver_to_new_owner(product)
        self.assertEqual(first.state, "active", "another unit of the same model")
        self.assertEqual(new.state, "active")
        self.assertFalse(self._notes(first, "this contract ends"))

    def test_serial_typed_on_the_sale_changes_owner_at_delivery_only(self):
        """A claims module types the serial on the sale line: the same serial sold to another
        client is enrolled at once for them, and the first client's contract ends when the unit
        is delivered (a confirmed sale is not a delivery yet)."""
        product = self._make_product()
        with patch.object(SaleOrderLine, "_fc_serial", lambda self: "PWC-9001"):
            first = self._contracts_for(self._confirm_so(product))
            with freeze_time("2026-03-02 15:00:00"):
                order = self._confirm_so(product, partner=self.new_owner)
                new = self._contracts_for(order)
                self.assertEqual((new.partner_id, new.x_fc_device_serial), (self.new_owner, "PWC-9001"))
                self.assertEqual(first.state, "active", "not ended by the confirmation")

                again = self._confirm_so(product)
                self.assertFalse(self._contracts_for(again), "the first client already has it under contract")

                picking = self._deliver(order)
        self.assertEqual(first.state, "cancelled")
        self.assertEqual(new.state, "active")
        self.assertIn(
            f"Unit PWC-9001 was delivered to {self.new_owner.name} on March 2, 2026 ({picking.name})",
            str(self._notes(first, "this contract ends").body),
        )
