"""Enrolment on sale (SPEC flow 1): one contract per unit, policy, anchor, idempotence."""

from datetime import date
from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.addons.fusion_repairs.models.sale_order_line import SaleOrderLine
from odoo.tests import tagged

from .common import FusionRepairsCommon, unique


@tagged("post_install", "-at_install")
class TestSpawnContracts(FusionRepairsCommon):
    def test_quantity_three_without_serial_gives_three_contracts(self):
        so = self._confirm_so(self._make_product(), qty=3)
        contracts = self._contracts_for(so)
        self.assertEqual(len(contracts), 3)
        self.assertEqual(len(set(contracts.mapped("booking_token"))), 3, "one booking link per unit")
        self.assertEqual(len(set(contracts.mapped("name"))), 3)
        self.assertEqual(set(contracts.mapped("next_due_date")), {date(2026, 7, 10)})
        self.assertTrue(all(c.x_fc_source_sale_line_id == so.order_line for c in contracts))

    def test_the_order_says_which_contracts_were_created(self):
        so = self._confirm_so(self._make_product(), qty=2)
        contracts = self._contracts_for(so)
        notes = so.message_ids.filtered(lambda m: "Maintenance contracts created" in str(m.body))
        self.assertEqual(len(notes), 1)
        for contract in contracts:
            self.assertIn(contract.name, notes.body)
            self.assertIn(f'data-oe-id="{contract.id}"', notes.body, "each one a link to the contract")
        self.assertIn("First maintenance due: July 10, 2026.", str(notes.body))
        so.order_line._fc_spawn_maintenance_contracts()
        notes = so.message_ids.filtered(lambda m: "Maintenance contracts created" in str(m.body))
        self.assertEqual(len(notes), 1, "a rerun that creates nothing says nothing")

    def test_reconfirm_creates_nothing(self):
        so = self._confirm_so(self._make_product(), qty=2)
        contracts = self._contracts_for(so)
        so._action_cancel()
        so.action_draft()
        so.action_confirm()
        self.assertEqual(self._contracts_for(so), contracts)
        self.assertEqual(set(contracts.mapped("state")), {"active"}, "the units are enrolled again")
        so.order_line._fc_spawn_maintenance_contracts()
        self.assertEqual(self._contracts_for(so), contracts)

    def test_cancelled_order_cancels_its_contracts(self):
        so = self._confirm_so(self._make_product(), qty=2)
        contracts = self._contracts_for(so)
        so._action_cancel()
        self.assertEqual(set(contracts.mapped("state")), {"cancelled"}, "no reminders for units never sold")
        note = so.message_ids.filtered(lambda m: "Maintenance contracts cancelled" in str(m.body))
        self.assertEqual(len(note), 1)
        for contract in contracts:
            self.assertIn(contract.name, note.body)
            self.assertTrue(contract.message_ids.filtered(lambda m: so.name in str(m.body)), "the contract says why")
        so.action_draft()
        so.action_confirm()
        self.assertEqual(set(contracts.mapped("state")), {"active"})
        self.assertIn("reactivated", str(so.message_ids[:1].body))

    def test_cancelled_order_keeps_a_unit_with_a_done_visit(self):
        so = self._confirm_so(self._make_product(), qty=2)
        serviced, untouched = self._contracts_for(so)
        serviced.last_service_date = date(2026, 2, 1)
        so._action_cancel()
        self.assertEqual(serviced.state, "active")
        self.assertEqual(untouched.state, "cancelled")
        note = so.message_ids.filtered(lambda m: "Still active" in str(m.body))
        self.assertIn(serviced.name, note.body)

    def test_cancelled_contract_is_not_recreated(self):
        so = self._confirm_so(self._make_product())
        contract = self._contracts_for(so)
        contract.action_cancel()
        so.order_line._fc_spawn_maintenance_contracts()
        self.assertEqual(self._contracts_for(so), contract)

    def test_quotation_creates_nothing(self):
        so = self._make_order(self._make_product())
        so.order_line._fc_spawn_maintenance_contracts()
        self.assertFalse(self._contracts_for(so))

    def test_anchor_commitment_date_else_order_date(self):
        product = self._make_product()
        with_commitment = self._confirm_so(product, commitment="2026-02-15 12:00:00")
        self.assertEqual(self._contracts_for(with_commitment).next_due_date, date(2026, 8, 15))

        without = self._confirm_so(product, commitment=False)
        # confirming stamps date_order with the confirmation time: that day is the anchor
        self.assertFalse(without.commitment_date)
        order_day = fields.Date.context_today(without, timestamp=without.date_order)
        self.assertEqual(self._contracts_for(without).next_due_date, order_day + relativedelta(months=6))

    def test_product_interval_enables_maintenance_without_category_policy(self):
        category = self.Category.create({"name": "Scooter", "code": unique("scooter")})
        product = self._make_product(
            x_fc_repair_category_id=category.id,
            x_fc_maintenance_interval_months=12,
            x_fc_maintenance_fee=89.0,
        )
        so = self._confirm_so(product)
        contract = self._contracts_for(so)
        self.assertEqual(contract.interval_months, 12)
        self.assertEqual(contract.x_fc_maintenance_fee, 89.0)
        self.assertEqual(contract.next_due_date, date(2027, 1, 10))

    def test_fee_is_a_snapshot(self):
        so = self._confirm_so(self._make_product())
        contract = self._contracts_for(so)
        self.category.x_fc_maintenance_fee = 175.0
        self.assertEqual(contract.x_fc_maintenance_fee, 149.0, "a price change does not touch signed contracts")

    def test_services_and_notes_are_ignored(self):
        service = self._make_product(type="service")
        so = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "order_line": [
                    Command.create({"product_id": service.id, "product_uom_qty": 2}),
                    Command.create({"display_type": "line_note", "name": "Installed on the back stairs"}),
                ],
            }
        )
        so.action_confirm()
        self.assertFalse(self._contracts_for(so))

    def test_one_order_several_products(self):
        chair_category = self.Category.create(
            {
                "name": "Power Wheelchair",
                "code": unique("powerchair"),
                "x_fc_maintenance_enabled": True,
                "x_fc_maintenance_interval_months": 12,
                "x_fc_maintenance_fee": 99.0,
            }
        )
        lift, chair = self._make_product(), self._make_product(x_fc_repair_category_id=chair_category.id)
        so = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "commitment_date": "2026-01-10 12:00:00",
                "order_line": [
                    Command.create({"product_id": lift.id, "product_uom_qty": 1}),
                    Command.create({"product_id": chair.id, "product_uom_qty": 2}),
                ],
            }
        )
        so.action_confirm()
        contracts = self._contracts_for(so)
        self.assertEqual(len(contracts.filtered(lambda c: c.product_id == lift)), 1)
        chairs = contracts.filtered(lambda c: c.product_id == chair)
        self.assertEqual(len(chairs), 2)
        self.assertEqual(set(chairs.mapped("x_fc_maintenance_fee")), {99.0})
        self.assertEqual(set(chairs.mapped("next_due_date")), {date(2027, 1, 10)})

    def test_serial_on_sale_line_gives_one_contract_per_serial(self):
        """A claims module may add ``x_fc_serial_number`` on the sale line: its
        serial is used, one contract per serialized unit, deduplicated by serial."""
        product = self._make_product()
        with patch.object(SaleOrderLine, "_fc_serial", lambda self: "PWC-778899"):
            so = self._confirm_so(product)
            contract = self._contracts_for(so)
            self.assertEqual(len(contract), 1)
            self.assertEqual(contract.x_fc_device_serial, "PWC-778899")
            self.assertEqual(contract.serial_display, "PWC-778899")

            # the same unit sold again (e.g. re-entered order): no second contract
            other = self._confirm_so(product)
            self.assertFalse(self._contracts_for(other))

    def test_line_added_to_confirmed_order_gets_its_contracts(self):
        lift, upsell = self._make_product(), self._make_product()
        so = self._confirm_so(lift)
        first = self._contracts_for(so)
        so.write({"order_line": [Command.create({"product_id": upsell.id, "product_uom_qty": 2})]})
        added = self._contracts_for(so) - first
        self.assertEqual(len(added), 2, "one contract per upsold unit")
        self.assertEqual(added.product_id, upsell)
        self.assertEqual(added.x_fc_source_sale_line_id.product_id, upsell)
        self.assertEqual(set(added.mapped("next_due_date")), {date(2026, 7, 10)})
        self.assertEqual(so.x_fc_maintenance_contract_count, 3)
        self.assertEqual(first.product_id, lift, "the first unit keeps its own contract")

    def test_line_added_to_quotation_waits_for_confirmation(self):
        so = self._make_order(self._make_product())
        so.write({"order_line": [Command.create({"product_id": self._make_product().id})]})
        self.assertFalse(self._contracts_for(so))
        so.action_confirm()
        self.assertEqual(len(self._contracts_for(so)), 2)

    def test_raised_quantity_enrols_only_the_new_units(self):
        so = self._confirm_so(self._make_product())
        first = self._contracts_for(so)
        so.order_line.product_uom_qty = 3
        contracts = self._contracts_for(so)
        self.assertEqual(len(contracts), 3, "quantity 1 -> 3 gives 3 contracts in all")
        self.assertIn(first, contracts)
        self.assertEqual(len(set(contracts.mapped("booking_token"))), 3)

        so.order_line.write({"product_uom_qty": 3})
        self.assertEqual(self._contracts_for(so), contracts, "same quantity again creates nothing")

        so.order_line.product_uom_qty = 2
        self.assertEqual(self._contracts_for(so), contracts, "a lowered quantity deletes no contract")
        self.assertEqual(contracts.mapped("state"), ["active", "active", "cancelled"], "the newest is withdrawn")
        so.order_line.product_uom_qty = 3
        self.assertEqual(self._contracts_for(so), contracts, "back to 3: the 3 units already have theirs")
        self.assertEqual(set(contracts.mapped("state")), {"active"}, "the withdrawn one is back")

    def test_raised_quantity_with_serial_adds_nothing(self):
        """Serial regime: the line is one serialized unit, already enrolled."""
        with patch.object(SaleOrderLine, "_fc_serial", lambda self: "PWC-5566"):
            so = self._confirm_so(self._make_product())
            contract = self._contracts_for(so)
            so.order_line.product_uom_qty = 2
            self.assertEqual(self._contracts_for(so), contract)

    def test_quantity_sold_by_the_dozen_counts_the_units(self):
        product = self._make_product()
        so = self.env["sale.order"].create(
            {
                "partner_id": self.partner.id,
                "commitment_date": "2026-01-10 12:00:00",
                "order_line": [
                    Command.create(
                        {
                            "product_id": product.id,
                            "product_uom_qty": 1,
                            "product_uom_id": self.env.ref("uom.product_uom_dozen").id,
                        }
                    )
                ],
            }
        )
        so.action_confirm()
        self.assertEqual(len(self._contracts_for(so)), 12, "one contract per unit of the dozen")
        so.order_line.product_uom_qty = 1.5
        self.assertEqual(len(self._contracts_for(so)), 18)
