from odoo import api, fields, models

from ..models.maintenance_visit import VISIT_RESULTS


class FusionRepairMaintenanceVisitFinish(models.TransientModel):
    """Done on a maintenance visit, on the technician's phone: the result and the client's
    signature, then the visit and its task close and the contract rolls forward."""

    _name = "fusion.repair.maintenance.visit.finish"
    _description = "Finish a Maintenance Visit"

    task_id = fields.Many2one("fusion.technician.task", required=True, readonly=True, ondelete="cascade")
    visit_id = fields.Many2one(related="task_id.maintenance_visit_id")
    result = fields.Selection(
        [result for result in VISIT_RESULTS if result[0] != "not_done"],
        required=True,
        compute="_compute_result",
        store=True,
        readonly=False,
    )
    failed_checks = fields.Char(compute="_compute_failed_checks")
    safety_failed = fields.Boolean(compute="_compute_failed_checks")
    signed_by = fields.Char(string="Client's Name", compute="_compute_signed_by", store=True, readonly=False)
    signature = fields.Binary(string="Client's Signature")

    @api.depends("task_id")
    def _compute_result(self):
        for wizard in self:
            visit = wizard.task_id.sudo().maintenance_visit_id
            wizard.result = visit._default_result() if visit else "passed"

    @api.depends("task_id")
    def _compute_failed_checks(self):
        for wizard in self:
            lines = wizard.task_id.sudo().maintenance_visit_id.line_ids
            failed = lines.filtered(lambda line: line.result == "fail")
            wizard.failed_checks = ", ".join(failed.mapped("name"))
            wizard.safety_failed = any(failed.mapped("safety_critical"))

    @api.depends("task_id")
    def _compute_signed_by(self):
        for wizard in self:
            wizard.signed_by = wizard.task_id.sudo().partner_id.name

    def action_confirm(self):
        self.ensure_one()
        task = self.task_id
        task.check_access("write")
        task.sudo().maintenance_visit_id._finish(
            result=self.result, signature=self.signature, signed_by=self.signature and self.signed_by
        )
        task.action_done()
        return {"type": "ir.actions.act_window_close"}
