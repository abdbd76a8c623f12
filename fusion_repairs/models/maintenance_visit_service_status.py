from odoo import fields, models


class FusionRepairMaintenanceVisit(models.Model):
    """A failed safety-critical check takes the unit out of service (see the contract's
    ``_take_out_of_service``); the visit keeps the corrective repair it opened."""

    _inherit = "fusion.repair.maintenance.visit"

    out_of_service = fields.Boolean(
        string="Unit Taken Out of Service",
        readonly=True,
        copy=False,
        help="A safety-critical check failed: the visit's report says 'Failed: out of service' "
        "instead of certifying the unit.",
    )
    corrective_repair_ids = fields.One2many(
        "repair.order",
        "x_fc_maintenance_visit_id",
        string="Corrective Repair",
        groups="stock.group_stock_user",
    )

    def _get_failed_safety_lines(self):
        self.ensure_one()
        return self.line_ids.filtered(lambda line: line.safety_critical and line.result == "fail")

    def _handle_failed_safety_checks(self):
        """A finished visit with at least one failed safety-critical check: the unit is out of
        service on the contract, the client told at once, a corrective repair opened and the
        office given an urgent activity. Once per visit. A visit failed on other checks only is
        just failed."""
        res = super()._handle_failed_safety_checks()
        for visit in self.sudo():
            failed = visit._get_failed_safety_lines()
            if visit.state != "done" or visit.result != "failed" or not failed or visit.out_of_service:
                continue
            visit.out_of_service = True
            visit.contract_id._take_out_of_service(visit, failed)
        return res
