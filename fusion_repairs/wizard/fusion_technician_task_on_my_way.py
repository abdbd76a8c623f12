from odoo import fields, models

from ..lib.on_my_way import ETA_CHOICES


class FusionTechnicianTaskOnMyWay(models.TransientModel):
    _name = "fusion.technician.task.on.my.way"
    _description = "Tell the Client You Are On the Way"

    task_id = fields.Many2one("fusion.technician.task", "Visit", required=True, readonly=True, ondelete="cascade")
    eta_minutes = fields.Selection(
        [(str(minutes), f"{minutes} min") for minutes in ETA_CHOICES],
        string="I will arrive in about",
        required=True,
        default="30",
    )

    def action_confirm(self):
        """Email the client (once per trip) and say so on the technician's screen."""
        self.ensure_one()
        # the task's own access (own tasks only for a technician), before the sudo work
        self.task_id.check_access("write")
        sent, message = self.task_id._send_on_my_way(int(self.eta_minutes))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": {True: "success", False: "info"}.get(sent, "danger"),
                "message": message,
                "next": {"type": "ir.actions.act_window_close"},
            },
        }
