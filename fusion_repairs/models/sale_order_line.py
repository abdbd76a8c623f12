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
        # a raised quantity enrols the new units; a lowered one deletes nothing
        confirmed.filtered(
            lambda ln: ln.state == "sale" and Order._fc_line_unit_count(ln) > units_before[ln.id]
        )._fc_spawn_maintenance_contracts()
        return res

    def _fc_spawn_maintenance_contracts(self):
        """Enrol the units of these lines (same rules as at confirmation).

        :return: the created contracts
        """
        if not self:
            return self.env["fusion.repair.maintenance.contract"]
        return self.order_id._spawn_maintenance_contracts(lines=self)
