from odoo import fields, models

from ..models.maintenance_visit import NOT_DONE_REASONS


class FusionRepairMaintenanceVisitNotDone(models.TransientModel):
    """The technician came but could do nothing: why, so that the office rebooks."""

    _name = "fusion.repair.maintenance.visit.not.done"
    _description = "Maintenance Visit Not Done"

    task_id = fields.Many2one("fusion.technician.task", required=True, readonly=True, ondelete="cascade")
    reason = fields.Selection(NOT_DONE_REASONS, required=True)
    note = fields.Text(help="What happened, for the office (e.g. no answer at the door at 10:15).")

    def action_confirm(self):
        self.ensure_one()
        task = self.task_id
        task.check_access("write")
        task._record_visit_not_done(self.reason, self.note)
        return {"type": "ir.actions.act_window_close"}
