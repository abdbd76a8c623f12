from odoo import api, models


class SaleOrderLine(models.Model):
    _inherit = "sale.order.line"

    @api.model_create_multi
    def create(self, vals_list):
        lines = super().create(vals_list)
        # upsell: a line added to a confirmed order enrols its units at once
        lines.filtered(lambda ln: ln.state == "sale")._fc_spawn_maintenance_contracts()
        return lines

    def write(self, vals):
        if "product_uom_qty" not in vals and "product_uom_id" not in vals:
            return super().write(vals)
        Order = self.env["sale.order"]
        confirmed = self.filtered(lambda ln: ln.state == "sale")
        units_before = {line.id: Order._fc_line_unit_count(line) for line in confirmed}
        res = super().write(vals)
        # a raised quantity enrols the new units; a lowered one withdraws the surplus
        confirmed.filtered(
            lambda ln: ln.state == "sale" and Order._fc_line_unit_count(ln) > units_before[ln.id]
        )._fc_spawn_maintenance_contracts()
        confirmed.filtered(
            lambda ln: ln.state == "sale" and Order._fc_line_unit_count(ln) < units_before[ln.id]
        )._fc_withdraw_surplus_contracts()
        return res

    def _fc_withdraw_surplus_contracts(self):
        """Cancel the contracts of units no longer sold on these lines, newest first; a unit
        with a booked or done visit is kept (and named on the order)."""
        Contract = self.env["fusion.repair.maintenance.contract"].sudo()
        for line in self:
            if line.order_id._fc_line_serial(line):
                continue  # one contract per serial typed on the line, whatever the quantity
            live = Contract.search(
                [("x_fc_source_sale_line_id", "=", line.id), ("state", "!=", "cancelled")], order="id desc"
            )
            surplus = len(live) - line.order_id._fc_line_unit_count(line)
            if surplus <= 0:
                continue
            free = live.filtered(lambda c: not c.is_booked and not c.last_service_date)
            # not enough free ones: the visited/booked rest is kept and named on the order
            surplus_contracts = free[:surplus] | (live - free)[: max(surplus - len(free), 0)]
            line.order_id._fc_withdraw_maintenance_contracts(surplus_contracts)

    def _fc_spawn_maintenance_contracts(self):
        """Enrol the units of these lines (same rules as at confirmation).

        :return: the created contracts
        """
        if not self:
            return self.env["fusion.repair.maintenance.contract"]
        return self.order_id._spawn_maintenance_contracts(lines=self)
