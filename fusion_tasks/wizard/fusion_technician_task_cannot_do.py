from odoo import fields, models


class FusionTechnicianTaskCannotDo(models.TransientModel):
    _name = "fusion.technician.task.cannot.do"
    _description = "Report a Visit That Cannot Be Done"

    task_id = fields.Many2one("fusion.technician.task", "Task", required=True, readonly=True, ondelete="cascade")
    reason = fields.Text(
        "Reason", required=True, help="Why the visit cannot be done: the office reads it in its to-do."
    )

    def action_confirm(self):
        """Post the reason on the task and give the office a to-do; the task is not changed."""
        self.ensure_one()
        # the task's own access (own tasks only for a technician), before the sudo work
        self.task_id.check_access("write")
        self.task_id._report_cannot_do(self.reason)
        return {"type": "ir.actions.act_window_close"}
