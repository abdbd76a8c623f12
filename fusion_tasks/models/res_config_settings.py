from odoo import api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # Stored by hand in ir.config_parameter `fusion_tasks.travel_buffer_minutes`:
    # a `config_parameter=` integer field would delete the parameter for 0
    # (and the engine would fall back to the 30-minute default).
    x_fc_travel_buffer_minutes = fields.Integer(
        "Travel Buffer (minutes)",
        default=30,
        help="Time kept free before and after every task and busy meeting of a technician.",
    )

    @api.constrains("x_fc_travel_buffer_minutes")
    def _check_x_fc_travel_buffer_minutes(self):
        if any(settings.x_fc_travel_buffer_minutes < 0 for settings in self):
            raise ValidationError(self.env._("The travel buffer cannot be negative."))

    @api.model
    def get_values(self):
        res = super().get_values()
        buffer = self.env["fusion.technician.task"]._get_travel_buffer()
        res["x_fc_travel_buffer_minutes"] = int(buffer.total_seconds() // 60)
        return res

    def set_values(self):
        self.check_access("write")  # the parameter below is written in sudo
        super().set_values()
        self.env["ir.config_parameter"].sudo().set_param(
            "fusion_tasks.travel_buffer_minutes", str(self.x_fc_travel_buffer_minutes)
        )
