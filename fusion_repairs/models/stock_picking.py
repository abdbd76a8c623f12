from odoo import fields, models

from ..lib.units import whole_units


class StockPicking(models.Model):
    _inherit = "stock.picking"

    def _action_done(self):
        res = super()._action_done()
        self._fc_reanchor_maintenance_contracts()
        return res

    def _fc_reanchor_maintenance_contracts(self):
        """Re-anchor the contracts of delivered units on the real delivery date.

        For each unit delivered to the client, one contract of its sale line that
        has not been anchored on a delivery yet gets the delivery date, the next
        due date counted from it and, for a tracked product, the delivered lot:
        one serial per contract, or a lot shared by as many contracts as units
        it delivered (the move lines' lots are spread by quantity). Contracts
        already booked or already serviced are left alone: their dates are now
        the client's, not the sale's.
        """
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        deliveries = self.filtered(lambda p: p.state == "done" and p.location_dest_id.usage == "customer")
        moves = deliveries.move_ids.filtered(
            lambda m: m.state == "done" and m.sale_line_id and m.location_dest_id.usage == "customer"
        )
        if not moves:
            return
        contracts = Contract.search(
            [
                ("x_fc_source_sale_line_id", "in", moves.sale_line_id.ids),
                ("state", "!=", "cancelled"),
            ],
            order="id",
        )
        if not contracts:
            return
        for move in moves:
            sale_line = move.sale_line_id
            line_contracts = contracts.filtered(lambda c, sale_line=sale_line: c.x_fc_source_sale_line_id == sale_line)
            if not line_contracts:
                continue
            picking = move.picking_id
            delivered_on = fields.Date.context_today(picking, timestamp=picking.date_done or fields.Datetime.now())
            free = line_contracts.filtered(
                lambda c: not c.delivery_date and not c.is_booked and not c.last_service_date
            )
            if move.has_tracking == "serial":
                known_lots = line_contracts.lot_id
                lots = move.move_line_ids.filtered(lambda ml: ml.quantity > 0).lot_id - known_lots
                for lot in lots:
                    contract = free.filtered(lambda c: not c.lot_id)[:1]
                    if not contract:
                        break
                    free -= contract
                    contract._fc_anchor_on_delivery(delivered_on, lot)
            elif move.has_tracking == "lot":
                units = self._fc_delivered_units(move.quantity, move.product_uom, move.product_id)
                for move_line in move.move_line_ids.filtered(lambda ml: ml.quantity > 0):
                    if units <= 0 or not free:
                        break
                    count = min(
                        units,
                        self._fc_delivered_units(move_line.quantity, move_line.product_uom_id, move.product_id),
                    )
                    units -= count
                    for contract in free[:count]:
                        contract._fc_anchor_on_delivery(delivered_on)
                        # a lot is no unit serial: the serial text is left alone
                        if move_line.lot_id and not contract.lot_id:
                            contract.lot_id = move_line.lot_id
                    free = free[count:]
            else:
                units = self._fc_delivered_units(move.quantity, move.product_uom, move.product_id)
                for contract in free[:units]:
                    contract._fc_anchor_on_delivery(delivered_on)

    @staticmethod
    def _fc_delivered_units(quantity, uom, product):
        """Units delivered, in the product's unit (a started unit counts)."""
        return whole_units(uom._compute_quantity(quantity, product.uom_id, round=False) if uom else quantity)
