from markupsafe import Markup

from odoo import fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_date

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

        A serialized unit delivered to a new owner ends the previous owner's
        live contract for it (``_fc_end_previous_owner_contracts``).
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
        anchored_per_picking = {}
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
            before = free
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
                free = free[units:]
            anchored_per_picking[picking] = anchored_per_picking.get(picking, Contract) | (before - free)
        for picking, anchored in anchored_per_picking.items():
            picking._fc_end_previous_owner_contracts(anchored)

    def _fc_end_previous_owner_contracts(self, contracts):
        """One physical unit, one live contract: ``contracts`` were just anchored on this
        delivery; the live (active or paused) contract of another client of the company for the same unit
        (same serial-number lot, or same serial text on the same product) ends, and both
        contracts say so. A booked visit of the ended contract is cancelled first; if it
        cannot be (e.g. already started), that contract stays live and asks the office to
        resolve it.

        :return: the ended contracts
        """
        self.ensure_one()
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        delivered_on = fields.Date.context_today(self, timestamp=self.date_done or fields.Datetime.now())
        day = format_date(self.env, delivered_on, date_format="MMMM d, y")
        ended = Contract
        for contract in contracts:
            same_unit = []
            if contract.lot_id and contract.product_id.tracking == "serial":
                same_unit.append(Domain("lot_id", "=", contract.lot_id.id))
            if contract.x_fc_device_serial:
                same_unit.append(Domain("x_fc_device_serial", "=", contract.x_fc_device_serial))
            if not same_unit:
                continue  # units without a serial cannot be told apart
            previous_contracts = Contract.search(
                Domain.OR(same_unit)
                & Domain("product_id", "=", contract.product_id.id)
                & Domain("partner_id", "!=", contract.partner_id.id)
                & Domain("company_id", "=", contract.company_id.id)
                & Domain("state", "in", ("active", "paused"))
                & Domain("id", "!=", contract.id),
                order="id",
            )
            for previous in previous_contracts:
                params = {
                    "unit": contract.serial_display,
                    "client": contract.partner_id.display_name,
                    "date": day,
                    "delivery": self.name,
                    "contract": contract._get_html_link(title=contract.name),
                    "previous": previous._get_html_link(title=previous.name),
                    "previous_client": previous.partner_id.display_name,
                }
                if previous.is_booked:
                    try:
                        with self.env.cr.savepoint():
                            # no email: the client's "choose a new time" is wrong for a unit they
                            # no longer have
                            previous.cancel_booking(notify=False)
                    except UserError as error:
                        self._fc_note(
                            previous,
                            self.env._(
                                "Unit %(unit)s was delivered to %(client)s on %(date)s (%(delivery)s), under"
                                " %(contract)s, but the visit booked on this contract could not be cancelled"
                                " (%(reason)s). Please resolve the visit, then cancel this contract."
                            ),
                            dict(params, reason=error.args[0]),
                        )
                        self._fc_note(
                            contract,
                            self.env._(
                                "%(previous)s of %(previous_client)s is still live for this unit: its booked"
                                " visit could not be cancelled. Please resolve it."
                            ),
                            params,
                        )
                        continue
                previous.write({"state": "cancelled"})
                ended |= previous
                self._fc_note(
                    previous,
                    self.env._(
                        "Unit %(unit)s was delivered to %(client)s on %(date)s (%(delivery)s): this contract"
                        " ends. The unit continues under %(contract)s."
                    ),
                    params,
                )
                self._fc_note(contract, self.env._("Takes over from %(previous)s of %(previous_client)s."), params)
        return ended

    @staticmethod
    def _fc_note(contract, text, params):
        """Internal note on ``contract``: the translated ``text`` with ``params`` escaped
        (except the contract links)."""
        contract.message_post(body=Markup(text) % params, message_type="notification", subtype_xmlid="mail.mt_note")

    @staticmethod
    def _fc_delivered_units(quantity, uom, product):
        """Units delivered, in the product's unit (a started unit counts)."""
        return whole_units(uom._compute_quantity(quantity, product.uom_id, round=False) if uom else quantity)
