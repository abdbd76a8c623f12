from odoo import fields, models


class RepairOrder(models.Model):
    """A corrective repair of a maintained unit: opened when a safety check of a maintenance
    visit failed; when it is done, the unit is back in service on its contract."""

    _inherit = "repair.order"

    x_fc_maintenance_contract_id = fields.Many2one(
        "fusion.repair.maintenance.contract",
        string="Maintenance Contract",
        index="btree_not_null",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The maintenance contract of the unit this corrective repair is for.",
    )
    x_fc_maintenance_visit_id = fields.Many2one(
        "fusion.repair.maintenance.visit",
        string="Failed Visit",
        copy=False,
        readonly=True,
        ondelete="set null",
        help="The maintenance visit whose failed safety check opened this corrective repair.",
    )

    # a failed visit opens one corrective repair, even if its end is replayed
    _x_fc_one_corrective_repair_per_visit = models.UniqueIndex(
        "(x_fc_maintenance_visit_id) WHERE x_fc_maintenance_visit_id IS NOT NULL",
        "A failed maintenance visit opens one corrective repair order.",
    )

    def action_repair_done(self):
        # the one place where core moves a repair order to done (action_repair_end calls it);
        # whoever may finish these repairs may return their units to service (in sudo)
        self.check_access("write")
        res = super().action_repair_done()
        corrective = self.filtered(lambda repair: repair.state == "done" and repair.x_fc_maintenance_contract_id)
        for repair in corrective:
            repair.x_fc_maintenance_contract_id.sudo()._return_to_service_after_repair(repair)
        return res
