"""Delivery validation re-anchors the contracts on the real delivery date and
records the delivered serial numbers (SPEC flow 1)."""

from datetime import date

from freezegun import freeze_time

from odoo.tests import tagged

from .common import FusionRepairsCommon, unique


class DeliveryCommon(FusionRepairsCommon):
    """Stock in the company's warehouse and a delivery validated the way the stock user does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.stock_location = (
            cls.env["stock.warehouse"].search([("company_id", "=", cls.company.id)], limit=1).lot_stock_id
        )

    def _serialized_product_in_stock(self, count):
        product = self._make_product(is_storable=True, tracking="serial")
        lots = self.env["stock.lot"]
        for _i in range(count):
            lot = self.env["stock.lot"].create({"name": unique("SL-SN"), "product_id": product.id})
            self.env["stock.quant"]._update_available_quantity(product, self.stock_location, 1.0, lot_id=lot)
            lots |= lot
        return product, lots

    def _lot_product_in_stock(self, *quantities):
        product = self._make_product(is_storable=True, tracking="lot")
        lots = self.env["stock.lot"]
        for qty in quantities:
            lot = self.env["stock.lot"].create({"name": unique("SL-LOT"), "product_id": product.id})
            self.env["stock.quant"]._update_available_quantity(product, self.stock_location, qty, lot_id=lot)
            lots |= lot
        return product, lots

    def _deliver(self, order, qty=None, backorder=False):
        picking = order.picking_ids.filtered(lambda p: p.state not in ("done", "cancel"))
        self.assertEqual(len(picking), 1)
        picking.action_assign()
        if qty is not None:
            picking.move_ids.quantity = qty
        picking.move_ids.picked = True
        picking.with_context(skip_backorder=backorder).button_validate()
        self.assertEqual(picking.state, "done")
        return picking


@tagged("post_install", "-at_install")
class TestDeliveryReanchor(DeliveryCommon):
    def test_delivered_serialized_units_get_their_lot_and_delivery_anchor(self):
        product, lots = self._serialized_product_in_stock(2)
        with freeze_time("2026-02-03 15:00:00"):
            order = self._confirm_so(product, qty=2)
            contracts = self._contracts_for(order)
            self.assertEqual(len(contracts), 2, "one contract per serialized unit")
            self.assertEqual(set(contracts.mapped("next_due_date")), {date(2026, 7, 10)})
            self.assertFalse(contracts.lot_id)
            self._deliver(order)

        self.assertEqual(contracts.lot_id, lots, "each delivered serial went to one contract")
        for contract in contracts:
            self.assertEqual(len(contract.lot_id), 1)
            self.assertEqual(contract.serial_display, contract.lot_id.name)
            self.assertEqual(contract.x_fc_device_serial, contract.lot_id.name)
            self.assertEqual(contract.delivery_date, date(2026, 2, 3))
            self.assertEqual(contract.next_due_date, date(2026, 8, 3), "delivery date + 6 months")

    def test_partial_deliveries_anchor_each_unit_on_its_own_date(self):
        product = self._make_product()
        with freeze_time("2026-02-01 15:00:00"):
            order = self._confirm_so(product, qty=3)
            contracts = self._contracts_for(order)
            self._deliver(order, qty=2, backorder=True)
        anchored = contracts.filtered("delivery_date")
        self.assertEqual(len(anchored), 2)
        self.assertEqual(set(anchored.mapped("next_due_date")), {date(2026, 8, 1)})
        waiting = contracts - anchored
        self.assertEqual(waiting.next_due_date, date(2026, 7, 10), "still on the commitment date")

        with freeze_time("2026-02-20 15:00:00"):
            self._deliver(order)
        self.assertEqual(waiting.delivery_date, date(2026, 2, 20))
        self.assertEqual(waiting.next_due_date, date(2026, 8, 20))
        self.assertEqual(set(anchored.mapped("next_due_date")), {date(2026, 8, 1)}, "not moved twice")

    def test_booked_or_serviced_contracts_are_not_reanchored(self):
        product = self._make_product()
        with freeze_time("2026-02-05 15:00:00"):
            order = self._confirm_so(product, qty=3)
            booked, serviced, free = self._contracts_for(order)
            booked.next_due_date = date(2026, 3, 1)
            self._make_task(booked)
            serviced.write({"last_service_date": date(2026, 2, 2), "next_due_date": date(2026, 8, 2)})
            self._deliver(order)

        self.assertEqual(booked.next_due_date, date(2026, 3, 1))
        self.assertFalse(booked.delivery_date)
        self.assertEqual(serviced.next_due_date, date(2026, 8, 2))
        self.assertFalse(serviced.delivery_date)
        self.assertEqual(free.next_due_date, date(2026, 8, 5))

    def test_booked_serialized_contract_gets_no_lot(self):
        product, lots = self._serialized_product_in_stock(2)
        with freeze_time("2026-02-05 15:00:00"):
            order = self._confirm_so(product, qty=2)
            booked, free = self._contracts_for(order)
            self._make_task(booked)
            self._deliver(order)
        self.assertFalse(booked.lot_id)
        self.assertEqual(booked.next_due_date, date(2026, 7, 10))
        self.assertIn(free.lot_id, lots)
        self.assertEqual(free.next_due_date, date(2026, 8, 5))

    def test_return_does_not_move_the_contract(self):
        product = self._make_product()
        with freeze_time("2026-02-05 15:00:00"):
            order = self._confirm_so(product)
            contract = self._contracts_for(order)
            picking = self._deliver(order)
        self.assertEqual(contract.next_due_date, date(2026, 8, 5))

        with freeze_time("2026-03-01 15:00:00"):
            wizard = (
                self.env["stock.return.picking"]
                .with_context(active_id=picking.id, active_model="stock.picking")
                .create({})
            )
            wizard.product_return_moves.quantity = 1
            action = wizard.action_create_returns()
            return_picking = self.env["stock.picking"].browse(action["res_id"])
            return_picking.move_ids.quantity = 1
            return_picking.move_ids.picked = True
            return_picking.button_validate()
        self.assertEqual(contract.next_due_date, date(2026, 8, 5))

    def test_delivered_lot_is_recorded_on_the_contract(self):
        product, lot = self._lot_product_in_stock(5)
        with freeze_time("2026-02-03 15:00:00"):
            order = self._confirm_so(product)
            contract = self._contracts_for(order)
            self._deliver(order)
        self.assertEqual(contract.lot_id, lot)
        self.assertEqual(contract.serial_display, lot.name)
        self.assertEqual(contract.delivery_date, date(2026, 2, 3))
        self.assertEqual(contract.next_due_date, date(2026, 8, 3))

    def test_units_from_two_lots_get_their_own_lot(self):
        product, (lot_a, lot_b) = self._lot_product_in_stock(2, 1)
        with freeze_time("2026-02-03 15:00:00"):
            order = self._confirm_so(product, qty=3)
            contracts = self._contracts_for(order)
            picking = self._deliver(order)
        per_lot = {ml.lot_id: ml.quantity for ml in picking.move_line_ids}
        self.assertEqual(per_lot, {lot_a: 2, lot_b: 1})
        self.assertEqual(len(contracts.filtered(lambda c: c.lot_id == lot_a)), 2)
        self.assertEqual(len(contracts.filtered(lambda c: c.lot_id == lot_b)), 1)
        self.assertEqual(set(contracts.mapped("delivery_date")), {date(2026, 2, 3)})

    def test_booked_lot_contract_gets_no_lot(self):
        product, lot = self._lot_product_in_stock(5)
        with freeze_time("2026-02-05 15:00:00"):
            order = self._confirm_so(product, qty=2)
            booked, free = self._contracts_for(order)
            self._make_task(booked)
            self._deliver(order)
        self.assertFalse(booked.lot_id)
        self.assertFalse(booked.delivery_date)
        self.assertEqual(booked.next_due_date, date(2026, 7, 10))
        self.assertEqual(free.lot_id, lot)
        self.assertEqual(free.next_due_date, date(2026, 8, 5))
